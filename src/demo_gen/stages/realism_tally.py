"""The realism report counted a deal at a time, for a run that never holds its whole plan.

`realism_report` reads a whole `Plan`; a run in chunks (commands/plan_stream.py) hands each
deal's plan on the day to `RealismTally.add` as soon as it is made and drops it. What spans
deals is kept compact: each person's busy spans (for double bookings) as one array of integers
(start and end in microseconds since the epoch, and whether the span is planned), each person's
in-person meetings (for impossible travel), each seller's meetings per day and week, the reply
delays as an array of floats, and counters. `report` gives what `realism_report` gives on the
same plan, key for key and in the same order (`test_realism_tally.py`): every figure is computed
as there, from integers that order exactly as the datetimes they stand for.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from demo_gen.config.model import ActivitySettings
from demo_gen.stages.model import BusyEvent
from demo_gen.stages.plan import OpportunityPlan
from demo_gen.stages.planning.book import CITY_GAP
from demo_gen.stages.planning.existing import anchors_for, out_of_order
from demo_gen.stages.planning.story import RANK
from demo_gen.stages.planning.timezones import owner_zone
from demo_gen.stages.realism import Tally
from demo_gen.stages.realism_story import (  # noqa: PLC2701 (the whole report's own per-deal parts)
    _CLOSED,
    _attendees,
    _close_end,
    _coverage,
    _dated,
    _external,
    _kickoff_ok,
    _overlaps,
    _path_ok,
    _ratio,
    _sender_local,
    _stalled,
    _travel_count,
    figure,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _us(moment: datetime) -> int:
    """Microseconds since the epoch: orders and subtracts exactly as the aware datetime."""
    return (moment - _EPOCH) // _MICRO


class RealismTally:
    """`realism_report(plan, settings)` of the deals `add`ed, in any number of calls; `events`
    and `caps` are the plan's (the org's own Events, the sellers' daily and weekly caps)."""

    def __init__(
        self, settings: ActivitySettings, events: Sequence[BusyEvent], caps: tuple[int, int]
    ) -> None:
        self.settings, self.events, self.caps = settings, events, caps
        self.on_deals: dict[str, list[BusyEvent]] = defaultdict(list)
        for event in events:
            self.on_deals[event.what_id or ""].append(event)
        self.base = Tally()
        self.deals = 0
        self.ids: set[str] = set()
        self.spans: dict[str, array[int]] = {}  # person -> start, end, planned; start, end, …
        self.places: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        self.day: Counter[tuple[str, Any]] = Counter()
        self.week: Counter[tuple[str, Any]] = Counter()
        self.delays = array("d")
        self.n: Counter[str] = Counter()  # the plain counts, by name
        self.weekdays: Counter[str] = Counter()
        self.minutes: Counter[str] = Counter()
        self.hours: Counter[int] = Counter()
        self.responses: Counter[str] = Counter()
        self.coverage_min: float | None = None
        for e in events:  # the org's own Events: busy time, the other side of a clash
            for who in (e.owner_id, e.who_id):
                if who:
                    self._span(who, e.start, e.end, False)

    def add(self, op: OpportunityPlan) -> None:
        """Count one deal (its plan on the day)."""
        self.deals += 1
        self.ids.add(op.opportunity.id)
        self.base.deal(op, self.settings)
        self._calendars(op)
        self._timing(op)
        self._emails(op)
        self._people(op)
        self._shape(op)
        self._mess(op)

    def _span(self, person: str, start: datetime, end: datetime, planned: bool) -> None:
        self.spans.setdefault(person, array("q")).extend((_us(start), _us(end), int(planned)))

    def _calendars(self, op: OpportunityPlan) -> None:
        zone = owner_zone(op.opportunity)
        for m in op.meetings:
            end = m.start + timedelta(minutes=m.duration_minutes)
            for person in set(_attendees(m)):
                self._span(person, m.start, end, True)
                if m.in_person:
                    self.places[person].append((_us(m.start), _us(end), m.location))
            local = m.start.astimezone(zone).date()
            self.day[(m.organizer_id, local)] += 1
            self.week[(m.organizer_id, local.isocalendar()[:2])] += 1
        for t in op.tasks:
            if t.kind == "call":
                end = t.at + timedelta(seconds=t.duration_seconds)
                self._span(t.owner_id, t.at, end, True)
                self._span(t.who_id, t.at, end, True)

    def _timing(self, op: OpportunityPlan) -> None:
        zone = owner_zone(op.opportunity)
        for m in op.meetings:
            local = m.start.astimezone(zone)
            self.weekdays[_NAMES[local.weekday()]] += 1
            minute = local.minute
            self.minutes[f":{minute:02d}" if minute in (0, 15, 30, 45) else "other"] += 1
            self.n["meetings"] += 1

    def _emails(self, op: OpportunityPlan) -> None:
        by_key = {e.key: e for e in op.emails}
        meetings = {m.key: m for m in op.meetings}
        for e in op.emails:
            self.n["sends"] += 1
            self.n["zero"] += e.sent_at.second == 0
            self.hours[_sender_local(op, e).hour] += 1
            parent = by_key.get(e.in_reply_to or "")
            if parent is not None:
                self.delays.append((e.sent_at - parent.sent_at).total_seconds() / 3600)
            meeting = meetings.get(e.meeting_key or "")
            if e.purpose == "follow_up" and e.in_reply_to is None and meeting is not None:
                self.n["thanks"] += 1
                zone = owner_zone(op.opportunity)
                self.n["same_day"] += (
                    e.sent_at.astimezone(zone).date() == meeting.start.astimezone(zone).date()
                )

    def _people(self, op: OpportunityPlan) -> None:
        for m in op.meetings:
            self.n["customer"] += bool(m.invitee_ids)
            self.n["with_colleague"] += bool(m.invitee_ids and m.internal_ids)
        people = _external(op)
        self.n["external"] += len(people)
        if len(op.opportunity.contacts) >= 8:
            self.n["big"] += 1
            self.n["wide"] += len(people) >= 6
        firsts = [e for e in op.emails if e.in_reply_to is None and e.purpose != "out_of_office"]
        self.n["threads"] += len(firsts)
        self.n["customer_started"] += sum(1 for e in firsts if e.direction == "inbound")

    def _shape(self, op: OpportunityPlan) -> None:
        opp = op.opportunity
        on_deal = self.on_deals.get(opp.id, ())
        if opp.is_won and op.meetings:
            self.n["won"] += 1
            self.n["path_ok"] += _path_ok(op)
            self.n["kickoff_ok"] += _kickoff_ok(op)
            coverage = _coverage(op, on_deal)
            self.n["covered"] += coverage >= 0.8
            low = self.coverage_min
            self.coverage_min = coverage if low is None else min(low, coverage)
        close = _close_end(op)
        closed_names = {opp.stage.lower()} if opp.is_closed else set()
        for at, stage, _ in _dated(op):
            self.n["named"] += at < close and stage.lower() in (_CLOSED if closed_names else ())
            self.n["after"] += at >= close and not opp.is_won
        titles = Counter(m.subject for m in op.meetings)
        self.n["repeats"] += sum(n - 1 for n in titles.values() if n > 1)
        used = set(op.anchor_event_ids)
        marks = [a for a in anchors_for(opp.id, on_deal) if a.id in used]
        customer = [(m.start, RANK[m.meeting_type]) for m in op.meetings
                    if m.invitee_ids and m.meeting_type in RANK]  # fmt: skip
        self.n["disorder"] += out_of_order(marks, customer)
        self.n["followed"] += len(op.anchor_event_ids)

    def _mess(self, op: OpportunityPlan) -> None:
        for m in op.meetings:
            self.n["no_shows"] += m.status == "no_show"
            self.n["rescheduled"] += m.rescheduled_from is not None
            self.n["internal_meetings"] += not m.invitee_ids
            self.responses.update(answer for _, answer in m.responses)
        self.n["out_of_office"] += sum(1 for e in op.emails if e.purpose == "out_of_office")
        self.n["calls"] += sum(1 for t in op.tasks if t.kind == "call")
        self.n["linkedin"] += sum(1 for t in op.tasks if t.kind == "linkedin")
        if op.opportunity.is_closed and not op.opportunity.is_won:
            self.n["lost"] += 1
            self.n["faded"] += bool(op.emails and op.emails[-1].direction == "outbound")
        self.n["stalled"] += _stalled(op)

    def report(self) -> dict[str, Any]:
        """The figures of every deal added (`realism_report`'s keys, in its order)."""
        out = self.base.report(self.deals)
        out.update(self._calendar_report())
        out.update(self._timing_report())
        out.update(self._email_report())
        out.update(self._people_report())
        out.update(self._shape_report())
        out.update(self._mess_report())
        return out

    def _calendar_report(self) -> dict[str, Any]:
        clashes = [_overlaps(zip(f[0::3], f[1::3], f[2::3], strict=True))
                   for f in self.spans.values()]  # fmt: skip
        ours = sum(c[0] for c in clashes)
        daily = max(self.day.values(), default=0)
        weekly = max(self.week.values(), default=0)
        travel = _travel_count(self.places, CITY_GAP // _MICRO)
        return {
            "double_bookings": figure(ours, "0", ours == 0),
            "double_bookings_worst_person": max((c[0] for c in clashes), default=0),
            "org_double_bookings": sum(c[1] for c in clashes),
            "impossible_travel": figure(travel, "0", travel == 0),
            "seller_daily_load_max": figure(daily, f"<= {self.caps[0]}", daily <= self.caps[0]),
            "seller_weekly_load_max": figure(weekly, f"<= {self.caps[1]}", weekly <= self.caps[1]),
        }

    def _timing_report(self) -> dict[str, Any]:
        weekdays, minutes = self.weekdays, self.minutes
        mon_fri = _ratio(weekdays["Mon"] + weekdays["Fri"], self.n["meetings"])
        return {
            "weekday_histogram": {n: weekdays[n] for n in _NAMES},
            "monday_friday_share": figure(mon_fri, "<= 0.35", mon_fri is None or mon_fri <= 0.35),
            "start_minute_histogram": {
                k: minutes[k] for k in (":00", ":15", ":30", ":45", "other")
            },
        }

    def _email_report(self) -> dict[str, Any]:
        delays, n = self.delays, self.n
        p50 = round(median(delays), 2) if delays else None
        p90 = round(sorted(delays)[int(0.9 * (len(delays) - 1))], 2) if delays else None
        top = _ratio(max(self.hours.values(), default=0), n["sends"])
        zeros = _ratio(n["zero"], n["sends"])
        thanks, same_day = n["thanks"], n["same_day"]
        return {
            "reply_delay_hours_p50": figure(p50, "<= 1.5", p50 is not None and p50 <= 1.5),
            "reply_delay_hours_p90": figure(p90, "24–72", p90 is not None and 24 <= p90 <= 72),
            "send_hour_histogram": {f"{h:02d}": self.hours[h] for h in range(24)},
            "send_hour_max_share": figure(top, "<= 0.2", top is None or top <= 0.2),
            "send_zero_seconds_share": figure(zeros, "< 0.05", zeros is None or zeros < 0.05),
            "thank_you_same_day_share": figure(
                _ratio(same_day, thanks), ">= 0.9", not thanks or same_day / thanks >= 0.9
            ),
        }

    def _people_report(self) -> dict[str, Any]:
        n = self.n
        share = _ratio(n["with_colleague"], n["customer"])
        wide_share = _ratio(n["wide"], n["big"])
        started = _ratio(n["customer_started"], n["threads"])
        return {
            "internal_attendee_share": figure(share, ">= 0.25", share is None or share >= 0.25),
            "internal_meetings": n["internal_meetings"],
            "deals_with_8_plus_contacts": n["big"],
            "six_plus_external_people_share": figure(
                wide_share,
                ">= 0.6 of deals whose account has >= 8 contacts",
                wide_share is None or wide_share >= 0.6,
            ),
            "external_people_per_deal_mean": round(n["external"] / self.deals, 2)
            if self.deals
            else None,
            "customer_started_threads_share": figure(
                started, ">= 0.2", started is None or started >= 0.2
            ),
        }

    def _shape_report(self) -> dict[str, Any]:
        n, won = self.n, self.n["won"]
        low = self.coverage_min
        return {
            "org_events_out_of_order": figure(n["disorder"], "0", n["disorder"] == 0),
            "org_events_followed": n["followed"],
            "org_events_on_deals": sum(1 for e in self.events if e.what_id in self.ids),
            "closed_won_deals": won,
            "closed_won_discovery_and_demo_before_proposal_share": figure(
                _ratio(n["path_ok"], won), "1.0", n["path_ok"] == won
            ),
            "closed_won_kickoff_after_close_share": figure(
                _ratio(n["kickoff_ok"], won), "1.0", n["kickoff_ok"] == won
            ),
            "closed_won_cycle_coverage_min": figure(
                round(low, 4) if low is not None else None, ">= 0.8", n["covered"] == won
            ),
            "records_before_close_naming_closed_stage": figure(n["named"], "0", n["named"] == 0),
            "activity_after_close_not_won": figure(n["after"], "0", n["after"] == 0),
            "repeated_meeting_titles": figure(n["repeats"], "0", n["repeats"] == 0),
        }

    def _mess_report(self) -> dict[str, Any]:
        n = self.n
        return {
            "no_shows": n["no_shows"],
            "rescheduled_meetings": n["rescheduled"],
            "invitee_responses": dict(sorted(self.responses.items())),
            "out_of_office_replies": n["out_of_office"],
            "calls": n["calls"],
            "linkedin_touches": n["linkedin"],
            "lost_deals": n["lost"],
            "lost_deals_ending_unanswered": n["faded"],
            "stalled_open_deals": n["stalled"],
        }
