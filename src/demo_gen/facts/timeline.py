"""A deal's activities as the fact sheet sees them: in time order, past or not, who took part.

Only the meeting types and email purposes listed here carry facts; any other type the planner
adds (a no-show, a reschedule, an out-of-office reply) gets text but no fact.
"""

from __future__ import annotations

from datetime import datetime

from demo_gen.plan import OpportunityPlan, PlannedEmail, PlannedMeeting

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


def when(item: Activity) -> datetime:
    return item.start if isinstance(item, PlannedMeeting) else item.sent_at


def kind_of(item: Activity) -> str:
    """The meeting type or the email purpose."""
    return item.meeting_type if isinstance(item, PlannedMeeting) else item.purpose


def is_past(item: Activity, plan: OpportunityPlan) -> bool:
    if isinstance(item, PlannedMeeting):
        return item.past
    return item.sent_at.date() <= plan.anchor


def carries_facts(item: Activity) -> bool:
    if isinstance(item, PlannedMeeting):
        return item.meeting_type in FACT_MEETINGS
    return item.purpose in FACT_PURPOSES


def activities(plan: OpportunityPlan) -> list[Activity]:
    """Every meeting and email, in time order (key breaks ties)."""
    items: list[Activity] = [*plan.meetings, *plan.emails]
    return sorted(items, key=lambda i: (when(i), i.key))


def past_activities(plan: OpportunityPlan) -> list[Activity]:
    return [i for i in activities(plan) if is_past(i, plan)]


def participants(item: Activity) -> tuple[str, ...]:
    """The buyer-side contact ids who attended, sent or received it."""
    if isinstance(item, PlannedMeeting):
        return item.invitee_ids
    sender = (item.from_contact_id,) if item.from_contact_id else ()
    return sender + tuple(i for i in item.to_contact_ids if i != item.from_contact_id)


def involved_ids(plan: OpportunityPlan) -> list[str]:
    """Contact ids that take part in any activity, in order of first appearance."""
    seen: dict[str, None] = {}
    for item in activities(plan):
        for cid in participants(item):
            seen.setdefault(cid, None)
    return list(seen)
