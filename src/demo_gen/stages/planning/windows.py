"""When a person can meet on a day, as UTC intervals, and candidate starts on a 15-minute grid.

A person's window on a local date is `hours` of that date in their zone on a working day of
their country (own weekend, public holidays); `heavy` realism also removes the 12:00–13:00 lunch
hour and Friday after 15:00, `none` keeps only Monday–Friday. Windows are cached per instance
(one per plan), never in module state. Starts prefer :00 and :30, with some :15 and :45.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from demo_gen.stages.planning.slots import Person, Rules
from demo_gen.stages.planning.workdays import is_working_day

Span = tuple[datetime, datetime]
_LUNCH = (time(12, 0), time(13, 0))
_FRIDAY_CUTOFF = time(15, 0)
_MINUTE_WEIGHT = {0: 8, 30: 5, 15: 1, 45: 1}


class Windows:
    """Memoised meeting windows per (person, local date, hours). A person keeps the window
    first made for them on a day (a contact placed otherwise in another deal sees it too); the
    windows themselves are shared by everyone in the same place, so the memo's entries cost a
    key each, not a window each (a run's plan spans thousands of people and hundreds of days)."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._memo: dict[tuple[str, date, time, time], tuple[Span, ...]] = {}
        self._places: dict[tuple[tzinfo, str | None, date, time, time], tuple[Span, ...]] = {}

    def of(self, person: Person, day: date, hours: tuple[time, time]) -> tuple[Span, ...]:
        """The UTC spans of `person`'s local `day` inside `hours` (empty on a day off)."""
        key = (person.id, day, hours[0], hours[1])
        found = self._memo.get(key)
        if found is None:
            place = (person.zone, person.country, day, hours[0], hours[1])
            found = self._places.get(place)
            if found is None:
                found = self._places[place] = self._build(person, day, hours)
            self._memo[key] = found
        return found

    def _build(self, person: Person, day: date, hours: tuple[time, time]) -> tuple[Span, ...]:
        level = self.rules.level
        if level == "none":
            if day.weekday() >= 5:
                return ()
        elif not is_working_day(person.country, day):
            return ()
        pieces = [hours]
        if level == "heavy":
            end = min(hours[1], _FRIDAY_CUTOFF) if day.weekday() == 4 else hours[1]
            pieces = [(hours[0], min(end, _LUNCH[0])), (max(hours[0], _LUNCH[1]), end)]
        out = []
        for low, high in pieces:
            if low < high:
                out.append((_utc(day, low, person), _utc(day, high, person)))
        return tuple(out)

    def around(self, person: Person, seller_day: date, hours: tuple[time, time]) -> list[Span]:
        """The person's spans on the local days touching the seller's day."""
        spans: list[Span] = []
        for shift in (-1, 0, 1):
            spans.extend(self.of(person, seller_day + timedelta(days=shift), hours))
        return spans


def _utc(day: date, clock: time, person: Person) -> datetime:
    local = datetime.combine(day, clock, tzinfo=person.zone)
    return local.astimezone(UTC)


def inside(spans: Sequence[Span], start: datetime, end: datetime) -> bool:
    """True when [start, end) lies entirely in one span."""
    return any(low <= start and end <= high for low, high in spans)


def grid(span: Span, minutes: int) -> list[datetime]:
    """Starts every 15 minutes (on the quarter hour in UTC) for a meeting of `minutes` in span."""
    low, high = span
    first = low.replace(second=0, microsecond=0)
    first += timedelta(minutes=(-first.minute) % 15)
    if first < low:
        first += timedelta(minutes=15)
    length = timedelta(minutes=minutes)
    out = []
    moment = first
    while moment + length <= high:
        out.append(moment)
        moment += timedelta(minutes=15)
    return out


def choose_start(
    starts: Sequence[datetime], seller: Person, prefer: tuple[time, time], rng: random.Random
) -> datetime:
    """A start weighted toward :00/:30 of the seller's clock and the seller's core hours."""
    weights = []
    for start in starts:
        local = start.astimezone(seller.zone)
        weight = _MINUTE_WEIGHT.get(local.minute, 1)
        if prefer[0] <= local.time() < prefer[1]:
            weight *= 3
        weights.append(weight)
    return rng.choices(list(starts), weights=weights)[0]
