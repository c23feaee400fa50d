"""The target-neutral steps of the ledger protocol around the writes (docs/architecture.md).

- `settle_pending`: what a write that died between send and commit left (`pending` rows) is
  looked up in the target (`Target.find`) and recorded in one commit, before anything is sent;
- `catch_up`: records the target made for ours that a failed read-back did not record
  (`Target.adopt_missing`), owned so reset removes them;
- `check_binding`: before writing, the target must still hold the records the ledger says it
  made under their ids (a re-created org keeps its id but not its records).

The batch step itself (pending → send → created) is `writer.LedgerWriter`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from demo_gen.errors import StateError
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.stages.items import EMAIL_TASK, PARENT_KINDS
from demo_gen.targets.base import BATCH_LIMIT, Reconciliation, Target, Verdicts

BINDING_SAMPLE = BATCH_LIMIT
"""Rows of each record type the run-start check reads back (one query each on an org)."""


def settle_pending(
    target: Target, state: StateStore, log: RunLog, pending: Sequence[ItemRow]
) -> Reconciliation:
    """Resolve `pending` rows (all of `target`) to created, failed (`NOT_SENT`: sent again) or,
    when ambiguous, still pending — recorded with the adopted records' snapshots and their own
    records in one commit, and logged. Rows a recorded bulk job holds are first settled by the
    job's id, where the target writes in jobs (`settle_jobs`, ledger/bulk_writer.py)."""
    settle_jobs = getattr(target, "settle_jobs", None)
    if settle_jobs is not None:
        pending = settle_jobs(pending, state, log)
    result = target.find(pending, state)
    state.record_batch(
        target.key,
        result.found,
        {s: ("NOT_SENT", "reconciled: not found in the target") for s in result.missing},
        result.identities,
        result.org_made,
    )
    log_reconciliation(log, result, pending)
    return result


def catch_up(
    target: Target, state: StateStore, log: RunLog, created: Sequence[ItemRow]
) -> list[ItemRow]:
    """Own what the target made for `created` rows and the ledger lacks; the rows owned."""
    owned = target.adopt_missing(created, state)
    if not owned:
        return []
    state.record_batch(target.key, {}, {}, {}, owned)
    crash_point("created:email_task")
    for row in owned:
        log.created(row, row.remote_id, "org", row.target)
    tasks = sum(1 for row in owned if row.kind == EMAIL_TASK)
    log.event("email_tasks.recorded", count=tasks, relations=len(owned) - tasks)
    return owned


def check_binding(
    target: Target,
    state: StateStore,
    pack: str,
    sample: int = BINDING_SAMPLE,
    *,
    verify: Callable[[Sequence[ItemRow]], Verdicts] | None = None,
) -> int:
    """Stop before writing when ids this ledger recorded under `target` now hold other records.

    Reads back up to `sample` created parent rows (meetings, emails, scorecards: the ids a run
    skips and hangs its links on) of each record type of `pack`. A missing record is fine
    (someone deleted it); a different one means the destination was re-created or refreshed
    under the same key, and nothing may be written against this ledger. Returns how many
    records were checked. `verify` reads the rows back in place of `target.verify`
    (commands/rerun.py
    batches the reads with its own in one request).
    """
    rows = state.created_sample(target.key, pack, sample, PARENT_KINDS)
    verdicts = target.verify(rows, state) if verify is None else verify(rows)
    if verdicts.foreign:
        sig, why = next(iter(verdicts.foreign.items()))
        row = next(r for r in rows if r.signature == sig)
        raise StateError(
            f"{target.key} holds other records under {len(verdicts.foreign)} of the "
            f"{len(rows)} ids this ledger recorded for pack {pack} (e.g. {row.record_type} "
            f"{row.remote_id}: {why}): it was re-created or refreshed since, and this ledger "
            "does not describe it",
            hint="point state.url at a new state store (or move the old one aside) to seed this "
            "org afresh; `demo-gen reset` of an old run deletes only records it verifies as its "
            "own",
        )
    return len(rows)


def log_reconciliation(log: RunLog, result: Reconciliation, pending: Sequence[ItemRow]) -> None:
    """`reconcile.done`; `item.created` for each adopted record (source `reconcile`: the write
    that made it died before recording it) and each org-made one; `reconcile.ambiguous` per
    row left pending."""
    rows = {r.signature: r for r in pending}
    for sig, remote_id in result.found.items():
        log.created(rows[sig], remote_id, "reconcile", rows[sig].target)
    for sig, why in result.ambiguous.items():
        row = rows[sig]
        log.event(
            "reconcile.ambiguous",
            level="warning",
            opportunity_id=row.opportunity_id,
            kind=row.kind,
            signature=sig,
            reason=why,
        )
    for row in result.org_made:
        log.created(row, row.remote_id, "org", row.target)
    log.event(
        "reconcile.done",
        found=len(result.found),
        missing=len(result.missing),
        ambiguous=len(result.ambiguous),
        owned_elsewhere=result.owned_elsewhere,
        org_made=len(result.org_made),
    )
