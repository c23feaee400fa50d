"""A small finished run and its report, shared by the report tests (built once per module)."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from demo_gen.cli import cli

LAZY = re.compile(r'<script type="application/x-gzip-b64" id="([^"]+)"[^>]*>([^<]*)</script>')


@dataclass
class ReportedRun:
    root: Path
    config: Path
    run_id: str
    summary: dict[str, Any]
    html: str  # as written
    expanded: str  # with every compressed block inflated in place

    @property
    def run_dir(self) -> Path:
        return self.root / "runs" / self.run_id


def make_reported_run(root: Path, seeded_org: Path, limit: int = 5) -> ReportedRun:
    """Seed an org copy, run `limit` deals through the CLI, write the report of `latest`."""
    org = root / "org.sqlite"
    shutil.copy(seeded_org, org)
    config = root / "demo.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "run": {
                    "name": "report-pack",
                    "seed": 42,
                    "anchor_date": "2026-11-02",
                    "runs_dir": str(root / "runs"),
                },
                "salesforce": {
                    "local": {"db": str(org)},
                    "query": {"limit": limit, "opportunity_type": None},
                },
                "state": {"url": f"sqlite:///{root / 'state.sqlite'}"},
            }
        ),  # fmt: skip
        encoding="utf-8",
    )
    run = CliRunner().invoke(cli, ["run", "-c", str(config), "--json"])
    assert run.exit_code == 0, run.stderr
    summary = json.loads(run.stdout)
    out = root / "report.html"
    made = CliRunner().invoke(cli, ["report", "latest", "-c", str(config), "--out", str(out)])
    assert made.exit_code == 0, made.stderr
    html = out.read_text(encoding="utf-8")
    return ReportedRun(root, config, summary["run_id"], summary, html, expand(html))


def expand(html: str) -> str:
    """The page with each compressed block's HTML put where the page's script would put it."""
    out = html
    for block_id, payload in LAZY.findall(html):
        inner = gzip.decompress(base64.b64decode(payload)).decode("utf-8")
        slot = re.search(
            rf'<div class="lazy" data-lazy="{re.escape(block_id)}">.*?</div>', out, re.S
        )
        assert slot is not None, f"no slot for {block_id}"
        out = out[: slot.start()] + inner + out[slot.end() :]
    return LAZY.sub("", out)


def story_of(reported: ReportedRun) -> Any:
    """The run read back as `demo-gen report` reads it."""
    from demo_gen.config.model import Secrets, load_config
    from demo_gen.html_report.story import load_story
    from demo_gen.ledger.store import StateStore

    config = load_config(reported.config, env={})
    state = StateStore.open_readonly(config.state.url)
    try:
        return load_story(config, Secrets(), state, reported.run_id)
    finally:
        state.close()
