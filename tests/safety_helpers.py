"""Helpers for the ledger-safety tests: the org as simple-salesforce sees it, and the ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from simple_salesforce import Salesforce

from demo_gen.cli import cli
from demo_gen.ledger.runlog import read_events
from demo_gen.ledger.store import StateStore
from demo_gen.local_org.store.core import Store
from demo_gen.targets.salesforce.transport import local_session

OBJECTS = (
    "Event",
    "EventRelation",
    "Task",
    "EmailMessage",
    "EmailMessageRelation",
    "DemoGen_Scorecard__c",
    "DemoGen_Scorecard_Answer__c",
    "TaskRelation",
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(config: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = invoke("run", "-c", str(config), "--json", *extra)
    assert out.strip(), err
    return code, json.loads(out)


def connect(url: str) -> Salesforce:
    """simple-salesforce on a served local org."""
    return Salesforce(
        username="admin@demo-gen.local",
        password="demo-gen",
        security_token="",
        session=local_session(url),
    )


def org_ids(org_db: Path) -> dict[str, set[str]]:
    """sObject -> the ids of its live records, read from the org's database."""
    store = Store(org_db)
    try:
        return {name: {r["Id"] for r in store.rows(name)} for name in OBJECTS}
    finally:
        store.close()


def ledger_ids(state_url: str) -> dict[str, list[str]]:
    """remote_id -> the signatures of the ledger rows that hold it (any org, pack, run, status)."""
    import sqlite3

    path = state_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT remote_id, signature FROM items WHERE remote_id IS NOT NULL")
        out: dict[str, list[str]] = {}
        for remote_id, sig in rows:
            out.setdefault(remote_id, []).append(sig)
    return out


def live_owned(state_url: str, statuses: tuple[str, ...] = ("created",)) -> set[str]:
    import sqlite3

    path = state_url.removeprefix("sqlite:///")
    marks = ",".join("?" * len(statuses))
    with sqlite3.connect(path) as conn:
        query = f"SELECT remote_id FROM items WHERE remote_id IS NOT NULL AND status IN ({marks})"
        return {remote_id for (remote_id,) in conn.execute(query, statuses)}


def created_events(run_dir: Path) -> list[dict[str, Any]]:
    return [e for e in read_events(run_dir) if e["event"] == "item.created"]


def orphans(before: dict[str, set[str]], after: dict[str, set[str]], owned: set[str]) -> set[str]:
    """Records in the org now that were not there before and that no ledger row owns."""
    return {i for name in OBJECTS for i in after[name] - before[name] if i not in owned}


def doubly_owned(state_url: str) -> dict[str, list[str]]:
    return {i: sigs for i, sigs in ledger_ids(state_url).items() if len(sigs) > 1}


def open_state(state_url: str) -> StateStore:
    return StateStore(state_url)
