"""The state store on each backend: fixtures that hand a test a SQLite file or a fresh database
on a PostgreSQL server the session starts, and raw SQL on either (what a test sets up or
inspects behind the store's back)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pg_server import PgServer, find_bindir, skip_or_fail_without_server
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
"""Parametrise a fixture over these to run its tests on both backends."""


@dataclass(frozen=True)
class Backend:
    """A state store URL on one backend, and raw SQL on it."""

    name: str  # "sqlite" | "postgresql"
    url: str

    def execute(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """Run one statement in its own committed transaction; its rows, if any."""
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                result = conn.execute(text(sql), params)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def script(self, ddl: str) -> None:
        """Run `;`-separated statements in one transaction."""
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                for statement in ddl.split(";"):
                    body = "\n".join(
                        line for line in statement.splitlines() if not line.startswith("--")
                    )
                    if body.strip():
                        conn.exec_driver_sql(body)
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the whole session (skipped, with the reason, when absent)."""
    skip_or_fail_without_server()
    bindir = find_bindir()
    assert bindir is not None
    server = PgServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh empty database on the session's server, dropped after the test."""
    with pg_server.database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def state_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The state store on SQLite (a file) and on PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        return Backend("sqlite", f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    return Backend("postgresql", request.getfixturevalue("pg_url"))
