"""The read-back of Bulk ingest jobs through Bulk API 2.0 query jobs (bulk_readback.py).

It must own exactly what the REST read-back owns (every email's Task, every relation the org
made, the same snapshots), and its requests must not grow with the records: a handful of query
jobs per ingest job, where REST reads back one query per 200 rows.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import yaml
from local_org_fixtures import connect
from safety_helpers import invoke, org_ids, run_json

from demo_gen.ledger import bulk_settle
from demo_gen.ledger.runlog import read_events
from demo_gen.ledger.store import ItemRow
from demo_gen.local_org import LocalOrgServer, Store
from demo_gen.targets.salesforce.bulk_query import BOOL, NUMBER, _parse

QUERY = {"bulk": {"mode": "always", "poll_seconds": 0, "query_min_records": 1}}
PER_200 = {"bulk": {"mode": "always", "poll_seconds": 0, "query_min_records": 100_000_000}}


def _ledger(state: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(kind, status) -> (rows, rows with an identity snapshot)."""
    with sqlite3.connect(state) as conn:
        rows = conn.execute(
            "SELECT kind, status, COUNT(*), COUNT(identity) FROM items GROUP BY kind, status"
        ).fetchall()
    return {(k, s): (n, i) for k, s, n, i in rows}


def test_query_read_back_owns_what_the_per_200_read_back_owns(make_config, org_db, tmp_path):
    _shared_activities(org_db)  # the org makes relations for Events and email Tasks
    other_db = tmp_path / "per200-org.sqlite"
    shutil.copy(org_db, other_db)
    before = org_ids(org_db)
    per_200 = make_config("per200.yaml", salesforce={"local": {"db": str(other_db)}, **PER_200},
                          state={"url": f"sqlite:///{tmp_path / 'per200.sqlite'}"})  # fmt: skip
    query = make_config("query.yaml", salesforce=QUERY)
    code, expected = run_json(per_200, "--max-opps", "4")
    assert code == 0, expected
    code, report = run_json(query, "--max-opps", "4")
    assert code == 0, report
    assert {k: v["created"] for k, v in report["counts"].items()} == {
        k: v["created"] for k, v in expected["counts"].items()
    }
    assert report["counts"]["email_task"]["created"] > 0
    assert report["counts"]["event_relation"]["created"] > 0
    assert report["counts"]["task_relation"]["created"] > 0
    events = list(read_events(Path(report["run_dir"]) / "events.jsonl"))
    read = {e["sobject"]: e for e in events if e["event"] == "bulk.read_back"}
    assert set(read) >= {"Event", "EmailMessage", "EventRelation", "EmailMessageRelation"}
    assert read["EmailMessage"]["owned"] >= report["counts"]["email_task"]["created"]
    # the same rows, kind by kind and status by status, each with its snapshot
    assert _ledger(tmp_path / "state.sqlite") == _ledger(tmp_path / "per200.sqlite")
    assert {k: len(v) for k, v in org_ids(org_db).items()} == {
        k: len(v) for k, v in org_ids(other_db).items()
    }
    code, _, err = invoke("reset", report["run_id"], "-c", str(query), "--yes")
    assert code == 0, err
    assert org_ids(org_db) == before  # every org-made record was owned: reset leaves nothing


def _reads(seeded: Path, root: Path, settings: dict[str, Any], opps: int) -> dict[str, int]:
    """Serve a copy of the seeded org, run on the Bulk path, and count the org's requests."""
    root.mkdir()
    db = root / "org.sqlite"
    shutil.copy(seeded, db)
    store = Store(db)
    with LocalOrgServer(store) as server:
        config = root / "c.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "run": {
                        "name": "reads",
                        "seed": 42,
                        "anchor_date": "2026-11-02",
                        "runs_dir": str(root / "runs"),
                    },
                    "salesforce": {
                        "local": {"url": server.url},
                        **settings,
                        "query": {"opportunity_type": None, "limit": opps},
                    },
                    "state": {"url": f"sqlite:///{root / 'state.sqlite'}"},
                }  # fmt: skip
            ),
            encoding="utf-8",
        )
        code, report = run_json(config)
        assert code == 0, report
        counts = server.app.request_counts
    store.close()
    return counts


def _read_requests(counts: dict[str, int]) -> int:
    return sum(n for key, n in counts.items() if "query" in key.lower())


def test_read_back_requests_do_not_grow_with_the_records(seeded_org_file, tmp_path):
    """Four times the deals: the query-job read-back makes exactly as many read requests, and
    at most three per query job, two query jobs per ingest job; the per-200 read-back makes
    more (which shows the sizes are large enough to tell the two apart)."""
    small = _reads(seeded_org_file, tmp_path / "q3", QUERY, 3)
    large = _reads(seeded_org_file, tmp_path / "q12", QUERY, 12)
    assert _read_requests(large) == _read_requests(small)
    for counts in (small, large):
        jobs = counts.get("POST jobs/query", 0)
        assert 0 < jobs <= 2 * counts["POST jobs/ingest"]
        reads = counts.get("GET jobs/query/{job}", 0) + counts.get(
            "GET jobs/query/{job}/results", 0
        )
        assert reads <= 2 * jobs  # a status and one page of results each
    rest_small = _reads(seeded_org_file, tmp_path / "r3", PER_200, 3)
    rest_large = _reads(seeded_org_file, tmp_path / "r12", PER_200, 12)
    assert "POST jobs/query" not in rest_large
    assert _read_requests(rest_large) > _read_requests(rest_small)


def test_query_rows_are_typed_and_parents_nested():
    text = (
        '"Id","IsParent","Amount","Activity.Subject","Activity.CreatedById","Account.Name"\n'
        '"00U1","true","12.5","Call","0051",""\n'
        '"00U2","false","","","",""\n'
    )
    rows = list(_parse(text, {"IsParent": BOOL, "Amount": NUMBER}))
    assert rows[0] == {"Id": "00U1", "IsParent": True, "Amount": 12.5,
                       "Activity": {"Subject": "Call", "CreatedById": "0051"},
                       "Account": None}  # fmt: skip
    assert rows[1]["IsParent"] is False and rows[1]["Amount"] is None
    assert rows[1]["Activity"] is None  # every cell of a parent empty: a null parent


def test_a_job_is_read_back_and_recorded_a_block_at_a_time(seeded_org_file, tmp_path, monkeypatch):
    """Recording a job holds a block of its rows, not the job (bulk_settle.py): rows are
    matched, read back and committed `RECORD_BATCH` at a time, while each window is asked for
    once — the blocks look their keys up in the window's spool on disk. Against the same run
    recorded in blocks of 100,000: as many query jobs, and the same ledger."""
    whole = _reads(seeded_org_file, tmp_path / "whole", QUERY, 6)
    blocks: list[int] = []
    real = bulk_settle._record

    def record(*args: Any) -> None:
        blocks.append(len(args[3]))
        real(*args)

    monkeypatch.setattr(bulk_settle, "_record", record)
    monkeypatch.setattr(bulk_settle, "RECORD_BATCH", 7)
    small = _reads(seeded_org_file, tmp_path / "small", QUERY, 6)
    assert max(blocks) == 7 and len(blocks) > 20  # every job, in blocks of 7
    assert small["POST jobs/query"] == whole["POST jobs/query"] > 0
    ledger = _ledger(tmp_path / "small" / "state.sqlite")
    assert ledger == _ledger(tmp_path / "whole" / "state.sqlite")
    assert ledger[("email_task", "created")][1] > 0  # what the org made, with its snapshots


def test_the_local_org_window_filter_finds_records_stamped_after_the_job(tmp_path):
    """SystemModstamp >= the job's createdDate (the org's clock, to the second below) finds a
    record written after the job was created."""
    with LocalOrgServer(Store(tmp_path / "org.sqlite")) as server:
        sf = connect(server)
        (job,) = sf.bulk2.Contact.insert(records=[{"LastName": "Window"}], wait=0)
        info = sf.restful(f"jobs/ingest/{job['job_id']}")
        since = f"{info['createdDate'][:19]}Z"
        soql = f"SELECT Id, LastName FROM Contact WHERE SystemModstamp >= {since}"
        rows = list(_parse("".join(sf.bulk2.Contact.query(soql, wait=0)), {}))
        assert [r["LastName"] for r in rows] == ["Window"]


def test_a_large_org_read_through_query_jobs_gives_the_same_plan(make_config, served_org, tmp_path):
    """The first reads through query jobs (opportunities, their contact roles, contacts, busy
    Events) give the plan the REST reads give, byte for byte; below the threshold nothing
    changes (REST only)."""
    plans = {}
    for name, threshold in (("rest", 100_000_000), ("bulk", 1)):
        config = make_config(
            f"{name}.yaml",
            salesforce={"local": {"url": served_org.url}, "query": {"limit": 8},
                        "bulk": {"query_min_records": threshold}},
        )  # fmt: skip
        served_org.app.reset_stats()
        out = tmp_path / f"{name}.json"
        code, _, err = invoke("dry-run", "-c", str(config), "--out", str(out))
        assert code == 0, err
        plans[name] = out.read_text(encoding="utf-8")
        jobs = served_org.app.request_counts.get("POST jobs/query", 0)
        assert jobs == (4 if name == "bulk" else 0)
    assert plans["bulk"] == plans["rest"]


def test_selection_through_query_jobs_equals_the_rest_selection(served_org):
    """Field by field: opportunities (numbers, booleans, dates), accounts, owners, contacts with
    their roles and the primary one, users and busy Events."""
    from demo_gen.config.model import BulkSettings, QuerySettings
    from demo_gen.targets.salesforce.bulk_query import QueryChannel
    from demo_gen.targets.salesforce.client import SalesforceCrm
    from demo_gen.targets.salesforce.selection import BulkReads, select_opportunities

    crm = SalesforceCrm(connect(served_org), label="local org")
    settings = QuerySettings(opportunity_type=None, limit=30)
    rest = select_opportunities(crm, settings)
    channel = QueryChannel(crm, BulkSettings(poll_seconds=0))
    bulk = select_opportunities(crm, settings, bulk=BulkReads(channel, 1))
    assert channel.jobs == 4
    assert bulk == rest
    opportunities = bulk.snapshot.opportunities
    assert any(c.is_primary for o in opportunities for c in o.contacts)
    assert any(o.amount for o in opportunities) and bulk.snapshot.events


def _shared_activities(db: Path) -> None:
    from demo_gen.local_org.settings import OrgSettings

    store = Store(db)
    try:
        OrgSettings(shared_activities=True).write(store)
    finally:
        store.close()


def test_the_window_claims_only_what_the_org_made_for_our_rows(org_db):
    """Inside the window someone else writes an Event with its relations and an EmailMessage
    with its Task: the read-back owns the relations of our Event and our email's Task, never
    theirs, though the window's query jobs bring both."""
    from demo_gen.config.model import BulkSettings
    from demo_gen.targets.salesforce.bulk_query import QueryChannel
    from demo_gen.targets.salesforce.bulk_readback import WindowFetch, since_literal
    from demo_gen.targets.salesforce.client import SalesforceCrm
    from demo_gen.targets.salesforce.orgmade import read_back

    _shared_activities(org_db)
    store = Store(org_db)
    with LocalOrgServer(store) as server:
        _claims_only_ours(server, read_back, WindowFetch, QueryChannel, BulkSettings,
                          SalesforceCrm, since_literal)  # fmt: skip
    store.close()


def _claims_only_ours(served_org, read_back, WindowFetch, QueryChannel, BulkSettings,
                      SalesforceCrm, since_literal):  # fmt: skip
    sf = connect(served_org)
    crm = SalesforceCrm(sf, label="local org")
    opp = sf.query("SELECT Id, AccountId FROM Opportunity LIMIT 1")["records"][0]
    who = sf.query(f"SELECT Id FROM Contact WHERE AccountId = '{opp['AccountId']}' LIMIT 1")
    contact = who["records"][0]["Id"]
    since = since_literal(served_org.app.now().strftime("%Y-%m-%dT%H:%M:%S.000+0000"))

    def event(subject):
        body = {"Subject": subject, "WhatId": opp["Id"], "WhoId": contact,
                "StartDateTime": "2026-11-03T10:00:00Z", "DurationInMinutes": 30}  # fmt: skip
        return sf.Event.create(body)["id"]

    def email(subject):
        body = {"Subject": subject, "RelatedToId": opp["Id"], "Status": "3",
                "MessageDate": "2026-11-03T10:00:00Z", "FromAddress": "a@example.com",
                "ToAddress": "b@example.com", "TextBody": "x"}  # fmt: skip
        return sf.EmailMessage.create(body)["id"]

    ours_event, theirs_event = event("Ours"), event("Theirs")
    ours_email, theirs_email = email("Ours"), email("Theirs")
    fetch = WindowFetch(QueryChannel(crm, BulkSettings(poll_seconds=0)), since)

    def rows(kind, record_type, remote_id):
        return [ItemRow(f"sig-{kind}", "r", "p", "t", opp["Id"], kind, record_type, "created",
                        remote_id, None, None, None, None, "Ours", "")]  # fmt: skip

    events = read_back(crm, rows("meeting", "Event", ours_event), fetch=fetch)
    theirs = {r["Id"] for r in sf.query(
        f"SELECT Id FROM EventRelation WHERE EventId = '{theirs_event}'")["records"]}  # fmt: skip
    owned = {o.remote_id for o in events.owned}
    mine = {r["Id"] for r in sf.query(
        f"SELECT Id FROM EventRelation WHERE EventId = '{ours_event}'")["records"]}  # fmt: skip
    assert owned == mine and mine and not owned & theirs
    assert {o.parent_signature for o in events.owned} == {"sig-meeting"}

    emails = read_back(crm, rows("email", "EmailMessage", ours_email), fetch=fetch)
    tasks = {o.remote_id for o in emails.owned if o.kind == "email_task"}
    their_task = sf.query(f"SELECT ActivityId FROM EmailMessage WHERE Id = '{theirs_email}'")
    assert len(tasks) == 1 and their_task["records"][0]["ActivityId"] not in tasks
    relations = {o.remote_id for o in emails.owned if o.kind == "task_relation"}
    (task,) = tasks
    mine = {r["Id"] for r in sf.query(
        f"SELECT Id FROM TaskRelation WHERE TaskId = '{task}'")["records"]}  # fmt: skip
    assert relations == mine and mine
