"""The write phase of a run: settle interrupted writes, create parents then their links, and
own what the org made for them (DESIGN.md §3; docs/adr/0004-identity-snapshots-and-ownership.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from demo_gen.config import Config
from demo_gen.crm import SalesforceCrm
from demo_gen.items import CHILD_KINDS, EMAIL_TASK, PARENT_KINDS, Capabilities, WorkItem
from demo_gen.orgmade import EVENT_RELATION, TASK_RELATION
from demo_gen.progress import Progress
from demo_gen.readback import record_email_tasks
from demo_gen.reconcile import log_reconciliation, reconcile
from demo_gen.runlog import RunLog
from demo_gen.state import ItemRow, StateStore, created_ids
from demo_gen.writer import LedgerWriter, WriteOutcome, WriteSettings


@dataclass(frozen=True)
class WritePhase:
    """What the write phase of one run works with."""

    crm: SalesforceCrm
    state: StateStore
    log: RunLog
    config: Config
    org_id: str
    run_id: str
    progress: Progress
    warn: Callable[[str], None]


def reconciled_ledger(
    ctx: WritePhase, items: Sequence[WorkItem]
) -> tuple[dict[str, ItemRow], set[str]]:
    """The plan's ledger rows after settling pending rows; and the rows left ambiguous."""
    pending = ctx.state.pending_items(ctx.org_id, ctx.config.run.name)
    ambiguous: set[str] = set()
    if pending:
        ctx.progress.phase("reconciling interrupted writes", len(pending))
        tag = ctx.config.run.signature_field if ctx.config.run.idempotency_mode == "tag" else None
        result = reconcile(ctx.crm, ctx.state, ctx.org_id, pending, tag_field=tag)
        log_reconciliation(ctx.log, result, pending)
        ambiguous = set(result.ambiguous)
        if ambiguous:
            ctx.warn(
                f"{len(ambiguous)} interrupted writes match records in the org ambiguously; they "
                "are left pending and not sent again (see reconcile.ambiguous in events.jsonl)",
            )
    return ctx.state.items_by_signature(ctx.org_id, [i.signature for i in items]), ambiguous


def create(
    ctx: WritePhase,
    items: Sequence[WorkItem],
    ledger: Mapping[str, ItemRow],
    ambiguous: Collection[str],
) -> WriteOutcome:
    writer = LedgerWriter(
        ctx.crm, ctx.state, ctx.log, write_settings(ctx), ctx.progress, planned=items
    )
    parent_ids = created_ids(ledger)
    todo = [i for i in items if i.signature not in parent_ids and i.signature not in ambiguous]
    parents = [i for i in todo if i.kind in PARENT_KINDS]
    ctx.progress.phase("creating meetings and emails", len(parents))
    outcome = writer.send(parents, {})
    parent_ids.update(outcome.created)
    adopted = {
        s: r.sf_id or "" for s, r in outcome.owned.items() if s in {i.signature for i in todo}
    }
    outcome.created.update(adopted)  # an invitee the org made with its Event: adopted, not sent
    children = [
        i
        for i in todo
        if i.kind in CHILD_KINDS and i.parent in parent_ids and i.signature not in adopted
    ]
    blocked = [i for i in todo if i.kind in CHILD_KINDS and i.parent not in parent_ids]
    ctx.progress.phase("adding invitees and recipients", len(children))
    child_outcome = writer.send(children, parent_ids)
    outcome.created.update(child_outcome.created)
    outcome.failed.update(child_outcome.failed)
    outcome.deferred.extend(child_outcome.deferred)
    outcome.deferred.extend(i.signature for i in blocked)
    outcome.deferred.extend(ambiguous)
    outcome.owned.update(child_outcome.owned)
    return outcome


def org_made_counts(
    ctx: WritePhase, items: Sequence[WorkItem], outcome: WriteOutcome, caps: Capabilities
) -> dict[str, dict[str, int]]:
    """Counts of the records the org made for ours: each email's Task (and its TaskRelations),
    each Event's relations."""
    counts: dict[str, dict[str, int]] = {}
    made = Counter(r.kind for r in outcome.owned.values())
    if caps.email_messages:
        caught, known = record_email_tasks(ctx.crm, ctx.state, ctx.log, ctx.org_id, items)
        counts[EMAIL_TASK] = {
            "created": made[EMAIL_TASK] + caught,
            "skipped": known - made[EMAIL_TASK],
            "failed": 0,
            "deferred": 0,
        }
    for kind in (EVENT_RELATION, TASK_RELATION):
        if made[kind]:
            counts[kind] = {"created": made[kind], "skipped": 0, "failed": 0, "deferred": 0}
    return counts


def write_settings(ctx: WritePhase) -> WriteSettings:
    cfg = ctx.config
    return WriteSettings(
        org_id=ctx.org_id,
        pack=cfg.run.name,
        run_id=ctx.run_id,
        tag_mode=cfg.run.idempotency_mode == "tag",
        signature_field=cfg.run.signature_field,
        run_tag_field=cfg.run.run_tag_field,
        batch_size=cfg.salesforce.batch_size,
        concurrency=cfg.salesforce.concurrency,
        max_calls=_api_budget(ctx),
    )


def _api_budget(ctx: WritePhase) -> int | None:
    """Calls this run may spend on writes: a share of what the org has left today."""
    limits = ctx.crm.limits().get("DailyApiRequests") or {}
    remaining = limits.get("Remaining")
    if remaining is None:
        return None
    budget = int(int(remaining) * ctx.config.run.api_budget_share)
    ctx.log.event("api.budget", remaining=remaining, budget=budget)
    return max(budget, 0)
