"""The ledger protocol through Bulk API 2.0 jobs: one job per record type and level.

Per job (docs/adr/0007-bulk-api-for-volume.md), with the crash points that place a kill:

    mark_pending (commit)                      pending:KIND
    POST jobs/ingest → job id
    record the job id and its rows (commit)    bulk:job:KIND       (BEFORE any data is sent)
    PUT the CSV                                bulk:uploaded:KIND
    PATCH UploadComplete, poll to the end      sent:KIND
    read the results, match them to rows       bulk:results:KIND
    per 200 rows (per RECORD_BATCH when the job is read back through query jobs): read back
    (snapshots, what the org made: an email's Task, an Event's relations) and record
    created/failed with them (commit), exactly as the REST path does;
    forget the job                             created:KIND

(the recording: bulk_settle.py). Tag mode upserts on the signature field (the org itself
refuses duplicates); otherwise the job inserts. A crashed job is settled on resume by its id
(`bulk_settle.settle_jobs`): an Open job is aborted (nothing of it was processed), a running one
awaited, a finished one's results recorded; rows the results do not account for, and the rows
of a job the org forgot, go to `Target.find`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from demo_gen.commands.progress import NULL_PROGRESS, Progress
from demo_gen.errors import AuthError, LimitError, TargetError
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.bulk_jobs import BulkJob, BulkLedger, JobRow, row_key
from demo_gen.ledger.bulk_settle import JobScratch, settle_job
from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import StateStore
from demo_gen.ledger.writer import WriteOutcome, WriteSettings, pending_row
from demo_gen.stages.items import WorkItem
from demo_gen.targets.salesforce.bulk import Csv, split_jobs
from demo_gen.targets.salesforce.target import SalesforceTarget

NOT_SENT = ("NOT_SENT", "the bulk job was not sent: nothing of it reached the org")


class BulkLedgerWriter:
    """Sends work items in Bulk API 2.0 jobs and keeps the ledger true at every instant
    (the same `send` contract as `writer.LedgerWriter`)."""

    def __init__(
        self,
        target: SalesforceTarget,
        state: StateStore,
        log: RunLog,
        settings: WriteSettings,
        progress: Progress = NULL_PROGRESS,
        planned: Sequence[WorkItem] = (),
    ) -> None:
        self._target = target
        self._state = state
        self._jobs = BulkLedger(state)
        self._log = log
        self._s = settings
        self._progress = progress
        self._planned = [pending_row(i, settings, target.key) for i in planned if i.parent]
        self.calls = 0

    def send(self, items: Sequence[WorkItem], parent_ids: Mapping[str, str]) -> WriteOutcome:
        """Create *items*, one job per record type (split only when an upload would be too
        large); children take their parent's id from *parent_ids*."""
        outcome = WriteOutcome()
        before = self._target.calls
        for group in _by_type(items):
            records = self._target.records(group, parent_ids, self._s.run_id)
            cuts = [*split_jobs(records), len(group)]
            for start, end in zip(cuts, cuts[1:], strict=False):
                if self._budget_spent(before):
                    outcome.deferred.extend(i.signature for i in group[start:end])
                    continue
                self._job(group[start:end], records[start:end], outcome)
        outcome.calls = self._target.calls - before
        self.calls += outcome.calls
        return outcome

    def _budget_spent(self, before: int) -> bool:
        """The writes' API budget is spent (requests of this writer, both levels, reads too)."""
        spent = self.calls + self._target.calls - before
        return self._s.max_calls is not None and spent >= self._s.max_calls

    def _job(
        self, batch: list[WorkItem], records: list[dict[str, Any]], outcome: WriteOutcome
    ) -> None:
        """One job: pending → open → job recorded → upload → close and wait → settle."""
        kind = batch[0].kind
        self._state.mark_pending([pending_row(i, self._s, self._target.key) for i in batch])
        crash_point(f"pending:{kind}")
        upload = self._target.bulk_csv(records)
        try:
            job, rows = self._open(batch, upload)
        except (AuthError, LimitError):
            raise
        except TargetError as exc:  # no job: nothing can have been created
            self._not_sent(batch, exc, outcome)
            return
        try:
            self._target.bulk().upload(job.job_id, upload.text)
            crash_point(f"bulk:uploaded:{kind}")
            info = self._target.bulk().finish(job.job_id)
        except (AuthError, LimitError):
            raise  # the job id is recorded: the next run settles it
        except TargetError as exc:
            self._unconfirmed(batch, exc, outcome)
            return
        crash_point(f"sent:{kind}")
        with JobScratch(rows) as scratch:
            done = settle_job(self._target, self._state, self._log, job, scratch, info,
                              self._planned)  # fmt: skip
        outcome.created.update(done.created)
        outcome.failed.update(done.failed)
        outcome.deferred.extend(done.unknown)
        outcome.owned.update((row.signature, row) for row in done.owned)
        self._progress.advance(len(batch))

    def _open(self, batch: list[WorkItem], upload: Csv) -> tuple[BulkJob, list[JobRow]]:
        """Open the job and record its id and rows (commit) before anything is uploaded."""
        kind, record_type = batch[0].kind, batch[0].record_type
        external = self._target.upsert_field(record_type)
        operation = "upsert" if external else "insert"
        job_id = self._target.bulk().open(record_type, operation, external)
        job = BulkJob(self._target.key, job_id, self._s.pack, self._s.run_id, record_type, kind,
                      operation, upload.header, "open")  # fmt: skip
        pairs = enumerate(zip(batch, upload.rows, strict=True))
        rows = [JobRow(n, item.signature, row_key(cells)) for n, (item, cells) in pairs]
        self._jobs.record_job(job, rows)
        crash_point(f"bulk:job:{kind}")
        self._log.event(
            "bulk.job", job_id=job_id, sobject=record_type, operation=operation, records=len(batch)
        )
        return job, rows

    def _not_sent(self, batch: list[WorkItem], exc: TargetError, outcome: WriteOutcome) -> None:
        failures = {i.signature: (NOT_SENT[0], f"{NOT_SENT[1]} ({exc})") for i in batch}
        self._state.record_batch(self._target.key, {}, failures, {}, ())
        outcome.failed.update(failures)
        self._log.event(
            "bulk.not_sent",
            level="warning",
            sobject=batch[0].record_type,
            records=len(batch),
            error=str(exc),
        )
        self._progress.advance(len(batch))

    def _unconfirmed(self, batch: list[WorkItem], exc: TargetError, outcome: WriteOutcome) -> None:
        """The job may have loaded rows: they stay pending, tied to the job, for the next run."""
        outcome.deferred.extend(i.signature for i in batch)
        self._log.event(
            "batch.unconfirmed",
            level="warning",
            sobject=batch[0].record_type,
            records=len(batch),
            error=str(exc),
        )
        self._progress.advance(len(batch))


def _by_type(items: Sequence[WorkItem]) -> list[list[WorkItem]]:
    groups: dict[str, list[WorkItem]] = {}
    for item in items:
        groups.setdefault(item.record_type, []).append(item)
    return list(groups.values())
