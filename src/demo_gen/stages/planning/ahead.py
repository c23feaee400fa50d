"""The story ahead: what an open deal does after its planned window, for `refresh` to reveal.

A first run plans each deal's history and near future around its anchor (the planner). The story
ahead continues it to the deal's close (at most `HORIZON_DAYS` after the anchor), planned once
and pinned like the plan itself, so that every later day reveals the same story:
- an open deal that is not stalling keeps meeting the customer every five to ten days (a gap
  the window's own meetings leave is filled too), walking the rest of the stage path
  (Qualification … Negotiation) on dates spread between the anchor and the close; nothing
  is planned after the close date (a deal that slips past it goes quiet, as the planner's
  history does: the realism figure `activity_after_close_not_won` holds);
- every customer meeting still to come at the anchor (the window's and these) gets a
  confirmation email a day or three before it and, once it has passed, a recap the same day —
  or a "missed you" note if it turns into a no-show (`outcome.realize` decides, seeded).

Scripted deals (`stories:`) get no story ahead: their script tells all of it.

Meetings ahead are planned in their upcoming form (status `scheduled`, answers so far); what
happens once they pass is `outcome.realize`. Pure and seeded: one stream per deal
(`{seed}/{pack}/{opportunity id}/ahead`), deals booked in a fixed order into one shared calendar
that already holds every deal's planned meetings.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from demo_gen.config.model import Config
from demo_gen.stages.model import BusyEvent, Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting
from demo_gen.stages.planner import book_plan, content_seed, shared_env
from demo_gen.stages.planning.context import anchor_instant
from demo_gen.stages.planning.details import location, meeting_subject, thread_subject
from demo_gen.stages.planning.env import Env
from demo_gen.stages.planning.existing import Anchor, anchors_for
from demo_gen.stages.planning.outcome import realize
from demo_gen.stages.planning.place import Request, place
from demo_gen.stages.planning.slots import Person
from demo_gen.stages.planning.story import _KINDS, RANK, STAGES, outcome_of, reached  # noqa: PLC2701
from demo_gen.stages.planning.timezones import contact_place, owner_zone, zone_country

HORIZON_DAYS = 180
"""How far past its anchor a deal's story is planned; refresh says when a day goes beyond."""
_CADENCE = (5, 10)  # days between customer meetings ahead


@dataclass(frozen=True)
class Ahead:
    """One deal's story ahead: the meetings and emails it adds to the deal's plan."""

    opportunity_id: str
    meetings: tuple[PlannedMeeting, ...]
    emails: tuple[PlannedEmail, ...]


def plan_ahead(
    plans: Sequence[OpportunityPlan],
    config: Config,
    *,
    users: Sequence[Seller] = (),
    events: Sequence[BusyEvent] = (),
    kept: Sequence[Ahead] = (),
) -> dict[str, Ahead]:
    """The story ahead of every deal in `plans` that `kept` (pinned) does not already hold."""
    env = shared_env(config, users, events)
    for op in plans:
        book_plan(env.book, op)
    on_deals: dict[str, list[BusyEvent]] = {}  # once: a scan of every Event per deal was quadratic
    for event in events:
        on_deals.setdefault(event.what_id or "", []).append(event)
    marks = {op.opportunity.id: _marks(op, on_deals.get(op.opportunity.id, ())) for op in plans}
    done = {a.opportunity_id: a for a in kept}
    for ahead in kept:
        _book_meetings(env, ahead.meetings, plans)
    order = sorted(plans, key=lambda op: (op.opportunity.created_date, op.opportunity.id))
    for op in order:
        if op.opportunity.id not in done:
            done[op.opportunity.id] = _one(env, op, config, marks[op.opportunity.id])
    return {op.opportunity.id: done[op.opportunity.id] for op in plans}


def with_ahead(op: OpportunityPlan, ahead: Ahead) -> OpportunityPlan:
    """The deal's whole story: its plan and its story ahead."""
    return replace(op, meetings=op.meetings + ahead.meetings, emails=op.emails + ahead.emails)


def _book_meetings(
    env: Env, meetings: Sequence[PlannedMeeting], plans: Sequence[OpportunityPlan]
) -> None:
    opps = {op.opportunity.id: op.opportunity for op in plans}
    if meetings and meetings[0].opportunity_id in opps:
        opp = opps[meetings[0].opportunity_id]
        book_plan(env.book, OpportunityPlan(opp, date.min, tuple(meetings), ()))


def _marks(op: OpportunityPlan, events: Sequence[BusyEvent]) -> tuple[Anchor, ...]:
    """The org's own Events on the deal its story follows: the walk ahead keeps their order."""
    used = set(op.anchor_event_ids)
    return tuple(a for a in anchors_for(op.opportunity.id, events) if a.id in used)


def _one(env: Env, op: OpportunityPlan, config: Config, marks: tuple[Anchor, ...]) -> Ahead:
    opp = op.opportunity
    if op.scenario is not None:  # a scripted deal's story is its script's: nothing is added
        return Ahead(opp.id, (), ())
    stream = f"{config.run.seed}/{config.run.name}/{opp.id}"
    rng = random.Random(f"{stream}/ahead")
    meetings: list[PlannedMeeting] = []
    if _goes_on(opp, env, stream, op.anchor):
        meetings = _meetings(env, op, config, rng, marks)
    upcoming = [
        m
        for m in (*op.meetings, *meetings)
        if m.status == "scheduled" and m.primary_contact_id is not None
    ]
    emails = _emails(op, upcoming, config, rng)
    return Ahead(opp.id, tuple(meetings), tuple(emails))


def _goes_on(opp: Opportunity, env: Env, stream: str, anchor: date) -> bool:
    """An open deal whose story is not stalling (the planner's own draw), its close ahead."""
    if opp.is_closed or opp.close_date <= anchor or not opp.contacts:
        return False
    rng = random.Random(f"{stream}/story")  # the planner's story stream, drawn the same way
    reached(opp, rng)
    return outcome_of(opp, env.settings.messiness.stalled_share, rng) == "open"


@dataclass
class _Walk:
    """Where the walk ahead is: the last meeting's day, the path so far, the subjects used."""

    day: date
    floor: int
    used: set[str]
    seq: int
    marks: tuple[tuple[date, int], ...] = ()  # the org's Events the story follows: (day, rank)


def _meetings(
    env: Env, op: OpportunityPlan, config: Config, rng: random.Random, marks: tuple[Anchor, ...]
) -> list[PlannedMeeting]:
    opp = op.opportunity
    zone = owner_zone(opp)
    seller = Person(opp.owner.id, zone, zone_country(opp.owner.time_zone))
    end = min(opp.close_date, op.anchor + timedelta(days=HORIZON_DAYS))
    stages = stage_dates(opp, op.anchor, end, rng)
    planned = sorted(
        op.meetings[i].start.astimezone(zone).date()
        for i in range(len(op.meetings))
        if op.meetings[i].primary_contact_id and op.meetings[i].status == "scheduled"
    )
    kinds = [RANK.get(m.meeting_type, 0) for m in op.meetings if m.meeting_type in RANK]
    walk = _Walk(op.anchor, max(kinds, default=0), {m.subject for m in op.meetings},
                 max((m.seq for m in op.meetings), default=0),
                 tuple((a.start.astimezone(zone).date(), a.rank) for a in marks))  # fmt: skip
    guests = _guests(op)
    out: list[PlannedMeeting] = []
    while True:
        target = walk.day + timedelta(days=rng.randint(*_CADENCE))
        if walk.day >= end:
            return out
        target = min(target, end)  # the last conversation comes by the close day
        booked = [d for d in planned if walk.day < d <= target + timedelta(days=3)]
        if booked:
            walk.day = booked[0]
            continue
        meeting = _meeting(env, op, seller, guests, target, end, stages, walk, config, rng)
        walk.day = target if meeting is None else meeting.start.astimezone(zone).date()
        if meeting is not None:
            out.append(meeting)


def stage_dates(
    opp: Opportunity, anchor: date, end: date, rng: random.Random
) -> tuple[tuple[date, str], ...]:
    """The days the deal enters each stage after its current one, spread up to `end`."""
    top = reached(opp, random.Random(0)) if opp.stage.strip() else 0
    rest = list(range(top + 1, len(STAGES)))
    span = (end - anchor).days
    out = []
    for n, index in enumerate(rest, start=1):
        offset = int(span * (n + rng.uniform(-0.25, 0.25)) / (len(rest) + 1))
        out.append((anchor + timedelta(days=max(1, offset)), STAGES[index]))
    return tuple(sorted(out))


def stage_ahead(changes: Sequence[tuple[date, str]], current: str, day: date) -> str:
    label = current
    for first, name in changes:
        if first <= day:
            label = name
    return label


def _guests(op: OpportunityPlan) -> tuple[str, ...]:
    """Who the customer sends: the last meeting's attendees, else the first contact."""
    last = [m for m in op.meetings if m.primary_contact_id]
    if last:
        return last[-1].invitee_ids
    return (op.opportunity.contacts[0].id,)


def _meeting(
    env: Env,
    op: OpportunityPlan,
    seller: Person,
    guests: tuple[str, ...],
    target: date,
    end: date,
    stages: Sequence[tuple[date, str]],
    walk: _Walk,
    config: Config,
    rng: random.Random,
) -> PlannedMeeting | None:
    opp = op.opportunity
    stage = stage_ahead(stages, opp.stage, target)
    index = STAGES.index(stage) if stage in STAGES else min(4, walk.floor // 2)
    floor = max([walk.floor, *(rank for day, rank in walk.marks if day < target)])
    cap = min((rank for day, rank in walk.marks if day >= target), default=len(RANK))
    pool = [k for k, _, _ in _KINDS[index] if floor <= RANK[k] <= cap]
    pool = pool or ([k for k in RANK if RANK[k] == floor] if floor <= cap else [])
    if not pool:
        return None
    kind = rng.choice(pool)
    last = min(target + timedelta(days=4), end)
    for day, rank in walk.marks:  # before an org Event further on the path: on an earlier day
        if day >= target and rank > RANK[kind]:
            last = min(last, day - timedelta(days=1))
    people = {c.id: c for c in opp.contacts}
    persons = tuple(_person(people[g], opp) for g in guests if g in people)
    minutes = rng.choice(sorted(env.settings.meetings.duration_minutes))
    low = anchor_instant(opp, op.anchor) + timedelta(days=1)
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=seller.zone)
    first = max(walk.day + timedelta(days=1), target - timedelta(days=2))
    req = Request(
        seller=seller, guests=persons, colleagues=(), minutes=minutes, target=target,
        first_day=first, last_day=last, low=low, high=high, city=None,
        seller_hours=env.seller_hours, guest_hours=env.business, prefer=env.business,
    )  # fmt: skip
    placed = place(env.book, env.windows, req, rng) if persons and req.first_day <= last else None
    if placed is None:
        return None
    walk.floor = max(walk.floor, RANK[kind])
    walk.seq += 1
    key = f"{opp.id}/meeting/{walk.seq}"
    invitees = tuple(g.id for g in placed.guests)
    return PlannedMeeting(
        key=key, opportunity_id=opp.id, seq=walk.seq, meeting_type=kind,
        subject=meeting_subject(kind, opp.account, opp.name, rng, walk.used),
        start=placed.start, duration_minutes=minutes,
        location=location(kind, opp.account, 0.0, rng), past=False, organizer_id=opp.owner.id,
        primary_contact_id=invitees[0], invitee_ids=invitees,
        stage=stage_ahead(stages, opp.stage, placed.day),
        content_seed=content_seed(config, key), status="scheduled",
        responses=_answers(env, invitees[1:], rng),
    )  # fmt: skip


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


def _emails(
    op: OpportunityPlan, upcoming: Sequence[PlannedMeeting], config: Config, rng: random.Random
) -> list[PlannedEmail]:
    """A confirmation before each upcoming customer meeting (when after the anchor) and the
    recap — or the "missed you" note — the same day it passes."""
    opp = op.opportunity
    floor = anchor_instant(opp, op.anchor)
    drafts: list[tuple[datetime, str, PlannedMeeting]] = []
    for m in sorted(upcoming, key=lambda m: (m.start, m.seq)):
        before = _working_morning(m.start - timedelta(days=rng.randint(1, 3)), opp, rng)
        if before >= floor:
            drafts.append((before, "scheduling", m))
        held = realize(m, config).status == "held"
        after = m.start + timedelta(minutes=m.duration_minutes + rng.randint(20, 180),
                                    seconds=rng.randint(0, 59))  # fmt: skip
        drafts.append((after, "follow_up" if held else "no_show", m))
    seq = max((e.seq for e in op.emails), default=0)
    out = []
    for sent, purpose, m in sorted(drafts, key=lambda d: (d[0], d[1])):
        seq += 1
        key = f"{opp.id}/email/{seq}"
        out.append(
            PlannedEmail(
                key=key, opportunity_id=opp.id, seq=seq, thread_key=key,
                subject=thread_subject(purpose, opp.account, opp.name, m.subject, rng),
                sent_at=sent.astimezone(UTC), direction="outbound", from_contact_id=None,
                to_contact_ids=(m.primary_contact_id or "",), meeting_key=m.key,
                in_reply_to=None, purpose=purpose, content_seed=content_seed(config, key),
                stage=m.stage,
            )
        )  # fmt: skip
    return out


def _working_morning(moment: datetime, opp: Opportunity, rng: random.Random) -> datetime:
    zone = owner_zone(opp)
    day = moment.astimezone(zone).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    clock = time(8 + rng.randint(0, 2), rng.choice((5, 20, 35, 50)), rng.randint(0, 59))
    return datetime.combine(day, clock, tzinfo=zone)
