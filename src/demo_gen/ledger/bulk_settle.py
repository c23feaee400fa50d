"""Recording a finished Bulk job on its ledger rows, a block of rows at a time.

A job's rows, its results and its read-back all go to disk (a private SQLite file each, gone
when the job is recorded), and the job is recorded in blocks: per block, its rows' ledger
states are read, their results taken, what the org made for them read back, and all of it
committed in one transaction. What the client holds follows the block, not the job: a run-wide
job spans a whole run (ADR 0010), and at 9,353 deals one holds 432,732 email relations.

Rows are matched to results as the Bulk API 2.0 gives them back: by `row_key` (the hash of the
uploaded cells, which each result row echoes), identical rows taking the results in upload
order — the successful ones first, then the failed, then the unprocessed. A row in none of the
three files is unknown: it stays pending, tied to the job, and `Target.find` settles it later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from demo_gen.errors import TargetError
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.bulk_jobs import BulkJob, BulkLedger, JobRow
from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.scratch import Scratch
from demo_gen.targets.base import BATCH_LIMIT, ReadBack, WriteResult
from demo_gen.targets.salesforce.bulk import (
    FAILED,
    SUCCESSFUL,
    UNPROCESSED,
    ResultRow,
    parse_error,
)
from demo_gen.targets.salesforce.bulk_readback import WindowFetch
from demo_gen.targets.salesforce.target import SalesforceTarget

RECORD_BATCH = 2000
"""Rows recorded per commit when they are read back through query jobs (the job's window is
on disk, so a block costs no request): fewer commits, each still after the job's results; a
kill between two leaves the rest pending, tied to the job, and the next run settles them by
its id. Read back through REST, a block is one request's `BATCH_LIMIT`."""

_ROWS_READ = 10_000
"""Job rows read from the scratch file at a time (to record them in the ledger, or list them)."""

_SCHEMA = """
CREATE TABLE job_rows (
    position INTEGER PRIMARY KEY, signature TEXT NOT NULL, row_key TEXT NOT NULL
);
CREATE TABLE results (
    seq INTEGER PRIMARY KEY, outcome INTEGER NOT NULL, row_key TEXT NOT NULL, value TEXT NOT NULL
);
CREATE TABLE matched (
    position INTEGER PRIMARY KEY, signature TEXT NOT NULL, outcome INTEGER, value TEXT
);
"""

_MATCH = """
INSERT INTO matched (position, signature, outcome, value)
WITH r AS (
    SELECT position, signature, row_key,
           ROW_NUMBER() OVER (PARTITION BY row_key ORDER BY position) AS nth
    FROM job_rows
), s AS (
    SELECT row_key, outcome, value,
           ROW_NUMBER() OVER (PARTITION BY row_key ORDER BY outcome, seq) AS nth
    FROM results
)
SELECT r.position, r.signature, s.outcome, s.value
FROM r LEFT JOIN s ON s.row_key = r.row_key AND s.nth = r.nth
"""


class JobScratch(Scratch):
    """One job's rows (in upload order) and, once it ended, its results, in a private SQLite
    file on disk. Close it (or use it as a context manager) to delete the file."""

    def __init__(self, rows: Iterable[JobRow] = ()) -> None:
        super().__init__(_SCHEMA)
        self.size = 0
        self._matched = False
        self.add(rows)

    def add(self, rows: Iterable[JobRow]) -> None:
        """More rows of the job, after those it has (their positions are theirs)."""
        count = 0

        def values() -> Iterator[tuple[int, str, str]]:
            nonlocal count
            for row in rows:
                count += 1
                yield row.position, row.signature, row.row_key

        self.db.executemany("INSERT INTO job_rows VALUES (?, ?, ?)", values())
        self.size += count

    def rows(self) -> Iterator[JobRow]:
        """The job's rows in upload order, read `_ROWS_READ` at a time."""
        for page in self._pages("position, signature, row_key FROM job_rows", _ROWS_READ):
            yield from (JobRow(*row) for row in page)

    def _pages(self, select: str, size: int) -> Iterator[list[Any]]:
        """`SELECT {select}` (position first) in position order, `size` rows at a time."""
        after = -1
        while True:
            found = self.db.execute(
                f"SELECT {select} WHERE position > ? ORDER BY position LIMIT ?", (after, size)
            ).fetchall()
            if not found:
                return
            yield found
            after = found[-1][0]

    def add_results(self, results: Iterable[ResultRow]) -> None:
        """The job's result rows, as the channel reads them (each file in its order)."""
        self.db.executemany("INSERT INTO results (outcome, row_key, value) VALUES (?, ?, ?)",
                             results)  # fmt: skip
        self._matched = False

    def _match(self) -> None:
        if not self._matched:
            self.db.execute("DELETE FROM matched")
            self.db.execute(_MATCH)
            self._matched = True

    def successes(self) -> int:
        """Rows a successful result gave an id."""
        self._match()
        found = self.db.execute(
            "SELECT COUNT(*) FROM matched WHERE outcome = ? AND value != ''", (SUCCESSFUL,)
        )
        return int(found.fetchone()[0])

    def blocks(self, size: int) -> Iterator[list[tuple[str, WriteResult | None]]]:
        """Each row's signature and result (None: in no result file) in upload order, `size`
        rows at a time."""
        self._match()
        for page in self._pages("position, signature, outcome, value FROM matched", size):
            yield [(sig, _result(outcome, value)) for _, sig, outcome, value in page]


def _result(outcome: int | None, value: str | None) -> WriteResult | None:
    if outcome is None or value is None:
        return None
    if outcome == SUCCESSFUL:
        return WriteResult(True, value or None)
    if outcome == FAILED:
        code, message, fields = parse_error(value)
        return WriteResult(False, None, code, message, fields)
    return WriteResult(False, None, UNPROCESSED, "the bulk job did not process it")


def batches(rows: Iterable[JobRow], size: int = _ROWS_READ) -> Iterator[list[JobRow]]:
    """`rows` a list of at most `size` at a time."""
    it = iter(rows)
    while part := list(islice(it, size)):
        yield part


@dataclass
class Settled:
    """What recording a finished job did: counted always; with `keep`, also row by row."""

    created: dict[str, str] = field(default_factory=dict)
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # the results miss them: still pending
    owned: list[ItemRow] = field(default_factory=list)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, outcome) -> rows
    owned_kinds: Counter[str] = field(default_factory=Counter)
    read: int = 0  # created rows read back


def settle_job(
    target: SalesforceTarget,
    state: StateStore,
    log: RunLog,
    job: BulkJob,
    rows: JobScratch,
    info: Mapping[str, Any] | None,
    planned: Sequence[ItemRow] = (),
    *,
    keep: bool = True,
) -> Settled:
    """Record a job's outcome on its rows: its results matched to them on disk, then a block
    at a time read back and recorded in one commit with what the org made for them. Rows the
    results do not account for stay pending (`unknown`); when there are none, the job is
    forgotten. `keep`: also return each row's outcome and the owned rows (else only counts)."""
    done = Settled()
    if info is None:
        done.unknown.extend(r.signature for r in rows.rows())
        return done
    if _ended(info):
        rows.add_results(target.bulk().results(job.job_id, info, rows.size, job.header))
    crash_point(f"bulk:results:{job.kind}")
    since = info.get("createdDate")
    queried = bool(since) and rows.successes() >= target.bulk_settings.query_min_records
    window = target.window(str(since)) if queried else None
    try:
        for block in rows.blocks(RECORD_BATCH if window else BATCH_LIMIT):
            _record(target, state, log, block, planned, window, done, keep)
    finally:
        if window is not None:
            window.close()
    if window is not None:
        log.event("bulk.read_back", job_id=job.job_id, sobject=job.record_type, rows=done.read,
                  owned=sum(done.owned_kinds.values()), since=str(since))  # fmt: skip
    outcomes: Counter[str] = Counter()
    for (_, outcome), n in done.counts.items():
        outcomes[outcome] += n
    log.event(
        "bulk.settled",
        job_id=job.job_id,
        sobject=job.record_type,
        state=info.get("state"),
        created=outcomes["created"],
        failed=outcomes["failed"],
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
    block: Sequence[tuple[str, WriteResult | None]],
    planned: Sequence[ItemRow],
    window: WindowFetch | None,
    done: Settled,
    keep: bool,
) -> None:
    """A block of rows' outcome, read back and recorded in one commit, then logged (only rows
    still pending take it)."""
    ledger = state.items_by_signature(target.key, [sig for sig, _ in block])
    chunk: dict[str, WriteResult] = {}
    for sig, result in block:
        if not _pending(ledger.get(sig)):
            continue
        if result is None:
            done.unknown.append(sig)
            done.counts[ledger[sig].kind, "deferred"] += 1
        else:
            chunk[sig] = result
    if not chunk:
        return
    created = {s: r.id for s, r in chunk.items() if r.success and r.id}
    failed = {
        s: (r.error_code or "UNKNOWN", r.message or "")
        for s, r in chunk.items()
        if not (r.success and r.id)
    }
    back = _read_back(target, log, [ledger[s].with_remote_id(i) for s, i in created.items()],
                      planned, window)  # fmt: skip
    known = {s: (ledger[s].status, ledger[s].remote_id) for s in chunk}  # read above
    state.record_batch(target.key, created, failed, back.identities, back.owned, known=known)
    log.created_many(((ledger[s], i) for s, i in created.items()), "demo-gen", target.key)
    for sig, (code, message) in failed.items():
        if code != UNPROCESSED:  # sent again, like a row the org never saw
            _log_failure(log, target.key, ledger[sig], code, message)
    log.created_many(((row, row.remote_id) for row in back.owned), "org", target.key)
    done.counts.update((ledger[s].kind, "created") for s in created)
    done.counts.update((ledger[s].kind, "failed") for s in failed)
    done.owned_kinds.update(row.kind for row in back.owned)
    done.read += len(created)
    if keep:
        done.created.update(created)
        done.failed.update(failed)
        done.owned.extend(back.owned)


def _log_failure(log: RunLog, target: str, row: ItemRow, code: str, message: str) -> None:
    fields = {"opportunity_id": row.opportunity_id, "kind": row.kind, "signature": row.signature,
              "target": target, "sobject": row.record_type, "error_code": code,
              "message": message}  # fmt: skip
    log.event("item.failed", level="error", **fields)
    log.error(**fields)


def _read_back(
    target: SalesforceTarget,
    log: RunLog,
    rows: Sequence[ItemRow],
    planned: Sequence[ItemRow],
    window: WindowFetch | None,
) -> ReadBack:
    """As `writer.LedgerWriter._read_back`: a failed read leaves the org-made records to the
    run's catch-up and to reset, which look them up again by their link."""
    if not rows:
        return ReadBack()
    try:
        return target.read_back(rows, planned=planned, window=window)
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
        job = jobs.job(target.key, job_id)
        if job is None:
            continue
        with JobScratch(jobs.rows(target.key, job_id)) as rows:
            info = _finish(target, job_id)
            done = settle_job(target, state, log, job, rows, info, keep=False)
        unknown = set(done.unknown)
        settled.update(s for s in by_job[job_id] if s not in unknown)
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
