"""SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER …) as ranges of days.

`is_date_literal` tells the parser whether a name is one (with or without a `:n` parameter);
`date_range` gives the first and last day it covers, counted from a given today. Fiscal
literals are not supported. `soql_parse` re-exports both.
"""

from __future__ import annotations

from datetime import date, timedelta

# name -> (unit, start offset, length); n in the offsets stands for the literal's parameter.
_UNITS = {"DAY": 0, "WEEK": 0, "MONTH": 1, "QUARTER": 3, "YEAR": 12}
_FIXED_LITERALS = {
    "TODAY": ("DAY", 0, 1),
    "YESTERDAY": ("DAY", -1, 1),
    "TOMORROW": ("DAY", 1, 1),
    "LAST_90_DAYS": ("DAY", -90, 91),
    "NEXT_90_DAYS": ("DAY", 1, 90),
}
_N_LITERALS = {
    "LAST_N_DAYS": ("DAY", "-n", "n+1"),
    "NEXT_N_DAYS": ("DAY", "1", "n"),
    "N_DAYS_AGO": ("DAY", "-n", "1"),
}
for _unit in ("WEEK", "MONTH", "QUARTER", "YEAR"):
    _FIXED_LITERALS[f"THIS_{_unit}"] = (_unit, 0, 1)
    _FIXED_LITERALS[f"LAST_{_unit}"] = (_unit, -1, 1)
    _FIXED_LITERALS[f"NEXT_{_unit}"] = (_unit, 1, 1)
    _N_LITERALS[f"LAST_N_{_unit}S"] = (_unit, "-n", "n")
    _N_LITERALS[f"NEXT_N_{_unit}S"] = (_unit, "1", "n")
    _N_LITERALS[f"N_{_unit}S_AGO"] = (_unit, "-n", "1")


def is_date_literal(name: str, parameterised: bool) -> bool:
    return name.upper() in (_N_LITERALS if parameterised else _FIXED_LITERALS)


def date_range(name: str, n: int | None, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) that date literal *name* (with *n*) covers.

    Weeks start on Sunday (en_US); months, quarters and years are calendar periods.
    `date_range("LAST_N_DAYS", 2, date(2024, 5, 10))` is `(date(2024, 5, 8), date(2024, 5, 10))`.
    """
    upper = name.upper()
    if n is None:
        unit, start, length = _FIXED_LITERALS[upper]
    else:
        unit, start_expr, length_expr = _N_LITERALS[upper]
        start, length = _eval_offset(start_expr, n), _eval_offset(length_expr, n)
    if unit == "DAY":
        first = today + timedelta(days=start)
        return first, first + timedelta(days=length - 1)
    if unit == "WEEK":
        week = today - timedelta(days=(today.weekday() + 1) % 7)
        first = week + timedelta(days=7 * start)
        return first, first + timedelta(days=7 * length - 1)
    months = _UNITS[unit]
    period = date(today.year, today.month - (today.month - 1) % months, 1)
    first = _add_months(period, months * start)
    return first, _add_months(first, months * length) - timedelta(days=1)


def _eval_offset(expr: str, n: int) -> int:
    return {"-n": -n, "n": n, "n+1": n + 1}.get(expr, 1)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
