"""Shared fixtures: a clean environment, a seeded local org per test, configs in temp dirs."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from refresh_series import refresh_series  # noqa: F401  (fixture)
from state_backends import pg_server, pg_url, state_backend  # noqa: F401  (fixtures)

from demo_gen.local_org.fixture.build import FixtureSpec, build_org
from demo_gen.local_org.store.core import Store

ANCHOR = date(2026, 11, 2)
"""The fixture org is laid around this date; tests pass it as "today" instead of the clock."""

FIXTURE_OPPS = 40


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No DEMO_GEN_*, SF_*, OPENAI_* from the developer's shell, and no stray .env."""
    import os

    for name in list(os.environ):
        if name.startswith(("DEMO_GEN_", "SF_", "OPENAI_", "CALDAV_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def seeded_org_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fixture org built once per session; tests copy it."""
    path = tmp_path_factory.mktemp("org") / "org.sqlite"
    store = Store(path)
    build_org(store, FixtureSpec(anchor=ANCHOR, seed=42, opportunities=FIXTURE_OPPS))
    store.close()
    return path


@pytest.fixture
def org_db(seeded_org_file: Path, tmp_path: Path) -> Path:
    """This test's own copy of the seeded local org."""
    target = tmp_path / "org.sqlite"
    shutil.copy(seeded_org_file, target)
    return target


ConfigFactory = Callable[..., Path]


@pytest.fixture
def make_config(tmp_path: Path, org_db: Path) -> ConfigFactory:
    """Write a config file into the test's temp dir; keyword overrides are `section={...}`."""

    def factory(name: str = "demo.yaml", **sections: dict[str, Any]) -> Path:
        data: dict[str, Any] = {
            "run": {
                "name": "test-pack",
                "seed": 42,
                "anchor_date": None,
                "runs_dir": str(tmp_path / "runs"),
            },
            "salesforce": {
                "local": {"db": str(org_db)},
                "query": {
                    "stages_allowed": [
                        "Qualification",
                        "Discovery",
                        "Evaluation",
                        "Proposal",
                        "Negotiation",
                    ],
                    "opportunity_type": None,
                    "limit": 8,
                },
            },
            "state": {"url": f"sqlite:///{tmp_path / 'state.sqlite'}"},
        }
        for section, values in sections.items():
            data[section] = _merge(data.get(section, {}), values)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return factory


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


@pytest.fixture
def org_counts(org_db: Path) -> Callable[[], dict[str, int]]:
    """Live record counts of the activity objects in this test's org database."""

    def counts() -> dict[str, int]:
        store = Store(org_db)
        try:
            return {
                name: store.count(name)
                for name in (
                    "Event",
                    "EventRelation",
                    "Task",
                    "EmailMessage",
                    "EmailMessageRelation",
                )
            }
        finally:
            store.close()

    return counts


@pytest.fixture
def served_org(org_db: Path) -> Iterator[Any]:
    """The test's org served on a loopback port (for fault injection), stopped afterwards."""
    from demo_gen.local_org.server import LocalOrgServer

    store = Store(org_db)
    server = LocalOrgServer(store)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        store.close()
