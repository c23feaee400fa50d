"""A run of more than one chunk plans straight to disk: its whole plan is never held.

`prepare.plan_step` makes the plan whole (every deal's plan on the day and whole story as
objects, about 29 KB a deal) and a chunked run spilled it only after. Here the same steps go a
deal at a time, in the same order, through two spills (commands/plan_spill.py):

1. the planner hands each finished deal to the first spill as soon as it is planned
   (`planner.plan_each`; what it holds across deals is its shared calendar and, until their mail
   is planned, the deals' meetings and calls);
2. the plans are pinned from that spill, 500 at a time (`pinning.save_pins_of`);
3. every deal's plan is booked into the story ahead's calendar, then each deal's story ahead is
   told in CreatedDate-then-id order, 500 deals at a time with their pins
   (`storyline.StoryAhead`), its view on the day made (`outcome.reveal`), counted into the
   realism figures (`realism_tally.RealismTally`) and put, with its whole story, in the second
   spill, in the selection's order — the one the chunks read back (commands/stream.py).

Same inputs, same steps in the same order: the same pins, plans, story ahead and realism figures
as `plan_step` and `realism_report` (`test_stream.py`, `test_plan_stream.py`). Scripted stories
(`stories:`) shape a deal against the others' plans, so a run with scripts plans whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from demo_gen.commands.plan_spill import PlanSpill
from demo_gen.commands.prepare import (
    Hooks,
    Planned,
    PrepareOptions,
    Selected,
    finish_step,
    plan_step,
    select_step,
)
from demo_gen.commands.rerun import deals_settle
from demo_gen.config.model import Config, Secrets
from demo_gen.ledger.pinning import save_pins_of
from demo_gen.ledger.store import StateStore
from demo_gen.stages import planner
from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.planning.outcome import reveal
from demo_gen.stages.realism_tally import RealismTally
from demo_gen.stages.storyline import PIN_BATCH, StoryAhead
from demo_gen.targets.base import Target
from demo_gen.targets.salesforce.target import SalesforceTarget


@dataclass
class Spilled:
    """A plan made straight to disk: its deals (the plan on the day and the whole story, in
    the selection's order), their ids, whether every deal settles (`rerun.deals_settle`) and
    the realism figures of the plan on the day."""

    spill: PlanSpill
    ids: tuple[str, ...]
    settle: bool
    realism: dict[str, Any]


def streams(config: Config, deals: int, chunk: int) -> bool:
    """True when a run of `deals` in chunks of `chunk` plans straight to disk."""
    return deals > chunk and not config.stories


@dataclass
class _Made:
    """What the first pass keeps of each deal: small, whatever the deal's size."""

    ids: list[str]
    created: list[int]  # places in CreatedDate-then-id order: the story ahead's
    reused: int  # deals pinned before
    notes: dict[int, list[str]] = field(default_factory=dict)
    written: list[tuple[str, date]] = field(default_factory=list)  # deals with records to pin
    meetings: int = 0
    emails: int = 0


def plan_chunked(
    source: SalesforceTarget,
    targets: Sequence[Target],
    state: StateStore,
    config: Config,
    secrets: Secrets,
    options: PrepareOptions,
    hooks: Hooks,
    chunk: int,
) -> tuple[Planned, Spilled | None]:
    """Select, then `plan_step` (None: nothing spilled) or, when the deals fill more than one
    `chunk` (`streams`), plan straight to disk, letting the selection go once it is planned."""
    held = [select_step(source, state, config, options, hooks)]
    if not streams(config, len(held[0].opportunities), chunk):
        return plan_step(source, targets, state, config, secrets, options, hooks, held.pop()), None
    return _to_disk(source, targets, state, config, secrets, options, hooks, held)


def plan_to_disk(
    source: SalesforceTarget,
    targets: Sequence[Target],
    state: StateStore,
    config: Config,
    secrets: Secrets,
    options: PrepareOptions,
    hooks: Hooks,
    picked: Selected,
) -> tuple[Planned, Spilled]:
    """`plan_step` of the deals `picked`, straight to disk (module docstring): `Planned` holds
    no deal; `Spilled` has them."""
    return _to_disk(source, targets, state, config, secrets, options, hooks, [picked])


def _to_disk(
    source: SalesforceTarget,
    targets: Sequence[Target],
    state: StateStore,
    config: Config,
    secrets: Secrets,
    options: PrepareOptions,
    hooks: Hooks,
    held: list[Selected],
) -> tuple[Planned, Spilled]:
    """`plan_to_disk` of the selection `held` hands over (taken out of it: once the deals are
    planned, their Opportunities and pins are let go unless the caller kept them)."""
    picked = held.pop()
    made = _Made(
        [o.id for o in picked.opportunities], _created(picked.opportunities), len(picked.pins)
    )
    first = PlanSpill(len(made.ids))
    with first:
        _plan(first, made, config, picked)
        picked = replace(picked, opportunities=(), pins={})  # in the spill now
        if options.run_id is not None:
            _pin(first, made, state, config, source.org_id, hooks)
        for n in sorted(made.notes):
            for note in made.notes[n]:
                (hooks.note or hooks.warn)(note)
        hooks.event("plan.built", opportunities=len(made.ids), meetings=made.meetings,
                    emails=made.emails)  # fmt: skip
        spilled = _tell(first, made, state, config, source.org_id, options, picked)
    plan = Plan((), config.run.seed, config.run.name, caps=spilled_caps(config),
                notes=tuple(n for i in sorted(made.notes) for n in made.notes[i]))  # fmt: skip
    done = plan, plan, picked.soql, picked.users
    return finish_step(source, targets, state, config, secrets, options, hooks, done), spilled


def _created(opps: Sequence[Opportunity]) -> list[int]:
    """The deals' places in CreatedDate-then-id order (the planner's and the story ahead's)."""
    return sorted(range(len(opps)), key=lambda i: (opps[i].created_date, opps[i].id))


def spilled_caps(config: Config) -> tuple[int, int]:
    """The sellers' daily and weekly caps a plan is made to (`Plan.caps`)."""
    return config.activity.seller_daily_max, config.activity.seller_weekly_max


def _plan(first: PlanSpill, made: _Made, config: Config, picked: Selected) -> None:
    """The planner, each deal put in its place in `first` as soon as it is planned."""

    def emit(place: int, op: OpportunityPlan, notes: list[str]) -> None:
        first.put(place, op, op)
        if notes:
            made.notes[place] = notes
        if op.meetings or op.emails or op.tasks:
            made.written.append((op.opportunity.id, op.anchor))
        made.meetings += len(op.meetings)
        made.emails += len(op.emails)

    planner.plan_each(
        picked.opportunities, config, picked.anchors, emit,
        users=picked.users, events=picked.events, pinned=picked.pins,
    )  # fmt: skip


def _pin(
    first: PlanSpill, made: _Made, state: StateStore, config: Config, org_id: str, hooks: Hooks
) -> None:
    """Pin the deals that have records, in the selection's order (as `save_pins`)."""
    place = {opp_id: n for n, opp_id in enumerate(made.ids)}
    written = sorted(made.written, key=lambda deal: place[deal[0]])
    count = save_pins_of(state, config, org_id, written, lambda i: first.get(place[i])[0])
    hooks.event("plan.pinned", reused=made.reused, new=count - made.reused)


def _tell(
    first: PlanSpill,
    made: _Made,
    state: StateStore,
    config: Config,
    org_id: str,
    options: PrepareOptions,
    picked: Selected,
) -> Spilled:
    """Every deal's story ahead and view on the day, counted and spilled in its place."""
    story = StoryAhead(state, config, org_id, picked.users, picked.events,
                       write=options.run_id is not None)  # fmt: skip
    for n in range(len(first)):
        story.book(first.get(n)[0])
    tally = RealismTally(config.activity, picked.events, spilled_caps(config))
    second = PlanSpill(len(first))
    settle = True
    for start in range(0, len(made.created), PIN_BATCH):
        places = made.created[start : start + PIN_BATCH]
        ops = [first.get(n)[0] for n in places]
        for n, op, whole in zip(places, ops, story.tell(ops), strict=True):
            day = _on_day(whole, op, options, config)
            tally.add(day)
            settle = settle and deals_settle((day,))
            second.put(n, day, whole)
    return Spilled(second, tuple(made.ids), settle, tally.report())


def _on_day(
    whole: OpportunityPlan, op: OpportunityPlan, options: PrepareOptions, config: Config
) -> OpportunityPlan:
    """`prepare._revealed` of one deal: its whole story on the day, around the org's values of
    the deal unless the stages advance."""
    day = reveal(whole, options.reveal or whole.anchor, config, advance=options.advance_stages)
    return day if options.advance_stages else replace(day, opportunity=op.opportunity)
