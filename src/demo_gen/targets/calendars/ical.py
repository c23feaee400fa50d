"""A planned meeting as an iCalendar event (RFC 5545), one copy per internal attendee. Pure.

The UID derives from the meeting's signature (the same one its Salesforce Event has), so every
copy of a meeting, in every calendar and every run, carries the same UID; the resource name is
`<uid>.ics`. DTSTAMP is the plan's anchor date at midnight UTC, never the clock, so identical
runs give identical bytes. Every ATTENDEE carries SCHEDULE-AGENT=CLIENT: a server that schedules
(RFC 6638) then sends no invitation to anyone. PARTSTAT is the invitee's planned answer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vCalAddress

from demo_gen.stages.items import CALENDAR_EVENT, MEETING, WorkItem, sf_datetime, signature
from demo_gen.stages.model import Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan, Plan, PlannedMeeting

PRODID = "-//demo-gen//calendars//EN"
VEVENT = "VEVENT"
"""The record type of a calendar row in the ledger (`ItemRow.record_type`)."""
_SF_FORMAT = "%Y-%m-%dT%H:%M:%S.000+0000"

_PARTSTAT = {
    "Accepted": "ACCEPTED",
    "Declined": "DECLINED",
    "Maybe": "TENTATIVE",
    "New": "NEEDS-ACTION",
}


@dataclass(frozen=True)
class CalendarEvent:
    """One meeting as it goes into one internal attendee's calendar."""

    signature: str  # this copy's ledger signature (the meeting's, plus the calendar's owner)
    meeting_signature: str  # the Salesforce Event's signature
    uid: str
    owner: str  # the email of the person whose calendar holds this copy
    opportunity_id: str
    start: datetime  # aware UTC
    summary: str
    ics: bytes  # one VCALENDAR holding one VEVENT (and its VTIMEZONE)

    @property
    def resource(self) -> str:
        """The resource's name in its calendar collection."""
        return f"{self.uid}.ics"


def meeting_uid(meeting_signature: str) -> str:
    """The iCalendar UID of a meeting: stable across runs, 32 characters."""
    return f"demo-gen-{meeting_signature[:23]}"


def meeting_signature(org_id: str, pack: str, opportunity_id: str, m: PlannedMeeting) -> str:
    """The signature the meeting's Salesforce Event has (stages/items.py builds the same one)."""
    start = sf_datetime(m.start)
    return signature(
        org_id, pack, opportunity_id, MEETING, seq=m.seq, start=start, subject=m.subject
    )


def calendar_events(
    plan: Plan,
    texts: Mapping[str, str],
    users: Mapping[str, Seller],
    *,
    org_id: str,
    pack: str,
    upcoming: Collection[str] = (),
) -> list[CalendarEvent]:
    """Every meeting of the plan, once per internal attendee with an email; sorted by calendar
    owner, then start, then UID. *users* maps User ids to the selling side's people. A passed
    meeting whose key is in *upcoming* (the story planned it ahead: refresh revealed it) is in
    its revised form (`revision_of`)."""
    out: list[CalendarEvent] = []
    for op in plan.opportunities:
        everyone = {op.opportunity.owner.id: op.opportunity.owner, **users}
        for m in op.meetings:
            revised = revision_of(m) if m.past and m.key in upcoming else None
            out.extend(_copies(op, m, texts.get(m.key, ""), everyone, org_id, pack, revised))
    return sorted(out, key=lambda e: (e.owner, e.start, e.uid))


def calendar_items(
    plan: Plan,
    texts: Mapping[str, str],
    users: Sequence[Seller],
    *,
    org_id: str,
    pack: str,
    upcoming: Collection[str] = (),
) -> list[WorkItem]:
    """The plan's calendar copies as work items for a calendar target (commands/prepare.py): the
    owner is the match key and the meeting's signature the parent, so a pending row says which
    calendar and which UID (`targets.caldav.row_copy`). *upcoming*: see `calendar_events`."""
    everyone = {u.id: u for u in users}
    events = calendar_events(plan, texts, everyone, org_id=org_id, pack=pack, upcoming=upcoming)
    return [calendar_item(e) for e in events]


def upcoming_keys(whole: Plan) -> frozenset[str]:
    """The meetings a deal's whole story plans as upcoming: those refresh reveals as revised."""
    return frozenset(m.key for op in whole.opportunities for m in op.meetings
                     if m.status == "scheduled")  # fmt: skip


def calendar_item(e: CalendarEvent) -> WorkItem:
    """One calendar copy as a work item (`item_event` turns it back)."""
    return WorkItem(
        signature=e.signature,
        kind=CALENDAR_EVENT,
        record_type=VEVENT,
        opportunity_id=e.opportunity_id,
        record={"owner": e.owner, "uid": e.uid, "summary": e.summary, "ics": e.ics.decode()},
        planned_start=sf_datetime(e.start),
        match_key=e.owner,
        parent=e.meeting_signature,
        label=e.summary,
    )


def item_event(item: WorkItem) -> CalendarEvent:
    """The calendar copy a work item of `calendar_items` carries."""
    record = item.record
    start = datetime.strptime(item.planned_start, _SF_FORMAT).replace(tzinfo=UTC)
    return CalendarEvent(
        signature=item.signature,
        meeting_signature=item.parent or "",
        uid=str(record["uid"]),
        owner=str(record["owner"]),
        opportunity_id=item.opportunity_id,
        start=start,
        summary=str(record["summary"]),
        ics=str(record["ics"]).encode(),
    )


def _copies(
    op: OpportunityPlan,
    m: PlannedMeeting,
    description: str,
    users: Mapping[str, Seller],
    org_id: str,
    pack: str,
    revised: datetime | None = None,
) -> list[CalendarEvent]:
    opp = op.opportunity
    parent = meeting_signature(org_id, pack, opp.id, m)
    uid = meeting_uid(parent)
    organizer = users.get(m.organizer_id, opp.owner)
    stamp = stamp_of(op.anchor)
    body = meeting_ical(
        m, opp, users, description, uid=uid, stamp=stamp, organizer=organizer, revised=revised
    )
    owners = sorted({p.email.lower() for p in internal_people(m, users, organizer) if p.email})
    return [
        CalendarEvent(
            signature=signature(org_id, pack, opp.id, CALENDAR_EVENT, parent=parent, person=owner),
            meeting_signature=parent,
            uid=uid,
            owner=owner,
            opportunity_id=opp.id,
            start=m.start,
            summary=m.subject,
            ics=body,
        )
        for owner in owners
    ]


def internal_people(
    m: PlannedMeeting, users: Mapping[str, Seller], organizer: Seller
) -> list[Seller]:
    """The organizer, then the colleagues the story adds (those the org has as Users)."""
    return [organizer, *(users[u] for u in m.internal_ids if u in users and u != organizer.id)]


def meeting_ical(
    m: PlannedMeeting,
    opp: Opportunity,
    users: Mapping[str, Seller],
    description: str,
    *,
    uid: str,
    stamp: datetime,
    organizer: Seller,
    revised: datetime | None = None,
) -> bytes:
    """One VCALENDAR with the meeting's VEVENT and the organizer's VTIMEZONE; `revised`: the
    moment the meeting's outcome revised it (SEQUENCE one up, DTSTAMP and LAST-MODIFIED then),
    byte for byte what updating its agenda copy gives (targets/calendars/revision.py)."""
    zone = _zone(organizer.time_zone)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", revised or stamp)
    event.add("dtstart", m.start.astimezone(zone))
    event.add("dtend", (m.start + timedelta(minutes=m.duration_minutes)).astimezone(zone))
    event.add("summary", m.subject)
    event.add("sequence", base_sequence(m) + (revised is not None))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    _add_place(event, m.location)
    if description:
        event.add("description", description)
    event.add("organizer", _address(organizer.email, organizer.name))
    _add_attendees(event, m, opp, users, organizer)
    event.add("x-demo-gen-opportunity", opp.id)
    if revised is not None:
        event.add("last-modified", revised)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _add_attendees(
    event: Event,
    m: PlannedMeeting,
    opp: Opportunity,
    users: Mapping[str, Seller],
    organizer: Seller,
) -> None:
    """The organizer (CHAIR) and colleagues, then the invited contacts, each with its answer."""
    answers = dict(m.responses)
    for person in internal_people(m, users, organizer):
        chair = person.id == organizer.id
        status = "Accepted" if chair else answers.get(person.id, "Accepted")
        event.add("attendee", _attendee(person.email, person.name, status, chair=chair))
    for contact in opp.contacts:
        if contact.id in m.invitee_ids and contact.email:
            status = answers.get(contact.id, "Accepted" if m.past else "New")
            event.add("attendee", _attendee(contact.email, contact.name, status))


def base_sequence(m: PlannedMeeting) -> int:
    """SEQUENCE of a meeting as first written: 1 once rescheduled (a revision), else 0."""
    return 1 if m.rescheduled_from is not None else 0


def revision_of(m: PlannedMeeting) -> datetime:
    """When a meeting's outcome revises its copies: its end (UTC)."""
    return (m.start + timedelta(minutes=m.duration_minutes)).astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    """The organizer's zone; UTC for a name this machine's zone database does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _add_place(event: Event, location: str) -> None:
    """LOCATION as planned; for a video meeting also its link as URL (clients show a join
    button for it)."""
    event.add("location", location)
    link = location.split(": ", 1)[1] if ": " in location else ""
    if link:
        event.add("url", link if link.startswith("https://") else f"https://{link}")


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = name
    return address


def _attendee(email: str, name: str, status: str, *, chair: bool = False) -> vCalAddress:
    address = _address(email, name)
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = "CHAIR" if chair else "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = _PARTSTAT.get(status, "NEEDS-ACTION")
    address.params["RSVP"] = "FALSE"
    address.params["SCHEDULE-AGENT"] = "CLIENT"
    return address


def stamp_of(anchor: date) -> datetime:
    """The DTSTAMP of every event planned around *anchor*."""
    return datetime.combine(anchor, time(0, 0), UTC)
