"""What a run reports: counts per kind, API use, realism; `asdict()` is summary.json."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from demo_gen.errors import UsageError
from demo_gen.items import WorkItem
from demo_gen.state import ItemRow, StateStore, created_ids
from demo_gen.writer import WriteOutcome

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


def run_status(state: StateStore, run_id: str) -> dict[str, Any]:
    """One run as `status RUN_ID` shows it: the run, its records by kind and status, failures."""
    run = state.get_run(run_id)
    if run is None:
        raise UsageError(f"unknown run id: {run_id}", hint="`demo-gen status` lists the runs")
    summary = json.loads(run.summary_json) if run.summary_json else None
    failures = [
        {"kind": r.kind, "signature": r.signature, "error_code": r.error_code, "error": r.error}
        for r in state.run_items(run_id, {"failed"})
    ]
    return {
        "run": asdict(run),
        "items": state.count_by_status(run_id),
        "failures": failures,
        "summary": summary,
        "realism": (summary or {}).get("realism"),
        "scorecards": (summary or {}).get("scorecards"),
    }
