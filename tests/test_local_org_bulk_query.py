"""Bulk API 2.0 query jobs of the local org, through simple-salesforce's `sf.bulk2.<Obj>.query`
and through raw requests for what the client does not expose (headers, errors, abort, delete)."""

from __future__ import annotations

import csv
import io

import pytest
from local_org_fixtures import API, connect, raw
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from demo_gen.local_org import LocalOrgServer, Store


@pytest.fixture(scope="module")
def server():
    with LocalOrgServer(Store()) as srv:
        yield srv


@pytest.fixture(scope="module")
def sf(server):
    client = connect(server)
    contacts = [
        {"LastName": f"Bq{i:03d}", "Email": f"bq{i}@example.com", "Title": "CTO, EMEA" if i else ""}
        for i in range(25)
    ]
    client.bulk2.Contact.insert(records=contacts, wait=0)
    return client


def _rows(pages):
    out = []
    for page in pages:
        out.extend(csv.DictReader(io.StringIO(page)))
    return out


def _usage(server):
    return server.app.api_usage


def test_query_pages_by_max_records_and_follows_the_locator(server, sf):
    soql = (
        "SELECT Id, LastName, Title, CreatedDate, Account.Name FROM Contact "
        "WHERE LastName LIKE 'Bq%'"
    )
    before = _usage(server)
    pages = list(sf.bulk2.Contact.query(soql, max_records=10, wait=0))
    assert len(pages) == 3  # 10 + 10 + 5 rows
    rows = _rows(pages)
    assert sorted(r["LastName"] for r in rows) == [f"Bq{i:03d}" for i in range(25)]
    # create, one poll, three pages: each request counted once, as Salesforce counts them
    assert _usage(server) - before == 5
    first = next(r for r in rows if r["LastName"] == "Bq000")
    assert first["Title"] == "" and first["Account.Name"] == ""  # null, and a null parent
    assert next(r for r in rows if r["LastName"] == "Bq001")["Title"] == "CTO, EMEA"
    assert first["CreatedDate"].endswith(".000Z") or first["CreatedDate"].endswith("Z")
    assert list(rows[0]) == ["Id", "LastName", "Title", "CreatedDate", "Account.Name"]


def test_results_headers_quoting_and_a_locator_read_twice(server, sf):
    http = raw(server, sf)
    created = http.post(
        f"{server.url}{API}/jobs/query",
        json={
            "operation": "query",
            "query": "SELECT Id, LastName, Title FROM Contact WHERE LastName LIKE 'Bq00%'",
        },
    )
    assert created.status_code == 200 and created.json()["state"] == "UploadComplete"
    job = created.json()["id"]
    assert job.startswith("750") and len(job) == 18
    info = http.get(f"{server.url}{API}/jobs/query/{job}").json()
    assert info["state"] == "JobComplete" and info["numberRecordsProcessed"] == 10
    assert info["jobType"] == "V2Query"
    url = f"{server.url}{API}/jobs/query/{job}/results"
    page = http.get(url, params={"maxRecords": 4})
    assert page.headers["Sforce-NumberOfRecords"] == "4"
    locator = page.headers["Sforce-Locator"]
    assert locator not in ("", "null")
    assert page.text.splitlines()[0] == '"Id","LastName","Title"'
    again = [http.get(url, params={"maxRecords": 4, "locator": locator}) for _ in range(2)]
    assert again[0].text == again[1].text  # a locator can be read again while the job exists
    last = http.get(url, params={"maxRecords": 100, "locator": locator})
    assert (
        last.headers["Sforce-Locator"] == "null" and last.headers["Sforce-NumberOfRecords"] == "6"
    )
    bad = http.get(url, params={"locator": "not-a-locator"})
    assert bad.status_code == 400
    assert http.delete(f"{server.url}{API}/jobs/query/{job}").status_code == 204
    assert http.get(f"{server.url}{API}/jobs/query/{job}").status_code == 404


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT COUNT() FROM Contact",
        "SELECT AccountId, COUNT(Id) FROM Contact GROUP BY AccountId",
        "SELECT Id FROM Contact LIMIT 5 OFFSET 2",
        "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
    ],
)
def test_what_bulk_query_does_not_support_is_refused_at_create(sf, soql):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        next(iter(sf.bulk2.Contact.query(soql, wait=0)))
    assert caught.value.content[0]["errorCode"] == "INVALIDJOB"


def test_query_all_sees_deleted_rows_and_limits_count_jobs(server, sf):
    target = sf.query("SELECT Id FROM Contact WHERE LastName = 'Bq024'")["records"][0]["Id"]
    sf.Contact.delete(target)
    soql = "SELECT Id, IsDeleted FROM Contact WHERE LastName = 'Bq024'"
    assert _rows(sf.bulk2.Contact.query(soql, wait=0)) == []
    before = sf.limits()["DailyBulkV2QueryJobs"]["Remaining"]
    deleted = _rows(sf.bulk2.Contact.query_all(soql, wait=0))
    assert [r["IsDeleted"] for r in deleted] == ["true"]
    assert sf.limits()["DailyBulkV2QueryJobs"]["Remaining"] == before - 1


def test_a_restart_mid_job_forgets_the_job_and_never_reuses_its_id(tmp_path):
    """Jobs live in memory: after a restart the job answers 404 (the client starts a new job),
    and the new job's id is not the old one's."""
    path = tmp_path / "org.sqlite"
    with LocalOrgServer(Store(path)) as srv:
        sf = connect(srv)
        sf.bulk2.Contact.insert(records=[{"LastName": f"R{i}"} for i in range(5)], wait=0)
        pages = sf.bulk2.Contact.query("SELECT Id FROM Contact", max_records=2, wait=0)
        first = next(iter(pages))
        assert len(_rows([first])) == 2
        old = raw(srv, sf).get(f"{srv.url}{API}/jobs/query").json()["records"][0]["id"]
    with LocalOrgServer(Store(path)) as srv:
        sf = connect(srv)
        with pytest.raises(SalesforceResourceNotFound):
            raw_session = raw(srv, sf)
            answer = raw_session.get(f"{srv.url}{API}/jobs/query/{old}/results")
            assert answer.status_code == 404
            sf.bulk2.Contact._client.get_query_results(old)
        rows = _rows(sf.bulk2.Contact.query("SELECT Id FROM Contact", max_records=2, wait=0))
        assert len(rows) == 5
        new = raw(srv, sf).get(f"{srv.url}{API}/jobs/query").json()["records"][0]["id"]
        assert new != old
