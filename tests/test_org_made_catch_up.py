"""A batch whose read-back fails: what the org made for it is still owned by the end of the run.

The writer reads each batch back to own what the org made for it (an Event's Who/What
EventRelations, a Task's TaskRelations, an EmailMessage's Task and that Task's relations). A
read-back can fail (a 503 past its retries, a 403, an expired session) after the batch was
created; the run's end and reset then look those records up again by their link
(`Target.adopt_missing`). Found by the seeded chaos sweeps (403s at 10%: 4 runs of 16 left an
Event batch's 114 EventRelations, or the email Tasks' TaskRelations, owned by no ledger row).
"""

from __future__ import annotations

import sqlite3

import pytest
from safety_helpers import invoke, org_ids, run_json

from demo_gen.errors import TargetError
from demo_gen.local_org.fixture.build import backfill_relations
from demo_gen.local_org.settings import OrgSettings
from demo_gen.local_org.store.core import Store
from demo_gen.targets.salesforce import target as salesforce

PARENT_FIELD = {"EventRelation": "EventId", "TaskRelation": "TaskId"}


@pytest.fixture
def shared_org(org_db):
    """The test's org with Shared Activities on, as `org init` makes it by default."""
    store = Store(org_db)
    try:
        settings = OrgSettings(shared_activities=True, set_audit_fields=True)
        settings.write(store)
        backfill_relations(store, settings)
    finally:
        store.close()
    return org_db


def _fail_first_read_back(monkeypatch, sobjects):
    """The writer's first read-back of each of `sobjects` fails, after its batch was created."""
    real = salesforce.SalesforceTarget.read_back
    failed: list[str] = []

    def read_back(self, rows, **kwargs):
        sobject = rows[0].record_type if rows else None
        if sobject in sobjects and sobject not in failed and not kwargs.get("verify"):
            failed.append(sobject)
            raise TargetError(f"injected: the read-back of a {sobject} batch failed")
        return real(self, rows, **kwargs)

    monkeypatch.setattr(salesforce.SalesforceTarget, "read_back", read_back)
    return failed


def _unowned_relations(org_db, state_url):
    """Relation rows whose parent a created ledger row holds, but which no created row holds."""
    path = state_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        owned = {i for (i,) in conn.execute("SELECT remote_id FROM items WHERE status='created'")}
    store = Store(org_db)
    try:
        return {
            sobject: sorted(
                r["Id"] for r in store.rows(sobject) if r[field] in owned and r["Id"] not in owned
            )
            for sobject, field in PARENT_FIELD.items()
        }
    finally:
        store.close()


def test_what_the_org_made_for_a_batch_that_was_not_read_back_is_owned(
    make_config, shared_org, monkeypatch
):
    config = make_config()
    state_url = f"sqlite:///{config.parent / 'state.sqlite'}"
    before = org_ids(shared_org)
    failed = _fail_first_read_back(monkeypatch, ("Event", "Task", "EmailMessage"))
    code, report = run_json(config)
    assert code == 0, report
    assert sorted(failed) == ["EmailMessage", "Event", "Task"]
    made = org_ids(shared_org)
    assert made["EventRelation"] - before["EventRelation"]  # the case is there
    assert made["TaskRelation"] - before["TaskRelation"]
    assert _unowned_relations(shared_org, state_url) == {"EventRelation": [], "TaskRelation": []}
    code, out, err = invoke("reset", report["run_id"], "--yes", "-c", str(config))
    assert code == 0, err
    assert org_ids(shared_org) == before
