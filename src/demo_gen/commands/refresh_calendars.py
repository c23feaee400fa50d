"""refresh and live in the calendars: a passed meeting's outcome in each copy of it.

`refresh` (and each pass of `live`) creates the copies of the meetings that came into the window
like any record (the calendar is a target of the run). What it adds here is the outcome of a
meeting that was written with its agenda and has passed since: every copy the ledger holds gets
the properties its revealed form has (targets/calendars/revision.py: DESCRIPTION the notes,
PARTSTAT the final answers, SEQUENCE one up, LAST-MODIFIED and DTSTAMP its end) — the same
update its Salesforce Event gets (commands/refresh.py), through the same protocol
(ledger/update_protocol.py): the copy's earlier values are committed pending before it is
written, so reset puts the earlier VEVENT back, and only where the calendar still holds what
demo-gen wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from demo_gen.commands.prepare import Prepared
from demo_gen.ledger.store import StateStore
from demo_gen.ledger.update_protocol import Change, Event, apply
from demo_gen.ledger.updates import UpdateLedger
from demo_gen.stages.items import MEETING, WorkItem
from demo_gen.stages.plan import Plan
from demo_gen.stages.planning.outcome import passed_since_planned
from demo_gen.targets.base import Target
from demo_gen.targets.caldav import CalDavTarget
from demo_gen.targets.calendars.ical import VEVENT
from demo_gen.targets.calendars.revision import fields_of, first_event
from demo_gen.targets.ics import IcsTarget

CALENDAR_OUTCOME = "update:calendar"
"""The report's count kind of the outcomes written into calendar copies."""


def calendar_changes(
    whole: Plan,
    meetings: Sequence[WorkItem],
    copies: Sequence[WorkItem],
    ids: Mapping[str, str],
    today: date,
) -> list[Change]:
    """The outcome of each meeting passed by `today` (planned upcoming) in each of its copies
    the calendar holds (`ids`: copy signature -> remote id); `meetings` are the org's items, by
    which a copy's parent signature names its meeting."""
    passed = {m.key for op in whole.opportunities for m in passed_since_planned(op, today)}
    due = {i.signature for i in meetings if i.kind == MEETING and i.label in passed}
    out = []
    for copy in copies:
        if copy.parent not in due or copy.signature not in ids:
            continue
        event = first_event(str(copy.record["ics"]))
        if event is not None:
            fields = fields_of(event)
            out.append(Change(f"{copy.signature}/outcome", VEVENT, ids[copy.signature], fields))
    return out


def calendar_targets(targets: Sequence[Target]) -> list[CalDavTarget | IcsTarget]:
    """The calendar targets among `targets` (each takes updates of its copies)."""
    return [t for t in targets if isinstance(t, CalDavTarget | IcsTarget)]


def apply_calendar_due(
    targets: Sequence[Target],
    state: StateStore,
    run_id: str,
    prepared: Prepared,
    today: date,
    *,
    source_key: str,
    event: Event,
) -> dict[str, dict[str, int]]:
    """Write the outcomes due by `today` into every calendar target's copies; the report's
    counts (kind `update:calendar`), or nothing when no calendar is configured."""
    assert prepared.whole is not None
    calendars = calendar_targets(targets)
    if not calendars:
        return {}
    total = {"created": 0, "skipped": 0, "failed": 0, "deferred": 0, "updated": 0}
    for target in calendars:
        copies = prepared.items[target.key]
        rows = state.items_by_signature(target.key, [c.signature for c in copies])
        ids = {s: r.remote_id for s, r in rows.items() if r.status == "created" and r.remote_id}
        meetings = prepared.items[source_key]
        changes = calendar_changes(prepared.whole, meetings, copies, ids, today)
        counts = apply(target, UpdateLedger(state), run_id, changes, event)
        total["skipped"] += counts.same
        total["failed"] += counts.failed
        total["updated"] += counts.done
        event("updates.made", kind=CALENDAR_OUTCOME, target=target.key, **counts.asdict())
    return {CALENDAR_OUTCOME: total}
