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

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from caldav.collection import Calendar as DavCalendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from icalendar import Calendar

from demo_gen.errors import AuthError, TargetError, TransientError
from demo_gen.targets.calendars.ical import CalendarEvent

Deleted = Literal["deleted", "gone", "changed"]
Verdict = Literal["same", "gone", "changed"]
_ICS = {"Content-Type": "text/calendar; charset=utf-8"}


@dataclass(frozen=True)
class Remote:
    """A calendar resource as the server holds it."""

    href: str
    etag: str
    uid: str
    owner: str = ""  # whose calendar: whose login reads and writes it


Login = tuple[str, str]  # (username, password)
_SCHEMES = {"HTTPBasicAuth": "basic", "HTTPDigestAuth": "digest"}  # the client's auth, by class


@dataclass(frozen=True)
class CalDavSettings:
    """Where each person's calendar is and how to log in.

    `locate="template"`: `collection` with `{base}` the server URL and `{user}` the email.
    `locate="principal"`: discovery — the person's login asks the server for its
    current-user-principal, then that principal's calendar-home-set, then the calendars there
    (the one named `calendar_name`, else the first by URL that holds events). `logins` maps an
    email to its own login; everyone else uses the default `username`/`password`."""

    url: str
    collection: str = "{base}/{user}/calendar/"
    username: str | None = None
    password: str | None = None
    timeout: int = 30
    locate: Literal["template", "principal"] = "template"
    calendar_name: str | None = None
    logins: Mapping[str, Login] = field(default_factory=dict)
    auth: Literal["auto", "basic", "digest"] = "auto"


class CalDavCalendars:
    """The calendars of the people of a pack on one CalDAV server."""

    def __init__(self, settings: CalDavSettings) -> None:
        self.settings = settings
        self._clients: dict[Login | None, DAVClient] = {}
        self._found: dict[str, str] = {}  # owner -> discovered collection URL
        self._lock = threading.Lock()
        self.requests = 0
        self.client = self._client_for(None)

    def _client_for(self, login: Login | None) -> DAVClient:
        with self._lock:
            if login not in self._clients:
                user, password = login or (self.settings.username, self.settings.password)
                self._clients[login] = DAVClient(
                    url=self.settings.url,
                    username=user,
                    password=password,
                    timeout=self.settings.timeout,
                    require_tls=False,  # a server on loopback in tests; the config checks it
                    enable_rfc6764=False,
                )
            client = self._clients[login]
            scheme = self._scheme()
            if client.auth is None and scheme is not None:  # sent up front from now on
                client.auth_type = scheme
                client.build_auth_object([scheme])
            return client

    def _scheme(self) -> str | None:
        """The auth scheme a new login sends up front: the configured one, else the one a
        login of this server has already been asked for (None until then: the client learns it
        from the server's first 401). Each 401 is a round trip, and Radicale sleeps a second
        on each one by default: a run with a login per person paid it once per person."""
        if self.settings.auth != "auto":
            return self.settings.auth
        for client in self._clients.values():  # requests' or niquests' classes, by name
            scheme = _SCHEMES.get(type(client.auth).__name__)
            if scheme is not None:
                return scheme
        return None

    def login_of(self, owner: str) -> Login | None:
        """*owner*'s own login, or None for the default one."""
        return self.settings.logins.get(owner.lower())

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def __enter__(self) -> CalDavCalendars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def calendar_url(self, owner: str) -> str:
        """The collection URL of *owner*'s calendar: from the template, or discovered."""
        if self.settings.locate == "principal":
            return self.discover(owner)
        base = self.settings.url.rstrip("/")
        return self.settings.collection.format(base=base, user=quote(owner, safe="@"))

    def discover(self, owner: str) -> str:
        """current-user-principal → calendar-home-set → calendars, with *owner*'s login; the
        calendar must be *owner*'s alone (two people found in one calendar would share copies)."""
        if owner in self._found:
            return self._found[owner]
        url = discover_calendar(
            self._client_for(self.login_of(owner)), self.settings.calendar_name, owner
        )
        self.requests += 3
        other = next((o for o, u in self._found.items() if u == url), None)
        if other is not None:
            raise TargetError(
                f"discovery finds the same calendar {url} for {other} and {owner}",
                hint="give each person their own login (calendar.logins and "
                "CALDAV_USERNAME_<NAME>/CALDAV_PASSWORD_<NAME> in .env), or use "
                "calendar.locate: template",
            )
        self._found[owner] = url
        return url

    def href(self, owner: str, resource: str) -> str:
        return self.calendar_url(owner).rstrip("/") + "/" + resource

    def create(self, event: CalendarEvent) -> tuple[Remote, bool]:
        """Store *event* in its owner's calendar unless it is there: (remote, made by us now)."""
        href = self.href(event.owner, event.resource)
        response = self._call(
            "PUT", href, event.ics.decode("utf-8"), {**_ICS, "If-None-Match": "*"}, event.owner
        )
        if response.status in (200, 201, 204):
            return self._remote_after_write(href, response, event.uid, event.owner), True
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
        remote = self.read(self.href(owner, f"{uid}.ics"), owner)
        if remote is not None:
            return remote if remote.uid == uid else None
        client = self._client_for(self.login_of(owner))
        calendar = DavCalendar(client=client, url=self.calendar_url(owner))
        try:
            found = calendar.get_object_by_uid(uid)
        except dav_error.NotFoundError:
            return None
        except dav_error.DAVError as exc:
            raise TransientError(f"CalDAV search by UID in {calendar.url}: {exc}") from exc
        return self.read(str(getattr(found, "url", "")), owner)  # a sync client: no coroutine

    def read(self, href: str, owner: str = "") -> Remote | None:
        """The resource at *href* (in *owner*'s calendar) with its ETag and UID, or None."""
        got = self.get(href, owner)
        return None if got is None else got[0]

    def get(self, href: str, owner: str = "") -> tuple[Remote, str] | None:
        """The resource at *href* and its text, or None when there is none."""
        response = self._call("GET", href, owner=owner)
        if response.status == 404:
            return None
        if response.status != 200:
            raise _refused("read", href, response)
        text = response.raw if isinstance(response.raw, str) else str(response.raw)
        return Remote(href, _etag(response.headers), uid_of(text), owner), text

    def update(self, remote: Remote, ics: bytes) -> Remote | None:
        """Replace the resource if it is still the one recorded (If-Match on its ETag); None,
        and nothing written, if it changed since (a user's edit is never overwritten)."""
        headers = {**_ICS, "If-Match": remote.etag}
        response = self._call("PUT", remote.href, ics.decode("utf-8"), headers, remote.owner)
        if response.status in (404, 412):
            return None
        if response.status not in (200, 201, 204):
            raise _refused("update", remote.href, response)
        return self._remote_after_write(remote.href, response, remote.uid, remote.owner)

    def verify(self, expected: Remote) -> Verdict:
        """`same` if the resource still has the recorded UID and ETag, `gone` if it is not
        there, `changed` if someone edited or replaced it since."""
        now = self.read(expected.href, expected.owner)
        if now is None:
            return "gone"
        return "same" if (now.uid, now.etag) == (expected.uid, expected.etag) else "changed"

    def remove(self, expected: Remote) -> Deleted:
        """DELETE with If-Match on the recorded ETag: `deleted`, `gone`, or `changed` (a change
        between `verify` and now: the server refused, nothing was deleted)."""
        response = self._call(
            "DELETE", expected.href, headers={"If-Match": expected.etag}, owner=expected.owner
        )
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

    def login(self) -> int:
        """Raise AuthError when the server refuses a login: the default one (when it is set, or
        is the only one) and each person's own. Any answer but 401 to a PROPFIND of the server
        URL is a login it takes (403: logged in, but not allowed to list the root). Returns how
        many logins were checked."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:">'
            "<d:prop><d:resourcetype/></d:prop></d:propfind>"
        )  # (not current-user-principal: Radicale answers 401 to that without a login)
        headers = {"Depth": "0", "Content-Type": "application/xml"}
        default = self.settings.username is not None or not self.settings.logins
        owners = ([""] if default else []) + sorted(self.settings.logins)
        for owner in owners:
            self._call("PROPFIND", self.settings.url, body, headers, owner, refused=(401,))
        return len(owners)

    def calendar_exists(self, owner: str) -> bool:
        """True if *owner*'s collection is there and is a calendar."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:">'
            "<d:prop><d:resourcetype/></d:prop></d:propfind>"
        )
        url = self.calendar_url(owner)
        response = self._call(
            "PROPFIND", url, body, {"Depth": "0", "Content-Type": "application/xml"}, owner
        )
        if response.status == 404:
            return False
        if response.status != 207:
            raise _refused("look up", url, response)
        text = response.raw if isinstance(response.raw, str) else str(response.raw)
        return "urn:ietf:params:xml:ns:caldav" in text and ":calendar" in text

    def _remote_after_write(self, href: str, response: Any, uid: str, owner: str) -> Remote:
        etag = _etag(response.headers)
        if etag:
            return Remote(href, etag, uid, owner)
        remote = self.read(href, owner)  # a server may give no ETag when it changed what we sent
        if remote is None:
            raise TransientError(f"CalDAV {href}: written, then not found")
        return remote

    def _call(
        self,
        method: str,
        url: str,
        body: str = "",
        headers: Mapping[str, str] | None = None,
        owner: str = "",
        refused: tuple[int, ...] = (401, 403),
    ) -> Any:
        with self._lock:
            self.requests += 1
        client = self._client_for(self.login_of(owner)) if owner else self.client
        try:
            response = client.request(url, method, body, dict(headers or {}))
        except dav_error.AuthorizationError as exc:
            raise AuthError(
                f"the CalDAV server refused our login at {url}",
                hint="check CALDAV_USERNAME and CALDAV_PASSWORD in .env",
            ) from exc
        except (dav_error.DAVError, OSError) as exc:  # (niquests' errors are OSErrors)
            raise TransientError(f"CalDAV {method} {url}: {exc}") from exc
        if response.status in refused:
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


def discover_calendar(client: DAVClient, name: str | None, owner: str) -> str:
    """The URL of the calendar a login's principal holds (RFC 5397 current-user-principal,
    RFC 4791 calendar-home-set): the one named *name*, else the first by URL that takes events."""
    try:
        principal = client.principal()  # type: ignore[no-untyped-call]
        calendars = list(principal.calendars())  # a sync client: never a coroutine
    except dav_error.AuthorizationError as exc:
        raise AuthError(
            f"the CalDAV server refused the login of {owner} during discovery",
            hint="check CALDAV_USERNAME and CALDAV_PASSWORD (or that person's own login) in .env",
        ) from exc
    except (dav_error.DAVError, OSError) as exc:
        raise TargetError(
            f"CalDAV discovery for {owner} found no principal or calendar home: {exc}",
            hint="check calendar.url and that login, or use calendar.locate: template",
        ) from exc
    found = sorted((str(c.url), _display_name(c)) for c in calendars if _takes_events(c))
    if name is not None:
        found = [(url, shown) for url, shown in found if shown == name]
    if not found:
        wanted = f" named {name!r}" if name else ""
        raise TargetError(
            f"CalDAV discovery for {owner}: the principal holds no calendar{wanted}",
            hint="create a calendar for that login on the server, or fix calendar.calendar_name",
        )
    return found[0][0]


def _display_name(calendar: DavCalendar) -> str:
    try:
        return str(calendar.get_display_name() or "")
    except dav_error.DAVError:
        return ""


def _takes_events(calendar: DavCalendar) -> bool:
    """False only for a calendar that says it holds no VEVENT (a task list)."""
    try:
        components = list(calendar.get_supported_components())  # type: ignore[arg-type]
    except (dav_error.DAVError, KeyError, AttributeError):
        return True
    return not components or "VEVENT" in components
