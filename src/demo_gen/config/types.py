"""The value types of the configuration: times, dates, counts, names and URLs, checked strictly.

YAML is generous in ways that bite a configuration: an unquoted `17:00` is the integer 1020
(YAML 1.1 sexagesimal), `true` passes for 1, and pydantic reads a bare number as a date in
epoch seconds. These types refuse all three, with a message that says what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field

Ratio = Annotated[float, Field(ge=0.0, le=1.0, strict=True, allow_inf_nan=False)]
Methodology = Literal["MEDDICC", "MEDDPICC", "BANT", "SPICED"]
ApiName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,79}$")]
"""A Salesforce field's API name (`DemoGen_Run_Id__c`): it goes into SOQL as written."""
Label = Annotated[str, Field(min_length=1, max_length=255)]
LoginEmail = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)]
"""A person's email, as a key of `calendar.logins`."""
EnvName = Annotated[str, Field(pattern=r"^[A-Z0-9_]{1,64}$")]
"""The NAME of CALDAV_USERNAME_<NAME>: upper-case letters, digits and underscores."""
"""A picklist value or role name (Salesforce caps picklist values at 255 characters)."""

_ANCHOR_RANGE = (date(2000, 1, 1), date(2099, 12, 31))
_SALESFORCE_DATES = (date(1700, 1, 1), date(4000, 12, 31))  # the dates a Salesforce org accepts
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|localhost):(\d{1,5})/?$")


def count(default: int, low: int, high: int) -> Any:
    """An integer field within [low, high]; a bool, float or text is refused (strict)."""
    return Field(default=default, ge=low, le=high, strict=True)


def _clock_time(value: Any) -> Any:
    """A local time written "HH:MM"; YAML reads an unquoted 17:00 as the number 1020."""
    if isinstance(value, bool | int | float):
        hint = ""
        if isinstance(value, int) and 60 <= value < 24 * 60:  # an unquoted H:MM
            written = f"{value // 60:02d}:{value % 60:02d}"
            hint = f' (YAML reads an unquoted {written} as the number {value}; write "{written}")'
        raise ValueError(f'must be a local time in quotes, such as "17:00"{hint}')
    if isinstance(value, str) and not _CLOCK.fullmatch(value.strip()):
        raise ValueError(f'must be a local time such as "17:00", not {value!r}')
    if isinstance(value, time) and value.tzinfo is not None:
        raise ValueError("must be a local time without a time zone, such as 17:00")
    return value.strip() if isinstance(value, str) else value


def _calendar_date(value: Any) -> Any:
    """A date written YYYY-MM-DD; a number is no date (pydantic would read it as epoch seconds)."""
    if isinstance(value, bool | int | float):
        raise ValueError("must be a date written YYYY-MM-DD, such as 2026-10-01")
    return value


def _within(low: date, high: date) -> Callable[[date], date]:
    def check(value: date) -> date:
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return check


ClockTime = Annotated[time, BeforeValidator(_clock_time)]
CalendarDate = Annotated[
    date, BeforeValidator(_calendar_date), AfterValidator(_within(*_SALESFORCE_DATES))
]
AnchorDate = Annotated[
    date, BeforeValidator(_calendar_date), AfterValidator(_within(*_ANCHOR_RANGE))
]


def url_problem(url: str, schemes: tuple[str, ...]) -> str | None:
    """What is wrong with *url* as a base URL with one of *schemes*, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError as exc:
        return f"is not a URL ({exc})"
    if parts.scheme not in schemes:
        return f"must use {' or '.join(schemes)}, got {url}"
    if not parts.hostname or any(c.isspace() for c in url):
        return f"is not a URL with a host name: {url!r}"
    return None


def secure_or_loopback(url: str) -> bool:
    """True for an https URL, or an http one on 127.0.0.1 or localhost (a local test server)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or parts.hostname in ("127.0.0.1", "localhost")


_TEMPLATE_FIELD = re.compile(r"{([^{}]*)}")


def check_collection_template(value: str) -> str:
    """A calendar collection URL template: `{user}` once, `{base}` at most at the start."""
    names = _TEMPLATE_FIELD.findall(value)
    unknown = sorted(set(names) - {"base", "user"})
    if unknown:
        raise ValueError(f"knows only {{base}} and {{user}}, not {{{unknown[0]}}}")
    if names.count("user") != 1:
        raise ValueError("must contain {user} (the person's email) exactly once")
    if "{base}" in value and not value.startswith("{base}"):
        raise ValueError("{base} may only start the template")
    if not value.startswith(("{base}", "http://", "https://")):
        raise ValueError("must start with {base} or with http:// or https://")
    return value
