"""The comparison reset and the run-start check rely on: same record, or another one?"""

from __future__ import annotations

import json
from dataclasses import replace

from demo_gen.ledger.store import ItemRow
from demo_gen.targets.salesforce.identity import identity_fields, mismatch, snapshot

EVENT = {
    "Id": "00U000000000001AAA",
    "WhatId": "006000000000001AAA",
    "Subject": "Discovery call",
    "StartDateTime": "2026-11-03T15:00:00.000+0000",
    "CreatedById": "005000000000001AAA",
    "CreatedDate": "2026-11-30T15:37:25.804+0000",
}

ROW = ItemRow(
    signature="s1",
    run_id="r1",
    pack="p",
    target="salesforce:00D",
    opportunity_id="006000000000001AAA",
    kind="meeting",
    record_type="Event",
    status="created",
    remote_id=EVENT["Id"],
    error_code=None,
    error=None,
    parent_signature=None,
    planned_start="2026-11-03T15:00:00.000+0000",
    subject="Discovery call",
    updated_at="",
)


def with_snapshot(row: ItemRow, record: dict) -> ItemRow:
    return replace(row, identity=json.dumps(snapshot(row.record_type, record)))


def test_the_same_record_in_another_spelling_matches():
    row = with_snapshot(ROW, EVENT)
    spelled = EVENT | {
        "CreatedDate": "2026-11-30T15:37:25.804Z",
        "StartDateTime": "2026-11-03T15:00:00Z",
        "WhatId": "006000000000001",  # the 15-character form
    }
    assert mismatch(row, spelled, None) is None


def test_a_record_created_a_millisecond_later_is_another_record():
    row = with_snapshot(ROW, EVENT)
    again = EVENT | {"CreatedDate": "2026-11-30T15:37:25.805+0000"}
    assert "CreatedDate" in (mismatch(row, again, None) or "")


def test_each_signature_field_and_the_creator_count():
    row = with_snapshot(ROW, EVENT)
    for name in identity_fields("Event"):
        changed = EVENT | {name: "something else"}
        assert name in (mismatch(row, changed, None) or ""), name


def test_a_schema_1_row_is_compared_on_what_it_holds():
    assert mismatch(ROW, EVENT, None) is None  # no snapshot: opportunity, subject, start
    assert mismatch(ROW, EVENT | {"StartDateTime": "2026-11-04T15:00:00.000+0000"}, None)
    link = replace(
        ROW, kind="invitee", record_type="EventRelation", subject="003B", parent_signature="s1"
    )
    relation = {"EventId": EVENT["Id"], "RelationId": "003B"}
    assert mismatch(link, relation, EVENT["Id"]) is None
    assert mismatch(link, relation, "00U000000000009AAA")  # under another Event
    task = replace(ROW, kind="email_task", record_type="Task")
    done = {"WhatId": ROW.opportunity_id, "Subject": "Discovery call", "ActivityDate": "2026-11-03"}
    assert mismatch(task, done, None) is None
