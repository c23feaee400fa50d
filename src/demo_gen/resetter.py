"""reset RUN_ID: delete from the org exactly the records that run created, and nothing else.

Pending rows of the run are reconciled first (so a crashed run can be reset), links go before
their parents, and in tag mode every record's run tag is checked before it is deleted. Records
already gone count as deleted, so a reset that was interrupted is simply run again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from demo_gen.config import Config, Secrets
from demo_gen.crm import SalesforceCrm, open_crm, soql_list
from demo_gen.errors import UsageError
from demo_gen.faultpoints import crash_point
from demo_gen.items import DELETE_ORDER
from demo_gen.progress import NULL_PROGRESS, Progress
from demo_gen.reconcile import reconcile
from demo_gen.runlog import RunLog, utc_now
from demo_gen.state import ItemRow, StateStore

_GONE = ("ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY")
_TAGGED = ("Event", "Task", "EmailMessage")


@dataclass
class ResetReport:
    run_id: str
    org_id: str
    planned: dict[str, int]  # sObject -> records to delete
    deleted: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    skipped_untagged: int = 0
    dry_run: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def asdict(self) -> dict[str, Any]:
        return {**self.__dict__, "ok": self.ok}


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
                return _reset(crm, state, config, run_id, org_id, confirm, progress)
    finally:
        state.close()


def _plan(state: StateStore, run_id: str, org_id: str, *, dry_run: bool) -> ResetReport:
    planned: dict[str, int] = {}
    for row in state.run_items(run_id, {"created", "pending"}):
        planned[row.sobject] = planned.get(row.sobject, 0) + 1
    return ResetReport(run_id, org_id, planned, dry_run=dry_run)


def _reset(
    crm: SalesforceCrm,
    state: StateStore,
    config: Config,
    run_id: str,
    org_id: str,
    confirm: Callable[[ResetReport], bool],
    progress: Progress,
) -> ResetReport:
    tag = config.run.signature_field if config.run.idempotency_mode == "tag" else None
    pending = state.run_items(run_id, {"pending"})
    if pending:
        reconcile(crm, state, org_id, pending, tag_field=tag)
    report = _plan(state, run_id, org_id, dry_run=False)
    if not confirm(report):
        report.cancelled = True
        return report
    rows = state.run_items(run_id, {"created"})
    progress.phase("deleting", len(rows))
    with RunLog(config.run.runs_dir, run_id) as log:
        log.event("reset.started", records=len(rows))
        for kind in DELETE_ORDER:
            batch = [r for r in rows if r.kind == kind and r.sf_id]
            if tag:
                batch = _verified(crm, batch, config.run.run_tag_field, report)
            _delete(crm, state, org_id, batch, report, log)
            progress.advance(len(batch))
        log.event("reset.finished", deleted=report.deleted, failed=report.failed)
    state.finish_run(run_id, "reset" if report.ok else "reset_partial", utc_now(), None)
    return report


def _verified(
    crm: SalesforceCrm, rows: Sequence[ItemRow], tag_field: str, report: ResetReport
) -> list[ItemRow]:
    """Tag mode: keep only records whose run tag says demo-gen made them in this run."""
    out: list[ItemRow] = []
    for sobject in sorted({r.sobject for r in rows}):
        group = [r for r in rows if r.sobject == sobject]
        if sobject not in _TAGGED:
            out.extend(group)
            continue
        tags: dict[str, str | None] = {}
        for start in range(0, len(group), 200):
            ids = [r.sf_id or "" for r in group[start : start + 200]]
            soql = f"SELECT Id, {tag_field} FROM {sobject} WHERE Id IN {soql_list(ids)}"
            tags.update((rec["Id"], rec[tag_field]) for rec in crm.query(soql))
        for row in group:
            if row.sf_id in tags and tags[row.sf_id] != row.run_id:
                report.skipped_untagged += 1
            else:
                out.append(row)  # tagged by this run, or already gone (the delete says so)
    return out


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
