"""The chaos suite's measuring instrument: each figure counts what it says, on made-up orgs."""

from __future__ import annotations

import copy

from chaos_figures import Snapshot, compare, made_content, restored

OPP, CONTACT = "006A", "003A"


def _org(*events, tasks=(), relations=()):
    records = {
        "Opportunity": {OPP: {"Id": OPP, "Name": "Acme – Renewal", "StageName": "Discovery"}},
        "Contact": {CONTACT: {"Id": CONTACT, "Email": "ann@acme.example"}},
        "Event": {},
        "Task": {},
        "EventRelation": {},
    }
    for event_id, subject in events:
        records["Event"][event_id] = {
            "Id": event_id,
            "WhatId": OPP,
            "Subject": subject,
            "StartDateTime": "2026-10-01T09:00:00.000+0000",
            "LastModifiedDate": "2026-10-01T00:00:00.000+0000",
        }
    for task_id, subject in tasks:
        records["Task"][task_id] = {
            "Id": task_id,
            "WhatId": OPP,
            "Subject": subject,
            "ActivityDate": "2026-10-01",
            "TaskSubtype": "Email",
        }
    for rel_id, event_id in relations:
        records["EventRelation"][rel_id] = {
            "Id": rel_id,
            "EventId": event_id,
            "RelationId": CONTACT,
        }
    return Snapshot("00D1", records)


def _row(remote_id, status="created", org_id="00D1", run="r1"):
    return {
        "target": f"salesforce:{org_id}",
        "remote_id": remote_id,
        "status": status,
        "run_id": run,
        "kind": "meeting",
    }


BEFORE = _org(("00U0", "Fixture call"))
AFTER = _org(("00U0", "Fixture call"), ("00U1", "Demo"), relations=[("0RE1", "00U1")])
REFERENCE = made_content(BEFORE, AFTER)


def test_an_identical_org_is_clean_whatever_its_ids():
    other_ids = _org(("00U0", "Fixture call"), ("00U9", "Demo"), relations=[("0RE9", "00U9")])
    figures = compare(BEFORE, other_ids, REFERENCE, [_row("00U9")])
    assert figures.clean, figures.describe()


def test_duplicates_lost_and_orphans():
    twice = _org(("00U0", "Fixture call"), ("00U1", "Demo"), ("00U2", "Demo"))
    figures = compare(BEFORE, twice, REFERENCE, [_row("00U1")])
    assert (figures.duplicates, figures.lost, figures.orphans) == (1, 1, 1)
    assert "00U2" in "".join(figures.examples["orphans"])
    assert "Demo" in "".join(figures.examples["duplicates"])


def test_a_link_of_an_owned_parent_is_owned_through_it_but_an_unowned_task_is_not():
    with_task = _org(
        ("00U0", "Fixture call"),
        ("00U1", "Demo"),
        tasks=[("00T1", "Email")],
        relations=[("0RE1", "00U1")],
    )
    figures = compare(BEFORE, with_task, REFERENCE, [_row("00U1")])
    assert figures.orphans == 1 and "00T1" in figures.examples["orphans"][0]


def test_ownership_counts_only_created_rows_of_this_org():
    for row in (_row("00U1", status="deleted"), _row("00U1", org_id="00D2")):
        assert compare(BEFORE, AFTER, REFERENCE, [row]).orphans == 2  # the Event and its link


def test_double_claims_and_dangling_rows():
    rows = [_row("00U1"), _row("00U1", run="r2"), _row("00U7")]
    figures = compare(BEFORE, AFTER, REFERENCE, rows)
    assert (figures.double_claimed, figures.dangling) == (1, 1)


def test_foreign_deletions_and_changes_ignore_volatile_fields():
    changed = copy.deepcopy(AFTER)
    changed.records["Event"]["00U0"]["LastModifiedDate"] = "2026-11-30T00:00:00.000+0000"
    assert compare(BEFORE, changed, REFERENCE, [_row("00U1")]).clean
    changed.records["Opportunity"][OPP]["StageName"] = "Closed Won"
    del changed.records["Event"]["00U0"]
    figures = compare(BEFORE, changed, REFERENCE, [_row("00U1")])
    assert (figures.foreign_deleted, figures.foreign_changed) == (1, 1)
    assert "StageName" in figures.examples["foreign_changed"][0]


def test_restored_counts_leftovers_and_foreign_deletions():
    assert restored(BEFORE, copy.deepcopy(BEFORE)).clean
    figures = restored(BEFORE, AFTER)
    assert (figures.leftover, figures.foreign_deleted) == (2, 0)
    assert restored(BEFORE, _org()).foreign_deleted == 1
