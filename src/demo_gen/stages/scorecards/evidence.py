"""The records an answer can cite: a deal's past meetings and emails as their text reads.

A record's haystack is what a reader of that record sees: its date, subject, text and the full
names of the people in it. An answer cites the records that carry its claims; the first record
that carries all of a fact's tokens is where the fact was first said ("raised on").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from demo_gen.stages.facts import fmt_day, local_day
from demo_gen.stages.facts.claims import claims, found, parse_date
from demo_gen.stages.facts.dates import is_working_day
from demo_gen.stages.facts.timeline import (
    Activity,
    attended,
    is_past,
    label_of,
    speaks,
    when,
)
from demo_gen.stages.model import Contact
from demo_gen.stages.plan import OpportunityPlan, PlannedMeeting

MAX_KEYS = 3


@dataclass(frozen=True)
class Record:
    key: str
    day: str  # "March 4, 2027"
    label: str  # "discovery workshop" (the name in the meeting's subject), "email"
    is_meeting: bool
    people: frozenset[str]  # contact ids
    haystack: str
    sender: str | None = None  # an email's buyer-side sender (None: the seller sent it)

    def has(self, tokens: Iterable[str]) -> bool:
        return all(found(t, self.haystack) for t in tokens)

    def where(self) -> str:
        """'the discovery session on March 4, 2027' / 'an email on …' ('an email sent over a
        weekend' when it was: an answer never writes a weekend date)."""
        article = "the" if self.is_meeting else "an"
        if not is_working_day(parse_date(self.day)):
            return f"{article} {self.label} sent over a weekend"
        return f"{article} {self.label} on {self.day}"


def happened(item: Activity, plan: OpportunityPlan, until: datetime | None = None) -> bool:
    """Whether a record had happened before `until`: a meeting that has passed (`past`) and
    started before it, an email sent before it. None: by the plan's anchor (`timeline.is_past`).

    `until` is the start of the day a scorecard is made on (`refresh` reveals the story day by
    day, `stages/planning/outcome.reveal`): nothing later is evidence."""
    if until is None:
        return is_past(item, plan)
    if isinstance(item, PlannedMeeting):
        return item.past and item.start < until
    return item.sent_at < until


class Records:
    """A deal's past records that say something (`timeline.speaks`), in time order; with
    `until`, the records that had happened before it (`happened`)."""

    def __init__(
        self, plan: OpportunityPlan, texts: Mapping[str, str], until: datetime | None = None
    ) -> None:
        contacts = {c.id: c for c in plan.opportunity.contacts}
        self.plan = plan
        self.contacts = contacts
        self.until = until
        zone = plan.opportunity.owner.time_zone
        everything: list[Activity] = [*plan.meetings, *plan.emails]
        past = sorted(
            (i for i in everything if happened(i, plan, until) and speaks(i)),
            key=lambda i: (when(i), i.key),
        )
        self.items: list[Record] = [_record(i, texts, contacts, zone) for i in past]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(r.key for r in self.items)

    def first_with(self, tokens: Sequence[str]) -> Record | None:
        """The earliest record that carries every token."""
        return next((r for r in self.items if tokens and r.has(tokens)), None)

    def first_meeting_with(self, contact: Contact) -> Record | None:
        return next((r for r in self.items if r.is_meeting and contact.id in r.people), None)

    def first_involving(self, contact: Contact) -> Record | None:
        return next((r for r in self.items if contact.id in r.people), None)

    def last_part_taken(self, contact: Contact) -> Record | None:
        """The last meeting the contact attended or email they sent (not one sent to them)."""
        return next(
            (
                r
                for r in reversed(self.items)
                if contact.id in r.people and (r.is_meeting or r.sender == contact.id)
            ),
            None,
        )

    def cite(self, first: Sequence[Record | None], tokens: Sequence[str]) -> tuple[Record, ...]:
        """The given records, then later ones that come back to any token, at most MAX_KEYS."""
        picked: list[Record] = []
        for r in first:
            if r is not None and r not in picked:
                picked.append(r)
        if not picked:
            return ()
        start = min(self.items.index(r) for r in picked)
        for r in self.items[start + 1 :]:
            if len(picked) >= MAX_KEYS:
                break
            if r not in picked and any(found(t, r.haystack) for t in tokens):
                picked.append(r)
        return tuple(sorted(picked, key=self.items.index))

    def supports(self, text: str, cited: Sequence[Record]) -> bool:
        """Whether every date, number and contact name in `text` is in a cited record."""
        names = [c.name for c in self.contacts.values()]
        return all(any(found(c, r.haystack) for r in cited) for c in claims(text, names))


def _record(
    item: Activity, texts: Mapping[str, str], contacts: Mapping[str, Contact], zone: str
) -> Record:
    day = fmt_day(local_day(when(item), zone))
    ids = attended(item)  # a no-show's invitees did not join it
    names = " ".join(contacts[i].name for i in ids if i in contacts)
    meeting = isinstance(item, PlannedMeeting)
    label = "email"
    if isinstance(item, PlannedMeeting):
        label = label_of(item)  # as its subject names it
    haystack = "\n".join((day, item.subject, texts.get(item.key, ""), names))
    sender = None if isinstance(item, PlannedMeeting) else item.from_contact_id
    return Record(item.key, day, label, meeting, frozenset(ids), haystack, sender)
