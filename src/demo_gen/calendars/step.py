"""The calendar step of run, reset and doctor, from the configuration: the only place the
commands call. It picks the target (`calendar.kind`), builds the events and reports counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from demo_gen.calendars.caldav_target import CalDavCalendars, CalDavSettings
from demo_gen.calendars.ical import CALENDAR_EVENT, CalendarEvent, calendar_events
from demo_gen.calendars.ics_target import write_ics
from demo_gen.calendars.sync import CalendarCounts, reset_calendars, write_calendars
from demo_gen.config import Config, Secrets
from demo_gen.errors import DemoGenError
from demo_gen.model import Seller
from demo_gen.plan import Plan
from demo_gen.runlog import RunLog
from demo_gen.state import StateStore


@contextmanager
def open_caldav(config: Config, secrets: Secrets) -> Iterator[CalDavCalendars]:
    """The CalDAV target the configuration names (credentials from the environment)."""
    cal = config.calendar
    target = CalDavCalendars(
        CalDavSettings(
            url=cal.url or "",
            collection=cal.collection,
            username=secrets.caldav_username,
            password=secrets.caldav_password,
            timeout=cal.timeout_s,
        )
    )
    try:
        yield target
    finally:
        target.close()


def run_calendars(
    config: Config,
    secrets: Secrets,
    state: StateStore,
    log: RunLog,
    *,
    run_id: str,
    org_id: str,
    plan: Plan,
    texts: Mapping[str, str],
    users: Sequence[Seller],
) -> dict[str, dict[str, int]]:
    """Write the plan's meetings to the configured calendars; the run report's counts:
    `calendar_event` (CalDAV copies) or `ics_file` (files written or changed as created)."""
    events = calendar_events(
        plan, texts, {u.id: u for u in users}, org_id=org_id, pack=config.run.name
    )
    if config.calendar.kind == "ics":
        written = write_ics(events, Path(config.calendar.ics_dir), config.run.name)
        changed = sum(written.values())
        log.event("calendar.ics", files=len(written), changed=changed, events=len(events))
        bucket = {"created": changed, "skipped": len(written) - changed}
        return {"ics_file": bucket | {"failed": 0, "deferred": 0}}
    with open_caldav(config, secrets) as target:
        got = write_calendars(
            target, state, log, run_id=run_id, org_id=org_id, pack=config.run.name, events=events
        )
    return {
        CALENDAR_EVENT: {
            "created": got.created,
            "skipped": got.skipped + got.adopted,
            "failed": got.failed,
            "deferred": 0,
            "updated": got.updated,
            "kept": got.kept,
        }
    }


def reset_calendar_copies(
    config: Config, secrets: Secrets, state: StateStore, log: RunLog, run_id: str, org_id: str
) -> CalendarCounts | None:
    """reset: the run's CalDAV copies (None when calendars are not CalDAV in this config)."""
    if not (config.calendar.enabled and config.calendar.kind == "caldav"):
        return None
    with open_caldav(config, secrets) as target:
        return reset_calendars(target, state, log, run_id=run_id, org_id=org_id)


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
    out: list[CalendarCheck] = []
    with open_caldav(config, secrets) as target:
        try:
            target.calendar_exists(owners[0] if owners else "probe")
        except DemoGenError as exc:
            return [CalendarCheck("calendar login", False, str(exc), exc.hint)]
        out.append(CalendarCheck("calendar login", True, config.calendar.url or ""))
        for owner in owners:
            out.append(_check_owner(target, owner, today))
    return out


def _check_owner(target: CalDavCalendars, owner: str, today: date) -> CalendarCheck:
    name = f"calendar of {owner}"
    url = target.calendar_url(owner)
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
    return CalendarCheck(name, True, f"{url} takes a write")


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
