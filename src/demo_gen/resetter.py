"""reset RUN_ID: delete from the org exactly the records that run created, and nothing else.

Pending rows of the run are reconciled first (so a crashed run can be reset), and the Task behind
each of its EmailMessages is looked up by ActivityId and owned if no row recorded it yet (a run
killed before recording it). Then every record is read back and compared with the ledger's
identity snapshot (identity.py; in tag mode also its run tag and signature), all before the first
delete: a different record is never deleted — it is reported (`reset.skipped`) and its row marked
`foreign`, so no later reset tries it again — and neither is what deleting would take along with
it (its parent; an email and its Task go together). The rest is deleted kind by kind, links
before their parents; a record already gone counts as deleted, so an interrupted reset is simply
run again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from demo_gen.calendars.step import reset_calendar_copies
from demo_gen.calendars.sync import SOBJECT, scope
from demo_gen.config import Config, Secrets
from demo_gen.crm import SalesforceCrm, open_crm
from demo_gen.errors import UsageError
from demo_gen.faultpoints import crash_point
from demo_gen.identity import Verdicts, verify
from demo_gen.items import ANSWER, DELETE_ORDER, EMAIL, EMAIL_TASK, MEETING, SCORECARD
from demo_gen.orgmade import EVENT_RELATION, TASK_RELATION
from demo_gen.progress import NULL_PROGRESS, Progress
from demo_gen.readback import own_email_tasks
from demo_gen.reconcile import log_reconciliation, reconcile
from demo_gen.runlog import RunLog, utc_now
from demo_gen.state import ItemRow, StateStore

_GONE = ("ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY")
_STAMPED = (MEETING, EMAIL, SCORECARD, ANSWER)  # tag mode writes the run tag on these kinds
RESET_ORDER = (*DELETE_ORDER, EVENT_RELATION, TASK_RELATION)
"""Links before their parents; the relations the org made for an Event or a Task go with it (a
real org deletes them with their parent: they are then found gone and counted)."""
_ORG_MADE = (EVENT_RELATION, TASK_RELATION)


def _with_parent_gone(state: StateStore, org_id: str, rows: Sequence[ItemRow]) -> list[ItemRow]:
    """The org-made relations whose parent is deleted: only those are settled now. One whose
    parent could not be deleted stays for the next reset, untouched: deleting an Event's What row
    by itself would clear the Event's WhatId, and the Event would no longer be the one we made."""
    parents = state.items_by_signature(org_id, [r.parent_signature or "" for r in rows])
    gone = {sig for sig, row in parents.items() if row.status == "deleted"}
    return [r for r in rows if r.parent_signature in gone]


@dataclass
class ResetReport:
    run_id: str
    org_id: str
    planned: dict[str, int]  # sObject -> records to delete
    deleted: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # sObject -> not ours any more: kept
    skipped_untagged: int = 0  # of those, tag mode: the run tag or signature differs
    dry_run: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

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
    """Delete what *run_id* created; *confirm* sees the plan first and may cancel."""
    state = StateStore.open_readonly(config.state.url) if dry_run else StateStore(config.state.url)
    try:
        run = state.get_run(run_id)
        if run is None:
            raise UsageError(f"unknown run id: {run_id}", hint="`demo-gen status` lists the runs")
        with open_crm(config, secrets) as crm:
            org_id = crm.org_id()
            if org_id != run.org_id:
                raise UsageError(
                    f"run {run_id} was made in org {run.org_id}, but the configuration points "
                    f"at org {org_id}",
                    hint="pass the configuration that run used with -c",
                )
            if dry_run:
                return _plan(state, run_id, org_id, dry_run=True)
            with state.lock(run.pack, org_id, owner=f"reset:{run_id}"):
                return _reset(crm, state, config, secrets, run_id, org_id, confirm, progress)
    finally:
        state.close()


def _org_rows(state: StateStore, run_id: str, org_id: str, statuses: set[str]) -> list[ItemRow]:
    """The run's rows of the org itself (calendar copies are kept under their own scope)."""
    return [r for r in state.run_items(run_id, statuses) if r.org_id == org_id]


def _plan(state: StateStore, run_id: str, org_id: str, *, dry_run: bool) -> ResetReport:
    planned: dict[str, int] = {}
    for row in state.run_items(run_id, {"created", "pending"}):
        planned[row.sobject] = planned.get(row.sobject, 0) + 1
    return ResetReport(run_id, org_id, planned, dry_run=dry_run)


def _reset(
    crm: SalesforceCrm,
    state: StateStore,
    config: Config,
    secrets: Secrets,
    run_id: str,
    org_id: str,
    confirm: Callable[[ResetReport], bool],
    progress: Progress,
) -> ResetReport:
    with RunLog(config.run.runs_dir, run_id) as log:
        _settle(crm, state, config, run_id, org_id, log)
        report = _plan(state, run_id, org_id, dry_run=False)
        if not confirm(report):
            report.cancelled = True
            return report
        _reset_calendars(config, secrets, state, log, run_id, org_id, report)
        rows = _org_rows(state, run_id, org_id, {"created"})
        progress.phase("deleting", len(rows))
        log.event("reset.started", records=len(rows))
        check = None
        if config.run.idempotency_mode == "tag":
            check = TagCheck(config.run.run_tag_field, config.run.signature_field)
        verdicts = _verified(crm, state, org_id, rows, check)
        _keep_what_goes_with_kept(verdicts, rows)
        _record_kept(state, org_id, rows, verdicts, report, log, check)
        for row in verdicts.gone:
            report.deleted[row.sobject] = report.deleted.get(row.sobject, 0) + 1
        state.mark_deleted(org_id, [r.signature for r in verdicts.gone])
        progress.advance(len(rows) - len(verdicts.same))
        for kind in RESET_ORDER:
            batch = [r for r in verdicts.same if r.kind == kind]
            if kind in _ORG_MADE:
                batch = _with_parent_gone(state, org_id, batch)
            _delete(crm, state, org_id, batch, report, log)
            progress.advance(len(batch))
        log.event(
            "reset.finished",
            deleted=report.deleted,
            failed=report.failed,
            skipped=report.skipped,
        )
    status = "reset" if report.ok else "reset_partial"
    state.record_reset(run_id, status, json.dumps({**report.asdict(), "finished_at": utc_now()}))
    return report


def _settle(
    crm: SalesforceCrm, state: StateStore, config: Config, run_id: str, org_id: str, log: RunLog
) -> None:
    """Reconcile the run's pending rows; own the Tasks of its emails that no row recorded yet."""
    tag = config.run.signature_field if config.run.idempotency_mode == "tag" else None
    pending = _org_rows(state, run_id, org_id, {"pending"})
    if pending:
        log_reconciliation(log, reconcile(crm, state, org_id, pending, tag_field=tag), pending)
    own_email_tasks(crm, state, log, org_id, _org_rows(state, run_id, org_id, {"created"}))


def _reset_calendars(
    config: Config,
    secrets: Secrets,
    state: StateStore,
    log: RunLog,
    run_id: str,
    org_id: str,
    report: ResetReport,
) -> None:
    """The run's calendar copies first (calendars/sync.py): deleted if unchanged, else kept."""
    counts = reset_calendar_copies(config, secrets, state, log, run_id, org_id)
    if counts is None:
        if any(r.org_id == scope(org_id) for r in state.run_items(run_id, {"created"})):
            report.failed[SOBJECT] = report.failed.get(SOBJECT, 0) + 1
            why = "this run wrote to CalDAV calendars; enable calendar to reset them"
            log.event("reset.calendar_skipped", level="warning", message=why)
        return
    if counts.deleted:
        report.deleted[SOBJECT] = counts.deleted
    if counts.kept:
        report.skipped[SOBJECT] = counts.kept


@dataclass(frozen=True)
class TagCheck:
    """Tag mode: the records demo-gen stamped must still carry this run's tag and signature."""

    run_field: str
    signature_field: str

    @property
    def fields(self) -> tuple[str, str]:
        return (self.run_field, self.signature_field)

    def __call__(self, row: ItemRow, record: Mapping[str, Any]) -> str | None:
        """Why the record's stamp says it is not this row's, or None."""
        if row.kind not in _STAMPED:
            return None
        if record.get(self.run_field) != row.run_id:
            return f"{self.run_field} is {record.get(self.run_field)!r}, not this run"
        if record.get(self.signature_field) != row.signature:
            return f"{self.signature_field} is {record.get(self.signature_field)!r}, not the row's"
        return None


def _verified(
    crm: SalesforceCrm,
    state: StateStore,
    org_id: str,
    rows: Sequence[ItemRow],
    check: TagCheck | None,
) -> Verdicts:
    """Every record of the run read back and compared with its row, before anything is deleted
    (one query per 200 records of an sObject; the tag fields only where demo-gen stamped them)."""
    out = Verdicts()
    for sobject in sorted({r.sobject for r in rows}):
        group = [r for r in rows if r.sobject == sobject and r.sf_id]
        stamped = any(r.kind in _STAMPED for r in group)
        extra = check.fields if check is not None and stamped else ()
        found = verify(crm, state, org_id, group, check, extra)
        out.same.extend(found.same)
        out.gone.extend(found.gone)
        out.foreign.update(found.foreign)
    return out


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
    state: StateStore,
    org_id: str,
    rows: Sequence[ItemRow],
    verdicts: Verdicts,
    report: ResetReport,
    log: RunLog,
    check: TagCheck | None,
) -> None:
    """Report each kept record (`reset.skipped`) and mark its row foreign, never to be retried."""
    tag_fields = check.fields if check is not None else ()
    for row in rows:
        why = verdicts.foreign.get(row.signature)
        if why is None:
            continue
        report.skipped[row.sobject] = report.skipped.get(row.sobject, 0) + 1
        report.skipped_untagged += int(bool(tag_fields) and why.startswith(tag_fields))
        log.event(
            "reset.skipped",
            level="warning",
            opportunity_id=row.opportunity_id,
            kind=row.kind,
            signature=row.signature,
            sf_id=row.sf_id,
            sobject=row.sobject,
            reason=why,
        )
    state.mark_foreign(org_id, verdicts.foreign)


def _delete(
    crm: SalesforceCrm,
    state: StateStore,
    org_id: str,
    rows: Sequence[ItemRow],
    report: ResetReport,
    log: RunLog,
) -> None:
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        results = crm.delete([r.sf_id or "" for r in chunk])
        crash_point(f"reset:sent:{chunk[0].kind}")
        gone = []
        for row, result in zip(chunk, results, strict=True):
            if result.success or result.error_code in _GONE:
                gone.append(row.signature)
                report.deleted[row.sobject] = report.deleted.get(row.sobject, 0) + 1
            else:
                report.failed[row.sobject] = report.failed.get(row.sobject, 0) + 1
                log.error(
                    signature=row.signature,
                    sf_id=row.sf_id,
                    kind=row.kind,
                    error_code=result.error_code,
                    message=result.message,
                )
        state.mark_deleted(org_id, gone)
