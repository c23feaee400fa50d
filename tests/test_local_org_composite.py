"""sObject Collections, composite and sObject tree, through `sf.restful` and raw requests."""

from __future__ import annotations

import pytest
from local_org_fixtures import API, connect, contacts, count, raw
from simple_salesforce.exceptions import SalesforceMalformedRequest

from demo_gen.local_org import LocalOrgServer, Store


@pytest.fixture(scope="module")
def server():
    with LocalOrgServer(Store()) as srv:
        yield srv


@pytest.fixture(scope="module")
def sf(server):
    return connect(server)


def _post(sf, records, all_or_none):
    body = {"allOrNone": all_or_none, "records": records}
    return sf.restful("composite/sobjects", method="POST", json=body)


def test_collection_create_partial_success(sf):
    records = contacts(2, "Part") + [{"attributes": {"type": "Contact"}, "FirstName": "x"}]
    results = _post(sf, records, False)
    assert [r["success"] for r in results] == [True, True, False]
    assert results[2] == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ],
    }
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'Part%'") == 2


def test_collection_create_all_or_none_rolls_back(sf):
    records = contacts(3, "Aon") + [{"attributes": {"type": "Contact"}, "FirstName": "x"}]
    results = _post(sf, records, True)
    assert all(r["success"] is False for r in results)
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[3]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'Aon%'") == 0


def test_collection_per_record_type_and_id_errors(sf):
    records = [
        {"LastName": "no attributes"},
        {"attributes": {"type": "Nope"}, "Name": "x"},
        {"attributes": {"type": "Contact"}, "Id": "003RM0000000001AAA", "LastName": "x"},
        {"attributes": {"type": "Account"}, "Name": "Mixed types"},
    ]
    results = _post(sf, records, "False")
    codes = [r["errors"][0]["statusCode"] if r["errors"] else None for r in results]
    assert codes == ["INVALID_TYPE", "INVALID_TYPE", "INVALID_FIELD", None]
    assert results[3]["id"].startswith("001")


def test_collection_update_and_delete(sf):
    ids = [r["id"] for r in _post(sf, contacts(3, "Upd"), True)]
    updates = [{"attributes": {"type": "Contact"}, "Id": i, "Title": "VP"} for i in ids]
    updates.append({"attributes": {"type": "Contact"}, "Title": "no id"})
    results = sf.restful("composite/sobjects", method="PATCH", json={"records": updates})
    assert [r["success"] for r in results] == [True, True, True, False]
    assert results[0]["id"] == ids[0]
    assert results[3]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert count(sf, "SELECT COUNT() FROM Contact WHERE Title = 'VP' AND LastName LIKE 'Upd%'") == 3

    bad = [{"attributes": {"type": "Contact"}, "Id": ids[0], "LastName": None}]
    results = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={"allOrNone": True, "records": bad + updates[1:2]},
    )
    assert results[1]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["id"] == ids[1]

    params = {"ids": ",".join([ids[0], ids[1], "003RM000000zzzz"]), "allOrNone": True}
    results = sf.restful("composite/sobjects", method="DELETE", params=params)
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[2]["errors"][0]["statusCode"] == "NOT_FOUND"
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'Upd%'") == 3

    params["allOrNone"] = False
    results = sf.restful("composite/sobjects", method="DELETE", params=params)
    assert [r["success"] for r in results] == [True, True, False]
    again = sf.restful("composite/sobjects", method="DELETE", params={"ids": ids[0]})
    assert again[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert again[0]["id"] == ids[0]
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'Upd%'") == 1


def test_collection_limit_is_200(sf, server):
    with pytest.raises(SalesforceMalformedRequest) as info:
        _post(sf, contacts(201, "Over"), False)
    assert info.value.content == [
        {
            "message": "record limit reached. cannot submit more than 200 records into this call",
            "errorCode": "EXCEEDED_ID_LIMIT",
        }
    ]
    assert len(_post(sf, contacts(200, "Max"), False)) == 200


def test_collection_upsert_and_retrieve(sf):
    def event(sig, subject):
        return {
            "attributes": {"type": "Event"},
            "DemoGen_Signature__c": sig,
            "Subject": subject,
            "StartDateTime": "2026-05-01T10:00:00.000+0000",
            "DurationInMinutes": 45,
        }

    path = "composite/sobjects/Event/DemoGen_Signature__c"
    first = sf.restful(
        path, method="PATCH", json={"records": [event("c-1", "A"), event("c-2", "B")]}
    )
    assert [r["created"] for r in first] == [True, True]
    second = sf.restful(
        path, method="PATCH", json={"records": [event("c-1", "A2"), event("c-3", "C")]}
    )
    assert [r["created"] for r in second] == [False, True]
    assert second[0]["id"] == first[0]["id"]
    ids = ",".join([first[0]["id"], "00URM000000zzzz", first[1]["id"]])
    got = sf.restful(
        "composite/sobjects/Event", params={"ids": ids, "fields": "Subject,EndDateTime"}
    )
    assert got[0]["Subject"] == "A2" and got[1] is None and got[2]["Subject"] == "B"
    assert got[0]["EndDateTime"] == "2026-05-01T10:45:00.000+0000"


def test_composite_tree(sf, server):
    body = {
        "records": [
            {
                "attributes": {"type": "Account", "referenceId": "acc1"},
                "Name": "Tree Co",
                "Contacts": {
                    "records": [
                        {
                            "attributes": {"type": "Contact", "referenceId": "c1"},
                            "LastName": "Leaf",
                        },
                        {
                            "attributes": {"type": "Contact", "referenceId": "c2"},
                            "LastName": "Leaf",
                        },
                    ]
                },
            }
        ]
    }
    result = sf.restful("composite/tree/Account", method="POST", json=body)
    assert result["hasErrors"] is False
    refs = {r["referenceId"]: r["id"] for r in result["results"]}
    assert set(refs) == {"acc1", "c1", "c2"}
    rows = sf.query(f"SELECT Id FROM Contact WHERE AccountId = '{refs['acc1']}'")
    assert rows["totalSize"] == 2

    body["records"][0]["Contacts"]["records"][1] = {
        "attributes": {"type": "Contact", "referenceId": "bad"},
        "FirstName": "x",
    }
    body["records"][0]["Name"] = "Tree Two"
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.restful("composite/tree/Account", method="POST", json=body)
    assert info.value.content["hasErrors"] is True
    assert info.value.content["results"][0]["referenceId"] == "bad"
    assert count(sf, "SELECT COUNT() FROM Account WHERE Name = 'Tree Two'") == 0


def test_composite_with_references(sf):
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": f"{API}/sobjects/Account",
                "referenceId": "acc",
                "body": {"Name": "Composite Co"},
            },
            {
                "method": "POST",
                "url": f"{API}/sobjects/Contact",
                "referenceId": "con",
                "body": {"LastName": "Ref", "AccountId": "@{acc.id}"},
            },
            {
                "method": "GET",
                "url": f"{API}/query/?q=SELECT+Id,AccountId+FROM+Contact"
                "+WHERE+AccountId='@{acc.id}'",
                "referenceId": "q",
            },
            {
                "method": "PATCH",
                "url": f"{API}/sobjects/Contact/@{{q.records[0].Id}}",
                "referenceId": "upd",
                "body": {"Title": "Chief"},
            },
        ],
    }
    result = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in result] == [201, 201, 200, 204]
    assert result[0]["httpHeaders"]["Location"].endswith(result[0]["body"]["id"])
    assert result[2]["body"]["records"][0]["AccountId"] == result[0]["body"]["id"]
    assert sf.Contact.get(result[1]["body"]["id"])["Title"] == "Chief"


def test_composite_all_or_none_halts(sf):
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": f"{API}/sobjects/Account",
                "referenceId": "a",
                "body": {"Name": "Halted Co"},
            },
            {
                "method": "POST",
                "url": f"{API}/sobjects/Contact",
                "referenceId": "b",
                "body": {"FirstName": "missing last"},
            },
            {"method": "GET", "url": f"{API}/limits", "referenceId": "c"},
        ],
    }
    result = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in result] == [400, 400, 400]
    assert result[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert result[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert count(sf, "SELECT COUNT() FROM Account WHERE Name = 'Halted Co'") == 0

    body["allOrNone"] = False
    body["compositeRequest"][1]["body"] = {"LastName": "x", "AccountId": "@{missing.id}"}
    result = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in result] == [201, 400, 200]
    assert "Invalid reference specified" in result[1]["body"][0]["message"]
    assert count(sf, "SELECT COUNT() FROM Account WHERE Name = 'Halted Co'") == 1


def test_composite_limit_and_bad_json(server, sf):
    http = raw(server, sf)
    subs = [{"method": "GET", "url": f"{API}/limits", "referenceId": f"r{i}"} for i in range(26)]
    r = http.post(f"{server.url}{API}/composite", json={"compositeRequest": subs})
    assert r.status_code == 400
    r = http.post(
        f"{server.url}{API}/composite/sobjects",
        data=b"[",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def _sig_event(sig, subject):
    return {
        "attributes": {"type": "Event"},
        "DemoGen_Signature__c": sig,
        "Subject": subject,
        "StartDateTime": "2026-05-04T10:00:00.000+0000",
        "DurationInMinutes": 30,
    }


def test_collection_upsert_repeated_external_id_fails_both_records(sf):
    path = "composite/sobjects/Event/DemoGen_Signature__c"
    records = [_sig_event("dup-1", "A"), _sig_event("DUP-1", "B"), _sig_event("dup-ok", "C")]
    results = sf.restful(path, method="PATCH", json={"allOrNone": False, "records": records})
    assert [r["success"] for r in results] == [False, False, True]
    assert results[0]["errors"] == [
        {
            "statusCode": "DUPLICATE_VALUE",
            "message": "Duplicate external id specified: dup-1",
            "fields": ["DemoGen_Signature__c"],
        }
    ]
    assert results[1]["errors"][0]["message"] == "Duplicate external id specified: DUP-1"
    assert count(sf, "SELECT Id FROM Event WHERE DemoGen_Signature__c = 'dup-1'") == 0
    assert count(sf, "SELECT Id FROM Event WHERE DemoGen_Signature__c = 'dup-ok'") == 1


def test_collection_upsert_repeated_external_id_all_or_none_writes_nothing(sf):
    path = "composite/sobjects/Event/DemoGen_Signature__c"
    records = [_sig_event("aon-ok", "A"), _sig_event("aon-2", "B"), _sig_event("aon-2", "C")]
    results = sf.restful(path, method="PATCH", json={"allOrNone": True, "records": records})
    assert [r["success"] for r in results] == [False, False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert [r["errors"][0]["statusCode"] for r in results[1:]] == ["DUPLICATE_VALUE"] * 2
    assert count(sf, "SELECT Id FROM Event WHERE DemoGen_Signature__c LIKE 'aon-%'") == 0
