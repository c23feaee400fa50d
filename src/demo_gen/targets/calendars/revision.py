"""A calendar copy's outcome as an update: the VEVENT properties a passed meeting changes. Pure.

When a meeting written with its agenda has passed, its copies get what its Salesforce Event
gets: DESCRIPTION becomes the notes and each ATTENDEE's PARTSTAT the final answer. As RFC 5545
asks of a revised component, SEQUENCE goes up by one (§3.8.7.4) and LAST-MODIFIED and DTSTAMP
(§3.8.7.3, §3.8.7.2: without a METHOD, DTSTAMP is when the event was last revised in the store)
say when: the meeting's end, never the clock, so the same story gives the same bytes on any day.
STATUS stays what the story says: a no-show is a meeting that was held without the customer (the
Event keeps it, with its notes saying so), not a cancelled one (STATUS:CANCELLED).

These properties are the update's *fields* (ledger/update_protocol.py): `fields_of` reads them
from a VEVENT, `set_fields` writes them in place — in place, so that writing the before-values
back gives the VEVENT's earlier bytes exactly (a server's ETag comes back with them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar, Component
from icalendar.prop import vDDDTypes, vInt, vText

FIELDS = ("DESCRIPTION", "STATUS", "SEQUENCE", "LAST-MODIFIED", "DTSTAMP", "PARTSTAT")
"""The properties a calendar outcome sets; PARTSTAT is the ATTENDEEs' answers, by address."""
_STAMP = "%Y%m%dT%H%M%SZ"


def fields_of(event: Component) -> dict[str, Any]:
    """The outcome's properties of `event`, as JSON values ("" for an absent one)."""
    return {
        "DESCRIPTION": str(event.get("DESCRIPTION", "")),
        "STATUS": str(event.get("STATUS", "")),
        "SEQUENCE": int(event.get("SEQUENCE", 0)),
        "LAST-MODIFIED": _stamp(event, "LAST-MODIFIED"),
        "DTSTAMP": _stamp(event, "DTSTAMP"),
        "PARTSTAT": {_who(a): str(a.params.get("PARTSTAT", "")) for a in _attendees(event)},
    }


def set_fields(event: Component, fields: Mapping[str, Any]) -> None:
    """Write `fields` (any of `FIELDS`) into `event` in place: a property keeps its position, an
    empty value removes it, a new one goes last."""
    for name, value in fields.items():
        if name == "PARTSTAT":
            for attendee in _attendees(event):
                answer = value.get(_who(attendee))
                if answer:
                    attendee.params["PARTSTAT"] = answer
        elif value == "" or value is None:
            event.pop(name, None)
        else:
            event[name] = _typed(name, value)


def revise(ics: bytes | str, fields: Mapping[str, Any]) -> bytes:
    """A whole VCALENDAR with its (first) VEVENT's `fields` set; everything else as it was."""
    cal = Calendar.from_ical(ics)
    events: list[Component] = cal.walk("VEVENT")
    if not events:
        raise ValueError("no VEVENT in the calendar resource")
    set_fields(events[0], fields)
    return bytes(cal.to_ical())


def first_event(ics: bytes | str) -> Component | None:
    """The (first) VEVENT of a resource, or None."""
    try:
        events: list[Component] = Calendar.from_ical(ics).walk("VEVENT")
    except ValueError:
        return None
    return events[0] if events else None


def _typed(name: str, value: Any) -> Any:
    if name == "SEQUENCE":
        return vInt(int(value))
    if name in ("LAST-MODIFIED", "DTSTAMP"):
        return vDDDTypes(datetime.strptime(str(value), _STAMP).replace(tzinfo=UTC))
    return vText(str(value))


def _stamp(event: Component, name: str) -> str:
    if name not in event:
        return ""
    value = event.decoded(name)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return str(value.astimezone(UTC).strftime(_STAMP))
    raw = event[name].to_ical()
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _attendees(event: Component) -> list[Any]:
    found = event.get("ATTENDEE", [])
    return list(found) if isinstance(found, list) else [found]


def _who(attendee: Any) -> str:
    return str(attendee).lower()


def stamp(moment: datetime) -> str:
    """A UTC moment as LAST-MODIFIED and DTSTAMP hold it."""
    return moment.astimezone(UTC).strftime(_STAMP)
