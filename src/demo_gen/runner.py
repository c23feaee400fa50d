"""The pipeline, and the only module that knows the order of its steps.

run:      check that the org still holds what the ledger recorded → select → anchor → plan
          (pinned deals keep their plan; every planned deal is pinned now, pinning.py) → write
          text → reconcile pending → create parents → create links (writes.py; each batch is
          read back with what the org made for it) → catch up an email Task a read-back missed
          → summarise
dry-run:  the same up to the writes, against a read-only ledger; nothing is written anywhere
smoke:    run on one opportunity, then list the ids of its records
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import yaml

from demo_gen import __version__, planner
from demo_gen.calendars.step import run_calendars
from demo_gen.compose import (
    llm_answers,
    load_templates,
    opportunity_items,
    scorecard_questions,
    scorecard_summary,
    scorecards_for,
)
from demo_gen.config import Config, Secrets
from demo_gen.content.stories import StoryResult, StoryWriter
from demo_gen.crm import SalesforceCrm, open_crm
from demo_gen.errors import DemoGenError, TargetError, UsageError
from demo_gen.identity import check_org_binding
from demo_gen.items import (
    ANSWER_OBJECT,
    SCORECARD_OBJECT,
    Capabilities,
    WorkItem,
    sf_datetime,
)
from demo_gen.model import Seller
from demo_gen.pinning import load_pins, save_pins
from demo_gen.plan import Plan
from demo_gen.progress import NULL_PROGRESS, Progress
from demo_gen.readback import record_ids, scorecard_details, write_scorecards
from demo_gen.realism import realism_report
from demo_gen.report import RunReport, tally
from demo_gen.runlog import RunLog, new_run_id, utc_now
from demo_gen.scorecards import Scorecard, Template
from demo_gen.selection import select_opportunities
from demo_gen.state import RunRow, StateStore
from demo_gen.state_engine import display_url
from demo_gen.textmetrics import text_report
from demo_gen.writes import WritePhase, create, org_made_counts, reconciled_ledger

_TAGGED_OBJECTS = ("Event", "Task")


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


@dataclass
class _Context:
    config: Config
    options: RunOptions
    crm: SalesforceCrm
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
    texts: dict[str, str] = field(default_factory=dict)  # every item's text, for the calendars
    users: tuple[Seller, ...] = ()  # the org's selling-side people (calendar owners)


def run(
    config: Config, secrets: Secrets, options: RunOptions, progress: Progress = NULL_PROGRESS
) -> RunReport:
    """Create what the plan says and the ledger does not have yet; resumable, idempotent."""
    if options.concurrency is not None:
        sf = config.salesforce.model_copy(update={"concurrency": options.concurrency})
        config = config.model_copy(update={"salesforce": sf})
    today = options.today or datetime.now(UTC).date()
    state = StateStore(config.state.url)
    try:
        with open_crm(config, secrets) as crm:
            org_id = crm.org_id()
            run_id = _run_id(state, options, config.run.name, org_id)
            with state.lock(config.run.name, org_id, owner=run_id):
                log = RunLog(config.run.runs_dir, run_id)
                ctx = _Context(
                    config, options, crm, state, log, org_id, run_id, today, progress, secrets
                )
                with log:
                    return _guarded(ctx)
    finally:
        state.close()


def _run_id(state: StateStore, options: RunOptions, pack: str, org_id: str) -> str:
    if options.run_id is None:
        return new_run_id(datetime.now(UTC), pack)
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
    }


def _execute(ctx: _Context, started: float) -> RunReport:
    checked = check_org_binding(ctx.crm, ctx.state, ctx.org_id, ctx.config.run.name)
    ctx.log.event("ledger.checked", records=checked)
    plan, caps = _prepare(ctx)
    items = _items(ctx, plan, caps)
    phase = WritePhase(
        ctx.crm,
        ctx.state,
        ctx.log,
        ctx.config,
        ctx.org_id,
        ctx.run_id,
        ctx.progress,
        warn=lambda message: _warn(ctx, message),
    )
    ledger, ambiguous = reconciled_ledger(phase, items)
    outcomes = create(phase, items, ledger, ambiguous)
    counts = tally(items, ledger, outcomes)
    counts.update(org_made_counts(phase, items, outcomes, caps))
    write_scorecards(ctx.state, ctx.log, ctx.org_id, items, ctx.scorecards)
    if ctx.config.calendar.enabled:
        counts.update(_calendars(ctx, plan))
    api_used = ctx.crm.api_usage()
    smoke = ctx.options.command == "smoke"
    ids = record_ids(ctx.state, ctx.org_id, items) if smoke else {}
    cards = scorecard_details(ctx.state, ctx.org_id, items, ctx.scorecards) if smoke else []
    return RunReport(
        run_id=ctx.run_id,
        command=ctx.options.command,
        org_id=ctx.org_id,
        pack=ctx.config.run.name,
        opportunities=len(plan.opportunities),
        counts=counts,
        api_calls=ctx.crm.calls,
        api_usage=None if api_used is None else {"used": api_used[0], "max": api_used[1]},
        duration_s=round(time.monotonic() - started, 3),
        warnings=tuple(ctx.warnings),
        realism=realism_report(plan, ctx.config.activity) | text_report(plan, ctx.scorecards),
        scorecards=scorecard_summary(ctx.scorecards),
        llm=ctx.llm,
        run_dir=str(ctx.log.path),
        record_ids=ids,
        scorecard_details=cards,
    )


def _calendars(ctx: _Context, plan: Plan) -> dict[str, dict[str, int]]:
    """The meetings into each internal attendee's calendar, after the org has them."""
    ctx.progress.phase("writing calendars", 1)
    return run_calendars(
        ctx.config, ctx.secrets, ctx.state, ctx.log, run_id=ctx.run_id, org_id=ctx.org_id,
        plan=plan, texts=ctx.texts, users=ctx.users,
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


def _prepare(ctx: _Context) -> tuple[Plan, Capabilities]:
    ctx.progress.phase("selecting opportunities", 1)
    selection = select_opportunities(
        ctx.crm,
        ctx.config.salesforce.query,
        max_opps=ctx.options.max_opps,
        only_ids=ctx.options.opportunity_ids,
        exclude_event_ids=own_record_ids(ctx.state, ctx.config.run.name, ctx.org_id),
        own_tag=own_tag(ctx.config),
    )
    for warning in selection.warnings:
        _warn(ctx, warning)
    if ctx.config.scorecards.mode == "llm" and not ctx.config.llm.enabled:
        _warn(ctx, "scorecards.mode is llm but llm.enabled is false: answers are heuristic")
    opps = selection.snapshot.opportunities
    ctx.state.record_opportunities(ctx.run_id, [o.id for o in opps])
    ctx.log.event("opportunities.selected", count=len(opps), soql=selection.soql)
    caps = capabilities(ctx.crm, ctx.config)
    anchors = resolve_anchors(ctx.state, ctx.config, ctx.org_id, [o.id for o in opps], ctx.today)
    ctx.progress.phase("planning", len(opps))
    snapshot = selection.snapshot
    ctx.users = snapshot.users
    pins = load_pins(ctx.state, ctx.config, ctx.org_id, opps, anchors)
    plan = planner.plan(
        opps, ctx.config, anchors, users=snapshot.users, events=snapshot.events, pinned=pins
    )
    pinned = save_pins(ctx.state, ctx.config, ctx.org_id, plan)  # before anything is written
    ctx.log.event("plan.pinned", reused=len(pins), new=pinned - len(pins))
    for note in plan.notes:
        ctx.warnings.append(note)
        ctx.log.event("plan.note", level="warning", message=note)
    ctx.log.event(
        "plan.built",
        opportunities=len(plan.opportunities),
        meetings=sum(len(op.meetings) for op in plan.opportunities),
        emails=sum(len(op.emails) for op in plan.opportunities),
    )
    return plan, caps


def own_record_ids(state: StateStore, pack: str, org_id: str) -> frozenset[str]:
    """This pack's records in this org, never busy time for the plan: their ids, and for rows
    still pending (written, perhaps, but not confirmed) "subject|start" keys."""
    ids: set[str] = set()
    for run in state.list_runs():
        if run.pack == pack and run.org_id == org_id:
            for item in state.run_items(run.run_id):
                if item.sf_id:
                    ids.add(item.sf_id)
                elif item.subject and item.planned_start:
                    ids.add(f"{item.subject}|{item.planned_start[:19]}")
    return frozenset(ids)


def own_tag(config: Config) -> tuple[str, str] | None:
    """Tag mode: (run tag field, pack), by which selection knows this pack's own Events."""
    if config.run.idempotency_mode != "tag":
        return None
    return config.run.run_tag_field, config.run.name


def capabilities(crm: SalesforceCrm, config: Config, now: datetime | None = None) -> Capabilities:
    """What the org can hold; tag mode refuses to start without its fields.

    `now` (the run's clock) bounds backdating: nothing gets a CreatedDate after it.
    """
    email_messages = config.activity.email_messages and crm.fields_of("EmailMessage") is not None
    scorecards = all(crm.describe(name) is not None for name in (SCORECARD_OBJECT, ANSWER_OBJECT))
    tag = config.run.idempotency_mode == "tag"
    if tag:
        objects = [*_TAGGED_OBJECTS, *(("EmailMessage",) if email_messages else ())]
        needed = (config.run.signature_field, config.run.run_tag_field)
        for sobject in objects:
            missing = [f for f in needed if f not in (crm.fields_of(sobject) or frozenset())]
            if missing:
                raise TargetError(
                    f"tag mode needs {', '.join(missing)} on {sobject}, and the org lacks it",
                    hint="`demo-gen doctor -c CONFIG` says how to add the fields",
                )
    settable = settable_fields(crm)
    if tag:  # tag mode upserts, and an org takes audit fields on plain inserts only
        settable = frozenset(f for f in settable if not f.endswith(".CreatedDate"))
    return Capabilities(
        email_messages=email_messages,
        tag_fields=tag,
        scorecards=scorecards,
        settable=settable,
        backdate_before=sf_datetime(now or datetime.now(UTC)),
    )


_OPTIONAL_FIELDS = (
    ("Event", "CreatedDate"),
    ("Task", "CreatedDate"),
    ("EmailMessage", "CreatedDate"),
    ("Task", "CompletedDateTime"),
    ("Task", "CallDisposition"),
)


def settable_fields(crm: SalesforceCrm) -> frozenset[str]:
    """The optional fields describe says we may set on create ("Set Audit Fields" for dates)."""
    out = set()
    for sobject, name in _OPTIONAL_FIELDS:
        described = crm.describe(sobject) or {}
        for f in described.get("fields", []):
            if f.get("name") == name and f.get("createable"):
                out.add(f"{sobject}.{name}")
    return frozenset(out)


def resolve_anchors(
    state: StateStore, config: Config, org_id: str, opp_ids: Sequence[str], today: date
) -> dict[str, date]:
    """Each opportunity's anchor: the configured date, else the date first seen (kept)."""
    if config.run.anchor_date is not None:
        return dict.fromkeys(opp_ids, config.run.anchor_date)
    known = state.anchors(config.run.name, org_id, opp_ids)
    missing = {o: today for o in opp_ids if o not in known}
    if missing:
        state.set_anchors(config.run.name, org_id, missing)
    return {**known, **missing}


def _items(ctx: _Context, plan: Plan, caps: Capabilities) -> list[WorkItem]:
    templates = load_templates(ctx.config)
    if not caps.scorecards:
        _warn(
            ctx,
            f"the org has no {SCORECARD_OBJECT} / {ANSWER_OBJECT}: scorecards are written to "
            "scorecards.jsonl only (`demo-gen doctor` says how to add the objects)",
        )
    stories = _write_stories(ctx, plan, templates)
    items: list[WorkItem] = []
    for op in plan.opportunities:
        story = stories[op.opportunity.id]
        cards = scorecards_for(templates, op, ctx.config, llm_answers(story), story.content.texts)
        ctx.scorecards.extend(cards)
        ctx.texts.update(story.content.texts)
        items.extend(
            opportunity_items(
                op,
                story.content.texts,
                cards,
                org_id=ctx.org_id,
                pack=ctx.config.run.name,
                caps=caps,
            )
        )
    return items


def _write_stories(
    ctx: _Context, plan: Plan, templates: Sequence[Template]
) -> dict[str, StoryResult]:
    """Every opportunity's texts and LLM scorecard answers (heuristic when the LLM is off)."""
    cfg = ctx.config
    writer = StoryWriter(
        cfg.llm,
        ctx.secrets.openai_api_key,
        ctx.state,
        refresh=ctx.options.refresh_content,
        on_event=ctx.log.event,
        seed=cfg.run.seed,
        pack=cfg.run.name,
    )
    questions = scorecard_questions(templates, plan.opportunities, cfg)
    stories = writer.write_all(plan.opportunities, questions, ctx.progress)
    if cfg.llm.enabled:
        ctx.llm = writer.stats.asdict()
    return stories


def _warn(ctx: _Context, message: str) -> None:
    ctx.warnings.append(message)
    ctx.progress.note(message)
    ctx.log.event("run.warning", level="warning", message=message)
