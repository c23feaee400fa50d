"""The local org's write rules: validation, derived fields, side effects, cascades."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from demo_gen.local_org import ids
from demo_gen.local_org.rules import engine as rules
from demo_gen.local_org.rules.engine import Actor, RecordError
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.settings import OrgSettings
from demo_gen.local_org.store.core import Store, Transaction

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
START = "2024-05-02T15:00:00.000+0000"
START_DT = datetime(2024, 5, 2, 15, 0, tzinfo=UTC)
READ_ONLY = "INVALID_FIELD_FOR_INSERT_UPDATE"
INTEGRITY = "FIELD_INTEGRITY_EXCEPTION"
SIG = "DemoGen_Signature__c"


def obj(name: str) -> schema.SObject:
    found = schema.sobject(name)
    assert found is not None
    return found


@dataclass
class Org:
    store: Store
    actor: Actor
    user: str
    account: str
    contact: str
    lead: str
    opp: str

    def txn(self) -> Transaction:
        return Transaction(self.store)

    def commit(self, txn: Transaction) -> None:
        self.store._commit(txn)


@pytest.fixture
def org() -> Org:
    store = Store()
    actor = Actor(ids.make_id("005", 1), NOW)  # the first User created below gets this id
    with store.transaction() as txn:
        user = rules.insert(
            txn,
            obj("User"),
            {"Username": "rep@demo.test", "LastName": "Rep", "Email": "rep@demo.test"},
            actor,
        )
        account = rules.insert(txn, obj("Account"), {"Name": "Acme"}, actor)
        contact = rules.insert(
            txn,
            obj("Contact"),
            {"FirstName": "Ada", "LastName": "Lovelace", "AccountId": account, "Email": "a@x.io"},
            actor,
        )
        lead = rules.insert(
            txn, obj("Lead"), {"LastName": "Lead", "Company": "L Co", "Email": "l@x.io"}, actor
        )
        opp = rules.insert(
            txn,
            obj("Opportunity"),
            {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-06-30"},
            actor,
        )
        rules.update(txn, obj("Opportunity"), opp, {"AccountId": account}, actor)
    assert user == actor.user_id
    return Org(store, actor, user, account, contact, lead, opp)


def expect(txn: Transaction, call, *args, code: str, message=None, fields=None, http=400):
    """Run a failing call; check the error and that the transaction is unchanged."""
    before, counters = dict(txn.changes), dict(txn.counters)
    with pytest.raises(RecordError) as info:
        call(txn, *args)
    err = info.value
    assert err.status_code == code, err.message
    if message is not None:
        assert err.message == message
    if fields is not None:
        assert err.fields == fields
    assert err.http_status == http
    assert txn.changes == before
    assert txn.counters == counters
    return err


def insert_event(org: Org, txn: Transaction, **body) -> str:
    base = {"Subject": "Meeting", "StartDateTime": START, "DurationInMinutes": 30}
    return rules.insert(txn, obj("Event"), base | body, org.actor)


# --- RecordError -----------------------------------------------------------------------------


def test_record_error_shapes():
    err = RecordError("REQUIRED_FIELD_MISSING", "Required fields are missing: [X]", ["X"])
    assert err.as_error() == {
        "message": "Required fields are missing: [X]",
        "errorCode": "REQUIRED_FIELD_MISSING",
        "fields": ["X"],
    }
    assert err.as_result_error() == {
        "statusCode": "REQUIRED_FIELD_MISSING",
        "message": "Required fields are missing: [X]",
        "fields": ["X"],
    }
    assert err.http_status == 400


# --- insert: system fields, defaults, derived names ------------------------------------------


def test_insert_sets_system_fields_and_defaults(org):
    txn = org.txn()
    cid = rules.insert(
        txn,
        obj("Contact"),
        {"attributes": {"type": "Contact"}, "lastname": "Hopper", "FIRSTNAME": "Grace"},
        org.actor,
    )
    record = txn.get(cid)
    assert len(cid) == 18 and cid.startswith("003") and ids.is_id(cid)
    assert record["Name"] == "Grace Hopper"
    assert record["IsDeleted"] is False
    assert record["CreatedDate"] == record["LastModifiedDate"] == record["SystemModstamp"] == NOW
    assert record["CreatedById"] == record["LastModifiedById"] == org.user
    assert record["OwnerId"] == org.user
    assert set(record) == {f.name for f in obj("Contact").fields}
    task = txn.get(rules.insert(txn, obj("Task"), {"Subject": "Call"}, org.actor))
    assert (task["Status"], task["Priority"], task["TaskSubtype"]) == (
        "Not Started",
        "Normal",
        "Task",
    )
    assert task["IsClosed"] is False and task["IsHighPriority"] is False


def test_update_stamps_and_rederives_name(org):
    txn = org.txn()
    later = Actor(org.user, LATER)
    rules.update(txn, obj("Contact"), org.contact, {"FirstName": None}, later)
    record = txn.get(org.contact)
    assert record["Name"] == "Lovelace"
    assert record["LastModifiedDate"] == record["SystemModstamp"] == LATER
    assert record["CreatedDate"] == NOW


def test_empty_string_is_null(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Contact"),
        {"LastName": ""},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        fields=["LastName"],
    )


# --- general validation errors ---------------------------------------------------------------


def test_unknown_field(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Contact"),
        {"LastName": "X", "Foo": 1},
        org.actor,
        code="INVALID_FIELD",
        message="No such column 'Foo' on sobject of type Contact",
        fields=[],
    )


@pytest.mark.parametrize(
    ("sobject", "body", "field"),
    [
        ("Contact", {"LastName": "X", "Name": "X"}, "Name"),
        ("Contact", {"LastName": "X", "Id": "003RM0000000001AAA"}, "Id"),
        ("Contact", {"LastName": "X", "systemmodstamp": START}, "SystemModstamp"),
        ("Contact", {"LastName": "X", "IsDeleted": False}, "IsDeleted"),
        ("Event", {"StartDateTime": START, "DurationInMinutes": 5, "AccountId": None}, "AccountId"),
        ("Task", {"Subject": "x", "IsClosed": True}, "IsClosed"),
    ],
)
def test_read_only_on_insert(org, sobject, body, field):
    txn = org.txn()
    err = expect(
        txn,
        rules.insert,
        obj(sobject),
        body,
        org.actor,
        code="INVALID_FIELD_FOR_INSERT_UPDATE",
        fields=[field],
    )
    assert err.message == (
        f"Unable to create/update fields: {field}. Please check the security settings of this "
        "field and verify that it is read/write for your profile or permission set."
    )


def test_create_only_fields_refused_on_update(org):
    txn = org.txn()
    task = rules.insert(txn, obj("Task"), {"Subject": "x", "TaskSubtype": "Call"}, org.actor)
    expect(
        txn,
        rules.update,
        obj("Task"),
        task,
        {"TaskSubtype": "Email"},
        org.actor,
        code="INVALID_FIELD_FOR_INSERT_UPDATE",
        fields=["TaskSubtype"],
    )
    role = rules.insert(
        txn,
        obj("OpportunityContactRole"),
        {"OpportunityId": org.opp, "ContactId": org.contact},
        org.actor,
    )
    expect(
        txn,
        rules.update,
        obj("OpportunityContactRole"),
        role,
        {"OpportunityId": org.opp},
        org.actor,
        code="INVALID_FIELD_FOR_INSERT_UPDATE",
        fields=["OpportunityId"],
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"LastName": "X", "FirstName": {"a": 1}}, "instance of string from START_OBJECT value {"),
        ({"Name": "D", "StageName": "Prospecting", "CloseDate": "soon"}, "of date from VALUE_STR"),
        ({"Name": "D", "StageName": "Prospecting", "CloseDate": 5}, "VALUE_NUMBER_INT value 5"),
        (
            {"Name": "D", "StageName": "Prospecting", "CloseDate": "2024-01-01", "Amount": "x"},
            "dou",
        ),
        (
            {"Name": "D", "StageName": "Prospecting", "CloseDate": "2024-01-01", "Amount": True},
            "of double from VALUE_TRUE value true",
        ),
    ],
)
def test_wrong_json_type_is_parser_error(org, body, fragment):
    txn = org.txn()
    sobject = "Contact" if "LastName" in body else "Opportunity"
    err = expect(
        txn, rules.insert, obj(sobject), body, org.actor, code="JSON_PARSER_ERROR", fields=[]
    )
    assert fragment in err.message
    assert err.message.startswith("Cannot deserialize instance of ")


def test_boolean_from_bad_string_refused(org):
    txn = org.txn()
    err = expect(
        txn,
        rules.insert,
        obj("Event"),
        {"IsAllDayEvent": "maybe", "ActivityDate": "2024-05-02"},
        org.actor,
        code="JSON_PARSER_ERROR",
    )
    assert "instance of boolean from VALUE_STRING value maybe" in err.message


def test_required_fields_missing(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Contact"),
        {"FirstName": "X"},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        message="Required fields are missing: [LastName]",
        fields=["LastName"],
    )
    expect(
        txn,
        rules.insert,
        obj("Lead"),
        {},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        message="Required fields are missing: [LastName, Company]",
        fields=["LastName", "Company"],
    )


def test_required_field_nulled_on_update(org):
    txn = org.txn()
    expect(
        txn,
        rules.update,
        obj("Opportunity"),
        org.opp,
        {"CloseDate": None},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        fields=["CloseDate"],
    )
    expect(
        txn,
        rules.update,
        obj("Account"),
        org.account,
        {"OwnerId": None},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        fields=["OwnerId"],
    )


def test_restricted_picklist(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Opportunity"),
        {"Name": "D", "StageName": "Won-ish", "CloseDate": "2024-01-01"},
        org.actor,
        code="INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        message="Stage Name: bad value for restricted picklist field: Won-ish",
        fields=["StageName"],
    )
    task = rules.insert(txn, obj("Task"), {"Subject": "x", "status": "completed"}, org.actor)
    assert txn.get(task)["Status"] == "Completed"  # canonical spelling
    # unrestricted picklists take any value
    rules.update(txn, obj("Account"), org.account, {"Industry": "Space Mining"}, org.actor)


def test_string_too_long(org):
    txn = org.txn()
    long = "x" * 81
    expect(
        txn,
        rules.insert,
        obj("Contact"),
        {"LastName": long},
        org.actor,
        code="STRING_TOO_LONG",
        message=f"Last Name: data value too large: {'x' * 40}... (max length=80)",
        fields=["LastName"],
    )


def test_invalid_email(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Contact"),
        {"LastName": "X", "Email": "not-an-email"},
        org.actor,
        code="INVALID_EMAIL_ADDRESS",
        message="Email: invalid email address: not-an-email",
        fields=["Email"],
    )


def test_reference_errors(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Task"),
        {"WhatId": "006B000002nBrQ"},
        org.actor,
        code="MALFORMED_ID",
        message="Related To ID: id value of incorrect type: 006B000002nBrQ",
        fields=["WhatId"],
    )
    expect(
        txn,
        rules.insert,
        obj("Task"),
        {"WhoId": org.opp},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        message=f"Name ID: id value of incorrect type: {org.opp}",
        fields=["WhoId"],
    )
    for person in (org.contact, org.lead, org.user):
        expect(
            txn,
            rules.insert,
            obj("Event"),
            {"StartDateTime": START, "DurationInMinutes": 5, "WhatId": person},
            org.actor,
            code="FIELD_INTEGRITY_EXCEPTION",
            message=f"Related To ID: id value of incorrect type: {person}",
            fields=["WhatId"],
        )
    missing = ids.make_id("003", 999)
    expect(
        txn,
        rules.insert,
        obj("Task"),
        {"WhoId": missing},
        org.actor,
        code="INVALID_CROSS_REFERENCE_KEY",
        message="invalid cross reference id",
        fields=[],
    )
    expect(
        txn,
        rules.insert,
        obj("Account"),
        {"Name": "A", "OwnerId": org.contact},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["OwnerId"],
    )


def test_reference_to_deleted_record(org):
    txn = org.txn()
    rules.delete(txn, org.contact, org.actor)
    expect(
        txn,
        rules.insert,
        obj("Task"),
        {"WhoId": org.contact},
        org.actor,
        code="INVALID_CROSS_REFERENCE_KEY",
    )


def test_fifteen_character_ids_are_accepted(org):
    txn = org.txn()
    task = rules.insert(txn, obj("Task"), {"WhoId": org.contact[:15]}, org.actor)
    assert txn.get(task)["WhoId"] == org.contact
    assert rules.lookup_id(txn, task[:15]) == task
    rules.update(txn, obj("Task"), task[:15], {"Subject": "x"}, org.actor)
    assert txn.get(task)["Subject"] == "x"
    rules.delete(txn, task[:15], org.actor)
    assert txn.get(task)["IsDeleted"] is True


def test_validation_order_unknown_before_read_only_before_type(org):
    txn = org.txn()
    body = {"Name": "x", "Email": {"x": 1}, "Foo": 1}
    expect(txn, rules.insert, obj("Contact"), body, org.actor, code="INVALID_FIELD")
    del body["Foo"]
    expect(
        txn,
        rules.insert,
        obj("Contact"),
        body,
        org.actor,
        code="INVALID_FIELD_FOR_INSERT_UPDATE",
    )
    del body["Name"]
    expect(txn, rules.insert, obj("Contact"), body, org.actor, code="JSON_PARSER_ERROR")


def test_unique_value(org):
    txn = org.txn()
    first = insert_event(org, txn, DemoGen_Signature__c="sig-1")
    expect(
        txn,
        rules.insert,
        obj("Event"),
        {"StartDateTime": START, "DurationInMinutes": 5, "DemoGen_Signature__c": "SIG-1"},
        org.actor,
        code="DUPLICATE_VALUE",
        message=f"duplicate value found: DemoGen_Signature__c duplicates value on record with id: "
        f"{first[:15]}",
        fields=["DemoGen_Signature__c"],
    )
    org.commit(txn)
    txn = org.txn()
    second = insert_event(org, txn, DemoGen_Signature__c="sig-2")
    expect(
        txn,
        rules.update,
        obj("Event"),
        second,
        {"DemoGen_Signature__c": "sig-1"},
        org.actor,
        code="DUPLICATE_VALUE",
    )
    rules.update(txn, obj("Event"), first, {"DemoGen_Signature__c": "sig-1"}, org.actor)  # same
    rules.delete(txn, first, org.actor)  # a deleted record frees its value
    rules.update(txn, obj("Event"), second, {"DemoGen_Signature__c": "sig-1"}, org.actor)
    expect(
        txn,
        rules.insert,
        obj("User"),
        {"Username": "REP@demo.test", "LastName": "Two", "Email": "two@demo.test"},
        org.actor,
        code="DUPLICATE_VALUE",
        fields=["Username"],
    )


def test_update_ignores_own_id_in_body(org):
    txn = org.txn()
    rules.update(txn, obj("Account"), org.account, {"Id": org.account[:15], "Name": "B"}, org.actor)
    assert txn.get(org.account)["Name"] == "B"
    expect(
        txn,
        rules.update,
        obj("Account"),
        org.account,
        {"Id": org.opp},
        org.actor,
        code="INVALID_FIELD_FOR_INSERT_UPDATE",
        fields=["Id"],
    )


def test_update_wrong_type_or_missing(org):
    txn = org.txn()
    expect(
        txn,
        rules.update,
        obj("Contact"),
        org.account,
        {},
        org.actor,
        code="NOT_FOUND",
        message="The requested resource does not exist",
        http=404,
    )
    expect(
        txn,
        rules.update,
        obj("Contact"),
        ids.make_id("003", 500),
        {},
        org.actor,
        code="NOT_FOUND",
        http=404,
    )


# --- lookup_id and delete --------------------------------------------------------------------


def test_lookup_id(org):
    txn = org.txn()
    assert rules.lookup_id(txn, org.contact) == org.contact
    expect(
        txn,
        rules.lookup_id,
        "nonsense!",
        code="MALFORMED_ID",
        message="malformed id nonsense!",
    )
    expect(
        txn,
        rules.lookup_id,
        ids.make_id("001", 777),
        code="NOT_FOUND",
        message="The requested resource does not exist",
        fields=[],
        http=404,
    )
    rules.delete(txn, org.lead, org.actor)
    expect(
        txn,
        rules.lookup_id,
        org.lead,
        code="ENTITY_IS_DELETED",
        message="entity is deleted",
        fields=[],
        http=404,
    )


def test_delete_is_soft_and_stamped(org):
    txn = org.txn()
    rules.delete(txn, org.lead, Actor(org.user, LATER))
    lead = txn.get(org.lead)
    assert lead["IsDeleted"] is True
    assert lead["SystemModstamp"] == lead["LastModifiedDate"] == LATER
    expect(txn, rules.delete, org.lead, org.actor, code="ENTITY_IS_DELETED", http=404)
    expect(txn, rules.delete, ids.make_id("00Q", 42), org.actor, code="NOT_FOUND", http=404)
    org.commit(txn)
    assert org.store.rows("Lead") == []
    assert len(org.store.rows("Lead", include_deleted=True)) == 1


def test_delete_many_reports_per_id(org):
    txn = org.txn()
    results = rules.delete_many(txn, [org.lead, "bad", org.lead], org.actor)
    assert results[0] is None
    assert results[1].status_code == "MALFORMED_ID"
    assert results[2].status_code == "ENTITY_IS_DELETED"


def test_cascade_delete(org):
    txn = org.txn()
    event = insert_event(org, txn)
    relation = rules.insert(
        txn, obj("EventRelation"), {"EventId": event, "RelationId": org.contact}, org.actor
    )
    role = rules.insert(
        txn,
        obj("OpportunityContactRole"),
        {"OpportunityId": org.opp, "ContactId": org.contact},
        org.actor,
    )
    card = rules.insert(txn, obj("DemoGen_Scorecard__c"), {"Opportunity__c": org.opp}, org.actor)
    answer = rules.insert(
        txn, obj("DemoGen_Scorecard_Answer__c"), {"Scorecard__c": card}, org.actor
    )
    email = rules.insert(txn, obj("EmailMessage"), {"Subject": "Hi"}, org.actor)
    email_rel = rules.insert(
        txn,
        obj("EmailMessageRelation"),
        {"EmailMessageId": email, "RelationId": org.contact, "RelationType": "ToAddress"},
        org.actor,
    )
    org.commit(txn)  # half the children committed, half staged below
    txn = org.txn()
    staged_role = rules.insert(
        txn,
        obj("OpportunityContactRole"),
        {"OpportunityId": org.opp, "ContactId": org.contact},
        org.actor,
    )
    assert rules.delete_many(txn, [event, org.opp, card, email], org.actor) == [None] * 4
    for child in (relation, role, staged_role, answer, email_rel):
        assert txn.get(child)["IsDeleted"] is True, child
    task = txn.get(email)["ActivityId"]
    assert txn.get(task)["IsDeleted"] is True  # the email's Task goes with it
    assert txn.live(org.contact) is not None


def test_deleting_a_task_deletes_its_email_message(org):
    txn = org.txn()
    email = rules.insert(txn, obj("EmailMessage"), {"Subject": "Hi"}, org.actor)
    other = rules.insert(txn, obj("EmailMessage"), {"Subject": "Other"}, org.actor)
    task = txn.get(email)["ActivityId"]
    rules.delete(txn, task, org.actor)
    assert txn.live(email) is None
    assert txn.live(other) is not None and txn.live(txn.get(other)["ActivityId"]) is not None


# --- upsert ----------------------------------------------------------------------------------


def test_upsert_creates_then_updates(org):
    txn = org.txn()
    body = {"Subject": "Call", "WhoId": org.contact}
    task_id, created = rules.upsert(txn, obj("Task"), "DemoGen_Signature__c", "s1", body, org.actor)
    assert created is True
    assert txn.get(task_id)["DemoGen_Signature__c"] == "s1"
    org.commit(txn)
    txn = org.txn()
    again, created = rules.upsert(
        txn, obj("Task"), "demogen_signature__c", "S1", {"Subject": "Call 2"}, org.actor
    )
    assert (again, created) == (task_id, False)
    assert txn.get(task_id)["Subject"] == "Call 2"
    assert txn.get(task_id)["DemoGen_Signature__c"] == "s1"
    same_value = {"Subject": "Call 3", "DemoGen_Signature__c": "s1"}
    assert (
        rules.upsert(txn, obj("Task"), "DemoGen_Signature__c", "s1", same_value, org.actor)[1]
        is False
    )


def test_upsert_errors(org):
    txn = org.txn()
    expect(
        txn,
        rules.upsert,
        obj("Task"),
        "Subject",
        "x",
        {},
        org.actor,
        code="NOT_FOUND",
        message="The requested resource does not exist",
        http=404,
    )
    expect(
        txn,
        rules.upsert,
        obj("Task"),
        "Nope__c",
        "x",
        {},
        org.actor,
        code="NOT_FOUND",
        http=404,
    )
    expect(
        txn,
        rules.upsert,
        obj("Task"),
        "DemoGen_Signature__c",
        "s1",
        {"DemoGen_Signature__c": "other"},
        org.actor,
        code="INVALID_FIELD_FOR_INSERT_UPDATE",
        fields=["DemoGen_Signature__c"],
    )
    expect(
        txn,
        rules.upsert,
        obj("Task"),
        "DemoGen_Signature__c",
        "s1",
        {"Status": "Nope"},
        org.actor,
        code="INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    )


def test_upsert_by_id(org):
    txn = org.txn()
    rid, created = rules.upsert(
        txn, obj("Account"), "Id", org.account[:15], {"Name": "Z"}, org.actor
    )
    assert (rid, created) == (org.account, False)
    assert txn.get(org.account)["Name"] == "Z"
    expect(
        txn,
        rules.upsert,
        obj("Account"),
        "Id",
        ids.make_id("001", 99),
        {},
        org.actor,
        code="NOT_FOUND",
        http=404,
    )


def test_upsert_ignores_deleted_match(org):
    txn = org.txn()
    first, _ = rules.upsert(txn, obj("Task"), "DemoGen_Signature__c", "s9", {}, org.actor)
    rules.delete(txn, first, org.actor)
    second, created = rules.upsert(txn, obj("Task"), "DemoGen_Signature__c", "s9", {}, org.actor)
    assert created is True and second != first


# --- Opportunity -----------------------------------------------------------------------------


def test_opportunity_derived_fields(org):
    txn = org.txn()
    opp = txn.get(org.opp)
    assert (opp["IsClosed"], opp["IsWon"], opp["Probability"]) == (False, False, 10.0)
    rules.update(txn, obj("Opportunity"), org.opp, {"StageName": "Closed Won"}, org.actor)
    opp = txn.get(org.opp)
    assert (opp["IsClosed"], opp["IsWon"], opp["Probability"]) == (True, True, 100.0)
    rules.update(
        txn, obj("Opportunity"), org.opp, {"StageName": "Closed Lost", "Probability": 5}, org.actor
    )
    opp = txn.get(org.opp)
    assert (opp["IsClosed"], opp["IsWon"], opp["Probability"]) == (True, False, 5.0)
    rules.update(txn, obj("Opportunity"), org.opp, {"Amount": 10}, org.actor)
    assert txn.get(org.opp)["Probability"] == 5.0  # stage unchanged: probability kept
    new = rules.insert(
        txn,
        obj("Opportunity"),
        {"Name": "N", "StageName": "Negotiation/Review", "CloseDate": "2024-01-01"},
        org.actor,
    )
    assert txn.get(new)["Probability"] == 90.0


def test_every_stage_has_a_probability():
    assert set(rules.PROBABILITY_BY_STAGE) == set(schema.STAGES)


# --- Event -----------------------------------------------------------------------------------


def test_event_end_from_duration(org):
    txn = org.txn()
    event = txn.get(insert_event(org, txn, DurationInMinutes=90))
    assert event["StartDateTime"] == event["ActivityDateTime"] == START_DT
    assert event["EndDateTime"] == START_DT + timedelta(minutes=90)
    assert event["ActivityDate"] == event["EndDate"] == date(2024, 5, 2)
    assert event["IsAllDayEvent"] is False and event["ShowAs"] == "Busy"


def test_event_duration_from_end_and_activity_datetime(org):
    txn = org.txn()
    eid = rules.insert(
        txn,
        obj("Event"),
        {"ActivityDateTime": "2024-05-02T23:30:00Z", "EndDateTime": "2024-05-03T00:15:00Z"},
        org.actor,
    )
    event = txn.get(eid)
    assert event["StartDateTime"] == datetime(2024, 5, 2, 23, 30, tzinfo=UTC)
    assert event["DurationInMinutes"] == 45
    assert (event["ActivityDate"], event["EndDate"]) == (date(2024, 5, 2), date(2024, 5, 3))


def test_event_both_given_must_agree(org):
    txn = org.txn()
    insert_event(org, txn, EndDateTime="2024-05-02T15:30:00Z")  # 30 minutes: agrees
    expect(
        txn,
        rules.insert,
        obj("Event"),
        {"StartDateTime": START, "DurationInMinutes": 20, "EndDateTime": "2024-05-02T15:30:00Z"},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["DurationInMinutes"],
    )


def test_event_required_fields(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Event"),
        {"DurationInMinutes": 30},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        message="Required fields are missing: [ActivityDateTime]",
        fields=["ActivityDateTime"],
    )
    expect(
        txn,
        rules.insert,
        obj("Event"),
        {"StartDateTime": START},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        message="Required fields are missing: [EndDateTime]",
        fields=["EndDateTime"],
    )


def test_event_end_before_start_and_too_long(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Event"),
        {"StartDateTime": START, "EndDateTime": "2024-05-02T14:00:00Z"},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        message="End Date Time: End time must be after start time",
        fields=["EndDateTime"],
    )
    expect(
        txn,
        rules.insert,
        obj("Event"),
        {"StartDateTime": START, "DurationInMinutes": 20161},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["DurationInMinutes"],
    )
    insert_event(org, txn, DurationInMinutes=20160)  # exactly 14 days is allowed


def test_event_start_and_activity_datetime_must_match(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Event"),
        {
            "StartDateTime": START,
            "ActivityDateTime": "2024-05-02T16:00:00Z",
            "DurationInMinutes": 5,
        },
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["ActivityDateTime"],
    )


def test_event_update_rederives(org):
    txn = org.txn()
    eid = insert_event(org, txn, DurationInMinutes=60)
    rules.update(txn, obj("Event"), eid, {"StartDateTime": "2024-05-03T09:00:00Z"}, org.actor)
    event = txn.get(eid)
    assert event["EndDateTime"] == datetime(2024, 5, 3, 10, 0, tzinfo=UTC)  # duration kept
    assert event["ActivityDate"] == date(2024, 5, 3)
    assert event["ActivityDateTime"] == datetime(2024, 5, 3, 9, 0, tzinfo=UTC)
    rules.update(txn, obj("Event"), eid, {"EndDateTime": "2024-05-03T09:15:00Z"}, org.actor)
    assert txn.get(eid)["DurationInMinutes"] == 15
    rules.update(txn, obj("Event"), eid, {"DurationInMinutes": 120}, org.actor)
    assert txn.get(eid)["EndDateTime"] == datetime(2024, 5, 3, 11, 0, tzinfo=UTC)
    expect(
        txn,
        rules.update,
        obj("Event"),
        eid,
        {"EndDateTime": None, "DurationInMinutes": None},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        fields=["EndDateTime"],
    )


def test_all_day_event(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Event"),
        {"IsAllDayEvent": True},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        fields=["ActivityDate"],
    )
    eid = rules.insert(
        txn, obj("Event"), {"IsAllDayEvent": True, "ActivityDate": "2024-05-06"}, org.actor
    )
    event = txn.get(eid)
    assert event["DurationInMinutes"] == 1440
    assert event["StartDateTime"] == datetime(2024, 5, 6, tzinfo=UTC)
    assert (event["ActivityDate"], event["EndDate"]) == (date(2024, 5, 6), date(2024, 5, 6))
    three = rules.insert(
        txn,
        obj("Event"),
        {"IsAllDayEvent": True, "ActivityDate": "2024-05-06", "DurationInMinutes": 3 * 1440},
        org.actor,
    )
    assert txn.get(three)["EndDate"] == date(2024, 5, 8)


# --- Event/Task Who and What -----------------------------------------------------------------


@pytest.mark.parametrize("sobject", ["Event", "Task"])
def test_activity_account_derivation(org, sobject):
    txn = org.txn()
    base = {"StartDateTime": START, "DurationInMinutes": 5} if sobject == "Event" else {}
    other = rules.insert(txn, obj("Account"), {"Name": "Other"}, org.actor)

    def account_of(**refs):
        return txn.get(rules.insert(txn, obj(sobject), base | refs, org.actor))["AccountId"]

    assert account_of(WhatId=other, WhoId=org.contact) == other
    assert account_of(WhatId=org.opp, WhoId=org.contact[:15]) == org.account
    assert account_of(WhoId=org.contact) == org.account
    assert account_of(WhoId=org.lead) is None
    assert account_of() is None
    rid = rules.insert(txn, obj(sobject), base | {"WhoId": org.contact}, org.actor)
    rules.update(txn, obj(sobject), rid, {"WhatId": other}, org.actor)
    assert txn.get(rid)["AccountId"] == other
    rules.update(txn, obj(sobject), rid, {"WhatId": None, "WhoId": None}, org.actor)
    assert txn.get(rid)["AccountId"] is None


def test_lead_who_excludes_what(org):
    txn = org.txn()
    expect(
        txn,
        rules.insert,
        obj("Task"),
        {"WhoId": org.lead, "WhatId": org.opp},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["WhatId"],
    )
    tid = rules.insert(txn, obj("Task"), {"WhoId": org.lead}, org.actor)
    expect(
        txn,
        rules.update,
        obj("Task"),
        tid,
        {"WhatId": org.account},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["WhatId"],
    )


# --- Task ------------------------------------------------------------------------------------


def test_task_closing_and_priority(org):
    txn = org.txn()
    tid = rules.insert(txn, obj("Task"), {"Priority": "High"}, org.actor)
    task = txn.get(tid)
    assert task["IsHighPriority"] is True and task["CompletedDateTime"] is None
    rules.update(txn, obj("Task"), tid, {"Status": "Completed"}, org.actor)
    assert txn.get(tid)["IsClosed"] is True
    assert txn.get(tid)["CompletedDateTime"] == NOW
    rules.update(txn, obj("Task"), tid, {"Subject": "again"}, Actor(org.user, LATER))
    assert txn.get(tid)["CompletedDateTime"] == NOW  # the first one is kept
    rules.update(txn, obj("Task"), tid, {"Status": "In Progress"}, org.actor)
    assert txn.get(tid)["IsClosed"] is False and txn.get(tid)["CompletedDateTime"] is None
    expect(
        txn,
        rules.update,
        obj("Task"),
        tid,
        {"Status": None},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        fields=["Status"],
    )


# --- EventRelation ---------------------------------------------------------------------------


def test_event_relation_rules(org):
    txn = org.txn()
    eid = insert_event(org, txn)
    assert txn.get(eid)["IsGroupEvent"] is False
    parent = rules.insert(
        txn,
        obj("EventRelation"),
        {"EventId": eid, "RelationId": org.contact, "IsParent": True, "IsInvitee": False},
        org.actor,
    )
    assert txn.get(parent)["AccountId"] == org.account
    assert txn.get(eid)["IsGroupEvent"] is False
    expect(
        txn,
        rules.insert,
        obj("EventRelation"),
        {"EventId": eid, "RelationId": org.contact},
        org.actor,
        code="DUPLICATE_VALUE",
        fields=["RelationId"],
        message=f"duplicate value found: RelationId duplicates value on record with id: "
        f"{parent[:15]}",
    )
    invitee = rules.insert(
        txn, obj("EventRelation"), {"EventId": eid, "RelationId": org.user}, org.actor
    )
    assert txn.get(invitee)["AccountId"] is None
    assert txn.get(eid)["IsGroupEvent"] is True
    expect(
        txn,
        rules.insert,
        obj("EventRelation"),
        {"EventId": eid, "RelationId": org.account},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["RelationId"],
    )
    expect(
        txn,
        rules.insert,
        obj("EventRelation"),
        {"EventId": org.opp, "RelationId": org.user},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["EventId"],
    )
    rules.delete(txn, invitee, org.actor)
    assert txn.get(eid)["IsGroupEvent"] is False  # its last invitee is gone


def test_event_relation_needs_live_event(org):
    txn = org.txn()
    eid = insert_event(org, txn)
    rules.delete(txn, eid, org.actor)
    expect(
        txn,
        rules.insert,
        obj("EventRelation"),
        {"EventId": eid, "RelationId": org.user},
        org.actor,
        code="INVALID_CROSS_REFERENCE_KEY",
    )


def test_event_relation_contact_limit(org):
    txn = org.txn()
    eid = insert_event(org, txn)
    contacts = [
        rules.insert(txn, obj("Contact"), {"LastName": f"C{n}"}, org.actor) for n in range(51)
    ]
    for contact in contacts[:25]:
        rules.insert(txn, obj("EventRelation"), {"EventId": eid, "RelationId": contact}, org.actor)
    org.commit(txn)  # the limit counts committed and staged rows alike
    txn = org.txn()
    for contact in contacts[25:50]:
        rules.insert(txn, obj("EventRelation"), {"EventId": eid, "RelationId": contact}, org.actor)
    expect(
        txn,
        rules.insert,
        obj("EventRelation"),
        {"EventId": eid, "RelationId": contacts[50]},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["RelationId"],
    )
    rules.insert(txn, obj("EventRelation"), {"EventId": eid, "RelationId": org.lead}, org.actor)


# --- OpportunityContactRole ------------------------------------------------------------------


def test_one_primary_contact_role(org):
    txn = org.txn()
    other = rules.insert(txn, obj("Contact"), {"LastName": "Other"}, org.actor)
    ocr = obj("OpportunityContactRole")
    first = rules.insert(
        txn, ocr, {"OpportunityId": org.opp, "ContactId": org.contact, "IsPrimary": True}, org.actor
    )
    org.commit(txn)
    txn = org.txn()
    second = rules.insert(
        txn, ocr, {"OpportunityId": org.opp, "ContactId": other, "IsPrimary": True}, org.actor
    )
    assert txn.get(first)["IsPrimary"] is False
    assert txn.get(second)["IsPrimary"] is True
    rules.update(txn, ocr, first, {"IsPrimary": True}, Actor(org.user, LATER))
    assert txn.get(second)["IsPrimary"] is False
    assert txn.get(second)["LastModifiedDate"] == LATER
    assert txn.get(first)["IsPrimary"] is True
    expect(
        txn,
        rules.insert,
        ocr,
        {"OpportunityId": org.opp},
        org.actor,
        code="REQUIRED_FIELD_MISSING",
        fields=["ContactId"],
    )


# --- EmailMessage and EmailMessageRelation ---------------------------------------------------


def test_email_message_creates_its_task(org):
    txn = org.txn()
    email = rules.insert(
        txn,
        obj("EmailMessage"),
        {
            "Subject": "Pricing",
            "TextBody": "Hello",
            "RelatedToId": org.opp,
            "MessageDate": "2024-04-20T09:00:00Z",
            "FromAddress": "rep@demo.test",
        },
        org.actor,
    )
    message = txn.get(email)
    assert message["Status"] == "3"
    task = txn.get(message["ActivityId"])
    assert task["TaskSubtype"] == "Email" and task["Type"] == "Email"
    assert task["Status"] == "Completed" and task["IsClosed"] is True
    assert (task["Subject"], task["Description"]) == ("Pricing", "Hello")
    assert task["ActivityDate"] == date(2024, 4, 20)
    assert task["WhatId"] == org.opp and task["AccountId"] == org.account
    assert task["OwnerId"] == org.user and task["CreatedDate"] == NOW


def test_draft_email_has_no_task(org):
    txn = org.txn()
    email = rules.insert(txn, obj("EmailMessage"), {"Subject": "x", "Status": "5"}, org.actor)
    assert txn.get(email)["ActivityId"] is None
    assert [o.name for o, _ in txn.changes.values()] == ["EmailMessage"]
    expect(
        txn,
        rules.insert,
        obj("EmailMessage"),
        {"Status": "9"},
        org.actor,
        code="INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        fields=["Status"],
    )
    dated = rules.insert(txn, obj("EmailMessage"), {"Subject": "y"}, org.actor)
    assert txn.get(txn.get(dated)["ActivityId"])["ActivityDate"] == NOW.date()


def test_email_message_relation(org):
    txn = org.txn()
    email = rules.insert(txn, obj("EmailMessage"), {"Subject": "x"}, org.actor)
    emr = obj("EmailMessageRelation")
    to = rules.insert(
        txn,
        emr,
        {"EmailMessageId": email, "RelationId": org.lead, "RelationType": "ToAddress"},
        org.actor,
    )
    assert txn.get(to)["RelationAddress"] == "l@x.io"
    assert txn.get(to)["RelationObjectType"] == "Lead"
    plain = rules.insert(
        txn,
        emr,
        {"EmailMessageId": email, "RelationAddress": "x@y.io", "RelationType": "CcAddress"},
        org.actor,
    )
    assert txn.get(plain)["RelationObjectType"] is None
    expect(
        txn,
        rules.insert,
        emr,
        {"EmailMessageId": email, "RelationId": org.account, "RelationType": "ToAddress"},
        org.actor,
        code="FIELD_INTEGRITY_EXCEPTION",
        fields=["RelationId"],
    )
    expect(
        txn,
        rules.insert,
        emr,
        {"EmailMessageId": email, "RelationType": "Sideways"},
        org.actor,
        code="INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        fields=["RelationType"],
    )


# --- commit round trip -----------------------------------------------------------------------


def test_staged_records_commit_and_reload(tmp_path):
    path = tmp_path / "org.sqlite"
    store = Store(path)
    actor = Actor(ids.make_id("005", 1), NOW)
    with store.transaction() as txn:
        rules.insert(
            txn, obj("User"), {"Username": "u@x.io", "LastName": "U", "Email": "u@x.io"}, actor
        )
        eid = rules.insert(
            txn, obj("Event"), {"StartDateTime": START, "DurationInMinutes": 30}, actor
        )
    store.close()
    reloaded = Store(path)
    assert reloaded.get(eid)["EndDateTime"] == START_DT + timedelta(minutes=30)
    reloaded.close()


def test_group_event_follows_invitee_flag_on_update(org):
    txn = org.txn()
    eid = insert_event(org, txn)
    rel = rules.insert(
        txn, obj("EventRelation"), {"EventId": eid, "RelationId": org.user}, org.actor
    )
    assert txn.get(eid)["IsGroupEvent"] is True
    rules.update(txn, obj("EventRelation"), rel, {"IsInvitee": False, "IsParent": True}, org.actor)
    assert txn.get(eid)["IsGroupEvent"] is False


# --- audit fields ("Set Audit Fields upon Record Creation") ----------------------------------


def _no_audit(org):
    return Actor(org.user, NOW, OrgSettings(set_audit_fields=False))


def test_audit_fields_on_insert_with_the_permission(org):
    txn = org.txn()
    created = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
    body = {"LastName": "Old", "CreatedDate": "2024-01-10T09:00:00Z", "CreatedById": org.user}
    contact = rules.insert(txn, obj("Contact"), body, org.actor)
    record = txn.get(contact)
    assert record["CreatedDate"] == created and record["LastModifiedDate"] == NOW
    assert record["SystemModstamp"] == NOW


def test_audit_fields_are_read_only_without_the_permission(org):
    txn = org.txn()
    body = {"LastName": "Old", "CreatedDate": "2024-01-10T09:00:00Z"}
    expect(txn, rules.insert, obj("Contact"), body, _no_audit(org), code=READ_ONLY)


@pytest.mark.parametrize("how", ["update", "upsert"])
def test_audit_fields_are_read_only_on_update_and_upsert(org, how):
    txn = org.txn()
    body = {"CreatedDate": "2024-01-10T09:00:00Z"}
    if how == "update":
        expect(txn, rules.update, obj("Contact"), org.contact, body, org.actor, code=READ_ONLY)
    else:
        call = rules.upsert
        event = {"Subject": "s", "StartDateTime": START, "DurationInMinutes": 5} | body
        expect(txn, call, obj("Event"), SIG, "sig-audit", event, org.actor, code=READ_ONLY)


def test_audit_fields_only_on_objects_that_allow_them(org):
    txn = org.txn()
    body = {
        "OpportunityId": org.opp,
        "ContactId": org.contact,
        "CreatedDate": "2024-01-10T09:00:00Z",
    }
    expect(txn, rules.insert, obj("OpportunityContactRole"), body, org.actor, code=READ_ONLY)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"CreatedDate": "2099-01-01T00:00:00Z"}, "CreatedDate"),
        ({"LastModifiedDate": "2024-01-01T00:00:00Z"}, "LastModifiedDate"),
        (
            {"CreatedDate": "2024-02-01T00:00:00Z", "LastModifiedDate": "2024-01-01T00:00:00Z"},
            "LastModifiedDate",
        ),
    ],
)
def test_audit_dates_must_be_past_and_in_order(org, values, field):
    txn = org.txn()
    body = {"LastName": "Odd"} | values
    expect(txn, rules.insert, obj("Contact"), body, org.actor, code=INTEGRITY, fields=[field])


def test_audit_user_must_exist(org):
    txn = org.txn()
    body = {"LastName": "X", "CreatedById": ids.make_id("005", 99)}
    expect(txn, rules.insert, obj("Contact"), body, org.actor, code="INVALID_CROSS_REFERENCE_KEY")


def test_a_related_task_keeps_the_real_last_modified(org):
    txn = org.txn()
    body = {
        "Subject": "Call",
        "WhoId": org.contact,
        "CreatedDate": "2024-01-10T09:00:00Z",
        "LastModifiedDate": "2024-01-11T09:00:00Z",
    }
    task = txn.get(rules.insert(txn, obj("Task"), body, org.actor))
    assert task["CreatedDate"] == datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
    assert task["LastModifiedDate"] == NOW


def test_reference_to_a_committed_record_of_a_disk_table(org):
    """An Event lives in a disk table: a reference to it is checked there, on the store's own
    connection, and fails once a committed delete has removed it."""
    txn = org.txn()
    event = insert_event(org, txn)
    org.commit(txn)
    relation = {"EventId": event, "RelationId": org.contact}
    assert rules.insert(org.txn(), obj("EventRelation"), relation, org.actor)
    txn = org.txn()
    rules.delete(txn, event, org.actor)
    org.commit(txn)
    assert org.store.get(event)["IsDeleted"] is True
    expect(
        org.txn(),
        rules.insert,
        obj("EventRelation"),
        relation,
        org.actor,
        code="INVALID_CROSS_REFERENCE_KEY",
    )
