"""The write phase of a run, per target: settle interrupted writes, create parents then their
links, and own what the target made for them (DESIGN.md §3; docs/architecture.md;
docs/adr/0004-identity-snapshots-and-ownership.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from demo_gen.commands.progress import Progress
from demo_gen.config.model import Config
from demo_gen.ledger.protocol import catch_up, settle_pending
from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import ItemRow, StateStore, created_ids
from demo_gen.ledger.write_path import writer_for
from demo_gen.ledger.writer import WriteOutcome, WriteSettings
from demo_gen.stages.items import (
    CHILD_KINDS,
    EMAIL,
    EMAIL_TASK,
    EVENT_RELATION,
    PARENT_KINDS,
    TASK_RELATION,
    Capabilities,
    WorkItem,
    email_task_signature,
)
from demo_gen.targets.base import Target


@dataclass(frozen=True)
class WritePhase:
    """What the write phase of one run works with."""

    target: Target
    state: StateStore
    log: RunLog
    config: Config
    run_id: str
    progress: Progress
    warn: Callable[[str], None]
    max_calls: int | None = None  # the API budget left for writes; None = unlimited


def reconciled_ledger(
    ctx: WritePhase, items: Sequence[WorkItem]
) -> tuple[dict[str, ItemRow], set[str]]:
    """The plan's ledger rows after settling pending rows; and the rows left ambiguous."""
    pending = ctx.state.pending_items(ctx.target.key, ctx.config.run.name)
    ambiguous: set[str] = set()
    if pending:
        ctx.progress.phase("reconciling interrupted writes", len(pending))
        result = settle_pending(ctx.target, ctx.state, ctx.log, pending)
        ambiguous = set(result.ambiguous)
        if ambiguous:
            ctx.warn(
                f"{len(ambiguous)} interrupted writes match records in the org ambiguously; they "
                "are left pending and not sent again (see reconcile.ambiguous in events.jsonl)",
            )
    return ctx.state.items_by_signature(ctx.target.key, [i.signature for i in items]), ambiguous


def create(
    ctx: WritePhase,
    items: Sequence[WorkItem],
    ledger: Mapping[str, ItemRow],
    ambiguous: Collection[str],
) -> WriteOutcome:
    parent_ids = created_ids(ledger)
    todo = [i for i in items if i.signature not in parent_ids and i.signature not in ambiguous]
    writer = writer_for(
        ctx.target, ctx.state, ctx.log, write_settings(ctx), ctx.progress, items, todo, ledger
    )
    parents = [i for i in todo if i.kind in PARENT_KINDS]
    ctx.progress.phase("creating meetings and emails", len(parents))
    outcome = writer.send(parents, {})
    parent_ids.update(outcome.created)
    todo_sigs = {i.signature for i in todo}  # once: a set per owned row was quadratic
    adopted = {s: r.remote_id or "" for s, r in outcome.owned.items() if s in todo_sigs}
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
    outcome.calls = child_outcome.calls  # the writer's count: parents and children
    return outcome


def org_made_counts(
    ctx: WritePhase, items: Sequence[WorkItem], outcome: WriteOutcome, caps: Capabilities
) -> dict[str, dict[str, int]]:
    """Counts of the records the target made for ours (on an org: each email's Task and its
    TaskRelations, each Event's relations), after catching up what a failed read-back missed."""
    counts: dict[str, dict[str, int]] = {}
    made = Counter(r.kind for r in outcome.owned.values())
    caught, known = _catch_up(ctx, items)
    made.update(r.kind for r in caught)
    if caps.email_messages:
        counts[EMAIL_TASK] = {
            "created": made[EMAIL_TASK],
            "skipped": known - (made[EMAIL_TASK] - Counter(r.kind for r in caught)[EMAIL_TASK]),
            "failed": 0,
            "deferred": 0,
        }
    for kind in (EVENT_RELATION, TASK_RELATION):
        if made[kind]:
            counts[kind] = {"created": made[kind], "skipped": 0, "failed": 0, "deferred": 0}
    return counts


def _catch_up(ctx: WritePhase, items: Sequence[WorkItem]) -> tuple[list[ItemRow], int]:
    """Own what the target made for the plan's created records and the ledger lacks (a batch
    whose read-back failed, or a schema-1 ledger). Returns (owned now, email Tasks known before)."""
    emails = [i.signature for i in items if i.kind == EMAIL]
    tasks = [email_task_signature(s) for s in emails]
    ledger = ctx.state.items_by_signature(ctx.target.key, [i.signature for i in items] + tasks)
    done = created_ids(ledger)
    known = sum(1 for s in tasks if s in done)
    created = [ledger[s] for s in done if ledger[s].kind in PARENT_KINDS]
    return catch_up(ctx.target, ctx.state, ctx.log, created), known


def write_settings(ctx: WritePhase) -> WriteSettings:
    cfg = ctx.config
    return WriteSettings(
        pack=cfg.run.name,
        run_id=ctx.run_id,
        batch_size=cfg.salesforce.batch_size,
        concurrency=cfg.salesforce.concurrency,
        max_calls=ctx.max_calls,
    )
