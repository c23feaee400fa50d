"""Calendars on a CalDAV server (RFC 4791), through the `caldav` client's DAVClient.

Each copy of a meeting lives at `<calendar>/<uid>.ics`. Create is `PUT` with `If-None-Match: *`,
so a resend after a crash can never make a second copy: 412 means the resource is there (read
back and compared by UID), and 409 — or 412 carrying `no-uid-conflict`, as Xandikos answers — means
the UID is stored under another name in that calendar, which is found by UID and adopted, never
duplicated. Updates use `If-Match` on the ETag; delete first reads the resource back and goes on
only if its UID and ETag are the ones recorded (a user's later edit changes the ETag: kept).
python-caldav's own `save(no_overwrite=True)` checks then PUTs, which races; we do not use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from caldav.collection import Calendar as DavCalendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from icalendar import Calendar

from demo_gen.calendars.ical import CalendarEvent
from demo_gen.errors import AuthError, TargetError, TransientError

Deleted = Literal["deleted", "gone", "changed"]
Verdict = Literal["same", "gone", "changed"]
_ICS = {"Content-Type": "text/calendar; charset=utf-8"}


@dataclass(frozen=True)
class Remote:
    """A calendar resource as the server holds it."""

    href: str
    etag: str
    uid: str


@dataclass(frozen=True)
class CalDavSettings:
    """Where each person's calendar is: `{base}` is the server URL, `{user}` the email."""

    url: str
    collection: str = "{base}/{user}/calendar/"
    username: str | None = None
    password: str | None = None
    timeout: int = 30


class CalDavCalendars:
    """The calendars of the people of a pack on one CalDAV server."""

    def __init__(self, settings: CalDavSettings) -> None:
        self.settings = settings
        self.client = DAVClient(
            url=settings.url,
            username=settings.username,
            password=settings.password,
            timeout=settings.timeout,
            require_tls=False,  # a server on loopback in tests; the config checks the scheme
            enable_rfc6764=False,
        )
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> CalDavCalendars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def calendar_url(self, owner: str) -> str:
        """The collection URL of *owner*'s calendar, from the template."""
        base = self.settings.url.rstrip("/")
        return self.settings.collection.format(base=base, user=quote(owner, safe="@"))

    def href(self, owner: str, resource: str) -> str:
        return self.calendar_url(owner).rstrip("/") + "/" + resource

    def create(self, event: CalendarEvent) -> tuple[Remote, bool]:
        """Store *event* in its owner's calendar unless it is there: (remote, made by us now)."""
        href = self.href(event.owner, event.resource)
        response = self._call(
            "PUT", href, event.ics.decode("utf-8"), {**_ICS, "If-None-Match": "*"}
        )
        if response.status in (200, 201, 204):
            return self._remote_after_write(href, response, event.uid), True
        if response.status in (409, 412):
            found = self.find(event.owner, event.uid)
            if found is not None:
                return found, False
        if response.status in (403, 404, 409) and not self.calendar_exists(event.owner):
            raise TargetError(
                f"no calendar for {event.owner} at {self.calendar_url(event.owner)}",
                hint="create it, or set calendar.collection; `demo-gen doctor` checks them all",
            )
        raise _refused("create", href, response)

    def find(self, owner: str, uid: str) -> Remote | None:
        """What a pending write became: the resource at `<uid>.ics`, else any resource of
        *owner*'s calendar with that UID (a copy stored under another name), else None."""
        remote = self.read(self.href(owner, f"{uid}.ics"))
        if remote is not None:
            return remote if remote.uid == uid else None
        calendar = DavCalendar(client=self.client, url=self.calendar_url(owner))
        try:
            found = calendar.get_object_by_uid(uid)
        except dav_error.NotFoundError:
            return None
        except dav_error.DAVError as exc:
            raise TransientError(f"CalDAV search by UID in {calendar.url}: {exc}") from exc
        return self.read(str(getattr(found, "url", "")))  # a sync client: never a coroutine

    def read(self, href: str) -> Remote | None:
        """The resource at *href* with its ETag and UID, or None when there is none."""
        response = self._call("GET", href)
        if response.status == 404:
            return None
        if response.status != 200:
            raise _refused("read", href, response)
        return Remote(href, _etag(response.headers), uid_of(response.raw))

    def update(self, remote: Remote, ics: bytes) -> Remote | None:
        """Replace the resource if it is still the one recorded (If-Match on its ETag); None,
        and nothing written, if it changed since (a user's edit is never overwritten)."""
        headers = {**_ICS, "If-Match": remote.etag}
        response = self._call("PUT", remote.href, ics.decode("utf-8"), headers)
        if response.status in (404, 412):
            return None
        if response.status not in (200, 201, 204):
            raise _refused("update", remote.href, response)
        return self._remote_after_write(remote.href, response, remote.uid)

    def verify(self, expected: Remote) -> Verdict:
        """`same` if the resource still has the recorded UID and ETag, `gone` if it is not
        there, `changed` if someone edited or replaced it since."""
        now = self.read(expected.href)
        if now is None:
            return "gone"
        return "same" if (now.uid, now.etag) == (expected.uid, expected.etag) else "changed"

    def remove(self, expected: Remote) -> Deleted:
        """DELETE with If-Match on the recorded ETag: `deleted`, `gone`, or `changed` (a change
        between `verify` and now: the server refused, nothing was deleted)."""
        response = self._call("DELETE", expected.href, headers={"If-Match": expected.etag})
        if response.status in (200, 204):
            return "deleted"
        if response.status == 404:
            return "gone"
        if response.status == 412:
            return "changed"
        raise _refused("delete", expected.href, response)

    def delete(self, expected: Remote) -> Deleted:
        """`verify`, then `remove` only what is still the same: never a changed resource."""
        verdict = self.verify(expected)
        return self.remove(expected) if verdict == "same" else verdict

    def calendar_exists(self, owner: str) -> bool:
        """True if *owner*'s collection is there and is a calendar."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:">'
            "<d:prop><d:resourcetype/></d:prop></d:propfind>"
        )
        url = self.calendar_url(owner)
        response = self._call(
            "PROPFIND", url, body, {"Depth": "0", "Content-Type": "application/xml"}
        )
        if response.status == 404:
            return False
        if response.status != 207:
            raise _refused("look up", url, response)
        text = response.raw if isinstance(response.raw, str) else str(response.raw)
        return "urn:ietf:params:xml:ns:caldav" in text and ":calendar" in text

    def _remote_after_write(self, href: str, response: Any, uid: str) -> Remote:
        etag = _etag(response.headers)
        if etag:
            return Remote(href, etag, uid)
        remote = self.read(href)  # a server may give no ETag when it changed what we sent
        if remote is None:
            raise TransientError(f"CalDAV {href}: written, then not found")
        return remote

    def _call(
        self, method: str, url: str, body: str = "", headers: Mapping[str, str] | None = None
    ) -> Any:
        self.requests += 1
        try:
            response = self.client.request(url, method, body, dict(headers or {}))
        except dav_error.AuthorizationError as exc:
            raise AuthError(
                f"the CalDAV server refused our login at {url}",
                hint="check CALDAV_USERNAME and CALDAV_PASSWORD in .env",
            ) from exc
        except (dav_error.DAVError, OSError) as exc:  # (niquests' errors are OSErrors)
            raise TransientError(f"CalDAV {method} {url}: {exc}") from exc
        if response.status in (401, 403):
            raise AuthError(
                f"the CalDAV server answered {response.status} to {method} {url}",
                hint="check CALDAV_USERNAME and CALDAV_PASSWORD, and that the user may write there",
            )
        if response.status >= 500 or response.status == 429:
            raise TransientError(f"CalDAV {method} {url}: HTTP {response.status}")
        return response


def uid_of(raw: str | bytes) -> str:
    """The UID of the (first) VEVENT of an iCalendar text; "" when there is none."""
    try:
        cal = Calendar.from_ical(raw)
    except ValueError:
        return ""
    for event in cal.walk("VEVENT"):
        return str(event.get("uid", ""))
    return ""


def _etag(headers: Mapping[str, str]) -> str:
    return str(headers.get("ETag") or headers.get("etag") or "")


def _refused(what: str, href: str, response: Any) -> TargetError:
    detail = response.raw if isinstance(response.raw, str) else ""
    return TargetError(f"CalDAV {what} {href}: HTTP {response.status} {detail[:200]}".rstrip())
