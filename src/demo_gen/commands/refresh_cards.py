"""refresh: each deal's scorecard follows the day its story is revealed on (issue 14).

`prepare` makes each deal's scorecard of the day (`scorecards.Seen`): what the scorer makes of
the meetings held and the emails sent before that day, never of anything later. The write phase
creates its answers the ledger does not hold, like any record. The records that exist — the
scorecard (score, coverage, confidence) and each answer (text, confidence, source, the ids of
the records it cites) — are brought to the day's values here, as tracked updates
(`ledger/update_protocol.apply`: before-values committed before the send, restored by reset):
never deleted and made again, so their ids stay for anyone who opened them.

Only the fields whose value in the org differs from the day's are sent. An update's key names
the record and the day (the moment, for `live`), so a rerun on the same day sends nothing, and
the next day's change of the same record is an update of its own, with its own before-values:
resetting the runs newest first walks each record back through the days.

An answer of an earlier day that the day's card does not give is left as it is (the scorer never
takes an answer back as evidence only grows; the Opportunity's stage moved back by hand is the
one way to get there): it is not deleted, so no id is ever reused or lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from demo_gen.ledger.update_protocol import Change, Updatable, same
from demo_gen.stages.items import ANSWER, SCORECARD, WorkItem

CARDS = "update:scorecard"
"""The report's count kind of scorecard updates."""
EVIDENCE_FIELD = "Evidence_Ids__c"


def card_fields(item: WorkItem, ids: Mapping[str, str]) -> dict[str, Any]:
    """A scorecard's or an answer's fields as the write phase would create it now: its record,
    and the ids of the records it cites (`SalesforceTarget._record` joins them the same way)."""
    fields = dict(item.record)
    if item.evidence:
        fields[EVIDENCE_FIELD] = ",".join(ids[s] for s in item.evidence if s in ids)
    return fields


def card_changes(
    target: Updatable, items: Sequence[WorkItem], ids: Mapping[str, str], day: date
) -> list[Change]:
    """The updates that bring every existing scorecard and answer record (`ids`: signature ->
    record id) to the day's values: one per record whose fields differ in the org."""
    wanted: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}  # type -> id -> (sig, fields)
    for item in items:
        if item.kind in (SCORECARD, ANSWER) and item.signature in ids:
            by_id = wanted.setdefault(item.record_type, {})
            by_id[ids[item.signature]] = (item.signature, card_fields(item, ids))
    changes: list[Change] = []
    for record_type in sorted(wanted):
        group = wanted[record_type]
        names = sorted({name for _, fields in group.values() for name in fields})
        current = target.read_fields(record_type, list(group), names)
        for record_id, (sig, fields) in group.items():
            now = current.get(record_id)
            if now is None:  # deleted from the org since: nothing to bring up to date
                continue
            diff = {k: v for k, v in fields.items() if not same({k: now.get(k)}, {k: v})}
            if diff:
                key = f"{sig}/card/{day.isoformat()}"
                changes.append(Change(key, record_type, record_id, diff))
    return changes
