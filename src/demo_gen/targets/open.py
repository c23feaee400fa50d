"""The targets a configuration names, opened for one command.

The org is both the source the plan is read from and the first target. A new destination is
opened here, from its configuration section, and appended to `OpenTargets.targets`; the runner,
dry-run and reset then treat it like the org (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from demo_gen.config.model import Config, Secrets
from demo_gen.targets.base import Target
from demo_gen.targets.caldav import CalDavTarget
from demo_gen.targets.calendars.caldav_target import CalDavSettings
from demo_gen.targets.ics import IcsTarget
from demo_gen.targets.salesforce.target import SalesforceTarget, open_salesforce


@dataclass(frozen=True)
class OpenTargets:
    """The org the opportunities come from, and every target the run writes to, in order."""

    source: SalesforceTarget
    targets: tuple[Target, ...]


@contextmanager
def open_targets(
    config: Config, secrets: Secrets, now: datetime | None = None
) -> Iterator[OpenTargets]:
    """Open the configured org, then the calendar target if `calendar.enabled`."""
    with open_salesforce(config, secrets, now) as org, ExitStack() as held:
        calendar = held.enter_context(open_calendar(config, secrets))
        yield OpenTargets(source=org, targets=(org,) if calendar is None else (org, calendar))


@contextmanager
def open_calendar(config: Config, secrets: Secrets) -> Iterator[Target | None]:
    """The calendar target `calendar:` names (None when it is off): CalDAV or a folder of .ics."""
    cal = config.calendar
    if not cal.enabled:
        yield None
    elif cal.kind == "ics":
        yield IcsTarget(Path(cal.ics_dir), config.run.name)
    else:
        target = CalDavTarget(caldav_settings(config, secrets))
        try:
            yield target
        finally:
            target.close()


def caldav_settings(config: Config, secrets: Secrets) -> CalDavSettings:
    """The CalDAV server, how to find each calendar and each login (credentials from .env:
    CALDAV_USERNAME/CALDAV_PASSWORD, and CALDAV_USERNAME_<NAME>/CALDAV_PASSWORD_<NAME> for a
    person `calendar.logins` maps to NAME)."""
    cal = config.calendar
    logins = {}
    for email, name in cal.logins.items():
        login = secrets.caldav_logins.get(name)
        if login is None:
            raise config.error(
                ("calendar", "logins", email),
                f"CALDAV_USERNAME_{name} and CALDAV_PASSWORD_{name} are not set",
                hint="add them to .env (see .env.example)",
            )
        logins[email.lower()] = login
    return CalDavSettings(
        url=cal.url or "",
        collection=cal.collection,
        username=secrets.caldav_username,
        password=secrets.caldav_password,
        timeout=cal.timeout_s,
        locate=cal.locate,
        calendar_name=cal.calendar_name,
        logins=logins,
        auth=cal.auth,
    )
