"""One deal as the page draws it: lanes of people, marks placed on a time axis, the activity list.

Pure: an `OpportunityPlan` (with the texts and the deal's scorecards) in, plain frozen values with
SVG coordinates out; the Jinja templates only print them. Times are shown in the seller's zone;
each attendee's own local time is in the activity's detail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from demo_gen.stages.model import Seller
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting, PlannedTask
from demo_gen.stages.planning.timezones import contact_place, owner_zone
from demo_gen.stages.timeline import script_line, script_marks

WIDTH = 1400
LEFT = 230  # the lane labels
TOP = 60  # stage labels (three rows) and month ticks
LANE = 26
NEAR_CLOSE = timedelta(days=21)
THREAD_COLOURS = ("#2563eb", "#0d9488", "#9333ea", "#ea580c", "#0891b2", "#65a30d", "#db2777")


@dataclass(frozen=True)
class Lane:
    person_id: str
    label: str
    detail: str  # title, or "seller" / "colleague"
    side: str  # seller | colleague | customer
    y: float


@dataclass(frozen=True)
class Mark:
    """One activity on the chart: `shape` is meeting | email | call | linkedin."""

    anchor: str
    shape: str
    x: float
    width: float
    ys: tuple[float, ...]  # the lanes it touches (meeting: every attendee; email: from, to)
    colour: str
    status: str
    tip: str
    script: str = ""  # what the deal's script did here (dry-run's `<<<`), "" when unscripted


@dataclass(frozen=True)
class Rule:
    """A vertical line across the lanes: a stage change, the close date or the run's anchor."""

    x: float
    label: str
    kind: str  # stage | close | today


@dataclass(frozen=True)
class Activity:
    anchor: str
    kind: str
    when: str  # seller's local time
    subject: str
    stage: str
    people: str
    local_times: str  # each customer's own local time, where it differs
    status: str
    text: str
    thread: str
    script: str = ""  # as Mark.script


@dataclass(frozen=True)
class DealView:
    number: int
    anchor: str
    opportunity_id: str
    name: str
    account: str
    stage: str
    amount: float | None
    close: str
    close_iso: str
    owner: str
    zone: str
    lanes: tuple[Lane, ...]
    marks: tuple[Mark, ...]
    rules: tuple[Rule, ...]
    ticks: tuple[tuple[float, str], ...]
    height: float
    width: float
    activities: tuple[Activity, ...]
    cards: tuple[dict[str, Any], ...]  # scorecards, each answer's evidence as (anchor, label)
    counts: dict[str, int]
    score: float | None
    script: str = ""  # "scripted (demo.yaml:41): what the script says", "" when unscripted


def deal_view(
    number: int,
    op: OpportunityPlan,
    texts: Mapping[str, str],
    users: Sequence[Seller],
    cards: Sequence[Mapping[str, Any]],
) -> DealView:
    """The drawing of deal `number` (its anchors start with `d{number}-`)."""
    opp, zone = op.opportunity, owner_zone(op.opportunity)
    lanes = _lanes(op, users)
    ys = {lane.person_id: lane.y for lane in lanes}
    start, end = _span(op)
    scale = _Scale(start, end)
    names = _names(op, users)
    prefix = f"d{number}-"
    marks = [
        *(_meeting_mark(prefix, m, ys, scale, names) for m in op.meetings),
        *(_email_mark(prefix, e, op, ys, scale, names) for e in op.emails),
        *(_task_mark(prefix, t, ys, scale, names) for t in op.tasks),
    ]
    activities = sorted(_activities(prefix, op, zone, names, texts), key=lambda a: a[0])
    rules = _rules(op, scale, zone)
    notes = {anchor_of(prefix, key): what for key, what in script_marks(op).items()}
    return DealView(
        number=number,
        anchor=f"deal-{number}",
        opportunity_id=opp.id,
        name=opp.name,
        account=opp.account.name,
        stage=opp.stage,
        amount=opp.amount,
        close=f"{opp.close_date:%d %b %Y}",
        close_iso=opp.close_date.isoformat(),
        owner=opp.owner.name,
        zone=opp.owner.time_zone,
        lanes=tuple(lanes),
        marks=tuple(replace(m, script=notes.get(m.anchor, "")) for m in marks if m is not None),
        rules=rules,
        ticks=_ticks(scale, zone),
        height=TOP + LANE * len(lanes) + 12,
        width=WIDTH,
        activities=tuple(replace(a, script=notes.get(a.anchor, "")) for _, a in activities),
        cards=tuple(_card(prefix, c, op) for c in cards),
        counts={"meetings": len(op.meetings), "emails": len(op.emails), "calls": len(op.tasks)},
        score=max((float(c["score"]) for c in cards), default=None),
        script=script_line(op),
    )


def anchor_of(prefix: str, key: str) -> str:
    """The HTML id of a plan item: "006…/meeting/3" → "d4-meeting-3"."""
    return prefix + re.sub(r"[^A-Za-z0-9]+", "-", key.split("/", 1)[-1]).strip("-")


class _Scale:
    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = start
        self.seconds = max((end - start).total_seconds(), 3600.0)

    def x(self, at: datetime) -> float:
        share = (at - self.start).total_seconds() / self.seconds
        return round(LEFT + share * (WIDTH - LEFT - 16))

    def covers(self, at: datetime) -> bool:
        return 0 <= (at - self.start).total_seconds() <= self.seconds

    def width(self, minutes: int) -> float:
        return max(7.0, round(minutes * 60 / self.seconds * (WIDTH - LEFT - 16), 1))


def _span(op: OpportunityPlan) -> tuple[datetime, datetime]:
    """From the first record to the last (or today); the close date only when it is near: a
    close months ahead would squeeze the whole story into the left of the axis."""
    opp, zone = op.opportunity, owner_zone(op.opportunity)
    moments = [m.start for m in op.meetings] + [e.sent_at for e in op.emails]
    moments += [t.at for t in op.tasks] + [opp.created_date]
    today = datetime.combine(op.anchor, time(12), tzinfo=zone)
    start = min(moments) - timedelta(days=2)
    end = max([*moments, today]) + timedelta(days=3)
    close = datetime.combine(opp.close_date, time(12), tzinfo=zone)
    if end < close <= end + NEAR_CLOSE:
        end = close + timedelta(days=3)
    return start, end


def _names(op: OpportunityPlan, users: Iterable[Seller]) -> dict[str, str]:
    out = {u.id: u.name for u in users}
    out[op.opportunity.owner.id] = op.opportunity.owner.name
    out.update({c.id: c.name for c in op.opportunity.contacts})
    return out


def _lanes(op: OpportunityPlan, users: Sequence[Seller]) -> list[Lane]:
    """Seller first, then colleagues, then customers, each in order of first appearance."""
    owner = op.opportunity.owner
    colleagues: dict[str, None] = {}
    customers: dict[str, None] = {}
    for m in sorted(op.meetings, key=lambda m: m.start):
        colleagues.update(dict.fromkeys(i for i in m.internal_ids if i != owner.id))
        customers.update(dict.fromkeys(m.invitee_ids))
    for e in sorted(op.emails, key=lambda e: e.sent_at):
        colleagues.update(dict.fromkeys(e.cc_user_ids))
        ids = (e.from_contact_id,) if e.from_contact_id else ()
        customers.update(dict.fromkeys((*ids, *e.to_contact_ids, *e.cc_contact_ids)))
    customers.update(dict.fromkeys(t.who_id for t in sorted(op.tasks, key=lambda t: t.at)))
    by_id = {u.id: u for u in users}
    contacts = {c.id: c for c in op.opportunity.contacts}
    rows = [(owner.id, owner.name, owner.title or "Account Executive", "seller")]
    for uid in colleagues:
        user = by_id.get(uid)
        rows.append(
            (uid, user.name if user else uid, (user.title if user else "") or "", "colleague")
        )
    for cid in customers:
        contact = contacts.get(cid)
        if contact is not None:
            rows.append((cid, contact.name, contact.title or "", "customer"))
    return [
        Lane(pid, name, detail, side, TOP + LANE * n + LANE // 2)
        for n, (pid, name, detail, side) in enumerate(rows)
    ]


def _meeting_mark(
    prefix: str,
    m: PlannedMeeting,
    ys: Mapping[str, float],
    scale: _Scale,
    names: Mapping[str, str],
) -> Mark | None:
    lanes = tuple(
        sorted({ys[p] for p in (m.organizer_id, *m.internal_ids, *m.invitee_ids) if p in ys})
    )
    if not lanes:
        return None
    who = ", ".join(names.get(p, p) for p in (*m.invitee_ids, *m.internal_ids))
    colour = "#475569" if m.internal else "#1d4ed8"
    tip = f"{m.subject} · {m.duration_minutes} min · {m.status}\n{who}"
    return Mark(anchor_of(prefix, m.key), "meeting", scale.x(m.start),
                scale.width(m.duration_minutes), lanes, colour, m.status, tip.strip())  # fmt: skip


def _email_mark(
    prefix: str,
    e: PlannedEmail,
    op: OpportunityPlan,
    ys: Mapping[str, float],
    scale: _Scale,
    names: Mapping[str, str],
) -> Mark | None:
    owner = op.opportunity.owner.id
    sender = e.from_contact_id if e.direction == "inbound" else owner
    receivers = (owner,) if e.direction == "inbound" else e.to_contact_ids
    to_y = next((ys[r] for r in receivers if r in ys), None)
    if sender not in ys or to_y is None:
        return None
    colour = THREAD_COLOURS[_thread_number(op, e.thread_key) % len(THREAD_COLOURS)]
    names_to = ", ".join(names.get(r, r) for r in receivers)
    tip = f"{e.subject}\n{names.get(sender or '', '')} → {names_to}"
    return Mark(anchor_of(prefix, e.key), "email", scale.x(e.sent_at), 0.0,
                (ys[sender or owner], to_y), colour, e.direction, tip.strip())  # fmt: skip


def _task_mark(
    prefix: str, t: PlannedTask, ys: Mapping[str, float], scale: _Scale, names: Mapping[str, str]
) -> Mark | None:
    if t.who_id not in ys:
        return None
    lanes = tuple(sorted({ys[t.who_id], *(ys[p] for p in (t.owner_id,) if p in ys)}))
    detail = f"{t.disposition}, {t.duration_seconds // 60} min" if t.kind == "call" else "LinkedIn"
    tip = f"{t.subject} · {detail}\n{names.get(t.who_id, t.who_id)}"
    return Mark(anchor_of(prefix, t.key), t.kind, scale.x(t.at), 0.0, lanes, "#b45309",
                t.disposition, tip)  # fmt: skip


def _thread_number(op: OpportunityPlan, thread_key: str) -> int:
    firsts = list(dict.fromkeys(e.thread_key for e in op.emails))
    return firsts.index(thread_key)


def _rules(op: OpportunityPlan, scale: _Scale, zone: ZoneInfo) -> tuple[Rule, ...]:
    """Where the deal first shows each stage, then the close date and the run's anchor."""
    dated = [(m.start, m.stage) for m in op.meetings] + [(e.sent_at, e.stage) for e in op.emails]
    dated += [(t.at, t.stage) for t in op.tasks]
    rules: list[Rule] = []
    seen: set[str] = set()
    for at, stage in sorted(dated):
        if stage and stage not in seen:
            seen.add(stage)
            rules.append(Rule(scale.x(at), stage, "stage"))
    close = datetime.combine(op.opportunity.close_date, time(12), tzinfo=zone)
    if scale.covers(close):
        rules.append(Rule(scale.x(close), f"close {op.opportunity.close_date:%d %b}", "close"))
    else:  # beyond the axis: said at its right edge
        label = f"close {op.opportunity.close_date:%d %b %Y} →"
        rules.append(Rule(WIDTH - 4, label, "close-later"))
    rules.append(
        Rule(scale.x(datetime.combine(op.anchor, time(12), tzinfo=zone)), "today", "today")
    )
    return tuple(rules)


def _ticks(scale: _Scale, zone: ZoneInfo) -> tuple[tuple[float, str], ...]:
    """The first of each month inside the axis."""
    local = scale.start.astimezone(zone)
    month = datetime(local.year, local.month, 1, tzinfo=zone)
    end = scale.start + timedelta(seconds=scale.seconds)
    ticks = []
    while month <= end:
        if month >= scale.start:
            ticks.append((scale.x(month), f"{month:%b %Y}" if month.month == 1 else f"{month:%b}"))
        month = (month + timedelta(days=32)).replace(day=1)
    return tuple(ticks)


def _activities(
    prefix: str,
    op: OpportunityPlan,
    zone: ZoneInfo,
    names: Mapping[str, str],
    texts: Mapping[str, str],
) -> Iterable[tuple[datetime, Activity]]:
    places = {c.id: contact_place(c, op.opportunity)[1] for c in op.opportunity.contacts}
    for m in op.meetings:
        people = ", ".join(
            names.get(p, p) for p in (m.organizer_id, *m.internal_ids, *m.invitee_ids)
        )
        status = m.status + (" · in person" if m.in_person else "") + (
            f" · moved from {m.rescheduled_from.astimezone(zone):%a %d %b %H:%M}"
            if m.rescheduled_from else "")  # fmt: skip
        yield m.start, Activity(
            anchor_of(prefix, m.key), "meeting", _when(m.start, zone, m.duration_minutes),
            m.subject, m.stage, people, _local_times(m.start, m.invitee_ids, places, names, zone),
            status, texts.get(m.key, ""), "",
        )  # fmt: skip
    owner = op.opportunity.owner.id
    for e in op.emails:
        sender = e.from_contact_id if e.direction == "inbound" else owner
        to = (owner,) if e.direction == "inbound" else e.to_contact_ids
        cc = (*e.cc_contact_ids, *e.cc_user_ids)
        people = f"{names.get(sender or '', '')} → {', '.join(names.get(p, p) for p in to)}"
        people += f" · cc {', '.join(names.get(p, p) for p in cc)}" if cc else ""
        yield e.sent_at, Activity(
            anchor_of(prefix, e.key), "email", _when(e.sent_at, zone), e.subject, e.stage, people,
            "", e.direction, texts.get(e.key, ""), f"thread {_thread_number(op, e.thread_key) + 1}",
        )  # fmt: skip
    for t in op.tasks:
        detail = f"{t.call_type} · {t.disposition} · {t.duration_seconds // 60} min"
        yield t.at, Activity(
            anchor_of(prefix, t.key), t.kind, _when(t.at, zone), t.subject, t.stage,
            names.get(t.who_id, t.who_id), "", detail if t.kind == "call" else "LinkedIn", "", "",
        )  # fmt: skip


def _when(at: datetime, zone: ZoneInfo, minutes: int | None = None) -> str:
    local = at.astimezone(zone)
    if minutes is None:
        return f"{local:%a %d %b %Y %H:%M}"
    return f"{local:%a %d %b %Y %H:%M}–{local + timedelta(minutes=minutes):%H:%M}"


def _local_times(
    start: datetime,
    people: Sequence[str],
    places: Mapping[str, ZoneInfo],
    names: Mapping[str, str],
    seller_zone: ZoneInfo,
) -> str:
    seller = start.astimezone(seller_zone).strftime("%H:%M")
    out = []
    for pid in people:
        zone = places.get(pid)
        local = start.astimezone(zone).strftime("%H:%M") if zone else seller
        if local != seller:
            out.append(f"{names.get(pid, pid)} {local} ({zone})")
    return "; ".join(out)


def _card(prefix: str, card: Mapping[str, Any], op: OpportunityPlan) -> dict[str, Any]:
    """A scorecard with each answer's evidence keys turned into (anchor, label) links."""
    labels = {m.key: f"{m.subject} ({m.start:%d %b})" for m in op.meetings}
    labels.update({e.key: f"{e.subject} ({e.sent_at:%d %b})" for e in op.emails})
    answers = [
        {
            **a,
            "links": [(anchor_of(prefix, k), labels.get(k, k)) for k in a.get("evidence_keys", [])],
        }
        for a in card.get("answers", [])
    ]
    return {**card, "answers": answers}
