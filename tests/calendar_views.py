"""Calendar tests' eyes: a pack with calendars on, each seller's calendar read back with no
demo-gen code (plain HTTP and `icalendar`), and the same seller's meetings as the org shows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import requests
import yaml
from caldav_servers import DavServer, dav_server
from icalendar import Calendar
from refresh_helpers import Pack

from demo_gen.ledger.store import StateStore

PARTSTAT = {"Accepted": "ACCEPTED", "Declined": "DECLINED", "Maybe": "TENTATIVE",
            "New": "NEEDS-ACTION"}  # fmt: skip
Meeting = tuple[str, str, str, tuple[tuple[str, str], ...]]
"""(summary, start UTC, description, ((attendee email, answer), ...)) of one meeting."""


@dataclass
class CalendarPack:
    """A pack whose meetings also go to each seller's calendar: on a CalDAV server or in files."""

    pack: Pack
    kind: str  # "radicale" | "xandikos" | "ics"
    server: DavServer | None
    owners: list[str]

    @property
    def ics_dir(self) -> Path:
        return self.pack.root / "calendars"

    def raw(self) -> dict[str, dict[str, str]]:
        """owner -> {resource name or UID: the resource's text / the VEVENT's text}."""
        if self.server is None:
            out: dict[str, dict[str, str]] = {}
            for owner in self.owners:
                path = self.ics_dir / "test-pack" / f"{owner}.ics"
                cal = Calendar.from_ical(path.read_bytes()) if path.exists() else None
                events = [] if cal is None else cal.walk("VEVENT")
                out[owner] = {str(e["UID"]): e.to_ical().decode() for e in events}
            return out
        return {o: _dav_listing(self.server, o) for o in self.owners}

    def meetings(self) -> dict[str, set[Meeting]]:
        """owner -> the meetings their calendar shows."""
        out: dict[str, set[Meeting]] = {}
        for owner, resources in self.raw().items():
            out[owner] = set()
            for text in resources.values():
                cal = Calendar.from_ical(text)
                events = [cal] if cal.name == "VEVENT" else cal.walk("VEVENT")
                out[owner] |= {_meeting(e) for e in events}
        return out

    def vevents(self) -> dict[str, dict[str, Any]]:
        """The ledger's record id of each copy (`<owner>/<uid>` on a server,
        `<pack>/<owner>.ics#<uid>` in files) -> the VEVENT as the calendar holds it."""
        out = {}
        for owner, resources in self.raw().items():
            for text in resources.values():
                cal = Calendar.from_ical(text)
                for e in [cal] if cal.name == "VEVENT" else cal.walk("VEVENT"):
                    where = f"{owner}/" if self.server else f"test-pack/{owner}.ics#"
                    out[f"{where}{e['UID']}"] = e
        return out


def _meeting(event: Any) -> Meeting:
    start = event.decoded("DTSTART").astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    found = event.get("ATTENDEE", [])
    people = found if isinstance(found, list) else [found]
    answers = tuple(sorted((str(a).lower().removeprefix("mailto:"), str(a.params["PARTSTAT"]))
                           for a in people if a.params.get("ROLE") != "CHAIR"))  # fmt: skip
    return str(event["SUMMARY"]), start, str(event.get("DESCRIPTION", "")), answers


def _dav_listing(server: DavServer, owner: str) -> dict[str, str]:
    url = f"{server.base}/{owner}/calendar/"
    body = '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'
    r = requests.request("PROPFIND", url, data=body, timeout=10,
                         headers={"Depth": "1", "Content-Type": "application/xml"})  # fmt: skip
    assert r.status_code == 207, r.text
    hrefs = [h.text for h in ElementTree.fromstring(r.content).iter("{DAV:}href") if h.text]
    out = {}
    for href in sorted(h for h in hrefs if h.endswith(".ics")):
        got = requests.get(server.base + href, timeout=10)
        out[href.rsplit("/", 1)[1]] = got.content.decode("utf-8")  # (no charset: not latin-1)
    return out


def org_meetings(pack: Pack, owners: list[str]) -> dict[str, set[Meeting]]:
    """owner -> the pack's meetings in the org that the owner organizes or is invited to, each
    with its invitees' answers as the EventRelations say (the organizer's own line aside)."""
    with pack.reading():
        return _org_meetings(pack, owners)


def _org_meetings(pack: Pack, owners: list[str]) -> dict[str, set[Meeting]]:
    users = {u["Id"]: str(u.get("Email") or "").lower() for u in pack.rows("User")}
    contacts = {c["Id"]: str(c.get("Email") or "").lower() for c in pack.rows("Contact")}
    ours = pack.ours()
    events = {e["Id"]: e for e in pack.rows("Event") if e["Id"] in ours}
    invited: dict[str, list[dict[str, Any]]] = {}
    for rel in pack.rows("EventRelation"):
        if rel.get("EventId") in events and rel.get("IsInvitee"):
            invited.setdefault(rel["EventId"], []).append(rel)
    out: dict[str, set[Meeting]] = {o: set() for o in owners}
    for eid, event in events.items():
        rels = invited.get(eid, [])
        organizer = users.get(event["OwnerId"], "")
        answers = {(users.get(r["RelationId"]) or contacts.get(r["RelationId"], ""),
                    PARTSTAT[r["Status"]]) for r in rels if r.get("Status")}  # fmt: skip
        start = _utc(event["StartDateTime"]).strftime("%Y-%m-%dT%H:%M")
        shown = (str(event["Subject"]), start, str(event.get("Description") or ""))
        people = {organizer, *(users[r["RelationId"]] for r in rels if r["RelationId"] in users)}
        for owner in people & set(owners):
            out[owner].add((*shown, tuple(sorted(answers))))
    return out


def restrict(calendar: dict[str, set[Meeting]], org: dict[str, set[Meeting]]) -> dict[str, set]:
    """The calendar's meetings with only the attendees whose answer the org records (the org
    keeps no answer for a meeting's WhoId: the org relates it itself)."""
    known = {(m[0], m[1]): {who for who, _ in m[3]} for ms in org.values() for m in ms}
    return {
        owner: {
            (*m[:3], tuple(a for a in m[3] if a[0] in known.get((m[0], m[1]), set()))) for m in ms
        }  # fmt: skip
        for owner, ms in calendar.items()
    }


def _utc(text: Any) -> datetime:
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(text).replace("+0000", "+00:00"))


@contextmanager
def calendar_pack(root: Path, seeded: Path, kind: str, limit: int = 4) -> Iterator[CalendarPack]:
    """A pack on its own org and ledger with calendars on: on a fresh Radicale or Xandikos with
    a calendar per active User, or as .ics files."""
    pack = Pack.make(root / "pack", seeded, limit=limit)
    data = yaml.safe_load(pack.config.read_text())
    owners = sorted({str(u["Email"]).lower() for u in pack.rows("User")
                     if u.get("IsActive") and u.get("Email")})  # fmt: skip
    if kind == "ics":
        folder = str(root / "pack" / "calendars")
        data["calendar"] = {"enabled": True, "kind": "ics", "ics_dir": folder}
        pack.config.write_text(yaml.safe_dump(data, sort_keys=False))
        yield CalendarPack(pack, kind, None, owners)
        return
    with dav_server(kind, root / kind) as server:
        for owner in owners:
            server.make_calendar(owner)
        data["calendar"] = {"enabled": True, "kind": "caldav", "url": server.base}
        pack.config.write_text(yaml.safe_dump(data, sort_keys=False))
        yield CalendarPack(pack, kind, server, owners)


def update_rows(pack: Pack) -> list[Any]:
    """Every row of the ledger's updates table."""
    from demo_gen.ledger.updates import UpdateLedger

    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    try:
        ledger = UpdateLedger(state)
        return [r for run in state.list_runs() for r in ledger.of_run(run.run_id)]
    finally:
        state.close()


def run_ids(pack: Pack) -> list[str]:
    """The pack's runs, newest first."""
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    try:
        return [r.run_id for r in state.list_runs()]
    finally:
        state.close()
