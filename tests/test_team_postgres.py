"""A team's shared ledger on PostgreSQL, end to end: run, rerun and reset with `state.url` on a
real server; two demo-gen processes from two working directories ("machines") on one database
refusing to run one pack at once, and one resuming the other's run after a kill -9."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from safety_helpers import invoke, org_ids, orphans, run_json
from state_backends import Backend

from demo_gen.ledger.store import StateStore
from demo_gen.local_org.faults import Faults

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OTHER_HOST = "machine-a"
"""The host written into process A's lock row: A runs on another machine than B."""


def _machine(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def _config(make_config: Any, machine: Path, state_url: str, org_url: str) -> Path:
    """A config of pack `team-pack` whose runs go to `machine`'s own runs/."""
    return make_config(
        f"{machine.name}.yaml",
        run={"name": "team-pack", "runs_dir": str(machine / "runs")},
        salesforce={"local": {"url": org_url}},
        state={"url": state_url},
    )


def _start(config: Path, machine: Path, crash_at: str | None = None) -> subprocess.Popen[str]:
    """`demo-gen run` as its own process, working in `machine`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_GEN_")}
    if crash_at:
        env["DEMO_GEN_CRASH_AT"] = crash_at
    return subprocess.Popen(
        [sys.executable, "-m", "demo_gen", "run", "-c", str(config)],
        cwd=machine,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_lock(pg: Backend, pid: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not pg.execute("SELECT owner FROM locks WHERE pid = :pid", pid=pid):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "process A never took the lock"
        time.sleep(0.05)


def _in(machine: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(machine)
    return invoke(*args)


def _runs(config: Path) -> dict[str, str]:
    code, out, err = invoke("status", "-c", str(config), "--json")
    assert code == 0, err
    return {r["run_id"]: r["status"] for r in json.loads(out)}


def test_run_rerun_reset_with_the_ledger_on_postgresql(make_config, org_counts, pg_url, tmp_path):
    url = pg_url.replace("postgres@", "postgres:s3cret@")  # trust auth: any password works
    config = make_config()  # its YAML names a SQLite file; .env (as the README says) wins
    (tmp_path / ".env").write_text(f"DEMO_GEN_STATE__URL={url}\n", encoding="utf-8")
    before = org_counts()
    code, first = run_json(config)
    assert code == 0, first
    assert first["counts"]["meeting"]["created"] > 0
    after = org_counts()
    assert after["Event"] - before["Event"] == first["counts"]["meeting"]["created"]
    code, second = run_json(config)
    assert code == 0 and second["totals"]["created"] == 0
    assert org_counts() == after
    code, _, err = invoke("reset", first["run_id"], "-c", str(config), "--yes")
    assert code == 0, err
    assert org_counts() == before
    code, out, err = invoke("doctor", "-c", str(config))
    assert "s3cret" not in out + err and "postgres:***@" in out + err
    resolved = tmp_path / "runs" / first["run_id"] / "config.resolved.yaml"
    assert "s3cret" not in resolved.read_text(encoding="utf-8")
    with StateStore(pg_url) as state:
        assert [r.status for r in state.list_runs()] == ["completed", "reset"]  # newest first
    assert not (tmp_path / "state.sqlite").exists()


def test_two_machines_never_run_one_pack_at_once(
    make_config, served_org, pg_url, tmp_path, monkeypatch
):
    pg = Backend("postgresql", pg_url)
    served_org.app.faults = Faults(latency_ms=250)  # A's run lasts long enough to be met
    machine_a, machine_b = _machine(tmp_path, "machine-a"), _machine(tmp_path, "machine-b")
    config_a = _config(make_config, machine_a, pg_url, served_org.url)
    config_b = _config(make_config, machine_b, pg_url, served_org.url)

    StateStore(pg_url).close()  # the tables exist before A starts: they are polled below
    process_a = _start(config_a, machine_a)
    try:
        _wait_for_lock(pg, process_a.pid, process_a)
        pg.execute("UPDATE locks SET host = :host", host=OTHER_HOST)
        code, _, err = _in(machine_b, monkeypatch, "run", "-c", str(config_b))
        assert process_a.poll() is None, "A finished before B asked: the test proved nothing"
        assert code == 4, err
        assert "holds the lock for pack team-pack" in err and OTHER_HOST in err
        out, err = process_a.communicate(timeout=300)
    finally:
        if process_a.poll() is None:
            process_a.kill()
            process_a.communicate()
    assert process_a.returncode == 0, err
    served_org.app.faults = Faults()
    monkeypatch.chdir(machine_b)
    code, report = run_json(config_b)  # once A is done, B may run: it finds all made
    assert code == 0 and report["totals"]["created"] == 0
    assert sorted(_runs(config_b).values()) == ["completed", "completed"]


def test_a_run_killed_on_one_machine_is_resumed_on_another(
    make_config, served_org, org_db, pg_url, tmp_path, monkeypatch
):
    pg = Backend("postgresql", pg_url)
    before = org_ids(org_db)
    machine_a, machine_b = _machine(tmp_path, "machine-a"), _machine(tmp_path, "machine-b")
    config_a = _config(make_config, machine_a, pg_url, served_org.url)
    config_b = _config(make_config, machine_b, pg_url, served_org.url)

    process_a = _start(config_a, machine_a, crash_at="sent:meeting")  # meetings sent, unrecorded
    process_a.communicate(timeout=300)
    assert process_a.returncode == 137
    pg.execute("UPDATE locks SET host = :host", host=OTHER_HOST)  # A died on another machine
    [(run_a,)] = pg.execute("SELECT run_id FROM runs")
    assert pg.execute("SELECT count(*) FROM items WHERE status = 'pending'")[0][0] > 0

    # B cannot tell a dead machine from a slow one until A's heartbeat is old
    assert _runs(config_b) == {run_a: "running"}
    code, _, err = _in(machine_b, monkeypatch, "run", "-c", str(config_b), "--run-id", run_a)
    assert code == 4 and OTHER_HOST in err, err
    pg.execute("UPDATE locks SET heartbeat_at = '2020-01-01T00:00:00.000Z'")  # 5 minutes on
    assert _runs(config_b) == {run_a: "interrupted"}

    code, resumed = run_json(config_b, "--run-id", run_a)
    assert code == 0, resumed
    assert resumed["run_id"] == run_a and resumed["totals"]["created"] > 0
    assert pg.execute("SELECT count(*) FROM items WHERE status = 'pending'") == [(0,)]
    with StateStore(pg_url) as state:
        owned = set(state.owned_ids(f"salesforce:{resumed['org_id']}"))
    assert orphans(before, org_ids(org_db), owned) == set()  # no duplicate, nothing unowned
    assert (machine_b / "runs" / run_a / "events.jsonl").exists()

    code, again = run_json(config_b)
    assert code == 0 and again["totals"]["created"] == 0
    code, _, err = invoke("reset", run_a, "-c", str(config_b), "--yes")
    assert code == 0, err
    assert org_ids(org_db) == before


def test_an_unreachable_ledger_is_one_line_and_exit_4(make_config, pg_server):
    config = make_config(state={"url": pg_server.url("no_such_database")})
    for command in (["status"], ["run"], ["reset", "some-run", "--yes"]):
        code, _, err = invoke(*command, "-c", str(config))
        assert code == 4, (command, err)
        assert "Traceback" not in err and err.count("error:") == 1, err
        assert 'database "no_such_database" does not exist' in err
