"""The state store's engine plumbing: open, check or migrate the schema, read, write in one
transaction, and turn database errors into one-line `StateError`s. `StateStore` builds on it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Self, TypeVar

from sqlalchemy import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from demo_gen.errors import StateError
from demo_gen.ledger import postgres as state_postgres
from demo_gen.ledger import schema

_T = TypeVar("_T")


def display_url(url: str) -> str:
    """`url` with its password masked (`***`), for messages, logs and saved configs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return url  # not a URL: it holds no password we could find either


class StoreEngine:
    """One SQLAlchemy engine on the store's URL, with the schema checked on opening."""

    def __init__(self, url: str) -> None:
        """Open (creating if needed) the store at `url`; `StateError` if unreadable or newer."""
        self._setup(url, readonly=False)

    @classmethod
    def open_readonly(cls, url: str) -> Self:
        """Open `url` for reading only; a missing store reads as empty and nothing is created."""
        store = cls.__new__(cls)
        store._setup(url, readonly=True)
        return store

    def close(self) -> None:
        """Release every connection; the store is unusable afterwards."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _setup(self, url: str, *, readonly: bool) -> None:
        self._readonly = readonly
        self._write_lock = threading.Lock()  # one writer per process; SQLite would serialise anyway
        try:
            parsed = make_url(url)
        except SQLAlchemyError as exc:
            raise StateError("the state store URL is not a valid SQLAlchemy URL") from exc
        self._display = parsed.render_as_string(hide_password=True)
        self._postgres = state_postgres.is_postgres(parsed)
        path = schema.sqlite_path(parsed)
        if readonly and path is not None and not path.exists():
            parsed, path = schema.MEMORY, None  # a missing store reads as an empty one
        if path is not None and not readonly:
            self._guard(lambda: path.parent.mkdir(parents=True, exist_ok=True))
        query_only = readonly and path is not None
        self._memory = schema.sqlite_memory(parsed)  # one connection, seen by no other process
        self._engine = self._guard(lambda: schema.make_engine(parsed, query_only=query_only))
        if self._postgres:
            state_postgres.configure(self._engine, readonly=readonly)
        # only a store of our own (a fresh in-memory one) may be created when reading
        if not self._guard(lambda: self._check_schema(not readonly or self._memory)):
            self._engine.dispose()  # an existing database without our tables: read it as empty
            self._engine = schema.make_engine(schema.MEMORY, query_only=False)
            self._guard(lambda: self._check_schema(True))

    def _check_schema(self, create: bool) -> bool:
        with self._engine.connect() as conn:
            conn.execution_options(demo_gen_write=create)  # two first opens must not both create
            with conn.begin():
                return schema.check_schema(conn, self._display, create=create)

    def _guard(self, step: Callable[[], _T]) -> _T:
        """Run `step`; a database or file error becomes a one-line `StateError`."""
        try:
            return step()
        except (SQLAlchemyError, sqlite3.Error, OSError, ImportError) as exc:
            if hasattr(self, "_engine"):
                self._engine.dispose()
            message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise StateError(
                f"state store {self._display} is unreadable: {message}", hint=self._hint(exc)
            ) from exc
        except StateError:
            self._engine.dispose()
            raise

    def _hint(self, exc: BaseException) -> str:
        if isinstance(exc, ImportError) and self._postgres:
            return state_postgres.DRIVER_HINT
        if self._postgres:
            return (
                "check state.url in the configuration (host, port, database, user; a password "
                "in the URL or PGPASSWORD) and that the PostgreSQL server is up"
            )
        return "check state.url in the configuration, or move the file aside to start afresh"

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One committed transaction, rolled back on any exception; writers of the store run one
        at a time (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL)."""
        if self._readonly:
            raise RuntimeError(f"state store {self._display} was opened read-only")
        with self._write_lock, self._engine.connect() as conn:
            conn.execution_options(demo_gen_write=True)
            with conn.begin():
                yield conn
