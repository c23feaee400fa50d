"""The realism report: how believable a plan's timing and shape are, computed from the plan alone.

Pure and deterministic. Shares are floats rounded to 4 places, or None when nothing was counted;
durations are a {"minutes": count} map. Zones and countries are derived exactly as the planner
derives them (contact mailing address → account billing address → owner's zone).

Keys: opportunities, meetings, past_meetings, future_meetings, emails, threads,
meetings_in_business_hours_share, meetings_in_seller_window_share, meetings_on_working_days_share,
weekend_meetings, holiday_meetings, meetings_on_half_hour_share, duration_distribution,
stage_order_violations, meetings_with_external_share, emails_in_replied_threads_share,
emails_outside_business_hours_share (the business-hours and external shares count customer
meetings: internal prep and deal reviews have no external guest by design); then the deal-story
figures of `realism_story` (each `{"value", "target", "ok"}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from demo_gen.config.model import ActivitySettings
from demo_gen.stages.plan import OpportunityPlan, Plan, PlannedEmail, PlannedMeeting
from demo_gen.stages.planning.slots import Person
from demo_gen.stages.planning.story import RANK
from demo_gen.stages.planning.timezones import contact_place, owner_zone, zone_country
from demo_gen.stages.planning.workdays import is_holiday, is_weekend, is_working_day
from demo_gen.stages.realism_story import story_report


def realism_report(plan: Plan, settings: ActivitySettings) -> dict[str, Any]:
    """Scores and counts for a plan (see the module docstring for the keys)."""
    tally = Tally()
    for op in plan.opportunities:
        tally.deal(op, settings)
    report = tally.report(len(plan.opportunities))
    report.update(story_report(plan))
    return report


class Tally:
    """The figures above `story_report`'s, counted a deal at a time (`deal`), then `report`."""

    def deal(self, op: OpportunityPlan, settings: ActivitySettings) -> None:
        """Count one deal's meetings and emails."""
        people = _people(op)
        seller = people[op.opportunity.owner.id]
        for meeting in op.meetings:
            self.meeting(meeting, seller, _guests(meeting, people), settings)
        self.stage_violations += _stage_violations(op.meetings)
        for email in op.emails:
            sender = (
                seller if email.direction == "outbound" else people.get(email.from_contact_id or "")
            )
            self.email(email, sender or seller, settings)
        self.replied += _replied(op.emails)

    def __init__(self) -> None:
        self.meetings = self.past = self.in_business = self.in_seller = self.working = 0
        self.weekend = self.holiday = self.half_hour = self.external = self.stage_violations = 0
        self.emails = self.after_hours = self.replied = self.internal = 0
        self.threads: dict[str, None] = {}
        self.durations: dict[int, int] = {}

    def meeting(
        self, m: PlannedMeeting, seller: Person, guests: list[Person], s: ActivitySettings
    ) -> None:
        start, end = m.start, m.start + timedelta(minutes=m.duration_minutes)
        business = (s.business_hours.start, s.business_hours.end)
        self.meetings += 1
        self.past += m.past
        if m.internal:  # internal prep and deal reviews: the shares below are customer meetings
            self.internal += 1
        self.in_business += bool(guests) and all(_inside(g, start, end, business) for g in guests)
        window = (s.seller_hours.start, s.seller_hours.end)
        self.in_seller += _inside(seller, start, end, window)
        everyone = [seller, *guests]
        self.working += all(is_working_day(p.country, _day(p, start)) for p in everyone)
        self.weekend += any(is_weekend(p.country, _day(p, start)) for p in everyone)
        self.holiday += any(is_holiday(p.country, _day(p, start)) for p in everyone)
        self.half_hour += start.astimezone(seller.zone).minute in (0, 30)
        self.external += bool(guests)
        self.durations[m.duration_minutes] = self.durations.get(m.duration_minutes, 0) + 1

    def email(self, e: PlannedEmail, sender: Person, s: ActivitySettings) -> None:
        self.emails += 1
        self.threads[e.thread_key] = None
        business = (s.business_hours.start, s.business_hours.end)
        in_hours = _inside(sender, e.sent_at, e.sent_at, business)
        self.after_hours += not (
            in_hours and is_working_day(sender.country, _day(sender, e.sent_at))
        )

    def report(self, opportunities: int) -> dict[str, Any]:
        m, e = self.meetings, self.emails
        customer = m - self.internal
        return {
            "opportunities": opportunities,
            "meetings": m,
            "past_meetings": self.past,
            "future_meetings": m - self.past,
            "emails": e,
            "threads": len(self.threads),
            "meetings_in_business_hours_share": _share(self.in_business, customer),
            "meetings_in_seller_window_share": _share(self.in_seller, m),
            "meetings_on_working_days_share": _share(self.working, m),
            "weekend_meetings": self.weekend,
            "holiday_meetings": self.holiday,
            "meetings_on_half_hour_share": _share(self.half_hour, m),
            "duration_distribution": {str(k): self.durations[k] for k in sorted(self.durations)},
            "stage_order_violations": self.stage_violations,
            "meetings_with_external_share": _share(self.external, customer),
            "emails_in_replied_threads_share": _share(self.replied, e),
            "emails_outside_business_hours_share": _share(self.after_hours, e),
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _people(op: OpportunityPlan) -> dict[str, Person]:
    opp = op.opportunity
    people = {
        opp.owner.id: Person(opp.owner.id, owner_zone(opp), zone_country(opp.owner.time_zone))
    }
    for contact in opp.contacts:
        country, zone = contact_place(contact, opp)
        people[contact.id] = Person(contact.id, zone, country)
    return people


def _guests(meeting: PlannedMeeting, people: dict[str, Person]) -> list[Person]:
    return [people[i] for i in meeting.invitee_ids if i in people and i != meeting.organizer_id]


def _day(person: Person, moment: datetime) -> date:
    return moment.astimezone(person.zone).date()


def _inside(person: Person, start: datetime, end: datetime, hours: tuple[time, time]) -> bool:
    """[start, end] inside `hours` of one local day of `person` (an instant when start == end)."""
    local_start, local_end = start.astimezone(person.zone), end.astimezone(person.zone)
    if local_end.date() != local_start.date():
        return False
    return hours[0] <= local_start.time() and local_end.time() <= hours[1]


def _stage_violations(meetings: Sequence[PlannedMeeting]) -> int:
    ordered = sorted((m for m in meetings if not m.internal), key=lambda m: m.start)
    ranks = [RANK.get(m.meeting_type) for m in ordered]
    known = [r for r in ranks if r is not None]
    return sum(1 for a, b in zip(known, known[1:], strict=False) if b < a)


def _replied(emails: Sequence[PlannedEmail]) -> int:
    sizes: dict[str, int] = {}
    for email in emails:
        sizes[email.thread_key] = sizes.get(email.thread_key, 0) + 1
    return sum(1 for email in emails if sizes[email.thread_key] > 1)
