"""Booking the meetings of the story ahead into the shared calendar (`planning.ahead`).

`Walk` is where a deal's walk ahead stands (its last meeting's day, the path so far, the
subjects used, how often each kind was held); `book` places one meeting (`Slot`) through
`place.place` with the customer's attendees and, for some later-stage meetings, a colleague who
has met the customer before. A kind held `REPEATS` times already gives way to a status call
(a long Negotiation's regular sync: `STATUS_SUBJECTS`). `won_path` says whether the deal's
meetings allow a won close (a proposal, after any discovery and demo).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from demo_gen.config.model import Config
from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import OpportunityPlan, PlannedMeeting
from demo_gen.stages.planner import content_seed
from demo_gen.stages.planning.agenda import minutes_for
from demo_gen.stages.planning.context import anchor_instant
from demo_gen.stages.planning.details import location, meeting_subject
from demo_gen.stages.planning.env import Env
from demo_gen.stages.planning.existing import Anchor
from demo_gen.stages.planning.outcome import realize
from demo_gen.stages.planning.place import Request, place
from demo_gen.stages.planning.slots import Person
from demo_gen.stages.planning.story import RANK
from demo_gen.stages.planning.timezones import contact_place, owner_zone, zone_country


@dataclass
class Walk:
    """Where the walk ahead is: the last meeting's day, the path so far, the subjects used."""

    day: date
    floor: int
    used: set[str]
    seq: int
    marks: tuple[tuple[date, int], ...] = ()  # the org's Events the story follows: (day, rank)
    kinds: dict[str, int] = field(default_factory=dict)  # customer meetings so far, per kind


def start_walk(op: OpportunityPlan, marks: tuple[Anchor, ...]) -> Walk:
    zone = owner_zone(op.opportunity)
    kinds = [RANK.get(m.meeting_type, 0) for m in op.meetings if m.meeting_type in RANK]
    return Walk(op.anchor, max(kinds, default=0), {m.subject for m in op.meetings},
                 max((m.seq for m in op.meetings), default=0),
                 tuple((a.start.astimezone(zone).date(), a.rank) for a in marks),
                 dict(Counter(m.meeting_type for m in op.meetings if m.invitee_ids)))  # fmt: skip


def guests_of(op: OpportunityPlan) -> tuple[str, ...]:
    """Who the customer sends: the last meeting's attendees, else the first contact."""
    last = [m for m in op.meetings if m.primary_contact_id]
    if last:
        return last[-1].invitee_ids
    return (op.opportunity.contacts[0].id,)


REPEATS = 2
"""A kind of meeting held this often already gives way to a status call (`STATUS_SUBJECTS`)."""
STATUS_SUBJECTS = (
    "Weekly sync: {account}", "Mutual plan review: {account}", "{account} — timeline check-in",
    "Open items review: {topic}", "Status call: {account} and {owner_first}",
    "Exec sponsor update: {account}", "Rollout planning: {topic}",
    "Next steps working session: {account}",
)  # fmt: skip


def status_subject(opp: Opportunity, walk: Walk, rng: random.Random) -> str:
    """A status call's subject no meeting of the deal has had yet."""
    first = opp.owner.name.split()[0] if opp.owner.name else "us"
    options = [t.format(account=opp.account.name, topic=opp.name, owner_first=first)
               for t in STATUS_SUBJECTS]  # fmt: skip
    fresh = [o for o in options if o not in walk.used]
    if fresh:
        return rng.choice(fresh)
    base = rng.choice(options)
    n = sum(1 for u in walk.used if u.startswith(base))
    return f"{base} — follow-up {n}" if n > 1 else f"{base} — follow-up"


@dataclass(frozen=True)
class Slot:
    """A meeting to book: its kind, the day it aims at, the days it may take, the last day of
    the story (no end after it)."""

    kind: str
    target: date
    first: date
    last: date
    end: date
    subject: str | None = None  # None: the kind's subject bank


def book(
    env: Env,
    op: OpportunityPlan,
    seller: Person,
    guests: tuple[str, ...],
    slot: Slot,
    stage_of: Callable[[date], str],
    walk: Walk,
    config: Config,
    rng: random.Random,
) -> PlannedMeeting | None:
    opp = op.opportunity
    people = {c.id: c for c in opp.contacts}
    persons = tuple(_person(people[g], opp) for g in guests if g in people)
    minutes = minutes_for(env, slot.kind, rng)
    low = anchor_instant(opp, op.anchor) + timedelta(days=1)
    high = datetime.combine(slot.end + timedelta(days=1), time(0), tzinfo=seller.zone)
    req = Request(
        seller=seller, guests=persons, colleagues=_mates(env, op, slot.kind, rng), minutes=minutes,
        target=slot.target,
        first_day=slot.first, last_day=slot.last, low=low, high=high, city=None,
        seller_hours=env.seller_hours, guest_hours=env.business, prefer=env.business,
    )  # fmt: skip
    placed = place(env.book, env.windows, req, rng) if persons and slot.first <= slot.last else None
    if placed is None:
        return None
    walk.floor = max(walk.floor, RANK.get(slot.kind, walk.floor))
    walk.kinds[slot.kind] = walk.kinds.get(slot.kind, 0) + 1
    walk.seq += 1
    key = f"{opp.id}/meeting/{walk.seq}"
    invitees = tuple(g.id for g in placed.guests)
    subject = slot.subject or meeting_subject(slot.kind, opp.account, opp.name, rng, walk.used)
    walk.used.add(subject)
    return PlannedMeeting(
        key=key, opportunity_id=opp.id, seq=walk.seq, meeting_type=slot.kind, subject=subject,
        start=placed.start, duration_minutes=minutes,
        location=location(slot.kind, opp.account, 0.0, rng), past=False,
        organizer_id=opp.owner.id, primary_contact_id=invitees[0], invitee_ids=invitees,
        internal_ids=tuple(c.id for c in placed.colleagues), stage=stage_of(placed.day),
        content_seed=content_seed(config, key), status="scheduled",
        responses=_answers(env, invitees[1:], rng),
    )  # fmt: skip


def seller_of(op: OpportunityPlan) -> Person:
    zone = owner_zone(op.opportunity)
    return Person(op.opportunity.owner.id, zone, zone_country(op.opportunity.owner.time_zone))


_WITH_TEAM = frozenset({"demo", "technical_deep_dive", "business_case", "proposal",
                        "negotiation", "legal_review", "signature", "kickoff"})  # fmt: skip
TEAM_SHARE = 0.5
"""Share of later-stage meetings ahead a colleague from the deal's team joins."""


def _mates(env: Env, op: OpportunityPlan, kind: str, rng: random.Random) -> tuple[Person, ...]:
    """A colleague who has met this customer before (the deal's team), for some meetings."""
    if kind not in _WITH_TEAM or rng.random() >= TEAM_SHARE:
        return ()
    team = sorted({u for m in op.meetings if m.invitee_ids for u in m.internal_ids})
    users = {u.id: u for u in env.users}
    known = [users[u] for u in team if u in users]
    return (env.person_of(rng.choice(known)),) if known else ()


def won_path(
    history: Sequence[PlannedMeeting], ahead: Sequence[PlannedMeeting], config: Config
) -> bool:
    """A deal may close won only when a proposal was held, after any discovery and demo (the
    realism figure `closed_won_discovery_and_demo_before_proposal_share`)."""
    first: dict[str, datetime] = {}
    for m in sorted((realize(m, config) for m in (*history, *ahead)), key=lambda m: m.start):
        if m.invitee_ids and m.status != "no_show":
            first.setdefault(m.meeting_type, m.start)
    proposal = first.get("proposal")
    return (
        proposal is not None
        and first.get("discovery", proposal) <= proposal
        and first.get("demo", proposal) <= proposal
    )


def _person(contact: object, opp: Opportunity) -> Person:
    country, zone = contact_place(contact, opp)  # type: ignore[arg-type]
    return Person(contact.id, zone, country)  # type: ignore[attr-defined]


def _answers(env: Env, invited: Sequence[str], rng: random.Random) -> tuple[tuple[str, str], ...]:
    """The answers before the meeting: some declined, most accepted, some not yet."""
    mess = env.settings.messiness
    out = []
    for person in invited:
        roll = rng.random()
        answer = "Declined" if roll < mess.decline_share else "Accepted"
        if answer == "Accepted" and rng.random() < 0.3:
            answer = "New"
        out.append((person, answer))
    return tuple(out)
