"""After the writes: what a run reads back from the org and the ledger, and records.

- the Task the org creates for each EmailMessage, when its batch's read-back did not record it
  (orgmade.py records it with the batch), so reset removes it;
- the record ids of an opportunity's items, which `smoke` prints;
- runs/<run_id>/scorecards.jsonl, every scorecard of the run with its record id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from demo_gen.faultpoints import crash_point
from demo_gen.items import EMAIL, EMAIL_TASK, SCORECARD, WorkItem, email_task_signature
from demo_gen.orgmade import read_back
from demo_gen.runlog import RunLog
from demo_gen.scorecards import Scorecard
from demo_gen.state import ItemRow, StateStore, created_ids


class Reader(Protocol):
    def query(self, soql: str) -> list[dict[str, Any]]: ...


def record_email_tasks(
    crm: Reader, state: StateStore, log: RunLog, org_id: str, items: Sequence[WorkItem]
) -> tuple[int, int]:
    """Catch up the Task of each created EmailMessage whose Task is not in the ledger yet (its
    batch's read-back failed, or a schema-1 ledger): found by ActivityId, recorded in one
    commit. Returns (recorded now, known before)."""
    emails = [i for i in items if i.kind == EMAIL]
    ledger = state.items_by_signature(
        org_id, [i.signature for i in emails] + [email_task_signature(i.signature) for i in emails]
    )
    done = created_ids(ledger)
    known = sum(1 for i in emails if email_task_signature(i.signature) in done)
    rows = own_email_tasks(crm, state, log, org_id, [ledger[s] for s in done if s in ledger])
    return rows, known


def own_email_tasks(
    crm: Reader, state: StateStore, log: RunLog, org_id: str, rows: Sequence[ItemRow]
) -> int:
    """Record, as owned, the Task behind each created EmailMessage row that has none recorded.

    Only Tasks no ledger row holds are taken. Returns how many were recorded.
    """
    emails = [r for r in rows if r.kind == EMAIL and r.sobject == "EmailMessage" and r.sf_id]
    if not emails:
        return 0
    tasks = state.items_by_signature(org_id, [email_task_signature(r.signature) for r in emails])
    missing = [r for r in emails if email_task_signature(r.signature) not in created_ids(tasks)]
    if not missing:
        return 0
    back = read_back(crm, missing, owned_ids=state.owned_ids(org_id), verify=True)
    owned = [r for r in back.owned if r.kind == EMAIL_TASK]
    state.record_batch(org_id, {}, {}, {}, owned)
    crash_point("created:email_task")
    for row in owned:
        log.created(row, row.sf_id, "org")
    if owned:
        log.event("email_tasks.recorded", count=len(owned))
    return len(owned)


def record_ids(state: StateStore, org_id: str, items: Sequence[WorkItem]) -> dict[str, list[str]]:
    """kind → the org ids of these items and their email Tasks (created now or before)."""
    sigs = [i.signature for i in items] + [
        email_task_signature(i.signature) for i in items if i.kind == EMAIL
    ]
    ledger = state.items_by_signature(org_id, sigs)
    out: dict[str, list[str]] = {}
    for sig, sf_id in created_ids(ledger).items():
        out.setdefault(ledger[sig].kind, []).append(sf_id)
    return {kind: sorted(ids) for kind, ids in sorted(out.items())}


def scorecard_details(
    state: StateStore, org_id: str, items: Sequence[WorkItem], cards: Sequence[Scorecard]
) -> list[dict[str, Any]]:
    """Template, record id, score, coverage and answer count of each scorecard."""
    ids = _scorecard_ids(state, org_id, items)
    return [
        {
            "template": c.template,
            "opportunity_id": c.opportunity_id,
            "sf_id": ids.get(_label(c)),
            "score": c.score,
            "coverage": c.coverage,
            "answers": len(c.answers),
        }
        for c in cards
    ]


def write_scorecards(
    state: StateStore,
    log: RunLog,
    org_id: str,
    items: Sequence[WorkItem],
    cards: Sequence[Scorecard],
) -> None:
    """runs/<run_id>/scorecards.jsonl: one line per scorecard, with its record id (or null)."""
    ids = _scorecard_ids(state, org_id, items)
    lines = (json.dumps({"sf_id": ids.get(_label(c)), **c.to_json()}, default=str) for c in cards)
    log.write_text("scorecards.jsonl", "".join(line + "\n" for line in lines))


def _scorecard_ids(state: StateStore, org_id: str, items: Sequence[WorkItem]) -> dict[str, str]:
    cards = {i.signature: i.label for i in items if i.kind == SCORECARD}
    ids = created_ids(state.items_by_signature(org_id, list(cards)))
    return {cards[sig]: sf_id for sig, sf_id in ids.items()}


def _label(card: Scorecard) -> str:
    """The work-item label of a scorecard (see items.scorecard_items)."""
    return f"{card.opportunity_id}/scorecard/{card.template}"
