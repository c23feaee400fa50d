"""Dates as the texts and scorecards write them, and working-day arithmetic. Pure.

Every date a fact carries is a working day: Monday to Friday and not a public holiday of the
account's country (`holidays`, through `planning.calendar`); `working_day_before` steps back over
the rest. `fmt_day` is the one way a date is written ("March 4, 2027"), so an answer's date
can be found verbatim in the record that said it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def fmt_day(d: date) -> str:
    """'March 4, 2027': the form every generated text and answer uses."""
    return f"{d:%B} {d.day}, {d.year}"


def fmt_money(x: float) -> str:
    """'$1.2M', '$240k', '$900'."""
    if x >= 1_000_000:
        return f"${x / 1_000_000:.1f}M"
    if x >= 1_000:
        return f"${x / 1_000:,.0f}k"
    return f"${x:,.0f}"


def is_working_day(d: date, country: str | None = None) -> bool:
    """Monday to Friday, and not a public holiday in `country` (ISO code; None: no holidays)."""
    from demo_gen.stages.planning.workdays import is_holiday

    return d.weekday() < 5 and not is_holiday(country, d)


def working_day_before(d: date, country: str | None = None) -> date:
    """`d` itself if it is a working day, else the working day before."""
    while not is_working_day(d, country):
        d -= timedelta(days=1)
    return d


def working_day_after(d: date, country: str | None = None) -> date:
    """`d` itself if it is a working day, else the working day after."""
    while not is_working_day(d, country):
        d += timedelta(days=1)
    return d


def minus_working_days(d: date, n: int, country: str | None = None) -> date:
    """The working day `n` working days before `d` (d itself first moved onto a working day)."""
    d = working_day_before(d, country)
    while n > 0:
        d -= timedelta(days=1)
        if is_working_day(d, country):
            n -= 1
    return d


def local_day(at: datetime, zone: str) -> date:
    """The date of an instant on a clock in `zone` (UTC if the zone is unknown)."""
    try:
        return at.astimezone(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return at.date()
