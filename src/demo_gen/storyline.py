"""The whole story of every deal and its view on one day: what `refresh` reveals.

`whole_story` joins each deal's plan (pinned at its first write, `pinning`) to its story ahead
(`planning.ahead`), which is pinned the same way the first time a writing command computes it —
so a deal's story never changes afterwards, whatever else changes in the org (another deal
selected, a stage moved by `--advance-stages`). `on_day` is then `planning.outcome.reveal` for
every deal: the plan `refresh` writes on that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from demo_gen.config import Config
from demo_gen.model import BusyEvent, Seller
from demo_gen.pinning import PinStore
from demo_gen.plan import OpportunityPlan, Plan
from demo_gen.plan_codec import dump_plan, fingerprint, load_plan, pin_key
from demo_gen.planning.ahead import Ahead, plan_ahead, with_ahead
from demo_gen.planning.outcome import reveal

AHEAD_SUFFIX = "/ahead"
"""A deal's story ahead is pinned under its plan's pin key and this suffix."""


def whole_story(
    store: PinStore,
    config: Config,
    org_id: str,
    plan: Plan,
    *,
    users: Sequence[Seller],
    events: Sequence[BusyEvent],
    write: bool,
) -> Plan:
    """Every deal's plan with its story ahead; a writing command pins the ahead it computed."""
    printed = fingerprint(config)
    keys = {
        op.opportunity.id: pin_key(config.run.name, org_id, op.opportunity.id, printed, op.anchor)
        + AHEAD_SUFFIX
        for op in plan.opportunities
    }
    found = store.get_contents(list(keys.values()))
    kept = []
    for op in plan.opportunities:
        text = found.get(keys[op.opportunity.id])
        if text is not None:
            pinned = load_plan(text, op.opportunity)
            kept.append(Ahead(op.opportunity.id, pinned.meetings, pinned.emails))
    aheads = plan_ahead(plan.opportunities, config, users=users, events=events, kept=kept)
    if write:
        fresh = {
            keys[oid]: dump_plan(OpportunityPlan(op.opportunity, op.anchor, a.meetings, a.emails))
            for op in plan.opportunities
            for oid, a in [(op.opportunity.id, aheads[op.opportunity.id])]
            if keys[oid] not in found
        }
        store.put_contents(fresh)
    whole = tuple(with_ahead(op, aheads[op.opportunity.id]) for op in plan.opportunities)
    return replace(plan, opportunities=whole)


def on_day(whole: Plan, today: date, config: Config) -> Plan:
    """The plan of `today`: each deal's whole story revealed up to that day."""
    return replace(
        whole, opportunities=tuple(reveal(op, today, config) for op in whole.opportunities)
    )
