"""The sellers' CalDAV calendars as a `Target`: one row per copy of a meeting per calendar.

Rows: kind `calendar_event`, record type `VEVENT`, under the key `caldav:<server url>`; the row's
`subject` is the calendar's owner (the work item's match key) and its `parent_signature` the
meeting's signature, from which the UID derives — so a pending row alone says where to look.
`remote_id` is `<owner>/<uid>` (a UID is shared by every copy of a meeting), the identity
snapshot `{owner, href, etag, uid, digest}`.

send     PUT `<uid>.ics` with If-None-Match: * (calendars/caldav_target.py); 412/409 means the
         copy is there: adopted, never duplicated. Crash point `sent:calendar_event` after each
         copy the server stored (so `#N` kills mid-batch), besides the writer's after the batch.
find     the resource by name, else by UID in the owner's calendar.
verify   `gone` / `same` / `foreign`: another UID at the href; with `stamped` (reset) also an
         ETag that is not the one recorded — a user's edit, kept and reported, never deleted.
delete   DELETE with If-Match on the recorded ETag; crash point `reset:sent:calendar_event`
         after each copy deleted.
read_fields / update_fields   a passed meeting's outcome as an update of its copies (refresh,
         live; ledger/update_protocol.py): GET, set the outcome's properties, PUT with If-Match
         on the ETag read; crash point `update:copy:calendar_event` after each copy written.
         Restoring the before-values gives back the copy's earlier bytes, and with them its
         recorded ETag, so reset then deletes it as its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from demo_gen.errors import AuthError, LimitError, TargetError, TransientError
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.store import ItemRow
from demo_gen.stages.items import CALENDAR_EVENT, Capabilities, WorkItem
from demo_gen.targets.base import LedgerView, ReadBack, Reconciliation, Verdicts, WriteResult
from demo_gen.targets.calendars.caldav_target import CalDavCalendars, CalDavSettings, Remote
from demo_gen.targets.calendars.ical import VEVENT, item_event, meeting_uid
from demo_gen.targets.calendars.revision import fields_of, first_event, revise

CALENDAR_CAPABILITIES = Capabilities(
    email_messages=False, tag_fields=False, scorecards=False, kinds=frozenset({CALENDAR_EVENT})
)


def digest(ics: bytes) -> str:
    """What the ledger keeps of a copy's bytes."""
    return hashlib.sha256(ics).hexdigest()[:16]


def row_copy(row: ItemRow) -> tuple[str, str]:
    """(calendar owner, UID) of a calendar row, from the row alone (pending rows too)."""
    return row.subject or "", meeting_uid(row.parent_signature or "")


def remote_id(owner: str, uid: str) -> str:
    return f"{owner}/{uid}"


class CalDavTarget:
    """Each internal attendee's calendar on one CalDAV server, under the ledger protocol."""

    name = "caldav"

    def __init__(self, settings: CalDavSettings) -> None:
        self.calendars = CalDavCalendars(settings)
        self._key = f"caldav:{settings.url.rstrip('/')}"
        self._sent: dict[str, dict[str, str]] = {}  # signature -> identity, for read_back
        self._read: dict[str, tuple[Remote, str]] = {}  # remote id -> copy, for update_fields

    @property
    def key(self) -> str:
        return self._key

    @property
    def calls(self) -> int:
        return self.calendars.requests

    def close(self) -> None:
        self.calendars.close()

    def capabilities(self) -> Capabilities:
        return CALENDAR_CAPABILITIES

    def send(
        self, batch: Sequence[WorkItem], parent_ids: Mapping[str, str], run_id: str
    ) -> list[WriteResult]:
        """Each copy into its owner's calendar; a copy already there is adopted."""
        results = []
        for item in batch:
            event = item_event(item)
            try:
                remote, _made = self.calendars.create(event)
            except (AuthError, LimitError, TransientError):
                raise  # the run stops, or the batch stays pending for the next run to find
            except TargetError as exc:
                results.append(WriteResult(False, None, "CALDAV_ERROR", str(exc)))
                continue
            crash_point(f"sent:{CALENDAR_EVENT}")
            self._sent[item.signature] = _identity(remote, digest(event.ics))
            results.append(WriteResult(True, remote_id(event.owner, event.uid)))
        return results

    def read_back(
        self,
        rows: Sequence[ItemRow],
        *,
        owned_ids: Collection[str] = (),
        verify: bool = False,
        planned: Sequence[ItemRow] = (),
    ) -> ReadBack:
        """The snapshots `send` took (a calendar makes no records of its own)."""
        back = ReadBack()
        for row in rows:
            snap = self._sent.pop(row.signature, None)
            if snap is None:
                owner, uid = row_copy(row)
                remote = self.calendars.find(owner, uid)
                if remote is None:
                    continue
                snap = _identity(remote, "")
            back.identities[row.signature] = snap
        return back

    def find(self, pending: Sequence[ItemRow], ledger: LedgerView) -> Reconciliation:
        """A pending copy is found by its resource name, else by UID in its owner's calendar."""
        result = Reconciliation()
        held = ledger.owned_ids(self.key)
        for row in pending:
            owner, uid = row_copy(row)
            remote = self.calendars.find(owner, uid)
            rid = remote_id(owner, uid)
            if remote is None:
                result.missing.append(row.signature)
            elif held.get(rid, row.signature) != row.signature:
                result.owned_elsewhere += 1
                result.ambiguous[row.signature] = f"{rid} is recorded for another row"
            else:
                result.found[row.signature] = rid
                result.identities[row.signature] = _identity(remote, "")
        return result

    def adopt_missing(self, created: Sequence[ItemRow], ledger: LedgerView) -> list[ItemRow]:
        return []  # a calendar makes no records of its own for ours

    def verify(
        self, rows: Sequence[ItemRow], ledger: LedgerView, *, stamped: bool = False
    ) -> Verdicts:
        """`stamped` (reset): the ETag must be the recorded one too — an edit is the user's."""
        verdicts = Verdicts()
        for row in rows:
            expected = self._remote(row)
            now = self.calendars.read(expected.href, expected.owner)
            if now is None:
                verdicts.gone.append(row)
            elif now.uid != expected.uid:
                verdicts.foreign[row.signature] = f"another event (UID {now.uid}) is at the href"
            elif stamped and now.etag != expected.etag:
                verdicts.foreign[row.signature] = (
                    "the calendar event changed since the run (ETag): left as the user made it"
                )
            else:
                verdicts.same.append(row)
        return verdicts

    def delete(self, rows: Sequence[ItemRow]) -> list[WriteResult]:
        """DELETE with If-Match on the recorded ETag: a copy changed since `verify` stays."""
        results = []
        for row in rows:
            verdict = self.calendars.remove(self._remote(row))
            if verdict == "changed":
                why = "the calendar event changed since it was verified: kept"
                results.append(WriteResult(False, row.remote_id, "CHANGED", why))
                continue
            crash_point(f"reset:sent:{CALENDAR_EVENT}")
            results.append(WriteResult(True, row.remote_id))
        return results

    # -- updates (ledger/update_protocol.py): a passed meeting's outcome in its copies -------------

    def read_fields(
        self, record_type: str, ids: Sequence[str], names: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """The outcome's properties (targets/calendars/revision.py) of each copy still there, by
        `<owner>/<uid>`; the copy and its ETag are kept for `update_fields`."""
        out: dict[str, dict[str, Any]] = {}
        for rid in ids:
            owner, uid = rid.split("/", 1)
            got = self.calendars.get(self.calendars.href(owner, f"{uid}.ics"), owner)
            if got is None or got[0].uid != uid:
                found = self.calendars.find(owner, uid)  # stored under another name
                got = None if found is None else self.calendars.get(found.href, owner)
            event = None if got is None else first_event(got[1])
            if got is None or event is None:
                continue
            self._read[rid] = got
            out[rid] = {name: value for name, value in fields_of(event).items() if name in names}
        return out

    def update_fields(
        self, record_type: str, changes: Mapping[str, Mapping[str, Any]]
    ) -> list[WriteResult]:
        """Write each copy back with the fields set, with If-Match on the ETag `read_fields`
        saw: a copy changed since (a user's edit) is not written over (`CHANGED`)."""
        results = []
        for rid, fields in changes.items():
            seen = self._read.pop(rid, None)
            if seen is None:
                results.append(WriteResult(False, rid, "NOT_READ", "read it first"))
                continue
            remote, text = seen
            if self.calendars.update(remote, revise(text, fields)) is None:
                why = "the calendar event changed since it was read: not written over"
                results.append(WriteResult(False, rid, "CHANGED", why))
                continue
            crash_point(f"update:copy:{CALENDAR_EVENT}")
            results.append(WriteResult(True, rid))
        return results

    def _remote(self, row: ItemRow) -> Remote:
        """Where the row's copy is and what it was: its snapshot, else its resource name."""
        snap: dict[str, Any] = json.loads(row.identity or "{}")
        owner, uid = row_copy(row)
        owner = snap.get("owner", owner)
        href = snap.get("href") or self.calendars.href(owner, f"{uid}.ics")
        return Remote(href, snap.get("etag", ""), snap.get("uid", uid), owner)


def _identity(remote: Remote, body_digest: str) -> dict[str, str]:
    snap = {"owner": remote.owner, "href": remote.href, "etag": remote.etag, "uid": remote.uid}
    return snap | ({"digest": body_digest} if body_digest else {})


__all__ = ["VEVENT", "CalDavTarget", "digest", "row_copy"]
