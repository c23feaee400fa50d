"""The deal-story half of the realism report: calendars, timing, people and story shape.

Every figure is `{"value": …, "target": …, "ok": bool}` (histograms and counts without a target
are plain values). `double_bookings` counts overlapping pairs in one person's calendar with a
planned meeting or call on at least one side (the org's own Events included as the other side);
clashes among the org's own Events are `org_double_bookings`, not ours to fix. Computed from
the plan alone (plus the org's own Events it carries), so `dry-run` and `run` report the same
numbers. Keys are listed in `story_report`'s body.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from statistics import median
from typing import Any

from demo_gen.stages.model import BusyEvent
from demo_gen.stages.plan import OpportunityPlan, Plan, PlannedEmail, PlannedMeeting
from demo_gen.stages.planning.book import CITY_GAP
from demo_gen.stages.planning.existing import anchors_for, out_of_order
from demo_gen.stages.planning.story import RANK
from demo_gen.stages.planning.timezones import contact_place, owner_zone

_CLOSED = ("closed won", "closed lost")


def figure(value: Any, target: str, ok: bool) -> dict[str, Any]:
    """One measured figure with its target and whether it holds."""
    return {"value": value, "target": target, "ok": bool(ok)}


def story_report(plan: Plan) -> dict[str, Any]:
    """Figures on calendars, timing, people and story shape (module docstring)."""
    meetings = [m for op in plan.opportunities for m in op.meetings]
    out: dict[str, Any] = {}
    out.update(_calendars(plan, meetings))
    out.update(_meeting_timing(plan, meetings))
    out.update(_email_timing(plan))
    out.update(_people(plan, meetings))
    out.update(_shape(plan))
    out.update(_mess(plan, meetings))
    return out


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _attendees(m: PlannedMeeting) -> Iterable[str]:
    return (m.organizer_id, *m.internal_ids, *m.invitee_ids)


def _calendars(plan: Plan, meetings: Sequence[PlannedMeeting]) -> dict[str, Any]:
    spans: dict[str, list[tuple[datetime, datetime, bool]]] = defaultdict(list)
    for m in meetings:
        end = m.start + timedelta(minutes=m.duration_minutes)
        for person in set(_attendees(m)):
            spans[person].append((m.start, end, True))
    for op in plan.opportunities:
        for t in op.tasks:
            if t.kind == "call":
                span = (t.at, t.at + timedelta(seconds=t.duration_seconds), True)
                spans[t.owner_id].append(span)
                spans[t.who_id].append(span)
    for e in plan.events:
        for who in (e.owner_id, e.who_id):
            if who:
                spans[who].append((e.start, e.end, False))
    clashes = {p: _overlaps(s) for p, s in spans.items()}
    ours = sum(c[0] for c in clashes.values())
    daily, weekly = _loads(plan)
    return {
        "double_bookings": figure(ours, "0", ours == 0),
        "double_bookings_worst_person": max((c[0] for c in clashes.values()), default=0),
        "org_double_bookings": sum(c[1] for c in clashes.values()),
        "impossible_travel": figure(_travel(meetings), "0", _travel(meetings) == 0),
        "seller_daily_load_max": figure(daily, f"<= {plan.caps[0]}", daily <= plan.caps[0]),
        "seller_weekly_load_max": figure(weekly, f"<= {plan.caps[1]}", weekly <= plan.caps[1]),
    }


def _overlaps(spans: Iterable[tuple[Any, Any, Any]]) -> tuple[int, int]:
    """(overlapping pairs with a planned item on one side, pairs of the org's own Events), of
    one person's (start, end, planned) spans: datetimes here, integers in `realism_tally`."""
    ours = org = 0
    ordered = sorted(spans)
    for i, (_, end, planned) in enumerate(ordered):
        for later, _, other in ordered[i + 1 :]:
            if later >= end:
                break
            if planned or other:
                ours += 1
            else:
                org += 1
    return ours, org


def _travel(meetings: Sequence[PlannedMeeting]) -> int:
    places: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for m in meetings:
        if m.in_person:
            for person in set(_attendees(m)):
                end = m.start + timedelta(minutes=m.duration_minutes)
                places[person].append((m.start, end, m.location))
    return _travel_count(places, CITY_GAP)


def _travel_count(places: Mapping[str, Iterable[tuple[Any, Any, str]]], gap: Any) -> int:
    """In-person meetings of one person in another place less than `gap` after the last one
    ended, over each person's (start, end, place): datetimes here, integers in
    `realism_tally`."""
    bad = 0
    for found in places.values():
        items = sorted(found)
        for i, (_, end, where) in enumerate(items):
            for start2, _, where2 in items[i + 1 :]:
                if start2 - end >= gap:
                    break
                bad += where2 != where
    return bad


def _loads(plan: Plan) -> tuple[int, int]:
    day: Counter[tuple[str, Any]] = Counter()
    week: Counter[tuple[str, Any]] = Counter()
    for op in plan.opportunities:
        zone = owner_zone(op.opportunity)
        for m in op.meetings:
            local = m.start.astimezone(zone).date()
            day[(m.organizer_id, local)] += 1
            week[(m.organizer_id, local.isocalendar()[:2])] += 1
    return max(day.values(), default=0), max(week.values(), default=0)


def _meeting_timing(plan: Plan, meetings: Sequence[PlannedMeeting]) -> dict[str, Any]:
    weekdays: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    for op in plan.opportunities:
        zone = owner_zone(op.opportunity)
        for m in op.meetings:
            local = m.start.astimezone(zone)
            weekdays[names[local.weekday()]] += 1
            minute = local.minute
            minutes[f":{minute:02d}" if minute in (0, 15, 30, 45) else "other"] += 1
    mon_fri = _ratio(weekdays["Mon"] + weekdays["Fri"], len(meetings))
    return {
        "weekday_histogram": {n: weekdays[n] for n in names},
        "monday_friday_share": figure(mon_fri, "<= 0.35", mon_fri is None or mon_fri <= 0.35),
        "start_minute_histogram": {k: minutes[k] for k in (":00", ":15", ":30", ":45", "other")},
    }


def _email_timing(plan: Plan) -> dict[str, Any]:
    delays: list[float] = []
    hours: Counter[int] = Counter()
    zero = sends = same_day = thanks = 0
    for op in plan.opportunities:
        by_key = {e.key: e for e in op.emails}
        meetings = {m.key: m for m in op.meetings}
        for e in op.emails:
            sends += 1
            zero += e.sent_at.second == 0
            hours[_sender_local(op, e).hour] += 1
            parent = by_key.get(e.in_reply_to or "")
            if parent is not None:
                delays.append((e.sent_at - parent.sent_at).total_seconds() / 3600)
            meeting = meetings.get(e.meeting_key or "")
            if e.purpose == "follow_up" and e.in_reply_to is None and meeting is not None:
                thanks += 1
                zone = owner_zone(op.opportunity)
                same_day += (
                    e.sent_at.astimezone(zone).date() == meeting.start.astimezone(zone).date()
                )
    p50 = round(median(delays), 2) if delays else None
    p90 = round(sorted(delays)[int(0.9 * (len(delays) - 1))], 2) if delays else None
    top = _ratio(max(hours.values(), default=0), sends)
    zeros = _ratio(zero, sends)
    return {
        "reply_delay_hours_p50": figure(p50, "<= 1.5", p50 is not None and p50 <= 1.5),
        "reply_delay_hours_p90": figure(p90, "24–72", p90 is not None and 24 <= p90 <= 72),
        "send_hour_histogram": {f"{h:02d}": hours[h] for h in range(24)},
        "send_hour_max_share": figure(top, "<= 0.2", top is None or top <= 0.2),
        "send_zero_seconds_share": figure(zeros, "< 0.05", zeros is None or zeros < 0.05),
        "thank_you_same_day_share": figure(
            _ratio(same_day, thanks), ">= 0.9", not thanks or same_day / thanks >= 0.9
        ),
    }


def _sender_local(op: OpportunityPlan, e: PlannedEmail) -> datetime:
    if e.direction == "inbound":
        contact = next((c for c in op.opportunity.contacts if c.id == e.from_contact_id), None)
        if contact is not None:
            return e.sent_at.astimezone(contact_place(contact, op.opportunity)[1])
    return e.sent_at.astimezone(owner_zone(op.opportunity))


def _people(plan: Plan, meetings: Sequence[PlannedMeeting]) -> dict[str, Any]:
    customer = [m for m in meetings if m.invitee_ids]
    with_colleague = sum(1 for m in customer if m.internal_ids)
    share = _ratio(with_colleague, len(customer))
    big = wide = threads = customer_started = 0
    for op in plan.opportunities:
        people = _external(op)
        if len(op.opportunity.contacts) >= 8:
            big += 1
            wide += len(people) >= 6
        firsts = [e for e in op.emails if e.in_reply_to is None and e.purpose != "out_of_office"]
        threads += len(firsts)
        customer_started += sum(1 for e in firsts if e.direction == "inbound")
    wide_share = _ratio(wide, big)
    started = _ratio(customer_started, threads)
    return {
        "internal_attendee_share": figure(share, ">= 0.25", share is None or share >= 0.25),
        "internal_meetings": sum(1 for m in meetings if not m.invitee_ids),
        "deals_with_8_plus_contacts": big,
        "six_plus_external_people_share": figure(
            wide_share,
            ">= 0.6 of deals whose account has >= 8 contacts",
            wide_share is None or wide_share >= 0.6,
        ),
        "external_people_per_deal_mean": round(
            sum(len(_external(op)) for op in plan.opportunities) / len(plan.opportunities), 2
        )
        if plan.opportunities
        else None,
        "customer_started_threads_share": figure(
            started, ">= 0.2", started is None or started >= 0.2
        ),
    }


def _external(op: OpportunityPlan) -> set[str]:
    people: set[str] = set()
    for m in op.meetings:
        people.update(m.invitee_ids)
    for e in op.emails:
        people.update(e.to_contact_ids)
        people.update(e.cc_contact_ids)
        if e.from_contact_id:
            people.add(e.from_contact_id)
    people.update(t.who_id for t in op.tasks)
    return people


def _close_end(op: OpportunityPlan) -> datetime:
    zone = owner_zone(op.opportunity)
    return datetime.combine(op.opportunity.close_date + timedelta(days=1), time(0), tzinfo=zone)


def _dated(op: OpportunityPlan) -> list[tuple[datetime, str, str]]:
    """(instant, stage, subject) of every meeting, email and task."""
    return (
        [(m.start, m.stage, m.subject) for m in op.meetings]
        + [(e.sent_at, e.stage, e.subject) for e in op.emails]
        + [(t.at, t.stage, t.subject) for t in op.tasks]
    )


def _shape(plan: Plan) -> dict[str, Any]:
    won = [op for op in plan.opportunities if op.opportunity.is_won and op.meetings]
    path_ok = sum(1 for op in won if _path_ok(op))
    kickoff_ok = sum(1 for op in won if _kickoff_ok(op))
    on_deals: dict[str, list[BusyEvent]] = defaultdict(list)  # once, not a scan per deal
    for event in plan.events:
        on_deals[event.what_id or ""].append(event)
    coverage = [_coverage(op, on_deals.get(op.opportunity.id, ())) for op in won]
    covered = sum(1 for c in coverage if c >= 0.8)
    named = after = repeats = 0
    for op in plan.opportunities:
        close = _close_end(op)
        closed_names = {op.opportunity.stage.lower()} if op.opportunity.is_closed else set()
        for at, stage, _ in _dated(op):
            named += at < close and stage.lower() in (_CLOSED if closed_names else ())
            after += at >= close and not op.opportunity.is_won
        titles = Counter(m.subject for m in op.meetings)
        repeats += sum(n - 1 for n in titles.values() if n > 1)
    disorder = 0
    deal_ids = {op.opportunity.id for op in plan.opportunities}
    for op in plan.opportunities:
        used = set(op.anchor_event_ids)
        on_deal = on_deals.get(op.opportunity.id, ())
        marks = [a for a in anchors_for(op.opportunity.id, on_deal) if a.id in used]
        customer = [(m.start, RANK[m.meeting_type]) for m in op.meetings
                    if m.invitee_ids and m.meeting_type in RANK]  # fmt: skip
        disorder += out_of_order(marks, customer)
    return {
        "org_events_out_of_order": figure(disorder, "0", disorder == 0),
        "org_events_followed": sum(len(op.anchor_event_ids) for op in plan.opportunities),
        "org_events_on_deals": sum(1 for e in plan.events if e.what_id in deal_ids),
        "closed_won_deals": len(won),
        "closed_won_discovery_and_demo_before_proposal_share": figure(
            _ratio(path_ok, len(won)), "1.0", path_ok == len(won)
        ),
        "closed_won_kickoff_after_close_share": figure(
            _ratio(kickoff_ok, len(won)), "1.0", kickoff_ok == len(won)
        ),
        "closed_won_cycle_coverage_min": figure(
            round(min(coverage), 4) if coverage else None, ">= 0.8", covered == len(won)
        ),
        "records_before_close_naming_closed_stage": figure(named, "0", named == 0),
        "activity_after_close_not_won": figure(after, "0", after == 0),
        "repeated_meeting_titles": figure(repeats, "0", repeats == 0),
    }


def _path_ok(op: OpportunityPlan) -> bool:
    first: dict[str, datetime] = {}
    for m in sorted(op.meetings, key=lambda m: m.start):
        if m.invitee_ids and m.status != "no_show":
            first.setdefault(m.meeting_type, m.start)
    proposal = first.get("proposal")
    return (
        proposal is not None
        and first.get("discovery", proposal) < proposal
        and first.get("demo", proposal) < proposal
    )


def _kickoff_ok(op: OpportunityPlan) -> bool:
    kickoffs = [m for m in op.meetings if m.meeting_type == "kickoff"]
    return bool(kickoffs) and all(m.start >= _close_end(op) for m in kickoffs)


def _coverage(op: OpportunityPlan, events: Sequence[BusyEvent] = ()) -> float:
    """Share of CreatedDate→close spanned by the deal's activity (the org's own Events on it
    included: they are part of its story)."""
    opp = op.opportunity
    close = _close_end(op)
    own = [e.start for e in events if e.what_id == opp.id]
    stamps = [at for at, _, _ in _dated(op) if at < close] + [at for at in own if at < close]
    if not stamps:
        return 0.0
    cycle = (close - opp.created_date).total_seconds()
    span = (min(max(stamps), close) - opp.created_date).total_seconds()
    start_gap = (min(stamps) - opp.created_date).total_seconds()
    return max(0.0, (span - start_gap) / cycle) if cycle > 0 else 1.0


def _mess(plan: Plan, meetings: Sequence[PlannedMeeting]) -> dict[str, Any]:
    emails = [e for op in plan.opportunities for e in op.emails]
    tasks = [t for op in plan.opportunities for t in op.tasks]
    responses = Counter(answer for m in meetings for _, answer in m.responses)
    lost = [
        op for op in plan.opportunities if op.opportunity.is_closed and not op.opportunity.is_won
    ]
    faded = sum(1 for op in lost if op.emails and op.emails[-1].direction == "outbound")
    return {
        "no_shows": sum(1 for m in meetings if m.status == "no_show"),
        "rescheduled_meetings": sum(1 for m in meetings if m.rescheduled_from is not None),
        "invitee_responses": dict(sorted(responses.items())),
        "out_of_office_replies": sum(1 for e in emails if e.purpose == "out_of_office"),
        "calls": sum(1 for t in tasks if t.kind == "call"),
        "linkedin_touches": sum(1 for t in tasks if t.kind == "linkedin"),
        "lost_deals": len(lost),
        "lost_deals_ending_unanswered": faded,
        "stalled_open_deals": sum(1 for op in plan.opportunities if _stalled(op)),
    }


def _stalled(op: OpportunityPlan) -> bool:
    if op.opportunity.is_closed:
        return False
    future = [m for m in op.meetings if not m.past]
    last = max((m.start for m in op.meetings if m.past), default=None)
    anchor = datetime.combine(op.anchor, time(0), tzinfo=owner_zone(op.opportunity))
    return not future and (last is None or anchor - last > timedelta(days=21))
