"""The chaos suite's measuring instrument: each figure counts what it says, on made-up orgs."""

from __future__ import annotations

import copy
import shutil

import pytest
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


@pytest.fixture(scope="module")
def tiny_org(tmp_path_factory):
    """A one-opportunity org made by `demo-gen org init`, as the chaos templates are."""
    from chaos_harness import init_org_db

    path = tmp_path_factory.mktemp("tiny-org") / "org.sqlite"
    init_org_db(path, 1)
    return path


def _served_seed(tiny_org, root, name, *, forced=None, **faults):
    """The fault seed a ChaosOrg's server was started with, as the org itself reports it."""
    from chaos_harness import ChaosOrg, scenario_seed

    with ChaosOrg(root / name, tiny_org, default_seed=scenario_seed(name)) as org:
        org.forced_seed = forced
        org.serve(**faults)
        return org.server.stats()["faults"]["seed"], org.seeds


def test_random_faults_are_seeded_from_the_scenario_unless_a_seed_is_given(tiny_org, tmp_path):
    from chaos_harness import scenario_seed

    assert scenario_seed("fault-row-errors") == scenario_seed("fault-row-errors")
    assert scenario_seed("fault-row-errors") != scenario_seed("fault-503s")
    seed, seeds = _served_seed(tiny_org, tmp_path, "fault-x", row_error_rate=0.03)
    assert seed == scenario_seed("fault-x") and seeds == [seed]
    forced = _served_seed(tiny_org, tmp_path, "f", forced=17, error_rate=0.2, fault_seed=7)
    assert forced == (17, [17])  # a replay's seed replaces the fault's own


def test_a_failed_scenario_is_kept_with_its_report_and_an_org_dump(tiny_org, tmp_path, monkeypatch):
    import json

    from chaos_harness import keep

    root = tmp_path / "scenario"
    root.mkdir()
    shutil.copy(tiny_org, root / "org.sqlite")
    (root / "state.sqlite").write_bytes(b"ledger")
    monkeypatch.setenv("CHAOS_KEEP_DIR", str(tmp_path / "kept"))
    kept = keep(root, "fault-x", "scenario fault-x: run=6\n  problem: after reset: leftover=9")
    assert kept.parent == tmp_path / "kept" and kept.name.startswith("fault-x-")
    assert (kept / "state.sqlite").read_bytes() == b"ledger"
    assert "leftover=9" in (kept / "report.txt").read_text()
    dump = json.loads((kept / "org-dump.json").read_text())
    assert dump["org_id"] and "Event" in dump and "TaskRelation" in dump
