"""The story ahead: what an open deal does after its planned window, for `refresh` to reveal.

A first run plans each deal's history and near future around its anchor (the planner). The story
ahead continues it to the deal's close (at most `HORIZON_DAYS` after the anchor), planned once
and pinned like the plan itself, so that every later day reveals the same story:
- an active deal (open, its story not stalling) keeps meeting the customer every five to ten
  days (a gap the window's own meetings leave is filled too), walking the rest of the stage path
  (Qualification … Negotiation) on dates spread between the anchor and the close; a meeting
  that falls in the year-end break is held just before it or on the first days back
  (`workdays.around_break`). At the close it does not go quiet: its course (`planning.course`)
  either slips — the customer writes that the timeline moves, the close date moves out, the
  meetings go on to the new date — or closes: won after a signature call, with a kickoff once
  the close shows; or lost, after the customer writes the decision. Nothing is shown past a
  close date the deal has on the day it shows (the realism figure
  `activity_after_close_not_won` holds on every day);
- a stalled deal is revived and let go (`planning.revive`): the seller's nudges and a check-in
  call or two, then, after weeks of silence, Closed Lost;
- every customer meeting still to come at the anchor (the window's and these) gets emails
  around it, some written by the customer (`planning.ahead_threads`).

Scripted deals (`stories:`) get no story ahead: their script tells all of it.

Meetings ahead are planned in their upcoming form (status `scheduled`, answers so far); what
happens once they pass is `outcome.realize`. The changes of the deal itself (close date, stage)
are `PlannedTurn`s, which `refresh --advance-stages` writes on their day. Pure and seeded: one
stream per deal and part (`{seed}/{pack}/{opportunity id}/ahead`, `…/course`, `…/revive`),
deals booked in a fixed order into one shared calendar that already holds every deal's planned
meetings.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from demo_gen.config.model import Config
from demo_gen.stages.model import BusyEvent, Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting, PlannedTurn
from demo_gen.stages.planner import book_plan, shared_env
from demo_gen.stages.planning.ahead_book import (
    REPEATS,
    Slot,
    Walk,
    book,
    guests_of,
    seller_of,
    start_walk,
    status_subject,
    won_path,
)
from demo_gen.stages.planning.ahead_close import kickoff, signing
from demo_gen.stages.planning.ahead_mail import Note, at_work, kept, number
from demo_gen.stages.planning.ahead_threads import StageOf, course_notes, meeting_notes
from demo_gen.stages.planning.context import anchor_instant
from demo_gen.stages.planning.course import Course, course_turns, plan_course, shows_ok
from demo_gen.stages.planning.env import Env
from demo_gen.stages.planning.existing import Anchor, anchors_for
from demo_gen.stages.planning.outcome import REBOOKED, realize
from demo_gen.stages.planning.revive import revive
from demo_gen.stages.planning.slots import Person
from demo_gen.stages.planning.story import _KINDS, RANK, STAGES, outcome_of, reached  # noqa: PLC2701
from demo_gen.stages.planning.timezones import owner_zone, zone_country
from demo_gen.stages.planning.workdays import around_break

HORIZON_DAYS = 180
"""How far past its anchor a deal's story is planned; refresh says when a day goes beyond."""
_CADENCE = (5, 9)  # days between customer meetings ahead (placed up to 4 days late: < 14)


@dataclass(frozen=True)
class Ahead:
    """One deal's story ahead: the meetings and emails it adds to the deal's plan, and the
    changes of the deal itself (`turns`: a slip of the close date, the close)."""

    opportunity_id: str
    meetings: tuple[PlannedMeeting, ...]
    emails: tuple[PlannedEmail, ...]
    turns: tuple[PlannedTurn, ...] = ()
    course: str = ""  # "active", "stalled" or "none" (`_kind`); "" when pinned without one


def plan_ahead(
    plans: Sequence[OpportunityPlan],
    config: Config,
    *,
    users: Sequence[Seller] = (),
    events: Sequence[BusyEvent] = (),
    kept: Sequence[Ahead] = (),
) -> dict[str, Ahead]:
    """The story ahead of every deal in `plans` that `kept` (pinned) does not already hold."""
    teller = Teller(config, users, events)
    for op in plans:
        teller.book(op)
    done = {a.opportunity_id: a for a in kept}
    order = sorted(plans, key=lambda op: (op.opportunity.created_date, op.opportunity.id))
    for op in order:  # a kept deal is booked at its own turn: the others see what they saw
        done[op.opportunity.id] = teller.tell(op, done.get(op.opportunity.id))
    return {op.opportunity.id: done[op.opportunity.id] for op in plans}


class Teller:
    """`plan_ahead` a deal at a time: `book` every deal's plan first, then `tell` each deal in
    CreatedDate-then-id order (the deals' stories ahead share one calendar). Holds the calendar
    and the org's Events, not the deals."""

    def __init__(
        self, config: Config, users: Sequence[Seller], events: Sequence[BusyEvent]
    ) -> None:
        self.config = config
        self.env = shared_env(config, users, events)
        self.on_deals: dict[str, list[BusyEvent]] = {}  # once: a scan of every Event per deal
        for event in events:  # was quadratic
            self.on_deals.setdefault(event.what_id or "", []).append(event)

    def book(self, op: OpportunityPlan) -> None:
        """One deal's planned meetings and calls, in everyone's calendar."""
        book_plan(self.env.book, op)

    def tell(self, op: OpportunityPlan, kept: Ahead | None = None) -> Ahead:
        """The deal's story ahead, booked in the calendar: `kept` (pinned) when it has one."""
        if kept is None:
            return _one(
                self.env, op, self.config, _marks(op, self.on_deals.get(op.opportunity.id, ()))
            )
        if kept.meetings and kept.meetings[0].opportunity_id == op.opportunity.id:
            book_plan(self.env.book, OpportunityPlan(op.opportunity, date.min, kept.meetings, ()))
        return kept


def with_ahead(op: OpportunityPlan, ahead: Ahead) -> OpportunityPlan:
    """The deal's whole story: its plan and its story ahead."""
    return replace(op, meetings=op.meetings + ahead.meetings, emails=op.emails + ahead.emails,
                   turns=ahead.turns)  # fmt: skip


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
    kind = _kind(opp, env, stream, op.anchor)
    meetings: list[PlannedMeeting] = []
    notes: list[Note] = []
    turns: tuple[PlannedTurn, ...] = ()
    walk = start_walk(op, marks)
    if kind == "active":
        meetings, notes, turns = _active(env, op, config, rng, walk, stream)
    elif kind == "stalled":
        booker = _Booker(env, op, config, walk, rng)
        meetings, notes, turn = revive(op, booker, random.Random(f"{stream}/revive"))
        turns = (turn,)
    upcoming = [
        m
        for m in (*op.meetings, *meetings)
        if m.status == "scheduled" and m.primary_contact_id is not None
    ]
    floor = anchor_instant(opp, op.anchor)
    notes += meeting_notes(opp, upcoming, floor, config, rng)
    notes = kept(notes, lambda at: at >= floor and _fits(turns, opp, at))
    emails = number(notes, opp, max((e.seq for e in op.emails), default=0), config)
    return Ahead(opp.id, tuple(meetings), tuple(emails), turns, kind)


def _active(
    env: Env, op: OpportunityPlan, config: Config, rng: random.Random, walk: Walk, stream: str
) -> tuple[list[PlannedMeeting], list[Note], tuple[PlannedTurn, ...]]:
    """An active deal's meetings to its close, its course's emails and its turns. The deal
    closes on the day of its last conversation (the signature call, or the customer's decision)
    when that comes before the planned close date: the date is moved to the day it happened."""
    opp = op.opportunity
    end = op.anchor + timedelta(days=HORIZON_DAYS)
    lead = guests_of(op)[0]
    first = at_work(opp, lead, op.anchor, random.Random(f"{stream}/first")).date()
    course = plan_course(opp, op.anchor, end, config.activity.future_days,
                         random.Random(f"{stream}/course"), first)  # fmt: skip
    stages = stage_dates(opp, op.anchor, min(course.close, end), rng)
    meetings = _meetings(env, op, config, rng, walk, course, stages)
    won = course.won and won_path(op.meetings, meetings, config)
    meetings = signing(env, op, config, course, won, walk, meetings, rng)
    if course.ends:
        course = replace(course, close=_last_talk(op, meetings, course.close))
    talks = [m for m in (*op.meetings, *meetings) if m.primary_contact_id
             and m.start.astimezone(owner_zone(opp)).date() <= course.close]  # fmt: skip
    last = max(talks, key=lambda m: m.start) if talks and course.ends else None
    notes, close = course_notes(opp, course, won, lead, StageOf(stages, opp.stage),
                                random.Random(f"{stream}/course-mail"), last)  # fmt: skip
    course = replace(course, close=close)
    meetings += kickoff(env, op, config, course, won, walk, rng)
    return meetings, notes, course_turns(opp.id, course, won)


def _last_talk(op: OpportunityPlan, ahead: Sequence[PlannedMeeting], close: date) -> date:
    """The day of the last customer meeting still to come by `close` (else `close`)."""
    zone = owner_zone(op.opportunity)
    floor = anchor_instant(op.opportunity, op.anchor)
    days = [
        m.start.astimezone(zone).date()
        for m in (*op.meetings, *ahead)
        if m.primary_contact_id and m.start >= floor
    ]
    return max((d for d in days if d <= close), default=close)


def _fits(turns: tuple[PlannedTurn, ...], opp: Opportunity, at: datetime) -> bool:
    """An email shows the day after it is sent: the deal must then still be open on that date
    (or won)."""
    day = at.astimezone(owner_zone(opp)).date()
    return shows_ok(opp, turns, day, day + timedelta(days=1))


def _kind(opp: Opportunity, env: Env, stream: str, anchor: date) -> str:
    """ "active" (an open deal whose story is not stalling: the planner's own draw), "stalled",
    or "none" (a closed deal, or one without contacts)."""
    if opp.is_closed or not opp.contacts:
        return "none"
    rng = random.Random(f"{stream}/story")  # the planner's story stream, drawn the same way
    reached(opp, rng)
    return (
        "active"
        if outcome_of(opp, env.settings.messiness.stalled_share, rng) == "open"
        else ("stalled")
    )


def _meetings(
    env: Env,
    op: OpportunityPlan,
    config: Config,
    rng: random.Random,
    walk: Walk,
    course: Course,
    stages: Sequence[tuple[date, str]],
) -> list[PlannedMeeting]:
    opp = op.opportunity
    zone = owner_zone(opp)
    seller = Person(opp.owner.id, zone, zone_country(opp.owner.time_zone))
    end = min(course.close, op.anchor + timedelta(days=HORIZON_DAYS))
    planned = sorted(
        op.meetings[i].start.astimezone(zone).date()
        for i in range(len(op.meetings))
        if op.meetings[i].primary_contact_id and op.meetings[i].status == "scheduled"
    )
    guests = guests_of(op)
    out: list[PlannedMeeting] = []
    while True:
        gap = rng.randint(*_CADENCE) if out or walk.day > op.anchor else rng.randint(2, 6)
        target = walk.day + timedelta(days=gap)
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
            again = _rebook(env, op, meeting, end, stages, walk, config, rng)
            out += [again] if again is not None else []
            walk.day = out[-1].start.astimezone(zone).date()


def _rebook(
    env: Env,
    op: OpportunityPlan,
    missed: PlannedMeeting,
    end: date,
    stages: Sequence[tuple[date, str]],
    walk: Walk,
    config: Config,
    rng: random.Random,
) -> PlannedMeeting | None:
    """A meeting ahead that turns into a no-show (`outcome.realize`) is booked again two to six
    days later, "Rebooked: …" (shown only once the no-show has passed: `outcome.reveal`)."""
    if realize(missed, config).status != "no_show":
        return None
    opp = op.opportunity
    day = missed.start.astimezone(owner_zone(opp)).date() + timedelta(days=rng.randint(2, 6))
    slot = Slot(missed.meeting_type, day, day, min(day + timedelta(days=4), end), end,
                f"{REBOOKED}{missed.subject}")  # fmt: skip
    return book(env, op, seller_of(op), missed.invitee_ids, slot,
                lambda d: stage_ahead(stages, opp.stage, d), walk, config, rng)  # fmt: skip


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


def _meeting(
    env: Env,
    op: OpportunityPlan,
    seller: Person,
    guests: tuple[str, ...],
    target: date,
    end: date,
    stages: Sequence[tuple[date, str]],
    walk: Walk,
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
    subject = None
    if walk.kinds.get(kind, 0) >= REPEATS:  # a long Negotiation: status calls, not more of it
        kind, subject = "status", status_subject(opp, walk, rng)
    last = min(target + timedelta(days=4), end)
    for day, rank in walk.marks:  # before an org Event further on the path: on an earlier day
        if day >= target and rank > RANK.get(kind, walk.floor):
            last = min(last, day - timedelta(days=1))
    first = max(walk.day + timedelta(days=1), target - timedelta(days=2))

    def stage_of(day: date) -> str:
        return stage_ahead(stages, opp.stage, day)

    for aim, since, until in around_break(seller.country, walk.day, target, first, last, end):
        booked = book(env, op, seller, guests, Slot(kind, aim, since, until, end, subject),
                      stage_of, walk, config, rng)  # fmt: skip
        if booked is not None:
            return booked
    return None


class _Booker:
    """Books a stalled deal's check-in calls for `planning.revive`."""

    def __init__(
        self, env: Env, op: OpportunityPlan, config: Config, walk: Walk, rng: random.Random
    ) -> None:
        self.env, self.op, self.config, self.walk, self.rng = env, op, config, walk, rng
        self.seller = seller_of(op)

    def __call__(self, target: date, last: date, subject: str) -> PlannedMeeting | None:
        slot = Slot("check_in", target, target, last, last, subject)
        stage = self.op.opportunity.stage
        return book(self.env, self.op, self.seller, guests_of(self.op)[:1], slot,
                     lambda _: stage, self.walk, self.config, self.rng)  # fmt: skip
