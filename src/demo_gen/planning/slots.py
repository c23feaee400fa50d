"""Meeting slots: times that suit every participant's local hours and working days.

A slot is a start on :00 or :30 of the organiser's (seller's) local clock. It is valid when
- every external participant is inside `business_hours`, start and end on the same local day,
  and that day is a working day (own weekend, no public holiday) of their country;
- the seller is inside the wider `seller_hours` on a working day of the seller's country.
`realism_level: none` checks only the seller's business hours on Monday–Friday; `heavy` also keeps
meetings off everyone's local 12:00–13:00 lunch hour and off Friday afternoons (after 15:00).
Wall times that do not exist (spring-forward gaps) are skipped, so DST never shifts a meeting.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from demo_gen.planning.calendar import is_working_day

_LUNCH = (time(12, 0), time(13, 0))
_FRIDAY_CUTOFF = time(15, 0)


@dataclass(frozen=True)
class Person:
    """A meeting participant as the scheduler sees them."""

    id: str
    zone: ZoneInfo
    country: str | None


@dataclass(frozen=True)
class Rules:
    """The hours that bind a meeting; built from ActivitySettings."""

    business: tuple[time, time]
    seller: tuple[time, time]
    level: str  # none | light | heavy


@dataclass(frozen=True)
class Bounds:
    """A half-open instant window [low, high) that a meeting must sit in entirely."""

    low: datetime
    high: datetime


def fits(
    person: Person, start: datetime, end: datetime, hours: tuple[time, time], rules: Rules
) -> bool:
    """True when [start, end) lies in `hours` of `person`'s local working day."""
    local_start = start.astimezone(person.zone)
    local_end = end.astimezone(person.zone)
    day = local_start.date()
    end_clock = local_end.time()
    if local_end.date() != day or local_start.time() < hours[0] or end_clock > hours[1]:
        return False
    if rules.level == "none":
        return day.weekday() < 5
    if not is_working_day(person.country, day):
        return False
    if rules.level == "heavy":
        return _heavy_ok(local_start.time(), end_clock, day)
    return True


def _heavy_ok(start: time, end: time, day: date) -> bool:
    if start < _LUNCH[1] and end > _LUNCH[0]:
        return False
    return not (day.weekday() == 4 and end > _FRIDAY_CUTOFF)


def seller_starts(day: date, seller: Person, duration: int, rules: Rules) -> list[datetime]:
    """Candidate UTC starts on the seller's local `day` every 30 minutes (existing wall times)."""
    window = rules.business if rules.level == "none" else rules.seller
    out: list[datetime] = []
    minutes = -(-(window[0].hour * 60 + window[0].minute) // 30) * 30
    while minutes + duration <= window[1].hour * 60 + window[1].minute:
        wall = datetime.combine(day, time(minutes // 60, minutes % 60))
        utc = wall.replace(tzinfo=seller.zone).astimezone(UTC)
        if utc.astimezone(seller.zone).replace(tzinfo=None) == wall:
            out.append(utc)
        minutes += 30
    return out


class SlotFinder:
    """Valid meeting starts in one window, memoised per (day, duration) and per guest.

    The memo lives in the instance (one per window being scheduled), never in module state.
    """

    def __init__(self, seller: Person, rules: Rules, bounds: Bounds) -> None:
        self.seller = seller
        self.rules = rules
        self.bounds = bounds
        self._base: dict[tuple[date, int], list[datetime]] = {}
        self._guest: dict[tuple[str, date, int], frozenset[datetime]] = {}

    def slots(self, day: date, guests: Sequence[Person], duration: int) -> list[datetime]:
        """Every valid UTC start on the seller's local `day` for this participant set."""
        base = self._seller_slots(day, duration)
        if self.rules.level == "none" or not base:
            return base
        allowed = [self._guest_slots(g, day, duration, base) for g in guests]
        return [start for start in base if all(start in ok for ok in allowed)]

    def _seller_slots(self, day: date, duration: int) -> list[datetime]:
        key = (day, duration)
        if key not in self._base:
            span = timedelta(minutes=duration)
            window = self.rules.business if self.rules.level == "none" else self.rules.seller
            self._base[key] = [
                start
                for start in seller_starts(day, self.seller, duration, self.rules)
                if self.bounds.low <= start
                and start + span <= self.bounds.high
                and fits(self.seller, start, start + span, window, self.rules)
            ]
        return self._base[key]

    def _guest_slots(
        self, guest: Person, day: date, duration: int, base: list[datetime]
    ) -> frozenset[datetime]:
        key = (guest.id, day, duration)
        if key not in self._guest:
            span = timedelta(minutes=duration)
            self._guest[key] = frozenset(
                s for s in base if fits(guest, s, s + span, self.rules.business, self.rules)
            )
        return self._guest[key]


def pick_slot(
    slots: Sequence[datetime], seller: Person, rules: Rules, rng: random.Random
) -> datetime:
    """One slot, preferring the seller's own business hours (3:1) over the wider window."""
    weights = []
    for start in slots:
        local = start.astimezone(seller.zone).time()
        weights.append(3 if rules.business[0] <= local < rules.business[1] else 1)
    return rng.choices(list(slots), weights=weights)[0]


def days_between(bounds: Bounds, zone: ZoneInfo) -> list[date]:
    """The seller-local dates that the bounds touch, in order."""
    first = bounds.low.astimezone(zone).date()
    last = (bounds.high - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
