"""The plan: what demo-gen intends to create for each opportunity. Frozen values, no I/O.

The planner produces it; content fills in text; the runner turns it into records. Every item has
a stable `key` ("006…/meeting/3") that names it across runs; its signature adds the org and pack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from demo_gen.stages.model import BusyEvent, Opportunity, Seller
from demo_gen.stages.stories.scenario import Scenario

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
    primary_contact_id: str | None  # WhoId; None for internal meetings (prep, deal review)
    invitee_ids: tuple[str, ...]  # every external attendee, primary included
    stage: str  # the deal's stage on the meeting's date (never a stage it had not reached)
    content_seed: int
    internal_ids: tuple[str, ...] = ()  # colleagues' User ids (sales engineer, manager, ...)
    status: str = "held"  # held | no_show | scheduled (future)
    rescheduled_from: datetime | None = None  # the start it had before it was moved
    responses: tuple[tuple[str, str], ...] = ()  # (person id, EventRelation Status)
    in_person: bool = False

    @property
    def internal(self) -> bool:
        """True for meetings without the customer (internal prep, deal reviews)."""
        return not self.invitee_ids


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
    purpose: str  # "scheduling", "follow_up", "proposal", "check_in", "out_of_office", ...
    content_seed: int
    cc_contact_ids: tuple[str, ...] = ()  # the customer's colleagues in copy
    cc_user_ids: tuple[str, ...] = ()  # the seller's colleagues in copy (User ids)
    stage: str = ""  # the deal's stage on the send date


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """One logged Task that is not an email: a call (TaskSubtype Call) or a LinkedIn touch."""

    key: str
    opportunity_id: str
    seq: int
    kind: str  # "call" | "linkedin"
    subject: str
    at: datetime  # aware UTC: when the call or touch happened
    who_id: str  # the contact
    owner_id: str
    duration_seconds: int  # calls: CallDurationInSeconds; 0 for LinkedIn touches
    call_type: str  # Outbound | Inbound ("" for LinkedIn)
    disposition: str  # CallDisposition, e.g. "Connected", "Left voicemail"
    stage: str
    purpose: str  # "check_in", "follow_up", "nudge", ...
    past: bool
    content_seed: int


@dataclass(frozen=True, slots=True)
class PlannedTurn:
    """A change of the deal itself on its story ahead: the close date moves out (a slip) or the
    deal closes (StageName Closed Won / Closed Lost). Due from `day` (the owner's zone); only
    `refresh --advance-stages` writes it (planning/course.py)."""

    key: str  # "006…/turn/1"
    opportunity_id: str
    day: date
    reason: str  # "slip", "won", "lost", "lost_silent"
    stage: str | None = None  # the StageName it moves to; None: the stage stays
    close_date: date | None = None  # the CloseDate it moves to; None: it stays


@dataclass(frozen=True, slots=True)
class OpportunityPlan:
    opportunity: Opportunity
    anchor: date
    meetings: tuple[PlannedMeeting, ...]
    emails: tuple[PlannedEmail, ...]
    tasks: tuple[PlannedTask, ...] = ()
    anchor_event_ids: tuple[str, ...] = ()  # the org's own Events on the deal its story follows
    scenario: Scenario | None = None  # the deal's scripted story (`stories:`), None: all seeded
    team: tuple[Seller, ...] = ()  # the owner's colleagues on the deal (org Users), by id:
    # whom `internal_ids` and `cc_user_ids` name, so notes can say who was in the room
    turns: tuple[PlannedTurn, ...] = ()  # the story ahead's changes of the deal (whole story only)


@dataclass(frozen=True)
class Plan:
    """The whole plan, in opportunity order. `to_json()` is byte-stable for the same inputs."""

    opportunities: tuple[OpportunityPlan, ...]
    seed: int
    pack: str
    notes: tuple[str, ...] = field(default=())
    events: tuple[BusyEvent, ...] = field(default=())  # the org's own Events (busy time)
    caps: tuple[int, int] = (5, 18)  # the seller's daily and weekly meeting caps it was planned to

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes ISO, sorted keys left to the caller's dumps)."""
        return {
            "pack": self.pack,
            "seed": self.seed,
            "opportunities": [_opp_json(op) for op in self.opportunities],
        }


def _opp_json(op: OpportunityPlan) -> dict[str, Any]:
    o = op.opportunity
    out: dict[str, Any] = {
        "opportunity_id": o.id,
        "name": o.name,
        "stage": o.stage,
        "anchor": op.anchor.isoformat(),
        "meetings": [_item_json(m) for m in op.meetings],
        "emails": [_item_json(e) for e in op.emails],
        "tasks": [_item_json(t) for t in op.tasks],
    }
    if op.scenario is not None:
        out["scenario"] = op.scenario.to_json()
    if op.team:
        out["team"] = [{"id": u.id, "name": u.name, "title": u.title} for u in op.team]
    return out


def _item_json(item: PlannedMeeting | PlannedEmail | PlannedTask) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in item.__slots__:
        value = getattr(item, name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[name] = value
    return out
