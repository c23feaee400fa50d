"""reset RUN_ID: delete from each target exactly the records that run created there, and
nothing else.

Per target of the run's rows: pending rows are settled first (`Target.find`, so a crashed run
can be reset), and what the target made for the run's records and no row recorded yet is owned
(`Target.adopt_missing`: on an org, the Task behind an EmailMessage). Then every record is read
back and compared with the ledger's identity snapshot (`Target.verify`; in tag mode also its run
tag and signature), all before the first delete: a different record is never deleted — it is
reported (`reset.skipped`) and its row marked `foreign`, so no later reset tries it again — and
neither is what deleting would take along with it (its parent; an email and its Task go
together). The rest is deleted kind by kind, links
before their parents; a record already gone counts as deleted, so an interrupted reset is simply
run again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from demo_gen.commands.progress import NULL_PROGRESS, Progress
from demo_gen.config.model import Config, Secrets
from demo_gen.errors import UsageError
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.protocol import catch_up, settle_pending
from demo_gen.ledger.runlog import RunLog, utc_now
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.ledger.update_protocol import Updatable, restore
from demo_gen.ledger.updates import UpdateLedger
from demo_gen.stages.items import (
    CALENDAR_EVENT,
    DELETE_ORDER,
    EMAIL_TASK,
    EVENT_RELATION,
    TASK_RELATION,
)
from demo_gen.targets.base import BATCH_LIMIT, Target, Verdicts
from demo_gen.targets.open import open_targets

RESET_ORDER = (*DELETE_ORDER, EVENT_RELATION, TASK_RELATION, CALENDAR_EVENT)
"""Links before their parents; the relations the org made for an Event or a Task go with it (a
real org deletes them with their parent: they are then found gone and counted). A calendar's
copies of meetings (their own target) have no links."""
_ORG_MADE = (EVENT_RELATION, TASK_RELATION)


def _with_parent_gone(state: StateStore, target: str, rows: Sequence[ItemRow]) -> list[ItemRow]:
    """The org-made relations whose parent is deleted: only those are settled now. One whose
    parent could not be deleted stays for the next reset, untouched: deleting an Event's What row
    by itself would clear the Event's WhatId, and the Event would no longer be the one we made."""
    parents = state.items_by_signature(target, [r.parent_signature or "" for r in rows])
    gone = {sig for sig, row in parents.items() if row.status == "deleted"}
    return [r for r in rows if r.parent_signature in gone]


@dataclass
class ResetReport:
    run_id: str
    org_id: str
    planned: dict[str, int]  # record type -> records to delete
    deleted: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # record type -> not ours: kept
    skipped_untagged: int = 0  # of those, tag mode: the run tag or signature differs
    dry_run: bool = False
    cancelled: bool = False
    targets: dict[str, dict[str, int]] = field(default_factory=dict)  # target -> deleted counts
    updates: dict[str, int] = field(default_factory=dict)  # restored / kept / gone / failed

    @property
    def ok(self) -> bool:
        return not self.failed and not self.updates.get("failed")

    def asdict(self) -> dict[str, Any]:
        return {**self.__dict__, "skipped_total": sum(self.skipped.values()), "ok": self.ok}


def reset(
    config: Config,
    secrets: Secrets,
    run_id: str,
    *,
    dry_run: bool = False,
    confirm: Callable[[ResetReport], bool] = lambda _: True,
    progress: Progress = NULL_PROGRESS,
) -> ResetReport:
    """Delete what *run_id* created in each target; *confirm* sees the plan first and may cancel."""
    state = StateStore.open_readonly(config.state.url) if dry_run else StateStore(config.state.url)
    try:
        run = state.get_run(run_id)
        if run is None:
            raise UsageError(f"unknown run id: {run_id}", hint="`demo-gen status` lists the runs")
        with open_targets(config, secrets) as opened:
            if opened.source.org_id != run.org_id:
                raise UsageError(
                    f"run {run_id} was made in org {run.org_id}, but the configuration points "
                    f"at org {opened.source.org_id}",
                    hint="pass the configuration that run used with -c",
                )
            targets = targets_of_run(state, run_id, opened.targets)
            updated = _updated_calendars(state, run_id, opened.targets)
            if dry_run:
                return _plan(state, run_id, run.org_id, dry_run=True)
            with ExitStack() as held:
                keys = {opened.source.key, *(t.key for t in targets), *(t.key for t in updated)}
                for key in sorted(keys):
                    held.enter_context(state.lock(run.pack, key, owner=f"reset:{run_id}"))
                return reset_targets(
                    targets, state, config, run_id, run.org_id, confirm, progress,
                    source=opened.source, updated=updated,
                )  # fmt: skip
    finally:
        state.close()


def targets_of_run(state: StateStore, run_id: str, opened: Sequence[Target]) -> list[Target]:
    """The open targets the run's rows live in; a usage error for one the configuration lacks."""
    keys = sorted({r.target for r in state.run_items(run_id)})
    by_key = {t.key: t for t in opened}
    absent = [k for k in keys if k not in by_key]
    if absent:
        raise UsageError(
            f"run {run_id} wrote to {', '.join(absent)}, which the configuration does not name",
            hint="pass the configuration that run used with -c",
        )
    return [by_key[k] for k in keys]


def _updated_calendars(state: StateStore, run_id: str, opened: Sequence[Target]) -> list[Updatable]:
    """The calendar targets the run updated (commands/refresh_calendars.py), to restore too; a
    usage error for one the configuration lacks."""
    from demo_gen.commands.refresh_calendars import calendar_targets

    keys = {r.target for r in UpdateLedger(state).of_run(run_id)}
    found: list[Updatable] = [t for t in calendar_targets(opened) if t.key in keys]
    absent = sorted(keys - {t.key for t in found} - {t.key for t in opened})
    if absent:
        raise UsageError(
            f"run {run_id} updated {', '.join(absent)}, which the configuration does not name",
            hint="pass the configuration that run used with -c",
        )
    return found


def _plan(state: StateStore, run_id: str, org_id: str, *, dry_run: bool) -> ResetReport:
    planned: dict[str, int] = {}
    for row in state.run_items(run_id, {"created", "pending"}):
        planned[row.record_type] = planned.get(row.record_type, 0) + 1
    report = ResetReport(run_id, org_id, planned, dry_run=dry_run)
    restorable = len(UpdateLedger(state).of_run(run_id, ("done", "pending")))
    if restorable:
        report.updates = {"to_restore": restorable}
    return report


def reset_targets(
    targets: Sequence[Target],
    state: StateStore,
    config: Config,
    run_id: str,
    org_id: str,
    confirm: Callable[[ResetReport], bool] = lambda _: True,
    progress: Progress = NULL_PROGRESS,
    *,
    source: Updatable | None = None,
    updated: Sequence[Updatable] = (),
) -> ResetReport:
    """Reset `run_id` in each of `targets` (open, locked): settle, verify, keep, delete; the
    updates the run made in `source` (the org) and in `updated` (calendars) are restored before
    anything is deleted (ledger/update_protocol.py)."""
    with RunLog(config.run.runs_dir, run_id) as log:
        for target in targets:
            _settle(target, state, run_id, log)
        report = _plan(state, run_id, org_id, dry_run=False)
        if not confirm(report):
            report.cancelled = True
            return report
        _restore([*([source] if source is not None else []), *updated], state, run_id, report, log)
        keys = {t.key for t in targets}
        rows = [r for r in state.run_items(run_id, {"created"}) if r.target in keys]
        progress.phase("deleting", len(rows))
        log.event("reset.started", records=len(rows))
        for target in targets:
            mine = [r for r in rows if r.target == target.key]
            _reset_target(target, state, mine, report, log, progress)
        log.event(
            "reset.finished",
            deleted=report.deleted,
            failed=report.failed,
            skipped=report.skipped,
            targets=report.targets,
        )
    status = "reset" if report.ok else "reset_partial"
    state.record_reset(run_id, status, json.dumps({**report.asdict(), "finished_at": utc_now()}))
    return report


def _restore(
    targets: Sequence[Updatable], state: StateStore, run_id: str, report: ResetReport, log: RunLog
) -> None:
    """Put back the before-values of the run's updates in each of `targets`."""
    if not targets:
        return
    report.updates = {}
    for target in targets:
        restored = restore(target, UpdateLedger(state), run_id, log.event).asdict()
        for name, count in restored.items():
            report.updates[name] = report.updates.get(name, 0) + count
    log.event("reset.updates", counts=report.updates)


def _reset_target(
    target: Target,
    state: StateStore,
    rows: Sequence[ItemRow],
    report: ResetReport,
    log: RunLog,
    progress: Progress,
) -> None:
    """Verify every row of one target before the first delete, keep what is not ours, delete
    the rest kind by kind."""
    verdicts = target.verify(rows, state, stamped=True)
    _keep_what_goes_with_kept(verdicts, rows)
    _record_kept(target, state, rows, verdicts, report, log)
    for row in verdicts.gone:
        _count(report, target, row, report.deleted)
    state.mark_deleted(target.key, [r.signature for r in verdicts.gone])
    progress.advance(len(rows) - len(verdicts.same))
    for kind in RESET_ORDER:
        batch = [r for r in verdicts.same if r.kind == kind]
        if kind in _ORG_MADE:
            batch = _with_parent_gone(state, target.key, batch)
        _delete(target, state, batch, report, log)
        progress.advance(len(batch))


def _count(report: ResetReport, target: Target, row: ItemRow, into: dict[str, int]) -> None:
    into[row.record_type] = into.get(row.record_type, 0) + 1
    if into is report.deleted:
        per = report.targets.setdefault(target.key, {})
        per[row.record_type] = per.get(row.record_type, 0) + 1


def _settle(target: Target, state: StateStore, run_id: str, log: RunLog) -> None:
    """Settle the run's pending rows in `target`; own what it made for the run's records."""
    pending = [r for r in state.run_items(run_id, {"pending"}) if r.target == target.key]
    if pending:
        settle_pending(target, state, log, pending)
    created = [r for r in state.run_items(run_id, {"created"}) if r.target == target.key]
    catch_up(target, state, log, created)


def _keep_what_goes_with_kept(verdicts: Verdicts, rows: Sequence[ItemRow]) -> None:
    """Keep, too, what deleting would take a kept record along with: the parent of a kept record
    (an Event and its relations, a scorecard and its answers, an email and its relations), and an
    email and its Task either way round (the org deletes them together)."""
    mine = {r.signature for r in verdicts.same}
    kept = verdicts.foreign
    grown = True
    while grown:
        grown = False
        for row in rows:
            parent = row.parent_signature or ""
            if row.signature in kept and parent in mine and parent not in kept:
                kept[parent] = "a record under it is kept, and would go with it"
                grown = True
            if row.kind == EMAIL_TASK and parent in kept and row.signature in mine - kept.keys():
                kept[row.signature] = "its email is kept, and the org deletes the two together"
                grown = True
    verdicts.same = [r for r in verdicts.same if r.signature not in kept]


def _record_kept(
    target: Target,
    state: StateStore,
    rows: Sequence[ItemRow],
    verdicts: Verdicts,
    report: ResetReport,
    log: RunLog,
) -> None:
    """Report each kept record (`reset.skipped`) and mark its row foreign, never to be retried."""
    for row in rows:
        why = verdicts.foreign.get(row.signature)
        if why is None:
            continue
        _count(report, target, row, report.skipped)
        report.skipped_untagged += int(row.signature in verdicts.unstamped)
        log.event(
            "reset.skipped",
            level="warning",
            opportunity_id=row.opportunity_id,
            kind=row.kind,
            signature=row.signature,
            target=target.key,
            remote_id=row.remote_id,
            sobject=row.record_type,
            reason=why,
        )
    state.mark_foreign(target.key, verdicts.foreign)


def _delete(
    target: Target,
    state: StateStore,
    rows: Sequence[ItemRow],
    report: ResetReport,
    log: RunLog,
) -> None:
    for start in range(0, len(rows), BATCH_LIMIT):
        chunk = rows[start : start + BATCH_LIMIT]
        results = target.delete(chunk)
        crash_point(f"reset:sent:{chunk[0].kind}")
        gone = []
        for row, result in zip(chunk, results, strict=True):
            if result.success:
                gone.append(row.signature)
                _count(report, target, row, report.deleted)
            else:
                _count(report, target, row, report.failed)
                log.error(
                    signature=row.signature,
                    target=target.key,
                    remote_id=row.remote_id,
                    kind=row.kind,
                    error_code=result.error_code,
                    message=result.message,
                )
        state.mark_deleted(target.key, gone)
