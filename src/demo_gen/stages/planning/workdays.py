"""Working days: each country's own weekend and national public holidays, from `holidays`.

Results are cached with `lru_cache` on pure functions of (country, year), so the cache never
changes an answer. An unknown country (None) has a Saturday/Sunday weekend and no holidays.

Quiet days (`is_quiet_day`) are working days on which B2B buyers are mostly out, so nobody books
a customer meeting then; internal meetings, calls and emails still happen:
- in the United States, the Friday after Thanksgiving (Thanksgiving Day as `holidays` dates it;
  a state holiday in about half the states, and most of US business takes it off);
- in every country whose `holidays` calendar keeps Christmas Day (December 25) as a public
  holiday, Christmas Eve and the days from Christmas to New Year's Eve (24 and 26–31 December):
  `holidays` lists Christmas Eve and New Year's Eve for the US only as "unofficial", and has no
  fact for the week between; that most offices run thin that week is a design choice.
A day that is already a weekend day or a public holiday is not counted as quiet (it is off).
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from functools import lru_cache

import holidays

_DEFAULT_WEEKEND = frozenset({5, 6})


@lru_cache(maxsize=256)
def weekend_days(country: str | None) -> frozenset[int]:
    """The weekday numbers (Monday = 0) of a country's weekend, as the `holidays` library says."""
    if country is None:
        return _DEFAULT_WEEKEND
    try:
        calendar = holidays.country_holidays(country)
    except NotImplementedError:
        return _DEFAULT_WEEKEND
    return frozenset(int(day) for day in calendar.weekend)


@lru_cache(maxsize=1024)
def holiday_dates(country: str | None, year: int) -> frozenset[date]:
    """The national public holidays of a country in a year (empty for an unknown country)."""
    if country is None:
        return frozenset()
    with warnings.catch_warnings():
        # outside a country's supported years the library warns and returns no holidays
        warnings.simplefilter("ignore", UserWarning)
        try:
            calendar = holidays.country_holidays(country, years=year)
        except NotImplementedError:
            return frozenset()
        return frozenset(day for day in calendar if day.year == year)


def is_holiday(country: str | None, day: date) -> bool:
    """True when `day` is a public holiday in `country`."""
    return day in holiday_dates(country, day.year)


def is_weekend(country: str | None, day: date) -> bool:
    """True when `day` falls on `country`'s weekend."""
    return day.weekday() in weekend_days(country)


def is_working_day(country: str | None, day: date) -> bool:
    """Neither a weekend day nor a public holiday in `country`."""
    return not is_weekend(country, day) and not is_holiday(country, day)


_YEAR_END = (24, 26, 27, 28, 29, 30, 31)  # December: Christmas Eve, then to New Year's Eve


@lru_cache(maxsize=1024)
def quiet_dates(country: str | None, year: int) -> frozenset[date]:
    """A country's quiet working days of a year (see the module's docstring)."""
    off = holiday_dates(country, year)
    quiet: set[date] = set()
    if country == "US":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            thanksgiving = holidays.country_holidays("US", years=year).get_named("Thanksgiving")
        quiet.update(day + timedelta(days=1) for day in thanksgiving if day.year == year)
    if date(year, 12, 25) in off:
        quiet.update(date(year, 12, d) for d in _YEAR_END)
    return frozenset(day for day in quiet if day not in off and not is_weekend(country, day))


def is_quiet_day(country: str | None, day: date) -> bool:
    """True on a working day when customers are mostly out: no customer meetings then."""
    return day in quiet_dates(country, day.year)


def is_customer_day(country: str | None, day: date) -> bool:
    """A working day that is not quiet: a day a customer meeting can be held."""
    return is_working_day(country, day) and not is_quiet_day(country, day)


BREAK_GAP = 2
"""Fewest days between a meeting and the next one that is pulled before a break."""


def around_break(
    country: str | None, after: date, target: date, first: date, last: date, end: date
) -> list[tuple[date, date, date]]:
    """The (target, first, last) days to try, in order, for a meeting that aims at `target` on
    the days `first`…`last`. Days that hold a customer day are kept as they are. When every one
    falls in a break (weekends, holidays and quiet days: the year-end week), a seller books
    around the break, not a week past it, so that the deal has a meeting ahead on every day of
    the break: on the last customer days before it at least `BREAK_GAP` days after the previous
    meeting (`after`); else on the first customer day after it, within two weeks of `after`;
    else the day after `after`; else the first days after the break, by `end`."""
    span = range((last - first).days + 1)
    if first > last or any(is_customer_day(country, first + timedelta(days=n)) for n in span):
        return [(target, first, last)]
    one = timedelta(days=1)
    before = first - one
    while before > after and not is_customer_day(country, before):
        before -= one
    back = last + one
    while back <= end and not is_customer_day(country, back):
        back += one
    out = []
    if (before - after).days >= BREAK_GAP:
        out.append((before, max(after + timedelta(days=BREAK_GAP), before - 2 * one), before))
    if back <= end:
        out.append((back, back, max(back, min(after + timedelta(days=14), end))))
    if is_customer_day(country, after + one) and after + one < first:
        out.append((after + one, after + one, after + one))
    if back <= end:
        out.append((back, back, min(back + timedelta(days=6), end)))
    return out or [(target, first, last)]
