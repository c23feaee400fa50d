"""sObject CRUD, upsert, describe, limits and queries through the unmodified client."""

from __future__ import annotations

import datetime as dt

import pytest
from local_org_fixtures import API, connect, count, raw
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from demo_gen.local_org import LocalOrgServer, Store


@pytest.fixture(scope="module")
def server():
    with LocalOrgServer(Store()) as srv:
        yield srv


@pytest.fixture(scope="module")
def sf(server):
    return connect(server)


@pytest.fixture(scope="module")
def http(server, sf):
    return raw(server, sf)


@pytest.fixture(scope="module")
def big(sf):
    """2,100 contacts loaded through Bulk 2.0 (more than one query page)."""
    rows = [{"LastName": f"Big{i:04d}", "Department": "Bulk"} for i in range(2100)]
    (result,) = sf.bulk2.Contact.insert(records=rows, wait=0)
    assert result["numberRecordsFailed"] == 0
    return 2100


def test_create_get_update_delete(sf):
    created = sf.Account.create({"Name": "Acme", "NumberOfEmployees": 50})
    assert created["success"] is True and created["errors"] == []
    account_id = created["id"]
    assert account_id.startswith("001") and len(account_id) == 18
    record = sf.Account.get(account_id)
    assert record["attributes"] == {
        "type": "Account",
        "url": f"{API}/sobjects/Account/{account_id}",
    }
    assert record["Name"] == "Acme" and record["Phone"] is None
    assert record["CreatedDate"].endswith("+0000")
    assert sf.Account.get(account_id[:15])["Id"] == account_id
    assert sf.Account.update(account_id, {"name": "Acme 2"}) == 204
    assert sf.Account.get(account_id)["Name"] == "Acme 2"
    assert sf.Account.delete(account_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Account.get(account_id)
    assert info.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    deleted = sf.query_all(
        f"SELECT Id, IsDeleted FROM Account WHERE Id = '{account_id}'", include_deleted=True
    )
    assert deleted["records"][0]["IsDeleted"] is True
    assert count(sf, f"SELECT COUNT() FROM Account WHERE Id = '{account_id}'") == 0


def test_create_status_and_location(http, server):
    r = http.post(f"{server.url}{API}/sobjects/contact/", json={"LastName": "Raw"})
    assert r.status_code == 201
    assert r.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert r.headers["Location"].endswith(r.json()["id"])
    r = http.patch(f"{server.url}{API}/sobjects/Contact/{r.json()['id']}", json={"Title": "CEO"})
    assert r.status_code == 204 and r.content == b""


def test_get_with_fields(sf, http, server):
    account_id = sf.Account.create({"Name": "Fields"})["id"]
    r = http.get(f"{server.url}{API}/sobjects/Account/{account_id}", params={"fields": "name,Id"})
    assert list(r.json()) == ["attributes", "Name", "Id"]
    r = http.get(f"{server.url}{API}/sobjects/Account/{account_id}", params={"fields": "Nope"})
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_FIELD"


def test_errors_for_missing_and_malformed_ids(sf, http, server):
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Account.get("001RM0000009999")
    assert info.value.content[0]["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceMalformedRequest) as bad:
        sf.Account.get("garbage")
    assert bad.value.content[0]["errorCode"] == "MALFORMED_ID"
    contact_id = sf.Contact.create({"LastName": "Typed"})["id"]
    r = http.get(f"{server.url}{API}/sobjects/Account/{contact_id}")
    assert r.status_code == 404
    r = http.get(f"{server.url}{API}/sobjects/Nope/{contact_id}")
    assert r.json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]


def test_validation_errors(sf):
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Contact.create({"FirstName": "No last name"})
    assert info.value.content == [
        {
            "message": "Required fields are missing: [LastName]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["LastName"],
        }
    ]
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        sf.Contact.create({"LastName": "x", "Foo__c": 1})
    assert unknown.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_malformed_json_is_json_parser_error(http, server):
    r = http.post(
        f"{server.url}{API}/sobjects/Account/",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    r = http.post(f"{server.url}{API}/sobjects/Account/", json=[1, 2])
    assert r.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_upsert_by_external_id(sf, http, server):
    event = {"Subject": "Demo", "StartDateTime": "2026-05-01T10:00:00Z", "DurationInMinutes": 30}
    assert sf.Event.upsert("DemoGen_Signature__c/sig 1", event) == 201
    assert sf.Event.upsert("DemoGen_Signature__c/sig 1", {"Subject": "Demo 2"}) == 200
    found = sf.Event.get_by_custom_id("DemoGen_Signature__c", "sig 1")
    assert found["Subject"] == "Demo 2"
    r = http.patch(f"{server.url}{API}/sobjects/Event/DemoGen_Signature__c/sig-2", json=event)
    assert r.status_code == 201 and r.json()["created"] is True
    r = http.patch(f"{server.url}{API}/sobjects/Event/Subject/x", json=event)
    assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Event.get_by_custom_id("DemoGen_Signature__c", "missing")


def test_get_by_id_as_external_field(sf):
    contact_id = sf.Contact.create({"LastName": "Ext"})["id"]
    assert sf.Contact.get_by_custom_id("Id", contact_id)["Id"] == contact_id


def test_describe_global_and_object(sf):
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {"Account", "Contact", "Event", "EventRelation", "Task", "EmailMessage"} <= names
    d = sf.Event.describe()
    who = next(f for f in d["fields"] if f["name"] == "WhoId")
    assert who["referenceTo"] == ["Contact", "Lead"]
    assert who["polymorphicForeignKey"] is True and who["relationshipName"] == "Who"
    assert who["soapType"] == "tns:ID" and who["length"] == 18
    show_as = next(f for f in d["fields"] if f["name"] == "ShowAs")
    assert {
        "active": True,
        "defaultValue": True,
        "label": "Busy",
        "value": "Busy",
        "validFor": None,
    } in show_as["picklistValues"]
    sig = next(f for f in d["fields"] if f["name"] == "DemoGen_Signature__c")
    assert sig["externalId"] is True and sig["custom"] is True and sig["idLookup"] is True
    assert d["childRelationships"][0]["relationshipName"] == "EventRelations"
    meta = sf.Contact.metadata()
    assert meta["objectDescribe"]["keyPrefix"] == "003" and meta["recentItems"] == []


def test_limits_agree_with_limit_info(sf, server):
    sf.query("SELECT Id FROM Account LIMIT 1")
    limits = sf.limits()
    used = sf.api_usage["api-usage"]
    assert used.total == limits["DailyApiRequests"]["Max"] == 15000
    assert used.used == 15000 - limits["DailyApiRequests"]["Remaining"]
    assert used.used == server.app.api_usage


def test_query_paging_and_query_all(sf, big, http, server):
    first = sf.query("SELECT Id, LastName FROM Contact WHERE Department = 'Bulk' ORDER BY LastName")
    assert first["totalSize"] == big and first["done"] is False and len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith(f"{API}/query/01g")
    everything = sf.query_all("SELECT Id FROM Contact WHERE Department = 'Bulk'")
    assert len(everything["records"]) == big
    assert len({r["Id"] for r in everything["records"]}) == big
    r = http.get(
        f"{server.url}{API}/query/",
        params={"q": "SELECT Id FROM Contact WHERE Department = 'Bulk'"},
        headers={"Sforce-Query-Options": "batchSize=500"},
    )
    assert len(r.json()["records"]) == 500
    nxt = http.get(f"{server.url}{r.json()['nextRecordsUrl']}").json()
    assert len(nxt["records"]) == 500 and nxt["nextRecordsUrl"].endswith("-1000")
    bad = http.get(f"{server.url}{API}/query/01gRM0000000000AAA-2000")
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_query_all_sees_deleted(sf):
    contact_id = sf.Contact.create({"LastName": "Gone"})["id"]
    sf.Contact.delete(contact_id)
    soql = f"SELECT Id FROM Contact WHERE Id = '{contact_id}'"
    assert sf.query(soql)["totalSize"] == 0
    assert sf.query_all(soql, include_deleted=True)["totalSize"] == 1


def test_soql_errors_and_quotes(sf):
    sf.Account.create({"Name": "O'Brien & Sons"})
    found = sf.query("SELECT Name FROM Account WHERE Name = 'O\\'Brien & Sons'")
    assert found["records"][0]["Name"] == "O'Brien & Sons"
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query("SELECT Idd FROM Account")
    assert info.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as typ:
        sf.query("SELECT Id FROM Acount")
    assert typ.value.content[0]["errorCode"] == "INVALID_TYPE"
    with pytest.raises(SalesforceMalformedRequest):
        sf.query("SELECT Id FORM Account WHERE Name = 'unterminated")


def test_deleted_and_updated_feeds(sf):
    contact_id = sf.Contact.create({"LastName": "Feed"})["id"]
    sf.Contact.delete(contact_id)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    end = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert contact_id in {d["id"] for d in sf.Contact.deleted(start, end)["deletedRecords"]}
    other = sf.Contact.create({"LastName": "Upd"})["id"]
    assert other in sf.Contact.updated(start, end)["ids"]
