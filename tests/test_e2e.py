"""End to end: the CLI, the runner and the local org over real sockets via simple-salesforce."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ANCHOR

from demo_gen.cli import cli
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config
from demo_gen.ledger.store import StateStore


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(config: Path, *extra: str) -> tuple[int, dict]:
    code, out, err = invoke("run", "-c", str(config), "--json", *extra)
    assert out.strip(), err
    return code, json.loads(out)


def test_run_creates_then_rerun_creates_nothing(make_config, org_counts):
    config = make_config()
    before = org_counts()
    code, first = run_json(config)
    assert code == 0, first
    assert first["totals"]["created"] > 0
    assert first["counts"]["meeting"]["created"] > 0
    assert first["counts"]["email"]["created"] > 0
    after = org_counts()
    assert after["Event"] - before["Event"] == first["counts"]["meeting"]["created"]
    assert after["EventRelation"] - before["EventRelation"] == first["counts"]["invitee"]["created"]
    code, second = run_json(config)
    assert code == 0
    assert second["totals"]["created"] == 0
    assert second["totals"]["skipped"] == first["totals"]["created"] + first["totals"]["skipped"]
    assert org_counts() == after


def test_run_outputs_are_jq_friendly(make_config, tmp_path, monkeypatch):
    monkeypatch.setenv("SF_PASSWORD", "hunter2-secret")
    config = make_config()
    code, report = run_json(config)
    assert code == 0
    run_dir = Path(report["run_dir"])
    for name in ("run.json", "summary.json", "config.resolved.yaml", "events.jsonl"):
        assert (run_dir / name).is_file(), name
    lines = (run_dir / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert all({"ts", "run_id", "event", "level"} <= e.keys() for e in events)
    created = [e for e in events if e["event"] == "item.created"]
    assert created and all(
        {"opportunity_id", "kind", "signature", "target", "remote_id", "source"} <= e.keys()
        for e in created
    )
    assert json.loads((run_dir / "run.json").read_text())["status"] == "completed"
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["totals"]["created"] == report["totals"]["created"]
    outputs = "".join(p.read_text() for p in run_dir.iterdir())
    assert "hunter2-secret" not in outputs


def test_rerun_three_days_later_creates_nothing(make_config, org_counts):
    config = load_config(make_config())
    first = run(config, Secrets(), RunOptions(today=ANCHOR))
    assert first.created > 0
    counts = org_counts()
    later = run(config, Secrets(), RunOptions(today=ANCHOR + timedelta(days=3)))
    assert later.created == 0
    assert org_counts() == counts


def org_snapshot(org_db: Path) -> dict[str, list]:
    from demo_gen.local_org.schema.core import OBJECTS
    from demo_gen.local_org.store.core import Store

    store = Store(org_db)
    try:
        return {o.name: store.rows(o.name, include_deleted=True) for o in OBJECTS.values()}
    finally:
        store.close()


def test_dry_run_changes_nothing(make_config, org_counts, org_db, tmp_path):
    config = make_config()
    state_file = tmp_path / "state.sqlite"
    before = org_counts()
    records = org_snapshot(org_db)
    code, out, err = invoke(
        "dry-run", "-c", str(config), "--json", "--out", str(tmp_path / "plan.json")
    )
    assert code == 0, err
    preview = json.loads(out)
    assert preview["totals"]["meeting"]["new"] > 0
    assert org_counts() == before
    assert org_snapshot(org_db) == records  # every field of every record, deleted ones too
    assert not state_file.exists()
    assert not (tmp_path / "runs").exists()
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["opportunities"]
    # after a run, dry-run reports everything as existing (=)
    assert run_json(config)[0] == 0
    state_bytes = state_file.read_bytes()
    code, out, _ = invoke("dry-run", "-c", str(config), "--json")
    totals = json.loads(out)["totals"]
    assert all(t["new"] == 0 for t in totals.values())
    assert state_file.read_bytes() == state_bytes


def test_reset_restores_counts_and_keeps_existing_activity(make_config, org_counts, org_db):
    from demo_gen.local_org.store.core import Store

    config = make_config()
    store = Store(org_db)
    old_events = {r["Id"] for r in store.rows("Event")}
    old_tasks = {r["Id"] for r in store.rows("Task")}
    store.close()
    before = org_counts()
    code, report = run_json(config)
    assert code == 0
    code, out, err = invoke("reset", report["run_id"], "-c", str(config), "--yes")
    assert code == 0, err
    assert org_counts() == before
    store = Store(org_db)
    assert {r["Id"] for r in store.rows("Event")} == old_events
    assert {r["Id"] for r in store.rows("Task")} == old_tasks
    store.close()
    # running again after the reset recreates the same records
    code, again = run_json(config)
    assert code == 0
    assert again["totals"]["created"] == report["totals"]["created"]


def test_reset_dry_run_and_confirmation(make_config, org_counts):
    config = make_config()
    code, report = run_json(config)
    after = org_counts()
    code, out, err = invoke("reset", report["run_id"], "-c", str(config), "--dry-run", "--json")
    assert code == 0, err
    planned = json.loads(out)["planned"]
    assert planned["Event"] == report["counts"]["meeting"]["created"]
    code, _, err = invoke("reset", report["run_id"], "-c", str(config))
    assert code == 2 and "--yes" in err
    assert org_counts() == after


def test_smoke_prints_ids(make_config):
    config = make_config()
    code, out, err = invoke("smoke", "-c", str(config), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["opportunities"] == 1
    assert report["record_ids"]["meeting"] and report["record_ids"]["email"]


def test_status_lists_and_shows_runs(make_config):
    config = make_config()
    _, report = run_json(config)
    code, out, _ = invoke("status", "-c", str(config), "--json")
    assert code == 0
    assert json.loads(out)[0]["run_id"] == report["run_id"]
    code, out, _ = invoke("status", report["run_id"], "-c", str(config), "--json")
    detail = json.loads(out)
    assert detail["run"]["status"] == "completed"
    assert detail["items"]["meeting"]["created"] == report["counts"]["meeting"]["created"]


def test_injected_row_errors_give_exit_6_and_rerun_fills_the_gap(
    make_config, served_org, org_counts, org_db
):
    """Also the default suite's share of the chaos case `fault-row-errors` (under `make chaos`):
    the rerun makes exactly what failed, and resetting both runs leaves no record behind."""
    from safety_helpers import org_ids

    before = org_ids(org_db)
    served_org.app.faults.row_error_rate = 0.2
    config = make_config(salesforce={"local": {"url": served_org.url}})
    code, first = run_json(config)
    assert code == 6
    assert first["totals"]["failed"] > 0
    served_org.app.faults.row_error_rate = 0.0
    code, second = run_json(config)
    assert code == 0
    for kind, counts in first["counts"].items():
        if kind != "email_task":  # the org makes one per email, so they follow the emails
            missing = counts["failed"] + counts["deferred"]
            assert second["counts"][kind]["created"] == missing, kind
    assert second["totals"]["failed"] == 0
    assert second["counts"]["email_task"]["created"] == first["counts"]["email"]["failed"]
    for run_id in (second["run_id"], first["run_id"]):
        code, _, err = invoke("reset", run_id, "-c", str(config), "--yes")
        assert code == 0, err
    assert org_ids(org_db) == before  # no orphan, no duplicate left


def test_tag_mode_stamps_and_is_idempotent(make_config, org_db):
    """Also the default suite's share of the chaos case `tag-mode uninterrupted` (under `make
    chaos`): every Event a tag-mode run makes carries its tag, a rerun makes nothing, and its
    reset gives the org back exactly."""
    from safety_helpers import org_ids

    from demo_gen.local_org.store.core import Store

    before = org_ids(org_db)
    config = make_config(run={"idempotency_mode": "tag"})
    code, first = run_json(config)
    assert code == 0, first
    made = len(org_ids(org_db)["Event"] - before["Event"])
    assert made == first["counts"]["meeting"]["created"] > 0
    store = Store(org_db)
    tagged = [e for e in store.rows("Event") if e["DemoGen_Signature__c"]]
    store.close()
    assert len(tagged) == first["counts"]["meeting"]["created"]
    assert all(e["DemoGen_Run_Id__c"] == first["run_id"] for e in tagged)
    code, second = run_json(config)
    assert code == 0 and second["totals"]["created"] == 0
    code, _, err = invoke("reset", first["run_id"], "-c", str(config), "--yes")
    assert code == 0, err
    assert org_ids(org_db) == before


def test_crash_between_send_and_commit_is_reconciled(make_config, org_counts, monkeypatch):
    """Killed after the org wrote a batch but before the ledger said so: no duplicate, no loss."""
    from demo_gen.commands.dry_run import dry_run

    config = load_config(make_config())
    before = org_counts()
    # what a first run plans on this org (the org's own Events are busy time, ours never)
    fresh = load_config(make_config("fresh.yaml", state={"url": "sqlite:///fresh.sqlite"}))
    planned = dry_run(fresh, Secrets(), today=ANCHOR).totals()
    real = StateStore.record_batch
    calls = {"n": 0}

    def dying(self, org_id, *args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as if killed right after the org answered
        return real(self, org_id, *args)

    monkeypatch.setattr(StateStore, "record_batch", dying)
    with pytest.raises(KeyboardInterrupt):
        run(config, Secrets(), RunOptions(today=ANCHOR))
    monkeypatch.setattr(StateStore, "record_batch", real)
    state = StateStore(config.state.url)
    assert state.pending_items(f"salesforce:{state.list_runs()[0].org_id}", config.run.name)
    state.close()

    assert run(config, Secrets(), RunOptions(today=ANCHOR)).ok
    after = org_counts()
    assert after["Event"] - before["Event"] == planned["meeting"]["new"]
    assert after["EmailMessage"] - before["EmailMessage"] == planned["email"]["new"]
    assert after["EventRelation"] - before["EventRelation"] == planned["invitee"]["new"]
    assert run(config, Secrets(), RunOptions(today=ANCHOR)).created == 0
    assert org_counts() == after


def test_doctor_passes_on_the_local_org(make_config):
    code, out, err = invoke(
        "doctor", "-c", str(make_config(run={"idempotency_mode": "tag"})), "--json"
    )
    assert code == 0, err
    checks = json.loads(out)
    assert {c["name"] for c in checks} >= {
        "login",
        "state store",
        "read Opportunity",
        "create Event",
    }
    assert all(c["ok"] for c in checks)


def test_doctor_says_what_is_missing_and_how_to_fix_it(make_config):
    config = make_config(salesforce={"query": {"exclude_if_omitted_field": "Hidden_From_Demo__c"}})
    code, out, err = invoke("doctor", "-c", str(config))
    assert code == 5
    assert "FAIL Opportunity.Hidden_From_Demo__c" in err
    assert "fix:" in err


def test_ctrl_c_exits_130_and_the_rerun_resumes(make_config, org_counts, monkeypatch, tmp_path):
    from demo_gen.ledger.writer import LedgerWriter

    config = make_config()
    real = LedgerWriter._record_results

    def interrupted(self, batch, results, outcome):
        raise KeyboardInterrupt

    monkeypatch.setattr(LedgerWriter, "_record_results", interrupted)
    code, _, err = invoke("run", "-c", str(config))
    assert code == 130
    assert "interrupted" in err and "Traceback" not in err
    run_json_file = next((tmp_path / "runs").glob("*/run.json"))
    assert json.loads(run_json_file.read_text())["status"] == "interrupted"
    monkeypatch.setattr(LedgerWriter, "_record_results", real)
    run_id = run_json_file.parent.name
    code, report = run_json(config, "--run-id", run_id)
    assert code == 0 and report["totals"]["failed"] == 0
    assert report["run_id"] == run_id
    assert json.loads(run_json_file.read_text())["status"] == "completed"
    code, again = run_json(config)
    assert again["totals"]["created"] == 0


def _fail_first_write(monkeypatch, served_org, statuses):
    from demo_gen.ledger.writer import LedgerWriter

    real = LedgerWriter.send
    armed = {"done": False}

    def send(self, items, parent_ids):
        if not armed["done"] and items:
            armed["done"] = True
            served_org.app.faults.fail_next = list(statuses)
        return real(self, items, parent_ids)

    monkeypatch.setattr(LedgerWriter, "send", send)


def test_an_unconfirmed_write_stays_pending_and_the_rerun_settles_it(
    make_config, served_org, org_counts, monkeypatch
):
    from demo_gen.commands.dry_run import dry_run

    before = org_counts()
    config_path = make_config(salesforce={"local": {"url": served_org.url}})
    # what a first run plans on this org (the org's own Events are busy time, ours never)
    fresh = load_config(make_config("fresh.yaml", salesforce={"local": {"url": served_org.url}},
                                    state={"url": "sqlite:///fresh.sqlite"}))  # fmt: skip
    planned = dry_run(fresh, Secrets()).totals()
    _fail_first_write(monkeypatch, served_org, [500])
    code, first = run_json(config_path)
    assert code == 6
    assert first["totals"]["deferred"] > 0 and first["totals"]["failed"] == 0
    monkeypatch.undo()
    code, second = run_json(config_path)
    assert code == 0, second
    after = org_counts()
    assert after["Event"] - before["Event"] == planned["meeting"]["new"]
    assert after["EmailMessage"] - before["EmailMessage"] == planned["email"]["new"]


def test_a_503_on_a_create_is_retried_within_the_run(make_config, served_org, monkeypatch):
    config_path = make_config(salesforce={"local": {"url": served_org.url}})
    _fail_first_write(monkeypatch, served_org, [503, 503])
    code, report = run_json(config_path)
    assert code == 0, report
    assert report["totals"]["deferred"] == 0


def test_the_api_budget_share_is_never_exceeded(make_config, served_org):
    served_org.app.faults.daily_limit = 60
    config = make_config(
        run={"api_budget_share": 0.1}, salesforce={"local": {"url": served_org.url}}
    )
    code, first = run_json(config)
    assert code == 6
    assert first["totals"]["deferred"] > 0 and first["totals"]["failed"] == 0
    writes = served_org.app.stats()["requests"].get("POST composite/sobjects", 0)
    assert writes <= 6  # 10% of what was left of the 60
    served_org.app.faults.daily_limit = None
    code, second = run_json(make_config("more.yaml", salesforce={"local": {"url": served_org.url}}))
    assert code == 0
    assert second["totals"]["created"] >= first["totals"]["deferred"]


def test_a_limit_spent_elsewhere_mid_run_stops_with_exit_5_and_resumes(
    make_config, served_org, monkeypatch, org_counts
):
    """Another integration spends the org's daily limit while we write: stop, keep the ledger."""
    config = make_config(salesforce={"local": {"url": served_org.url}})
    _fail_first_write(monkeypatch, served_org, [403])
    code, out, err = invoke("run", "-c", str(config))
    assert code == 5
    assert "daily API limit" in err and "Traceback" not in err
    monkeypatch.undo()
    code, report = run_json(config)
    assert code == 0 and report["totals"]["failed"] == 0
    again = org_counts()
    code, rerun = run_json(config)
    assert rerun["totals"]["created"] == 0 and org_counts() == again
