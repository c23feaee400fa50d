"""Org settings through the unmodified client: "Set Audit Fields upon Record Creation"."""

from __future__ import annotations

import pytest
from local_org_fixtures import connect
from simple_salesforce.exceptions import SalesforceMalformedRequest

from demo_gen.local_org import LocalOrgServer, Store
from demo_gen.local_org.settings import OrgSettings

AUDIT = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById")


def _serve(**settings):
    store = Store()
    OrgSettings(**settings).write(store)
    return LocalOrgServer(store)


@pytest.fixture(scope="module")
def audit_on():
    with _serve(set_audit_fields=True) as srv:
        yield connect(srv)


@pytest.fixture(scope="module")
def audit_off():
    with _serve(set_audit_fields=False) as srv:
        yield connect(srv)


def _createable(sf, sobject):
    fields = sf.restful(f"sobjects/{sobject}/describe")["fields"]
    return {f["name"] for f in fields if f["createable"] and f["name"] in AUDIT}


def test_describe_reports_audit_fields_createable_only_with_the_permission(audit_on, audit_off):
    assert _createable(audit_on, "Event") == set(AUDIT)
    assert _createable(audit_on, "EventRelation") == set()
    assert _createable(audit_off, "Event") == set()


def test_backdated_insert_with_the_permission(audit_on):
    user = audit_on.query("SELECT Id FROM User")["records"][0]["Id"]
    body = {
        "Subject": "Old meeting",
        "StartDateTime": "2025-03-04T10:00:00Z",
        "DurationInMinutes": 30,
        "CreatedDate": "2025-03-01T08:15:00Z",
        "CreatedById": user,
    }
    event_id = audit_on.Event.create(body)["id"]
    record = audit_on.Event.get(event_id)
    assert record["CreatedDate"] == "2025-03-01T08:15:00.000+0000"
    assert record["LastModifiedDate"] > record["CreatedDate"]
    with pytest.raises(SalesforceMalformedRequest) as info:
        audit_on.Event.update(event_id, {"CreatedDate": "2025-03-02T08:15:00Z"})
    assert info.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_a_future_created_date_is_refused(audit_on):
    with pytest.raises(SalesforceMalformedRequest) as info:
        audit_on.Account.create({"Name": "Tomorrow", "CreatedDate": "2999-01-01T00:00:00Z"})
    assert info.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert info.value.content[0]["fields"] == ["CreatedDate"]


def test_audit_fields_in_an_upsert_collection_are_refused(audit_on):
    record = {
        "attributes": {"type": "Event"},
        "DemoGen_Signature__c": "audit-upsert",
        "Subject": "x",
        "StartDateTime": "2025-03-04T10:00:00Z",
        "DurationInMinutes": 30,
        "CreatedDate": "2025-03-01T08:15:00Z",
    }
    path = "composite/sobjects/Event/DemoGen_Signature__c"
    (result,) = audit_on.restful(path, method="PATCH", json={"records": [record]})
    assert result["errors"][0]["statusCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_without_the_permission_audit_fields_are_read_only(audit_off):
    with pytest.raises(SalesforceMalformedRequest) as info:
        audit_off.Account.create({"Name": "Old", "CreatedDate": "2025-03-01T08:15:00Z"})
    assert info.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert info.value.content[0]["fields"] == ["CreatedDate"]


# --- Shared Activities --------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared():
    with _serve(shared_activities=True) as srv:
        yield connect(srv)


@pytest.fixture(scope="module")
def unshared():
    with _serve(shared_activities=False) as srv:
        yield connect(srv)


def _people(sf, n=3):
    account = sf.Account.create({"Name": "Buyer"})["id"]
    opp = sf.Opportunity.create(
        {
            "Name": "Deal",
            "StageName": "Qualification",
            "CloseDate": "2026-06-30",
            "AccountId": account,
        }
    )["id"]
    contacts = [
        sf.Contact.create({"LastName": f"C{i}", "AccountId": account})["id"] for i in range(n)
    ]
    return account, opp, contacts


def _event(sf, **values):
    body = {"Subject": "Demo", "StartDateTime": "2026-05-04T10:00:00Z", "DurationInMinutes": 30}
    return sf.Event.create(body | values)["id"]


def _relations(sf, event_id):
    soql = (
        "SELECT Id, RelationId, IsParent, IsInvitee, IsWhat, AccountId FROM EventRelation "
        f"WHERE EventId = '{event_id}' ORDER BY Id"
    )
    rows = sf.query(soql)["records"]
    return {r["RelationId"]: (r["IsParent"], r["IsInvitee"], r["IsWhat"]) for r in rows}, rows


def test_shared_an_events_who_and_what_are_parent_relations(shared):
    account, opp, (c0, *_) = _people(shared)
    event_id = _event(shared, WhoId=c0, WhatId=opp)
    flags, rows = _relations(shared, event_id)
    assert flags == {c0: (True, False, False), opp: (True, False, True)}
    assert {r["AccountId"] for r in rows} == {account}
    assert shared.Event.get(event_id)["IsGroupEvent"] is False


def test_shared_an_invitee_who_is_the_who_is_the_same_row_with_both_flags(shared):
    _, opp, (c0, c1, _) = _people(shared)
    event_id = _event(shared, WhoId=c0, WhatId=opp)
    (row,) = [r for r in _relations(shared, event_id)[1] if r["RelationId"] == c0]
    with pytest.raises(SalesforceMalformedRequest) as info:
        shared.EventRelation.create({"EventId": event_id, "RelationId": c0})
    assert info.value.content[0]["errorCode"] == "DUPLICATE_VALUE"
    assert row["Id"][:15] in info.value.content[0]["message"]
    shared.EventRelation.update(row["Id"], {"IsInvitee": True})
    shared.EventRelation.create({"EventId": event_id, "RelationId": c1})
    flags, _ = _relations(shared, event_id)
    assert flags[c0] == (True, True, False) and flags[c1] == (False, True, False)
    assert shared.Event.get(event_id)["IsGroupEvent"] is True


def test_shared_changing_the_who_moves_the_parent_flag(shared):
    _, _, (c0, c1, c2) = _people(shared)
    event_id = _event(shared, WhoId=c0)
    shared.EventRelation.create({"EventId": event_id, "RelationId": c1})  # an invitee
    shared.Event.update(event_id, {"WhoId": c1})
    flags, _ = _relations(shared, event_id)
    assert flags == {c1: (True, True, False)}  # c0 was only the Who: its row is gone
    shared.Event.update(event_id, {"WhoId": c2})
    flags, _ = _relations(shared, event_id)
    assert flags == {c1: (False, True, False), c2: (True, False, False)}
    shared.Event.update(event_id, {"WhoId": None})
    assert _relations(shared, event_id)[0] == {c1: (False, True, False)}


def test_shared_deleting_the_who_row_promotes_another_who(shared):
    _, _, (c0, c1, _) = _people(shared)
    event_id = _event(shared, WhoId=c0)
    shared.EventRelation.create({"EventId": event_id, "RelationId": c1, "IsParent": True})
    flags, rows = _relations(shared, event_id)
    assert flags[c1] == (True, False, False)  # IsInvitee defaults to false for a parent
    who_row = next(r["Id"] for r in rows if r["RelationId"] == c0)
    shared.EventRelation.delete(who_row)
    assert shared.Event.get(event_id)["WhoId"] == c1
    c1_row = next(r["Id"] for r in rows if r["RelationId"] == c1)
    shared.EventRelation.delete(c1_row)
    event = shared.Event.get(event_id)
    assert event["WhoId"] is None and event["AccountId"] is None


def test_shared_deleting_the_event_deletes_its_relations(shared):
    _, opp, (c0, c1, _) = _people(shared)
    event_id = _event(shared, WhoId=c0, WhatId=opp)
    shared.EventRelation.create({"EventId": event_id, "RelationId": c1})
    shared.Event.delete(event_id)
    assert _relations(shared, event_id)[0] == {}
    soql = f"SELECT Id FROM EventRelation WHERE EventId = '{event_id}' AND IsDeleted = true"
    assert shared.query_all(soql, include_deleted=True)["totalSize"] == 3


def test_unshared_the_who_is_no_relation_and_relations_are_people(unshared):
    account, opp, (c0, *_) = _people(unshared)
    event_id = _event(unshared, WhoId=c0, WhatId=opp)
    assert _relations(unshared, event_id)[0] == {}
    unshared.EventRelation.create({"EventId": event_id, "RelationId": c0})
    assert _relations(unshared, event_id)[0] == {c0: (False, True, False)}
    with pytest.raises(SalesforceMalformedRequest) as info:
        unshared.EventRelation.create({"EventId": event_id, "RelationId": account})
    assert info.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


# --- doctor and crm.can_set_audit_fields ---------------------------------------------------


def _doctor(config):
    import json

    from click.testing import CliRunner

    from demo_gen.cli import cli

    result = CliRunner().invoke(cli, ["doctor", "-c", str(config), "--json"])
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    return result.exit_code, checks


def test_doctor_says_the_org_lets_inserts_set_audit_fields(make_config):
    code, checks = _doctor(make_config())
    assert code == 0
    assert checks["set audit fields"]["ok"] is True
    assert "may set CreatedDate" in checks["set audit fields"]["detail"]


def test_doctor_names_the_permission_when_the_org_does_not(make_config, org_db):
    store = Store(org_db)
    OrgSettings(set_audit_fields=False).write(store)
    store.close()
    code, checks = _doctor(make_config())
    assert code == 0  # not fatal: records then carry the run's time
    check = checks["set audit fields"]
    assert "cannot set CreatedDate" in check["detail"]
    assert "Set Audit Fields upon Record Creation" in check["fix"]


def test_crm_can_set_audit_fields_reads_describe(audit_on, audit_off):
    from demo_gen.targets.salesforce.client import SalesforceCrm

    assert SalesforceCrm(audit_on, label="on").can_set_audit_fields("Event") is True
    assert SalesforceCrm(audit_on, label="on").can_set_audit_fields("EventRelation") is False
    assert SalesforceCrm(audit_off, label="off").can_set_audit_fields("Event") is False


def test_a_backdated_email_message_gets_its_task_stamped_now(audit_on):
    body = {"Subject": "Old mail", "Status": "3", "CreatedDate": "2025-03-01T08:15:00Z"}
    email = audit_on.EmailMessage.get(audit_on.EmailMessage.create(body)["id"])
    task = audit_on.Task.get(email["ActivityId"])
    assert email["CreatedDate"] == "2025-03-01T08:15:00.000+0000"
    # the insert time (the email's LastModifiedDate), as Salesforce's help says
    assert task["CreatedDate"] == email["LastModifiedDate"] != email["CreatedDate"]


def _task_relations(sf, task_id):
    soql = f"SELECT RelationId, IsWhat, AccountId FROM TaskRelation WHERE TaskId = '{task_id}'"
    return {r["RelationId"]: r["IsWhat"] for r in sf.query(soql)["records"]}


def test_shared_a_tasks_who_and_what_are_task_relations(shared):
    _, opp, (c0, c1, _) = _people(shared)
    task = shared.Task.create({"Subject": "Call", "WhoId": c0, "WhatId": opp})["id"]
    assert _task_relations(shared, task) == {c0: False, opp: True}
    shared.Task.update(task, {"WhoId": c1})
    assert _task_relations(shared, task) == {c1: False, opp: True}
    with pytest.raises(SalesforceMalformedRequest) as info:
        shared.TaskRelation.create({"TaskId": task, "RelationId": c1})
    assert info.value.content[0]["errorCode"] == "DUPLICATE_VALUE"
    shared.Task.delete(task)
    assert _task_relations(shared, task) == {}


def test_shared_the_email_task_is_related_to_the_emails_record(shared):
    _, opp, _ = _people(shared, 1)
    email = shared.EmailMessage.create({"Subject": "Hi", "Status": "3", "RelatedToId": opp})["id"]
    task = shared.EmailMessage.get(email)["ActivityId"]
    assert _task_relations(shared, task) == {opp: True}
    shared.EmailMessage.delete(email)
    assert _task_relations(shared, task) == {}


def test_unshared_tasks_have_no_relations_and_task_relation_is_refused(unshared):
    _, opp, (c0, *_) = _people(unshared, 1)
    task = unshared.Task.create({"Subject": "Call", "WhoId": c0, "WhatId": opp})["id"]
    assert _task_relations(unshared, task) == {}
    with pytest.raises(SalesforceMalformedRequest) as info:
        unshared.TaskRelation.create({"TaskId": task, "RelationId": c0})
    assert info.value.content[0]["errorCode"] == "INVALID_TYPE"


def test_the_pipeline_runs_reruns_and_resets_an_org_with_shared_activities(make_config, org_db):
    """What the lead needs before switching the default on: run, rerun, reset leave no trace."""
    import json

    from click.testing import CliRunner

    from demo_gen.cli import cli
    from demo_gen.local_org.fixture.build import backfill_relations

    store = Store(org_db)
    settings = OrgSettings(shared_activities=True)
    settings.write(store)
    assert backfill_relations(store, settings) > 0
    store.close()

    def org():
        s = Store(org_db)
        objects = ("Event", "EventRelation", "Task", "TaskRelation", "EmailMessage")
        out = {o: s.count(o) for o in objects}
        rows = s.rows("EventRelation")
        out["both flags"] = sum(1 for r in rows if r["IsParent"] and r["IsInvitee"])
        users = [r for r in rows if r["RelationId"].startswith("005")]
        out["users invited"] = sum(1 for r in users if r["IsInvitee"])
        s.close()
        return out

    config = str(make_config())
    before = org()
    first = CliRunner().invoke(cli, ["run", "-c", config, "--json"])
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    after = org()
    assert after["TaskRelation"] > before["TaskRelation"]
    invited = after["both flags"] + after["users invited"]
    assert (
        invited - before["both flags"] - before["users invited"]
        == (report["counts"]["invitee"]["created"])
    )
    second = CliRunner().invoke(cli, ["run", "-c", config, "--json"])
    assert json.loads(second.stdout)["totals"]["created"] == 0
    reset = CliRunner().invoke(cli, ["reset", report["run_id"], "-c", config, "--yes"])
    assert reset.exit_code == 0, reset.stderr
    assert org() == before
