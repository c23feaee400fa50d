"""The compact calendar (`planning.book.Book`) answers exactly as the straightforward one it
replaced: a sorted list of (start, end) tuples per person and a dict per seller-day and week."""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from demo_gen.stages.planning.book import CITY_GAP, Book, Caps

_TRAVEL = timedelta(hours=1)


class ReferenceBook:
    """The calendar as it was written first: tuples of datetimes, dicts of counts."""

    def __init__(self, caps: Caps) -> None:
        self.caps = caps
        self._busy: dict[str, list[tuple[datetime, datetime]]] = {}
        self._day: dict[tuple[str, date], int] = {}
        self._week: dict[tuple[str, int, int], int] = {}
        self._in_person: dict[str, list[tuple[datetime, datetime, str]]] = {}

    def block(self, person, start, end):
        insort(self._busy.setdefault(person, []), (start, end))

    def free(self, people, start, end):
        return all(self._free_one(p, start, end) for p in people)

    def _free_one(self, person, start, end):
        spans = self._busy.get(person)
        if not spans:
            return True
        i = bisect_left(spans, (end, end))
        return all(spans[j][1] <= start for j in range(max(0, i - 4), i))

    def busy_until(self, person, moment):
        spans = self._busy.get(person)
        if not spans:
            return None
        i = bisect_left(spans, (moment, moment))
        ends = [end for start, end in spans[max(0, i - 8) : i + 1] if start <= moment < end]
        return max(ends, default=None)

    def load_ok(self, seller, day):
        year, week, _ = day.isocalendar()
        return (
            self._day.get((seller, day), 0) < self.caps.daily
            and self._week.get((seller, year, week), 0) < self.caps.weekly
        )

    def travel_ok(self, people, start, end, city):
        for person in people:
            for low, high, where in self._in_person.get(person, ()):
                gap = _TRAVEL if city is None or where == city else CITY_GAP
                if low - gap < end and start < high + gap:
                    return False
            if city is not None and not self._free_one(person, start - _TRAVEL, end + _TRAVEL):
                return False
        return True

    def book(self, people, start, end, *, seller=None, seller_day=None, city=None):
        for person in people:
            insort(self._busy.setdefault(person, []), (start, end))
            if city is not None:
                self._in_person.setdefault(person, []).append((start, end, city))
        if seller is not None and seller_day is not None:
            year, week, _ = seller_day.isocalendar()
            self._day[(seller, seller_day)] = self._day.get((seller, seller_day), 0) + 1
            self._week[(seller, year, week)] = self._week.get((seller, year, week), 0) + 1


_BASE = datetime(2026, 12, 28, 8, tzinfo=UTC)  # an ISO week that spans two years
_PEOPLE = ("ae", "se", "c1", "c2")
_ZONES = (UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30)))


@st.composite
def _moment(draw):
    # few distinct instants, often on the quarter hour: equal starts, equal ends, overlaps
    minutes = draw(st.integers(0, 60 * 24 * 9)) // draw(st.sampled_from((15, 1)))
    seconds = draw(st.sampled_from((0, 0, 0, 7, 59)))
    micro = draw(st.sampled_from((0, 0, 0, 1, 999_999)))
    moment = _BASE + timedelta(minutes=minutes, seconds=seconds, microseconds=micro)
    return moment.astimezone(draw(st.sampled_from(_ZONES)))


@st.composite
def _span(draw):
    start = draw(_moment())
    return start, start + timedelta(minutes=draw(st.sampled_from((0, 15, 30, 45, 60, 600))))


_people = st.lists(st.sampled_from(_PEOPLE), max_size=3)
_day = st.builds(  # around a year's end, and the same weeks a year on
    lambda n: date(2026, 12, 24) + timedelta(days=n), st.integers(0, 20) | st.integers(357, 377)
)
_op = st.one_of(
    st.tuples(st.just("block"), st.sampled_from(_PEOPLE), _span()),
    st.tuples(
        st.just("book"), _people, _span(), st.sampled_from((None, "ae", "se")), _day,
        st.sampled_from((None, None, "Dubai", "NYC")),
    ),
    st.tuples(st.just("free"), _people, _span()),
    st.tuples(st.just("busy_until"), st.sampled_from(_PEOPLE), _moment()),
    st.tuples(st.just("load_ok"), st.sampled_from(("ae", "se", "c1")), _day),
    st.tuples(st.just("travel_ok"), _people, _span(), st.sampled_from((None, "Dubai", "NYC"))),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(_op, max_size=120), caps=st.tuples(st.integers(1, 4), st.integers(1, 9)))
def test_the_compact_book_answers_as_the_reference(ops, caps):
    book, ref = Book(Caps(*caps)), ReferenceBook(Caps(*caps))
    for op in ops:
        name = op[0]
        if name == "block":
            _, person, (start, end) = op
            book.block(person, start, end)
            ref.block(person, start, end)
        elif name == "book":
            _, people, (start, end), seller, day, city = op
            book.book(people, start, end, seller=seller, seller_day=day, city=city)
            ref.book(people, start, end, seller=seller, seller_day=day, city=city)
        elif name == "free":
            _, people, (start, end) = op
            assert book.free(people, start, end) == ref.free(people, start, end)
        elif name == "busy_until":
            _, person, moment = op
            got, want = book.busy_until(person, moment), ref.busy_until(person, moment)
            assert got == want
            assert got is None or got.utcoffset() == timedelta(0)
        elif name == "load_ok":
            _, seller, day = op
            assert book.load_ok(seller, day) == ref.load_ok(seller, day)
        else:
            _, people, (start, end), city = op
            assert book.travel_ok(people, start, end, city) == ref.travel_ok(
                people, start, end, city
            )


def test_a_crowded_calendar_answers_as_the_reference():
    """Many spans on one person, many of them starting together: the four spans before a
    start are all `free` looks at, and eight around a moment all `busy_until` does."""
    book, ref = Book(Caps(3, 10)), ReferenceBook(Caps(3, 10))
    for n in range(400):
        start = _BASE + timedelta(minutes=15 * (n % 37))
        end = start + timedelta(minutes=15 * (1 + n % 7))
        for b in (book, ref):
            b.book(["ae"], start, end, seller="ae", seller_day=start.date())
    for n in range(-4, 40 * 4):
        moment = _BASE + timedelta(minutes=15 * n // 4)
        assert book.busy_until("ae", moment) == ref.busy_until("ae", moment)
        later = moment + timedelta(minutes=20)
        assert book.free(["ae"], moment, later) == ref.free(["ae"], moment, later)
    assert book.load_ok("ae", _BASE.date()) == ref.load_ok("ae", _BASE.date()) is False


def test_free_looks_at_the_four_spans_before_the_end_as_the_reference():
    """A long span, then three short ones: the long one is the fourth before the query."""
    book, ref = Book(Caps(3, 10)), ReferenceBook(Caps(3, 10))
    eight = _BASE
    spans = [(eight, eight + timedelta(hours=10))] + [
        (eight + timedelta(minutes=m), eight + timedelta(minutes=m + 10)) for m in (15, 45, 75)
    ]
    for start, end in spans:
        book.block("ae", start, end)
        ref.block("ae", start, end)
    noon = eight + timedelta(hours=4)
    assert book.free(["ae"], noon, noon + timedelta(hours=1)) is False
    assert ref.free(["ae"], noon, noon + timedelta(hours=1)) is False
    for b in (book, ref):  # a fifth short one: the long span is out of sight, as it was
        b.block("ae", eight + timedelta(minutes=100), eight + timedelta(minutes=110))
    assert book.free(["ae"], noon, noon + timedelta(hours=1)) is True
    assert ref.free(["ae"], noon, noon + timedelta(hours=1)) is True


def test_spans_that_start_together_sort_by_their_end_as_the_reference():
    """Equal starts, zero-length spans and a query ending where they start: the tuple order
    (start, then end) decides which four spans `free` looks at."""
    book, ref = Book(Caps(3, 10)), ReferenceBook(Caps(3, 10))
    nine = _BASE + timedelta(hours=1)
    for minutes in (30, 0, 60, 0, 15, 45, 0):
        for b in (book, ref):
            b.block("c1", nine, nine + timedelta(minutes=minutes))
    for b in (book, ref):
        b.block("c1", nine - timedelta(hours=3), nine - timedelta(hours=2))
        b.block("c1", nine - timedelta(hours=1), nine)
    for offset in range(-8, 8):
        start = nine + timedelta(minutes=15 * offset)
        for length in (0, 15, 60):
            end = start + timedelta(minutes=length)
            assert book.free(["c1"], start, end) == ref.free(["c1"], start, end), (start, end)
        assert book.busy_until("c1", start) == ref.busy_until("c1", start)


def test_the_same_week_of_another_year_is_another_week():
    book, ref = Book(Caps(5, 2)), ReferenceBook(Caps(5, 2))
    monday = date(2026, 3, 2)
    for b in (book, ref):
        b.book([], _BASE, _BASE, seller="ae", seller_day=monday)
        b.book([], _BASE, _BASE, seller="ae", seller_day=monday + timedelta(days=1))
    next_year = date(2027, 3, 8)  # ISO week 10 again
    assert next_year.isocalendar()[1] == monday.isocalendar()[1]
    assert book.load_ok("ae", next_year) is ref.load_ok("ae", next_year) is True
    assert book.load_ok("ae", monday) is ref.load_ok("ae", monday) is False
