"""A deal's meetings: its story's steps placed in the shared calendar, with what went wrong.

Steps are placed in order, each after the one before, so the path never runs backwards. Before a
demo or a business case the seller may hold an internal prep with colleagues; larger deals get a
deal review with the manager every few weeks. A past customer meeting can be a no-show (more
likely once the story fades; an active deal rebooks it), a meeting can have been moved from an
earlier time, and invitees answer Accepted, Declined, Maybe or never (New).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from demo_gen.stages.planning.details import location, meeting_subject
from demo_gen.stages.planning.env import Deal, Env
from demo_gen.stages.planning.place import Placed, Request, place
from demo_gen.stages.planning.story import RANK, Step

_MINUTES = {
    "intro": (30,), "discovery": (30, 45), "demo": (60,), "technical_deep_dive": (60, 90),
    "business_case": (45, 60), "proposal": (45,), "negotiation": (30, 45),
    "legal_review": (30, 45), "signature": (30,), "kickoff": (60,), "onboarding": (60, 45),
    "internal_prep": (30,), "deal_review": (30,), "rebooked": (30,), "status": (30,),
    "check_in": (30,),
}  # fmt: skip
_REST = 20  # hours between one customer meeting of a deal and the next: not two in a day
_IN_PERSON_KINDS = frozenset({"business_case", "negotiation", "signature", "kickoff"})


@dataclass(frozen=True)
class Draft:
    """A placed meeting before it gets its key."""

    kind: str
    start: datetime
    minutes: int
    guests: tuple[str, ...]
    colleagues: tuple[str, ...]
    stage: str
    subject: str
    location: str
    in_person: bool
    status: str
    moved_from: datetime | None
    responses: tuple[tuple[str, str], ...]


@dataclass
class _Cursor:
    low: datetime
    used: set[str] = field(default_factory=set)


def plan_meetings(env: Env, deal: Deal) -> tuple[list[Draft], list[str]]:
    """The deal's meetings in time order, and notes on steps that found no room."""
    cursor = _Cursor(low=deal.opportunity.created_date + timedelta(hours=2))
    out: list[Draft] = []
    notes: list[str] = []
    for index, step in enumerate(deal.story.steps):
        rng = deal.rng("meeting", str(index))
        if step.kind == "intro" and any(a.rank == 0 for a in deal.anchors):
            continue  # the org already had the intro call
        step = _around_anchors(deal, step, cursor)
        prep = step.kind in ("demo", "business_case") and rng.random() < 0.5
        if prep and not any(
            d.kind == "internal_prep" and d.subject.endswith(_label(step)) for d in out
        ):
            out += _prep(env, deal, step, cursor, rng)  # one dry run per kind is enough
        draft = _customer(env, deal, step, cursor, rng)
        if draft is None:
            notes.append(f"{deal.opportunity.id}: no room for the {step.kind} meeting")
            continue
        out.append(draft)
        cursor.low = draft.start + timedelta(minutes=draft.minutes, hours=_REST)
        if draft.status == "no_show" and not step.fading:
            again = _rebook(env, deal, step, draft, cursor, rng)
            if again is not None:  # the rebooked meeting rests like any other: the next step
                out.append(again)  # is not held the same afternoon
                cursor.low = again.start + timedelta(minutes=again.minutes, hours=_REST)
    out += _reviews(env, deal, out)
    return sorted(out, key=lambda d: d.start), notes


def _around_anchors(deal: Deal, step: Step, cursor: _Cursor) -> Step:
    """After the org's Events earlier on the path, before those later on it (where it fits)."""
    rank = RANK[step.kind]
    before = [a.end for a in deal.anchors if a.rank < rank]
    if before:
        cursor.low = max(cursor.low, *before)
    after = [deal.local_day(a.start) for a in deal.anchors if a.rank > rank]
    if not after:
        return step
    last = min(after) - timedelta(days=1)
    if last < deal.local_day(cursor.low):  # no room before it: it does not fit this story,
        floor = deal.local_day(cursor.low)  # so it stays busy time only (no longer followed)
        deal.anchors = tuple(
            a for a in deal.anchors if a.rank <= rank or deal.local_day(a.start) > floor
        )
        return _around_anchors(deal, step, cursor)
    return replace(step, latest=min(step.latest, last), target=min(step.target, last))


def _bounds(deal: Deal, step: Step, low: datetime, env: Env) -> tuple[datetime, datetime]:
    future_end = deal.anchor_instant + timedelta(days=1 + env.settings.future_days)
    if step.kind in ("kickoff", "onboarding"):  # after the close: history or the near future
        low = max(low, deal.close_end())
        if step.target >= deal.local_day(deal.anchor_instant):
            return max(low, deal.anchor_instant + timedelta(days=1)), future_end
        return low, deal.anchor_instant
    if step.target >= deal.local_day(deal.anchor_instant):
        high = min(future_end, deal.close_end())
        return max(low, deal.anchor_instant + timedelta(days=1)), high
    return low, min(deal.anchor_instant, deal.close_end())


def _customer(
    env: Env, deal: Deal, step: Step, cursor: _Cursor, rng: random.Random
) -> Draft | None:
    low, high = _bounds(deal, step, cursor.low, env)
    guests = tuple(deal.people[c] for c in deal.committee.attendees(step.kind, rng))
    mates = tuple(env.person_of(u) for u in _team_users(env, deal, step.kind, rng))
    in_person = step.kind in _IN_PERSON_KINDS and rng.random() < env.settings.in_person_share
    city = deal.opportunity.account.id if in_person else None
    minutes = minutes_for(env, step.kind, rng)
    last = step.latest
    placed = _try(env, deal, guests, mates, minutes, step.target, last, low, high, city, rng)
    if placed is None and step.essential:
        last = deal.local_day(high)
        placed = _try(env, deal, guests, mates, minutes, step.target, last, low, high, city, rng)
    if placed is None and step.kind == "kickoff" and high <= deal.anchor_instant:
        soon = deal.local_day(deal.anchor_instant) + timedelta(days=1)  # no room before today
        low, high = _bounds(deal, replace(step, target=soon), cursor.low, env)
        last = deal.local_day(high)
        placed = _try(env, deal, guests, mates, minutes, soon, last, low, high, city, rng)
    for other in deal.committee.members if placed is None else ():
        alone = (deal.people[other.id],)  # nobody asked for overlaps the seller: one who does
        placed = _try(env, deal, alone, mates, minutes, step.target, last, low, high, city, rng)
        if placed is not None:
            deal.committee.meet(other.id)
            break
    if placed is None:
        return None
    rank = RANK[step.kind]  # an org Event this step had to pass is not the story's to follow
    deal.anchors = tuple(a for a in deal.anchors if not (a.rank > rank and a.start < placed.start))
    return _draft(env, deal, step.kind, step, placed, minutes, cursor, city is not None, rng)


def _try(
    env: Env,
    deal: Deal,
    guests: tuple,  # type: ignore[type-arg]
    mates: tuple,  # type: ignore[type-arg]
    minutes: int,
    target: date,
    last: date,
    low: datetime,
    high: datetime,
    city: str | None,
    rng: random.Random,
) -> Placed | None:
    if low >= high:
        return None
    first = deal.local_day(low)
    last = min(last, deal.local_day(high))
    if first > last:
        return None
    req = Request(
        seller=deal.seller,
        guests=guests,
        colleagues=mates,
        minutes=minutes,
        target=min(max(target, first), last),
        first_day=first,
        last_day=last,
        low=low,
        high=high,
        city=city,
        seller_hours=env.business,
        guest_hours=env.business,
        prefer=env.business,
    )
    placed = place(env.book, env.windows, req, rng)  # in both sides' office hours if it fits,
    if placed is None and guests and env.seller_hours != env.business:  # else the seller adapts
        placed = place(env.book, env.windows, replace(req, seller_hours=env.seller_hours), rng)
    return placed


def _team_users(env: Env, deal: Deal, kind: str, rng: random.Random) -> list:  # type: ignore[type-arg]
    ids = deal.team.seats(kind, rng)
    return [u for u in env.users if u.id in ids]


def minutes_for(env: Env, kind: str, rng: random.Random) -> int:
    """A meeting's length: one the kind usually takes (a status call half an hour, a deep dive an
    hour or more) that the configuration allows, else the allowed length nearest to it."""
    allowed = env.settings.meetings.duration_minutes
    preferred = _MINUTES.get(kind, (30,))
    fitting = [d for d in preferred if d in allowed]
    if fitting:
        return rng.choice(fitting)
    return min(sorted(allowed), key=lambda d: abs(d - preferred[0]))


def _draft(
    env: Env,
    deal: Deal,
    kind: str,
    step: Step,
    placed: Placed,
    minutes: int,
    cursor: _Cursor,
    in_person: bool,
    rng: random.Random,
    next_kind: str = "meeting",
) -> Draft:
    opp = deal.opportunity
    mess = env.settings.messiness
    past = placed.start < deal.anchor_instant
    customer = bool(placed.guests)
    status = "held" if past else "scheduled"
    chance = mess.no_show_share * (3 if step.fading else 1)
    if customer and past and rng.random() < chance:
        status = "no_show"
    moved = None
    if customer and rng.random() < mess.reschedule_share:
        earlier = placed.start - timedelta(days=rng.randint(1, 5))
        while not env.windows.of(deal.seller, deal.local_day(earlier), env.business):
            earlier -= timedelta(days=1)  # it was first booked on a working day too
        if earlier - timedelta(days=1) > max(cursor.low, opp.created_date) and (
            earlier - timedelta(days=1) < deal.anchor_instant
        ):
            moved = earlier
    where = location(kind, opp.account, 1.0 if in_person else 0.0, rng)
    return Draft(
        kind=kind,
        start=placed.start,
        minutes=minutes,
        guests=tuple(g.id for g in placed.guests),
        colleagues=tuple(c.id for c in placed.colleagues),
        stage=deal.story.stage_on(deal.local_day(placed.start)),  # the stage on that very day
        subject=_subject(deal, kind, placed, rng, cursor, next_kind),
        location=where,
        in_person=in_person,
        status=status,
        moved_from=moved,
        responses=_responses(env, placed, past, rng),
    )


def _subject(
    deal: Deal, kind: str, placed: Placed, rng: random.Random, cursor: _Cursor, next_kind: str
) -> str:
    opp = deal.opportunity
    if kind == "deal_review":  # a recurring meeting: its date tells the reviews apart
        return (
            f"Deal review: {opp.account.name} ({placed.start.astimezone(deal.seller.zone):%d %b})"
        )
    return meeting_subject(kind, opp.account, opp.name, rng, cursor.used, next_kind)


def _responses(
    env: Env, placed: Placed, past: bool, rng: random.Random
) -> tuple[tuple[str, str], ...]:
    mess = env.settings.messiness
    out = []
    invited = [g.id for g in placed.guests[1:]] + [c.id for c in placed.colleagues]
    for person in invited:
        roll = rng.random()
        if roll < mess.decline_share and person not in [c.id for c in placed.colleagues]:
            answer = "Declined"
        elif roll < mess.decline_share + mess.tentative_share:
            answer = "New" if rng.random() < 0.6 else "Maybe"
        else:
            answer = "Accepted" if past or rng.random() < 0.7 else "New"
        out.append((person, answer))
    return tuple(out)


def _prep(env: Env, deal: Deal, step: Step, cursor: _Cursor, rng: random.Random) -> list[Draft]:
    seats = f"internal_prep_{step.kind}"  # who preps depends on what is prepared
    mates = tuple(env.person_of(u) for u in _team_users(env, deal, seats, rng))
    if not mates:
        return []
    low, high = _bounds(deal, step, cursor.low, env)
    target = step.target - timedelta(days=rng.randint(1, 3))
    last = step.target - timedelta(days=1)
    placed = _try(env, deal, (), mates, 30, target, last, low, high, None, rng)
    if placed is None or not placed.colleagues:
        return []
    cursor.low = placed.start + timedelta(minutes=30)
    return [_draft(env, deal, "internal_prep", step, placed, 30, cursor, False, rng, _label(step))]


def _label(step: Step) -> str:
    return {"demo": "demo", "business_case": "business case"}.get(step.kind, "meeting")


def _rebook(
    env: Env, deal: Deal, step: Step, missed: Draft, cursor: _Cursor, rng: random.Random
) -> Draft | None:
    low, high = _bounds(deal, step, cursor.low, env)
    guests = tuple(deal.people[g] for g in missed.guests)
    target = deal.local_day(missed.start) + timedelta(days=rng.randint(2, 6))
    again_step = replace(step, target=target, latest=target + timedelta(days=10))
    bounded = _around_anchors(deal, again_step, cursor)
    last = bounded.latest
    placed = _try(env, deal, guests, (), missed.minutes, bounded.target, last, low, high, None, rng)
    if placed is None:
        return None
    again = _draft(env, deal, step.kind, step, placed, missed.minutes, cursor, False, rng)
    status = "held" if again.start < deal.anchor_instant else "scheduled"
    return Draft(**{**again.__dict__, "status": status, "subject": f"Rebooked: {missed.subject}"})


def _reviews(env: Env, deal: Deal, drafts: list[Draft]) -> list[Draft]:
    """Deal reviews with the manager every four to six weeks on deals of 30k and more."""
    opp, story = deal.opportunity, deal.story
    if (opp.amount or 0) < 30_000 or "manager" not in deal.team.by_role:
        return []
    out: list[Draft] = []
    rng = deal.rng("reviews")
    day = story.start + timedelta(days=rng.randint(25, 40))
    last = story.fade_from or story.end
    cursor = _Cursor(low=opp.created_date, used={d.subject for d in drafts})
    while day < last and len(out) < 4:
        step = Step("deal_review", day, day + timedelta(days=5), story.stage_on(day))
        mates = (env.person_of(deal.team.by_role["manager"]),)
        low, high = _bounds(deal, step, opp.created_date, env)
        placed = _try(env, deal, (), mates, 30, day, day + timedelta(days=5), low, high, None, rng)
        if placed is not None and placed.colleagues:
            out.append(_draft(env, deal, "deal_review", step, placed, 30, cursor, False, rng))
        day += timedelta(days=rng.randint(28, 45))
    return out
