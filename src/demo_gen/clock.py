"""The clock: the one place demo-gen reads the time (DESIGN.md: the planner never does).

Commands read it once and pass it down (`RunOptions.today`, `SalesforceTarget(now=…)`); the
ledger and the run log stamp their rows with `stamp()`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, UTC, timezone-aware."""
    return datetime.now(UTC)


def stamp(value: datetime | None = None) -> str:
    """`value` (default: now) as ISO-8601 UTC with milliseconds and a Z."""
    return (
        (value or now()).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
