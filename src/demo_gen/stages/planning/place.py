"""Placing one meeting in everyone's shared calendar.

A meeting aims at its target day and takes the best day near it (Tuesday–Thursday preferred,
never past its latest day) on which the seller is under the load caps, every participant is in
their local hours and free, and travel works; a customer meeting also avoids everyone's quiet
days (`workdays.is_quiet_day`). Starts lie on a 15-minute grid, mostly :00 and :30.
Colleagues over their own caps are left out rather than the meeting; a customer group that never
overlaps shrinks to its lead. Nothing here reads a clock or global random state.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from demo_gen.stages.planning.book import Book
from demo_gen.stages.planning.slots import Person
from demo_gen.stages.planning.windows import Span, Windows, choose_start, grid, inside
from demo_gen.stages.planning.workdays import is_quiet_day

_MAX_DAYS = 30
_MIDWEEK = (1, 2, 3)


@dataclass(frozen=True)
class Request:
    """What to place: who, how long, where, and the instants and days it must sit in."""

    seller: Person
    guests: tuple[Person, ...]  # customer attendees, lead first
    colleagues: tuple[Person, ...]
    minutes: int
    target: date
    first_day: date
    last_day: date
    low: datetime  # no start before
    high: datetime  # no end after
    city: str | None  # in person at the customer's office, else video
    seller_hours: tuple[time, time]
    guest_hours: tuple[time, time]
    prefer: tuple[time, time]


@dataclass(frozen=True)
class Placed:
    start: datetime
    guests: tuple[Person, ...]
    colleagues: tuple[Person, ...]
    day: date  # the seller's local day


def place(book: Book, windows: Windows, req: Request, rng: random.Random) -> Placed | None:
    """The meeting's start and final attendees, booked in `book`; None when nothing fits."""
    days = _days(req, rng)
    for guests in _groups(req.guests):
        for day in days:
            found = _on_day(book, windows, req, guests, day, rng)
            if found is not None:
                _book(book, req, found)
                return found
    return None


def _days(req: Request, rng: random.Random) -> list[date]:
    first = max(req.first_day, req.target - timedelta(days=3))
    if first > req.last_day:
        first = req.first_day
    span = (req.last_day - first).days
    days = [first + timedelta(days=i) for i in range(span + 1)]

    def key(day: date) -> float:
        penalty = 0.0 if day.weekday() in _MIDWEEK else 0.8
        return 0.6 * abs((day - req.target).days) + penalty + 1.5 * rng.random()

    return sorted(days, key=key)[:_MAX_DAYS]


def _groups(guests: tuple[Person, ...]) -> list[tuple[Person, ...]]:
    if len(guests) <= 1:
        return [guests]
    return [guests, guests[:1], *((g,) for g in guests[1:])]


def _on_day(
    book: Book,
    windows: Windows,
    req: Request,
    guests: tuple[Person, ...],
    day: date,
    rng: random.Random,
) -> Placed | None:
    seller = req.seller
    if not book.load_ok(seller.id, day):
        return None
    own = windows.of(seller, day, req.seller_hours)
    if not own or (guests and is_quiet_day(seller.country, day)):
        return None
    guest_spans = [_spans(windows, g, day, req.guest_hours, bool(guests)) for g in guests]
    colleagues = tuple(c for c in req.colleagues if book.load_ok(c.id, day))
    mate_spans = [_spans(windows, c, day, req.seller_hours, bool(guests)) for c in colleagues]
    length = timedelta(minutes=req.minutes)
    ids = [seller.id, *(g.id for g in guests)]
    starts = []
    for span in own:
        for start in grid(span, req.minutes):
            end = start + length
            if start < req.low or end > req.high:
                continue
            if not all(inside(s, start, end) for s in guest_spans):
                continue
            if book.free(ids, start, end) and book.travel_ok(ids, start, end, req.city):
                starts.append(start)
    if not starts:
        return None
    start = choose_start(starts, seller, req.prefer, rng)
    end = start + length
    kept = tuple(
        c
        for c, spans in zip(colleagues, mate_spans, strict=True)
        if inside(spans, start, end)
        and book.free([c.id], start, end)
        and book.travel_ok([c.id], start, end, req.city)
    )
    return Placed(start, guests, kept, day)


def _spans(
    windows: Windows, person: Person, day: date, hours: tuple[time, time], customer: bool
) -> list[Span]:
    """The person's spans around a seller day; for a customer meeting, none on their quiet days
    (`workdays.is_quiet_day`: the Friday after US Thanksgiving, the Christmas week)."""
    spans = windows.around(person, day, hours)
    if not customer:
        return spans
    return [s for s in spans if not is_quiet_day(person.country, _local_day(s[0], person))]


def _local_day(moment: datetime, person: Person) -> date:
    return moment.astimezone(person.zone).date()


def _book(book: Book, req: Request, placed: Placed) -> None:
    end = placed.start + timedelta(minutes=req.minutes)
    people: Sequence[Person] = (req.seller, *placed.guests, *placed.colleagues)
    book.book([p.id for p in people], placed.start, end, city=req.city)
    book.book([], placed.start, end, seller=req.seller.id, seller_day=placed.day)
    for mate in placed.colleagues:
        book.book([], placed.start, end, seller=mate.id, seller_day=placed.day)


def spans_of(windows: Windows, person: Person, day: date, hours: tuple[time, time]) -> list[Span]:
    """The person's spans around a seller day (re-exported for callers placing calls)."""
    return windows.around(person, day, hours)
