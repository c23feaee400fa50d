"""Who a meeting is scheduled for, as the scheduler sees them, and the hours that bind it.

Meeting windows and starts are computed in `planning.windows`; these are its plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Person:
    """A meeting participant: id, local zone and country (for weekends and holidays)."""

    id: str
    zone: ZoneInfo
    country: str | None


@dataclass(frozen=True)
class Rules:
    """The hours that bind a meeting; built from ActivitySettings.

    `realism_level: none` checks only Monday–Friday; `heavy` also keeps meetings off everyone's
    local 12:00–13:00 lunch hour and off Friday afternoons (after 15:00).
    """

    business: tuple[time, time]
    seller: tuple[time, time]
    level: str  # none | light | heavy
