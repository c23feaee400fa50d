"""The plan: what demo-gen intends to create for each opportunity. Frozen values, no I/O.

The planner produces it; content fills in text; the runner turns it into records. Every item has
a stable `key` ("006…/meeting/3") that names it across runs; its signature adds the org and pack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from demo_gen.model import Opportunity

Direction = Literal["outbound", "inbound"]


@dataclass(frozen=True, slots=True)
class PlannedMeeting:
    """One Event. `start` is aware UTC; invitees are Contact ids (the primary is also WhoId)."""

    key: str
    opportunity_id: str
    seq: int
    meeting_type: str  # "intro", "discovery", "demo", "technical_deep_dive", "business_case", ...
    subject: str
    start: datetime
    duration_minutes: int
    location: str
    past: bool
    organizer_id: str  # the owner's User id
    primary_contact_id: str  # WhoId
    invitee_ids: tuple[str, ...]  # every external attendee, primary included
    stage: str  # the deal stage this meeting belongs to
    content_seed: int


@dataclass(frozen=True, slots=True)
class PlannedEmail:
    """One email: an EmailMessage where the org has them, else a Task with TaskSubtype Email."""

    key: str
    opportunity_id: str
    seq: int
    thread_key: str  # emails of one thread share it
    subject: str  # "Re: …" for replies
    sent_at: datetime  # aware UTC
    direction: Direction
    from_contact_id: str | None  # inbound: the sender; outbound: None (the owner sends)
    to_contact_ids: tuple[str, ...]  # outbound: the recipients; inbound: () (the owner receives)
    meeting_key: str | None  # the meeting it schedules or follows up, if any
    in_reply_to: str | None  # key of the email it answers
    purpose: str  # "scheduling", "follow_up", "proposal", "check_in", ...
    content_seed: int


@dataclass(frozen=True, slots=True)
class OpportunityPlan:
    opportunity: Opportunity
    anchor: date
    meetings: tuple[PlannedMeeting, ...]
    emails: tuple[PlannedEmail, ...]


@dataclass(frozen=True)
class Plan:
    """The whole plan, in opportunity order. `to_json()` is byte-stable for the same inputs."""

    opportunities: tuple[OpportunityPlan, ...]
    seed: int
    pack: str
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes ISO, sorted keys left to the caller's dumps)."""
        return {
            "pack": self.pack,
            "seed": self.seed,
            "opportunities": [_opp_json(op) for op in self.opportunities],
        }


def _opp_json(op: OpportunityPlan) -> dict[str, Any]:
    o = op.opportunity
    return {
        "opportunity_id": o.id,
        "name": o.name,
        "stage": o.stage,
        "anchor": op.anchor.isoformat(),
        "meetings": [_item_json(m) for m in op.meetings],
        "emails": [_item_json(e) for e in op.emails],
    }


def _item_json(item: PlannedMeeting | PlannedEmail) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in item.__slots__:
        value = getattr(item, name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out
