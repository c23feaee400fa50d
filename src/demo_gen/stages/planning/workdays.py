"""Working days: each country's own weekend and national public holidays, from `holidays`.

Results are cached with `lru_cache` on pure functions of (country, year), so the cache never
changes an answer. An unknown country (None) has a Saturday/Sunday weekend and no holidays.
"""

from __future__ import annotations

import warnings
from datetime import date
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
