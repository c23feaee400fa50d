"""The pipeline, and the only module that knows the order of its steps.

run:      check that each target still holds what the ledger recorded, with the org's marks in
          the same request → a settled run's record under this run's inputs? report from it
          (commands/rerun.py) → else plan (select → anchor → plan, pinned deals keep their plan:
          prepare.plan_step) → per target: settle pending → 500 deals at a time
          (commands/stream.py): text → scorecards → items (prepare.build) → create parents →
          create links (commands/writes.py; each batch is read back with what the target
          made for it) → catch up what a read-back missed → summarise → record the run as
          settled when it left nothing to do
dry-run:  prepare() (the same steps, all deals at once) against a read-only ledger; nothing is
          written anywhere (commands/dry_run.py)
smoke:    run on one opportunity, then list the ids of its records"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

from demo_gen import __version__, clock
from demo_gen.commands import rerun
from demo_gen.commands.collector import fewer_collections
from demo_gen.commands.plan_spill import PlanSpill, spill_plan
from demo_gen.commands.plan_stream import Spilled, plan_chunked
from demo_gen.commands.prepare import (
    Hooks,
    Planned,
    Prepared,
    PrepareOptions,
    plan_step,
)
from demo_gen.commands.progress import NULL_PROGRESS, Progress
from demo_gen.commands.rerun import check_and_mark
from demo_gen.commands.stream import CHUNK_DEALS, write_in_chunks
from demo_gen.commands.summary import RunReport
from demo_gen.commands.writes import WritePhase
from demo_gen.config.model import Config, Secrets
from demo_gen.errors import DemoGenError, UsageError
from demo_gen.ledger.engine import display_url
from demo_gen.ledger.protocol import check_binding
from demo_gen.ledger.runlog import RunLog, new_run_id, utc_now
from demo_gen.ledger.store import RunRow, StateStore
from demo_gen.stages.compose import CardFigures, card_figures, scorecard_summary
from demo_gen.stages.realism import realism_report
from demo_gen.stages.scorecards import Scorecard
from demo_gen.stages.textmetrics import TextTally
from demo_gen.targets.base import Target
from demo_gen.targets.open import OpenTargets, open_targets
from demo_gen.targets.salesforce.marks import Marks
from demo_gen.targets.salesforce.readback import append_scorecards, record_ids, scorecard_details


@dataclass(frozen=True)
class RunOptions:
    """What the command line adds to the configuration."""

    command: str = "run"
    run_id: str | None = None  # resume this run
    max_opps: int | None = None
    concurrency: int | None = None
    opportunity_ids: tuple[str, ...] | None = None  # smoke: just these
    refresh_content: bool = False  # ask the LLM again instead of reusing cached text
    today: date | None = None  # the clock's date unless a caller pins it
    chunk_deals: int = CHUNK_DEALS  # deals built and written at a time (commands/stream.py)
    reveal: bool = False  # refresh: each deal's whole story as of `today` (commands/refresh.py)
    advance_stages: bool = False  # refresh: move each Opportunity's stage along its story
    now: datetime | None = None  # live: reveal the story up to this moment, not `today`'s start
    max_calls: int | None = None  # live: the writes' share of its token bucket
    call_ceiling: int | None = None  # live: the most org calls the pass may make, reads included
    on_prepared: Callable[[Prepared], None] | None = None  # live: the whole story, for its view


@dataclass
class _Context:
    config: Config
    options: RunOptions
    opened: OpenTargets
    state: StateStore
    log: RunLog
    org_id: str
    run_id: str
    today: date
    progress: Progress
    secrets: Secrets
    warnings: list[str] = field(default_factory=list)
    scorecards: list[Scorecard] = field(default_factory=list)
    llm: dict[str, Any] | None = None


def run(
    config: Config, secrets: Secrets, options: RunOptions, progress: Progress = NULL_PROGRESS
) -> RunReport:
    """Create what the plan says and the ledger does not have yet; resumable, idempotent."""
    if options.concurrency is not None:
        sf = config.salesforce.model_copy(update={"concurrency": options.concurrency})
        config = config.model_copy(update={"salesforce": sf})
    now = clock.now()
    today = options.today or now.date()
    state = StateStore(config.state.url)
    try:
        with open_targets(config, secrets, now) as opened, ExitStack() as held:
            org_id = opened.source.org_id
            opened.source.cap_calls(options.call_ceiling)  # live: the pass's reservation
            run_id = _run_id(state, options, config.run.name, org_id)
            for target in opened.targets:  # one lock per pack and target
                held.enter_context(state.lock(config.run.name, target.key, owner=run_id))
            log = RunLog(config.run.runs_dir, run_id)
            ctx = _Context(
                config, options, opened, state, log, org_id, run_id, today, progress, secrets
            )
            with log, fewer_collections():
                return _guarded(ctx)
    finally:
        state.close()


def _run_id(state: StateStore, options: RunOptions, pack: str, org_id: str) -> str:
    if options.run_id is None:
        return new_run_id(clock.now(), pack)
    existing = state.get_run(options.run_id)
    if existing is None:
        raise UsageError(
            f"unknown run id: {options.run_id}", hint="`demo-gen status` lists the runs"
        )
    if existing.org_id != org_id or existing.pack != pack:
        raise UsageError(
            f"run {options.run_id} belongs to pack {existing.pack} on org {existing.org_id}, "
            f"not {pack} on {org_id}"
        )
    return options.run_id


def _guarded(ctx: _Context) -> RunReport:
    started = time.monotonic()
    _start(ctx)
    try:
        report = _execute(ctx, started)
    except KeyboardInterrupt:
        _finish(ctx, "interrupted", None, started)
        ctx.log.event("run.interrupted", level="warning")
        raise
    except DemoGenError as exc:
        _finish(ctx, "failed", None, started)
        ctx.log.event("run.failed", level="error", error=str(exc), error_type=type(exc).__name__)
        raise
    _finish(ctx, report.status, report, started)
    return report


def _start(ctx: _Context) -> None:
    cfg = ctx.config
    started_at = utc_now()
    if ctx.state.get_run(ctx.run_id) is None:
        ctx.state.start_run(
            RunRow(
                run_id=ctx.run_id,
                pack=cfg.run.name,
                org_id=ctx.org_id,
                command=ctx.options.command,
                status="running",
                started_at=started_at,
                finished_at=None,
                config_fingerprint=cfg.fingerprint(),
                summary_json=None,
            )
        )
    ctx.log.write_json("run.json", _run_json(ctx, "running", started_at, None))
    resolved = cfg.model_dump(mode="json")
    resolved["state"]["url"] = display_url(cfg.state.url)  # a PostgreSQL URL may hold a password
    ctx.log.write_text("config.resolved.yaml", yaml.safe_dump(resolved, sort_keys=False))
    ctx.log.event("run.started", command=ctx.options.command, org_id=ctx.org_id, pack=cfg.run.name)


def _finish(ctx: _Context, status: str, report: RunReport | None, started: float) -> None:
    summary = None if report is None else json.dumps(report.asdict())
    ctx.state.finish_run(ctx.run_id, status, utc_now(), summary)
    run_row = ctx.state.get_run(ctx.run_id)
    started_at = run_row.started_at if run_row else utc_now()
    ctx.log.write_json("run.json", _run_json(ctx, status, started_at, utc_now()))
    if report is not None:
        ctx.log.write_json("summary.json", report.asdict())
    ctx.log.event("run.finished", status=status, duration_s=round(time.monotonic() - started, 3))


def _run_json(ctx: _Context, status: str, started: str, finished: str | None) -> dict[str, Any]:
    return {
        "run_id": ctx.run_id,
        "pack": ctx.config.run.name,
        "command": ctx.options.command,
        "config_fingerprint": ctx.config.fingerprint(),
        "target": ctx.config.salesforce.target,
        "org_id": ctx.org_id,
        "tool_version": __version__,
        "started_at": started,
        "finished_at": finished,
        "status": status,
        "today": ctx.today.isoformat(),  # the clock's day (refresh shows the story of this day)
        # refresh and live: the day (or live's moment) the story was shown as of, and whether
        # the deals moved along it; what `export` replays the run with
        "revealed": (ctx.options.now or ctx.today).isoformat() if ctx.options.reveal else None,
        "advance_stages": ctx.options.advance_stages,
    }


def _execute(ctx: _Context, started: float) -> RunReport:
    pack = ctx.config.run.name
    source = ctx.opened.source
    checked = check_and_mark(source, ctx.state, pack)  # the binding check, and the org's marks
    others = [t for t in ctx.opened.targets if t is not source]
    records = checked.records + sum(check_binding(t, ctx.state, pack) for t in others)
    ctx.log.event("ledger.checked", records=records)
    marks = _marks(ctx, checked)
    if marks is not None:
        settled = rerun.lookup(ctx.state, rerun.settled_key(_inputs(ctx), ctx.state, marks))
        if settled is not None:
            return _settled_report(ctx, settled, started)
    report, ids, deals_settle = _first(ctx, started)
    if marks is not None and deals_settle and rerun.counts_settle(report.counts):
        marks = rerun.after_writes(source, marks)
        rerun.record(ctx.state, rerun.settled_key(_inputs(ctx), ctx.state, marks), {
            "run_id": ctx.run_id,
            "opportunity_ids": list(ids),
            "counts": report.counts,
            "warnings": list(report.warnings),
            "realism": report.realism,
            "scorecards": report.scorecards,
        })  # fmt: skip
    return report


def _first(ctx: _Context, started: float) -> tuple[RunReport, tuple[str, ...], bool]:
    """The run proper: plan, then text → items → writes a chunk of deals at a time
    (commands/stream.py), summarise. Returns the report, the deals' ids and whether every
    deal is settled (`rerun.deals_settle`)."""
    pack = ctx.config.run.name
    planned, spilled = _plan_step(ctx)
    source, chunk = ctx.opened.source, _chunk(ctx, planned, spilled)
    if spilled is not None:  # planned straight to disk (commands/plan_stream.py)
        ids, deals_settle, realism = spilled.ids, spilled.settle, spilled.realism
        spill: PlanSpill | None = spilled.spill
    else:
        ids = tuple(op.opportunity.id for op in planned.plan.opportunities)
        deals_settle = rerun.deals_settle(planned.plan.opportunities)
        realism = realism_report(planned.plan, ctx.config.activity)  # while the plan is whole
        spill = None
        if chunk < len(ids):  # chunks read their deals back from disk: the plan is not held
            planned, spill = spill_plan(planned)
    if spill is not None:  # streamed: the whole plan was never held
        ctx.log.event("plan.spilled", deals=len(spill), bytes=spill.bytes, chunk=chunk,
                      streamed=spilled is not None)  # fmt: skip
    del spilled
    smoke = ctx.options.command == "smoke"
    kept: list[Prepared] = []
    texts, figures = (
        TextTally(),
        list[CardFigures](),
    )  # what the report needs of each chunk: counts, not texts

    def done(part: Prepared) -> None:
        texts.add(part.plan.opportunities, part.scorecards)
        figures.extend(card_figures(card) for card in part.scorecards)
        if smoke:  # its scorecard details, read once its one chunk is written
            ctx.scorecards.extend(part.scorecards)
        items = part.items[source.key]
        append_scorecards(ctx.state, ctx.log, source.key, items, part.scorecards)
        if smoke or ctx.options.reveal:
            kept.append(part)
        if ctx.options.on_prepared is not None:  # live: the whole story, for its view
            ctx.options.on_prepared(part)

    ctx.log.write_text("scorecards.jsonl", "")
    phases = [_phase(ctx, t) for t in ctx.opened.targets]
    with spill or nullcontext():
        counts = write_in_chunks(planned, phases, chunk, ctx.progress, done, spill).counts
    if ctx.options.reveal and kept:  # one chunk (`_chunk`): the whole run's items
        counts.update(_updates(ctx, kept[0]))
    if ctx.config.llm.enabled:
        ctx.llm = planned.writer.stats.asdict()
    api_used = source.api_usage()
    items = [i for part in kept for i in part.items[source.key]]
    made = record_ids(ctx.state, source.key, items) if smoke else {}
    cards = scorecard_details(ctx.state, source.key, items, ctx.scorecards) if smoke else []
    report = RunReport(
        run_id=ctx.run_id,
        command=ctx.options.command,
        org_id=ctx.org_id,
        pack=pack,
        opportunities=len(ids),
        counts=counts,
        api_calls=sum(t.calls for t in ctx.opened.targets),
        api_usage=None if api_used is None else {"used": api_used[0], "max": api_used[1]},
        duration_s=round(time.monotonic() - started, 3),
        warnings=tuple(ctx.warnings),
        realism=realism | texts.report(),
        scorecards=scorecard_summary(figures),
        llm=ctx.llm,
        run_dir=str(ctx.log.path),
        record_ids=made,
        scorecard_details=cards,
        source_calls=source.calls,
    )
    return report, ids, deals_settle


def _chunk(ctx: _Context, planned: Planned, spilled: Spilled | None = None) -> int:
    """Deals per chunk: all at once for smoke (it lists its ids), for refresh (its updates read
    the whole run's items) and with the LLM on (its batching and accounting span the run)."""
    if spilled is None and _one_chunk(ctx):
        return max(len(planned.plan.opportunities), 1)
    return ctx.options.chunk_deals


def _one_chunk(ctx: _Context) -> bool:
    return ctx.options.command == "smoke" or bool(ctx.options.reveal) or ctx.config.llm.enabled


def _inputs(ctx: _Context) -> rerun.Inputs:
    keys = tuple(t.key for t in ctx.opened.targets)
    return rerun.Inputs(ctx.config, ctx.org_id, keys, ctx.today, ctx.options.max_opps)


def _marks(ctx: _Context, checked: rerun.Checked) -> Marks | None:
    """The org's marks when this run may be told by a settled run's record (commands/rerun.py); None
    when a run of this kind always works in full: smoke, named opportunities, fresh content,
    other targets or calendars, the LLM on, or marks the org would not give."""
    opts, cfg = ctx.options, ctx.config
    if opts.command != "run" or opts.opportunity_ids is not None or opts.refresh_content:
        return None
    if len(ctx.opened.targets) != 1 or cfg.calendar.enabled or cfg.llm.enabled:
        return None  # the LLM's accounting reports each answer's cache hit: read in full
    return checked.marks  # None: the org would not give them


def _settled_report(ctx: _Context, settled: dict[str, Any], started: float) -> RunReport:
    """A rerun that creates nothing, told by a settled run's record (commands/rerun.py)."""
    ids = list(settled["opportunity_ids"])
    ctx.state.record_opportunities(ctx.run_id, ids)
    ctx.warnings.extend(settled["warnings"])
    ctx.log.event("rerun.settled", settled_by=settled["run_id"], opportunities=len(ids))
    cards = ctx.config.run.runs_dir / settled["run_id"] / "scorecards.jsonl"
    if cards.is_file():
        ctx.log.write_text("scorecards.jsonl", cards.read_text(encoding="utf-8"))
    source = ctx.opened.source
    api_used = source.api_usage()
    return RunReport(
        run_id=ctx.run_id,
        command=ctx.options.command,
        org_id=ctx.org_id,
        pack=ctx.config.run.name,
        opportunities=len(ids),
        counts=rerun.as_skipped(settled["counts"]),
        api_calls=source.calls,
        source_calls=source.calls,
        api_usage=None if api_used is None else {"used": api_used[0], "max": api_used[1]},
        duration_s=round(time.monotonic() - started, 3),
        warnings=tuple(ctx.warnings),
        realism=settled["realism"],
        scorecards=settled["scorecards"],
        run_dir=str(ctx.log.path),
    )


def _phase(ctx: _Context, target: Target) -> WritePhase:
    """The write phase in one target, with the run's API budget on the org."""
    budget = None
    if target is ctx.opened.source:
        budget, remaining = ctx.opened.source.api_budget(ctx.config.run.api_budget_share)
        if ctx.options.max_calls is not None:
            budget = min(budget if budget is not None else ctx.options.max_calls,
                         ctx.options.max_calls)  # fmt: skip
        if budget is not None:
            ctx.log.event("api.budget", remaining=remaining, budget=budget)
    return WritePhase(
        target,
        ctx.state,
        ctx.log,
        ctx.config,
        ctx.run_id,
        ctx.progress,
        warn=lambda message: _warn(ctx, message),
        max_calls=budget,
    )


def _updates(ctx: _Context, prepared: Prepared) -> dict[str, dict[str, int]]:
    """refresh: what happened since in the records that exist (outcomes, stages)."""
    from demo_gen.commands.refresh import apply_due
    from demo_gen.commands.refresh_calendars import apply_calendar_due

    ctx.progress.phase("updating passed meetings", 1)
    source, moment = ctx.opened.source, ctx.options.now or ctx.today
    counts = apply_due(
        source, ctx.state, ctx.run_id, prepared, moment,
        advance_stages=ctx.options.advance_stages, event=ctx.log.event,
    )  # fmt: skip
    return counts | apply_calendar_due(  # and in the calendars' copies of the meetings
        ctx.opened.targets, ctx.state, ctx.run_id, prepared, moment,
        source_key=source.key, event=ctx.log.event,
    )  # fmt: skip


def smoke(
    config: Config,
    secrets: Secrets,
    opportunity_id: str | None = None,
    progress: Progress = NULL_PROGRESS,
) -> RunReport:
    """One opportunity end to end (the first selected unless named); lists its record ids."""
    options = RunOptions(
        command="smoke",
        max_opps=None if opportunity_id else 1,
        opportunity_ids=(opportunity_id,) if opportunity_id else None,
    )
    report = run(config, secrets, options, progress)
    if report.opportunities == 0:
        raise UsageError(
            "smoke found no opportunity to work on",
            hint="check salesforce.query in the configuration, or pass --opp-id",
        )
    missing = [k for k in ("meeting", "email") if not report.record_ids.get(k)]
    if missing and report.ok:
        raise UsageError(
            f"the plan for this opportunity has no {' or '.join(missing)}: it has no contacts, "
            "or no working day with common hours in the window",
            hint="pick another opportunity with --opp-id",
        )
    if not report.scorecard_details:
        raise UsageError(
            "smoke wrote no scorecard", hint="set scorecards.templates in the configuration"
        )
    return report


def _plan_step(ctx: _Context) -> tuple[Planned, Spilled | None]:
    """The plan: straight to disk for a run of more than one chunk (commands/plan_stream.py)."""
    options = PrepareOptions(
        today=ctx.today,
        run_id=ctx.run_id,
        max_opps=ctx.options.max_opps,
        only_ids=ctx.options.opportunity_ids,
        refresh_content=ctx.options.refresh_content,
        reveal=(ctx.options.now or ctx.today) if ctx.options.reveal else None,
        advance_stages=ctx.options.advance_stages,
    )
    hooks = Hooks(
        warn=lambda message: _warn(ctx, message),
        event=ctx.log.event,
        progress=ctx.progress,
        note=lambda note: _note(ctx, note),
    )
    opened = ctx.opened
    if _one_chunk(ctx):
        return plan_step(opened.source, opened.targets, ctx.state, ctx.config, ctx.secrets,
                         options, hooks), None  # fmt: skip
    return plan_chunked(opened.source, opened.targets, ctx.state, ctx.config, ctx.secrets,
                        options, hooks, ctx.options.chunk_deals)  # fmt: skip


def _note(ctx: _Context, note: str) -> None:
    ctx.warnings.append(note)
    ctx.log.event("plan.note", level="warning", message=note)


def _warn(ctx: _Context, message: str) -> None:
    ctx.warnings.append(message)
    ctx.progress.note(message)
    ctx.log.event("run.warning", level="warning", message=message)
