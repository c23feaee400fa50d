"""One `.ics` file per person per pack: `<dir>/<pack>/<email>.ics`, to import into Google
Calendar, Outlook or any client. Pure bytes from the plan: stable UIDs, a DTSTAMP from the anchor,
events in a fixed order, so an identical run rewrites the same bytes (and a re-import updates
events by UID instead of duplicating them). A file is replaced atomically, and only if its bytes
change.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from icalendar import Calendar

from demo_gen.calendars.ical import PRODID, CalendarEvent


def person_calendars(events: Sequence[CalendarEvent], pack: str) -> dict[str, bytes]:
    """`email -> one VCALENDAR` holding exactly that person's events, sorted by start and UID."""
    by_owner: dict[str, list[CalendarEvent]] = {}
    for event in events:
        by_owner.setdefault(event.owner, []).append(event)
    return {
        owner: _calendar(sorted(mine, key=lambda e: (e.start, e.uid)), owner, pack)
        for owner, mine in sorted(by_owner.items())
    }


def _calendar(events: Sequence[CalendarEvent], owner: str, pack: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{owner} ({pack})")
    for event in events:
        for vevent in Calendar.from_ical(event.ics).walk("VEVENT"):
            cal.add_component(vevent)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def write_ics(events: Sequence[CalendarEvent], out_dir: Path, pack: str) -> dict[Path, bool]:
    """Write each person's file; `path -> True` where the bytes changed (or are new)."""
    folder = out_dir / pack
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[Path, bool] = {}
    for owner, body in person_calendars(events, pack).items():
        path = folder / f"{owner}.ics"
        if path.is_file() and path.read_bytes() == body:
            written[path] = False
            continue
        tmp = path.with_suffix(".ics.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)
        written[path] = True
    return written
