"""The heuristic writer: offline, deterministic, never fails.

It writes agendas for future meetings, notes and outcomes for past ones, and email bodies, from
the plan alone: the account (name, industry), the stage, the participants (names, titles), the
amount, the previous meeting and the thread's earlier message. Every choice comes from a
`random.Random` seeded by the item's `content_seed`, so the same plan gives the same words.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from demo_gen.content import OpportunityContent, extra_kinds
from demo_gen.content import phrases as P
from demo_gen.model import Contact, Opportunity
from demo_gen.plan import OpportunityPlan, PlannedEmail, PlannedMeeting
from demo_gen.planning.timezones import contact_place, owner_zone


class HeuristicContent:
    """A ContentSource that writes every text from word banks; never raises."""

    def write(self, plan: OpportunityPlan) -> OpportunityContent:
        """Texts for every meeting and email of one opportunity's plan."""
        story = _Story.of(plan)
        texts = {m.key: _meeting_text(story, m) for m in plan.meetings}
        texts.update({e.key: _email_text(story, e) for e in plan.emails})
        return OpportunityContent(texts=texts, source="heuristic")


@dataclass(frozen=True)
class _Story:
    plan: OpportunityPlan
    contacts: dict[str, Contact]
    meetings: dict[str, PlannedMeeting]
    pain: str
    metric: str

    @classmethod
    def of(cls, plan: OpportunityPlan) -> _Story:
        opp = plan.opportunity
        industry = (opp.account.industry or "").strip().lower()
        bank = P.PAINS.get(P.INDUSTRY_ALIASES.get(industry, industry), P.GENERIC_PAINS)
        pain, metric = random.Random(f"{opp.id}/story").choice(bank)
        return cls(
            plan=plan,
            contacts={c.id: c for c in opp.contacts},
            meetings={m.key: m for m in plan.meetings},
            pain=pain,
            metric=metric,
        )

    @property
    def opp(self) -> Opportunity:
        return self.plan.opportunity

    def previous(self, before: datetime) -> PlannedMeeting | None:
        earlier = [m for m in self.plan.meetings if m.start < before]
        return earlier[-1] if earlier else None

    def people(self, ids: Sequence[str]) -> list[Contact]:
        return [self.contacts[i] for i in ids if i in self.contacts]


def _first(contact: Contact | None) -> str:
    if contact is None:
        return "there"
    return contact.first_name or contact.last_name


def _names(people: Sequence[Contact]) -> str:
    names = [_first(c) for c in people]
    if not names:
        return "the team"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _amount(opp: Opportunity) -> str:
    return f"${opp.amount:,.0f}" if opp.amount else "the proposed investment"


def _fields(story: _Story, meeting: PlannedMeeting | None, at: datetime) -> dict[str, str]:
    opp = story.opp
    invitees = story.people(meeting.invitee_ids) if meeting else []
    prev = story.previous(meeting.start if meeting else at)
    lead = invitees[0] if invitees else (opp.contacts[0] if opp.contacts else None)
    kind = meeting.meeting_type if meeting else "discovery"
    return {
        "account": opp.account.name,
        "industry": (opp.account.industry or "your industry").lower(),
        "pain": story.pain,
        "metric": story.metric,
        "amount": _amount(opp),
        "stage": meeting.stage if meeting else opp.stage,
        "topic": opp.name,
        "meeting": meeting.subject if meeting else opp.name,
        "kind": P.KIND_LABEL.get(kind, "meeting"),
        "type": kind,
        "prev": P.KIND_LABEL.get(prev.meeting_type, "last call") if prev else "last conversation",
        "lead": _first(lead),
        "team": _names(invitees) if invitees else f"the {opp.account.name} team",
        "names": _names(invitees[1:]) if len(invitees) > 1 else "the team",
        "location": meeting.location if meeting else "",
    }


def _pick(rng: random.Random, bank: Sequence[str], fields: dict[str, str]) -> str:
    return rng.choice(list(bank)).format(**fields)


def _attendees(story: _Story, meeting: PlannedMeeting) -> str:
    people = [
        f"{c.name} ({c.title})" if c.title else c.name for c in story.people(meeting.invitee_ids)
    ]
    owner = story.opp.owner
    people.append(f"{owner.name} ({owner.title})" if owner.title else owner.name)
    return ", ".join(people)


def _meeting_text(story: _Story, meeting: PlannedMeeting) -> str:
    if extra_kinds.handles_meeting(meeting):
        lead = _first(story.contacts.get(story.opp.contacts[0].id)) if story.opp.contacts else ""
        return extra_kinds.meeting_text(meeting, story.opp, _attendees(story, meeting), lead)
    rng = random.Random(meeting.content_seed)
    f = _fields(story, meeting, meeting.start)
    kind = meeting.meeting_type if meeting.meeting_type in P.OBJECTIVES else "discovery"
    head = [f"{meeting.subject}", f"Attendees: {_attendees(story, meeting)}"]
    if not meeting.past:
        items = rng.sample(list(P.AGENDA[kind]), k=min(3, len(P.AGENDA[kind])))
        lines = [
            f"Objective: {_pick(rng, P.OBJECTIVES[kind], f)}",
            "Agenda:",
            *(f"{i}. {item.format(**f)}" for i, item in enumerate(items, start=1)),
            f"Prep: {rng.choice(_PREP).format(**f)}",
        ]
        return "\n".join(head + lines)
    points = rng.sample(list(P.DISCUSSED[kind]), k=min(rng.randint(2, 3), len(P.DISCUSSED[kind])))
    lines = [
        f"Summary: {_pick(rng, P.OBJECTIVES[kind], f)} {rng.choice(_CONTEXT).format(**f)}",
        "Discussed:",
        *(f"- {point.format(**f)}" for point in points),
        f"Outcome: {_pick(rng, P.OUTCOMES[kind], f)}",
        f"Next steps: {_pick(rng, P.NEXT_STEPS[kind], f)}",
    ]
    return "\n".join(head + lines)


_PREP = (
    "bring current numbers for {metric} if available.",
    "{lead} to confirm who else from {account} should attend.",
    "review the notes from the {prev}.",
    "share any requirements documents ahead of time.",
)
_CONTEXT = (
    "Deal stage: {stage}; value {amount}.",
    "This follows the {prev}; the deal is in {stage}.",
    "{account} ({industry}) is weighing the cost of {pain}.",
)


def _turn(email: PlannedEmail) -> str:
    if email.in_reply_to is None:
        return "open_out" if email.direction == "outbound" else "open_in"
    return "reply_out" if email.direction == "outbound" else "reply_in"


def _email_text(story: _Story, email: PlannedEmail) -> str:
    rng = random.Random(email.content_seed)
    meeting = story.meetings.get(email.meeting_key or "")
    f = _email_fields(story, email, meeting, rng)
    bank = P.EMAILS.get((email.purpose, _turn(email))) or P.EMAILS.get(("check_in", _turn(email)))
    if email.purpose in extra_kinds.EMAIL_PURPOSES or bank is None:
        body = extra_kinds.email_body(email, story.opp)
    else:
        body = _pick(rng, bank, f)
    extra = rng.choice(P.EXTRAS if body.count(". ") >= 1 else [e for e in P.EXTRAS if e])
    if story.opp.account.name not in body:
        extra = rng.choice(P.ACCOUNT_EXTRAS).format(**f)
    sender_name, sender_title = _sender(story, email)
    lines = [
        rng.choice(P.GREETINGS).format(**f),
        "",
        f"{body} {extra}".strip(),
        "",
        rng.choice(P.CLOSINGS),
        sender_name,
    ]
    return "\n".join(lines + ([sender_title] if sender_title else []))


def _email_fields(
    story: _Story, email: PlannedEmail, meeting: PlannedMeeting | None, rng: random.Random
) -> dict[str, str]:
    f = _fields(story, meeting, email.sent_at)
    owner = story.opp.owner
    contact = story.contacts.get(email.from_contact_id or "")
    recipients = story.people(email.to_contact_ids)
    reader = recipients[0] if recipients else None
    f["first"] = _first(reader) if email.direction == "outbound" else owner.name.split()[0]
    f["sender_first"] = _first(contact) if contact else owner.name.split()[0]
    if email.direction == "outbound" and len(recipients) > 1:
        f["names"] = _names(recipients[1:])
    kind = meeting.meeting_type if meeting and meeting.meeting_type in P.AGENDA else "discovery"
    if contact is not None and f["lead"] == _first(contact):
        f["lead"] = rng.choice(("my manager", "our VP", "our CFO", "the project lead"))
    f["agenda_item"] = _lower_first(rng.choice(P.AGENDA[kind]).format(**f))
    points = rng.sample(list(P.DISCUSSED[kind]), k=2)
    f["discussed"] = " ".join(p.format(**f) for p in points)
    f["outcome"] = rng.choice(P.OUTCOMES[kind]).format(**f)
    step = rng.choice(P.NEXT_STEPS[kind]).format(**f)
    f["next_step_lc"] = _lower_first(step)
    f["when"] = _when(story, meeting, reader or contact)
    return f


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the word is an acronym ("ROI", "MSA")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _when(story: _Story, meeting: PlannedMeeting | None, person: Contact | None) -> str:
    """The meeting's time on the person's local clock, e.g. "Tuesday 14 April at 10:30"."""
    if meeting is None:
        return "early next week"
    zone = contact_place(person, story.opp)[1] if person else owner_zone(story.opp)
    local = meeting.start.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def _sender(story: _Story, email: PlannedEmail) -> tuple[str, str | None]:
    if email.direction == "outbound":
        owner = story.opp.owner
        return owner.name, owner.title
    contact = story.contacts.get(email.from_contact_id or "")
    if contact is None:
        return f"The {story.opp.account.name} team", None
    title = (
        f"{contact.title}, {story.opp.account.name}" if contact.title else story.opp.account.name
    )
    return contact.name, title
