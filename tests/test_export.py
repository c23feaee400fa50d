"""export: a real run on the local org, exported in every format and read back with DuckDB."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import ANCHOR

from demo_gen.cli import cli
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config
from demo_gen.export.rows import TABLE_OF_KIND
from demo_gen.ledger.store import StateStore
from demo_gen.local_org.store.core import Store

pytestmark = pytest.mark.slow
FORMATS = ("jsonl", "csv", "parquet")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def export(config: Path, out: Path, fmt: str, *what: str) -> dict:
    args = ["export", *what, "-c", str(config), "--format", fmt, "--out", str(out), "--json"]
    result = invoke(*args)
    assert result.exit_code == 0, (result.stderr, result.exception)
    return json.loads(result.stdout)


@pytest.fixture
def done_run(make_config, tmp_path):
    """A real run against the local org: (config path, run id, ledger counts per kind)."""
    config_path = make_config(salesforce={"query": {"limit": 4}})
    config = load_config(config_path)
    report = run(config, Secrets(), RunOptions(today=ANCHOR))
    assert report.ok and report.created > 0
    with StateStore(config.state.url) as state:
        counts = state.count_by_status(report.run_id)
    per_kind = {kind: sum(by_status.values()) for kind, by_status in counts.items()}
    return config_path, report.run_id, per_kind


def scan(fmt: str, path: Path) -> str:
    if fmt == "parquet":
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', header=true, auto_detect=true)"


def test_export_round_trips_through_duckdb(done_run, tmp_path, org_db):
    config, run_id, per_kind = done_run
    assert set(per_kind) >= {"meeting", "invitee", "email", "scorecard", "answer"}
    for fmt in FORMATS:
        manifest = export(config, tmp_path / fmt, fmt, run_id)
        assert manifest["run_id"] == run_id and manifest["records_without_fields"] == 0
        for kind, table in TABLE_OF_KIND.items():
            assert manifest["tables"][table]["rows"] == per_kind.get(kind, 0), (fmt, table)
    db = duckdb.connect()
    for fmt in ("parquet", "csv"):
        d = tmp_path / fmt
        for kind, table in TABLE_OF_KIND.items():
            [(n,)] = db.sql(f"SELECT count(*) FROM {scan(fmt, d / f'{table}.{fmt}')}").fetchall()
            assert n == per_kind.get(kind, 0), (fmt, table)
        joined = db.sql(
            f"SELECT m.subject, i.relation_id, i.response "
            f"FROM {scan(fmt, d / f'meetings.{fmt}')} m "
            f"JOIN {scan(fmt, d / f'invitees.{fmt}')} i ON i.meeting_signature = m.signature"
        ).fetchall()
        assert len(joined) == per_kind["invitee"]
        assert all(subject and relation for subject, relation, _ in joined)


def describe(path: Path) -> dict[str, str]:
    rows = duckdb.connect().sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    return {row[0]: row[1] for row in rows}


def test_parquet_columns_are_typed(done_run, tmp_path):
    config, run_id, _ = done_run
    export(config, tmp_path / "p", "parquet", run_id)
    meetings = describe(tmp_path / "p" / "meetings.parquet")
    assert meetings["start"] == meetings["end"] == "TIMESTAMP WITH TIME ZONE"
    assert meetings["duration_minutes"] == "BIGINT"
    assert describe(tmp_path / "p" / "invitees.parquet")["is_invitee"] == "BOOLEAN"
    answers = describe(tmp_path / "p" / "answers.parquet")
    assert answers["confidence"] == "DOUBLE"
    assert answers["evidence_signatures"] == "VARCHAR[]"
    assert describe(tmp_path / "p" / "calls.parquet")["at"] == "TIMESTAMP WITH TIME ZONE"


def test_export_holds_what_the_org_holds(done_run, tmp_path, org_db):
    """Ids are the ledger's, and the fields are the records the run wrote, not a new plan."""
    config, run_id, _ = done_run
    export(config, tmp_path / "j", "jsonl", run_id)
    state = StateStore.open_readonly(load_config(config).state.url)
    ledger = {r.signature: r.remote_id for r in state.run_items(run_id)}
    state.close()
    store = Store(org_db)
    try:
        meetings = read_jsonl(tmp_path / "j" / "meetings.jsonl")
        for row in meetings:
            assert row["salesforce_id"] == ledger[row["signature"]]
            event = store.get(row["salesforce_id"])
            assert event is not None
            assert event["Subject"] == row["subject"]
            assert event["Description"] == row["description"]
            assert event["StartDateTime"] == datetime.fromisoformat(row["start"])
            assert row["time_zone"]
        emails = read_jsonl(tmp_path / "j" / "emails.jsonl")
        for row in emails:
            record = store.get(row["salesforce_id"])
            assert record is not None
            assert record.get("TextBody", record.get("Description")) == row["body"]
    finally:
        store.close()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_two_exports_of_a_run_are_byte_identical(done_run, tmp_path):
    config, run_id, _ = done_run
    for fmt in ("jsonl", "csv"):
        export(config, tmp_path / "a", fmt, run_id)
        export(config, tmp_path / "b", fmt, run_id)
        names = sorted(p.name for p in (tmp_path / "a").iterdir() if p.suffix == f".{fmt}")
        assert len(names) == 8
        for name in [*names, "manifest.json"]:
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_plan_export_writes_nothing_but_its_files(make_config, tmp_path, org_counts):
    config = make_config(
        run={"anchor_date": ANCHOR.isoformat()}, salesforce={"query": {"limit": 3}}
    )  # the command reads the clock; a fixed anchor makes its plan the run's
    before = org_counts()
    manifest = export(config, tmp_path / "plan", "jsonl", "--plan")
    assert manifest["mode"] == "plan" and manifest["run_id"] is None
    assert manifest["tables"]["meetings"]["rows"] > 0
    assert org_counts() == before
    assert not (tmp_path / "state.sqlite").exists()
    assert not (tmp_path / "runs").exists()
    preview = json.loads(invoke("dry-run", "-c", str(config), "--json").stdout)
    for kind, table in TABLE_OF_KIND.items():  # the same records dry-run counts
        assert manifest["tables"][table]["rows"] == preview["totals"].get(kind, {}).get("new", 0)
    rows = read_jsonl(tmp_path / "plan" / "meetings.jsonl")
    assert {r["salesforce_status"] for r in rows} == {"planned"}
    assert all(r["salesforce_id"] is None for r in rows)
    # after the run, the same plan carries the ids the run recorded
    report = run(load_config(config), Secrets(), RunOptions(today=ANCHOR))
    again = export(config, tmp_path / "plan2", "jsonl", "--plan")
    assert again["tables"]["meetings"]["rows"] == manifest["tables"]["meetings"]["rows"]
    rows = read_jsonl(tmp_path / "plan2" / "meetings.jsonl")
    assert {r["salesforce_status"] for r in rows} == {"created"}
    assert {r["run_id"] for r in rows} == {report.run_id}
    assert all(r["salesforce_id"] for r in rows)


def assert_one_line_error(result, code: int, *needles: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    assert len([ln for ln in result.stderr.splitlines() if ln.startswith("error:")]) == 1
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_bad_input_is_one_line_and_exit_2(done_run, tmp_path):
    config, run_id, _ = done_run
    out = tmp_path / "out"
    base = ("export", "-c", str(config), "--out", str(out))
    result = invoke(*base, "nope-run", "--format", "jsonl")
    assert_one_line_error(result, 2, "unknown run id: nope-run")
    assert not out.exists()
    result = invoke(*base, run_id, "--format", "xml")
    assert_one_line_error(result, 2, "unknown export format 'xml'", "jsonl, csv, parquet")
    result = invoke(*base, run_id, "--plan", "--format", "csv")
    assert_one_line_error(result, 2, "RUN_ID or pass --plan")
    result = invoke(*base, "--format", "csv")
    assert_one_line_error(result, 2, "RUN_ID or pass --plan")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for where in (blocker, blocker / "sub"):
        result = invoke("export", run_id, "-c", str(config), "--format", "csv", "--out", str(where))
        assert_one_line_error(result, 2, "cannot write the export to", str(where))
    missing = tmp_path / "missing.yaml"
    result = invoke("export", "--plan", "-c", str(missing), "--format", "csv", "--out", str(out))
    assert_one_line_error(result, 2, "configuration file not found")
    result = invoke(*base, "nope-run", "--format", "jsonl", "--json")
    assert json.loads(result.stdout)["exit_code"] == 2


def test_llm_run_exports_the_llm_texts_without_asking_again(make_config, org_db, tmp_path):
    """With the LLM on, a run's export gives back the texts the run wrote: the LLM's from the
    cache, the heuristic ones where the LLM failed in the run, and it sends no request."""
    from llm_server import LlmServer

    with LlmServer() as server:
        llm = {
            "enabled": True,
            "provider": "openai_compatible",
            "base_url": server.url,
            "model": "test-model",
            "max_retries": 0,
            "timeout_s": 3.0,
            "chunk_items": 200,
            "max_tokens": 32000,
        }
        sections = {"llm": llm, "scorecards": {"mode": "hybrid"}}
        config = make_config(**sections, salesforce={"query": {"limit": 4}})
        server.error_rate = 0.5  # some deals fall back to heuristic text in the run
        report = run(load_config(config), Secrets(), RunOptions(today=ANCHOR))
        assert report.ok and report.llm and report.llm["calls"] > 0
        assert 0 < report.llm["fallback_opportunities"] < report.opportunities
        server.error_rate = 0.0  # a request now would get LLM text the run never wrote
        calls = server.count
        manifest = export(config, tmp_path / "llm", "jsonl", report.run_id)
        assert server.count == calls  # no request: the cache only
    assert manifest["records_without_fields"] == 0
    meetings = read_jsonl(tmp_path / "llm" / "meetings.jsonl")
    llm_written = [m for m in meetings if m["description"].startswith("LLM: ")]
    assert 0 < len(llm_written) < len(meetings)
    store = Store(org_db)
    try:
        for row in meetings:
            assert store.get(row["salesforce_id"])["Description"] == row["description"]
        answers = read_jsonl(tmp_path / "llm" / "answers.jsonl")
        for row in answers:
            record = store.get(row["salesforce_id"])
            assert record is not None and record["Answer__c"] == row["answer"]
            assert record["Source__c"] == row["source"]
    finally:
        store.close()
    assert any(row["source"] == "llm" for row in answers)


def test_a_run_whose_org_was_re_created_is_one_line(done_run, tmp_path, org_db):
    config, run_id, _ = done_run
    init = invoke("org", "init", "--db", str(org_db), "--force", "--opportunities", "5")
    assert init.exit_code == 0, init.stderr
    out = tmp_path / "gone"
    result = invoke("export", run_id, "-c", str(config), "--format", "csv", "--out", str(out))
    assert_one_line_error(result, 2, "no opportunity with id")


def test_a_refresh_run_exports_the_day_it_wrote(seeded_org_file, tmp_path):
    """A refresh run's records are filled in from the story as that run showed it (its day,
    its stages moved), not from each deal's anchor: every record it owns has its fields, and
    each meeting's description is the one in the org (an agenda that later became notes is
    exported as the notes the refresh wrote)."""
    from datetime import timedelta

    from refresh_helpers import Pack

    pack = Pack.make(tmp_path / "p", seeded_org_file)
    pack.ok("run", "--today", ANCHOR.isoformat())
    day = (ANCHOR + timedelta(days=12)).isoformat()
    refreshed = pack.ok("refresh", "--advance-stages", "--today", day)
    manifest = export(pack.config, tmp_path / "j", "jsonl", refreshed["run_id"])
    assert manifest["records_without_fields"] == 0
    meetings = read_jsonl(tmp_path / "j" / "meetings.jsonl")
    assert meetings  # the refresh made meetings that entered the window
    events = {row["Id"]: row for row in pack.rows("Event")}
    for row in meetings:
        assert events[row["salesforce_id"]]["Description"] == row["description"]
