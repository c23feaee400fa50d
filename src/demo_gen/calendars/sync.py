"""Calendar copies under the ledger protocol, and their reset. The one module that ties the
calendar targets to the ledger (they are not yet a `targets.base.Target`).

Rows: kind `calendar_event`, record type `CalDAV`, keyed by `(target, signature)` where the
target is `caldav:<org id>` — so the org's reconcile and checks, which read the rows of the
target `salesforce:<org id>`, never see them. `remote_id` holds the UID; the identity snapshot
holds calendar owner, href, ETag, UID and a digest of the bytes.

write: pending (commit) → PUT with If-None-Match: * → created (commit). A pending row left by a
crash is simply sent again: the server refuses a second copy (412/409) and the existing one is
adopted, so a kill -9 anywhere leaves neither a duplicate nor a gap.
reset: each created copy is read back; deleted (If-Match) only if UID and ETag are the recorded
ones; one that changed since is reported and its row marked foreign, never deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from demo_gen.calendars.caldav_target import CalDavCalendars, Remote
from demo_gen.calendars.ical import CALENDAR_EVENT, CalendarEvent
from demo_gen.errors import AuthError, TargetError
from demo_gen.faultpoints import crash_point
from demo_gen.items import sf_datetime
from demo_gen.runlog import RunLog
from demo_gen.state import ItemRow, StateStore

SOBJECT = "CalDAV"
SCOPE_PREFIX = "caldav:"
BATCH = 50


def scope(org_id: str) -> str:
    """The ledger's target key of the calendar rows of the org *org_id*."""
    return f"{SCOPE_PREFIX}{org_id}"


def is_calendar(target: str) -> bool:
    """True for the target key of calendar rows (`scope`)."""
    return target.startswith(SCOPE_PREFIX)


@dataclass
class CalendarCounts:
    created: int = 0
    updated: int = 0  # the copy's text changed (If-Match on the recorded ETag)
    adopted: int = 0  # found on the server already (a resent pending write): not written twice
    skipped: int = 0  # the ledger has them
    failed: int = 0
    deleted: int = 0
    kept: int = 0  # edited in the calendar since the run: never overwritten nor deleted
    errors: list[str] = field(default_factory=list)

    def asdict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "errors"}


def write_calendars(
    target: CalDavCalendars,
    state: StateStore,
    log: RunLog,
    *,
    run_id: str,
    org_id: str,
    pack: str,
    events: Sequence[CalendarEvent],
) -> CalendarCounts:
    """Put every event the ledger does not hold as created into its calendar; idempotent."""
    where = scope(org_id)
    counts = CalendarCounts()
    known = state.items_by_signature(where, [e.signature for e in events])
    todo = []
    for event in events:
        row = known.get(event.signature)
        if row is None or row.status not in ("created", "foreign"):
            todo.append(event)
        elif row.status == "created" and _stale(row, event):
            _update(target, state, log, where, row, event, counts)
        else:
            counts.skipped += 1
    for start in range(0, len(todo), BATCH):
        _send(target, state, log, run_id, where, pack, todo[start : start + BATCH], counts)
    log.event("calendar.written", **counts.asdict())
    return counts


def _send(
    target: CalDavCalendars,
    state: StateStore,
    log: RunLog,
    run_id: str,
    where: str,
    pack: str,
    batch: Sequence[CalendarEvent],
    counts: CalendarCounts,
) -> None:
    state.mark_pending([_row(e, run_id, where, pack) for e in batch])
    crash_point(f"pending:{CALENDAR_EVENT}")
    created: dict[str, str] = {}
    identities: dict[str, dict[str, Any]] = {}
    failed: dict[str, tuple[str, str]] = {}
    for event in batch:
        try:
            remote, ours = target.create(event)
        except AuthError:
            raise
        except TargetError as exc:
            failed[event.signature] = ("CALDAV_ERROR", str(exc))
            counts.failed += 1
            counts.errors.append(str(exc))
            log.error(signature=event.signature, kind=CALENDAR_EVENT, message=str(exc))
            continue
        crash_point(f"sent:{CALENDAR_EVENT}")
        counts.created += ours
        counts.adopted += not ours
        created[event.signature] = event.uid
        identities[event.signature] = _identity(event, remote)
    state.record_batch(where, created, failed, identities, ())
    crash_point(f"created:{CALENDAR_EVENT}")


def digest(ics: bytes) -> str:
    """What the ledger keeps of a copy's bytes, to tell when its text has changed."""
    return hashlib.sha256(ics).hexdigest()[:16]


def _stale(row: ItemRow, event: CalendarEvent) -> bool:
    recorded = json.loads(row.identity or "{}").get("digest")
    return recorded is not None and recorded != digest(event.ics)


def _update(
    target: CalDavCalendars,
    state: StateStore,
    log: RunLog,
    where: str,
    row: ItemRow,
    event: CalendarEvent,
    counts: CalendarCounts,
) -> None:
    """New text for a copy we made, only if nobody edited it since (If-Match); an edited copy
    is the user's from now on: its row becomes foreign, never overwritten nor deleted."""
    snap = json.loads(row.identity or "{}")
    remote = target.update(Remote(snap["href"], snap["etag"], snap["uid"]), event.ics)
    if remote is None:
        counts.kept += 1
        why = "edited in the calendar since the run: left as the user made it"
        state.mark_foreign(where, {row.signature: why})
        log.event("calendar.kept", level="warning", signature=row.signature, uid=snap["uid"],
                  reason=why)  # fmt: skip
        return
    counts.updated += 1
    state.mark_created(where, {row.signature: event.uid}, {row.signature: _identity(event, remote)})


def _row(event: CalendarEvent, run_id: str, where: str, pack: str) -> ItemRow:
    return ItemRow(
        signature=event.signature,
        run_id=run_id,
        pack=pack,
        target=where,
        opportunity_id=event.opportunity_id,
        kind=CALENDAR_EVENT,
        record_type=SOBJECT,
        status="pending",
        remote_id=None,
        error_code=None,
        error=None,
        parent_signature=event.meeting_signature,
        planned_start=sf_datetime(event.start),
        subject=event.summary,
        updated_at="",
        identity=json.dumps({"owner": event.owner, "uid": event.uid}),
    )


def _identity(event: CalendarEvent, remote: Remote) -> dict[str, str]:
    return {
        "owner": event.owner,
        "href": remote.href,
        "etag": remote.etag,
        "uid": remote.uid,
        "digest": digest(event.ics),
    }


def reset_calendars(
    target: CalDavCalendars, state: StateStore, log: RunLog, *, run_id: str, org_id: str
) -> CalendarCounts:
    """Delete the calendar copies *run_id* made, each only if it is still as written."""
    where = scope(org_id)
    counts = CalendarCounts()
    rows = [r for r in state.run_items(run_id, {"pending", "created"}) if r.target == where]
    _settle_pending(target, state, where, [r for r in rows if r.status == "pending"])
    rows = state.run_items(run_id, {"created"})
    foreign: dict[str, str] = {}
    for row in (r for r in rows if r.target == where):
        snap = json.loads(row.identity or "{}")
        verdict = target.delete(Remote(snap["href"], snap["etag"], snap["uid"]))
        if verdict == "changed":
            counts.kept += 1
            foreign[row.signature] = "the calendar event changed since the run (ETag or UID)"
            log.event(
                "reset.skipped",
                level="warning",
                kind=CALENDAR_EVENT,
                signature=row.signature,
                href=snap["href"],
                uid=snap["uid"],
                reason=foreign[row.signature],
            )
            continue
        crash_point(f"reset:sent:{CALENDAR_EVENT}")
        counts.deleted += 1
        state.mark_deleted(where, [row.signature])
    state.mark_foreign(where, foreign)
    log.event("calendar.reset", deleted=counts.deleted, kept=counts.kept)
    return counts


def _settle_pending(
    target: CalDavCalendars, state: StateStore, where: str, rows: Sequence[ItemRow]
) -> None:
    """A crashed run's pending copies: adopt what the server has, forget what it has not."""
    found: dict[str, str] = {}
    identities: dict[str, dict[str, Any]] = {}
    missing: dict[str, tuple[str, str]] = {}
    for row in rows:
        snap = json.loads(row.identity or "{}")
        remote = target.find(snap["owner"], snap["uid"])
        if remote is None:
            missing[row.signature] = ("NOT_SENT", "the run stopped before sending it")
            continue
        found[row.signature] = snap["uid"]
        identities[row.signature] = {**snap, "href": remote.href, "etag": remote.etag}
    state.record_batch(where, found, missing, identities, ())
