"""The ledger protocol through Bulk API 2.0 jobs: one job per record type and level.

Per job (docs/adr/0007-bulk-api-for-volume.md), with the crash points that place a kill:

    mark_pending (commit)                      pending:KIND
    POST jobs/ingest → job id
    record the job id and its rows (commit)    bulk:job:KIND       (BEFORE any data is sent)
    PUT the CSV                                bulk:uploaded:KIND
    PATCH UploadComplete, poll to the end      sent:KIND
    read the results, map them to rows         bulk:results:KIND
    per 200 rows (per RECORD_BATCH when the job was read back whole through query jobs): read
    back (snapshots, what the org made: an email's Task, an Event's relations) and record
    created/failed with them (commit), exactly as the REST path does;
    forget the job                             created:KIND

Tag mode upserts on the signature field (the org itself refuses duplicates); otherwise the job
inserts. A crashed job is settled on resume by its id (`settle_jobs`): an Open job is aborted
(nothing of it was processed), a running one awaited, a finished one's results recorded; rows
the results do not account for, and the rows of a job the org forgot, go to `Target.find`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from demo_gen.commands.progress import NULL_PROGRESS, Progress
from demo_gen.errors import AuthError, LimitError, TargetError
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.bulk_jobs import BulkJob, BulkLedger, JobRow, row_key
from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.ledger.writer import WriteOutcome, WriteSettings, pending_row
from demo_gen.stages.items import WorkItem
from demo_gen.targets.base import BATCH_LIMIT, ReadBack, WriteResult
from demo_gen.targets.salesforce.bulk import (
    UNPROCESSED,
    Csv,
    JobResults,
    map_results,
    split_jobs,
)
from demo_gen.targets.salesforce.target import SalesforceTarget

RECORD_BATCH = 2000
"""Rows recorded per commit when their read-back is already in memory (a whole job's, read
through query jobs): fewer commits, each still after the job's results; a kill between two
leaves the rest pending, tied to the job, and the next run settles them by its id."""

NOT_SENT = ("NOT_SENT", "the bulk job was not sent: nothing of it reached the org")


@dataclass
class Settled:
    """What recording a finished job did."""

    created: dict[str, str]
    failed: dict[str, tuple[str, str]]
    unknown: list[str]  # rows the results do not account for: still pending
    owned: list[ItemRow]


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
        done = settle_job(self._target, self._state, self._log, job, rows, info, self._planned)
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


def settle_job(
    target: SalesforceTarget,
    state: StateStore,
    log: RunLog,
    job: BulkJob,
    rows: Sequence[JobRow],
    info: Mapping[str, Any] | None,
    planned: Sequence[ItemRow] = (),
) -> Settled:
    """Record a job's outcome on its rows: results mapped back, each 200 read back and recorded
    in one commit with what the org made for them. Rows the results do not account for stay
    pending (`unknown`); when there are none, the job is forgotten."""
    if info is None:
        return Settled({}, {}, [r.signature for r in rows], [])
    ended = _ended(info)
    results = target.bulk().results(job.job_id, info, len(rows), job.header) if ended else None
    mapped = map_results(rows, results or JobResults())
    del results  # the rows' ids are in `mapped`
    crash_point(f"bulk:results:{job.kind}")
    ledger = state.items_by_signature(target.key, [r.signature for r in rows])
    waiting = [r.signature for r in rows if _pending(ledger.get(r.signature))]
    done = Settled({}, {}, [s for s in waiting if s not in mapped], [])
    order = [s for s in waiting if s in mapped]
    made = {s: ledger[s].with_remote_id(r.id) for s in order if (r := mapped[s]).success and r.id}
    read, step = _reader(target, log, job, info, list(made.values()), planned)
    for start in range(0, len(order), step):
        chunk = {s: mapped[s] for s in order[start : start + step]}
        _record(target, state, log, ledger, made, chunk, read, done)
    log.event(
        "bulk.settled",
        job_id=job.job_id,
        sobject=job.record_type,
        state=info.get("state"),
        created=len(done.created),
        failed=len(done.failed),
        unknown=len(done.unknown),
    )
    if not done.unknown:
        BulkLedger(state).forget(target.key, job.job_id)
    crash_point(f"created:{job.kind}")
    return done


def _pending(row: ItemRow | None) -> bool:
    """Only rows still pending take a job's outcome (a row settled since keeps its own)."""
    return row is not None and row.status == "pending"


def _ended(info: Mapping[str, Any]) -> bool:
    return info.get("state") in ("JobComplete", "Failed", "Aborted")


def _record(
    target: SalesforceTarget,
    state: StateStore,
    log: RunLog,
    ledger: Mapping[str, ItemRow],
    made: Mapping[str, ItemRow],
    chunk: Mapping[str, WriteResult],
    read: Reader,
    done: Settled,
) -> None:
    """A chunk of rows' outcome, read back and recorded in one commit, then logged (`made`:
    the created rows with their new ids)."""
    created = {s: r.id for s, r in chunk.items() if r.success and r.id}
    failed = {
        s: (r.error_code or "UNKNOWN", r.message or "")
        for s, r in chunk.items()
        if not (r.success and r.id)
    }
    back = read([made[s] for s in created if s in made])
    known = {s: (ledger[s].status, ledger[s].remote_id) for s in chunk}  # read by settle_job
    state.record_batch(target.key, created, failed, back.identities, back.owned, known=known)
    log.created_many(((ledger[s], i) for s, i in created.items()), "demo-gen", target.key)
    for sig, (code, message) in failed.items():
        if code != UNPROCESSED:  # sent again, like a row the org never saw
            _log_failure(log, target.key, ledger[sig], code, message)
    log.created_many(((row, row.remote_id) for row in back.owned), "org", target.key)
    done.created.update(created)
    done.failed.update(failed)
    done.owned.extend(back.owned)


def _log_failure(log: RunLog, target: str, row: ItemRow, code: str, message: str) -> None:
    fields = {"opportunity_id": row.opportunity_id, "kind": row.kind, "signature": row.signature,
              "target": target, "sobject": row.record_type, "error_code": code,
              "message": message}  # fmt: skip
    log.event("item.failed", level="error", **fields)
    log.error(**fields)


Reader = Callable[[Sequence[ItemRow]], ReadBack]
"""Reads back up to 200 created rows of a job (what `_record` commits with them)."""


def _reader(
    target: SalesforceTarget,
    log: RunLog,
    job: BulkJob,
    info: Mapping[str, Any],
    created: Sequence[ItemRow],
    planned: Sequence[ItemRow],
) -> tuple[Reader, int]:
    """How the job's `created` rows (with their ids) are read back, and how many rows each
    commit records: per 200 through REST, or — for a job of at least
    `salesforce.bulk.query_min_records` rows — all at once through query jobs over the job's
    window (bulk_readback.py); the rows of each `RECORD_BATCH` then take their part of it."""
    since = info.get("createdDate")
    if not since or len(created) < target.bulk_settings.query_min_records:
        return (lambda chunk: _read_back(target, log, chunk, planned)), BATCH_LIMIT
    whole = _read_back(target, log, created, planned, since=str(since))
    log.event(
        "bulk.read_back",
        job_id=job.job_id,
        sobject=job.record_type,
        rows=len(created),
        owned=len(whole.owned),
        since=str(since),
    )
    return parts(whole), RECORD_BATCH


def parts(back: ReadBack) -> Reader:
    """Split one read-back by rows: each chunk of rows gets their snapshots and records, and
    what the org made for them (an owned row whose parent — or its parent's parent, an email
    Task's relation — is one of the rows). Grouped once, so a chunk costs its own size."""
    parent = {o.signature: o.parent_signature for o in back.owned}
    by_root: dict[str | None, list[ItemRow]] = {}
    for row in back.owned:
        root = row.parent_signature
        while root in parent:
            root = parent[root]
        by_root.setdefault(root, []).append(row)

    def part(rows: Sequence[ItemRow]) -> ReadBack:
        sigs = [r.signature for r in rows]
        out = ReadBack(task_relations=back.task_relations)
        out.identities.update((s, back.identities[s]) for s in sigs if s in back.identities)
        out.records.update((s, back.records[s]) for s in sigs if s in back.records)
        out.owned.extend(o for s in sigs for o in by_root.get(s, ()))
        return out

    return part


def _read_back(
    target: SalesforceTarget,
    log: RunLog,
    rows: Sequence[ItemRow],
    planned: Sequence[ItemRow],
    since: str | None = None,
) -> ReadBack:
    """As `writer.LedgerWriter._read_back`: a failed read leaves the org-made records to the
    run's catch-up and to reset, which look them up again by their link."""
    if not rows:
        return ReadBack()
    try:
        return target.read_back(rows, planned=planned, since=since)
    except TargetError as exc:
        log.event("readback.failed", level="warning", sobject=rows[0].record_type, error=str(exc))
        return ReadBack()


def settle_jobs(
    target: SalesforceTarget, state: StateStore, log: RunLog, pending: Sequence[ItemRow]
) -> list[ItemRow]:
    """Settle the pending rows a recorded bulk job holds, by the job's id; returns the pending
    rows left for `Target.find` (no job, a job the org forgot, rows its results miss)."""
    jobs = BulkLedger(state)
    by_job = jobs.jobs_of(target.key, [r.signature for r in pending])
    if not by_job:
        return list(pending)
    settled: set[str] = set()
    for job_id in sorted(by_job):
        found = jobs.job(target.key, job_id)
        if found is None:
            continue
        job, rows = found
        info = _finish(target, job_id)
        done = settle_job(target, state, log, job, rows, info)
        settled.update(done.created)
        settled.update(done.failed)
        if done.unknown:
            log.event(
                "bulk.unknown",
                level="warning",
                job_id=job_id,
                rows=len(done.unknown),
                gone=info is None,
            )
            jobs.forget(target.key, job_id)  # find() settles those rows now, by signature
    return [r for r in pending if r.signature not in settled]


def _finish(target: SalesforceTarget, job_id: str) -> Mapping[str, Any] | None:
    """Bring a recorded job to its end: an Open one (its data may be uploaded, it was never
    closed) is aborted, so none of it is processed; a running one is awaited."""
    channel = target.bulk()
    info = channel.info(job_id)
    if info is not None and info.get("state") == "Open":
        channel.abort(job_id)
        info = channel.info(job_id)
    if info is not None and not _ended(info):
        info = channel.wait(job_id)
    return info


def _by_type(items: Sequence[WorkItem]) -> list[list[WorkItem]]:
    groups: dict[str, list[WorkItem]] = {}
    for item in items:
        groups.setdefault(item.record_type, []).append(item)
    return list(groups.values())
