"""Dates as the texts and scorecards write them, and working-day arithmetic. Pure.

Every date a fact carries is a working day (Monday to Friday): `working_day_before` steps back
over weekends. `fmt_day` is the one way a date is written ("March 4, 2027"), so an answer's date
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


def is_working_day(d: date) -> bool:
    return d.weekday() < 5


def working_day_before(d: date) -> date:
    """`d` itself if it is a working day, else the Friday before."""
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def working_day_after(d: date) -> date:
    """`d` itself if it is a working day, else the Monday after."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def minus_working_days(d: date, n: int) -> date:
    """The working day `n` working days before `d` (d itself first moved onto a working day)."""
    d = working_day_before(d)
    while n > 0:
        d -= timedelta(days=1)
        if is_working_day(d):
            n -= 1
    return d


def local_day(at: datetime, zone: str) -> date:
    """The date of an instant on a clock in `zone` (UTC if the zone is unknown)."""
    try:
        return at.astimezone(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return at.date()
