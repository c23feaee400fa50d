"""When a person can meet on a day, as UTC intervals, and candidate starts on a 15-minute grid.

A person's window on a local date is `hours` of that date in their zone on a working day of
their country (own weekend, public holidays); `heavy` realism also removes the 12:00–13:00 lunch
hour and Friday after 15:00, `none` keeps only Monday–Friday. Windows are cached per instance
(one per plan), never in module state. Starts prefer :00 and :30, with some :15 and :45.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from demo_gen.stages.planning.slots import Person, Rules
from demo_gen.stages.planning.workdays import is_working_day

Span = tuple[datetime, datetime]
_LUNCH = (time(12, 0), time(13, 0))
_FRIDAY_CUTOFF = time(15, 0)
_MINUTE_WEIGHT = {0: 8, 30: 5, 15: 1, 45: 1}
_SHIFT = 20  # a memo entry: the day's ordinal above, the place's number in the low 20 bits
_PLACE = (1 << _SHIFT) - 1


class Windows:
    """Memoised meeting windows per (person, local date, hours). A person keeps the window
    first made for them on a day (a contact placed otherwise in another deal sees it too); the
    windows themselves are shared by everyone in the same place. A run's plan spans tens of
    thousands of people and hundreds of days, so the memo keeps, per person and hours, one
    array of the days asked, each with the place it was first asked in (8 bytes a day, where a
    dict entry keyed by a tuple took about 150); `tests/test_windows_memo.py` compares it with
    that dict."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self._memo: dict[tuple[str, time, time], array[int]] = {}  # day ordinal << 20 | place
        self._place_ids: dict[tuple[tzinfo, str | None], int] = {}
        self._place_list: list[tuple[tzinfo, str | None]] = []
        self._places: dict[tuple[int, int, time, time], tuple[Span, ...]] = {}

    def of(self, person: Person, day: date, hours: tuple[time, time]) -> tuple[Span, ...]:
        """The UTC spans of `person`'s local `day` inside `hours` (empty on a day off)."""
        days = self._memo.get((person.id, hours[0], hours[1]))
        if days is None:
            days = self._memo[person.id, hours[0], hours[1]] = array("q")
        ordinal = day.toordinal()
        at = bisect_left(days, ordinal << _SHIFT)
        if at < len(days) and days[at] >> _SHIFT == ordinal:
            place = days[at] & _PLACE
        else:
            place = self._place(person)
            days.insert(at, ordinal << _SHIFT | place)
        key = (place, ordinal, hours[0], hours[1])
        found = self._places.get(key)
        if found is None:
            zone, country = self._place_list[place]
            found = self._places[key] = self._build(zone, country, day, hours)
        return found

    def _place(self, person: Person) -> int:
        where = (person.zone, person.country)
        place = self._place_ids.get(where)
        if place is None:
            place = self._place_ids[where] = len(self._place_list)
            if place > _PLACE:
                raise OverflowError("more places than the windows' memo numbers")
            self._place_list.append(where)
        return place

    def _build(
        self, zone: tzinfo, country: str | None, day: date, hours: tuple[time, time]
    ) -> tuple[Span, ...]:
        level = self.rules.level
        if level == "none":
            if day.weekday() >= 5:
                return ()
        elif not is_working_day(country, day):
            return ()
        pieces = [hours]
        if level == "heavy":
            end = min(hours[1], _FRIDAY_CUTOFF) if day.weekday() == 4 else hours[1]
            pieces = [(hours[0], min(end, _LUNCH[0])), (max(hours[0], _LUNCH[1]), end)]
        out = []
        for low, high in pieces:
            if low < high:
                out.append((_utc(day, low, zone), _utc(day, high, zone)))
        return tuple(out)

    def around(self, person: Person, seller_day: date, hours: tuple[time, time]) -> list[Span]:
        """The person's spans on the local days touching the seller's day."""
        spans: list[Span] = []
        for shift in (-1, 0, 1):
            spans.extend(self.of(person, seller_day + timedelta(days=shift), hours))
        return spans


def _utc(day: date, clock: time, zone: tzinfo) -> datetime:
    local = datetime.combine(day, clock, tzinfo=zone)
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
