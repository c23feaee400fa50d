"""export: a run's records (or what a run would write now) as tables of files, writing nothing else.

`export_run` takes the rows a run owns in the ledger and fills in their fields by replaying the
run's deals (export/source.py); `export_plan` exports what `run` would write now, as dry-run
computes it. Both open the state store read-only and only read the org; the files go to `out`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from demo_gen import clock
from demo_gen.config.model import Config, Secrets, load_config
from demo_gen.errors import UsageError
from demo_gen.export.rows import TABLE_OF_KIND, build_tables
from demo_gen.export.source import Planned, ledger_rows, ledger_status, planned_items
from demo_gen.export.write import Format, prepare_dir, write_tables
from demo_gen.ledger.store import RunRow, StateStore


@dataclass(frozen=True)
class ExportReport:
    """What was written: the manifest, and where."""

    out: Path
    manifest: dict[str, Any]

    def asdict(self) -> dict[str, Any]:
        return {"out": str(self.out), **self.manifest}


def export_run(
    config: Config,
    secrets: Secrets,
    run_id: str,
    out: Path,
    fmt: Format,
    *,
    today: date | None = None,
) -> ExportReport:
    """Every record `run_id` owns in the ledger, one table per kind, with the run's fields."""
    state = StateStore.open_readonly(config.state.url)
    try:
        run = state.get_run(run_id)
        if run is None:
            raise UsageError(f"unknown run id: {run_id}", hint="`demo-gen status` lists the runs")
        prepare_dir(out)
        rows = ledger_rows(state, run_id)
        planned = _replay(config, secrets, state, run, _today(today))
    finally:
        state.close()
    tables = build_tables(planned.items, rows, planned.time_zones, from_ledger=True)
    known = {i.signature for i in planned.items}
    header = {
        "mode": "run",
        "run_id": run_id,
        "pack": run.pack,
        "org_id": run.org_id,
        "records_without_fields": sum(
            1 for r in rows if r.kind in TABLE_OF_KIND and r.signature not in known
        ),
    }
    return ExportReport(out, write_tables(tables, out, fmt, header))


def export_plan(
    config: Config,
    secrets: Secrets,
    out: Path,
    fmt: Format,
    *,
    max_opps: int | None = None,
    today: date | None = None,
) -> ExportReport:
    """What `run` would write now (as dry-run computes it), with the ids of what exists."""
    prepare_dir(out)
    state = StateStore.open_readonly(config.state.url)
    try:
        planned = planned_items(config, secrets, state, _today(today), max_opps=max_opps)
        there = ledger_status(state, planned.target, [i.signature for i in planned.items])
    finally:
        state.close()
    tables = build_tables(planned.items, there.values(), planned.time_zones, from_ledger=False)
    header = {
        "mode": "plan",
        "run_id": None,
        "pack": planned.pack,
        "org_id": planned.org_id,
        "records_without_fields": 0,
    }
    return ExportReport(out, write_tables(tables, out, fmt, header))


def _replay(
    config: Config, secrets: Secrets, state: StateStore, run: RunRow, today: date
) -> Planned:
    """The run's deals planned again from their pins, under the run's own configuration."""
    deals = state.run_opportunities(run.run_id)
    if not deals:
        return Planned(run.org_id, run.pack, (), {})
    revealed, advance = _revealed(config, run)
    planned = planned_items(_run_config(config, run), secrets, state, today, only_ids=deals,
                            reveal=revealed, advance_stages=advance)  # fmt: skip
    if planned.org_id != run.org_id:
        raise UsageError(
            f"run {run.run_id} wrote to org {run.org_id}; the configured org is {planned.org_id}",
            hint="pass the -c CONFIG of the run's org",
        )
    return planned


def _revealed(config: Config, run: RunRow) -> tuple[date | None, bool]:
    """The day (a `live` run's last moment) a refresh or live run showed the story as of, and
    whether it moved the deals along it, from its run.json; (None, False) for a `run`: each
    deal's anchor, as it wrote it."""
    path = config.run.runs_dir / run.run_id / "run.json"
    try:
        kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable ({exc})") from exc
    text = kept.get("revealed")
    if not text:
        return None, False
    moment = datetime.fromisoformat(text)
    day = moment if "T" in text else moment.date()
    return day, bool(kept.get("advance_stages"))


def _today(today: date | None) -> date:
    return today or clock.now().date()


def _run_config(config: Config, run: RunRow) -> Config:
    """The configuration the run was made with (runs/<id>/config.resolved.yaml) where it is kept,
    so its pinned plans are found; the given one otherwise. The state store stays the given one."""
    path = config.run.runs_dir / run.run_id / "config.resolved.yaml"
    if not path.is_file():
        return config
    kept = load_config(path, env={})  # as the run resolved it: today's environment left out
    return kept.model_copy(update={"state": config.state})
