"""The export's tables from items and ledger rows: pure, no org."""

from __future__ import annotations

from datetime import UTC, datetime

from demo_gen.export.rows import TABLE_OF_KIND, build_tables, parse_time
from demo_gen.export.source import LedgerRow
from demo_gen.stages.items import WorkItem

START = "2026-11-03T15:00:00.000+0000"


def meeting(sig: str, opp: str = "006A") -> WorkItem:
    record = {
        "Subject": "Discovery",
        "StartDateTime": START,
        "EndDateTime": "2026-11-03T15:45:00.000+0000",
        "DurationInMinutes": 45,
        "OwnerId": "005X",
        "WhoId": "003C",
        "WhatId": opp,
        "Description": "notes",
    }
    return WorkItem(sig, "meeting", "Event", opp, record, START, "Discovery")


def ledger(sig: str, target: str = "salesforce", remote: str | None = "00U1") -> LedgerRow:
    return LedgerRow(sig, "meeting", "006A", "run-1", "created", target, "00Dorg", remote)


def tables(items, rows, *, from_ledger=True):
    built = build_tables(items, rows, {"005X": "Europe/Paris"}, from_ledger=from_ledger)
    return {t.name: t for t in built}


def test_a_meeting_row_has_ids_run_and_typed_fields():
    out = tables([meeting("s1")], [ledger("s1")])
    (row,) = out["meetings"].rows
    assert row["signature"] == "s1" and row["run_id"] == "run-1"
    assert (row["salesforce_account"], row["salesforce_id"], row["salesforce_status"]) == (
        "00Dorg",
        "00U1",
        "created",
    )
    assert row["start"] == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    assert row["duration_minutes"] == 45 and row["time_zone"] == "Europe/Paris"
    assert set(out) == {*TABLE_OF_KIND.values(), "target_ids"}
    assert [r["id"] for r in out["target_ids"].rows] == ["00U1"]


def test_a_ledger_row_the_replay_did_not_give_keeps_its_ids_and_empty_fields():
    out = tables([], [ledger("s9")])
    (row,) = out["meetings"].rows
    assert row["salesforce_id"] == "00U1" and row["subject"] is None and row["start"] is None


def test_a_new_target_adds_columns_and_id_rows():
    rows = [ledger("s1"), ledger("s1", target="caldav", remote="uid-1.ics")]
    out = tables([meeting("s1")], rows)
    (row,) = out["meetings"].rows
    assert row["caldav_id"] == "uid-1.ics" and row["salesforce_id"] == "00U1"
    assert [(r["target"], r["id"]) for r in out["target_ids"].rows] == [
        ("caldav", "uid-1.ics"),
        ("salesforce", "00U1"),
    ]


def test_calendar_copies_add_no_empty_columns_to_every_table():
    """A CalDAV copy is its own row (kind calendar_event, its own signature): it must not give
    every meeting a `caldav_status` of "planned" (it has no table of its own yet)."""
    copy = LedgerRow("c1", "calendar_event", "006A", "run-1", "created", "caldav", "00Dorg", "u1")
    out = tables([meeting("s1")], [ledger("s1"), copy])
    (row,) = out["meetings"].rows
    assert not any(name.startswith("caldav_") for name in row)
    assert row["salesforce_id"] == "00U1"


def test_plan_rows_are_the_items_with_ids_where_the_ledger_has_them():
    out = tables([meeting("s1"), meeting("s2")], [ledger("s1")], from_ledger=False)
    by_sig = {r["signature"]: r for r in out["meetings"].rows}
    assert by_sig["s1"]["salesforce_status"] == "created"
    assert by_sig["s2"]["salesforce_status"] == "planned" and by_sig["s2"]["salesforce_id"] is None
    assert by_sig["s2"]["run_id"] is None


def test_parse_time_reads_the_records_format():
    assert parse_time(START) == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    assert parse_time("") is None and parse_time(None) is None
