"""A run of more than one chunk plans straight to disk (commands/plan_stream.py) and makes what
a run that plans whole makes: after a smaller run pinned some deals and their stories ahead, the
next run — whole in one twin, in chunks of 2 in the other — pins the same plans and stories,
writes the same records, reports the same counts, realism, warnings and scorecards."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from conftest import ANCHOR
from test_stream import _cards, _ledger, _twin

from demo_gen.commands.run import RunOptions, run
from demo_gen.commands.summary import RunReport
from demo_gen.config.model import Config, Secrets


def _run(config: Config, chunk: int, max_opps: int | None = None) -> RunReport:
    options = RunOptions(today=ANCHOR, chunk_deals=chunk, max_opps=max_opps)
    return run(config, Secrets(), options)


def _contents(config: Config) -> dict[str, str]:
    """Every pin: each deal's plan, its story ahead and its turns."""
    db = config.state.url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT key, value FROM content WHERE key LIKE 'plan/%'"))


def _events(report: RunReport, name: str) -> list[dict[str, Any]]:
    lines = (Path(report.run_dir) / "events.jsonl").read_text().splitlines()
    return [{k: v for k, v in e.items() if k not in ("ts", "run_id")}
            for e in map(json.loads, lines) if e["event"] == name]  # fmt: skip


def test_a_streamed_run_after_pins_makes_what_a_whole_run_makes(
    make_config, tmp_path, seeded_org_file
):
    whole_cfg = _twin(make_config, tmp_path, seeded_org_file, "whole")
    streamed_cfg = _twin(make_config, tmp_path, seeded_org_file, "streamed")
    for config in (whole_cfg, streamed_cfg):  # some deals pinned, with their stories ahead
        assert _run(config, chunk=1000, max_opps=3).created > 0
    pinned = _contents(whole_cfg)
    assert pinned == _contents(streamed_cfg) and any(k.endswith("/ahead") for k in pinned)
    whole = _run(whole_cfg, chunk=1000)
    streamed = _run(streamed_cfg, chunk=2)
    assert [e["streamed"] for e in _events(streamed, "plan.spilled")] == [True]
    assert _events(whole, "plan.spilled") == []
    assert _events(streamed, "plan.pinned") == _events(whole, "plan.pinned")
    assert _events(streamed, "plan.pinned")[0]["reused"] == 3
    assert _events(streamed, "plan.built") == _events(whole, "plan.built")
    assert _contents(streamed_cfg) == _contents(whole_cfg)
    assert len(_contents(whole_cfg)) > len(pinned)
    assert _ledger(streamed_cfg) == _ledger(whole_cfg)
    assert streamed.counts == whole.counts and streamed.created > 0
    assert streamed.realism == whole.realism
    assert streamed.warnings == whole.warnings
    assert streamed.scorecards == whole.scorecards
    assert _cards(streamed) == _cards(whole)
