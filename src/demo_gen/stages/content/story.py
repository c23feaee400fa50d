"""One opportunity's story as LLM requests: the facts, the timeline, the parts, the prompt.

The prompt carries the deal's facts, the people (name or stand-in, title, role — never an email
address or phone number) and the ordered timeline, as a fenced JSON block that a person and a
machine can both read. Items are named by short aliases ("M1", "E4") rather than their keys. A plan
too large for one answer is split into parts (`chunks`); each part repeats the facts and carries
the story so far, so the pain raised in discovery still comes back in the business case.

No I/O here: `answer` reads the model's reply, `stories` sends the prompts, `llm` talks to the
provider.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from demo_gen.config.model import LlmSettings
from demo_gen.errors import ContentError
from demo_gen.stages.content.privacy import Person, Pseudonyms, scrub
from demo_gen.stages.facts import FactSheet
from demo_gen.stages.model import Contact, Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting

ITEM_TOKENS = 120
"""Output tokens budgeted per activity text (40–90 words plus its JSON)."""
QUESTION_TOKENS = 70
"""Output tokens budgeted per scorecard answer."""
SUMMARY_TOKENS = 100
"""Output tokens budgeted for the story-so-far summary of each part."""
EARLIER_OUTLINE = 20
"""How many earlier items a later part lists (its story-so-far covers the rest)."""


class LlmFailure(ContentError):
    """A request that gave no usable answer; `reason` is a short tag for the counts."""

    def __init__(self, message: str, *, reason: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        self.unreachable = unreachable
        """True when the provider could not be reached at all (connection refused, DNS)."""


@dataclass(frozen=True)
class ScorecardQuestion:
    """One scorecard element to answer from the story, e.g. MEDDICC / metrics."""

    template: str
    element_id: str
    element: str
    question: str


@dataclass(frozen=True)
class LlmAnswerData:
    """The model's answer to one scorecard question; `evidence_keys` are item keys."""

    text: str
    confidence: float
    evidence_keys: tuple[str, ...]


@dataclass(frozen=True)
class Prompt:
    system: str
    user: str


@dataclass(frozen=True)
class Entry:
    """One timeline item as the prompt shows it."""

    key: str
    alias: str
    at: datetime
    view: Mapping[str, Any]


@dataclass(frozen=True)
class Chunk:
    """One request's share of a story: items in time order, then questions."""

    index: int
    total: int
    entries: tuple[Entry, ...]
    questions: tuple[ScorecardQuestion, ...]
    earlier: tuple[Entry, ...]


@dataclass(frozen=True)
class Story:
    """An opportunity's prompt material; names already swapped when pseudonymising."""

    plan: OpportunityPlan
    names: Pseudonyms
    facts: Mapping[str, Any]
    timeline: tuple[Entry, ...]
    required: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Item key → the tokens (real names) its text must carry: the facts first said there."""

    @classmethod
    def of(cls, plan: OpportunityPlan, *, pseudonymize: bool, sheet: FactSheet) -> Story:
        opp = plan.opportunity
        people = _people(opp) + _team_people(plan)
        names = Pseudonyms.of(people) if pseudonymize else Pseudonyms.none()
        contacts = {c.id: c for c in opp.contacts}
        aliases = _aliases(plan)
        team = {u.id: u for u in plan.team}
        entries = [_meeting_entry(m, contacts, aliases, names, team) for m in plan.meetings]
        entries += [_email_entry(e, opp.owner.name, contacts, aliases, names) for e in plan.emails]
        entries = [_with_facts(e, sheet, names) for e in entries]
        entries.sort(key=lambda e: (e.at, e.alias))
        facts = {**_facts(plan, names), "fact_sheet": _fact_sheet(sheet, aliases, names)}
        keys = [m.key for m in plan.meetings] + [e.key for e in plan.emails]
        required = {k: tuple(t for f in sheet.said_in(k) for t in f.tokens) for k in keys}
        return cls(plan, names, facts, tuple(entries), {k: v for k, v in required.items() if v})

    @property
    def aliases(self) -> dict[str, str]:
        """Alias → item key."""
        return {e.alias: e.key for e in self.timeline}


def _fact_sheet(
    sheet: FactSheet, aliases: Mapping[str, str], names: Pseudonyms
) -> list[dict[str, Any]]:
    """The facts as the prompt shows them: what is said, where first, and where it comes back."""
    return [
        {
            "kind": f.kind,
            "says": names.hide(f.statement),
            "must_include": [names.hide(t) for t in f.tokens],
            "first_said_in": aliases[f.said_in],
            "referred_to_in": [aliases[k] for k in f.refs if k in aliases],
        }
        for f in sheet.facts.values()
        if f.said_in is not None and f.said_in in aliases
    ]


def _with_facts(entry: Entry, sheet: FactSheet, names: Pseudonyms) -> Entry:
    said = sheet.said_in(entry.key)
    if not said:
        return entry
    view = {
        **entry.view,
        "say": [names.hide(f.statement) for f in said],
        "must_include": [names.hide(t) for f in said for t in f.tokens],
    }
    return Entry(entry.key, entry.alias, entry.at, view)


def _people(opp: Opportunity) -> list[Person]:
    owner = opp.owner.name.rsplit(" ", 1)
    seller: Person = (owner[0], owner[1]) if len(owner) == 2 else (None, owner[0])
    return [seller, *((c.first_name, c.last_name) for c in opp.contacts)]


def _team_people(plan: OpportunityPlan) -> list[Person]:
    """The seller's colleagues on the deal, after everyone else (their stand-ins come last, so
    a deal's earlier stand-ins stay the same)."""
    out: list[Person] = []
    for user in plan.team:
        parts = user.name.rsplit(" ", 1)
        out.append((parts[0], parts[1]) if len(parts) == 2 else (None, parts[0]))
    return out


def _aliases(plan: OpportunityPlan) -> dict[str, str]:
    out = {m.key: f"M{i}" for i, m in enumerate(plan.meetings, start=1)}
    out.update({e.key: f"E{i}" for i, e in enumerate(plan.emails, start=1)})
    return out


def _clean(text: str | None, names: Pseudonyms) -> str | None:
    return None if text is None else scrub(names.hide(text))


def _name(contact: Contact | None, names: Pseudonyms) -> str:
    return names.hide(contact.name) if contact else "(unknown)"


def _facts(plan: OpportunityPlan, names: Pseudonyms) -> dict[str, Any]:
    opp, acc = plan.opportunity, plan.opportunity.account
    involved = {i for m in plan.meetings for i in m.invitee_ids}
    involved |= {e.from_contact_id for e in plan.emails if e.from_contact_id} | {
        i for e in plan.emails for i in e.to_contact_ids
    }
    people = [
        {"name": _name(c, names), "title": _clean(c.title, names), "role": c.role}
        for c in opp.contacts
        if c.role or c.id in involved
    ]
    return {
        "account": {
            "name": scrub(acc.name),
            "industry": acc.industry,
            "employees": acc.employees,
            "country": acc.billing_country,
        },
        "opportunity": {
            "name": _clean(opp.name, names),
            "stage": opp.stage,
            "type": opp.type,
            "amount": f"${opp.amount:,.0f}" if opp.amount else None,
            "close_date": opp.close_date.isoformat(),
            "today": plan.anchor.isoformat(),
        },
        "seller": {
            "name": names.hide(opp.owner.name),
            "title": _clean(opp.owner.title, names),
        },
        "buyers": people,
    }


def _meeting_entry(
    m: PlannedMeeting,
    contacts: Mapping[str, Contact],
    aliases: Mapping[str, str],
    n: Pseudonyms,
    team: Mapping[str, Seller],
) -> Entry:
    view: dict[str, Any] = {
        "key": aliases[m.key],
        "kind": "meeting",
        "type": m.meeting_type,
        "date": m.start.date().isoformat(),
        "when": "past" if m.past else "upcoming",
        "subject": _clean(m.subject, n),
        "attendees": [_name(contacts.get(i), n) for i in m.invitee_ids],
        "format": "in person" if "office" in m.location.lower() else "video call",
        "minutes": m.duration_minutes,
        "write": "notes" if m.past else "agenda",
    }
    ours = [team[i] for i in m.internal_ids if i in team]
    if ours:  # the seller's colleagues in it (a deal without them reads as before)
        view["colleagues"] = [f"{n.hide(u.name)} ({u.title or 'colleague'})" for u in ours]
    return Entry(m.key, aliases[m.key], m.start, view)


def _email_entry(
    e: PlannedEmail,
    owner: str,
    contacts: Mapping[str, Contact],
    aliases: Mapping[str, str],
    n: Pseudonyms,
) -> Entry:
    outbound = e.direction == "outbound"
    seller = n.hide(owner)
    view = {
        "key": aliases[e.key],
        "kind": "email",
        "type": e.purpose,
        "date": e.sent_at.date().isoformat(),
        "direction": "seller to buyer" if outbound else "buyer to seller",
        "from": seller if outbound else _name(contacts.get(e.from_contact_id or ""), n),
        "to": [_name(contacts.get(i), n) for i in e.to_contact_ids] if outbound else [seller],
        "subject": _clean(e.subject, n),
        "replies_to": aliases.get(e.in_reply_to or ""),
        "about_meeting": aliases.get(e.meeting_key or ""),
        "write": "body",
    }
    return Entry(e.key, aliases[e.key], e.sent_at, view)


def chunks(
    story: Story, questions: Sequence[ScorecardQuestion], settings: LlmSettings
) -> list[Chunk]:
    """The story's requests: items in time order, then questions, packed so each answer fits
    `max_tokens` and holds at most `chunk_items` items. An empty story needs no request."""
    budget = max(settings.max_tokens - SUMMARY_TOKENS, ITEM_TOKENS)
    groups: list[tuple[list[Entry], list[ScorecardQuestion]]] = [([], [])]
    used = 0
    units: list[Entry | ScorecardQuestion] = [*story.timeline, *questions]
    for unit in units:
        entries, asked = groups[-1]
        is_entry = isinstance(unit, Entry)
        cost = ITEM_TOKENS if is_entry else QUESTION_TOKENS
        full = used + cost > budget or (is_entry and len(entries) >= settings.chunk_items)
        if full and (entries or asked):
            groups.append(([], []))
            entries, asked, used = *groups[-1], 0
        if isinstance(unit, Entry):
            entries.append(unit)
        else:
            asked.append(unit)
        used += cost
    groups = [g for g in groups if g[0] or g[1]]
    out, seen = [], 0
    for i, (entries, asked) in enumerate(groups, start=1):
        earlier = story.timeline[max(0, seen - EARLIER_OUTLINE) : seen]
        out.append(Chunk(i, len(groups), tuple(entries), tuple(asked), earlier))
        seen += len(entries)
    return out


SYSTEM = """\
You write the CRM activity records of one B2B sales opportunity, as the seller's team would have \
logged them. Together the texts must read like one deal's real story: the pain and metrics raised \
early come back in later demos, follow-ups and the business case; people keep their roles and \
concerns; each item fits its date, stage, type and participants.

For each timeline item write the text its "write" field names:
- "notes" (a past meeting): a short summary, what was discussed, the outcome and next steps;
- "agenda" (an upcoming meeting): the objective, agenda points and preparation;
- "body" (an email): greeting, message, sign-off with the sender's first name; no subject line.
Keep each text between 40 and 90 words. Use plain text with line breaks; no markdown headings.
Use only the people and facts given. Never write an email address, a phone number or a URL.
Never claim an attachment; nothing is attached. Each fact in "fact_sheet" is said first in the \
item "first_said_in" and not before: that item's text must contain every "must_include" string \
verbatim (a timeline item lists them too); items in "referred_to_in" come back to it.
Answer each scorecard question in one to three sentences from the story, naming people by \
their full name, with a confidence between 0 and 1 and as evidence the keys of the emails and \
past meetings that support it.

Reply with one JSON object only:
{"summary": "<at most 80 words: the story so far - pain, metrics, stakeholders, objections, \
status>", "items": [{"key": "<item key>", "text": "<text>"}], "scorecard": [{"template": "...", \
"element_id": "...", "answer": "...", "confidence": 0.0, "evidence_keys": ["<item key>"]}]}
Give one entry in "items" for every timeline item, and one in "scorecard" for every question."""


def prompt(story: Story, chunk: Chunk, story_so_far: str) -> Prompt:
    """The request for one part of the story; `story_so_far` is the previous part's summary."""
    payload: dict[str, Any] = {**story.facts, "part": {"number": chunk.index, "of": chunk.total}}
    if chunk.index > 1:
        payload["story_so_far"] = story_so_far
        payload["earlier_items"] = [_outline(e) for e in chunk.earlier]
    payload["timeline"] = [dict(e.view) for e in chunk.entries]
    payload["questions"] = [
        {"template": q.template, "element_id": q.element_id, "element": q.element}
        | {"question": _clean(q.question, story.names)}
        for q in chunk.questions
    ]
    head = (
        f"Part {chunk.index} of {chunk.total} of this deal's story. Write a text for every item "
        "in `timeline` and answer every entry in `questions`."
    )
    body = json.dumps(payload, ensure_ascii=False)
    return Prompt(SYSTEM, f"{head}\n\n```json\n{body}\n```")


def _outline(entry: Entry) -> dict[str, Any]:
    return {k: entry.view[k] for k in ("key", "kind", "type", "date", "subject")}


def approx_tokens(text: str) -> int:
    """A provider-neutral token estimate: about four characters a token."""
    return len(text) // 4 + 1
