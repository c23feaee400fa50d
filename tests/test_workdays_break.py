"""A meeting that falls in the year-end break is held just before it or on the first day back
(`workdays.around_break`), so an active deal has a meeting ahead on every day of the break."""

from __future__ import annotations

from datetime import date, timedelta

from demo_gen.stages.planning.workdays import around_break, is_customer_day

END = date(2027, 3, 1)


def test_days_that_hold_a_customer_day_are_kept() -> None:
    aim = date(2026, 12, 22)
    assert around_break("FR", date(2026, 12, 15), aim, date(2026, 12, 20), date(2026, 12, 26),
                        END) == [(aim, date(2026, 12, 20), date(2026, 12, 26))]  # fmt: skip


def test_a_meeting_in_the_break_is_held_before_it_when_the_last_one_was_days_earlier() -> None:
    tries = around_break("FR", date(2026, 12, 17), date(2026, 12, 26), date(2026, 12, 24),
                         date(2026, 12, 30), END)  # fmt: skip
    aim, first, last = tries[0]
    assert (first, last) == (date(2026, 12, 21), date(2026, 12, 23))  # Monday to Wednesday
    assert all(is_customer_day("FR", first + timedelta(days=n)) for n in range(3))


def test_else_on_the_first_day_back_within_two_weeks_of_the_last_meeting() -> None:
    after = date(2026, 12, 22)
    tries = around_break("GB", after, date(2026, 12, 29), date(2026, 12, 27), date(2027, 1, 2), END)
    aim, first, last = tries[0]
    assert first == aim == date(2027, 1, 4)  # New Year's Day is a holiday, then a weekend
    assert last <= after + timedelta(days=14)
    assert all(is_customer_day("GB", d) for _, d, _ in tries)


def test_nothing_is_tried_past_the_story_end() -> None:
    after, end = date(2026, 12, 22), date(2026, 12, 31)
    tries = around_break("GB", after, date(2026, 12, 29), date(2026, 12, 27), end, end)
    assert all(last <= end for _, _, last in tries)
