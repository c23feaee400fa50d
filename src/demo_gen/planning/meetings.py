"""Placing an opportunity's meetings in time: one per seller-local day, in stage order.

Each meeting aims at a target day spread over its window and takes the nearest later day on
which every participant can meet. When a participant set never overlaps anywhere in the window
(e.g. Sydney + California with a seller in London), participants are dropped: the first one
who can meet the seller alone leads (the meeting's own lead first, then the deal's other
contacts in rank order), and the others are added back one by one only while a common slot
still exists. A meeting for which no contact at all can meet the seller is not planned.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from demo_gen.model import Contact
from demo_gen.planning.cadence import duration_for, participants, stage_label
from demo_gen.planning.context import Context
from demo_gen.planning.details import location, meeting_subject
from demo_gen.planning.slots import Bounds, SlotFinder, days_between, pick_slot


@dataclass(frozen=True)
class MeetingDraft:
    """A placed meeting before it gets its key and sequence number."""

    meeting_type: str
    start: datetime
    duration: int
    invitees: tuple[str, ...]  # contact ids, lead first
    stage: str
    subject: str
    location: str


def schedule(
    ctx: Context, types: Sequence[str], bounds: Bounds, label: str, current: tuple[int, int]
) -> tuple[list[MeetingDraft], list[str]]:
    """Place meetings of `types` (in order) inside `bounds`; returns drafts and notes."""
    days = days_between(bounds, ctx.seller.zone) if bounds.low < bounds.high else []
    notes: list[str] = []
    if not days or not types:
        if types:
            notes.append(f"{ctx.opportunity.id}: no room for {label} meetings in the window")
        return [], notes
    kept = list(types)[-len(days) :]
    targets = sorted(ctx.rng(label, "days").sample(days, len(kept)))
    drafts: list[MeetingDraft] = []
    finder = SlotFinder(ctx.seller, ctx.rules, bounds)
    last_day: date | None = None
    for index, (meeting_type, target) in enumerate(zip(kept, targets, strict=True)):
        rng = ctx.rng(label, "meeting", str(index))
        open_days = [d for d in days if last_day is None or d > last_day]
        draft = _one(ctx, meeting_type, target, open_days, finder, rng, current, notes)
        if draft is not None:
            drafts.append(draft)
            last_day = draft.start.astimezone(ctx.seller.zone).date()
    opp_id = ctx.opportunity.id
    notes = [f"{opp_id}: no common business hours, so {note}" for note in notes]
    if len(drafts) < len(types):
        notes.append(
            f"{opp_id}: planned {len(drafts)} of {len(types)} {label} meetings"
            " (not enough working days with common hours)"
        )
    return drafts, notes


def _one(
    ctx: Context,
    meeting_type: str,
    target: date,
    days: list[date],
    finder: SlotFinder,
    rng: random.Random,
    current: tuple[int, int],
    notes: list[str],
) -> MeetingDraft | None:
    wanted = participants(meeting_type, ctx.ranked, rng)
    duration = duration_for(meeting_type, ctx.settings.meetings.duration_minutes, rng)
    order = sorted(days, key=lambda d: (abs((d - target).days), d))
    placed = _place(ctx, wanted, duration, order, finder, rng)
    if placed is None:
        return None
    start, guests = placed
    dropped = [c.name for c in wanted if c not in guests]
    if dropped:
        notes.append(f"{meeting_type} without {', '.join(dropped)}")
    opp = ctx.opportunity
    return MeetingDraft(
        meeting_type=meeting_type,
        start=start,
        duration=duration,
        invitees=tuple(c.id for c in guests),
        stage=stage_label(meeting_type, opp, current),
        subject=meeting_subject(meeting_type, opp.account, opp.name, rng),
        location=location(meeting_type, opp.account, ctx.settings.in_person_share, rng),
    )


def _place(
    ctx: Context,
    wanted: list[Contact],
    duration: int,
    order: list[date],
    finder: SlotFinder,
    rng: random.Random,
) -> tuple[datetime, list[Contact]] | None:
    def slots_for(group: Sequence[Contact], day: date) -> list[datetime]:
        return finder.slots(day, [ctx.people[c.id] for c in group], duration)

    def first_fit(group: Sequence[Contact]) -> tuple[datetime, list[Contact]] | None:
        for day in order:
            slots = slots_for(group, day)
            if slots:
                return pick_slot(slots, ctx.seller, ctx.rules, rng), list(group)
        return None

    found = first_fit(wanted)
    if found is not None:
        return found
    reduced = _reduce(ctx, wanted, lambda g: any(slots_for(g, d) for d in order))
    return first_fit(reduced) if reduced else None


def _reduce(
    ctx: Context, wanted: list[Contact], feasible: Callable[[Sequence[Contact]], bool]
) -> list[Contact]:
    """The largest prefix-greedy subset of `wanted` with a common slot, led by someone who fits."""
    candidates = wanted + [c for c in ctx.ranked if c not in wanted]
    lead = next((c for c in candidates if feasible([c])), None)
    if lead is None:
        return []
    group = [lead]
    for contact in wanted:
        if contact not in group and feasible([*group, contact]):
            group.append(contact)
    return group
