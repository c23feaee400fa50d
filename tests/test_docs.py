"""README's recipes run: every jq line and the DuckDB one-liner, on a real run and its export."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ANCHOR

from demo_gen.cli import cli
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config

ROOT = Path(__file__).parents[1]
DOCS = (ROOT / "README.md", ROOT / "QUICKSTART.md")
DUCKDB_PREFIX = '.venv/bin/python -c "import duckdb'


def recipes(prefix: str) -> list[str]:
    """The lines of the docs' ```sh blocks that start with `prefix` (after a `VAR=...; `)."""
    text = "".join(doc.read_text(encoding="utf-8") for doc in DOCS)
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    return [ln for ln in lines if re.sub(r"^[A-Z]+=\S+; ", "", ln).startswith(prefix)]


def shell(line: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", line], env={**os.environ, **env}, capture_output=True, text=True, check=False
    )


@pytest.fixture
def outputs(make_config, served_org, tmp_path):
    """A run with some rejected rows (so errors.jsonl exists), and its export as JSONL + Parquet."""
    served_org.app.faults.row_error_rate = 0.2
    config_path = make_config(salesforce={"local": {"url": served_org.url}, "query": {"limit": 4}})
    report = run(load_config(config_path), Secrets(), RunOptions(today=ANCHOR))
    served_org.app.faults.row_error_rate = 0.0
    assert report.counts and not report.ok
    out = tmp_path / "export"
    for fmt in ("parquet", "jsonl"):  # jsonl last: the manifest is its
        args = [report.run_id, "-c", str(config_path), "--format", fmt, "--out", str(out)]
        result = CliRunner().invoke(cli, ["export", *args])
        assert result.exit_code == 0, result.stderr
    return Path(report.run_dir), out


@pytest.mark.slow
def test_every_documented_jq_recipe_runs(outputs):
    assert shutil.which("jq"), "jq is needed for this test (.ci/run installs it)"
    run_dir, export_dir = outputs
    lines = recipes("jq ")
    on_exports = [line for line in lines if "$E/" in line]
    assert len(on_exports) >= 7 and len(lines) - len(on_exports) >= 21  # README + QUICKSTART
    for line in lines:
        done = shell(line.split("; ", 1)[-1] if line.startswith("E=") else line,
                     R=str(run_dir), E=str(export_dir))  # fmt: skip
        problems = [ln for ln in done.stderr.splitlines() if "Broken pipe" not in ln]  # | head
        assert done.returncode == 0 and not problems, (line, done.stderr)
        if line in on_exports:
            assert done.stdout.strip(), line


@pytest.mark.slow
def test_the_documented_duckdb_one_liner_runs(outputs):
    _, export_dir = outputs
    (line,) = recipes(DUCKDB_PREFIX)
    command = shlex.quote(sys.executable) + line[len(".venv/bin/python") :]
    done = shell(command, E=str(export_dir))
    assert done.returncode == 0, done.stderr
    assert "local_start" in done.stdout and "invitees" in done.stdout
