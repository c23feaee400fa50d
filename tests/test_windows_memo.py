"""The windows' compact memo (`planning.windows.Windows`) answers exactly as the dict it
replaced: a person keeps the window first made for them on a day, even when a later deal
places them elsewhere."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from demo_gen.stages.planning.slots import Person, Rules
from demo_gen.stages.planning.windows import Windows


class ReferenceWindows:
    """The memo as it was written first: one dict entry per (person, day, hours)."""

    def __init__(self, rules: Rules) -> None:
        self.plain = Windows(rules)  # builds the windows of a place (pure)
        self._memo: dict = {}

    def of(self, person, day, hours):
        key = (person.id, day, hours[0], hours[1])
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = Windows(self.plain.rules).of(person, day, hours)
        return found


_PLACES = (
    (ZoneInfo("Europe/Paris"), "FR"),
    (ZoneInfo("America/New_York"), "US"),
    (ZoneInfo("Asia/Kolkata"), "IN"),
    (ZoneInfo("Europe/Paris"), None),
)
_HOURS = ((time(9), time(17)), (time(8), time(18)))
_asks = st.lists(
    st.tuples(
        st.sampled_from(("c1", "c2", "ae")),
        st.sampled_from(range(len(_PLACES))),
        st.integers(0, 400),
        st.sampled_from(_HOURS),
    ),
    max_size=150,
)


@settings(max_examples=200, deadline=None)
@given(asks=_asks, level=st.sampled_from(("none", "light", "heavy")))
def test_the_compact_memo_answers_as_the_dict(asks, level):
    rules = Rules(business=_HOURS[0], seller=_HOURS[1], level=level)
    windows, ref = Windows(rules), ReferenceWindows(rules)
    for person_id, place, days, hours in asks:
        person = Person(person_id, *_PLACES[place])
        day = date(2026, 6, 1) + timedelta(days=days)
        assert windows.of(person, day, hours) == ref.of(person, day, hours), (person, day)
        assert windows.around(person, day, hours) == [
            s for shift in (-1, 0, 1) for s in ref.of(person, day + timedelta(days=shift), hours)
        ]


def test_a_person_keeps_the_window_first_made_for_them_on_a_day():
    windows = Windows(Rules(business=_HOURS[0], seller=_HOURS[1], level="light"))
    monday = date(2026, 6, 1)
    paris, new_york = Person("c1", *_PLACES[0]), Person("c1", *_PLACES[1])
    first = windows.of(paris, monday, _HOURS[0])
    assert windows.of(new_york, monday, _HOURS[0]) == first  # the day was Paris's
    assert windows.of(new_york, monday, _HOURS[1]) != first  # other hours: made anew
    tuesday = windows.of(new_york, monday + timedelta(days=1), _HOURS[0])  # a new day: New York
    assert tuesday == Windows(windows.rules).of(new_york, monday + timedelta(days=1), _HOURS[0])
    assert windows.of(paris, monday + timedelta(days=1), _HOURS[0]) == tuesday
    assert first != tuesday and first[0][0].hour == 7  # 09:00 in Paris is 07:00 UTC in June
