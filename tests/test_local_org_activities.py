"""Activities as a real org keeps them, through the unmodified simple-salesforce client:
polymorphic What/Who in SOQL, SOQL's null semantics, the Email Task behind an EmailMessage."""

from __future__ import annotations

import pytest
from local_org_fixtures import connect, count

from demo_gen.local_org import LocalOrgServer, Store


@pytest.fixture(scope="module")
def server():
    with LocalOrgServer(Store()) as srv:
        yield srv


@pytest.fixture(scope="module")
def sf(server):
    return connect(server)


def _meeting(sf, **values):
    body = {"Subject": "Sync", "StartDateTime": "2026-05-04T10:00:00Z", "DurationInMinutes": 30}
    return sf.Event.create(body | values)["id"]


def test_what_type_filters_by_the_related_records_object(sf):
    account = sf.Account.create({"Name": "Typed", "Type": "Customer"})["id"]
    opp = sf.Opportunity.create(
        {
            "Name": "Typed deal",
            "StageName": "Qualification",
            "CloseDate": "2026-06-30",
            "AccountId": account,
            "Type": "New Business",
        }
    )["id"]
    on_opp = _meeting(sf, WhatId=opp, Subject="on opp")
    on_account = _meeting(sf, WhatId=account, Subject="on account")
    rows = sf.query("SELECT Id FROM Event WHERE What.Type = 'Opportunity'")["records"]
    assert [r["Id"] for r in rows] == [on_opp]
    rows = sf.query("SELECT Id, What.Type FROM Event WHERE What.Type IN ('Account')")["records"]
    assert [r["Id"] for r in rows] == [on_account]
    assert rows[0]["What"]["Type"] == "Account"


def test_not_equal_and_not_in_keep_null_values(sf):
    sf.Account.create({"Name": "No industry"})
    sf.Account.create({"Name": "Banker", "Industry": "Banking"})
    rows = sf.query("SELECT Name FROM Account WHERE Industry != 'Banking'")["records"]
    names = {r["Name"] for r in rows}
    assert "No industry" in names and "Banker" not in names
    assert count(sf, "SELECT Id FROM Account WHERE Industry NOT IN ('Banking')") == count(
        sf, "SELECT Id FROM Account WHERE Industry != 'Banking'"
    )


def _email(sf, subject):
    body = {"Subject": subject, "TextBody": "Hello", "Status": "3"}
    email_id = sf.EmailMessage.create(body)["id"]
    return email_id, sf.EmailMessage.get(email_id)["ActivityId"]


def test_deleting_an_email_message_deletes_its_task(sf):
    email, task = _email(sf, "Deleted with its task")
    assert task is not None and sf.Task.get(task)["TaskSubtype"] == "Email"
    assert sf.EmailMessage.delete(email) == 204
    assert count(sf, f"SELECT Id FROM Task WHERE Id = '{task}'") == 0
    result = sf.restful("composite/sobjects", method="DELETE", params={"ids": task})
    assert result[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"


def test_deleting_the_task_deletes_its_email_message(sf):
    email, task = _email(sf, "Task deleted first")
    kept, kept_task = _email(sf, "Kept")
    assert sf.Task.delete(task) == 204
    assert count(sf, f"SELECT Id FROM EmailMessage WHERE Id = '{email}'") == 0
    assert count(sf, f"SELECT Id FROM EmailMessage WHERE Id = '{kept}'") == 1
    assert count(sf, f"SELECT Id FROM Task WHERE Id = '{kept_task}'") == 1
