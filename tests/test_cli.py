"""The command line's contract: help everywhere, one-line errors, DESIGN.md's exit codes."""

from __future__ import annotations

import json
import socket

import click
import pytest
from click.testing import CliRunner

from demo_gen.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _commands(cli)], ids=" ".join)
def test_every_command_has_help(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    _, command = next((p, c) for p, c in _commands(cli) if p == path)
    assert command.help, f"{' '.join(path)} has no docstring"


def assert_one_line_error(result, code: int, *needles: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_missing_config_is_a_usage_error(tmp_path):
    result = invoke("run", "-c", str(tmp_path / "nope.yaml"))
    assert_one_line_error(result, 2, "configuration file not found", "nope.yaml")


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("run:\n  name: x\n  seed: [1, 2\n")
    result = invoke("run", "-c", str(path))
    assert_one_line_error(result, 3, "bad.yaml:", "YAML syntax error")


def test_unknown_key_names_file_line_and_key(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("run:\n  name: x\nactivity:\n  past_dayz: 3\n")
    result = invoke("run", "-c", str(path))
    assert_one_line_error(result, 3, "typo.yaml:4:", "activity.past_dayz", "unknown key")


def test_value_out_of_range_names_the_key(tmp_path):
    path = tmp_path / "range.yaml"
    path.write_text("activity:\n  meetings:\n    past_min: 5\n    past_max: 2\n")
    result = invoke("dry-run", "-c", str(path))
    assert_one_line_error(result, 3, "range.yaml:2:", "activity.meetings", "past_max")


def test_real_org_needs_https(tmp_path):
    path = tmp_path / "http.yaml"
    path.write_text("salesforce:\n  target: salesforce\n  instance_url: http://acme.example.com\n")
    result = invoke("run", "-c", str(path))
    assert_one_line_error(result, 3, "http.yaml:1:", "https")


def test_env_override_error_names_the_variable(make_config, monkeypatch):
    monkeypatch.setenv("DEMO_GEN_RUN__SEED", "not-a-number")
    result = invoke("dry-run", "-c", str(make_config()))
    assert_one_line_error(result, 3, "DEMO_GEN_RUN__SEED", "run.seed")


def test_unknown_run_id(make_config):
    config = str(make_config())
    assert_one_line_error(invoke("status", "no-such-run", "-c", config), 2, "unknown run id")
    assert_one_line_error(
        invoke("reset", "no-such-run", "-c", config, "--yes"), 2, "unknown run id"
    )


def test_unknown_opportunity_id(make_config):
    result = invoke("smoke", "-c", str(make_config()), "--opp-id", "006RM000000ZZZZZZZ")
    assert_one_line_error(result, 2, "006RM000000ZZZZZZZ")


def test_malformed_opportunity_id(make_config):
    result = invoke("smoke", "-c", str(make_config()), "--opp-id", "not-an-id")
    assert_one_line_error(result, 2, "not-an-id")


def test_unreachable_org(make_config):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = make_config(salesforce={"local": {"url": f"http://127.0.0.1:{port}"}})
    result = invoke("run", "-c", str(config))
    assert_one_line_error(result, 5, "no local org answers", f"org serve --port {port}")


def test_wrong_credentials(make_config, org_db):
    from demo_gen.local_org.server import LocalOrgServer
    from demo_gen.local_org.store.core import Store

    store = Store(org_db)
    with LocalOrgServer(store, password="something-else") as server:
        config = make_config(salesforce={"local": {"url": server.url}})
        result = invoke("run", "-c", str(config))
    store.close()
    assert_one_line_error(result, 5, "login", "failed")


def test_missing_local_org_database(make_config, tmp_path):
    config = make_config(salesforce={"local": {"db": str(tmp_path / "missing.sqlite")}})
    result = invoke("run", "-c", str(config))
    assert_one_line_error(result, 2, "does not exist", "org init")


def test_state_store_from_the_future(make_config, tmp_path):
    from sqlalchemy import create_engine, text

    from demo_gen.ledger.store import StateStore

    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    StateStore(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    result = invoke("run", "-c", str(make_config()))
    assert_one_line_error(result, 4, "newer")


def test_org_init_and_refusal_without_force(tmp_path):
    db = tmp_path / "org.sqlite"
    result = invoke(
        "org", "init", "--db", str(db), "--opportunities", "15", "--anchor-date", "2026-11-02"
    )
    assert result.exit_code == 0, result.stderr
    assert "15 Opportunity" in result.stderr
    again = invoke("org", "init", "--db", str(db), "--opportunities", "15")
    assert_one_line_error(
        again,
        2,
        "already has data",
    )
    forced = invoke("org", "init", "--db", str(db), "--opportunities", "16", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "16 Opportunity" in forced.stderr


def test_org_serve_answers_the_readme_snippet_and_stops_on_sigterm(org_db):
    import re
    import signal
    import subprocess
    import sys

    from simple_salesforce import Salesforce

    from demo_gen.targets.salesforce.transport import local_session

    proc = subprocess.Popen(
        [sys.executable, "-m", "demo_gen", "org", "serve", "--db", str(org_db), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        for line in proc.stderr:
            found = re.search(r"http://127\.0\.0\.1:\d+", line)
            if found:
                url = found.group(0)
                break
        assert url, "org serve printed no URL"
        sf = Salesforce(
            username="admin@demo-gen.local",
            password="demo-gen",
            security_token="",
            session=local_session(url),
        )
        rows = sf.query("SELECT Name, StageName FROM Opportunity LIMIT 3")["records"]
        assert len(rows) == 3
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=20)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "local org stopped" in rest


def test_unknown_run_id_to_resume(make_config):
    result = invoke("run", "-c", str(make_config()), "--run-id", "20260101T000000Z-nope-000000")
    assert_one_line_error(result, 2, "unknown run id")


def test_calendar_without_a_server_is_refused_plainly_not_ignored(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_text("run:\n  seed: 1\ncalendar:\n  enabled: true\n")
    result = invoke("run", "-c", str(path))
    assert_one_line_error(result, 3, "cal.yaml:3:", "calendar", "url is required")


def test_a_local_org_file_that_is_not_a_database(tmp_path):
    db = tmp_path / "junk.sqlite"
    db.write_text("this is not a database\n" * 100)
    result = invoke("org", "init", "--db", str(db))
    assert_one_line_error(result, 4, "cannot open the local org database")
    assert db.read_text().startswith("this is not a database")  # nothing overwritten


def test_debug_keeps_the_exit_code_and_adds_the_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("run:\n  api_budget_share: 0\n")
    plain = invoke("run", "-c", str(path))
    debug = invoke("--debug", "run", "-c", str(path))
    assert plain.exit_code == debug.exit_code == 3
    assert "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr and "ConfigError" in debug.stderr
    assert "error: bad.yaml:2: run.api_budget_share" in debug.stderr.replace(
        str(tmp_path) + "/", ""
    )
    missing = invoke("--debug", "run", "-c", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2


def test_debug_on_a_bug_is_still_exit_1_with_the_traceback(make_config, monkeypatch):
    import demo_gen.commands.dry_run

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(demo_gen.commands.dry_run, "dry_run", broken)
    result = invoke("--debug", "dry-run", "-c", str(make_config()))
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "bug: ZeroDivisionError: planted" in result.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("run", "-c", "nope.yaml", "--json"), 2),
        (("status", "no-such-run", "--json"), 2),
        (("reset", "--json"), 2),  # click's own usage error
        (("smoke", "--opp-id", "hello", "--json"), 2),
    ],
)
def test_json_errors_are_one_object_on_stdout(args, code):
    result = invoke(*args)
    assert result.exit_code == code, result.stderr
    error = json.loads(result.stdout)
    assert set(error) == {"error", "exit_code", "hint"}
    assert error["exit_code"] == code
    assert error["error"]
    assert "Error:" in result.stderr or "error:" in result.stderr  # the line people read stays


def test_json_config_error_names_file_line_and_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("activity:\n  business_hours: {start: '09:00', end: 17:00}\n")
    result = invoke("dry-run", "-c", str(path), "--json")
    error = json.loads(result.stdout)
    assert error["exit_code"] == result.exit_code == 3
    assert "bad.yaml:2: activity.business_hours.end" in error["error"]
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1


def test_bad_opportunity_id_creates_no_run(make_config, tmp_path):
    from demo_gen.ledger.store import StateStore

    config = make_config()
    result = invoke("smoke", "-c", str(config), "--opp-id", "hello")
    assert_one_line_error(result, 2, "--opp-id", "hello")
    assert not (tmp_path / "runs").exists()
    with StateStore.open_readonly(f"sqlite:///{tmp_path / 'state.sqlite'}") as state:
        assert state.list_runs() == []


def test_dry_run_out_to_a_directory_is_a_usage_error(make_config, tmp_path):
    (tmp_path / "afile").write_text("")
    out = str(tmp_path / "afile" / "plan.json")
    result = invoke("dry-run", "-c", str(make_config()), "--max-opps", "1", "--out", out)
    assert_one_line_error(result, 2, "cannot write the plan")
