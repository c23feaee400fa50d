"""One Bulk API 2.0 ingest job per record type and level for a whole run (docs/adr/0009-bulk-
jobs-span-the-run.md), from the items `bulk_spool.BulkSpool` kept on disk.

Per record type, parents first, then their links:

    per batch of spooled items (SPOOL_BATCH): drop what is created already (an invitee the org
    made with its Event was adopted), defer a link whose parent was not created, fill the links'
    parent ids from the ledger, price the rows as CSV (one header for the whole type), append
    them to the job's file on disk, mark them pending (commit)
    ... until the next batch would take the file past the upload limit: then that file is one
    job, and the rest start another
    per job, as bulk_writer.py:  pending:KIND → open, job id + rows (commit) bulk:job:KIND →
    upload bulk:uploaded:KIND → close, wait sent:KIND → results bulk:results:KIND → read back
    and record per 200 (commit) → forget created:KIND

Every row is pending (committed) before the job that carries it opens; the job id and its rows
are committed before the upload; the outcome after. A kill anywhere leaves pending rows that are
either tied to a recorded job (settled by its id on resume) or to none (found by signature):
the protocol of one chunk's job, unchanged.

The jobs of one level overlap by one: once a job is uploaded, its close and wait run on a
worker thread while this one settles the job before it (its results, read-back and ledger
commits) and fills the next, so the org processes one job while the client records another
instead of each waiting on the other. A level's jobs are all settled before the next level
reads their ids. A new job opens beside one in flight only while the API budget has room for
both (the one in flight counted at what settling it through REST would cost), so a run still
stops at its budget. A kill finds at most two jobs in flight, both recorded: each is settled
by its id.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from demo_gen.commands.progress import NULL_PROGRESS, Progress
from demo_gen.commands.summary import COUNT_KEYS
from demo_gen.errors import AuthError, LimitError, TargetError
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.bulk_jobs import BulkJob, BulkLedger, JobRow, row_key
from demo_gen.ledger.bulk_settle import JobScratch, batches, settle_job
from demo_gen.ledger.bulk_spool import BulkSpool
from demo_gen.ledger.bulk_writer import NOT_SENT
from demo_gen.ledger.items import Known
from demo_gen.ledger.protocol import catch_up
from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import ItemRow, StateStore, created_ids
from demo_gen.ledger.writer import WriteSettings, pending_row
from demo_gen.stages.items import INVITEE, WorkItem
from demo_gen.targets.salesforce.bulk import MAX_UPLOAD_BYTES, bulk_calls, to_csv
from demo_gen.targets.salesforce.target import SalesforceTarget

SPOOL_BATCH = 2000
"""Spooled items read back, priced and marked pending at a time (what a batch holds in memory)."""

Counts = dict[str, dict[str, int]]


class _AnyIds(Mapping[str, str]):
    """Every signature has an id: how a record's columns are known before its parent exists."""

    def __getitem__(self, key: str) -> str:
        return "-"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def record_columns(target: SalesforceTarget, item: WorkItem, run_id: str) -> list[str]:
    """The CSV columns `item`'s record will have (parent ids and tags included)."""
    record = target.records([item], _AnyIds(), run_id)[0]
    return [k for k in record if k != "attributes"]


@dataclass
class _Job:
    """One job's rows before it opens, on disk: their CSV, and their keys (which settling the
    job matches its results to); in memory only how many there are of each kind."""

    file: IO[bytes]  # the upload: the header line, then each row's, as UTF-8
    record_type: str
    rows: JobScratch = field(default_factory=JobScratch)
    kinds: Counter[str] = field(default_factory=Counter)  # kind -> rows
    size: int = 0


@dataclass(frozen=True)
class _Flight:
    """An uploaded job the org is processing: its close (UploadComplete) runs on the worker
    thread — a real org answers at once, the local org once it has processed the job."""

    job: _Job
    recorded: BulkJob
    kind: str
    closed: Future[dict[str, Any] | None]  # the close's answer (None: it was lost)


class SpanWriter:
    """Writes a spooled run in one job per record type and level (more only past the upload
    limit); `counts` by kind as `summary.tally` gives them, `calls` its API requests."""

    def __init__(
        self,
        target: SalesforceTarget,
        state: StateStore,
        log: RunLog,
        settings: WriteSettings,
        progress: Progress = NULL_PROGRESS,
        limit: int | None = None,
    ) -> None:
        self._target = target
        self._state = state
        self._log = log
        self._s = settings
        self._progress = progress
        self._limit = MAX_UPLOAD_BYTES if limit is None else limit  # one job's CSV, at most
        self._planned: list[ItemRow] = []
        self.counts: Counts = {}
        self.owned: Counter[str] = Counter()
        self.jobs = 0
        self.calls = 0
        self._started = target.calls
        self._flight: _Flight | None = None
        self._pool: ThreadPoolExecutor | None = None

    def write(self, spool: BulkSpool) -> None:
        before = self._started = self._target.calls
        self._planned = self._invitees(spool)
        self._log.event("bulk.span", records=dict(spool.counts), invitees=len(self._planned))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-job") as pool:
            self._pool = pool
            for links in (False, True):
                types = spool.record_types(links)
                what = "adding invitees and recipients" if links else "creating meetings and emails"
                self._progress.phase(what, sum(spool.counts[t] for t in types))
                for record_type in types:
                    self._write_type(spool, record_type, links)
                self._land()  # the next level reads this one's ids
                self._planned = []  # only an Event's read-back adopts planned invitees
        self._pool = None
        self._catch_up(spool)
        self.calls = self._target.calls - before

    def _invitees(self, spool: BulkSpool) -> list[ItemRow]:
        """The planned invitees, which an Event's read-back adopts when the org made them."""
        key = self._target.key
        return [
            pending_row(i, self._s, key)
            for t in spool.record_types(True)
            if spool.holds(t, INVITEE)  # not the emails' relations, many more
            for batch in spool.batches(t, SPOOL_BATCH)
            for i in batch
            if i.kind == INVITEE
        ]

    def _write_type(self, spool: BulkSpool, record_type: str, links: bool) -> None:
        """The spooled items of one record type in as few jobs as the upload limit allows."""
        header = tuple(sorted(spool.columns[record_type]))
        head = _line(header).encode("utf-8")
        job: _Job | None = None
        for batch in spool.batches(record_type, SPOOL_BATCH):
            todo, ids, known = self._ready(batch, links)
            rows = to_csv(self._target.records(todo, ids, self._s.run_id), header).rows
            lines = [_line(cells).encode("utf-8") for cells in rows]
            start = 0
            while start < len(todo):
                if job is None and not self._room_beside(self._flight):
                    self._land()  # its settling could spend what this job's would need
                if job is None and self._budget_spent():
                    self._count(todo[start:], "deferred")
                    break
                if job is None:
                    # closed by `_send` once uploaded (a temporary file either way)
                    spooled = tempfile.TemporaryFile()  # noqa: SIM115
                    spooled.write(head)
                    job = _Job(spooled, record_type, size=len(head))
                end = self._fill(job, todo, rows, lines, start, known)
                if end < len(todo):  # the next row would take the upload past the limit
                    self._send(job, header)
                    job = None
                start = end
        if job is not None:
            self._send(job, header)

    def _fill(
        self,
        job: _Job,
        todo: Sequence[WorkItem],
        rows: Sequence[Sequence[str]],
        lines: Sequence[bytes],
        start: int,
        known: Known,
    ) -> int:
        """Add rows from `start` to `job` while its upload stays under the limit (one row at
        least): pending first (commit), then their CSV on disk. The index after the last.
        `known`: the rows' ledger states as `_ready` read them (not read again)."""
        end, size = start, job.size
        while end < len(todo):
            weight = len(lines[end])
            if size + weight > self._limit and (end > start or job.rows):
                break
            size += weight
            end += 1
        if end == start:
            return end
        key = self._target.key
        self._state.mark_pending([pending_row(i, self._s, key) for i in todo[start:end]], known)
        first = job.rows.size
        taken = list(zip(todo[start:end], rows[start:end], strict=True))
        job.rows.add(JobRow(first + n, item.signature, row_key(cells))
                     for n, (item, cells) in enumerate(taken))  # fmt: skip
        job.kinds.update(item.kind for item, _ in taken)
        job.file.writelines(lines[start:end])
        job.size = size
        return end

    def _ready(
        self, batch: list[WorkItem], links: bool
    ) -> tuple[list[WorkItem], dict[str, str], Known]:
        """The items of `batch` to send, the ids their records need (a link's parent, an
        answer's evidence) and the items' ledger states, from one read of the ledger; counts
        what is created already or blocked."""
        wanted = [i.signature for i in batch]
        if links:
            wanted += [p for i in batch for p in (i.parent or "", *i.evidence) if p]
        ledger = self._state.items_by_signature(self._target.key, wanted)
        ids = created_ids(ledger)
        known = {
            i.signature: (row.status, row.remote_id) if (row := ledger.get(i.signature)) else None
            for i in batch
        }
        adopted = [i for i in batch if i.signature in ids]  # the org made it with its parent
        blocked = [i for i in batch if links and i.signature not in ids and i.parent not in ids]
        self._count(adopted, "created")
        self._count(blocked, "deferred")
        done = {i.signature for i in adopted + blocked}
        return [i for i in batch if i.signature not in done], ids, known

    def _room_beside(self, flight: _Flight | None) -> bool:
        """Whether the budget leaves room for the job in flight's settling (at most what the
        REST read-back of its rows would cost) beside a new job: else the new one waits."""
        if flight is None or self._s.max_calls is None:
            return True
        spent = self._target.calls - self._started
        return spent + bulk_calls(flight.job.rows.size, 1) < self._s.max_calls

    def _budget_spent(self) -> bool:
        """The writes' API budget is spent (the requests of this writer, reads included)."""
        spent = self._target.calls - self._started
        return self._s.max_calls is not None and spent >= self._s.max_calls

    def _send(self, job: _Job, header: tuple[str, ...]) -> None:
        """Upload `job` and leave the org processing it; then settle the job sent before."""
        flight = self._launch(job, header)
        self._land()
        self._flight = flight

    def _launch(self, job: _Job, header: tuple[str, ...]) -> _Flight | None:
        """Open the job (its id and rows recorded), upload it, and close it on the worker
        thread; None when no job was opened or its upload failed (outcomes tallied)."""
        kind = next(iter(job.kinds))
        crash_point(f"pending:{kind}")
        with job.file:  # uploaded from disk as it is read: a job's CSV is up to 100 MB
            try:
                recorded = self._open(job, header, kind)
            except (AuthError, LimitError):
                job.rows.close()
                raise
            except TargetError as exc:  # no job: nothing can have been created
                self._not_sent(job, exc)
                return None
            channel = self._target.bulk()
            try:
                job.file.flush()  # its size on disk is the upload's Content-Length
                channel.upload(recorded.job_id, job.file)
            except (AuthError, LimitError):
                job.rows.close()
                raise  # the job id is recorded: the next run settles it
            except TargetError as exc:  # the job may have loaded rows: pending, tied to the job
                self._unconfirmed(job, exc)
                return None
        crash_point(f"bulk:uploaded:{kind}")
        assert self._pool is not None, "jobs are sent inside write()"
        return _Flight(job, recorded, kind, self._pool.submit(channel.close, recorded.job_id))

    def _land(self) -> None:
        """Wait for the job in flight to end (polled here, where Ctrl-C stops it), and settle it."""
        flight, self._flight = self._flight, None
        if flight is None:
            return
        job = flight.job
        with job.rows:
            try:
                info = self._target.bulk().ended(flight.recorded.job_id, flight.closed.result())
            except (AuthError, LimitError):
                raise  # the job id is recorded: the next run settles it
            except TargetError as exc:
                self._unconfirmed(job, exc)
                return
            crash_point(f"sent:{flight.kind}")
            done = settle_job(self._target, self._state, self._log, flight.recorded, job.rows,
                              info, self._planned, keep=False)  # fmt: skip
        for (kind, outcome), n in done.counts.items():
            _bump(self.counts, kind, outcome, n)
        self.owned.update(done.owned_kinds)
        self._progress.advance(job.rows.size)

    def _not_sent(self, job: _Job, exc: TargetError) -> None:
        """No job opened: nothing of it can have been created; its rows fail (a commit per
        `ROWS_AT_ONCE`: each leaves the rows it did not reach pending, which a rerun sends)."""
        with job.rows:
            for part in batches(job.rows.rows()):
                failures = {r.signature: (NOT_SENT[0], f"{NOT_SENT[1]} ({exc})") for r in part}
                self._state.record_batch(self._target.key, {}, failures, {}, ())
        self._tally(job, "failed")
        self._log.event("bulk.not_sent", level="warning", records=job.rows.size, error=str(exc))

    def _unconfirmed(self, job: _Job, exc: TargetError) -> None:
        """The job may have loaded rows: they stay pending, tied to the job, for the next run."""
        job.rows.close()
        self._tally(job, "deferred")
        self._log.event("batch.unconfirmed", level="warning", records=job.rows.size,
                        error=str(exc))  # fmt: skip

    def _open(self, job: _Job, header: tuple[str, ...], kind: str) -> BulkJob:
        """Open the job and commit its id and rows before anything is uploaded."""
        record_type = job.record_type
        external = self._target.upsert_field(record_type)
        operation = "upsert" if external else "insert"
        job_id = self._target.bulk().open(record_type, operation, external)
        recorded = BulkJob(self._target.key, job_id, self._s.pack, self._s.run_id, record_type,
                           kind, operation, header, "open")  # fmt: skip
        BulkLedger(self._state).record_job(recorded, job.rows.rows())
        crash_point(f"bulk:job:{kind}")
        self.jobs += 1
        self._log.event("bulk.job", job_id=job_id, sobject=record_type, operation=operation,
                        records=job.rows.size, bytes=job.size, spans_run=True)  # fmt: skip
        return recorded

    def _catch_up(self, spool: BulkSpool) -> None:
        """Own what the org made for the created parents and the ledger lacks (a failed
        read-back), as `writes.org_made_counts` does after a chunk."""
        for record_type in spool.record_types(False):
            for batch in spool.batches(record_type, SPOOL_BATCH):
                ledger = self._state.items_by_signature(
                    self._target.key, [i.signature for i in batch]
                )
                created = [r for r in ledger.values() if r.status == "created"]
                caught = catch_up(self._target, self._state, self._log, created)
                self.owned.update(row.kind for row in caught)

    def _count(self, items: Sequence[WorkItem], outcome: str) -> None:
        for item in items:
            _bump(self.counts, item.kind, outcome)

    def _tally(self, job: _Job, outcome: str) -> None:
        """Every row of `job` had `outcome`."""
        for kind, n in job.kinds.items():
            _bump(self.counts, kind, outcome, n)


def _line(cells: Sequence[str]) -> str:
    """One CSV line as `bulk.to_csv` writes it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _bump(counts: Counts, kind: str, outcome: str, n: int = 1) -> None:
    bucket = counts.setdefault(kind, dict.fromkeys(COUNT_KEYS, 0))
    bucket[outcome] += n
