"""One calendar per person across every deal: busy time, seller load caps and where people are.

The planner books every meeting and call here before it keeps it, so nobody (seller, colleague or
contact) is in two places at once, the org's own Events count as busy time, no seller goes over
the daily or weekly cap, two in-person meetings in different cities are at least 12 hours apart,
and nobody has a video call within an hour of an in-person meeting (that is travel time).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_TRAVEL = timedelta(hours=1)
CITY_GAP = timedelta(hours=12)
"""Two in-person meetings in different cities need at least this long between them."""


@dataclass(frozen=True)
class Caps:
    """Per-seller load limits, counting meetings the seller attends (internal ones included)."""

    daily: int
    weekly: int


class Book:
    """Busy intervals per person id, load counts per seller and in-person places per day."""

    def __init__(self, caps: Caps) -> None:
        self.caps = caps
        self._busy: dict[str, list[tuple[datetime, datetime]]] = {}
        self._day: dict[tuple[str, date], int] = {}
        self._week: dict[tuple[str, int, int], int] = {}
        self._in_person: dict[str, list[tuple[datetime, datetime, str]]] = {}

    def block(self, person: str, start: datetime, end: datetime) -> None:
        """Mark busy time that is not a planned meeting (the org's own Events)."""
        insort(self._busy.setdefault(person, []), (start, end))

    def free(self, people: Iterable[str], start: datetime, end: datetime) -> bool:
        """True when none of `people` has anything overlapping [start, end)."""
        return all(self._free_one(p, start, end) for p in people)

    def _free_one(self, person: str, start: datetime, end: datetime) -> bool:
        spans = self._busy.get(person)
        if not spans:
            return True
        i = bisect_left(spans, (end, end))
        return all(spans[j][1] <= start for j in range(max(0, i - 4), i))

    def busy_until(self, person: str, moment: datetime) -> datetime | None:
        """The end of the meeting or call `person` is in at `moment`; None when they are free."""
        spans = self._busy.get(person)
        if not spans:
            return None
        i = bisect_left(spans, (moment, moment))
        ends = [end for start, end in spans[max(0, i - 8) : i + 1] if start <= moment < end]
        return max(ends, default=None)

    def load_ok(self, seller: str, day: date) -> bool:
        """True when one more meeting on the seller's local `day` keeps both caps."""
        year, week, _ = day.isocalendar()
        return (
            self._day.get((seller, day), 0) < self.caps.daily
            and self._week.get((seller, year, week), 0) < self.caps.weekly
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
            if city is not None and not self._free_one(person, start - _TRAVEL, end + _TRAVEL):
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
        for person in people:
            insort(self._busy.setdefault(person, []), (start, end))
            if city is not None:
                self._in_person.setdefault(person, []).append((start, end, city))
        if seller is not None and seller_day is not None:
            year, week, _ = seller_day.isocalendar()
            self._day[(seller, seller_day)] = self._day.get((seller, seller_day), 0) + 1
            self._week[(seller, year, week)] = self._week.get((seller, year, week), 0) + 1
