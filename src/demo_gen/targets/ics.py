"""A folder of `.ics` files as a `Target`: `<dir>/<pack>/<email>.ics`, one per person per pack.

Rows: kind `calendar_event`, record type `VEVENT`, under the key `ics:<absolute dir>`; one row per
event in a person's file (the same signature as its CalDAV copy). `remote_id` is
`<pack>/<email>.ics#<uid>`, the identity snapshot `{file, owner, uid, digest}` — the file
relative to the folder and a digest of the VEVENT as the file holds it.

send     merges the batch's events into each person's file (an event whose UID the file holds
         already is adopted, not replaced) and replaces the file atomically; the bytes depend only
         on the set of events, so a rerun, or the same plan written in other batches, gives the
         same bytes.
find     a pending row is found when its person's file holds its UID.
verify   `gone` when the UID is not in the file; with `stamped` (reset) an event whose bytes
         differ from the recorded digest (edited by hand) is `foreign`: kept and reported.
delete   removes exactly those events; a file left with no event is removed, and so is the pack's
         folder when it is left empty.
read_fields / update_fields   a passed meeting's outcome as an update of its events (refresh,
         live; ledger/update_protocol.py), set in place, so restoring the before-values gives
         the event's earlier bytes (and recorded digest) back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from icalendar import Component

from demo_gen.ledger.store import ItemRow
from demo_gen.stages.items import Capabilities, WorkItem
from demo_gen.targets.base import LedgerView, ReadBack, Reconciliation, Verdicts, WriteResult
from demo_gen.targets.caldav import CALENDAR_CAPABILITIES, row_copy
from demo_gen.targets.calendars.ical import item_event
from demo_gen.targets.calendars.ics_target import (
    event_digest,
    read_events,
    render,
    replace_file,
    vevent_of,
)
from demo_gen.targets.calendars.revision import fields_of, set_fields


class IcsTarget:
    """One `.ics` file per person per pack in one folder, under the ledger protocol."""

    name = "ics"

    def __init__(self, folder: Path, pack: str) -> None:
        self.folder = folder.resolve()
        self._pack = pack
        self._key = f"ics:{self.folder}"
        self._lock = threading.Lock()  # batches run in threads; a file is rewritten whole
        self._sent: dict[str, dict[str, str]] = {}
        self._read: dict[str, str] = {}  # remote id -> digest read, for update_fields
        self._calls = 0

    @property
    def key(self) -> str:
        return self._key

    @property
    def calls(self) -> int:
        return self._calls

    def capabilities(self) -> Capabilities:
        return CALENDAR_CAPABILITIES

    def file_of(self, pack: str, owner: str) -> str:
        """A person's file, relative to the folder."""
        return f"{pack}/{owner}.ics"

    def send(
        self, batch: Sequence[WorkItem], parent_ids: Mapping[str, str], run_id: str
    ) -> list[WriteResult]:
        """Merge the batch into each person's file; one result per item, in order."""
        by_file: dict[str, list[WorkItem]] = {}
        for item in batch:
            by_file.setdefault(self.file_of(self._pack, item.record["owner"]), []).append(item)
        ids: dict[str, str] = {}
        with self._lock:
            for name, items in by_file.items():
                ids.update(self._merge(name, items))
        return [WriteResult(True, ids[i.signature]) for i in batch]

    def _merge(self, name: str, items: Sequence[WorkItem]) -> dict[str, str]:
        with self._file(name) as events:
            for item in items:
                event = item_event(item)
                events.setdefault(event.uid, vevent_of(event.ics))  # one already there: kept
        held = read_events(self.folder / name)
        out = {}
        for item in items:
            uid, owner = str(item.record["uid"]), str(item.record["owner"])
            self._sent[item.signature] = _identity(name, owner, uid, held[uid])
            out[item.signature] = f"{name}#{uid}"
        return out

    @contextmanager
    def _file(self, name: str) -> Iterator[dict[str, Component]]:
        """The file's events to change in place; written back (or removed when empty) after."""
        path = self.folder / name
        events = read_events(path)
        self._calls += 1
        yield events
        owner = path.name.removesuffix(".ics")
        body = render(events.values(), owner, path.parent.name) if events else None
        if replace_file(path, body):
            self._calls += 1
        if body is None and path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()

    def read_back(
        self,
        rows: Sequence[ItemRow],
        *,
        owned_ids: Collection[str] = (),
        verify: bool = False,
        planned: Sequence[ItemRow] = (),
    ) -> ReadBack:
        back = ReadBack()
        for row in rows:
            snap = self._sent.pop(row.signature, None) or self._look(row)
            if snap is not None:
                back.identities[row.signature] = snap
        return back

    def _look(self, row: ItemRow) -> dict[str, str] | None:
        owner, uid = row_copy(row)
        name = self.file_of(row.pack, owner)
        self._calls += 1
        found = read_events(self.folder / name).get(uid)
        return None if found is None else _identity(name, owner, uid, found)

    def find(self, pending: Sequence[ItemRow], ledger: LedgerView) -> Reconciliation:
        result = Reconciliation()
        held = ledger.owned_ids(self.key)
        for row in pending:
            snap = self._look(row)
            if snap is None:
                result.missing.append(row.signature)
                continue
            rid = f"{snap['file']}#{snap['uid']}"
            if held.get(rid, row.signature) != row.signature:
                result.owned_elsewhere += 1
                result.ambiguous[row.signature] = f"{rid} is recorded for another row"
                continue
            result.found[row.signature] = rid
            result.identities[row.signature] = snap
        return result

    def adopt_missing(self, created: Sequence[ItemRow], ledger: LedgerView) -> list[ItemRow]:
        return []  # a file makes no records of its own

    def verify(
        self, rows: Sequence[ItemRow], ledger: LedgerView, *, stamped: bool = False
    ) -> Verdicts:
        verdicts = Verdicts()
        files: dict[str, dict[str, Component]] = {}
        for row in rows:
            name, uid, recorded = self._where(row)
            if name not in files:
                self._calls += 1
                files[name] = read_events(self.folder / name)
            event = files[name].get(uid)
            if event is None:
                verdicts.gone.append(row)
            elif stamped and event_digest(event) != recorded:
                verdicts.foreign[row.signature] = (
                    f"the event in {name} changed since the run: left as the user made it"
                )
            else:
                verdicts.same.append(row)
        return verdicts

    def delete(self, rows: Sequence[ItemRow]) -> list[WriteResult]:
        """Remove exactly these events (each still as recorded) from their files."""
        by_file: dict[str, list[ItemRow]] = {}
        for row in rows:
            by_file.setdefault(self._where(row)[0], []).append(row)
        results: dict[str, WriteResult] = {}
        with self._lock:
            for name, mine in by_file.items():
                with self._file(name) as events:
                    for row in mine:
                        results[row.signature] = _remove(events, row, *self._where(row)[1:])
        return [results[r.signature] for r in rows]

    # -- updates (ledger/update_protocol.py): a passed meeting's outcome in its events ------------

    def read_fields(
        self, record_type: str, ids: Sequence[str], names: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """The outcome's properties of each event still in its file, by `<file>#<uid>`; its
        digest is kept for `update_fields`."""
        out: dict[str, dict[str, Any]] = {}
        files: dict[str, dict[str, Component]] = {}
        for rid in ids:
            name, uid = rid.split("#", 1)
            if name not in files:
                self._calls += 1
                files[name] = read_events(self.folder / name)
            event = files[name].get(uid)
            if event is not None:
                self._read[rid] = event_digest(event)
                out[rid] = {k: v for k, v in fields_of(event).items() if k in names}
        return out

    def update_fields(
        self, record_type: str, changes: Mapping[str, Mapping[str, Any]]
    ) -> list[WriteResult]:
        """Set the fields of each event in its file, in place; an event changed since
        `read_fields` saw it is left as it is (`CHANGED`)."""
        by_file: dict[str, list[str]] = {}
        for rid in changes:
            by_file.setdefault(rid.split("#", 1)[0], []).append(rid)
        results: dict[str, WriteResult] = {}
        with self._lock:
            for name, rids in by_file.items():
                with self._file(name) as events:
                    for rid in rids:
                        results[rid] = self._revise(events, rid, changes[rid])
        return [results[rid] for rid in changes]

    def _revise(
        self, events: dict[str, Component], rid: str, fields: Mapping[str, Any]
    ) -> WriteResult:
        event = events.get(rid.split("#", 1)[1])
        if event is None or event_digest(event) != self._read.pop(rid, None):
            return WriteResult(False, rid, "CHANGED", "the event changed since it was read")
        set_fields(event, fields)
        return WriteResult(True, rid)

    def _where(self, row: ItemRow) -> tuple[str, str, str]:
        """(file, UID, recorded digest) of a row."""
        snap = json.loads(row.identity or "{}")
        owner, uid = row_copy(row)
        return snap.get("file") or self.file_of(row.pack, owner), uid, snap.get("digest", "")


def _remove(events: dict[str, Component], row: ItemRow, uid: str, recorded: str) -> WriteResult:
    event = events.get(uid)
    if event is not None and event_digest(event) != recorded:
        return WriteResult(False, row.remote_id, "CHANGED", "the event changed since verify")
    events.pop(uid, None)
    return WriteResult(True, row.remote_id)


def _identity(name: str, owner: str, uid: str, event: Component) -> dict[str, str]:
    return {"file": name, "owner": owner, "uid": uid, "digest": event_digest(event)}
