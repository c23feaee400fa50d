"""Calls and LinkedIn touches: the logged Tasks between meetings.

Calls fall between the deal's meetings in the seller's working hours, booked in the shared
calendar so they never overlap a meeting; most connect for a few minutes to half an hour, some
reach voicemail or nobody. A share of deals has one LinkedIn-style touch early on (a connection
request or a message to a new contact). Like emails, these are history: none after the anchor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from demo_gen.stages.planning.agenda import Draft
from demo_gen.stages.planning.env import Deal, Env
from demo_gen.stages.planning.windows import choose_start, grid

_OUTCOMES = (("Connected", 0.6), ("Left voicemail", 0.28), ("No answer", 0.12))


@dataclass(frozen=True)
class Touch:
    kind: str  # call | linkedin
    at: datetime
    who: str
    seconds: int
    call_type: str
    disposition: str
    purpose: str
    stage: str


def plan_touches(env: Env, deal: Deal, drafts: list[Draft]) -> list[Touch]:
    """The deal's calls and LinkedIn touches, in time order."""
    rng = deal.rng("touches")
    story = deal.story
    low = deal.opportunity.created_date + timedelta(days=1)
    high = min(deal.anchor_instant, deal.close_end())
    if deal.opportunity.is_won:
        high = deal.anchor_instant
    if low >= high:
        return []
    calls = env.settings.messiness.calls
    span_days = (high - low).days
    count = round(rng.randint(calls.min, calls.max) * min(1.5, max(0.5, span_days / 90)))
    out = [t for t in (_call(env, deal, low, high, rng) for _ in range(count)) if t is not None]
    if rng.random() < env.settings.messiness.linkedin_share:
        moment = low + timedelta(hours=rng.uniform(4, 24 * min(10, max(1, span_days))))
        while not env.windows.of(deal.seller, deal.local_day(moment), env.business):
            moment += timedelta(days=1)  # a working day
        if moment < high and not _in_gap(deal, moment):
            who = deal.committee.introduce(rng) or deal.committee.lead.id
            purpose = rng.choice(("connection_request", "linkedin_message"))
            day = deal.local_day(moment)
            out.append(Touch("linkedin", moment, who, 0, "", "", purpose, story.stage_on(day)))
    return sorted(out, key=lambda t: t.at)


def _in_gap(deal: Deal, moment: datetime) -> bool:
    gap = deal.story.gap
    return gap is not None and gap[0] <= deal.local_day(moment) <= gap[1]


def _call(env: Env, deal: Deal, low: datetime, high: datetime, rng: random.Random) -> Touch | None:
    fade = deal.story.fade_from
    for _ in range(6):
        moment = low + timedelta(seconds=rng.uniform(0, (high - low).total_seconds()))
        day = deal.local_day(moment)
        if _in_gap(deal, moment) or (fade is not None and day > fade + timedelta(days=20)):
            continue
        spans = env.windows.of(deal.seller, day, env.business)
        starts = [
            s
            for span in spans
            for s in grid(span, 30)
            if low <= s and s + timedelta(minutes=30) <= high
        ]
        who = rng.choice(deal.committee.known_ids())
        person = deal.people[who]
        guest = env.windows.around(person, day, env.business)
        starts = [
            s for s in starts if any(a <= s and s + timedelta(minutes=30) <= b for a, b in guest)
        ]
        span = timedelta(minutes=45)  # a call starts up to 12 minutes in and lasts up to 25
        free = [
            s
            for s in starts
            if env.book.free([deal.seller.id, who], s, s + span)
            and env.book.travel_ok([deal.seller.id], s, s + span, None)
        ]
        if not free:
            continue
        start = choose_start(free, deal.seller, env.business, rng)
        start += timedelta(minutes=rng.choice((0, 2, 5, 7, 11)), seconds=rng.randint(0, 59))
        outcome = rng.choices([o for o, _ in _OUTCOMES], [w for _, w in _OUTCOMES])[0]
        seconds = {"Connected": rng.randint(180, 1500), "Left voicemail": rng.randint(25, 90)}
        length = seconds.get(outcome, rng.randint(5, 25))
        env.book.book([deal.seller.id, who], start, start + timedelta(seconds=length))
        inbound = outcome == "Connected" and rng.random() < 0.2
        purpose = rng.choice(("check_in", "follow_up", "qualification"))
        return Touch(
            "call",
            start,
            who,
            length,
            "Inbound" if inbound else "Outbound",
            outcome,
            purpose,
            deal.story.stage_on(day),
        )
    return None
