"""Reruns near free: a run whose inputs did not change since a complete run knows it creates
nothing, from the ledger and one request to the org, without selecting or planning again.

Why it is sound: after a complete run every selected deal is either pinned (its plan is kept in
the ledger and used verbatim: `ledger/pinning.py`) or has no contacts (no activities, whatever the
calendar holds), and every record of every pinned plan is `created` in the ledger. What could
make a rerun create something is then only: other settings or another day (the key below), a
change in the ledger (a reset, a failed or pending row, another run of the pack), or a change in
what the org selects — an opportunity added, changed or deleted, a contact added to an account,
a User (re)activated, an Event booked (busy time: it shows in the realism report). These are
read as marks, one aggregate query per object (targets/salesforce/marks.py: COUNT and
MAX(SystemModstamp) of all Opportunities, all Contacts, the active Users and all Events; any
change in the org, selected or not, counts). The first three are marked when the run starts
(demo-gen never writes them); Events when it ends, after its own writes (`after_writes`).

The marks travel with the run-start binding check (`ledger_protocol.check_binding`, unchanged:
the same sample, the same verdicts, the same refusal) in one `composite` request, so a settled
rerun costs that request and the login's Organization query. `docs/reruns-and-streaming.md` has
the key and its invalidation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from demo_gen import __version__
from demo_gen.config.model import Config
from demo_gen.errors import TargetError
from demo_gen.ledger.protocol import check_binding
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.plan_codec import fingerprint
from demo_gen.targets.base import Verdicts
from demo_gen.targets.salesforce.marks import Marks, event_mark, verify_with_marks
from demo_gen.targets.salesforce.target import SalesforceTarget

FORMAT = 1
"""Bumped when the settled record's shape or meaning changes: older records are never read."""


@dataclass(frozen=True)
class Inputs:
    """What a run's outcome depends on besides the plan itself."""

    config: Config
    org_id: str
    target_keys: tuple[str, ...]
    today: date
    max_opps: int | None


@dataclass(frozen=True)
class Checked:
    """The run-start check: records verified, and the org's marks (None: not read)."""

    records: int
    marks: Marks | None


def check_and_mark(source: SalesforceTarget, state: StateStore, pack: str) -> Checked:
    """The binding check of `source` with the org's marks read in the same request; when the
    org cannot answer the marks (an aggregate it refuses), the check alone, as before."""
    got: dict[str, Marks] = {}

    def batched(rows: Sequence[ItemRow]) -> Verdicts:
        verdicts, got["marks"] = verify_with_marks(source, state, rows)
        return verdicts

    try:
        records = check_binding(source, state, pack, verify=batched)
    except TargetError:
        return Checked(check_binding(source, state, pack), None)
    return Checked(records, got.get("marks"))


def after_writes(source: SalesforceTarget, marks: Marks) -> Marks:
    """`marks` with the Events' mark read again after the run wrote its own (one call)."""
    return event_mark(source, marks)


def settled_key(inputs: Inputs, state: StateStore, marks: Marks) -> str:
    """The content-store key of a settled run: every input the outcome depends on, hashed."""
    cfg = inputs.config
    ledger = {k: state.pack_marks(k, cfg.run.name) for k in inputs.target_keys}
    parts = {
        "format": FORMAT,
        "version": __version__,
        "config": cfg.fingerprint(),
        "plan": fingerprint(cfg),
        "org": inputs.org_id,
        "targets": list(inputs.target_keys),
        "today": inputs.today.isoformat(),
        "max_opps": inputs.max_opps,
        "ledger": {k: {s: list(v) for s, v in marks_.items()} for k, marks_ in ledger.items()},
        "org_marks": [list(m) for m in marks],
    }
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return "settled/" + hashlib.sha256(text.encode()).hexdigest()


def lookup(state: StateStore, key: str) -> dict[str, Any] | None:
    """The settled record under `key`, or None."""
    text = state.get_contents([key]).get(key)
    return None if text is None else dict(json.loads(text))


def settles(plan: Plan, counts: dict[str, dict[str, int]]) -> bool:
    """True when a run left nothing to do: nothing failed, deferred or ambiguous, and every
    deal is pinned (it has records) or has no contacts (it can have none)."""
    return deals_settle(plan.opportunities) and counts_settle(counts)


def deals_settle(deals: Iterable[OpportunityPlan]) -> bool:
    """`settles`, the plan's part: every deal is pinned (it has records) or has no contacts."""
    return all(op.meetings or op.emails or op.tasks or not op.opportunity.contacts for op in deals)


def counts_settle(counts: dict[str, dict[str, int]]) -> bool:
    """`settles`, the writes' part: nothing failed or deferred."""
    return not any(c.get("failed", 0) or c.get("deferred", 0) for c in counts.values())


def record(state: StateStore, key: str, body: dict[str, Any]) -> None:
    """Keep what a rerun under `key` reports (a key keeps its first value)."""
    state.put_contents({key: json.dumps(body, sort_keys=True, default=str)})


def as_skipped(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """A settled run's counts as a rerun sees them: everything it created now exists."""
    return {
        kind: {**c, "created": 0, "skipped": c.get("created", 0) + c.get("skipped", 0)}
        for kind, c in counts.items()
    }
