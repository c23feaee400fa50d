"""Where each fact is first said and where it comes back: a pure function of the timeline.

A fact goes to the earliest past activity of its most preferred type (a discovery call states the
pain, the business case the metrics, the economic buyer's own email the budget); refs are later
past activities of the types that naturally return to it. A won deal always gets its champion,
economic buyer, budget and paper process said somewhere, so its scorecard can answer them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from demo_gen.stages.facts.model import Roles
from demo_gen.stages.facts.timeline import (
    Activity,
    carries_facts,
    kind_of,
    participants,
    past_activities,
    when,
)
from demo_gen.stages.model import Contact
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting

# kind -> (meeting types, email purposes), most preferred first
_SAID: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pain": (("discovery", "intro"), ("question", "follow_up")),
    "competition": (("discovery", "demo", "intro"), ("question", "follow_up")),
    "critical_event": (("discovery", "business_case", "demo"), ("follow_up", "check_in")),
    "metrics": (("business_case", "discovery", "demo"), ("follow_up", "proposal")),
    "criteria": (("technical_deep_dive", "demo"), ("question", "follow_up")),
    "process": (("business_case", "proposal"), ("proposal", "follow_up")),
    "paper": (("negotiation", "legal_review", "proposal"), ("negotiation", "proposal")),
}
_REFS: dict[str, tuple[str, ...]] = {
    "pain": ("demo", "business_case", "technical_deep_dive"),
    "metrics": ("proposal", "negotiation"),
    "critical_event": ("proposal", "negotiation", "kickoff"),
    "competition": ("business_case", "proposal"),
    "budget": ("negotiation", "legal_review"),
}
_MAX_REFS = 2
_EARLY = ("pain", "competition")
"""Facts a deal starts from: said in the first conversation when there was no discovery."""
WON_REQUIRED = ("champion", "economic_buyer", "budget", "paper")


@dataclass(frozen=True)
class Placement:
    said_in: str | None
    refs: tuple[str, ...]


def place_facts(plan: OpportunityPlan, roles: Roles) -> dict[str, Placement]:
    """Kind → where it is first said and where it comes back."""
    past = [i for i in past_activities(plan) if carries_facts(i)]
    said: dict[str, Activity | None] = {k: _by_type(past, *prefs) for k, prefs in _SAID.items()}
    person = {
        "champion": roles.champion,
        "economic_buyer": roles.economic_buyer,
        "technical": roles.technical,
    }
    for kind, contact in person.items():
        said[kind] = _meets(past, contact)
    said["budget"] = _budget(past, roles)
    talk = [i for i in past if kind_of(i) != "scheduling"]
    for kind in _EARLY:
        first_meeting = _by_type(past, _SAID[kind][0], ())
        if first_meeting is None and talk:
            said[kind] = talk[0]
    if plan.opportunity.is_won and past:
        late = past[len(past) // 2 :]
        for kind in WON_REQUIRED:
            if said.get(kind) is None and (kind == "paper" or kind == "budget"):
                said[kind] = late[-1]
    return {k: Placement(v.key if v else None, _refs(past, k, v)) for k, v in said.items()}


def _first(items: Sequence[Activity], test: Callable[[Activity], bool]) -> Activity | None:
    return next((i for i in items if test(i)), None)


def _by_type(
    items: Sequence[Activity], meetings: Sequence[str], purposes: Sequence[str]
) -> Activity | None:
    for wanted in meetings:
        found = next(
            (i for i in items if isinstance(i, PlannedMeeting) and kind_of(i) == wanted), None
        )
        if found is not None:
            return found
    for wanted in purposes:
        mail = next(
            (i for i in items if isinstance(i, PlannedEmail) and kind_of(i) == wanted), None
        )
        if mail is not None:
            return mail
    return None


def _meets(items: Sequence[Activity], contact: Contact | None) -> Activity | None:
    """The first meeting a person attends, else their first own email, else any email to them."""
    if contact is None:
        return None
    cid = contact.id
    meeting = _first(items, lambda i: isinstance(i, PlannedMeeting) and cid in i.invitee_ids)
    own = _first(items, lambda i: isinstance(i, PlannedEmail) and i.from_contact_id == cid)
    other = _first(items, lambda i: kind_of(i) != "scheduling" and cid in participants(i))
    return meeting or own or other


def _budget(items: Sequence[Activity], roles: Roles) -> Activity | None:
    """The economic buyer's own email, else a late meeting they attend, else any with them."""
    eb = roles.economic_buyer
    if eb is None:
        return None
    own = _first(items, lambda i: isinstance(i, PlannedEmail) and i.from_contact_id == eb.id)
    late = ("business_case", "proposal", "negotiation")
    meeting = _first(
        items,
        lambda i: isinstance(i, PlannedMeeting) and kind_of(i) in late and eb.id in participants(i),
    )
    return own or meeting or _first(items, lambda i: eb.id in participants(i))


def _refs(items: Sequence[Activity], kind: str, said: Activity | None) -> tuple[str, ...]:
    if said is None or kind not in _REFS:
        return ()
    later = [
        i
        for i in items
        if isinstance(i, PlannedMeeting) and when(i) > when(said) and i.key != said.key
    ]
    wanted = _REFS[kind]
    picked = [i.key for i in later if kind_of(i) in wanted]
    return tuple(picked[:_MAX_REFS])
