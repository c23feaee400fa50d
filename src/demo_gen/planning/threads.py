"""Email threads around the meetings: scheduling before, follow-up after, and a few of their own.

Model: a thread is a chain of messages that alternate direction (outbound = the owner writes,
inbound = a contact writes); every reply answers the message before it, carries "Re: <subject>"
and comes after a lognormal delay (median 2 h, long tail capped at 3 days, reference §3.4).
Emails are history: all of them fall in the past window. A share `after_hours_email_share` of
messages go out in the sender's early morning (06:30–07:50) or evening (18:00–21:30), a fifth of
those on a weekend; the rest in the sender's business hours on a working day. Unanswered single
messages are capped (a quarter of the target, plus one to land on the exact count), and a final
pass guarantees that at least half of the emails sit in threads with a reply.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from demo_gen.plan import Direction
from demo_gen.planning.cadence import RANK, champion
from demo_gen.planning.calendar import is_working_day
from demo_gen.planning.context import Context
from demo_gen.planning.details import thread_subject
from demo_gen.planning.meetings import MeetingDraft
from demo_gen.planning.slots import Bounds, Person

_MORNING = (time(6, 30), time(7, 50))
_EVENING = (time(18, 0), time(21, 30))
_MEDIAN_REPLY_MINUTES = 120.0
_REPLY_SIGMA = 1.4
_MAX_REPLY = timedelta(days=3)


@dataclass(frozen=True)
class EmailDraft:
    """A placed email before it gets its key; `thread`/`position` locate it in its thread."""

    thread: int
    position: int
    subject: str
    sent_at: datetime
    direction: Direction
    from_contact_id: str | None
    to_contact_ids: tuple[str, ...]
    meeting_index: int | None
    purpose: str


@dataclass(frozen=True)
class _Spec:
    purpose: str
    start: datetime
    deadline: datetime
    length: int
    first: Direction
    contacts: tuple[str, ...]  # lead first: outbound recipients, inbound senders
    meeting_index: int | None
    subject: str


def plan_threads(
    ctx: Context, meetings: Sequence[MeetingDraft], last_rank: int
) -> list[EmailDraft]:
    """Email threads for one opportunity, inside the past window, around its meetings."""
    bounds = ctx.past_bounds()
    if not ctx.ranked or bounds.low >= bounds.high:
        return []
    rng = ctx.rng("emails")
    target = rng.randint(ctx.settings.emails.min, ctx.settings.emails.max)
    specs = _meeting_specs(ctx, meetings, bounds, rng) + _stage_specs(ctx, bounds, last_rank, rng)
    rng.shuffle(specs)
    out: list[EmailDraft] = []
    singles = 0
    for attempt in range(len(specs) + 4 * target):
        remaining = target - len(out)
        if remaining <= 0:
            break
        spec = specs[attempt] if attempt < len(specs) else _check_in(ctx, bounds, rng)
        built = _build(ctx, spec, min(spec.length, remaining), attempt)
        if not built or (len(built) == 1 and remaining > 1 and singles + 1 > target // 4):
            continue
        singles += len(built) == 1
        out += built
    return _keep_half_threaded(out)


def _keep_half_threaded(emails: list[EmailDraft]) -> list[EmailDraft]:
    sizes: dict[int, int] = {}
    for email in emails:
        sizes[email.thread] = sizes.get(email.thread, 0) + 1
    while emails and 2 * sum(1 for e in emails if sizes[e.thread] == 1) > len(emails):
        last_single = max(i for i, e in enumerate(emails) if sizes[e.thread] == 1)
        emails = emails[:last_single] + emails[last_single + 1 :]
    return emails


def _meeting_specs(
    ctx: Context, meetings: Sequence[MeetingDraft], bounds: Bounds, rng: random.Random
) -> list[_Spec]:
    specs = []
    for index, meeting in enumerate(meetings):
        before = meeting.start - timedelta(days=rng.uniform(1.0, 6.0))
        deadline = min(meeting.start - timedelta(hours=1), bounds.high)
        specs.append(_spec(ctx, "scheduling", meeting, index, before, deadline, rng))
        end = meeting.start + timedelta(minutes=meeting.duration)
        if end < bounds.high:
            after = end + timedelta(hours=rng.uniform(0.5, 20.0))
            specs.append(_spec(ctx, "follow_up", meeting, index, after, bounds.high, rng))
    return [s for s in specs if s.start < s.deadline]


def _spec(
    ctx: Context,
    purpose: str,
    meeting: MeetingDraft,
    index: int,
    start: datetime,
    deadline: datetime,
    rng: random.Random,
) -> _Spec:
    opp = ctx.opportunity
    subject = thread_subject(purpose, opp.account, opp.name, meeting.subject, rng)
    length = rng.choice((1, 2, 2, 3, 3, 4)) if purpose == "follow_up" else rng.choice((2, 2, 3))
    return _Spec(
        purpose=purpose,
        start=max(start, ctx.past_bounds().low),
        deadline=deadline,
        length=length,
        first="outbound",
        contacts=meeting.invitees[:3],
        meeting_index=index,
        subject=subject,
    )


def _stage_specs(ctx: Context, bounds: Bounds, last_rank: int, rng: random.Random) -> list[_Spec]:
    purposes = ["question"]
    if last_rank >= RANK["business_case"]:
        purposes.append("proposal")
    if last_rank >= RANK["negotiation"]:
        purposes.append("negotiation")
    return [_standalone(ctx, purpose, bounds, rng) for purpose in purposes]


def _check_in(ctx: Context, bounds: Bounds, rng: random.Random) -> _Spec:
    return _standalone(ctx, "check_in", bounds, rng)


def _standalone(ctx: Context, purpose: str, bounds: Bounds, rng: random.Random) -> _Spec:
    span = (bounds.high - bounds.low).total_seconds()
    start = bounds.low + timedelta(seconds=rng.uniform(0.0, span * 0.9))
    opp = ctx.opportunity
    lead = champion(ctx.ranked)
    others = [c.id for c in ctx.ranked if c.id != lead.id]
    contacts = (lead.id, *rng.sample(others, min(len(others), rng.randint(0, 2))))
    return _Spec(
        purpose=purpose,
        start=start,
        deadline=bounds.high,
        length=rng.choice((2, 2, 3, 4)),
        first="inbound" if purpose == "question" else "outbound",
        contacts=contacts,
        meeting_index=None,
        subject=thread_subject(purpose, opp.account, opp.name, opp.name, rng),
    )


def _build(ctx: Context, spec: _Spec, length: int, thread: int) -> list[EmailDraft]:
    """The thread's messages, stopping at its deadline."""
    rng = ctx.rng("thread", str(thread))
    out: list[EmailDraft] = []
    moment = spec.start
    direction: Direction = spec.first
    for position in range(length):
        sender = _sender(ctx, spec, direction, out, rng)
        if position:
            moment = out[-1].sent_at + _reply_delay(rng)
        sent = _ceil_minute(_send_time(ctx, moment, sender, rng))
        if sent is None or sent >= spec.deadline or sent < spec.start:
            break
        out.append(_draft(spec, thread, position, sent, direction, sender.id, out))
        direction = "inbound" if direction == "outbound" else "outbound"
    return out


def _sender(
    ctx: Context, spec: _Spec, direction: Direction, out: list[EmailDraft], rng: random.Random
) -> Person:
    if direction == "outbound":
        return ctx.seller
    if out and rng.random() < 0.25:
        return ctx.people[rng.choice(out[-1].to_contact_ids or spec.contacts)]
    return ctx.people[spec.contacts[0]]


def _draft(
    spec: _Spec,
    thread: int,
    position: int,
    sent: datetime,
    direction: Direction,
    sender_id: str,
    out: list[EmailDraft],
) -> EmailDraft:
    if direction == "outbound":
        previous = out[-1].from_contact_id if out else None
        to = (previous,) if previous else spec.contacts
        sender: str | None = None
    else:
        to, sender = (), sender_id
    return EmailDraft(
        thread=thread,
        position=position,
        subject=spec.subject if position == 0 else f"Re: {spec.subject}",
        sent_at=sent,
        direction=direction,
        from_contact_id=sender,
        to_contact_ids=to,
        meeting_index=spec.meeting_index,
        purpose=spec.purpose,
    )


def _ceil_minute(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    floor = utc.replace(second=0, microsecond=0)
    return floor if floor == utc else floor + timedelta(minutes=1)


def _reply_delay(rng: random.Random) -> timedelta:
    minutes = rng.lognormvariate(math.log(_MEDIAN_REPLY_MINUTES), _REPLY_SIGMA)
    return min(timedelta(minutes=max(3.0, minutes)), _MAX_REPLY)


def _send_time(
    ctx: Context, moment: datetime, sender: Person, rng: random.Random
) -> datetime | None:
    """The first fitting send time at or after `moment` in the sender's local day."""
    if rng.random() < ctx.settings.after_hours_email_share:
        return _after_hours(moment, sender, rng, weekend_ok=rng.random() < 0.2)
    hours = ctx.rules.business
    for offset in range(14):
        local = moment.astimezone(sender.zone)
        day = local.date() + timedelta(days=offset)
        if not is_working_day(sender.country, day):
            continue
        opens = _at(day, hours[0], sender)
        closes = _at(day, hours[1], sender) - timedelta(minutes=5)
        if offset == 0 and opens <= moment < closes:
            return moment
        if moment < opens:
            room = min(75.0, (closes - opens).total_seconds() / 120)
            return opens + timedelta(minutes=rng.uniform(0, room))
    return None


def _after_hours(
    moment: datetime, sender: Person, rng: random.Random, *, weekend_ok: bool
) -> datetime | None:
    local_day = moment.astimezone(sender.zone).date()
    for offset in range(8):
        day = local_day + timedelta(days=offset)
        if not weekend_ok and not is_working_day(sender.country, day):
            continue
        for low, high in (_MORNING, _EVENING):
            opens, closes = _at(day, low, sender), _at(day, high, sender)
            begin = max(opens, moment)
            if begin < closes:
                room = min(40.0, (closes - begin).total_seconds() / 60)
                return begin + timedelta(minutes=rng.uniform(0, room))
    return None


def _at(day: date, clock: time, person: Person) -> datetime:
    return datetime.combine(day, clock, tzinfo=person.zone)


def renumber(emails: Sequence[EmailDraft]) -> list[EmailDraft]:
    """Emails in time order (ties: thread, position); threads renumbered by first message."""
    ordered = sorted(emails, key=lambda e: (e.sent_at, e.thread, e.position))
    first_seen: dict[int, int] = {}
    for email in ordered:
        first_seen.setdefault(email.thread, len(first_seen))
    return [replace(e, thread=first_seen[e.thread]) for e in ordered]
