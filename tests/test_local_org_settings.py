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
