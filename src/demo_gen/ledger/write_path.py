"""REST collections or Bulk API 2.0: which way a run's writes go, decided once, and logged.

`salesforce.bulk` decides (docs/adr/0007-bulk-api-for-volume.md): `mode: always` / `never`, or
`auto` — Bulk when the run has at least `min_records` records to write, or when writing them
through sObject Collections would spend more than `budget_share` of the API requests the run
may spend. Only the Salesforce target writes in jobs; every other target keeps the REST-style
batch writer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from demo_gen.commands.progress import Progress
from demo_gen.ledger.bulk_writer import BulkLedgerWriter
from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.ledger.writer import LedgerWriter, WriteSettings
from demo_gen.stages.items import WorkItem
from demo_gen.targets.base import Target
from demo_gen.targets.salesforce.bulk import choose
from demo_gen.targets.salesforce.target import SalesforceTarget


def writer_for(
    target: Target,
    state: StateStore,
    log: RunLog,
    settings: WriteSettings,
    progress: Progress,
    items: Sequence[WorkItem],
    todo: Sequence[WorkItem],
    ledger: Mapping[str, ItemRow] | None = None,
) -> LedgerWriter | BulkLedgerWriter:
    """The writer for the `todo` items to create in `target` (one line in the log says which
    and why: event `write.path`)."""
    if not isinstance(target, SalesforceTarget):
        return LedgerWriter(target, state, log, settings, progress, planned=items, ledger=ledger)
    jobs = len({i.record_type for i in todo})
    bulk, why = choose(len(todo), target.bulk_settings, settings.max_calls, jobs)
    todo_count = len(todo)
    path = "Bulk API 2.0" if bulk else "REST collections"
    log.event("write.path", path="bulk" if bulk else "rest", records=todo_count, reason=why)
    if todo:
        progress.note(f"writing {todo_count} records through {path}: {why}")
    if bulk:
        return BulkLedgerWriter(target, state, log, settings, progress, planned=items)
    return LedgerWriter(target, state, log, settings, progress, planned=items, ledger=ledger)
