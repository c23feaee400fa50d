"""Bounded memory (stream.py): deals are built and written a chunk at a time after one plan, and
the chunking changes nothing — the same plan, the same records, the same report."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from conftest import ANCHOR

from demo_gen.commands.run import RunOptions, run
from demo_gen.commands.summary import RunReport
from demo_gen.config.model import Config, Secrets, load_config


def _twin(make_config, tmp_path: Path, seeded_org_file: Path, name: str, **sections: Any) -> Config:
    """A config on its own copy of the seeded org, with its own ledger and runs folder."""
    db = tmp_path / f"{name}.sqlite"
    shutil.copy(seeded_org_file, db)
    path = make_config(
        f"{name}.yaml",
        run={"runs_dir": str(tmp_path / f"runs-{name}")},
        salesforce={"local": {"db": str(db)}},
        state={"url": f"sqlite:///{tmp_path / f'state-{name}.sqlite'}"},
        **sections,
    )
    return load_config(path)


def _run(config: Config, chunk: int) -> RunReport:
    return run(config, Secrets(), RunOptions(today=ANCHOR, chunk_deals=chunk))


def _ledger(config: Config) -> list[tuple[Any, ...]]:
    db = config.state.url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        return sorted(
            conn.execute(
                "SELECT signature, kind, record_type, status, opportunity_id, parent_signature,"
                " planned_start, subject FROM items"
            )
        )


def _pins(config: Config) -> dict[str, str]:
    db = config.state.url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT key, value FROM content WHERE key LIKE 'plan/%'")
        return {key.split("/")[3]: value for key, value in rows}


def _cards(report: RunReport) -> list[dict[str, Any]]:
    lines = (Path(report.run_dir) / "scorecards.jsonl").read_text().splitlines()
    return [{k: v for k, v in json.loads(line).items() if k != "sf_id"} for line in lines]


def test_chunked_and_whole_runs_make_the_same_plan_and_records(
    make_config, tmp_path, seeded_org_file
):
    whole_cfg = _twin(make_config, tmp_path, seeded_org_file, "whole")
    chunked_cfg = _twin(make_config, tmp_path, seeded_org_file, "chunked")
    whole = _run(whole_cfg, chunk=1000)
    chunked = _run(chunked_cfg, chunk=3)
    assert whole.opportunities == chunked.opportunities >= 7  # several chunks of 3
    assert _pins(whole_cfg) == _pins(chunked_cfg)  # the plan, deal by deal: its fingerprint
    assert _ledger(whole_cfg) == _ledger(chunked_cfg)  # every record, by signature
    assert whole.counts == chunked.counts
    assert whole.realism == chunked.realism
    assert whole.scorecards == chunked.scorecards
    assert _cards(whole) == _cards(chunked)
    assert all(json.loads(line)["sf_id"] for line in
               (Path(chunked.run_dir) / "scorecards.jsonl").read_text().splitlines())  # fmt: skip
    assert _spilled(whole) == [] and _spilled(chunked) == [chunked.opportunities]


def _spilled(report: RunReport) -> list[int]:
    """The deals a run read back from its spilled plan (event plan.spilled)."""
    lines = (Path(report.run_dir) / "events.jsonl").read_text().splitlines()
    return [e["deals"] for e in map(json.loads, lines) if e["event"] == "plan.spilled"]


def test_a_chunked_rerun_creates_nothing(make_config, tmp_path, seeded_org_file):
    config = _twin(make_config, tmp_path, seeded_org_file, "rerun")
    first = _run(config, chunk=2)
    assert first.created > 0 and first.ok
    again = _run(config.model_copy(), chunk=2)
    assert again.created == 0


def test_the_api_budget_spans_the_chunks(make_config, served_org):
    """One budget for the run: the chunks together never send more than it allows."""
    served_org.app.faults.daily_limit = 60
    config = load_config(
        make_config(run={"api_budget_share": 0.1}, salesforce={"local": {"url": served_org.url}})
    )
    report = _run(config, chunk=1)
    assert report.failed > 0  # deferred: the budget ran out
    writes = served_org.app.stats()["requests"].get("POST composite/sobjects", 0)
    assert writes <= 6  # 10% of what was left of the 60, across every chunk


def test_a_crash_in_a_later_chunk_resumes_exactly(make_config, org_counts, monkeypatch):
    """Killed after the org wrote a batch of a later chunk but before the ledger said so; the
    resume (in chunks of another size) makes exactly the plan: no duplicate, no loss."""
    import pytest

    from demo_gen.commands.dry_run import dry_run
    from demo_gen.ledger.store import StateStore

    config = load_config(make_config())
    before = org_counts()
    fresh = load_config(make_config("fresh.yaml", state={"url": "sqlite:///fresh.sqlite"}))
    planned = dry_run(fresh, Secrets(), today=ANCHOR).totals()
    real = StateStore.record_batch
    calls = {"n": 0}

    def dying(self, *args):
        calls["n"] += 1
        if calls["n"] == 12:  # chunks of 2 deals write 5 to 8 batches: this is a later chunk
            raise KeyboardInterrupt
        return real(self, *args)

    monkeypatch.setattr(StateStore, "record_batch", dying)
    with pytest.raises(KeyboardInterrupt):
        _run(config, chunk=2)
    monkeypatch.setattr(StateStore, "record_batch", real)
    assert calls["n"] >= 12  # the ledger thread may commit a batch already under way
    resumed = _run(config, chunk=3)
    assert resumed.ok and resumed.created > 0
    after = org_counts()
    assert after["Event"] - before["Event"] == planned["meeting"]["new"]
    assert after["EmailMessage"] - before["EmailMessage"] == planned["email"]["new"]
    assert after["EventRelation"] - before["EventRelation"] == planned["invitee"]["new"]
    assert _run(config, chunk=2).created == 0
    assert org_counts() == after
