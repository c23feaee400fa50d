"""A new executive joins the buying side at a stage: the one script part that adds a person.

The executive is a senior contact (not the champion or the economic buyer) who has taken part in
nothing before the meeting they join: the first held meeting of that stage or later that they
already attend, or where they are free (no meeting, call or org Event of theirs overlaps it, in
any deal of the plan) and which falls on a working day inside their local business hours. Nothing
else moves, so every other calendar stays as planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta

from demo_gen.stages.facts.dates import is_working_day
from demo_gen.stages.facts.timeline import activities, participants
from demo_gen.stages.model import BusyEvent, Contact
from demo_gen.stages.plan import OpportunityPlan, PlannedMeeting
from demo_gen.stages.planning.story import STAGES
from demo_gen.stages.planning.timezones import contact_place
from demo_gen.stages.stories.apply import ScriptRefused, customer_meetings
from demo_gen.stages.stories.scenario import Scenario

_SENIOR = ("chief", "ceo", "cfo", "coo", "cio", "cto", "president", "vp", "vice president", "head")


def senior(c: Contact) -> bool:
    words = (c.title or "").lower().replace(",", " ").split()
    return any(w in words for w in _SENIOR) or "vice president" in (c.title or "").lower()


def new_executive(
    op: OpportunityPlan,
    stage: str,
    s: Scenario,
    plans: Sequence[OpportunityPlan],
    events: Sequence[BusyEvent],
    hours: tuple[time, time],
) -> tuple[OpportunityPlan, str, str]:
    """(plan with the executive in one meeting, that meeting's key, the executive's id)."""
    from demo_gen.stages.stories.scripts import _rank

    taken = {s.champion_id, s.economic_buyer_id}
    seniors = [c for c in op.opportunity.contacts if senior(c) and c.id not in taken]
    rank = STAGES.index(stage)
    meetings = [m for m in customer_meetings(op) if _rank(m.stage) >= rank]
    first_seen = _first_seen(op)
    for m in meetings:
        for c in seniors:
            seen = first_seen.get(c.id)
            if seen is not None and seen < m.start:
                continue  # they had a part before: not new
            if c.id in m.invitee_ids:  # already planned to join here: this is their entrance
                return op, m.key, c.id
            if _free(c, m, op, (plans, events, hours)):
                joined = replace(
                    m,
                    invitee_ids=(*m.invitee_ids, c.id),
                    responses=(*m.responses, (c.id, "Accepted")),
                )
                meetings_out = tuple(joined if x.key == m.key else x for x in op.meetings)
                return replace(op, meetings=meetings_out), m.key, c.id
    if not seniors:
        raise ScriptRefused(
            "people.new_executive",
            f"{op.opportunity.account.name} has no senior contact (chief, VP, head…) besides the "
            "champion and the economic buyer: add one to the account to script a new executive",
        )
    raise ScriptRefused(
        "people.new_executive",
        f"no senior contact of {op.opportunity.account.name} is both new to "
        f"{op.opportunity.name!r} and free for one of its held meetings in {stage} or later",
    )


def _first_seen(op: OpportunityPlan) -> dict[str, datetime]:
    """When each contact first takes part in the deal (invited, sending or receiving)."""
    seen: dict[str, datetime] = {}
    for item in activities(op):
        at = item.start if isinstance(item, PlannedMeeting) else item.sent_at
        for cid in participants(item):
            seen.setdefault(cid, at)
    for t in op.tasks:
        if t.who_id not in seen or t.at < seen[t.who_id]:
            seen[t.who_id] = t.at
    return seen


def _free(
    c: Contact,
    m: PlannedMeeting,
    op: OpportunityPlan,
    world: tuple[Sequence[OpportunityPlan], Sequence[BusyEvent], tuple[time, time]],
) -> bool:
    plans, events, hours = world
    country, zone = contact_place(c, op.opportunity)
    start = m.start.astimezone(zone)
    end = start + timedelta(minutes=m.duration_minutes)
    if not is_working_day(start.date(), country) or start.date() != end.date():
        return False
    if not (hours[0] <= start.time() and end.time() <= hours[1]):
        return False
    stop = m.start + timedelta(minutes=m.duration_minutes)
    return not any(_overlaps(c.id, m.start, stop, p) for p in plans) and not any(
        e.who_id == c.id and e.start < stop and m.start < e.end for e in events
    )


def _overlaps(who: str, start: datetime, end: datetime, op: OpportunityPlan) -> bool:
    for m in op.meetings:
        stop = m.start + timedelta(minutes=m.duration_minutes)
        if who in m.invitee_ids and m.start < end and start < stop:
            return True
    for t in op.tasks:
        stop = t.at + timedelta(seconds=t.duration_seconds)
        if t.who_id == who and t.at < end and start < stop:
            return True
    return False
