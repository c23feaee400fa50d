"""Bulk API 2.0 ingest through `sf.bulk2`, and the job endpoints through raw requests."""

from __future__ import annotations

import csv
import io

import pytest
from local_org_fixtures import API, connect, count, raw

from demo_gen.local_org import LocalOrgServer, Store


@pytest.fixture(scope="module")
def server():
    with LocalOrgServer(Store()) as srv:
        yield srv


@pytest.fixture(scope="module")
def sf(server):
    return connect(server)


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_bulk2_insert_with_results(sf):
    records = [
        {"LastName": "Bulk1", "Email": "b1@example.com"},
        {"LastName": "Bulk2", "Email": "b2@example.com"},
        {"FirstName": "NoLast", "Email": "b3@example.com"},
    ]
    (result,) = sf.bulk2.Contact.insert(records=records, wait=0)
    assert result["numberRecordsProcessed"] == 3 and result["numberRecordsFailed"] == 1
    job_id = result["job_id"]
    assert job_id.startswith("750")
    ok = _rows(sf.bulk2.Contact.get_successful_records(job_id))
    assert {r["sf__Created"] for r in ok} == {"true"} and len(ok) == 2
    assert all(r["sf__Id"].startswith("003") for r in ok)
    failed = _rows(sf.bulk2.Contact.get_failed_records(job_id))
    assert failed[0]["sf__Error"] == (
        "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"
    )
    assert failed[0]["Email"] == "b3@example.com"
    assert _rows(sf.bulk2.Contact.get_unprocessed_records(job_id)) == []
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'Bulk%'") == 2


def test_bulk2_upsert_update_delete(sf):
    events = [
        {
            "DemoGen_Signature__c": f"b-{i}",
            "Subject": f"S{i}",
            "StartDateTime": "2026-06-01T09:00:00Z",
            "DurationInMinutes": "30",
        }
        for i in range(3)
    ]
    (first,) = sf.bulk2.Event.upsert(
        records=events, external_id_field="DemoGen_Signature__c", wait=0
    )
    assert first["numberRecordsFailed"] == 0
    events[0]["Subject"] = "Changed"
    (second,) = sf.bulk2.Event.upsert(
        records=events[:1], external_id_field="DemoGen_Signature__c", wait=0
    )
    ok = _rows(sf.bulk2.Event.get_successful_records(second["job_id"]))
    assert ok[0]["sf__Created"] == "false"
    found = sf.query("SELECT Id, Subject FROM Event WHERE DemoGen_Signature__c = 'b-0'")["records"]
    assert found[0]["Subject"] == "Changed"

    ids = [
        r["Id"]
        for r in sf.query("SELECT Id FROM Event WHERE DemoGen_Signature__c LIKE 'b-%'")["records"]
    ]
    (upd,) = sf.bulk2.Event.update(records=[{"Id": i, "Location": "Room 1"} for i in ids], wait=0)
    assert upd["numberRecordsFailed"] == 0
    assert count(sf, "SELECT COUNT() FROM Event WHERE Location = 'Room 1'") == 3
    (gone,) = sf.bulk2.Event.delete(records=[{"Id": ids[0]}, {"Id": "00URM000000zzzz"}], wait=0)
    assert gone["numberRecordsFailed"] == 1 and gone["numberRecordsProcessed"] == 2
    assert count(sf, "SELECT COUNT() FROM Event WHERE DemoGen_Signature__c LIKE 'b-%'") == 2


def test_bulk2_csv_cells(server, sf):
    http = raw(server, sf)
    base = f"{server.url}{API}/jobs/ingest"
    job = http.post(
        base, json={"operation": "insert", "object": "contact", "contentType": "CSV"}
    ).json()
    assert job["state"] == "Open" and job["object"] == "Contact" and job["jobType"] == "V2Ingest"
    csv_text = 'LastName,Title,Department\nCells,"Head, Sales",#N/A\nCells2,,Ops\n'
    r = http.put(
        f"{base}/{job['id']}/batches", data=csv_text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 201
    done = http.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"}).json()
    assert done["state"] == "JobComplete" and done["numberRecordsProcessed"] == 2
    rows = sf.query(
        "SELECT LastName, Title, Department FROM Contact "
        "WHERE LastName LIKE 'Cells%' ORDER BY LastName"
    )
    assert [(r["Title"], r["Department"]) for r in rows["records"]] == [
        ("Head, Sales", None),
        (None, "Ops"),
    ]
    listed = http.get(base).json()
    assert job["id"] in {j["id"] for j in listed["records"]}
    r = http.get(f"{base}/{job['id']}/unprocessedrecords")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert http.delete(f"{base}/{job['id']}").status_code == 204
    assert http.get(f"{base}/{job['id']}").status_code == 404


def test_bulk2_abort_bad_column_and_bad_job(server, sf):
    http = raw(server, sf)
    base = f"{server.url}{API}/jobs/ingest"
    job = http.post(base, json={"operation": "insert", "object": "Contact"}).json()
    http.put(f"{base}/{job['id']}/batches", data=b"LastName\nAborted\n")
    aborted = http.patch(f"{base}/{job['id']}", json={"state": "Aborted"}).json()
    assert aborted["state"] == "Aborted"
    assert "Aborted" in http.get(f"{base}/{job['id']}/unprocessedRecords").text
    assert http.put(f"{base}/{job['id']}/batches", data=b"LastName\nx\n").status_code == 409

    job = http.post(base, json={"operation": "insert", "object": "Contact"}).json()
    http.put(f"{base}/{job['id']}/batches", data=b"LastName,Nope\nx,y\n")
    failed = http.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"}).json()
    assert failed["state"] == "Failed" and "Nope" in failed["errorMessage"]

    r = http.post(base, json={"operation": "explode", "object": "Contact"})
    assert r.status_code == 400
    r = http.post(
        base, json={"operation": "upsert", "object": "Contact", "externalIdFieldName": "Email"}
    )
    assert r.status_code == 400
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName IN ('Aborted', 'x')") == 0


def test_bulk2_takes_one_upload_per_job(server, sf):
    """A second PUT is taken (201) but the close is refused, as a real org refuses it; nothing
    of the job is loaded."""
    http = raw(server, sf)
    base = f"{server.url}{API}/jobs/ingest"
    job = http.post(base, json={"operation": "insert", "object": "Contact"}).json()
    for name in ("Twice1", "Twice2"):
        assert (
            http.put(f"{base}/{job['id']}/batches", data=f"LastName\n{name}\n").status_code == 201
        )
    closed = http.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"})
    assert closed.status_code == 400 and closed.json()[0]["errorCode"] == "INVALIDJOB"
    assert "only do 'PUT' once" in closed.json()[0]["message"]
    assert http.patch(f"{base}/{job['id']}", json={"state": "Aborted"}).status_code == 200
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'Twice%'") == 0


def test_bulk2_upsert_repeated_external_id_fails_within_a_chunk_of_200(sf):
    def event(sig, subject):
        return {
            "DemoGen_Signature__c": sig,
            "Subject": subject,
            "StartDateTime": "2026-06-01T09:00:00Z",
            "DurationInMinutes": "30",
        }

    # rows 0 and 1 share a key; rows 5 and 205 too, but in different chunks of 200
    records = [event("bd-0", "A"), event("BD-0", "B")]
    records += [event(f"bd-{i}", "C") for i in range(2, 205)] + [event("bd-5", "late")]
    (result,) = sf.bulk2.Event.upsert(
        records=records, external_id_field="DemoGen_Signature__c", wait=0
    )
    failed = _rows(sf.bulk2.Event.get_failed_records(result["job_id"]))
    assert [(f["DemoGen_Signature__c"], f["sf__Error"]) for f in failed] == [
        ("bd-0", "DUPLICATE_VALUE:Duplicate external id specified: bd-0:DemoGen_Signature__c --"),
        ("BD-0", "DUPLICATE_VALUE:Duplicate external id specified: BD-0:DemoGen_Signature__c --"),
    ]
    late = sf.query("SELECT Subject FROM Event WHERE DemoGen_Signature__c = 'bd-5'")["records"]
    assert late[0]["Subject"] == "late"  # the second chunk updated the first chunk's record


def test_bulk2_line_endings_and_job_ids_that_survive_a_restart(tmp_path):
    """CRLF data loads like LF; an unknown lineEnding is refused; a restarted org (jobs are
    in memory) never hands out a job id it gave before."""
    path = tmp_path / "org.sqlite"
    ids = []
    for _ in range(2):
        with LocalOrgServer(Store(path)) as srv:
            sf = connect(srv)
            http = raw(srv, sf)
            base = f"{srv.url}{API}/jobs/ingest"
            bad = http.post(
                base, json={"operation": "insert", "object": "Contact", "lineEnding": "CR"}
            )
            assert bad.status_code == 400
            job = http.post(
                base, json={"operation": "insert", "object": "Contact", "lineEnding": "CRLF"}
            ).json()
            http.put(f"{base}/{job['id']}/batches", data=b"LastName,Title\r\nCrlf,A\r\n")
            done = http.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"}).json()
            assert done["state"] == "JobComplete" and done["numberRecordsFailed"] == 0
            rows = sf.query("SELECT Title FROM Contact WHERE LastName = 'Crlf'")["records"]
            assert rows[-1]["Title"] == "A"
            ids.append(job["id"])
    assert ids[0] != ids[1]


def test_results_of_thousands_of_rows_are_sent_as_made_and_read_the_same(server, sf):
    """A job's results and a query job's page are streamed a block of rows at a time (the org
    never builds a run-wide job's ~100 MB of results as one text): chunked, no Content-Length,
    and the same rows in the same order across the blocks, from any locator."""
    records = [{"LastName": f"Many{i:05d}"} for i in range(2_500)]
    (result,) = sf.bulk2.Contact.insert(records=records, wait=0)
    http = raw(server, sf)
    url = f"{server.url}{API}/jobs/ingest/{result['job_id']}/successfulResults"
    answer = http.get(url)
    assert answer.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in answer.headers
    ok = _rows(answer.text)
    assert [r["LastName"] for r in ok] == [r["LastName"] for r in records]
    made = [r["sf__Id"] for r in ok]
    soql = "SELECT Id, LastName FROM Contact WHERE LastName LIKE 'Many%'"
    job = http.post(f"{server.url}{API}/jobs/query", json={"operation": "query", "query": soql})
    pages = f"{server.url}{API}/jobs/query/{job.json()['id']}/results"
    first = http.get(pages, params={"maxRecords": 1_234})  # ends inside the second block
    assert first.headers.get("Transfer-Encoding") == "chunked"
    rest = http.get(pages, params={"locator": first.headers["Sforce-Locator"]})
    assert first.headers["Sforce-NumberOfRecords"] == "1234"
    assert rest.headers["Sforce-NumberOfRecords"] == "1266"
    assert rest.headers["Sforce-Locator"] == "null"
    read = [r["Id"] for r in _rows(first.text) + _rows(rest.text)]
    assert read == made
