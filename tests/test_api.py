"""`demo_gen.api`, the command line's twin, against the local org: every function called the
way a Python caller would, with no CliRunner anywhere in this file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from conftest import ANCHOR
from llm_server import LlmServer
from simple_salesforce.api import Salesforce

from demo_gen import api
from demo_gen.config.model import load_config
from demo_gen.errors import DemoGenError, UsageError
from demo_gen.ledger.store import StateStore
from demo_gen.targets.salesforce.transport import local_session


@pytest.fixture
def config(make_config) -> Path:
    return make_config(run={"anchor_date": ANCHOR.isoformat()})


def ledger_rows(config: Path, run_id: str) -> int:
    state = StateStore.open_readonly(load_config(config).state.url)
    try:
        return sum(n for by in state.count_by_status(run_id).values() for n in by.values())
    finally:
        state.close()


def test_run_status_reset_round_trip_through_the_api_alone(config, org_counts):
    before = org_counts()
    report = api.run(config, max_opps=2)
    assert report.ok and report.opportunities == 2
    made = org_counts()
    assert made["Event"] > before["Event"] and made["Task"] > before["Task"]

    listing = api.status(config=config)
    assert isinstance(listing, api.RunListing)
    assert [r.run_id for r in listing.runs] == [report.run_id]
    assert sum(listing.items[report.run_id].values()) == ledger_rows(config, report.run_id)

    detail = api.status("latest", config=config)
    assert isinstance(detail, api.RunStatus) and detail.run_id == report.run_id
    assert detail.detail["run"]["status"] == "completed"

    again = api.run(config, max_opps=2)  # idempotent through the api too
    assert again.created == 0

    undone = api.reset(report.run_id, config=config, yes=True)
    assert undone.ok and sum(undone.deleted.values()) > 0
    assert org_counts() == before
    after = api.status(report.run_id, config=config)
    assert isinstance(after, api.RunStatus) and after.detail["reset"] is not None


def test_run_accepts_a_loaded_config_and_resumes_latest(config):
    loaded = load_config(config)
    first = api.run(loaded, max_opps=1)
    resumed = api.run(loaded, run_id="latest", max_opps=1)
    assert resumed.run_id == first.run_id and resumed.created == 0


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda c: api.run(c, max_opps=0), "max_opps must be at least 1"),
        (lambda c: api.run(c, concurrency=17), "concurrency must be at most 16"),
        (lambda c: api.run(c, run_id="run-that-never-was"), "unknown run id"),
        (lambda c: api.dry_run(c, max_opps=-1), "max_opps must be at least 1"),
        (lambda c: api.smoke(c, opp_id="hello"), "--opp-id"),
        (lambda c: api.status("nope", config=c), "nope"),
        (lambda c: api.export(config=c, format="jsonl", out="x"), "RUN_ID or pass --plan"),
        (lambda c: api.export(config=c, plan=True, format="xls", out="x"), "unknown export"),
        (lambda c: api.run(Path("missing.yaml")), "configuration file not found"),
    ],
)
def test_bad_input_raises_a_usage_error_instead_of_exiting(config, call, words):
    with pytest.raises(UsageError, match=words) as caught:
        call(config)
    assert caught.value.exit_code == 2


def test_dry_run_returns_the_preview_and_writes_only_the_plan_file(config, org_counts, tmp_path):
    before = org_counts()
    out = tmp_path / "plan.json"
    preview = api.dry_run(config, max_opps=2, out=out)
    assert len(preview.opportunities) == 2
    assert preview.totals()["meeting"]["new"] > 0
    assert json.loads(out.read_text())["opportunities"] == preview.plan["opportunities"]
    assert org_counts() == before
    listing = api.status(config=config)
    assert isinstance(listing, api.RunListing) and listing.runs == ()


def test_smoke_names_the_records_it_made(config):
    report = api.smoke(config)
    assert report.ok and report.opportunities == 1
    assert report.record_ids["meeting"] and report.record_ids["email"]


def test_status_reads_the_scorecards_of_a_run(config):
    report = api.run(config, max_opps=1)
    found = api.status(report.run_id, config=config, scorecards=True)
    assert isinstance(found, api.RunStatus)
    assert found.scorecards and found.scorecards[0]["opportunity_id"]


def test_reset_deletes_nothing_without_consent(config, org_counts):
    report = api.run(config, max_opps=1)
    made = org_counts()
    with pytest.raises(UsageError, match="without confirmation"):
        api.reset(report.run_id, config=config)
    seen = []
    cancelled = api.reset(report.run_id, config=config, confirm=lambda p: seen.append(p) or False)
    assert cancelled.cancelled and seen and sum(seen[0].planned.values()) > 0
    listed = api.reset(report.run_id, config=config, dry_run=True)
    assert listed.dry_run and listed.deleted == {}
    assert org_counts() == made


def test_doctor_returns_its_checks(config):
    checks = api.doctor(config)
    login = next(c for c in checks if c.name == "login")
    assert login.ok and "org 00D" in login.detail


def test_doctor_reports_an_unreachable_org_as_a_failed_check(make_config):
    unreachable = make_config(salesforce={"local": {"url": "http://127.0.0.1:9"}})
    login = next(c for c in api.doctor(unreachable) if c.name == "login")
    assert not login.ok and "org serve" in (login.fix or "")


def test_report_writes_the_page_of_the_latest_run(config, tmp_path):
    made = api.run(config, max_opps=1)
    page = api.report(config=config, out=tmp_path / "page.html")
    assert page.run_id == made.run_id and page.deals == 1
    assert page.path.read_text(encoding="utf-8").startswith("<!")


def test_export_of_a_run_counts_what_the_ledger_holds(config, tmp_path):
    made = api.run(config, max_opps=1)
    written = api.export("latest", config=config, format="jsonl", out=tmp_path / "export")
    assert written.manifest["run_id"] == made.run_id
    rows = sum(t["rows"] for t in written.manifest["tables"].values())
    assert rows > 0 and (tmp_path / "export" / "manifest.json").is_file()


def test_story_without_an_llm_is_the_skeleton_and_is_not_written(config):
    before = config.read_text(encoding="utf-8")
    draft = api.story("Acme Corp: stalls after pricing", config=config)
    assert draft.source == "skeleton" and draft.entry["deal"] == {"name": "Acme Corp"}
    with pytest.raises(UsageError, match="nothing written"):
        api.story("Acme Corp: stalls", config=config, write=True)
    assert config.read_text(encoding="utf-8") == before


def test_story_with_the_llm_writes_the_entry_into_the_file(make_config):
    with LlmServer() as server:
        llm = {"enabled": True, "provider": "openai_compatible", "base_url": server.url,
               "model": "test-model", "max_retries": 0, "timeout_s": 3.0}  # fmt: skip
        config = make_config(llm=llm, salesforce={"query": {"limit": 100}})
        draft = api.story("Lakeshore Press: the deal stalls after the demo", config=config)
        assert draft.writable
        assert api.write_story(draft, config=load_config(config)) == config
    stories = load_config(config).stories
    assert [s.deal.name for s in stories] == ["Lakeshore Press – Customer 360"]


def test_org_init_makes_an_org_and_refuses_to_overwrite_it(tmp_path):
    db = tmp_path / "fresh.sqlite"
    made = api.org_init(db=db, opportunities=3, anchor_date=ANCHOR, seed=7)
    assert made.counts["Opportunity"] == 3 and made.org_id.startswith("00D")
    with pytest.raises(UsageError, match="already has data"):
        api.org_init(db=db, opportunities=3)
    again = api.org_init(db=db, opportunities=3, force=True)
    assert again.org_id != made.org_id


def test_org_serve_answers_a_real_client_while_in_the_block(org_db):
    with api.org_serve(db=org_db, port=0) as org:
        sf = Salesforce(
            username="admin@demo-gen.local",
            password="demo-gen",
            security_token="",
            session=local_session(org.url),
        )
        assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] > 0
    with pytest.raises(requests.ConnectionError):
        requests.get(org.url, timeout=2)


def test_org_serve_refuses_a_missing_database_and_a_bad_status(tmp_path, org_db):
    with pytest.raises(UsageError, match="no local org"), api.org_serve(db=tmp_path / "no.db"):
        pass
    with pytest.raises(UsageError, match="error_status"), api.org_serve(db=org_db, error_status=4):
        pass


def test_every_error_the_api_raises_is_a_demo_gen_error(config):
    """No SystemExit: a library caller gets the typed error with its exit code."""
    with pytest.raises(DemoGenError) as caught:
        api.reset("run-that-never-was", config=config, yes=True)
    assert caught.value.exit_code == 2


def test_the_readme_example_runs_as_written(make_config, org_counts, capsys):
    """README's "Use it from Python" block, executed in a directory holding demo.yaml."""
    import re

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it from Python", 1)[1]
    (block,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    config = make_config(run={"anchor_date": ANCHOR.isoformat()})
    assert config.name == "demo.yaml" and Path("demo.yaml").resolve() == config.resolve()
    before = org_counts()
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith(" True") and "meeting" in printed[1]
    assert org_counts() == before  # it ran, then reset what it made


def test_the_api_doc_example_runs_as_written(make_config, org_db, org_counts, capsys):
    """docs/api.md's example, in a directory holding demo.yaml and runs/local-org.sqlite."""
    import re
    import shutil

    doc = (Path(__file__).parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", doc, re.S)
    make_config(run={"anchor_date": ANCHOR.isoformat()})
    Path("runs").mkdir(exist_ok=True)
    shutil.copy(org_db, "runs/local-org.sqlite")
    before = org_counts()
    exec(compile(block, "docs/api.md", "exec"), {})
    assert capsys.readouterr().out.startswith("http://127.0.0.1:")
    assert Path("export/manifest.json").is_file()
    assert org_counts() == before  # the confirm callback agreed: reset removed what run made
