"""After the writes: what a run reads back from the ledger, and records.

- the record ids of an opportunity's items, which `smoke` prints;
- runs/<run_id>/scorecards.jsonl, every scorecard of the run with its record id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import StateStore, created_ids
from demo_gen.stages.items import EMAIL, SCORECARD, WorkItem, email_task_signature, scorecard_label
from demo_gen.stages.scorecards import Scorecard


def record_ids(state: StateStore, target: str, items: Sequence[WorkItem]) -> dict[str, list[str]]:
    """kind → the org ids of these items and their email Tasks (created now or before)."""
    sigs = [i.signature for i in items] + [
        email_task_signature(i.signature) for i in items if i.kind == EMAIL
    ]
    ledger = state.items_by_signature(target, sigs)
    out: dict[str, list[str]] = {}
    for sig, remote_id in created_ids(ledger).items():
        out.setdefault(ledger[sig].kind, []).append(remote_id)
    return {kind: sorted(ids) for kind, ids in sorted(out.items())}


def scorecard_details(
    state: StateStore, target: str, items: Sequence[WorkItem], cards: Sequence[Scorecard]
) -> list[dict[str, Any]]:
    """Template, record id, score, coverage and answer count of each scorecard."""
    ids = _scorecard_ids(state, target, items)
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
    target: str,
    items: Sequence[WorkItem],
    cards: Sequence[Scorecard],
) -> None:
    """runs/<run_id>/scorecards.jsonl: one line per scorecard, with its record id (or null)."""
    ids = _scorecard_ids(state, target, items)
    lines = (json.dumps({"sf_id": ids.get(_label(c)), **c.to_json()}, default=str) for c in cards)
    log.write_text("scorecards.jsonl", "".join(line + "\n" for line in lines))


def append_scorecards(
    state: StateStore,
    log: RunLog,
    target: str,
    items: Sequence[WorkItem],
    cards: Sequence[Scorecard],
) -> None:
    """`write_scorecards` for one chunk of deals: their lines added to scorecards.jsonl."""
    ids = _scorecard_ids(state, target, items)
    lines = (json.dumps({"sf_id": ids.get(_label(c)), **c.to_json()}, default=str) for c in cards)
    with (log.path / "scorecards.jsonl").open("a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)


def _scorecard_ids(state: StateStore, target: str, items: Sequence[WorkItem]) -> dict[str, str]:
    cards = {i.signature: i.label for i in items if i.kind == SCORECARD}
    ids = created_ids(state.items_by_signature(target, list(cards)))
    return {cards[sig]: remote_id for sig, remote_id in ids.items()}


def _label(card: Scorecard) -> str:
    return scorecard_label(card.opportunity_id, card.template)
