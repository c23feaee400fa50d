"""A scripted story applied to one deal's plan: only taking away, never booking anything new.

The deal is planned from the seed like every other deal first, in the shared calendar; the script
then removes what its story must not have (meetings after a stall, a quiet champion's attendance
and replies, an absent economic buyer), turns calls into unanswered ones, and adds unanswered
chaser emails (emails take nobody's calendar time). Because nothing is booked after the other
deals were placed, every unscripted deal keeps exactly the plan (and signatures) it has without
the `stories:` section, and the scripted deal still obeys every calendar rule.

Pure. A script the deal cannot follow raises `ScriptRefused` naming the part and the reason.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from demo_gen.stages.facts.dates import is_working_day
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting, PlannedTask
from demo_gen.stages.planning.details import thread_subject
from demo_gen.stages.planning.timezones import country_code, owner_zone

SILENT_CALL = ("No answer", "Left voicemail")


class ScriptRefused(Exception):
    """The deal cannot follow this part of its script (`part`: its dotted key in the script)."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(reason)
        self.part = part
        self.reason = reason


@dataclass(frozen=True)
class Cut:
    """What to take away: customer meetings after `stall_day`, and one person from `since` on."""

    stall_day: date | None = None
    person: str | None = None
    since: date | None = None  # None with a person: from the start


def local(op: OpportunityPlan, at: datetime) -> date:
    return at.astimezone(owner_zone(op.opportunity)).date()


def customer_meetings(op: OpportunityPlan) -> list[PlannedMeeting]:
    """Past meetings held with the customer, in time order."""
    held = [m for m in op.meetings if m.past and m.status == "held" and not m.internal]
    return sorted(held, key=lambda m: (m.start, m.key))


def first_held(op: OpportunityPlan, kind: str, part: str) -> PlannedMeeting:
    """The first held past meeting of `kind`; refused when the story has none."""
    found = next((m for m in customer_meetings(op) if m.meeting_type == kind), None)
    if found is None:
        kinds = list(dict.fromkeys(m.meeting_type for m in customer_meetings(op))) or ["none"]
        raise ScriptRefused(
            part,
            f"{op.opportunity.name!r} ({op.opportunity.stage}) has no past {kind} meeting "
            f"(its story so far: {', '.join(kinds)})",
        )
    return found


def stall(op: OpportunityPlan, kind: str) -> tuple[OpportunityPlan, PlannedMeeting]:
    """No customer meeting after the first `kind` meeting; later threads end unanswered."""
    if op.opportunity.is_closed and op.opportunity.is_won:
        raise ScriptRefused("pace.stall_after", "a Closed Won deal did not stall: it was signed")
    last = first_held(op, kind, "pace.stall_after")
    cut = Cut(stall_day=local(op, last.start))
    return take_away(op, cut), last


def silence(op: OpportunityPlan, person: str, since: date | None) -> OpportunityPlan:
    """`person` attends nothing and sends nothing from `since` (None: ever)."""
    return take_away(op, Cut(person=person, since=since))


def take_away(op: OpportunityPlan, cut: Cut) -> OpportunityPlan:
    meetings = [m2 for m in op.meetings if (m2 := _meeting(op, m, cut)) is not None]
    gone = {m.key for m in op.meetings} - {m.key for m in meetings}
    emails = _emails(op, cut, gone)
    tasks = [_task(op, t, cut) for t in op.tasks]
    return replace(op, meetings=tuple(meetings), emails=tuple(emails), tasks=tuple(tasks))


def _after(op: OpportunityPlan, at: datetime, cut: Cut) -> bool:
    return cut.stall_day is not None and local(op, at) > cut.stall_day


def _silenced(op: OpportunityPlan, at: datetime, cut: Cut) -> bool:
    return cut.person is not None and (cut.since is None or local(op, at) >= cut.since)


def _meeting(op: OpportunityPlan, m: PlannedMeeting, cut: Cut) -> PlannedMeeting | None:
    if _after(op, m.start, cut) and (not m.internal or m.meeting_type == "internal_prep"):
        return None
    if not _silenced(op, m.start, cut) or cut.person not in m.invitee_ids:
        return m
    guests = tuple(i for i in m.invitee_ids if i != cut.person)
    if not guests:
        return None
    return replace(
        m,
        invitee_ids=guests,
        primary_contact_id=guests[0],
        responses=tuple(r for r in m.responses if r[0] != cut.person),
    )


def _emails(op: OpportunityPlan, cut: Cut, gone_meetings: set[str]) -> list[PlannedEmail]:
    """Emails kept, a thread cut at its first message that may not be (no reply to nothing)."""
    kept: list[PlannedEmail] = []
    dropped: set[str] = set()
    for e in sorted(op.emails, key=lambda e: (e.sent_at, e.key)):
        drop = (
            e.meeting_key in gone_meetings
            or (e.in_reply_to is not None and e.in_reply_to in dropped)
            or (_after(op, e.sent_at, cut) and e.direction == "inbound")
            or (_silenced(op, e.sent_at, cut) and e.from_contact_id == cut.person)
        )
        if drop:
            dropped.add(e.key)
            continue
        if _silenced(op, e.sent_at, cut) and cut.person in e.cc_contact_ids:
            e = replace(e, cc_contact_ids=tuple(i for i in e.cc_contact_ids if i != cut.person))
        kept.append(e)
    thread_alive = {e.key for e in kept}
    return [e for e in kept if e.thread_key in thread_alive]


def _task(op: OpportunityPlan, t: PlannedTask, cut: Cut) -> PlannedTask:
    """A call the story says nobody answered: no answer or a voicemail, a few seconds long."""
    quiet = _after(op, t.at, cut) or (_silenced(op, t.at, cut) and t.who_id == cut.person)
    if t.kind != "call" or not quiet or t.disposition in SILENT_CALL:
        return t
    disposition = SILENT_CALL[t.content_seed % 2]
    return replace(t, disposition=disposition, duration_seconds=min(t.duration_seconds, 35))


def chasers(
    op: OpportunityPlan,
    after: PlannedMeeting,
    to: str,
    rng: random.Random,
    busy: Sequence[tuple[datetime, datetime]] = (),
) -> tuple[OpportunityPlan, list[str]]:
    """Up to two unanswered chasers after the stall, before the anchor, 10:00-15:59 local, never
    from inside one of the seller's meetings (`busy`: their meetings on every deal)."""
    zone = owner_zone(op.opportunity)
    country = country_code(op.opportunity.account.billing_country)
    stalled, out = local(op, after.start), []
    seq = max((e.seq for e in op.emails), default=0)
    for gap in (9, 17):
        day = _working_day_after(stalled + timedelta(days=gap), country)
        minute = rng.randint(10 * 60, 15 * 60 + 59)
        at = datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), zone)
        for start, end in sorted(busy):
            if start <= at < end:
                at = end + timedelta(minutes=rng.randint(4, 19), seconds=rng.randint(0, 59))
        if day >= op.anchor or (op.opportunity.close_date < day):
            break
        seq += 1
        key = f"{op.opportunity.id}/email/{seq}"
        subject = thread_subject("nudge", op.opportunity.account, op.opportunity.name, "", rng)
        out.append(
            PlannedEmail(
                key=key, opportunity_id=op.opportunity.id, seq=seq, thread_key=key,
                subject=subject, sent_at=at.astimezone(UTC), direction="outbound",
                from_contact_id=None, to_contact_ids=(to,), meeting_key=None, in_reply_to=None,
                purpose="nudge", content_seed=rng.getrandbits(32), stage=after.stage,
            )
        )  # fmt: skip
    return replace(op, emails=op.emails + tuple(out)), [e.key for e in out]


def _working_day_after(day: date, country: str | None) -> date:
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def first_where(
    items: Iterable[PlannedMeeting], test: Callable[[PlannedMeeting], bool]
) -> PlannedMeeting | None:
    return next((m for m in items if test(m)), None)
