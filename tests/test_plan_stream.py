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
from test_story import ANCHOR as STORY_ANCHOR
from test_story import _config, seeded  # noqa: F401 (the `make demo` org, module-scoped)
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


def test_the_deals_on_disk_are_the_whole_plans_deal_by_deal(seeded, tmp_path):  # noqa: F811
    """On the `make demo` org (200 opportunities, sellers sharing calendars across deals), the
    spill holds each deal's plan on the day and whole story exactly as `plan_step` makes them,
    in the selection's order; its realism figures are `realism_report`'s, its settle flag
    `deals_settle`'s."""
    from demo_gen.commands.plan_stream import plan_to_disk
    from demo_gen.commands.prepare import Hooks, PrepareOptions, plan_step, select_step
    from demo_gen.commands.rerun import deals_settle
    from demo_gen.ledger.store import StateStore
    from demo_gen.stages.realism import realism_report
    from demo_gen.targets.open import open_targets

    db, _ = seeded
    config = _config(db)
    state = StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}")
    options, hooks = PrepareOptions(today=STORY_ANCHOR), Hooks(lambda _: None)
    try:
        with open_targets(config, Secrets()) as opened:
            src, targets = opened.source, opened.targets
            picked = select_step(src, state, config, options, hooks)
            whole = plan_step(src, targets, state, config, Secrets(), options, hooks, picked)
            _, spilled = plan_to_disk(
                src, targets, state, config, Secrets(), options, hooks, picked
            )
    finally:
        state.close()
    deals = whole.plan.opportunities
    assert len(deals) > 50 and spilled.ids == tuple(op.opportunity.id for op in deals)
    with spilled.spill as spill:
        for n, (day, story) in enumerate(p for chunk in spill.chunks(7) for p in chunk):
            assert day == deals[n] and story == whole.whole.opportunities[n], n
    assert spilled.realism == realism_report(whole.plan, config.activity)
    assert spilled.settle == deals_settle(deals)
