"""The emails of the story ahead: who writes, when, and in which thread.

Every email ahead is a `Note` first — sent when, by whom (the seller, or a customer contact), to
whom, for which purpose, replying to which note — then numbered into `PlannedEmail`s in time
order (`number`). Customers write too, as they do in a real deal (the realism figure
`customer_started_threads_share` counts them):
- a question a day or two after a meeting, answered by the seller within hours (`question`);
- a reply to some of the seller's recaps (`follow_up`, "Re: …");
- the customer saying the timeline moves, before a slip (`timeline_<reason>`), and saying no,
  before a lost close (`decision`), each answered by the seller.

An email is sent on its writer's working day (weekends and public holidays of their country
skipped), in their hours: a customer 09:00–17:00 in their zone, the seller 08:30–17:30 in theirs.
Pure: every draw comes from the `rng` the caller passes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from demo_gen.config.model import Config
from demo_gen.stages.model import Contact, Opportunity
from demo_gen.stages.plan import PlannedEmail
from demo_gen.stages.planner import content_seed
from demo_gen.stages.planning.mail import reply_delay
from demo_gen.stages.planning.timezones import contact_place, owner_zone, zone_country
from demo_gen.stages.planning.workdays import is_working_day

CUSTOMER_HOURS = (time(9, 0), time(17, 0))
SELLER_HOURS = (time(8, 30), time(17, 30))
_SUBJECTS: dict[str, tuple[str, ...]] = {
    "timeline": (
        "Timeline update from {account}",
        "{topic}: our timeline",
        "Heads-up on timing — {topic}",
    ),
    "decision": ("{topic}: our decision", "Update on {topic} from {account}",
                 "{account} — where we landed"),  # fmt: skip
    "close_out": ("Closing the loop on {topic}", "Should I close the file on {topic}?",
                  "{account}: last note on {topic}"),  # fmt: skip
}  # fmt: skip


@dataclass(frozen=True)
class Note:
    """One email before numbering. `sender` is a contact id (inbound) or None (the seller)."""

    sent: datetime
    purpose: str
    subject: str  # the thread's first subject (a reply says "Re: " + it)
    sender: str | None
    to: str  # the contact written to (outbound) or on whose behalf (inbound: the sender)
    stage: str
    meeting_key: str | None = None
    reply_to: Note | None = None


def subject_for(purpose: str, opp: Opportunity, rng: random.Random) -> str:
    """A thread subject for the purposes only the story ahead has."""
    base = purpose.split("_")[0] if purpose.startswith("timeline") else purpose
    return rng.choice(_SUBJECTS[base]).format(account=opp.account.name, topic=opp.name)


def contact(opp: Opportunity, contact_id: str) -> Contact | None:
    return next((c for c in opp.contacts if c.id == contact_id), None)


def at_work(
    opp: Opportunity, who: str | None, day: date, rng: random.Random, *, after: time | None = None
) -> datetime:
    """A moment on `who`'s first working day from `day` (None: the seller), in their hours, not
    before `after` on that first day when given."""
    person = contact(opp, who) if who else None
    country, zone = _place(opp, person)
    low, high = CUSTOMER_HOURS if person else SELLER_HOURS
    if after is not None and after >= time(high.hour - 1, high.minute):
        day, after = day + timedelta(days=1), None  # too late to write today: tomorrow
    while not is_working_day(country, day):
        day, after = day + timedelta(days=1), None
    start = max(low, after) if after else low
    first = start.hour * 60 + start.minute
    last = high.hour * 60 + high.minute - 1
    minute = rng.randint(first, max(first, last))
    clock = time(minute // 60, minute % 60, rng.randint(0, 59))
    return datetime.combine(day, clock, tzinfo=zone)


def _place(opp: Opportunity, person: Contact | None) -> tuple[str | None, ZoneInfo]:
    if person is None:
        zone = owner_zone(opp)
        return zone_country(opp.owner.time_zone), zone
    return contact_place(person, opp)


def reply(opp: Opportunity, to: Note, who: str | None, rng: random.Random,
          purpose: str = "") -> Note:  # fmt: skip
    """`who`'s answer to `to` (who: a contact id, or None for the seller) after a heavy-tailed
    delay (`mail.reply_delay`: mostly within the hour, some hours, a few days), moved to the
    start of their next working day when it falls outside their hours."""
    person = contact(opp, who) if who else None
    country, zone = _place(opp, person)
    low, high = CUSTOMER_HOURS if person else SELLER_HOURS
    local = (to.sent + reply_delay(rng)).astimezone(zone)
    if not (is_working_day(country, local.date()) and low <= local.time() < high):
        day = local.date() + timedelta(days=0 if local.time() < low else 1)
        while not is_working_day(country, day):
            day += timedelta(days=1)
        local = datetime.combine(day, low, tzinfo=zone) + timedelta(
            minutes=rng.randint(5, 75), seconds=rng.randint(0, 59)
        )
    return Note(local, purpose or to.purpose, to.subject, who, to.to, to.stage, to.meeting_key, to)


def number(
    notes: Sequence[Note], opp: Opportunity, first_seq: int, config: Config
) -> list[PlannedEmail]:
    """The notes as emails in time order, keyed after `first_seq`, threads by their first note."""
    out: list[PlannedEmail] = []
    keys: dict[int, str] = {}
    firsts: dict[int, str] = {}
    ordered = sorted(notes, key=lambda n: (n.sent, n.purpose, n.subject))
    for seq, note in enumerate(ordered, start=first_seq + 1):
        key = f"{opp.id}/email/{seq}"
        keys[id(note)] = key
        parent = note.reply_to
        root = note
        while root.reply_to is not None:
            root = root.reply_to
        thread = firsts.setdefault(id(root), key)
        inbound = note.sender is not None
        out.append(
            PlannedEmail(
                key=key, opportunity_id=opp.id, seq=seq, thread_key=thread,
                subject=note.subject if parent is None else f"Re: {note.subject}",
                sent_at=note.sent.astimezone(UTC),
                direction="inbound" if inbound else "outbound",
                from_contact_id=note.sender, to_contact_ids=() if inbound else (note.to,),
                meeting_key=note.meeting_key,
                in_reply_to=None if parent is None else keys.get(id(parent)),
                purpose=note.purpose, content_seed=content_seed(config, key), stage=note.stage,
            )
        )  # fmt: skip
    return out


def kept(notes: Sequence[Note], fits: Callable[[datetime], bool]) -> list[Note]:
    """The notes that fit (a reply only with what it answers)."""
    out: list[Note] = []
    ok: set[int] = set()
    for note in sorted(notes, key=lambda n: n.sent):
        parent_ok = note.reply_to is None or id(note.reply_to) in ok
        if parent_ok and fits(note.sent):
            out.append(note)
            ok.add(id(note))
    return out
