"""The clock: the one place demo-gen reads the time (DESIGN.md: the planner never does).

Commands read it once and pass it down (`RunOptions.today`, `SalesforceTarget(now=…)`); the
ledger and the run log stamp their rows with `stamp()`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The current time, UTC, timezone-aware."""
    return datetime.now(UTC)


def stamp(value: datetime | None = None) -> str:
    """`value` (default: now) as ISO-8601 UTC with milliseconds and a Z."""
    return (
        (value or now()).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


TODAY_ENV = "DEMO_GEN_TODAY"
"""The environment's `--today`: rehearse a demo date, or let tests simulate weeks."""


def parse_today(text: str, source: str = "--today") -> date:
    """`YYYY-MM-DD` as a date; a UsageError (exit 2) naming `source` for anything else."""
    from demo_gen.errors import UsageError

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{source}: {text!r} is not a date (expected YYYY-MM-DD, e.g. 2026-12-01)"
        ) from None
