"""What a run reports: counts per kind, API use, realism; `asdict()` is summary.json."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from demo_gen.errors import UsageError
from demo_gen.ledger.runlog import EVENTS_FILE, read_events
from demo_gen.ledger.store import ItemRow, RunRow, StateStore, created_ids

if TYPE_CHECKING:  # `status` needs none of the write path (simple-salesforce, the content)
    from demo_gen.ledger.writer import WriteOutcome
    from demo_gen.stages.items import WorkItem

COUNT_KEYS = ("created", "skipped", "failed", "deferred")


def tally(
    items: Sequence[WorkItem], ledger: Mapping[str, ItemRow], outcome: WriteOutcome
) -> dict[str, dict[str, int]]:
    """kind -> created / skipped (already in the org) / failed / deferred (not sent) counts."""
    counts: dict[str, dict[str, int]] = {}
    deferred = set(outcome.deferred)
    existing = created_ids(ledger)
    for item in items:
        bucket = counts.setdefault(item.kind, dict.fromkeys(COUNT_KEYS, 0))
        if item.signature in existing:
            bucket["skipped"] += 1
        elif item.signature in outcome.created:
            bucket["created"] += 1
        elif item.signature in outcome.failed:
            bucket["failed"] += 1
        elif item.signature in deferred:
            bucket["deferred"] += 1
    return counts


@dataclass(frozen=True)
class RunReport:
    """The outcome of `run` or `smoke`."""

    run_id: str
    command: str
    org_id: str
    pack: str
    opportunities: int
    counts: dict[str, dict[str, int]]
    api_calls: int
    api_usage: dict[str, int] | None
    duration_s: float
    warnings: tuple[str, ...] = ()
    realism: dict[str, Any] = field(default_factory=dict)
    scorecards: dict[str, Any] = field(default_factory=dict)
    llm: dict[str, Any] | None = None  # calls, tokens, cache hits, fallbacks (LLM on)
    run_dir: str = ""
    record_ids: dict[str, list[str]] = field(default_factory=dict)
    scorecard_details: list[dict[str, Any]] = field(default_factory=list)
    source_calls: int = 0  # of `api_calls`, those made to the org (its daily limit counts them)

    @property
    def created(self) -> int:
        return sum(c["created"] for c in self.counts.values())

    @property
    def failed(self) -> int:
        return sum(c["failed"] + c["deferred"] for c in self.counts.values())

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def status(self) -> str:
        return "completed" if self.ok else "partial"

    def asdict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = self.status
        out["totals"] = {key: sum(c[key] for c in self.counts.values()) for key in COUNT_KEYS}
        out["warnings"] = list(self.warnings)
        return out


def list_runs(state: StateStore) -> list[RunRow]:
    """Every run, newest first; a run marked running whose lock is gone or stale (killed, or its
    host stopped) is shown as interrupted — it did not finish, and `run --run-id` resumes it."""
    live = state.live_lock_owners()
    return [_seen(run, live) for run in state.list_runs()]


def _seen(run: RunRow, live: set[str]) -> RunRow:
    if run.status == "running" and run.run_id not in live:
        return replace(run, status="interrupted")
    return run


def run_status(state: StateStore, run_id: str, runs_dir: Path | None = None) -> dict[str, Any]:
    """One run as `status RUN_ID` shows it: the run, its records by kind and status, failures,
    why it failed (its `run.failed` event), its summary and what a reset of it did."""
    run = state.get_run(run_id)
    if run is None:
        raise UsageError(f"unknown run id: {run_id}", hint="`demo-gen status` lists the runs")
    run = _seen(run, state.live_lock_owners())
    summary = json.loads(run.summary_json) if run.summary_json else None
    failures = [
        {
            "kind": r.kind,
            "status": r.status,
            "target": r.target,
            "signature": r.signature,
            "error_code": r.error_code,
            "error": r.error,
        }
        for r in state.run_items(run_id, {"failed", "foreign"})
    ]
    return {
        "run": asdict(run),
        "items": state.count_by_status(run_id),
        "targets": state.count_by_target(run_id),
        "failures": failures,
        "error": _run_error(runs_dir, run),
        "summary": summary,
        "reset": json.loads(run.reset_json) if run.reset_json else None,
        "realism": (summary or {}).get("realism"),
        "scorecards": (summary or {}).get("scorecards"),
    }


def _run_error(runs_dir: Path | None, run: RunRow) -> dict[str, Any] | None:
    """The last `run.failed` (or `run.interrupted`) event of the run, if its log is here."""
    if runs_dir is None or run.status not in ("failed", "interrupted"):
        return None
    path = runs_dir / run.run_id / EVENTS_FILE
    if not path.is_file():
        return None
    ends = [e for e in read_events(path) if e["event"] in ("run.failed", "run.interrupted")]
    if not ends:
        return {"event": "none", "error": "killed: the run left no error (kill -9 or power loss)"}
    last = ends[-1]
    return {k: last[k] for k in ("ts", "event", "error", "error_type") if k in last}
