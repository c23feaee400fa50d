"""`demo-gen report`: one run drawn as a single offline HTML file."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from demo_gen import __version__
from demo_gen.commands.runref import resolve_run_id
from demo_gen.config.model import Config, Secrets
from demo_gen.errors import UsageError
from demo_gen.html_report.charts import realism_charts
from demo_gen.html_report.deal_view import DealView, deal_view
from demo_gen.html_report.page import render_page
from demo_gen.html_report.story import RunStory, load_story
from demo_gen.html_report.week_view import seller_views
from demo_gen.ledger.store import StateStore

_WARNINGS = 8  # shown on the page; the rest are counted (all are in events.jsonl)


@dataclass(frozen=True)
class ReportFile:
    """What `report` wrote."""

    run_id: str
    path: Path
    bytes: int
    deals: int
    sellers: int
    charts: int

    def asdict(self) -> dict[str, Any]:
        return {**self.__dict__, "path": str(self.path)}


def write_report(
    config: Config, secrets: Secrets, run_ref: str, out: Path | None = None
) -> ReportFile:
    """Draw run `run_ref` (an id or `latest`) into `out` (default runs/<id>/report.html)."""
    state = StateStore.open_readonly(config.state.url)
    try:
        run_id = resolve_run_id(state, run_ref)
        if state.get_run(run_id) is None:
            raise UsageError(f"unknown run id: {run_id}", hint="`demo-gen status` lists the runs")
        story = load_story(config, secrets, state, run_id)
    finally:
        state.close()
    html, deals, sellers, charts = render_story(story)
    path = out or config.run.runs_dir / run_id / "report.html"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the report to {path}: {exc.strerror or exc}") from exc
    return ReportFile(run_id, path, len(html.encode("utf-8")), deals, sellers, charts)


def render_story(story: RunStory) -> tuple[str, int, int, int]:
    """The page of a run read back: (html, deals, sellers, charts)."""
    cards = defaultdict(list)
    for card in story.scorecards:
        cards[card.get("opportunity_id", "")].append(card)
    # Scripted deals first (as dry-run shows them): the story the user wrote, drawn eagerly.
    ordered = sorted(story.plan.opportunities, key=lambda op: op.scenario is None)
    deals = [
        deal_view(n, op, story.texts, story.users, cards[op.opportunity.id])
        for n, op in enumerate(ordered, start=1)
    ]
    numbers = {op.opportunity.id: n for n, op in enumerate(ordered, start=1)}
    sellers = seller_views(story.plan, story.users, numbers)
    charts = realism_charts(story.summary.get("realism") or {}, story.plan)
    html = render_page(_context(story, deals), deals, sellers, charts)
    return html, len(deals), len(sellers), len(charts)


def _context(story: RunStory, deals: Sequence[DealView]) -> dict[str, Any]:
    summary = story.summary
    counts = summary.get("counts") or {}
    totals = summary.get("totals") or {
        key: sum(c.get(key, 0) for c in counts.values()) for key in ("created", "skipped", "failed")
    }
    return {
        "version": __version__,
        "run": story.run,
        "run_json": story.run_json,
        "summary": summary,
        "counts": sorted(counts.items(), key=lambda kv: -sum(kv[1].values())),
        "totals": totals,
        "duration": _duration(summary.get("duration_s")),
        "failures": _failures(story.errors),
        "warnings": list(summary.get("warnings") or [])[:_WARNINGS],
        "more_warnings": max(0, len(summary.get("warnings") or []) - _WARNINGS),
        "unpinned": story.unpinned,
    }


def _failures(errors: Sequence[dict[str, Any]]) -> list[tuple[str, int, str]]:
    codes = Counter(str(e.get("error_code") or "unknown") for e in errors)
    first: dict[str, str] = {}
    for e in errors:
        first.setdefault(str(e.get("error_code") or "unknown"), str(e.get("message") or ""))
    return [(code, n, first[code][:160]) for code, n in codes.most_common()]


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{seconds:.1f}s"
