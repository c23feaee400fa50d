"""doctor's calendar checks: the CalDAV login, and for each person that their calendar is found
(by the collection template, or by discovery through their principal), exists and accepts a
write (a probe event, deleted at once). run, dry-run and reset reach calendars as a `Target`
(targets/caldav.py, targets/ics.py), like the org.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from demo_gen.config.model import Config, Secrets
from demo_gen.errors import DemoGenError
from demo_gen.targets.calendars.caldav_target import CalDavCalendars
from demo_gen.targets.calendars.ical import CalendarEvent


@dataclass(frozen=True)
class CalendarCheck:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


def check_calendars(
    config: Config, secrets: Secrets, owners: Sequence[str], today: date
) -> list[CalendarCheck]:
    """doctor: login, then for each owner that the calendar exists and takes a write (a probe
    event written and deleted again)."""
    if not (config.calendar.enabled and config.calendar.kind == "caldav"):
        return []
    from demo_gen.targets.open import caldav_settings  # (targets imports this package)

    out: list[CalendarCheck] = []
    try:
        settings = caldav_settings(config, secrets)
    except DemoGenError as exc:
        return [CalendarCheck("calendar login", False, str(exc), exc.hint)]
    with CalDavCalendars(settings) as target:
        try:
            target.login()
        except DemoGenError as exc:
            return [CalendarCheck("calendar login", False, str(exc), exc.hint)]
        out.append(CalendarCheck("calendar login", True, config.calendar.url or ""))
        for owner in owners:
            out.append(_check_owner(target, owner, today))
    return out


def _check_owner(target: CalDavCalendars, owner: str, today: date) -> CalendarCheck:
    name = f"calendar of {owner}"
    try:
        url = target.calendar_url(owner)  # discovery: its principal's calendar
    except DemoGenError as exc:
        fix = exc.hint or "create a calendar for that login, or use calendar.locate: template"
        return CalendarCheck(name, False, f"discovery found no calendar: {exc}", fix)
    try:
        if not target.calendar_exists(owner):
            return CalendarCheck(
                name, False, f"no calendar at {url}",
                "create it on the server, or set calendar.collection to where it is",
            )  # fmt: skip
        remote, _ = target.create(_probe(owner, today))
        verdict = target.delete(remote)
    except DemoGenError as exc:
        return CalendarCheck(name, False, str(exc), exc.hint or "let this user write there")
    if verdict != "deleted":
        return CalendarCheck(name, False, f"the probe event at {remote.href} was {verdict}",
                             "delete the demo-gen-probe event by hand")  # fmt: skip
    found = " (found through the principal)" if target.settings.locate == "principal" else ""
    return CalendarCheck(name, True, f"{url}{found} takes a write")


def _probe(owner: str, today: date) -> CalendarEvent:
    from icalendar import Calendar, Event

    start = datetime.combine(today, time(3, 0), UTC)
    uid = f"demo-gen-probe-{today.isoformat()}"
    event = Event()
    for key, value in (("uid", uid), ("dtstamp", start), ("dtstart", start),
                       ("summary", "demo-gen doctor probe (deleted at once)")):  # fmt: skip
        event.add(key, value)
    cal = Calendar()
    cal.add("prodid", "-//demo-gen//doctor//EN")
    cal.add("version", "2.0")
    cal.add_component(event)
    return CalendarEvent("", "", uid, owner, "", start, "probe", cal.to_ical())
