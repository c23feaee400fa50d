"""Interrupted runs look interrupted, failed runs say why, and the lock says what it does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from safety_helpers import invoke, run_json

from demo_gen.config.model import load_config
from demo_gen.errors import TargetError
from demo_gen.ledger.store import StateStore


def killed_run(config: Path, point: str) -> subprocess.CompletedProcess[str]:
    """`demo-gen run` in a subprocess that ends like `kill -9` at the named crash point."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_GEN_")}
    env["DEMO_GEN_CRASH_AT"] = point
    return subprocess.run(
        [sys.executable, "-m", "demo_gen", "run", "-c", str(config)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _status(config: Path, *run_id: str) -> object:
    code, out, err = invoke("status", *run_id, "-c", str(config), "--json")
    assert code == 0, err
    return json.loads(out)


def test_a_killed_run_shows_as_interrupted_and_resumes(make_config):
    config = make_config()
    done = killed_run(config, "pending:meeting")
    assert done.returncode == 137, done.stderr
    runs = _status(config)
    assert [r["status"] for r in runs] == ["interrupted"]
    run_id = runs[0]["run_id"]
    detail = _status(config, run_id)
    assert detail["run"]["status"] == "interrupted"
    assert "killed" in detail["error"]["error"]
    code, _, err = invoke("status", run_id, "-c", str(config))
    assert "interrupted" in err and "resumes it" in err
    code, report = run_json(config, "--run-id", run_id)
    assert code == 0 and report["run_id"] == run_id
    assert _status(config)[0]["status"] == "completed"


def test_a_failed_run_says_why(make_config, monkeypatch):
    from demo_gen.ledger.writer import LedgerWriter

    def refuse(self, items, parent_ids):
        raise TargetError("the org refused: INSUFFICIENT_ACCESS on Event")

    monkeypatch.setattr(LedgerWriter, "send", refuse)
    config = make_config()
    code, _, err = invoke("run", "-c", str(config))
    assert code == 5
    run_id = _status(config)[0]["run_id"]
    detail = _status(config, run_id)
    assert detail["run"]["status"] == "failed"
    assert detail["error"]["error"] == "the org refused: INSUFFICIENT_ACCESS on Event"
    assert detail["error"]["error_type"] == "TargetError"
    _, _, text = invoke("status", run_id, "-c", str(config))
    assert "INSUFFICIENT_ACCESS" in text


def test_a_run_refused_by_a_held_lock_exits_4_and_says_dead_locks_are_taken_over(make_config):
    config_path = make_config()
    code, first = run_json(config_path)
    assert code == 0
    config = load_config(config_path)
    with (
        StateStore(config.state.url) as state,
        state.lock(config.run.name, f"salesforce:{first['org_id']}", "other"),
    ):
        code, out, err = invoke("run", "-c", str(config_path))
    assert code == 4
    assert "holds the lock" in err and "taken over automatically" in err


def test_the_lock_of_a_dead_run_is_taken_over(make_config):
    config_path = make_config()
    dead = killed_run(config_path, "created:meeting")  # dies holding the lock
    assert dead.returncode == 137
    code, report = run_json(config_path)  # a new run, not a resume: takes the lock over
    assert code == 0
    statuses = {r["run_id"]: r["status"] for r in _status(config_path)}
    assert statuses[report["run_id"]] == "completed"
    assert sorted(statuses.values()) == ["completed", "interrupted"]
    config = load_config(config_path)
    with StateStore(config.state.url) as state:
        old = next(r for r in state.list_runs() if r.run_id != report["run_id"])
        assert old.status == "interrupted"  # recorded, not only displayed


def test_status_after_reset_keeps_the_summary(make_config):
    config = make_config()
    code, report = run_json(config)
    assert code == 0
    code, _, err = invoke("reset", report["run_id"], "-c", str(config), "--yes")
    assert code == 0, err
    detail = _status(config, report["run_id"])
    assert detail["summary"]["totals"]["created"] == report["totals"]["created"]
    assert sum(detail["reset"]["deleted"].values()) > 0
    _, _, text = invoke("status", report["run_id"], "-c", str(config))
    assert "reset at" in text and "deleted" in text
