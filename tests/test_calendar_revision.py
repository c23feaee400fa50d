"""A calendar copy's outcome as field updates (targets/calendars/revision.py), pure: set in place,
so writing the before-values back gives the earlier bytes exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from demo_gen.targets.calendars.revision import fields_of, first_event, revise, stamp

AGENDA = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:demo-gen-x\r\nDTSTAMP:20261102T000000Z\r\nDTSTART:20261103T150000Z\r\n"
    b"DTEND:20261103T160000Z\r\nSUMMARY:Discovery call\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
    b"DESCRIPTION:Agenda: goals\\, timeline\r\n"
    b"ATTENDEE;CN=Ann;PARTSTAT=NEEDS-ACTION;SCHEDULE-AGENT=CLIENT:mailto:ann@x.example\r\n"
    b"ATTENDEE;CN=Bo;PARTSTAT=TENTATIVE:mailto:Bo@X.example\r\n"
    b"X-DEMO-GEN-OPPORTUNITY:006x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_fields_read_the_outcome_properties() -> None:
    event = first_event(AGENDA)
    assert event is not None
    assert fields_of(event) == {
        "DESCRIPTION": "Agenda: goals, timeline", "STATUS": "CONFIRMED", "SEQUENCE": 0,
        "LAST-MODIFIED": "", "DTSTAMP": "20261102T000000Z",
        "PARTSTAT": {"mailto:ann@x.example": "NEEDS-ACTION", "mailto:bo@x.example": "TENTATIVE"},
    }  # fmt: skip


def test_an_outcome_and_its_undo_give_the_earlier_bytes_back() -> None:
    event = first_event(AGENDA)
    assert event is not None
    before = fields_of(event)
    end = stamp(datetime(2026, 11, 3, 16, 0, tzinfo=UTC))
    after = {**before, "DESCRIPTION": "Notes: they want a pilot", "SEQUENCE": 1,
             "LAST-MODIFIED": end, "DTSTAMP": end,
             "PARTSTAT": {"mailto:ann@x.example": "ACCEPTED",
                          "mailto:bo@x.example": "DECLINED"}}  # fmt: skip
    revised = revise(AGENDA, after)
    held = first_event(revised)
    assert held is not None and fields_of(held) == after
    assert str(held["SUMMARY"]) == "Discovery call"  # the rest as it was
    assert revised.index(b"SEQUENCE:1") < revised.index(b"STATUS")  # in place, not moved
    assert revise(revised, before) == Calendar.from_ical(AGENDA).to_ical()
