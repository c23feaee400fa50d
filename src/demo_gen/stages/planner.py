"""The planner: opportunities + the org's people and Events + settings + anchors → Plan.

Pure, seeded, deterministic. Rules (the parts live in `demo_gen.stages.planning`):
- Whole cycle. Each deal's story runs from its CreatedDate to its close (open deals: to the
  anchor and `future_days` beyond it, never past the close date) and walks the stage path to
  the stage it has reached (`planning.story`); Closed Won adds kickoff and onboarding after the
  close. Every item carries the stage the deal was in on its date.
- One calendar per person. All deals are planned into one shared `Book` (`planning.book`): the
  seller, their colleagues and the contacts are never double-booked, the org's own Events are
  busy time, each seller stays under `seller_daily_max` / `seller_weekly_max`, and in-person
  meetings leave travel time. Deals are placed in a fixed order (CreatedDate, then id).
- The anchor instant is 00:00 of the anchor date in the owner's zone; an item is `past` iff it
  starts before it. Emails, calls and LinkedIn touches are history only.
- Randomness: every stream is `random.Random(f"{seed}/{pack}/{opportunity id}/...")` and an
  item's `content_seed` comes from `Random(f"{seed}/{pack}/{item key}/content")`. Because the
  calendar is shared, adding an opportunity could move another deal's meeting that would have
  collided with it; so a deal written once is pinned (`plan_codec`, kept in the ledger by the
  runner) and passed back in `pinned`: it keeps its plan, booked before any new deal is placed
  (docs/design-departures.md). The same inputs (pins included) always give the same plan.
- Scripted deals (`stories:`) are planned like the rest, then shaped by their script
  (`scripts`), which only takes away and adds emails: the other deals' plans do not change.
- An opportunity without contacts gets no activities (said in `Plan.notes`).
"""

from __future__ import annotations

import pickle
import random
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import MappingProxyType

from demo_gen.config.model import Config
from demo_gen.stages.model import BusyEvent, Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan, Plan, PlannedEmail, PlannedMeeting, PlannedTask
from demo_gen.stages.planning.agenda import Draft, plan_meetings
from demo_gen.stages.planning.book import Book, Caps
from demo_gen.stages.planning.cadence import rank_contacts
from demo_gen.stages.planning.calls import Touch, plan_touches
from demo_gen.stages.planning.context import anchor_instant
from demo_gen.stages.planning.env import Deal, Env
from demo_gen.stages.planning.existing import Anchor, anchors_for, fitting
from demo_gen.stages.planning.mail import Mail, plan_mail
from demo_gen.stages.planning.slots import Person, Rules
from demo_gen.stages.planning.story import build_story
from demo_gen.stages.planning.team import Committee, deal_team
from demo_gen.stages.planning.timezones import contact_place, owner_zone, zone_country
from demo_gen.stages.planning.windows import Windows
from demo_gen.stages.stories.scripts import script_plans


def plan(
    opportunities: Sequence[Opportunity],
    config: Config,
    anchors: Mapping[str, date],
    *,
    users: Sequence[Seller] = (),
    events: Sequence[BusyEvent] = (),
    pinned: Mapping[str, OpportunityPlan] = MappingProxyType({}),
) -> Plan:
    """Same inputs, same plan, on any machine and any PYTHONHASHSEED.

    `anchors` maps every opportunity id to its anchor date; `users` are the org's selling-side
    Users (colleagues), `events` the org's own Events (busy time). A deal in `pinned` keeps that
    plan verbatim (around its current Opportunity); its meetings and calls are booked first, so
    the other deals plan around them.
    """
    done: dict[int, tuple[OpportunityPlan, list[str]]] = {}

    def keep(index: int, op: OpportunityPlan, notes: list[str]) -> None:
        done[index] = op, notes

    plan_each(opportunities, config, anchors, keep, users=users, events=events, pinned=pinned)
    planned = [done[i] for i in range(len(opportunities))]
    scripted, unscripted = script_plans(
        [p for p, _ in planned], config, events, keep=frozenset(pinned)
    )
    return Plan(
        opportunities=tuple(scripted),
        seed=config.run.seed,
        pack=config.run.name,
        notes=tuple(note for _, notes in planned for note in notes) + tuple(unscripted),
        events=tuple(events),
        caps=(config.activity.seller_daily_max, config.activity.seller_weekly_max),
    )


Emit = Callable[[int, OpportunityPlan, list[str]], None]
"""Takes a finished deal: its index in the opportunities, its plan and the planner's notes."""


def plan_each(
    opportunities: Sequence[Opportunity],
    config: Config,
    anchors: Mapping[str, date],
    emit: Emit,
    *,
    users: Sequence[Seller] = (),
    events: Sequence[BusyEvent] = (),
    pinned: Mapping[str, OpportunityPlan] = MappingProxyType({}),
) -> None:
    """`plan` without the stories' scripts, each deal handed to `emit` as soon as it is planned
    (pinned deals first, then the others in CreatedDate-then-id order) and not kept: what is
    held across deals is the shared calendar and, until its mail is planned, each deal's
    meetings and calls. `plan` collects these very deals."""
    env = _env(config, users, events)
    order = sorted(
        range(len(opportunities)),
        key=lambda i: (opportunities[i].created_date, opportunities[i].id),
    )
    fresh = []
    for i in order:
        kept = pinned.get(opportunities[i].id)
        if kept is None:
            fresh.append(i)
            continue
        op = replace(kept, opportunity=opportunities[i])
        _book_pinned(env.book, op)
        emit(i, op, [])
    on_deals: dict[str, list[BusyEvent]] = {}
    for event in events:
        on_deals.setdefault(event.what_id or "", []).append(event)
    calendars: dict[int, bytes] = {}
    for i in fresh:  # every deal's meetings and calls first: the mail plans around all of them
        opp = opportunities[i]
        marks = anchors_for(opp.id, on_deals.get(opp.id, ()))
        calendars[i] = _pack(_calendar(env, opp, config, anchors[opp.id], marks))
    for i in fresh:  # each calendar dropped once its deal is planned: never all of both held
        emit(i, *_plan_one(env, opportunities[i], config, anchors[opportunities[i].id],
                           _unpack(calendars.pop(i))))  # fmt: skip


def _pack(calendar: _Calendar) -> bytes:
    """A deal's calendar held between the passes: pickled and compressed, about 2 KB where the
    objects take 25 (a whole run holds every deal's at once). It reads back equal, its random
    streams where they were."""
    return zlib.compress(pickle.dumps(calendar, pickle.HIGHEST_PROTOCOL), 1)


def _unpack(packed: bytes) -> _Calendar:
    calendar: _Calendar = pickle.loads(zlib.decompress(packed))  # made by _pack just above
    return calendar


def plan_opportunity(opportunity: Opportunity, config: Config, anchor: date) -> OpportunityPlan:
    """The plan of one opportunity planned alone (an empty calendar around it)."""
    return plan([opportunity], config, {opportunity.id: anchor}).opportunities[0]


def _env(config: Config, users: Sequence[Seller], events: Sequence[BusyEvent]) -> Env:
    s = config.activity
    rules = Rules(
        business=(s.business_hours.start, s.business_hours.end),
        seller=(s.seller_hours.start, s.seller_hours.end),
        level=s.realism_level,
    )
    if s.realism_level == "none":
        s = s.model_copy(
            update={
                "messiness": s.messiness.model_copy(
                    update={
                        "no_show_share": 0.0,
                        "reschedule_share": 0.0,
                        "decline_share": 0.0,
                        "tentative_share": 0.0,
                        "out_of_office_share": 0.0,
                        "silent_gap_share": 0.0,
                        "stalled_share": 0.0,
                    }
                )
            }
        )
    book = Book(Caps(daily=s.seller_daily_max, weekly=s.seller_weekly_max))
    for event in sorted(events, key=lambda e: (e.start, e.id)):
        for person in (event.owner_id, event.who_id):
            if person:
                book.block(person, event.start, event.end)
    return Env(s, rules, book, Windows(rules), tuple(sorted(users, key=lambda u: u.id)))


def _book_pinned(book: Book, op: OpportunityPlan) -> None:
    """A pinned deal's meetings and calls in everyone's calendar, as `place` books new ones."""
    zone = owner_zone(op.opportunity)
    for m in op.meetings:
        end = m.start + timedelta(minutes=m.duration_minutes)
        city = op.opportunity.account.id if m.in_person else None
        people = dict.fromkeys((m.organizer_id, *m.invitee_ids, *m.internal_ids))
        book.book(people, m.start, end, city=city)
        day = m.start.astimezone(zone).date()
        for seller in dict.fromkeys((m.organizer_id, *m.internal_ids)):
            book.book([], m.start, end, seller=seller, seller_day=day)
    for t in op.tasks:
        if t.kind == "call":
            book.book([t.owner_id, t.who_id], t.at, t.at + timedelta(seconds=t.duration_seconds))


def _deal(env: Env, opp: Opportunity, config: Config, anchor: date) -> Deal:
    stream = f"{config.run.seed}/{config.run.name}/{opp.id}"
    zone = owner_zone(opp)
    seller = Person(opp.owner.id, zone, zone_country(opp.owner.time_zone))
    people = {}
    for contact in opp.contacts:
        country, contact_zone = contact_place(contact, opp)
        people[contact.id] = Person(contact.id, contact_zone, country)
    ranked = rank_contacts(opp.contacts, env.settings.participant_roles)
    instant = anchor_instant(opp, anchor)
    created = opp.created_date.astimezone(zone).date()
    story = build_story(opp, env.settings, created, anchor, random.Random(f"{stream}/story"))
    size = random.Random(f"{stream}/committee").randint(6, 10)
    return Deal(
        opportunity=opp,
        seller=seller,
        people=people,
        team=deal_team(opp.owner, env.users, random.Random(f"{stream}/team")),
        committee=Committee(ranked, random.Random(f"{stream}/introductions"), size),
        story=story,
        anchor_instant=instant,
        stream=stream,
    )


@dataclass(frozen=True)
class _Calendar:
    """One deal's meetings and calls, booked in everyone's calendar before any mail is planned."""

    deal: Deal | None
    drafts: list[Draft]
    touches: list[Touch]
    notes: list[str]


def _calendar(
    env: Env, opp: Opportunity, config: Config, anchor: date, marks: tuple[Anchor, ...] = ()
) -> _Calendar:
    if not opp.contacts:
        note = f"{opp.id}: no contacts, so no meetings or emails were planned"
        return _Calendar(None, [], [], [note])
    deal = _deal(env, opp, config, anchor)
    deal = replace(deal, anchors=fitting(marks, deal.story, deal.local_day))
    drafts, notes = plan_meetings(env, deal)
    touches = plan_touches(env, deal, drafts)
    return _Calendar(deal, drafts, touches, notes)


def _plan_one(
    env: Env, opp: Opportunity, config: Config, anchor: date, booked: _Calendar
) -> tuple[OpportunityPlan, list[str]]:
    deal = booked.deal
    if deal is None:
        return OpportunityPlan(opp, anchor, (), ()), booked.notes
    mails = plan_mail(env, deal, booked.drafts)
    meetings = _meetings(deal, config, booked.drafts)
    emails = _emails(deal, config, mails, meetings)
    tasks = _tasks(deal, config, booked.touches)
    used = tuple(a.id for a in deal.anchors)
    team = tuple(sorted((replace(u, role=r) for r, u in deal.team.by_role.items()), key=_id))
    plan = OpportunityPlan(
        opp, anchor, tuple(meetings), tuple(emails), tuple(tasks), used, team=team
    )
    return plan, booked.notes


def _id(user: Seller) -> str:
    return user.id


def _content_seed(config: Config, key: str) -> int:
    return random.Random(f"{config.run.seed}/{config.run.name}/{key}/content").getrandbits(32)


def _meetings(deal: Deal, config: Config, drafts: list[Draft]) -> list[PlannedMeeting]:
    out = []
    opp = deal.opportunity
    for seq, d in enumerate(drafts, start=1):
        key = f"{opp.id}/meeting/{seq}"
        out.append(
            PlannedMeeting(
                key=key,
                opportunity_id=opp.id,
                seq=seq,
                meeting_type=d.kind,
                subject=d.subject,
                start=d.start,
                duration_minutes=d.minutes,
                location=d.location,
                past=d.start < deal.anchor_instant,
                organizer_id=opp.owner.id,
                primary_contact_id=d.guests[0] if d.guests else None,
                invitee_ids=d.guests,
                stage=d.stage,
                content_seed=_content_seed(config, key),
                internal_ids=d.colleagues,
                status=d.status,
                rescheduled_from=d.moved_from,
                responses=d.responses,
                in_person=d.in_person,
            )
        )
    return out


def _emails(
    deal: Deal, config: Config, mails: list[Mail], meetings: list[PlannedMeeting]
) -> list[PlannedEmail]:
    opp = deal.opportunity
    keys = [f"{opp.id}/email/{seq}" for seq in range(1, len(mails) + 1)]
    by_position = {(m.thread, m.position): key for m, key in zip(mails, keys, strict=True)}
    out = []
    for seq, (m, key) in enumerate(zip(mails, keys, strict=True), start=1):
        out.append(
            PlannedEmail(
                key=key,
                opportunity_id=opp.id,
                seq=seq,
                thread_key=by_position[(m.thread, 0)],
                subject=m.subject,
                sent_at=m.sent_at,
                direction=m.direction,
                from_contact_id=m.sender,
                to_contact_ids=m.to,
                meeting_key=meetings[m.meeting].key if m.meeting is not None else None,
                in_reply_to=by_position.get((m.thread, m.position - 1)),
                purpose=m.purpose,
                content_seed=_content_seed(config, key),
                cc_contact_ids=m.cc_contacts,
                cc_user_ids=m.cc_users,
                stage=m.stage,
            )
        )
    return out


def _tasks(deal: Deal, config: Config, touches: list[Touch]) -> list[PlannedTask]:
    opp = deal.opportunity
    out = []
    for seq, t in enumerate(touches, start=1):
        key = f"{opp.id}/{t.kind}/{seq}"
        subject = _task_subject(t, deal)
        out.append(
            PlannedTask(
                key=key,
                opportunity_id=opp.id,
                seq=seq,
                kind=t.kind,
                subject=subject,
                at=t.at,
                who_id=t.who,
                owner_id=opp.owner.id,
                duration_seconds=t.seconds,
                call_type=t.call_type,
                disposition=t.disposition,
                stage=t.stage,
                purpose=t.purpose,
                past=t.at < deal.anchor_instant,
                content_seed=_content_seed(config, key),
            )
        )
    return out


def _task_subject(touch: Touch, deal: Deal) -> str:
    name = next((c.name for c in deal.opportunity.contacts if c.id == touch.who), "contact")
    if touch.kind == "linkedin":
        verb = "Connection request" if touch.purpose == "connection_request" else "Message"
        return f"LinkedIn: {verb} — {name}"
    label = {
        "Connected": "Call",
        "Left voicemail": "Call (voicemail)",
        "No answer": "Call (no answer)",
    }
    return f"{label.get(touch.disposition, 'Call')}: {name}"


def shared_env(config: Config, users: Sequence[Seller], events: Sequence[BusyEvent]) -> Env:
    """The calendar every deal shares, before any deal is booked (`planning.ahead` uses it)."""
    return _env(config, users, events)


def book_plan(book: Book, op: OpportunityPlan) -> None:
    """Book a planned deal's meetings and calls in everyone's calendar."""
    _book_pinned(book, op)


def content_seed(config: Config, key: str) -> int:
    """The content seed of the plan item `key`."""
    return _content_seed(config, key)
