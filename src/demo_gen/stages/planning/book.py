"""One calendar per person across every deal: busy time, seller load caps and where people are.

The planner books every meeting and call here before it keeps it, so nobody (seller, colleague or
contact) is in two places at once, the org's own Events count as busy time, no seller goes over
the daily or weekly cap, two in-person meetings in different cities are at least 12 hours apart,
and nobody has a video call within an hour of an in-person meeting (that is travel time).

A run books every deal of the org into it (tens of thousands of people, hundreds of thousands of
spans), so it is held compactly: each person's spans as two arrays of UTC epoch microseconds
(starts and ends, in (start, end) order), each seller's counts per day and per week as arrays of
keys and counts. It answers exactly as a list of (start, end) tuples per person and a dict per
seller-day and seller-week would (`tests/test_book.py` holds that reference and compares them).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_TRAVEL = timedelta(hours=1)
CITY_GAP = timedelta(hours=12)
"""Two in-person meetings in different cities need at least this long between them."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Caps:
    """Per-seller load limits, counting meetings the seller attends (internal ones included)."""

    daily: int
    weekly: int


def _us(moment: datetime) -> int:
    """An aware datetime as UTC epoch microseconds (its order and equality kept)."""
    return (moment - _EPOCH) // _MICROSECOND


class _Spans:
    """One person's busy spans: starts and ends in (start, end) order, as microseconds."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts = array("q")
        self.ends = array("q")

    def left(self, start: int, end: int) -> int:
        """`bisect_left` of (start, end) in the (start, end) pairs."""
        low = bisect_left(self.starts, start)
        high = bisect_right(self.starts, start, low)
        return bisect_left(self.ends, end, low, high)

    def insert(self, start: int, end: int) -> None:
        """`insort` of (start, end) (after its equals, which are the same value)."""
        low = bisect_left(self.starts, start)
        high = bisect_right(self.starts, start, low)
        at = bisect_right(self.ends, end, low, high)
        self.starts.insert(at, start)
        self.ends.insert(at, end)


class _Counts:
    """Counts per owner and integer key: sorted keys and their counts, an array pair each."""

    def __init__(self) -> None:
        self._by: dict[str, tuple[array[int], array[int]]] = {}

    def get(self, owner: str, key: int) -> int:
        found = self._by.get(owner)
        if found is None:
            return 0
        keys, counts = found
        at = bisect_left(keys, key)
        return counts[at] if at < len(keys) and keys[at] == key else 0

    def add(self, owner: str, key: int) -> None:
        keys, counts = self._by.setdefault(owner, (array("q"), array("q")))
        at = bisect_left(keys, key)
        if at < len(keys) and keys[at] == key:
            counts[at] += 1
        else:
            keys.insert(at, key)
            counts.insert(at, 1)


def _week_key(day: date) -> int:
    year, week, _ = day.isocalendar()
    return year * 100 + week


class Book:
    """Busy intervals per person id, load counts per seller and in-person places per day.
    Datetimes are aware (the planner's are UTC); `busy_until` answers in UTC."""

    def __init__(self, caps: Caps) -> None:
        self.caps = caps
        self._busy: dict[str, _Spans] = {}
        self._day = _Counts()  # seller, date ordinal
        self._week = _Counts()  # seller, ISO year * 100 + ISO week
        self._in_person: dict[str, list[tuple[datetime, datetime, str]]] = {}

    def block(self, person: str, start: datetime, end: datetime) -> None:
        """Mark busy time that is not a planned meeting (the org's own Events)."""
        self._spans(person).insert(_us(start), _us(end))

    def _spans(self, person: str) -> _Spans:
        spans = self._busy.get(person)
        if spans is None:
            spans = self._busy[person] = _Spans()
        return spans

    def free(self, people: Iterable[str], start: datetime, end: datetime) -> bool:
        """True when none of `people` has anything overlapping [start, end)."""
        low, high = _us(start), _us(end)
        return all(self._free_one(p, low, high) for p in people)

    def _free_one(self, person: str, start: int, end: int) -> bool:
        spans = self._busy.get(person)
        if spans is None:
            return True
        i = spans.left(end, end)
        ends = spans.ends
        return all(ends[j] <= start for j in range(max(0, i - 4), i))

    def busy_until(self, person: str, moment: datetime) -> datetime | None:
        """The end of the meeting or call `person` is in at `moment`; None when they are free."""
        spans = self._busy.get(person)
        if spans is None:
            return None
        at = _us(moment)
        i = spans.left(at, at)
        low, high = max(0, i - 8), min(i + 1, len(spans.starts))
        starts, ends = spans.starts, spans.ends
        found = [ends[j] for j in range(low, high) if starts[j] <= at < ends[j]]
        return _EPOCH + max(found) * _MICROSECOND if found else None

    def load_ok(self, seller: str, day: date) -> bool:
        """True when one more meeting on the seller's local `day` keeps both caps."""
        return (
            self._day.get(seller, day.toordinal()) < self.caps.daily
            and self._week.get(seller, _week_key(day)) < self.caps.weekly
        )

    def travel_ok(
        self, people: Iterable[str], start: datetime, end: datetime, city: str | None
    ) -> bool:
        """In person: an hour's travel around it, and 12 hours between two different cities."""
        for person in people:
            for low, high, where in self._in_person.get(person, ()):
                gap = _TRAVEL if city is None or where == city else CITY_GAP
                if low - gap < end and start < high + gap:
                    return False
            if city is not None and not self._free_one(
                person, _us(start - _TRAVEL), _us(end + _TRAVEL)
            ):
                return False
        return True

    def book(
        self,
        people: Iterable[str],
        start: datetime,
        end: datetime,
        *,
        seller: str | None = None,
        seller_day: date | None = None,
        city: str | None = None,
    ) -> None:
        """Record a meeting (or call) for everyone in it; counts toward `seller`'s load."""
        low, high = _us(start), _us(end)
        for person in people:
            self._spans(person).insert(low, high)
            if city is not None:
                self._in_person.setdefault(person, []).append((start, end, city))
        if seller is not None and seller_day is not None:
            self._day.add(seller, seller_day.toordinal())
            self._week.add(seller, _week_key(seller_day))
