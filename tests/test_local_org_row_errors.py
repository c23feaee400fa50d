"""Row errors and all-or-none in the local org: a row that fails leaves nothing behind, and
neither does anything the org derives from it.

With Shared Activities an Event brings its Who/What EventRelation rows, a Task its TaskRelation
rows, and a sent EmailMessage its Task (with that Task's relations). A real org rolls a failed
row back whole, derived records included, and an all-or-none call entirely. The chaos suite's
reset exactness depends on the local org doing the same: a derived record left by a failed row
would belong to no ledger row, and no reset would ever delete it.
"""

from __future__ import annotations

import pytest
from local_org_fixtures import connect

from demo_gen.local_org import Faults, LocalOrgServer, Store
from demo_gen.local_org.settings import OrgSettings

ACTIVITY_OBJECTS = ("Event", "EventRelation", "Task", "TaskRelation", "EmailMessage")


class FailRows(Faults):
    """Faults that fail exactly the rows named: (stream, n) = the n-th row of that stream."""

    def __init__(self, *rows: tuple[str, int]) -> None:
        super().__init__()
        self.rows = set(rows)
        self.seen: dict[str, int] = {}

    def row_failure(self, stream: str = "") -> bool:
        n = self.seen.get(stream, 0)
        self.seen[stream] = n + 1
        return (stream, n) in self.rows


@pytest.fixture
def org():
    store = Store()
    OrgSettings(shared_activities=True).write(store)
    with LocalOrgServer(store) as server:
        sf = connect(server)
        account = sf.Account.create({"Name": "Rows Inc"})["id"]
        contact = sf.Contact.create({"LastName": "Rowe", "AccountId": account})["id"]
        opp = sf.Opportunity.create(
            {
                "Name": "Rows",
                "AccountId": account,
                "StageName": "Discovery",
                "CloseDate": "2026-12-01",
            }
        )["id"]
        yield server, sf, contact, opp


def _counts(sf):
    return {o: sf.query(f"SELECT COUNT() FROM {o}")["totalSize"] for o in ACTIVITY_OBJECTS}


def _activities(contact, opp, tag):
    """An Event and a call Task (each with a Who and a What) and a sent EmailMessage."""
    return [
        {
            "attributes": {"type": "Event"},
            "Subject": f"Meeting {tag}",
            "StartDateTime": "2026-11-03T15:00:00Z",
            "DurationInMinutes": 30,
            "WhoId": contact,
            "WhatId": opp,
        },
        {
            "attributes": {"type": "Task"},
            "Subject": f"Call {tag}",
            "ActivityDate": "2026-11-03",
            "Status": "Completed",
            "WhoId": contact,
            "WhatId": opp,
        },
        {
            "attributes": {"type": "EmailMessage"},
            "Subject": f"Email {tag}",
            "TextBody": "Hello",
            "Status": "3",
            "RelatedToId": opp,
        },
    ]


def _post(sf, records, all_or_none):
    body = {"allOrNone": all_or_none, "records": records}
    return sf.restful("composite/sobjects", method="POST", json=body)


def test_an_all_or_none_call_leaves_no_derived_record(org):
    _, sf, contact, opp = org
    before = _counts(sf)
    bad = {"attributes": {"type": "Event"}, "Subject": "no start"}
    results = _post(sf, [*_activities(contact, opp, "aon"), bad], True)
    assert [r["success"] for r in results] == [False] * 4
    assert {r["errors"][0]["statusCode"] for r in results[:3]} == {
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    }
    assert _counts(sf) == before


def test_a_row_error_leaves_nothing_of_its_row_and_the_others_whole(org):
    server, sf, contact, opp = org
    before = _counts(sf)
    server.app.faults = FailRows(("insert:Event", 0), ("insert:EmailMessage", 0))
    results = _post(sf, _activities(contact, opp, "rows"), False)
    assert [r["success"] for r in results] == [False, True, False]
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    after = _counts(sf)
    # only the call: its Task and its two TaskRelation rows (Who, What)
    assert {o: after[o] - before[o] for o in ACTIVITY_OBJECTS} == {
        "Event": 0,
        "EventRelation": 0,
        "Task": 1,
        "TaskRelation": 2,
        "EmailMessage": 0,
    }


def test_a_row_error_on_a_delete_keeps_that_record_and_all_it_brought(org):
    server, sf, contact, opp = org
    before = _counts(sf)
    created = [r["id"] for r in _post(sf, _activities(contact, opp, "del"), False)]
    made = _counts(sf)
    server.app.faults = FailRows(("remove:Event", 0))
    params = {"ids": ",".join(created), "allOrNone": "false"}
    results = sf.restful("composite/sobjects", method="DELETE", params=params)
    assert [r["success"] for r in results] == [False, True, True]
    after = _counts(sf)
    # the Event and its Who/What rows stay exactly; the call and the email go with theirs
    assert {o: after[o] - before[o] for o in ACTIVITY_OBJECTS} == {
        "Event": 1,
        "EventRelation": 2,
        "Task": 0,
        "TaskRelation": 0,
        "EmailMessage": 0,
    }
    assert made["EventRelation"] - before["EventRelation"] == 2
    event = sf.Event.get(created[0])
    assert (event["WhoId"], event["WhatId"]) == (contact, opp)
