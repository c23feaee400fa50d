"""One `.ics` file per person per pack: `<dir>/<pack>/<email>.ics`, to import into Google
Calendar, Outlook or any client. A file's bytes are a function of the set of events it holds
(stable UIDs, a DTSTAMP from the anchor, events sorted by start and UID), so an identical run
writes the same bytes, in one go or batch by batch (and a re-import updates events by UID instead
of duplicating them). A file is replaced atomically, and only if its bytes change. The ledger side
is `targets/ics.py`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time
from pathlib import Path

from icalendar import Calendar, Component

from demo_gen.targets.calendars.ical import PRODID, CalendarEvent


def person_calendars(events: Sequence[CalendarEvent], pack: str) -> dict[str, bytes]:
    """`email -> one VCALENDAR` holding exactly that person's events, sorted by start and UID."""
    by_owner: dict[str, dict[str, Component]] = {}
    for event in events:
        by_owner.setdefault(event.owner, {})[event.uid] = vevent_of(event.ics)
    return {owner: render(mine.values(), owner, pack) for owner, mine in sorted(by_owner.items())}


def vevent_of(ics: bytes) -> Component:
    """The (first) VEVENT of one event's VCALENDAR."""
    found: list[Component] = Calendar.from_ical(ics).walk("VEVENT")
    return found[0]


def render(events: Iterable[Component], owner: str, pack: str) -> bytes:
    """One person's file: a function of the set of its events only (sorted by start, then UID),
    so writing them in one go or batch by batch gives the same bytes."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{owner} ({pack})")
    for vevent in sorted(events, key=_order):
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _order(event: Component) -> tuple[datetime, str]:
    start = event.decoded("dtstart")
    if not isinstance(start, datetime):
        start = datetime.combine(start, time(0, 0))
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return start.astimezone(UTC), str(event.get("uid", ""))


def read_events(path: Path) -> dict[str, Component]:
    """`UID -> VEVENT` of an .ics file; empty when there is no file."""
    if not path.is_file():
        return {}
    cal = Calendar.from_ical(path.read_bytes())
    return {str(e.get("uid", "")): e for e in cal.walk("VEVENT")}


def event_digest(event: Component) -> str:
    """What the ledger keeps of one VEVENT as the file holds it (an edit changes it)."""
    return hashlib.sha256(event.to_ical()).hexdigest()[:16]


def replace_file(path: Path, body: bytes | None) -> bool:
    """Write *body* atomically (None: remove the file); False when nothing changed."""
    if body is None:
        if not path.is_file():
            return False
        path.unlink()
        return True
    if path.is_file() and path.read_bytes() == body:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".ics.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)
    return True
