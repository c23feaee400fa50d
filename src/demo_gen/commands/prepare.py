"""prepare(): select → anchor → plan → text → scorecards → items, once, for every command.

`run`, `smoke` and `dry-run` all call it, so they cannot drift: the same opportunities, anchors,
pinned plans, texts (the LLM's where the run has them, with its scorecard answers), scorecards
and work items per target. A writing command passes its run id and the prepare step records what
it must (the selected opportunities, first-seen anchors, pinned plans, the LLM's answers); a
read-only one (dry-run) passes none and nothing is written anywhere — anchors not seen yet are
today, plans not pinned yet are planned now, and the LLM is not asked: its cached answers are
used where a run stored them, the heuristic writer's text elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from demo_gen.commands.progress import NULL_PROGRESS, Progress
from demo_gen.config.model import Config, Secrets
from demo_gen.ledger.pinning import load_pins, save_pins
from demo_gen.ledger.store import StateStore
from demo_gen.stages import planner
from demo_gen.stages.compose import (
    llm_answers,
    load_templates,
    opportunity_items,
    scorecard_questions,
    scorecards_for,
)
from demo_gen.stages.content.stories import StoryWriter
from demo_gen.stages.items import (
    ANSWER_OBJECT,
    CALENDAR_EVENT,
    SCORECARD_OBJECT,
    Capabilities,
    WorkItem,
)
from demo_gen.stages.model import BusyEvent, Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.scorecards import Scorecard
from demo_gen.stages.scorecards.templates import Template
from demo_gen.stages.storyline import seen_on, story_texts
from demo_gen.targets.base import Target
from demo_gen.targets.calendars.ical import calendar_items, upcoming_keys
from demo_gen.targets.salesforce.target import SalesforceTarget


def _no_event(_name: str, **_fields: Any) -> None:
    """The event sink of a read-only prepare: nothing is logged anywhere."""


@dataclass(frozen=True)
class PrepareOptions:
    """What the command adds: which opportunities, the clock's date, and whether it writes."""

    today: date
    run_id: str | None = None  # a writing command's run; None = read-only (dry-run)
    max_opps: int | None = None
    only_ids: tuple[str, ...] | None = None
    refresh_content: bool = False
    reveal: date | None = None  # refresh: the day each deal's story is seen on; None = its anchor
    advance_stages: bool = False  # refresh: the day shows each deal as its story has it (stage,
    # close date, close), and the scorecards follow


@dataclass(frozen=True)
class Hooks:
    """Where prepare reports: warnings, run events (RunLog.event) and progress."""

    warn: Callable[[str], None]
    event: Callable[..., None] = _no_event
    progress: Progress = NULL_PROGRESS
    note: Callable[[str], None] | None = None  # a planner note; `warn` when None


@dataclass
class Prepared:
    """Everything up to the writes."""

    plan: Plan
    soql: str
    scorecards: list[Scorecard]
    items: dict[str, list[WorkItem]]  # target key -> its work items, parents before children
    caps: dict[str, Capabilities]  # target key -> what it holds
    texts: dict[str, str] = field(default_factory=dict)  # plan item key -> text
    users: tuple[Seller, ...] = ()  # the org's selling-side people (calendar owners)
    llm: dict[str, Any] | None = None  # the LLM's accounting (a writing run with the LLM on)
    whole: Plan | None = None  # every deal's whole story (`plan` is its view on the day)


def prepare(
    source: SalesforceTarget,
    targets: Sequence[Target],
    state: StateStore,
    config: Config,
    secrets: Secrets,
    options: PrepareOptions,
    hooks: Hooks,
) -> Prepared:
    """The plan, its texts and scorecards, and each target's work items (module docstring)."""
    planned = plan_step(source, targets, state, config, secrets, options, hooks)
    out = build(planned, planned.plan.opportunities, hooks.progress)
    if config.llm.enabled and options.run_id is not None:
        out.llm = planned.writer.stats.asdict()
    return out


@dataclass(frozen=True)
class Planned:
    """Everything up to the text: the whole plan (one calendar across all deals) and what
    `build` needs to turn any of its deals into items."""

    plan: Plan
    soql: str
    users: tuple[Seller, ...]
    caps: dict[str, Capabilities]
    templates: list[Template]
    writer: StoryWriter
    source: SalesforceTarget
    targets: tuple[Target, ...]
    config: Config
    whole: Plan  # each deal's whole story (stages/storyline.py); `plan` is its view on the day
    reveal: date | None = None  # the day `plan` shows (None: each deal's anchor)
    advance_stages: bool = False  # the deals' stages move along their stories that day


def plan_step(
    source: SalesforceTarget,
    targets: Sequence[Target],
    state: StateStore,
    config: Config,
    secrets: Secrets,
    options: PrepareOptions,
    hooks: Hooks,
    picked: Selected | None = None,
) -> Planned:
    """Select, anchor and plan every deal (pinning the plans of a writing command); `picked`:
    the deals `select_step` selected already."""
    picked = picked or select_step(source, state, config, options, hooks)
    plan, soql, users = _plan(picked, source, state, config, options, hooks)
    whole, plan = _revealed(source, state, config, options, plan, users)
    made = plan, whole, soql, users
    return finish_step(source, targets, state, config, secrets, options, hooks, made)


def finish_step(
    source: SalesforceTarget,
    targets: Sequence[Target],
    state: StateStore,
    config: Config,
    secrets: Secrets,
    options: PrepareOptions,
    hooks: Hooks,
    made: tuple[Plan, Plan, str, tuple[Seller, ...]],
) -> Planned:
    """`Planned` around what `made` holds (the plan on the day, the whole story, the selection's
    SOQL and the org's selling-side users), with the writer and the scorecard templates."""
    plan, whole, soql, users = made
    caps = {t.key: t.capabilities() for t in targets}
    if not caps[source.key].scorecards:
        hooks.warn(
            f"the org has no {SCORECARD_OBJECT} / {ANSWER_OBJECT}: scorecards are written to "
            "scorecards.jsonl only (`demo-gen doctor` says how to add the objects)",
        )
    writer = StoryWriter(
        config.llm,
        secrets.openai_api_key,
        state,
        refresh=options.refresh_content,
        on_event=hooks.event,
        seed=config.run.seed,
        pack=config.run.name,
        offline=options.run_id is None,
    )
    templates = load_templates(config)
    return Planned(
        plan, soql, users, caps, templates, writer, source, tuple(targets), config, whole,
        options.reveal, options.advance_stages,
    )  # fmt: skip


def build(
    planned: Planned,
    deals: Sequence[OpportunityPlan],
    progress: Progress,
    wholes: Sequence[OpportunityPlan] | None = None,
) -> Prepared:
    """Text, scorecards and each target's work items for `deals` (some or all of the plan's:
    a deal's items depend on its own plan only); `wholes` are their whole stories, else
    looked up in `planned.whole`. The result's `plan` and `whole` hold these deals only."""
    config, source = planned.config, planned.source
    questions = scorecard_questions(planned.templates, deals, config)
    if wholes is None:
        ids = {op.opportunity.id for op in deals}
        wholes = [o for o in planned.whole.opportunities if o.opportunity.id in ids]
    whole = replace(planned.whole, opportunities=tuple(wholes))
    chunk = replace(planned.plan, opportunities=tuple(deals))
    stories = story_texts(planned.writer, chunk, whole, questions, progress, config)
    keys = [t.key for t in planned.targets]
    out = Prepared(
        chunk, planned.soql, [], {k: [] for k in keys}, planned.caps, users=planned.users,
        whole=whole,
    )  # fmt: skip
    stories_by_id = {o.opportunity.id: o for o in whole.opportunities}
    for op in deals:
        story = stories[op.opportunity.id]
        texts = story.content.texts
        out.texts.update(texts)
        whole_op, stage = stories_by_id[op.opportunity.id], op.opportunity.stage
        seen = seen_on(whole_op, planned.reveal, config, advance_stages=planned.advance_stages,
                       stage=stage)  # fmt: skip
        cards = scorecards_for(planned.templates, op, config, llm_answers(story), texts, seen)
        out.scorecards.extend(cards)
        for key in keys:
            caps = planned.caps[key]
            built = opportunity_items(
                op, texts, cards, org_id=source.org_id, pack=config.run.name, caps=caps
            )
            out.items[key].extend(i for i in built if caps.holds(i.kind))
    for key in keys:  # a calendar: each meeting once per internal attendee
        if CALENDAR_EVENT in planned.caps[key].kinds:
            out.items[key].extend(
                calendar_items(
                    chunk,
                    out.texts,
                    planned.users,
                    org_id=source.org_id,
                    pack=config.run.name,
                    upcoming=upcoming_keys(whole),
                )  # fmt: skip
            )
    return out


@dataclass(frozen=True)
class Selected:
    """The deals to plan and what their plans depend on, before any is planned."""

    opportunities: tuple[Opportunity, ...]
    anchors: Mapping[str, date]
    pins: dict[str, OpportunityPlan]  # the deals pinned before: their plans, kept verbatim
    users: tuple[Seller, ...]
    events: tuple[BusyEvent, ...]
    soql: str


def select_step(
    source: SalesforceTarget,
    state: StateStore,
    config: Config,
    options: PrepareOptions,
    hooks: Hooks,
) -> Selected:
    """Select and anchor the deals (recorded by a writing command) and load their pins."""
    hooks.progress.phase("selecting opportunities", 1)
    pack, org_id = config.run.name, source.org_id
    own = own_record_ids(state, pack, source)
    selection = source.select(
        config.salesforce.query,
        max_opps=options.max_opps,
        only_ids=options.only_ids,
        exclude_event_ids=own,
    )
    if options.reveal is not None and options.only_ids is None:  # refresh, live: stories go on
        from demo_gen.commands.told import with_told

        selection = with_told(source, state, pack, selection, own, config.salesforce.query)
    for warning in selection.warnings:
        hooks.warn(warning)
    if config.scorecards.mode == "llm" and not config.llm.enabled:
        hooks.warn("scorecards.mode is llm but llm.enabled is false: answers are heuristic")
    opps = selection.snapshot.opportunities
    ids = [o.id for o in opps]
    if options.run_id is not None:
        state.record_opportunities(options.run_id, ids)
    hooks.event("opportunities.selected", count=len(opps), soql=selection.soql)
    anchors = resolve_anchors(state, config, org_id, ids, options.today, write=options.run_id)
    hooks.progress.phase("planning", len(opps))
    snap = selection.snapshot
    pins = load_pins(state, config, org_id, opps, anchors)
    return Selected(
        tuple(opps), anchors, pins, tuple(snap.users), tuple(snap.events), selection.soql
    )


def _plan(
    picked: Selected,
    source: SalesforceTarget,
    state: StateStore,
    config: Config,
    options: PrepareOptions,
    hooks: Hooks,
) -> tuple[Plan, str, tuple[Seller, ...]]:
    plan = planner.plan(
        picked.opportunities, config, picked.anchors,
        users=picked.users, events=picked.events, pinned=picked.pins,
    )  # fmt: skip
    if options.run_id is not None:
        pinned = save_pins(state, config, source.org_id, plan)  # before anything is written
        hooks.event("plan.pinned", reused=len(picked.pins), new=pinned - len(picked.pins))
    for note in plan.notes:
        (hooks.note or hooks.warn)(note)
    hooks.event(
        "plan.built",
        opportunities=len(plan.opportunities),
        meetings=sum(len(op.meetings) for op in plan.opportunities),
        emails=sum(len(op.emails) for op in plan.opportunities),
    )
    return plan, picked.soql, picked.users


def _revealed(
    source: SalesforceTarget,
    state: StateStore,
    config: Config,
    options: PrepareOptions,
    plan: Plan,
    users: tuple[Seller, ...],
) -> tuple[Plan, Plan]:
    """(whole story, its view on `options.reveal` or else each deal's anchor;
    stages/storyline.py)."""
    from demo_gen.stages.storyline import on_day, whole_story

    whole = whole_story(
        state, config, source.org_id, plan, users=users, events=plan.events,
        write=options.run_id is not None,
    )  # fmt: skip
    day = on_day(whole, options.reveal, config, advance=options.advance_stages)
    if options.advance_stages:
        return whole, day
    now = {op.opportunity.id: op.opportunity for op in plan.opportunities}  # the org's values:
    return whole, replace(day, opportunities=tuple(  # nothing moves them without the flag
        replace(op, opportunity=now.get(op.opportunity.id, op.opportunity))
        for op in day.opportunities
    ))  # fmt: skip


def own_record_ids(state: StateStore, pack: str, source: SalesforceTarget) -> frozenset[str]:
    """This pack's Events in the source org, never busy time for the plan: their ids, and for
    rows still pending (written, perhaps, but not confirmed) "subject|start" keys. (Only the
    org's Events are busy time, so only the ledger's Event rows are read.)"""
    ids: set[str] = set()
    for remote_id, subject, start in state.own_records(source.key, pack, "Event"):
        if remote_id:
            ids.add(remote_id)
        elif subject and start:
            ids.add(f"{subject}|{start[:19]}")
    return frozenset(ids)


def resolve_anchors(
    state: StateStore,
    config: Config,
    org_id: str,
    opp_ids: Sequence[str],
    today: date,
    *,
    write: str | None,
) -> Mapping[str, date]:
    """Each opportunity's anchor: the configured date, else the date first seen — kept by a
    writing command (`write`: its run id), only read by a read-only one."""
    if config.run.anchor_date is not None:
        return dict.fromkeys(opp_ids, config.run.anchor_date)
    known = state.anchors(config.run.name, org_id, opp_ids)
    missing = {o: today for o in opp_ids if o not in known}
    if missing and write is not None:
        state.set_anchors(config.run.name, org_id, missing)
    return {**known, **missing}
