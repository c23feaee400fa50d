"""What a plan can prove: the deal's people by role, and the past items that support an answer.

Evidence is always past: a meeting counts once it has happened (`PlannedMeeting.past`), and
emails are history by construction (the planner only places them in the past window). So every
evidence key is the key of a past meeting or an email of the same plan.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from demo_gen.content.phrases import GENERIC_PAINS, INDUSTRY_ALIASES, PAINS
from demo_gen.model import Contact, Opportunity
from demo_gen.plan import OpportunityPlan, PlannedEmail, PlannedMeeting
from demo_gen.planning.cadence import persona

Item = PlannedMeeting | PlannedEmail

_EB_ROLES = ("economic buyer", "economic decision maker", "decision maker", "executive sponsor")
_MAX_KEYS = 3

# kind -> (meeting types that support it, email purposes that support it, the person it is about)
_SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {
    "metrics": (("discovery", "business_case", "intro"), ("follow_up", "question"), None),
    "pain": (("discovery", "intro"), ("question", "follow_up"), None),
    "need": (("discovery", "intro"), ("question", "follow_up"), None),
    "situation": (("intro", "discovery"), ("question", "follow_up"), None),
    "impact": (("business_case", "discovery"), ("follow_up", "proposal"), None),
    "economic_buyer": ((), (), "economic_buyer"),
    "authority": ((), (), "economic_buyer"),
    "champion": ((), (), "champion"),
    "decision_criteria": (("demo", "technical_deep_dive"), ("follow_up", "question"), None),
    "competition": (("discovery", "demo"), ("question",), None),
    "decision_process": (("business_case", "proposal", "negotiation"), ("proposal",), None),
    "decision": (("business_case", "proposal", "negotiation"), ("proposal",), None),
    "paper_process": (("negotiation", "legal_review"), ("negotiation",), None),
    "timeline": (("business_case", "proposal", "discovery"), ("proposal",), None),
    "critical_event": (("discovery", "business_case", "proposal"), ("proposal",), None),
    "budget": (("discovery", "business_case", "proposal"), ("proposal",), None),
}
PERSON_KINDS = frozenset({"economic_buyer", "authority", "champion"})


@dataclass(frozen=True)
class Evidence:
    """The supporting past items, chronological, and how strong they are."""

    keys: tuple[str, ...]
    strength: str  # "meeting" | "email" | "none"
    count: int  # supporting items found, before keeping the latest few
    latest: Item | None


@dataclass(frozen=True)
class Person:
    contact: Contact
    by_role: bool  # True when the OpportunityContactRole says so, False when inferred


@dataclass(frozen=True)
class Facts:
    """Everything the heuristic knows about one deal, derived from its plan alone."""

    plan: OpportunityPlan
    position: str
    past_meetings: tuple[PlannedMeeting, ...]
    emails: tuple[PlannedEmail, ...]
    economic_buyer: Person | None
    champion: Person | None
    technical: Contact | None
    paperwork: Contact | None
    pain: str
    metric: str
    value: float  # the yearly value the deal is sized at (0 without an amount)
    staff: int  # people who feel the pain
    hours: int  # hours a month the pain costs them
    deal_seed: int  # draws shared by every template of the deal (metric baseline, event date)

    @property
    def opp(self) -> Opportunity:
        return self.plan.opportunity

    def person(self, name: str | None) -> Person | None:
        return {"economic_buyer": self.economic_buyer, "champion": self.champion}.get(name or "")

    def local_date(self, at: datetime) -> date:
        """The date of an instant in the owner's time zone."""
        try:
            return at.astimezone(ZoneInfo(self.opp.owner.time_zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            return at.date()


def build_facts(plan: OpportunityPlan, position: str, rng: random.Random) -> Facts:
    """The deal's facts; `rng` sizes its value (shared by every template of the deal)."""
    opp = plan.opportunity
    industry = (opp.account.industry or "").strip().lower()
    bank = PAINS.get(INDUSTRY_ALIASES.get(industry, industry), GENERIC_PAINS)
    # the same draw as the content writer's, so the scorecard's pain matches the meeting notes
    pain, metric = random.Random(f"{opp.id}/story").choice(bank)
    employees = opp.account.employees or 500
    return Facts(
        plan=plan,
        position=position,
        past_meetings=tuple(m for m in plan.meetings if m.past),
        emails=plan.emails,
        economic_buyer=_economic_buyer(opp.contacts),
        champion=_champion(opp.contacts),
        technical=_first_persona(opp.contacts, "technical"),
        paperwork=_first_persona(opp.contacts, "procurement")
        or _first_persona(opp.contacts, "legal"),
        pain=pain,
        metric=metric,
        value=round((opp.amount or 0.0) * rng.uniform(2.2, 3.8), -4),
        staff=(staff := max(8, min(400, round(employees * rng.uniform(0.02, 0.08))))),
        hours=staff * rng.randint(3, 8),
        deal_seed=rng.getrandbits(32),
    )


def _economic_buyer(contacts: Sequence[Contact]) -> Person | None:
    for role in _EB_ROLES:
        for contact in contacts:
            if (contact.role or "").strip().lower() == role:
                return Person(contact, True)
    found = _first_persona(contacts, "economic_buyer")
    return Person(found, False) if found else None


def _champion(contacts: Sequence[Contact]) -> Person | None:
    for contact in contacts:
        role = (contact.role or "").lower()
        if "champion" in role or "coach" in role:
            return Person(contact, True)
    for contact in contacts:
        if contact.is_primary and persona(contact) != "economic_buyer":
            return Person(contact, False)
    return None


def _first_persona(contacts: Sequence[Contact], name: str) -> Contact | None:
    return next((c for c in contacts if persona(c) == name), None)


def find_evidence(kind: str, facts: Facts) -> Evidence:
    """Past meetings that support an answer of this kind, else emails, else nothing."""
    types, purposes, who = _SOURCES[kind]
    person = facts.person(who)
    if who is not None and person is None:
        return Evidence((), "none", 0, None)
    if person is not None:
        pid = person.contact.id
        meetings = [m for m in facts.past_meetings if pid in m.invitee_ids]
        emails = [e for e in facts.emails if pid == e.from_contact_id or pid in e.to_contact_ids]
    else:
        meetings = [m for m in facts.past_meetings if m.meeting_type in types]
        wanted = {m.key for m in meetings}
        emails = [e for e in facts.emails if e.purpose in purposes or e.meeting_key in wanted]
    if meetings:
        return _evidence(meetings, "meeting")
    if emails:
        return _evidence(emails, "email")
    return Evidence((), "none", 0, None)


def _evidence(items: Sequence[Item], strength: str) -> Evidence:
    kept = sorted(items, key=lambda i: (_when(i), i.key))[-_MAX_KEYS:]
    return Evidence(tuple(i.key for i in kept), strength, len(items), kept[-1])


def _when(item: Item) -> datetime:
    return item.start if isinstance(item, PlannedMeeting) else item.sent_at


def past_keys(plan: OpportunityPlan) -> frozenset[str]:
    """The keys an answer may cite: past meetings and emails."""
    return frozenset([m.key for m in plan.meetings if m.past] + [e.key for e in plan.emails])


def involved(item: Item, contact_id: str) -> bool:
    """Whether a contact attended a meeting or sent or received an email."""
    if isinstance(item, PlannedMeeting):
        return contact_id in item.invitee_ids
    return contact_id == item.from_contact_id or contact_id in item.to_contact_ids
