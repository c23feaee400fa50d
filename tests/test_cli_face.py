"""What people see first (issue 15 item 5): dry-run's plan line, per-run counts in `status`,
`latest` for status and reset, an unreachable served org, and a fix for every doctor FAIL."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from demo_gen.cli import cli
from demo_gen.commands.doctor import Check
from demo_gen.commands.runref import resolve_run_id
from demo_gen.errors import UsageError
from demo_gen.ledger.store import RunRow, StateStore

PLAN_LINE = re.compile(r"Plan: ([\d,]+) to add, ([\d,]+) unchanged, across ([\d,]+) deals?\.")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def number(text: str) -> int:
    return int(text.replace(",", ""))


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def deal_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("006")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- dry-run: one plan line; one line when nothing would change -------------------------------


def test_dry_run_ends_with_the_plan_then_says_no_changes_in_one_line(make_config):
    config = str(make_config())
    first = invoke("dry-run", "-c", config)
    assert first.exit_code == 0, first.stderr
    plan = PLAN_LINE.fullmatch(last_line(first.stderr))
    assert plan, first.stderr
    outline = json.loads(invoke("dry-run", "-c", config, "--json").stdout)["outline"]
    to_add, unchanged, deals = (number(g) for g in plan.groups())
    assert (to_add, unchanged, deals) == (outline["to_add"], 0, outline["deals"])
    assert to_add > 0 and deals > 1
    assert len(deal_lines(first.stderr)) == deals

    assert invoke("run", "-c", config).exit_code == 0
    again = invoke("dry-run", "-c", config)
    assert again.exit_code == 0, again.stderr
    assert deal_lines(again.stderr) == []  # not one line per deal
    line = last_line(again.stderr)
    assert line.startswith("No changes.")
    assert f"{to_add:,} planned records of {deals} deals already exist" in line
    assert "dry-run totals" not in again.stderr


def test_dry_run_lists_only_the_deals_with_something_to_add(make_config):
    config = str(make_config())
    assert invoke("run", "-c", config, "--max-opps", "2").exit_code == 0
    result = invoke("dry-run", "-c", config)
    assert result.exit_code == 0, result.stderr
    to_add, unchanged, deals = (
        number(g) for g in PLAN_LINE.fullmatch(last_line(result.stderr)).groups()
    )
    assert to_add > 0 and unchanged > 0
    listed = deal_lines(result.stderr)
    assert 0 < len(listed) == deals - 2
    assert all("+" in line for line in listed)
    assert "2 deals with nothing to add not listed" in result.stderr


# --- status: per-run counts; latest ----------------------------------------------------------


def test_status_lists_each_runs_records(make_config):
    config = str(make_config())
    first = json.loads(invoke("run", "-c", config, "--json", "--max-opps", "2").stdout)
    second = json.loads(invoke("run", "-c", config, "--json", "--max-opps", "3").stdout)
    listed = json.loads(invoke("status", "-c", config, "--json").stdout)
    by_id = {run["run_id"]: run["items"] for run in listed}
    assert by_id[first["run_id"]] == {"created": first["totals"]["created"]}
    assert by_id[second["run_id"]] == {"created": second["totals"]["created"]}
    assert second["totals"]["created"] > 0 and second["totals"]["skipped"] > 0

    table = invoke("status", "-c", config).stderr
    assert "created" in table
    for run in (first, second):
        row = next(line for line in table.splitlines() if run["run_id"] in line)
        assert row.split()[-1] == f"{run['totals']['created']:,}"


def test_status_and_reset_take_latest(make_config):
    config = str(make_config())
    assert invoke("run", "-c", config, "--max-opps", "1").exit_code == 0
    newest = json.loads(invoke("run", "-c", config, "--json", "--max-opps", "2").stdout)
    shown = json.loads(invoke("status", "latest", "-c", config, "--json").stdout)
    assert shown["run"]["run_id"] == newest["run_id"]
    planned = json.loads(invoke("reset", "latest", "-c", config, "--dry-run", "--json").stdout)
    assert planned["run_id"] == newest["run_id"]
    assert sum(planned["planned"].values()) > 0


def test_latest_for_reset_skips_a_rerun_that_made_nothing(make_config):
    config = str(make_config())
    first = json.loads(invoke("run", "-c", config, "--json", "--max-opps", "1").stdout)
    rerun = json.loads(invoke("run", "-c", config, "--json", "--max-opps", "1").stdout)
    assert rerun["totals"]["created"] == 0 and rerun["run_id"] != first["run_id"]
    shown = json.loads(invoke("status", "latest", "-c", config, "--json").stdout)
    assert shown["run"]["run_id"] == rerun["run_id"]  # status: simply the newest
    planned = json.loads(invoke("reset", "latest", "-c", config, "--dry-run", "--json").stdout)
    assert planned["run_id"] == first["run_id"]  # reset: the newest that made records
    assert sum(planned["planned"].values()) == first["totals"]["created"]


def test_run_resumes_latest(make_config):
    config = str(make_config())
    first = json.loads(invoke("run", "-c", config, "--json", "--max-opps", "1").stdout)
    resumed = invoke("run", "-c", config, "--json", "--run-id", "latest", "--max-opps", "1")
    again = json.loads(resumed.stdout)
    assert again["run_id"] == first["run_id"]
    assert again["totals"]["created"] == 0


def test_latest_with_no_run_is_one_usage_line(make_config):
    result = invoke("status", "latest", "-c", str(make_config()))
    assert result.exit_code == 2
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        "error: no run of pack test-pack yet: `latest` names none"
    ]


def _row(run_id: str, pack: str, org_id: str, started: str) -> RunRow:
    return RunRow(
        run_id=run_id,
        pack=pack,
        org_id=org_id,
        command="run",
        status="completed",
        started_at=started,
        finished_at=None,
        config_fingerprint="f",
        summary_json=None,
    )


def test_resolve_run_id_picks_the_newest_of_the_pack_and_org(tmp_path):
    state = StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}")
    a_old = _row("r1", "a", "org1", "2026-11-01T10:00:00+00:00")
    for row in (
        a_old,
        replace(a_old, run_id="r2", pack="b", started_at="2026-11-03T10:00:00+00:00"),
        replace(a_old, run_id="r3", started_at="2026-11-02T10:00:00+00:00"),
        replace(a_old, run_id="r4", org_id="org2", started_at="2026-11-02T11:00:00+00:00"),
    ):
        state.start_run(row)
    try:
        assert resolve_run_id(state, "latest") == "r2"
        assert resolve_run_id(state, "latest", pack="a") == "r4"
        assert resolve_run_id(state, "latest", pack="a", org_id="org1") == "r3"
        assert resolve_run_id(state, "r1") == "r1"  # an id names itself, existing or not
        assert resolve_run_id(state, "no-such", pack="zzz") == "no-such"
        with pytest.raises(UsageError, match="no run of pack zzz"):
            resolve_run_id(state, "latest", pack="zzz")
    finally:
        state.close()


def test_latest_that_made_records_skips_a_run_already_reset(tmp_path):
    """`reset latest` twice resets the two newest runs, not the same one twice."""
    from demo_gen.ledger.store import ItemRow

    state = StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}")
    first = _row("r1", "a", "org1", "2026-11-01T10:00:00+00:00")
    state.start_run(first)
    state.start_run(replace(first, run_id="r2", started_at="2026-11-02T10:00:00+00:00"))
    state.start_run(replace(first, run_id="r3", started_at="2026-11-03T10:00:00+00:00"))
    rows = [
        ItemRow(
            signature=f"s{n}",
            run_id=f"r{n}",
            pack="a",
            target="salesforce:org1",
            opportunity_id="006A",
            kind="meeting",
            record_type="Event",
            status="pending",
            remote_id=None,
            error_code=None,
            error=None,
            parent_signature=None,
            planned_start=None,
            subject=None,
            updated_at="",
        )  # fmt: skip
        for n in (1, 2)
    ]
    try:
        state.mark_pending(rows)
        state.mark_created("salesforce:org1", {"s1": "00U1", "s2": "00U2"})
        assert resolve_run_id(state, "latest", pack="a", made=True) == "r2"  # r3 made nothing
        state.mark_deleted("salesforce:org1", ["s2"])  # r2 was reset
        assert resolve_run_id(state, "latest", pack="a", made=True) == "r1"
        assert resolve_run_id(state, "latest", pack="a") == "r3"
    finally:
        state.close()


# --- an unreachable served org ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "dry-run", "smoke"])
def test_an_unreachable_served_org_says_how_to_start_it(make_config, org_db, command):
    port = free_port()
    config = make_config(salesforce={"local": {"url": f"http://127.0.0.1:{port}"}})
    result = invoke(command, "-c", str(config))
    assert result.exit_code == 5, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    url = f"http://127.0.0.1:{port}"
    assert lines[0] == f"error: no local org answers at {url} (salesforce.local.url)"
    assert len(lines) == 2 and lines[1].startswith("hint: start one: ")
    assert f"`demo-gen org serve --port {port} --db {org_db}`" in lines[1]


# --- doctor: a fix for every FAIL ------------------------------------------------------------


def fails_without_fix(stderr: str) -> tuple[int, list[str]]:
    lines = stderr.splitlines()
    fails = [i for i, line in enumerate(lines) if line.startswith("FAIL")]
    followed = [lines[i + 1].lstrip() if i + 1 < len(lines) else "" for i in fails]
    pairs = zip(fails, followed, strict=True)
    bare = [lines[i] for i, after in pairs if not after.startswith("fix:")]
    return len(fails), bare


def _state_from_the_future(tmp_path: Path) -> str:
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'future.sqlite'}"
    StateStore(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    return url


def test_doctor_gives_every_fail_a_fix_when_nothing_answers(make_config, tmp_path):
    config = make_config(
        salesforce={"local": {"url": f"http://127.0.0.1:{free_port()}"}},
        state={"url": _state_from_the_future(tmp_path)},
        llm={
            "enabled": True,
            "provider": "openai_compatible",
            "base_url": f"http://127.0.0.1:{free_port()}/v1",
            "max_retries": 0,
            "timeout_s": 5,
        },
    )
    result = invoke("doctor", "-c", str(config))
    assert result.exit_code == 5
    fails, bare = fails_without_fix(result.stderr)
    assert fails == 3, result.stderr  # state store, LLM, login
    assert bare == []
    checks = json.loads(invoke("doctor", "-c", str(config), "--json").stdout)
    assert all(c["fix"] for c in checks if not c["ok"])
    login = next(c for c in checks if c["name"] == "login")
    assert "demo-gen org serve --port" in login["fix"]


def test_doctor_gives_every_fail_a_fix_on_an_org_that_lacks_fields(make_config, served_org):
    config = make_config(
        salesforce={
            "local": {"url": served_org.url},
            "query": {"exclude_if_omitted_field": "Not_There__c"},
        },
        run={"idempotency_mode": "tag", "signature_field": "No_Signature__c"},
    )
    result = invoke("doctor", "-c", str(config))
    assert result.exit_code == 5
    fails, bare = fails_without_fix(result.stderr)
    # the omitted field, the tag fields on Event, Task and EmailMessage (emails are written so)
    assert fails == 4, result.stderr
    assert bare == []
    assert "fix: add on EmailMessage: No_Signature__c" in result.stderr


def test_a_failed_check_cannot_be_made_without_a_fix():
    with pytest.raises(ValueError, match="without a fix"):
        Check("login", False, "refused")
    assert Check("login", True, "ok").fix is None
