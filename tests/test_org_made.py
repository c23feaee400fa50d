"""Records the org makes for ours are owned from the moment they exist, and logged.

An org with Shared Activities creates an EventRelation (IsParent) for an Event's WhoId by itself.
`shared_activities` makes the local org behave so, through its own API, right after each Event
batch is created and before the run reads the batch back — whether or not the local org does it
itself, the run must then own those rows, adopt the one that is a planned invitee instead of
inserting it twice (the org refuses that with DUPLICATE_VALUE), and reset must leave the org as
it found it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from safety_helpers import OBJECTS, doubly_owned, invoke, live_owned, org_ids, orphans, run_json

from demo_gen.config.model import load_config
from demo_gen.ledger.runlog import read_events
from demo_gen.local_org.store.core import Store
from demo_gen.targets.salesforce.client import SalesforceCrm


@pytest.fixture
def shared_activities(monkeypatch) -> dict[str, Any]:
    """After each Event batch: a relation for the WhoId, and (with `invitees_too`) for every
    other contact role of the deal — some of which the run plans as invitees."""
    options: dict[str, Any] = {"invitees_too": False, "made": 0}
    real = SalesforceCrm.create

    def create(self: SalesforceCrm, records):
        results = real(self, records)
        events = [
            (r, res.id)
            for r, res in zip(records, results, strict=True)
            if r["attributes"]["type"] == "Event" and res.success
        ]
        relations = []
        for record, event_id in events:
            people = {record.get("WhoId")} - {None}
            if options["invitees_too"]:
                soql = (
                    "SELECT ContactId FROM OpportunityContactRole "
                    f"WHERE OpportunityId = '{record['WhatId']}'"
                )
                people |= {row["ContactId"] for row in self.query(soql)}
            for person in sorted(people):
                is_who = person == record.get("WhoId")
                relations.append(
                    {
                        "attributes": {"type": "EventRelation"},
                        "EventId": event_id,
                        "RelationId": person,
                        "IsParent": is_who,
                        "IsInvitee": not is_who,
                    }
                )
        if relations:
            made = real(self, relations)
            assert all(m.success for m in made), made
            options["made"] += len(made)
        return results

    monkeypatch.setattr(SalesforceCrm, "create", create)
    return options


def _sobject_counts(run_dir: Path) -> Counter[str]:
    return Counter(e["sobject"] for e in read_events(run_dir) if e["event"] == "item.created")


def test_relations_the_org_makes_are_owned_and_reset_with_their_event(
    make_config, org_db, shared_activities
):
    config = make_config()
    before = org_ids(org_db)
    code, report = run_json(config)
    assert code == 0, report
    made = shared_activities["made"]
    assert made and report["counts"]["event_relation"]["created"] == made
    url = load_config(config).state.url
    assert orphans(before, org_ids(org_db), live_owned(url)) == set()
    assert doubly_owned(url) == {}
    grown = {n: len(org_ids(org_db)[n] - before[n]) for n in OBJECTS}
    assert {n: _sobject_counts(Path(report["run_dir"]))[n] for n in OBJECTS} == grown
    code, out, err = invoke("reset", report["run_id"], "-c", str(config), "--yes")
    assert code == 0, err
    assert org_ids(org_db) == before
    code, again = run_json(config)
    assert code == 0 and again["counts"]["invitee"]["failed"] == 0


def test_a_planned_invitee_the_org_made_is_adopted_not_inserted_twice(
    make_config, org_db, shared_activities
):
    shared_activities["invitees_too"] = True
    config = make_config()
    before = org_ids(org_db)
    code, report = run_json(config)
    assert code == 0, report  # no DUPLICATE_VALUE: the invitees the org made were adopted
    invitees = report["counts"]["invitee"]
    assert invitees["created"] > 0 and invitees["failed"] == 0
    url = load_config(config).state.url
    assert orphans(before, org_ids(org_db), live_owned(url)) == set()
    assert doubly_owned(url) == {}
    events = [e for e in read_events(Path(report["run_dir"])) if e["event"] == "item.created"]
    adopted = [e for e in events if e["kind"] == "invitee" and e["source"] == "org"]
    assert adopted  # planned invitees the org had made already
    assert len({e["remote_id"] for e in events}) == len(events)
    store = Store(org_db)
    try:
        pairs = [(r["EventId"], r["RelationId"]) for r in store.rows("EventRelation")]
    finally:
        store.close()
    assert len(pairs) == len(set(pairs))  # never one person twice on one Event
    code, out, err = invoke("reset", report["run_id"], "-c", str(config), "--yes")
    assert code == 0, err
    assert org_ids(org_db) == before


def test_with_the_local_orgs_own_shared_activities(make_config, org_db):
    """The local org itself now makes the IsParent rows (Who and What) of each Event, and the
    TaskRelation rows of each email Task: they are owned with their parent, logged, and gone
    after reset."""
    from demo_gen.local_org.settings import OrgSettings

    store = Store(org_db)
    try:
        OrgSettings(shared_activities=True).write(store)
        relations_before = {r["Id"] for r in store.rows("EventRelation")}
    finally:
        store.close()
    config = make_config()
    before = org_ids(org_db)
    code, report = run_json(config)
    assert code == 0, report
    assert report["counts"]["event_relation"]["created"] > 0
    tasks = report["counts"]["email_task"]["created"]
    assert report["counts"]["task_relation"]["created"] >= tasks > 0  # each Task's What, at least
    url = load_config(config).state.url
    assert orphans(before, org_ids(org_db), live_owned(url)) == set()
    assert doubly_owned(url) == {}
    grown = {n: len(org_ids(org_db)[n] - before[n]) for n in OBJECTS}
    assert {n: _sobject_counts(Path(report["run_dir"]))[n] for n in OBJECTS} == grown
    code, again = run_json(config)
    assert code == 0 and again["totals"]["created"] == 0
    code, out, err = invoke("reset", report["run_id"], "-c", str(config), "--yes")
    assert code == 0, err
    assert org_ids(org_db) == before
    assert org_ids(org_db)["EventRelation"] >= relations_before
