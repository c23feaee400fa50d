"""After the writes: what a run reads back from the org and the ledger, and records.

- the Task the org creates for each EmailMessage, recorded in the ledger so reset removes it;
- the record ids of an opportunity's items, which `smoke` prints;
- runs/<run_id>/scorecards.jsonl, every scorecard of the run with its record id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from demo_gen.crm import soql_list
from demo_gen.items import EMAIL, EMAIL_TASK, SCORECARD, WorkItem, email_task_signature
from demo_gen.runlog import RunLog
from demo_gen.scorecards import Scorecard
from demo_gen.state import ItemRow, StateStore, created_ids


class Reader(Protocol):
    def query(self, soql: str) -> list[dict[str, Any]]: ...


def record_email_tasks(
    crm: Reader, state: StateStore, log: RunLog, org_id: str, items: Sequence[WorkItem]
) -> tuple[int, int]:
    """Record the Task the org made for each created EmailMessage: (newly recorded, known)."""
    emails = [i for i in items if i.kind == EMAIL]
    ledger = state.items_by_signature(
        org_id, [i.signature for i in emails] + [email_task_signature(i.signature) for i in emails]
    )
    done = created_ids(ledger)
    known = sum(1 for i in emails if email_task_signature(i.signature) in done)
    wanted = {
        done[i.signature]: ledger[i.signature]
        for i in emails
        if i.signature in done and email_task_signature(i.signature) not in done
    }
    found = _activity_ids(crm, sorted(wanted))
    rows = [_task_row(wanted[email_id], task_id) for email_id, task_id in found.items()]
    if rows:
        state.mark_pending(rows)
        state.mark_created(org_id, {r.signature: r.sf_id or "" for r in rows})
        log.event("email_tasks.recorded", count=len(rows))
    return len(rows), known


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


def _activity_ids(crm: Reader, email_ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(email_ids), 200):
        chunk = email_ids[start : start + 200]
        soql = f"SELECT Id, ActivityId FROM EmailMessage WHERE Id IN {soql_list(chunk)}"
        found.update((r["Id"], r["ActivityId"]) for r in crm.query(soql) if r.get("ActivityId"))
    return found


def _task_row(email: ItemRow, task_id: str) -> ItemRow:
    """The org made this Task when the email was created: it belongs to the email's run."""
    return replace(
        email,
        signature=email_task_signature(email.signature),
        kind=EMAIL_TASK,
        sobject="Task",
        status="pending",
        sf_id=task_id,
        parent_signature=email.signature,
    )
