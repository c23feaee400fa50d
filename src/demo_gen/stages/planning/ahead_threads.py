"""The threads of the story ahead, as `ahead_mail.Note`s (numbered by `ahead_mail.number`).

- Around each customer meeting still to come at the anchor: a confirmation a day or three before
  it (for most meetings), and the same day it passes a recap — or a "missed you" note if it
  turns into a no-show (`outcome.realize` decides, seeded). Some recaps get the customer's
  reply the next working day; some meetings leave the customer with a question a day or two
  later, which the seller answers within hours.
- Before a slip, the customer writes that the timeline moves (budget cycle, legal, security
  review, other priorities), and the seller answers; before a lost close, the customer writes
  the decision, and the seller answers.
- A stalled deal's revival: the seller's nudges, a customer's short answer to one of them, and
  the seller's last note before marking the deal lost (`planning.revive`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from demo_gen.config.model import Config
from demo_gen.stages.model import Opportunity
from demo_gen.stages.plan import PlannedMeeting
from demo_gen.stages.planning.ahead_mail import (
    CUSTOMER_HOURS,
    Note,
    at_work,
    contact,
    reply,
    subject_for,
)
from demo_gen.stages.planning.course import Course
from demo_gen.stages.planning.details import thread_subject
from demo_gen.stages.planning.outcome import realize
from demo_gen.stages.planning.timezones import contact_place, owner_zone

CONFIRM_SHARE = 0.6
"""Share of upcoming meetings the seller confirms by email a day or three before."""
QUESTION_SHARE = 0.45
"""Share of meetings after which the customer writes with a question."""
RECAP_REPLY_SHARE = 0.35
"""Share of recaps the customer answers."""


def meeting_notes(
    opp: Opportunity,
    upcoming: Sequence[PlannedMeeting],
    floor: datetime,
    config: Config,
    rng: random.Random,
) -> list[Note]:
    """Confirmations, recaps or "missed you" notes, recap replies and customer questions."""
    out: list[Note] = []
    zone = owner_zone(opp)
    for m in sorted(upcoming, key=lambda m: (m.start, m.seq)):
        lead = m.primary_contact_id or ""
        day = m.start.astimezone(zone).date()
        if rng.random() < CONFIRM_SHARE:
            back = 1 if m.meeting_type == "kickoff" else rng.randint(1, 3)  # after the close day
            before = at_work(opp, None, day - timedelta(days=back), rng)
            if floor <= before < m.start:
                subject = thread_subject("scheduling", opp.account, opp.name, m.subject, rng)
                out.append(Note(before, "scheduling", subject, None, lead, m.stage, m.key))
        held = realize(m, config).status == "held"
        purpose = "follow_up" if held else "no_show"
        end = (m.start + timedelta(minutes=m.duration_minutes)).astimezone(zone)
        after = at_work(opp, None, day, rng, after=(end + timedelta(minutes=20)).time())
        subject = thread_subject(purpose, opp.account, opp.name, m.subject, rng)
        recap = Note(after, purpose, subject, None, lead, m.stage, m.key)
        out.append(recap)
        if held and rng.random() < RECAP_REPLY_SHARE:
            out.append(reply(opp, recap, lead, rng))
        if held and rng.random() < QUESTION_SHARE:
            out += _question(opp, m, lead, rng)
    return out


def _question(opp: Opportunity, m: PlannedMeeting, lead: str, rng: random.Random) -> list[Note]:
    asker = rng.choice(m.invitee_ids) if m.invitee_ids else lead
    day = m.start.astimezone(owner_zone(opp)).date() + timedelta(days=rng.randint(1, 2))
    sent = at_work(opp, asker, day, rng)
    subject = thread_subject("question", opp.account, opp.name, m.subject, rng)
    asked = Note(sent, "question", subject, asker, asker, m.stage)
    return [asked, reply(opp, asked, None, rng)]


def course_notes(
    opp: Opportunity,
    course: Course,
    won: bool,
    lead: str,
    stage_of: StageOf,
    rng: random.Random,
    last: PlannedMeeting | None = None,
) -> tuple[list[Note], date]:
    """The customer's word before each slip and, on the day of a lost deal's `last` call, its
    decision, each with the seller's answer; and the day the deal closes (that call's)."""
    out: list[Note] = []
    for slip in course.slips:
        day = _working_before(opp, lead, slip.day - timedelta(days=1), rng)
        sent = at_work(opp, lead, day, rng)
        purpose = f"timeline_{slip.reason}"
        said = Note(sent, purpose, subject_for(purpose, opp, rng), lead, lead, stage_of(day))
        out += [said, reply(opp, said, None, rng)]
    close = course.close
    if course.ends and not won and last is not None:  # the day of the last call
        decided = _decision(opp, lead, last, stage_of, rng)
        out += [decided, reply(opp, decided, None, rng)] if decided is not None else []
        close = last.start.astimezone(owner_zone(opp)).date()
    return out, close


def _decision(
    opp: Opportunity, lead: str, last: PlannedMeeting, stage_of: StageOf, rng: random.Random
) -> Note | None:
    """The customer's decision the morning of the last call (the call is to talk it through),
    or after it that day; None when neither fits in their hours."""
    zone = _zone(opp, lead)
    start = last.start.astimezone(zone)
    end = (last.start + timedelta(minutes=last.duration_minutes)).astimezone(zone)
    low, high = CUSTOMER_HOURS
    day = start.date()
    early = datetime.combine(day, low, tzinfo=zone)
    late = datetime.combine(day, high, tzinfo=zone)
    before, after = _minutes(start - early), _minutes(late - end)
    if before >= 75:
        sent = early + timedelta(minutes=rng.randint(0, before - 60))
    elif after >= 75:
        sent = end + timedelta(minutes=rng.randint(15, after - 30))
    else:
        return None
    sent += timedelta(seconds=rng.randint(0, 59))
    stage = stage_of(last.start.astimezone(owner_zone(opp)).date())
    return Note(sent, "decision", subject_for("decision", opp, rng), lead, lead, stage)


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _zone(opp: Opportunity, who: str) -> tzinfo:
    person = contact(opp, who)
    return contact_place(person, opp)[1] if person else owner_zone(opp)


def _working_before(opp: Opportunity, who: str, day: date, rng: random.Random) -> date:
    """`day`, or the working day of `who` before it."""
    for back in range(7):
        candidate = day - timedelta(days=back)
        if at_work(opp, who, candidate, random.Random(0)).date() == candidate:
            return candidate
    return day


class StageOf:
    """The deal's stage on a day of the story ahead (callable)."""

    def __init__(self, changes: Sequence[tuple[date, str]], current: str) -> None:
        self.changes, self.current = tuple(changes), current

    def __call__(self, day: date) -> str:
        label = self.current
        for first, name in self.changes:
            if first <= day:
                label = name
        return label
