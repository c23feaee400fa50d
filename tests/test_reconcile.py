"""Reconcile adopts a record only on an exact identity match that no ledger row claims.

The org is the served local org, written and read through simple-salesforce; the ledger is a real
state store. Two packs on one org meet here: pack A owns an Event, pack B left an identical
meeting pending.
"""

from __future__ import annotations

from typing import Any

import pytest
from safety_helpers import connect

from demo_gen.ledger.store import ItemRow, RunRow, StateStore
from demo_gen.targets.base import Reconciliation
from demo_gen.targets.salesforce.reconcile import find_pending

START = "2026-11-03T15:00:00.000+0000"
SUBJECT = "Discovery call"


class Reader:
    def __init__(self, sf: Any) -> None:
        self.sf = sf

    def query(self, soql: str) -> list[dict[str, Any]]:
        return list(self.sf.query_all(soql)["records"])


def reconcile(reader, state, target, pending, *, tag_field, known_ids=()) -> Reconciliation:
    """What `ledger_protocol.settle_pending` does with the Salesforce target's `find`."""
    result = find_pending(reader, state, target, pending, tag_field=tag_field, known_ids=known_ids)
    missing = {s: ("NOT_SENT", "not found") for s in result.missing}
    state.record_batch(target, result.found, missing, result.identities, result.org_made)
    return result


@pytest.fixture
def org(served_org):
    sf = connect(served_org.url)
    opp = sf.query("SELECT Id FROM Opportunity LIMIT 1")["records"][0]["Id"]
    org_id = sf.query("SELECT Id FROM Organization")["records"][0]["Id"]
    return sf, opp, org_id


@pytest.fixture
def state(state_backend, org):
    """The ledger on SQLite and on PostgreSQL (tests/state_backends.py)."""
    _, _, org_id = org
    with StateStore(state_backend.url) as store:
        for run_id, pack in (("rA", "pack-a"), ("rB", "pack-b")):
            store.start_run(
                RunRow(
                    run_id, pack, org_id, "run", "running", "2026-11-30T10:00:00Z", None, "c", None
                )
            )
        yield store


def _event(sf, opp: str) -> str:
    record = {"WhatId": opp, "Subject": SUBJECT, "StartDateTime": START, "DurationInMinutes": 30}
    return str(sf.Event.create(record)["id"])


def _row(sig: str, run_id: str, pack: str, org_id: str, opp: str) -> ItemRow:
    return ItemRow(
        signature=sig,
        run_id=run_id,
        pack=pack,
        target=org_id,
        opportunity_id=opp,
        kind="meeting",
        record_type="Event",
        status="pending",
        remote_id=None,
        error_code=None,
        error=None,
        parent_signature=None,
        planned_start=START,
        subject=SUBJECT,
        updated_at="",
    )


def _setup(state, org, *, a_owns: bool) -> tuple[ItemRow, str | None]:
    sf, opp, org_id = org
    if a_owns:
        a_id = _event(sf, opp)
        state.mark_pending([_row("sig-a", "rA", "pack-a", org_id, opp)])
        state.mark_created(org_id, {"sig-a": a_id})
    else:
        a_id = None
    b = _row("sig-b", "rB", "pack-b", org_id, opp)
    state.mark_pending([b])
    return b, a_id


def test_a_record_another_pack_owns_is_never_adopted(state, org):
    sf, _, org_id = org
    b, a_id = _setup(state, org, a_owns=True)
    result = reconcile(Reader(sf), state, org_id, [b], tag_field=None)
    assert result.found == {} and result.missing == ["sig-b"]
    assert result.owned_elsewhere == 1
    rows = state.items_by_signature(org_id, ["sig-a", "sig-b"])
    assert rows["sig-a"].remote_id == a_id and rows["sig-a"].status == "created"
    assert rows["sig-b"].status == "failed" and rows["sig-b"].remote_id is None  # sent again


def test_the_unclaimed_twin_is_adopted_not_the_owned_one(state, org):
    sf, opp, org_id = org
    b, a_id = _setup(state, org, a_owns=True)
    b_id = _event(sf, opp)  # B's own Event: the org made it before B was killed
    result = reconcile(Reader(sf), state, org_id, [b], tag_field=None)
    assert result.found == {"sig-b": b_id} and b_id != a_id
    row = state.items_by_signature(org_id, ["sig-b"])["sig-b"]
    assert row.status == "created" and row.remote_id == b_id and row.identity  # with its snapshot


def test_two_unclaimed_candidates_are_never_a_guess(state, org):
    sf, opp, org_id = org
    b, _ = _setup(state, org, a_owns=False)
    _event(sf, opp)
    _event(sf, opp)
    result = reconcile(Reader(sf), state, org_id, [b], tag_field=None)
    assert result.found == {} and result.missing == []
    assert "2 unclaimed records" in result.ambiguous["sig-b"]
    assert state.items_by_signature(org_id, ["sig-b"])["sig-b"].status == "pending"


def test_extra_known_ids_are_not_adopted_either(state, org):
    sf, opp, org_id = org
    b, _ = _setup(state, org, a_owns=False)
    other = _event(sf, opp)
    result = reconcile(Reader(sf), state, org_id, [b], tag_field=None, known_ids={other})
    assert result.missing == ["sig-b"]


def test_a_pending_email_task_is_settled_by_its_emails_activity_id(make_config, org_db):
    """What the old two-commit recording left after a kill between its commits: email_task rows
    pending without an id. The next run takes each Task from its own email's ActivityId."""
    import sqlite3

    from safety_helpers import doubly_owned, run_json

    from demo_gen.config.model import load_config
    from demo_gen.local_org.store.core import Store

    config = make_config()
    code, report = run_json(config)
    assert code == 0
    url = load_config(config).state.url
    path = url.removeprefix("sqlite:///")
    _twin_tasks(org_db, path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE items SET status = 'pending', remote_id = NULL, identity = NULL "
            "WHERE kind = 'email_task'"
        )
        tasks = conn.execute("SELECT count(*) FROM items WHERE kind = 'email_task'").fetchone()[0]
    code, again = run_json(config)
    assert code == 0 and again["totals"]["created"] == 0
    assert doubly_owned(url) == {}
    store = Store(org_db)
    try:
        activity = {r["Id"]: r["ActivityId"] for r in store.rows("EmailMessage")}
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        pairs = conn.execute(
            "SELECT e.remote_id, t.remote_id FROM items t JOIN items e "
            "ON e.signature = t.parent_signature AND e.target = t.target "
            "WHERE t.kind = 'email_task' AND t.status = 'created'"
        ).fetchall()
    assert len(pairs) == tasks
    assert all(activity[email] == task for email, task in pairs)


def _twin_tasks(org_db, state_path) -> None:
    """Give every email Task of one deal, and their rows, one subject and day: only the
    ActivityId link can tell which Task is whose now."""
    import sqlite3

    from demo_gen.local_org.rules.base import sobject_named
    from demo_gen.local_org.store.core import Store

    store = Store(org_db)
    try:
        emails = store.rows("EmailMessage")
        deal = max(
            {e["RelatedToId"] for e in emails},
            key=lambda o: sum(1 for e in emails if e["RelatedToId"] == o),
        )
        task_ids = {e["ActivityId"] for e in emails if e["RelatedToId"] == deal}
        assert len(task_ids) > 2
        tasks = [t for t in store.rows("Task") if t["Id"] in task_ids]
        with store.transaction() as txn:
            for task in tasks:
                txn.put(
                    sobject_named("Task"),
                    task | {"Subject": "Same", "ActivityDate": tasks[0]["ActivityDate"]},
                )
    finally:
        store.close()
    with sqlite3.connect(state_path) as conn:
        conn.execute(
            "UPDATE items SET subject = 'Same', planned_start = ? "
            "WHERE kind = 'email_task' AND opportunity_id = ?",
            (f"{tasks[0]['ActivityDate']}T12:00:00.000+0000", deal),
        )
