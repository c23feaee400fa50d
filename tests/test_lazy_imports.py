"""What a command loads: `--help` and the commands that need neither the LLM nor the local org
server must not import them (issue 13: every command paid 1–1.5 s of imports for openai).

Each case runs in a fresh interpreter (`python -c`), so a module another test imported cannot
hide a top-level import someone adds back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the CLI in-process with the arguments given and writes the loaded modules to a file.
_PROBE = """
import json, sys
from demo_gen.cli import cli
out, args = sys.argv[1], json.loads(sys.argv[2])
code = 0
try:
    cli(args, prog_name="demo-gen")
except SystemExit as exc:
    code = exc.code
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""

LLM = ("openai", "httpx")
SERVER = ("werkzeug", "demo_gen.local_org.server", "demo_gen.local_org.app.wsgi")
PIPELINE = (
    "sqlalchemy",
    "pydantic",
    "simple_salesforce",
    "demo_gen.stages.planner",
    "demo_gen.stages.content",
)


def loaded(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    """The exit code and the modules loaded by `demo-gen ARGS` in a fresh interpreter."""
    out = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.exists(), result.stderr
    data = json.loads(out.read_text())
    return data["code"], set(data["modules"])


def offenders(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == r or m.startswith(r + ".") for r in roots))


def test_importing_the_cli_loads_nothing_heavy(tmp_path):
    code, modules = loaded(tmp_path)  # no arguments: the group prints its usage
    assert offenders(modules, LLM + SERVER + PIPELINE + ("demo_gen.local_org",)) == []
    assert (
        "demo_gen.commands.live_loop" not in modules
    )  # live's loop loads with the command, not its help


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("run", "--help"),
        ("dry-run", "--help"),
        ("status", "--help"),
        ("reset", "--help"),
        ("doctor", "--help"),
        ("org", "init", "--help"),
        ("org", "serve", "--help"),
        ("live", "--help"),
    ],
    ids=" ".join,
)
def test_help_loads_neither_the_llm_nor_the_org_nor_the_pipeline(tmp_path, args):
    code, modules = loaded(tmp_path, *args)
    assert code == 0
    assert offenders(modules, LLM + SERVER + PIPELINE + ("demo_gen.local_org",)) == []


def test_status_reads_the_ledger_without_the_llm_the_org_or_the_client(tmp_path):
    code, modules = loaded(tmp_path, "status")
    assert code == 0
    assert "sqlalchemy" in modules  # the probe does see what a command loads
    assert offenders(modules, LLM + SERVER + ("simple_salesforce", "demo_gen.local_org")) == []


def test_dry_run_against_a_served_org_with_the_llm_off_loads_neither(
    tmp_path, make_config, served_org
):
    config = make_config(salesforce={"local": {"url": served_org.url}})
    code, modules = loaded(tmp_path, "dry-run", "-c", str(config), "--max-opps", "2")
    assert code == 0
    assert "simple_salesforce" in modules
    assert offenders(modules, LLM + SERVER) == []


def test_doctor_with_the_llm_off_does_not_load_it(tmp_path, make_config, served_org):
    config = make_config(salesforce={"local": {"url": served_org.url}})
    code, modules = loaded(tmp_path, "doctor", "-c", str(config))
    assert code in (0, 5)  # a check may fail on the fixture org; the imports are the point
    assert offenders(modules, LLM + SERVER) == []
