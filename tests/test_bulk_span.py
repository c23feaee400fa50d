"""Bulk API 2.0 jobs that span a run's chunks (commands/stream_bulk.py, ledger/bulk_span.py,
docs/adr/0010-bulk-jobs-span-the-run.md): a run of several chunks opens one ingest job per
record type and level, makes what a one-chunk run makes, and a kill between the chunks'
spooling and the upload — or at a job of the whole run — resumes and resets exactly."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from bulk_helpers import DEALS, bulk_config
from conftest import ANCHOR
from safety_helpers import connect, invoke, org_ids

from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config
from demo_gen.ledger import bulk_span
from demo_gen.ledger.bulk_spool import BulkSpool
from demo_gen.ledger.runlog import read_events
from demo_gen.stages.items import WorkItem

CHUNK = 2


def _config(root: Path, db: Path, url: str | None = None) -> Path:
    return bulk_config(root, "span", url, db)


def _counts(db: Path) -> dict[str, int]:
    return {name: len(ids) for name, ids in org_ids(db).items()}


_RUN = (
    "import sys, datetime\n"
    "from demo_gen.commands.run import RunOptions, run\n"
    "from demo_gen.config.model import Secrets, load_config\n"
    "run(load_config(sys.argv[1]), Secrets(), RunOptions(today=datetime.date.fromisoformat("
    "sys.argv[2]), chunk_deals=int(sys.argv[3]), run_id=sys.argv[4] or None))\n"
)


def _chunked(config: Path, run_id: str = "", crash_at: str | None = None) -> int:
    """A run in chunks of CHUNK deals; with a crash point in its own process (the point ends it
    as kill -9), else in this one (the same code, without an interpreter's start-up)."""
    if crash_at is None:
        options = RunOptions(today=ANCHOR, chunk_deals=CHUNK, run_id=run_id or None)
        run(load_config(config), Secrets(), options)
        return 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_GEN_")}
    env["DEMO_GEN_CRASH_AT"] = crash_at
    args = [sys.executable, "-c", _RUN, str(config), ANCHOR.isoformat(), str(CHUNK), run_id]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode in (0, 137), done.stderr[-2000:]
    return done.returncode


def _run_ids(root: Path) -> list[str]:
    with sqlite3.connect(root / "state.sqlite") as conn:
        return [r for (r,) in conn.execute("SELECT run_id FROM runs ORDER BY started_at")]


def _one(root: Path, sql: str) -> object:
    with sqlite3.connect(root / "state.sqlite") as conn:
        return conn.execute(sql).fetchone()[0]


def test_the_spool_gives_back_each_type_in_order_a_batch_at_a_time():
    def item(n: int, record_type: str, parent: str | None = None) -> WorkItem:
        return WorkItem(f"s{n}", "k", record_type, "006", {"F": n}, "", "", parent=parent)

    with BulkSpool() as spool:
        first = [item(1, "Event"), item(2, "EventRelation", "s1"), item(3, "Event")]
        spool.add(first, lambda i: ["A"])
        spool.add([item(4, "Event")], lambda i: ["B"])
        assert spool.record_types(False) == ["Event"]
        assert spool.record_types(True) == ["EventRelation"]
        batches = [[i.signature for i in b] for b in spool.batches("Event", 1)]
        assert batches == [["s1"], ["s3"], ["s4"]]
        spool.add([item(5, "Event")], lambda i: ["C"])  # added after a read: still at the end
        again = [i.signature for b in spool.batches("Event", 10) for i in b]
        assert again == ["s1", "s3", "s4", "s5"]
        assert spool.columns["Event"] == {"A", "B", "C"} and spool.counts["Event"] == 4
        assert spool.holds("Event", "k") and not spool.holds("Event", "invitee")
        assert not spool.holds("Contact", "k")  # a type never spooled
        assert spool.bytes_on_disk() > 0


def test_a_run_of_several_chunks_opens_one_ingest_job_per_record_type(
    org_db, served_org, seeded_org_file, tmp_path
):
    spanned = tmp_path / "spanned"
    spanned.mkdir()
    report = run(
        load_config(_config(spanned, org_db, served_org.url)),
        Secrets(),
        RunOptions(today=ANCHOR, chunk_deals=CHUNK),
    )
    assert report.opportunities == DEALS  # four chunks
    jobs = connect(served_org.url).restful("jobs/ingest")["records"]
    per_object = Counter(job["object"] for job in jobs)
    assert set(per_object) >= {"Event", "EmailMessage", "EventRelation", "EmailMessageRelation"}
    assert set(per_object.values()) == {1}, per_object  # one job per type for the whole run
    events = list(read_events(Path(report.run_dir) / "events.jsonl"))
    (spooled,) = [e for e in events if e["event"] == "bulk.spooled"]
    assert spooled["chunks"] == 4 and spooled["bytes"] > 0
    # each job is open and uploaded before the one before it settles (the org processes one
    # while the client records the other); a level's jobs all settle before the links' open
    steps = [
        (e["event"], e["job_id"]) for e in events if e["event"] in ("bulk.job", "bulk.settled")
    ]
    opened = [e for e in events if e["event"] == "bulk.job"]
    parents = [e["job_id"] for e in opened if e["sobject"] not in LINK_OBJECTS]
    links = [e["job_id"] for e in opened if e["sobject"] in LINK_OBJECTS]
    assert len(parents) >= 3 and len(links) >= 2
    assert steps == _overlapped(parents) + _overlapped(links)
    # the same records as one chunk's jobs make, and a rerun makes none
    whole = tmp_path / "whole"
    whole.mkdir()
    whole_db = whole / "org.sqlite"
    shutil.copy(seeded_org_file, whole_db)
    one = run(load_config(_config(whole, whole_db)), Secrets(), RunOptions(today=ANCHOR))
    assert _counts(org_db) == _counts(whole_db)
    assert report.counts == one.counts
    assert report.counts["email_task"]["created"] > 0  # owned through the query jobs
    cards = (Path(report.run_dir) / "scorecards.jsonl").read_text().splitlines()
    ids = [json.loads(line)["sf_id"] for line in cards]  # filled once the cards' job ran
    assert len(ids) == report.counts["scorecard"]["created"] > 0 and all(ids)
    again = run(
        load_config(_config(spanned, org_db, served_org.url)),
        Secrets(),
        RunOptions(today=ANCHOR, chunk_deals=CHUNK),
    )
    assert sum(v["created"] for v in again.counts.values()) == 0


LINK_OBJECTS = {"EventRelation", "EmailMessageRelation", "DemoGen_Scorecard_Answer__c"}


def _overlapped(jobs: list[str]) -> list[tuple[str, str]]:
    """The events of a level of jobs sent one beside the other: open the next, settle the one
    before it."""
    steps = [("bulk.job", jobs[0])]
    for before, after in zip(jobs, jobs[1:], strict=False):
        steps += [("bulk.job", after), ("bulk.settled", before)]
    return [*steps, ("bulk.settled", jobs[-1])]


def test_a_job_past_the_upload_limit_is_split(org_db, tmp_path, monkeypatch):
    """Only the upload limit splits a record type's rows into more than one job."""
    monkeypatch.setattr(bulk_span, "MAX_UPLOAD_BYTES", 20_000)
    report = run(
        load_config(_config(tmp_path, org_db)),
        Secrets(),
        RunOptions(today=ANCHOR, chunk_deals=CHUNK),
    )
    events = list(read_events(Path(report.run_dir) / "events.jsonl"))
    jobs = [e for e in events if e["event"] == "bulk.job"]
    per_object = Counter(e["sobject"] for e in jobs)
    assert per_object["EmailMessage"] > 1  # its CSV passes 20,000 bytes
    assert all(e["bytes"] <= 20_000 for e in jobs if per_object[e["sobject"]] > 1)
    assert _one(tmp_path, "SELECT COUNT(*) FROM items WHERE status != 'created'") == 0


@pytest.fixture(scope="module")
def reference(seeded_org_file, tmp_path_factory):
    root = tmp_path_factory.mktemp("span-ref")
    db = root / "org.sqlite"
    shutil.copy(seeded_org_file, db)
    assert _chunked(_config(root, db)) == 0
    return _counts(db)


@pytest.mark.parametrize(
    "point",
    (
        "bulk:spooled#2",  # two chunks spooled to disk; nothing sent, nothing in the ledger
        "pending:email",  # every chunk's emails pending, their job not opened
        "bulk:uploaded:invitee",  # a link job of every chunk's Events uploaded, never closed
        "bulk:uploaded:email",  # two jobs in flight: the meetings' closing, the emails' uploaded
    ),
)
def test_killed_between_the_chunks_spooling_and_the_upload_resumes_and_resets_exactly(
    point, seeded_org_file, reference, tmp_path
):
    db = tmp_path / "org.sqlite"
    shutil.copy(seeded_org_file, db)
    before = org_ids(db)
    config = _config(tmp_path, db)
    assert _chunked(config, crash_at=point) == 137
    if point.startswith("bulk:spooled"):
        assert org_ids(db) == before  # nothing left the process
        assert _one(tmp_path, "SELECT COUNT(*) FROM items") == 0
        assert _one(tmp_path, "SELECT COUNT(*) FROM bulk_jobs") == 0
    if point.startswith("bulk:uploaded"):  # the job id and every row it carries, recorded
        in_flight = 2 if point.endswith(":email") else 1  # the links wait for their parents
        assert _one(tmp_path, "SELECT COUNT(*) FROM bulk_jobs WHERE state = 'open'") == in_flight
        pending = "SELECT COUNT(*) FROM items WHERE status = 'pending'"
        assert _one(tmp_path, "SELECT COUNT(*) FROM bulk_job_rows") == _one(tmp_path, pending)
        deals = "SELECT COUNT(DISTINCT opportunity_id) FROM items WHERE status = 'pending'"
        assert _one(tmp_path, deals) > CHUNK  # one job for the rows of several chunks
    assert _chunked(config, run_id=_run_ids(tmp_path)[0]) == 0
    assert _chunked(config) == 0
    assert _counts(db) == reference  # 0 duplicates, 0 missing
    assert _one(tmp_path, "SELECT COUNT(*) FROM items WHERE status = 'pending'") == 0
    assert _one(tmp_path, "SELECT COUNT(*) FROM bulk_jobs WHERE state != 'settled'") == 0
    for run_id in reversed(_run_ids(tmp_path)):
        code, _, err = invoke("reset", run_id, "--yes", "-c", str(config))
        assert code == 0, err[-2000:]
    assert org_ids(db) == before  # reset exact


def test_the_api_budget_stops_the_run_wide_jobs_and_the_next_run_finishes(
    org_db, reference, tmp_path
):
    """A budget spent after the first job defers the other record types (nothing pending);
    the next run sends them and makes exactly what an unbudgeted run makes."""
    config = _config(tmp_path, org_db)
    first = run(
        load_config(config), Secrets(), RunOptions(today=ANCHOR, chunk_deals=CHUNK, max_calls=4)
    )
    assert first.counts["meeting"]["created"] > 0
    assert sum(v["deferred"] for v in first.counts.values()) > 0
    assert _one(tmp_path, "SELECT COUNT(*) FROM items WHERE status = 'pending'") == 0
    assert _chunked(config) == 0
    assert _counts(org_db) == reference
