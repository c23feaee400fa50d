"""The past/future boundary of one opportunity's plan."""

from __future__ import annotations

from datetime import date, datetime, time

from demo_gen.stages.model import Opportunity
from demo_gen.stages.planning.timezones import owner_zone


def anchor_instant(opportunity: Opportunity, anchor: date) -> datetime:
    """The past/future boundary: 00:00 of the anchor date in the owner's time zone."""
    return datetime.combine(anchor, time(0), tzinfo=owner_zone(opportunity))
