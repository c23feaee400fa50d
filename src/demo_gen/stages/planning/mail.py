"""A deal's email threads, timed the way people write (reference §3.4 and §3.7).

Every email goes out on one of its sender's working days (never their weekend or a public
holiday), in their business hours, or with `after_hours_email_share` early in the morning or in
the evening; a reply that would fall outside them waits for the sender's next working morning.

Around each customer meeting: a scheduling thread (started by the customer a third of the time),
the email that moved a rescheduled meeting, a thank-you the same day, and after a no-show a
"missed you" note. Around the story: the customer's own questions, the proposal and the contract
redlines, and for a fading deal one or two nudges nobody answers. An outbound email may first get
an out-of-office auto-reply. Reply delays are heavy-tailed (about half within the hour, one in
seven takes one to four days); send times fall anywhere in the sender's working day, to the second.
Emails are history: none is sent after the anchor.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from demo_gen.stages.plan import Direction
from demo_gen.stages.planning.agenda import Draft
from demo_gen.stages.planning.details import thread_subject
from demo_gen.stages.planning.env import Deal, Env
from demo_gen.stages.planning.slots import Person
from demo_gen.stages.planning.workdays import is_working_day

_WAKING = (time(7, 0), time(21, 30))
_OPENING = (time(8, 0), time(18, 30))


@dataclass(frozen=True)
class Mail:
    thread: int
    position: int
    subject: str
    sent_at: datetime
    direction: Direction
    sender: str | None  # contact id for inbound
    to: tuple[str, ...]  # contact ids for outbound
    cc_contacts: tuple[str, ...]
    cc_users: tuple[str, ...]
    meeting: int | None  # index into the deal's drafts
    purpose: str
    stage: str


@dataclass(frozen=True)
class _Thread:
    purpose: str
    opens: datetime
    closes: datetime
    length: int
    first: Direction
    contacts: tuple[str, ...]
    meeting: int | None
    subject: str
    exact: bool = False  # the opener's time is already chosen (thank-you, missed-you, OOO)
    answered: bool = True
    keep: bool = False  # never dropped by the cap (the email that opens the deal)


def plan_mail(env: Env, deal: Deal, drafts: list[Draft]) -> list[Mail]:
    """Every email of the deal, in time order, threads numbered by their first message."""
    rng = deal.rng("mail")
    specs = _meeting_threads(deal, drafts, rng) + _story_threads(deal, drafts, rng)
    out: list[Mail] = []
    for number, spec in enumerate(specs):
        out += _write(env, deal, spec, number, deal.rng("thread", str(number)))
    out = _within_cap(env, deal, specs, out)
    last = max([m.sent_at for m in out] + [d.start for d in drafts if d.guests and d.start <
                deal.anchor_instant], default=deal.opportunity.created_date)  # fmt: skip
    for spec in _nudges(deal, last, rng):
        out += _write(env, deal, spec, len(specs), deal.rng("thread", str(len(specs))))
        specs.append(spec)
    out.sort(key=lambda m: (m.sent_at, m.thread, m.position))
    first_seen: dict[int, int] = {}
    for mail in out:
        first_seen.setdefault(mail.thread, len(first_seen))
    return [_renumber(m, first_seen[m.thread]) for m in out]


_DROP_ORDER = ("question", "scheduling", "nudge", "request", "proposal", "negotiation",
               "follow_up")  # fmt: skip


def _within_cap(env: Env, deal: Deal, specs: list[_Thread], out: list[Mail]) -> list[Mail]:
    """At most `emails.max` emails per 30 days of story: whole threads go, least telling first."""
    months = max(1.0, (deal.story.end - deal.story.start).days / 30)
    cap = max(env.settings.emails.min, round(env.settings.emails.max * months))
    sizes = Counter(m.thread for m in out)
    total = len(out)
    dropped: set[int] = set()
    for purpose in _DROP_ORDER:
        for number in reversed(range(len(specs))):
            if total <= cap:
                return [m for m in out if m.thread not in dropped]
            if specs[number].purpose == purpose and sizes[number] and not specs[number].keep:
                dropped.add(number)
                total -= sizes[number]
    return [m for m in out if m.thread not in dropped]


def _renumber(mail: Mail, thread: int) -> Mail:
    return Mail(**{**mail.__dict__, "thread": thread})


def _meeting_threads(deal: Deal, drafts: list[Draft], rng: random.Random) -> list[_Thread]:
    specs: list[_Thread] = []
    for index, d in enumerate(drafts):
        if d.guests:
            first_touch = not any(x.guests for x in drafts[:index])
            specs += _before_meeting(deal, d, index, first_touch, rng)
            specs += _after_meeting(deal, d, index, rng)
    return specs


def _before_meeting(
    deal: Deal, d: Draft, index: int, first_touch: bool, rng: random.Random
) -> list[_Thread]:
    """The thread that set the meeting up (always for a first meeting), and any that moved it."""
    opp = deal.opportunity
    specs: list[_Thread] = []
    original = d.moved_from or d.start
    if first_touch or (rng.random() < 0.6 and not d.subject.startswith("Rebooked")):
        created = opp.created_date
        opens = max(original - timedelta(days=rng.uniform(1.5, 7.0)), created)
        if first_touch:  # the deal starts with the email that set up its first meeting
            soon = created + timedelta(hours=rng.uniform(2, 36))
            opens = min(soon, original - timedelta(hours=3))
        first: Direction = "inbound" if rng.random() < 0.35 else "outbound"
        purpose = "request" if first == "inbound" and index == 0 else "scheduling"
        # the seller organises every meeting, so only the seller's thread opens "Invitation:"
        bank = "scheduling_in" if purpose == "scheduling" and first == "inbound" else purpose
        subject = thread_subject(bank, opp.account, opp.name, d.subject, rng)
        closes = original - timedelta(hours=2)
        length = rng.choice((2, 2, 3))
        specs.append(
            _Thread(purpose, opens, closes, length, first, d.guests, index, subject,
                    keep=first_touch)
        )  # fmt: skip
    if d.moved_from is not None:
        opens = d.moved_from - timedelta(hours=rng.uniform(5, 30))
        first = "inbound" if rng.random() < 0.6 else "outbound"
        subject = thread_subject("reschedule", opp.account, opp.name, d.subject, rng)
        specs.append(_Thread("reschedule", opens, d.moved_from, 2, first, d.guests, index, subject))
    return specs


def _after_meeting(deal: Deal, d: Draft, index: int, rng: random.Random) -> list[_Thread]:
    """The same-day thank-you after a held meeting, the "missed you" after a no-show."""
    opp = deal.opportunity
    specs: list[_Thread] = []
    end = d.start + timedelta(minutes=d.minutes)
    if d.status == "held" and rng.random() < 0.85:
        after = end + timedelta(minutes=rng.uniform(8, 150), seconds=rng.uniform(0, 59))
        if after.astimezone(deal.seller.zone).time() > time(21, 0):
            after = end + timedelta(minutes=rng.uniform(5, 25), seconds=rng.uniform(0, 59))
        subject = thread_subject("follow_up", opp.account, opp.name, d.subject, rng)
        length = rng.choice((1, 2, 2, 3))
        specs.append(
            _Thread("follow_up", after, after + timedelta(days=10), length, "outbound",
                    d.guests[:3], index, subject, exact=True)
        )  # fmt: skip
    if d.status == "no_show":
        after = d.start + timedelta(minutes=rng.uniform(12, 60), seconds=rng.uniform(0, 59))
        subject = thread_subject("no_show", opp.account, opp.name, d.subject, rng)
        specs.append(
            _Thread("no_show", after, after + timedelta(days=6), 2, "outbound", d.guests[:1],
                    index, subject, exact=True, answered=rng.random() < 0.7)
        )  # fmt: skip
    return specs


def _story_threads(deal: Deal, drafts: list[Draft], rng: random.Random) -> list[_Thread]:
    """The customer's questions, the proposal and the redlines, and a fading deal's nudges."""
    story, opp = deal.story, deal.opportunity
    start = deal.day_start(story.start) + timedelta(hours=8)
    end = deal.anchor_instant if opp.is_won else min(deal.anchor_instant, deal.close_end())
    if (end - start).total_seconds() <= 3600:
        return []
    specs = _questions(deal, start, end, rng)
    specs += _paperwork(deal, drafts, end, rng)
    return specs


def _nudges(deal: Deal, after: datetime, rng: random.Random) -> list[_Thread]:
    """A fading deal ends on one or two follow-ups nobody answers, after everything else."""
    story, opp = deal.story, deal.opportunity
    end = deal.anchor_instant if opp.is_won else min(deal.anchor_instant, deal.close_end())
    if story.fade_from is None:
        return []
    moment = max(after, deal.day_start(story.fade_from)) + timedelta(days=rng.uniform(4, 9))
    specs = []
    for n in range(rng.randint(1, 2)):
        when = moment + timedelta(days=8 * n)
        if when < end:
            subject = thread_subject("nudge", opp.account, opp.name, opp.name, rng)
            specs.append(
                _Thread("nudge", when, end, 1, "outbound", (deal.committee.lead.id,), None,
                        subject, answered=False)
            )  # fmt: skip
    if not specs and deal.story.outcome == "lost" and after < end:  # one last try before the close
        subject = thread_subject("nudge", opp.account, opp.name, opp.name, rng)
        when = after + (end - after) / 2
        specs.append(_Thread("nudge", when, end, 1, "outbound", (deal.committee.lead.id,), None,
                             subject, answered=False))  # fmt: skip
    return specs


def _questions(deal: Deal, start: datetime, end: datetime, rng: random.Random) -> list[_Thread]:
    """About one customer question every 45 days, never in a silence or a fade."""
    story, opp = deal.story, deal.opportunity
    span = (end - start).total_seconds()
    specs: list[_Thread] = []
    for _ in range(max(1, round(span / 86400 / 45))):
        moment = start + timedelta(seconds=rng.uniform(0, span))
        if story.gap and story.gap[0] <= deal.local_day(moment) <= story.gap[1]:
            continue
        if story.fade_from and deal.local_day(moment) >= story.fade_from:
            continue
        subject = thread_subject("question", opp.account, opp.name, opp.name, rng)
        who = (deal.committee.lead.id, *deal.committee.known_ids()[1:3])
        length = rng.choice((2, 3, 4))
        specs.append(_Thread("question", moment, end, length, "inbound", who, None, subject))
    return specs


def _paperwork(deal: Deal, drafts: list[Draft], end: datetime, rng: random.Random) -> list[_Thread]:
    """The proposal after its walkthrough; the customer's redlines after the negotiation."""
    opp = deal.opportunity
    kinds = {d.kind: d for d in drafts}
    specs: list[_Thread] = []
    steps: tuple[tuple[str, Direction], ...] = (
        ("proposal", "outbound"),
        ("negotiation", "inbound"),
    )
    for kind, first in steps:
        meeting = kinds.get(kind)
        if meeting is None or meeting.start >= end:
            continue
        opens = meeting.start + timedelta(days=rng.uniform(0.2, 3.0))
        subject = thread_subject(kind, opp.account, opp.name, opp.name, rng)
        length = rng.choice((2, 3, 4))
        index = drafts.index(meeting)
        specs.append(_Thread(kind, opens, end, length, first, meeting.guests, index, subject))
    return specs


def _write(env: Env, deal: Deal, spec: _Thread, number: int, rng: random.Random) -> list[Mail]:
    out: list[Mail] = []
    direction = spec.first
    moment: datetime | None = spec.opens
    limit = min(spec.closes, deal.anchor_instant)
    if not deal.opportunity.is_won:  # nothing after the close but a won deal's onboarding
        limit = min(limit, deal.close_end())
    length = spec.length if spec.answered else 1
    mess = env.settings.messiness
    for position in range(length):
        sender = _person(deal, env, direction, spec, out, rng)
        if position == 0 and not spec.exact:
            hours = env.business
            if rng.random() < env.settings.after_hours_email_share:
                hours = rng.choice(((time(6, 30), time(8, 0)), (time(18, 0), time(21, 30))))
            moment = _opening(spec.opens, sender, rng, hours)
        elif position > 0:
            moment = _answering(env, out[-1].sent_at, reply_delay(rng, spec), sender, rng)
            if _owes_answer(spec, position) and (moment is None or moment >= limit):
                moment = _prompt(out[-1].sent_at, sender, rng)
        moment = _when_free(env, sender, moment, rng)
        last = _answer_limit(deal, spec, limit) if _owes_answer(spec, position) else limit
        if moment is None or moment >= last or moment < deal.opportunity.created_date:
            break
        out.append(_mail(deal, env, spec, number, position, moment, direction, sender, out, rng))
        if direction == "outbound" and rng.random() < mess.out_of_office_share and out[-1].to:
            auto = moment + timedelta(seconds=rng.uniform(20, 240))
            if auto < limit:
                out.append(_ooo(deal, spec, number, len(out), auto, out[-1].to[0]))
        direction = "inbound" if direction == "outbound" else "outbound"
    return [Mail(**{**m.__dict__, "position": i}) for i, m in enumerate(out)]


def _owes_answer(spec: _Thread, position: int) -> bool:
    """The seller's answer to a customer who asked for a meeting: it comes before the meeting
    (a slow reply is a quick one here), or the meeting would happen on an unanswered ask."""
    return position == 1 and spec.first == "inbound" and spec.purpose in ("scheduling", "request")


def _prompt(after: datetime, seller: Person, rng: random.Random) -> datetime | None:
    """The seller's prompt answer to a customer's ask: within the hour, or first thing on their
    next working morning (early, before the meeting) when the ask came in their night."""
    moment = after + timedelta(minutes=rng.uniform(6, 50), seconds=rng.uniform(0, 59))
    for offset in range(10):
        day = moment.astimezone(seller.zone).date() + timedelta(days=offset)
        if not is_working_day(seller.country, day):
            continue
        low = datetime.combine(day, _WAKING[0], tzinfo=seller.zone)
        high = datetime.combine(day, _WAKING[1], tzinfo=seller.zone)
        if low <= moment < high:
            return moment
        if moment < low:
            return low + timedelta(minutes=rng.uniform(5, 40), seconds=rng.uniform(0, 59))
    return None


def _answer_limit(deal: Deal, spec: _Thread, limit: datetime) -> datetime:
    """The seller's answer to an ask may come up to a quarter of an hour before the meeting
    (a scheduling thread otherwise closes two hours before it), never after today or the close."""
    late = spec.closes + timedelta(minutes=105)
    late = min(late, deal.anchor_instant)
    return min(late, deal.close_end()) if not deal.opportunity.is_won else late


def _when_free(
    env: Env, sender: Person, moment: datetime | None, rng: random.Random
) -> datetime | None:
    """`moment`, or a few minutes after the meeting or call the sender is in then: nobody writes
    email from inside their own meeting (every deal's meetings are booked before any mail)."""
    for _ in range(8):
        if moment is None:
            return None
        busy = env.book.busy_until(sender.id, moment)
        if busy is None:
            return moment
        moment = busy + timedelta(minutes=rng.uniform(3, 20), seconds=rng.uniform(0, 59))
    return None


def reply_delay(rng: random.Random, spec: _Thread | None = None) -> timedelta:
    """Heavy-tailed: ~55% within minutes to an hour, ~30% hours, ~15% one to four days."""
    roll = rng.random()
    slow = spec is not None and spec.purpose == "nudge"
    if roll < 0.55 and not slow:
        minutes = rng.lognormvariate(math.log(14), 0.9)
    elif roll < 0.85:
        minutes = rng.lognormvariate(math.log(240), 0.8)
    else:
        minutes = rng.uniform(1440, 5760)
    return timedelta(minutes=max(1.5, minutes), seconds=rng.uniform(0, 59))


def _person(
    deal: Deal, env: Env, direction: Direction, spec: _Thread, out: list[Mail], rng: random.Random
) -> Person:
    if direction == "outbound":
        return deal.seller
    if out and out[-1].to and rng.random() < 0.3:
        return deal.people[rng.choice(out[-1].to)]
    return deal.people[spec.contacts[0]]


def _opening(
    moment: datetime, person: Person, rng: random.Random, hours: tuple[time, time] = _OPENING
) -> datetime | None:
    """The first working-day moment at or after `moment` within `hours` of the sender's day."""
    for offset in range(10):
        local = moment.astimezone(person.zone)
        day = local.date() + timedelta(days=offset)
        if not is_working_day(person.country, day):
            continue
        low = datetime.combine(day, hours[0], tzinfo=person.zone)
        high = datetime.combine(day, hours[1], tzinfo=person.zone)
        if offset == 0 and low <= moment < high:
            return moment + timedelta(seconds=rng.uniform(0, 59))
        if moment < low:
            span = (high - low).total_seconds()
            return low + timedelta(seconds=rng.uniform(0, span))
    return None


def email_hours(business: tuple[time, time]) -> tuple[time, time]:
    """The hours people answer email in: their business hours and an hour either side."""

    def shift(clock: time, minutes: int) -> time:
        at = min(24 * 60 - 1, max(0, clock.hour * 60 + clock.minute + minutes))
        return time(at // 60, at % 60)

    return shift(business[0], -60), shift(business[1], 60)


def _answering(
    env: Env, after: datetime, delay: timedelta, person: Person, rng: random.Random
) -> datetime | None:
    """When `person` answers an email sent at `after` that they would answer `delay` later: then,
    if it falls in their business hours on one of their working days (or, with
    `after_hours_email_share`, early or late that day); before they leave, if it came in that
    working day; else their next working morning. Nobody answers on a weekend or a holiday."""
    moment = after + delay
    local = moment.astimezone(person.zone)
    opens, closes = email_hours(env.business)
    working = is_working_day(person.country, local.date())
    if working and opens <= local.time() <= closes:
        return moment
    late = rng.random() < env.settings.after_hours_email_share
    if working and late and _WAKING[0] <= local.time() <= _WAKING[1]:
        return moment
    leave = datetime.combine(local.date(), closes, tzinfo=person.zone)
    arrived = after.astimezone(person.zone)
    if working and arrived.date() == local.date() and arrived < leave - timedelta(minutes=4):
        first = max(arrived + timedelta(minutes=2), leave - timedelta(minutes=75))
        return first + timedelta(seconds=rng.uniform(0, (leave - first).total_seconds()))
    for offset in range(0 if local.time() < opens else 1, 10):
        day = local.date() + timedelta(days=offset)
        if is_working_day(person.country, day):
            low = datetime.combine(day, opens, tzinfo=person.zone) + timedelta(minutes=5)
            span = (datetime.combine(day, closes, tzinfo=person.zone) - low).total_seconds()
            return low + timedelta(seconds=rng.uniform(0, min(span, 3.5 * 3600)))
    return None


def _mail(
    deal: Deal,
    env: Env,
    spec: _Thread,
    number: int,
    position: int,
    moment: datetime,
    direction: Direction,
    sender: Person,
    out: list[Mail],
    rng: random.Random,
) -> Mail:
    cc_contacts: tuple[str, ...] = ()
    cc_users: tuple[str, ...] = ()
    if direction == "outbound":
        previous = next((m.sender for m in reversed(out) if m.sender), None)
        to = (previous,) if previous else spec.contacts[:2]
        others = [c for c in spec.contacts if c not in to]
        if position == 0 and rng.random() < 0.3:
            fresh = deal.committee.introduce(rng)
            others += [fresh] if fresh else []
        cc_contacts = tuple(others[:2]) if rng.random() < 0.5 else ()
        mates = [u.id for u in deal.team.by_role.values()]
        if mates and rng.random() < 0.25:
            cc_users = (rng.choice(mates),)
        found: str | None = None
    else:
        to, found = (), sender.id
        others = [c for c in spec.contacts if c != sender.id]
        cc_contacts = tuple(others[:1]) if others and rng.random() < 0.3 else ()
    subject = spec.subject if position == 0 else f"Re: {spec.subject}"
    return Mail(
        number,
        position,
        subject,
        moment.astimezone(UTC),
        direction,
        found,
        to,
        cc_contacts,
        cc_users,
        spec.meeting,
        spec.purpose,
        deal.story.stage_on(deal.local_day(moment)),
    )


def _ooo(deal: Deal, spec: _Thread, number: int, position: int, at: datetime, who: str) -> Mail:
    return Mail(
        number,
        position,
        f"Automatic reply: {spec.subject}",
        at.astimezone(UTC),
        "inbound",
        who,
        (),
        (),
        (),
        spec.meeting,
        "out_of_office",
        deal.story.stage_on(deal.local_day(at)),
    )
