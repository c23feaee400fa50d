"""A deal's activities as the fact sheet sees them: in time order, past or not, who took part.

Only what a customer could have said or read carries facts: a held meeting of a listed type with
the customer in the room, or a real email of a listed purpose. A no-show, an internal prep or deal
review (`meeting.internal`), a scheduled (future) meeting, an out-of-office auto-reply, a
reschedule or a nudge nobody answered gets text but no fact.
"""

from __future__ import annotations

from datetime import datetime

from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting
from demo_gen.stages.planning.details import meeting_label

MEETING_LABELS: dict[str, str] = {
    "intro": "intro call",
    "discovery": "discovery session",
    "demo": "demo",
    "technical_deep_dive": "technical deep dive",
    "business_case": "business case review",
    "proposal": "proposal walkthrough",
    "negotiation": "commercial call",
    "legal_review": "contract review",
    "kickoff": "kickoff",
    "signature": "signature call",
    "onboarding": "onboarding session",
}
"""The kinds of meeting a note can be about, each with its plainest name; a given meeting goes
by the name in its subject (`label_of`)."""

Activity = PlannedMeeting | PlannedEmail

FACT_MEETINGS = frozenset(
    {
        "intro",
        "discovery",
        "demo",
        "technical_deep_dive",
        "business_case",
        "proposal",
        "negotiation",
        "legal_review",
        "kickoff",
    }
)
FACT_PURPOSES = frozenset(
    {"follow_up", "question", "proposal", "negotiation", "check_in", "scheduling"}
)


def label_of(meeting: PlannedMeeting) -> str:
    """The one name a meeting goes by in notes, emails and scorecards: the one in its subject
    ("Value review: …" is "the value review"), so every text names it as its invite does."""
    return meeting_label(meeting.meeting_type, meeting.subject)


def when(item: Activity) -> datetime:
    return item.start if isinstance(item, PlannedMeeting) else item.sent_at


def kind_of(item: Activity) -> str:
    """The meeting type or the email purpose."""
    return item.meeting_type if isinstance(item, PlannedMeeting) else item.purpose


def is_past(item: Activity, plan: OpportunityPlan) -> bool:
    if isinstance(item, PlannedMeeting):
        return item.past
    return item.sent_at.date() <= plan.anchor


def held(item: Activity) -> bool:
    """A meeting that took place with the customer in it (not a no-show, not internal, not
    still to come); every email counts as held."""
    if isinstance(item, PlannedMeeting):
        return item.status == "held" and item.past and not item.internal
    return True


SILENT_PURPOSES = frozenset({"out_of_office", "nudge", "reschedule", "no_show"})
"""Emails that say nothing about the deal: an auto-reply, a lone nudge, a calendar shuffle."""


def speaks(item: Activity) -> bool:
    """Whether a scorecard may cite it: a held customer meeting or an email with something in it."""
    if isinstance(item, PlannedMeeting):
        return held(item)
    return item.purpose not in SILENT_PURPOSES


def carries_facts(item: Activity) -> bool:
    if isinstance(item, PlannedMeeting):
        return item.meeting_type in FACT_MEETINGS and held(item)
    return item.purpose in FACT_PURPOSES


def activities(plan: OpportunityPlan) -> list[Activity]:
    """Every meeting and email, in time order (key breaks ties)."""
    items: list[Activity] = [*plan.meetings, *plan.emails]
    return sorted(items, key=lambda i: (when(i), i.key))


def past_activities(plan: OpportunityPlan) -> list[Activity]:
    return [i for i in activities(plan) if is_past(i, plan)]


def participants(item: Activity) -> tuple[str, ...]:
    """The buyer-side contact ids invited to it, or who sent or received it."""
    if isinstance(item, PlannedMeeting):
        return item.invitee_ids
    sender = (item.from_contact_id,) if item.from_contact_id else ()
    return sender + tuple(i for i in item.to_contact_ids if i != item.from_contact_id)


def attended(item: Activity) -> tuple[str, ...]:
    """The buyer-side contact ids who were really there: nobody, for a meeting not held."""
    return participants(item) if held(item) else ()


def involved_ids(plan: OpportunityPlan) -> list[str]:
    """Contact ids that take part in any activity, in order of first appearance."""
    seen: dict[str, None] = {}
    for item in activities(plan):
        for cid in participants(item):
            seen.setdefault(cid, None)
    return list(seen)
