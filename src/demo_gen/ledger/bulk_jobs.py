"""The ledger's record of Bulk API 2.0 jobs (schema 4): which job holds which pending rows.

A bulk write records its rows `pending` (commit), opens the job, and records the job's id with
its rows — their signatures in upload order and the hash of each row's CSV cells (`row_key`) —
in one commit BEFORE any data is uploaded. A process that dies anywhere after that leaves
pending rows the ledger can tie to a job id, so the next run (or reset) reads that job's
results instead of guessing (targets/salesforce/bulk.py `settle_jobs`). Once a job's outcome is
recorded on its rows, `forget` drops its rows here and marks the job `settled`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import delete, insert, select, update

from demo_gen.ledger import schema
from demo_gen.ledger.fastsql import execute_many
from demo_gen.ledger.schema import chunks, now_iso
from demo_gen.ledger.store import StateStore

ROWS_AT_ONCE = 10_000
"""A job's rows written or read per statement batch."""


def row_key(cells: Sequence[str]) -> str:
    """The identity of one uploaded CSV row: a hash of its cells in header order."""
    return hashlib.sha256(json.dumps(list(cells)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BulkJob:
    """A job as the ledger knows it."""

    target: str
    job_id: str
    pack: str
    run_id: str
    record_type: str
    kind: str
    operation: str
    header: tuple[str, ...]
    state: str


@dataclass(frozen=True)
class JobRow:
    """One uploaded row of a job."""

    position: int
    signature: str
    row_key: str


class BulkLedger:
    """Bulk-job bookkeeping on a `StateStore` (its own two tables; items are untouched)."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def record_job(self, job: BulkJob, rows: Iterable[JobRow]) -> None:
        """The job and its rows, in one commit (before the upload); `rows` are taken
        `ROWS_AT_ONCE` at a time (a run-wide job has hundreds of thousands)."""
        values = {
            "target": job.target,
            "job_id": job.job_id,
            "pack": job.pack,
            "run_id": job.run_id,
            "record_type": job.record_type,
            "kind": job.kind,
            "operation": job.operation,
            "header": json.dumps(list(job.header)),
            "state": job.state,
            "created_at": now_iso(),
        }
        j = schema.bulk_jobs.c
        with self._store._write() as conn:
            # an org that re-issues a settled job's id (a local org re-created) replaces it;
            # an unsettled one with the same id is a conflict the insert refuses
            conn.execute(
                delete(schema.bulk_jobs).where(
                    j.target == job.target, j.job_id == job.job_id, j.state == "settled"
                )
            )
            conn.execute(insert(schema.bulk_jobs).values(values))
            it = iter(rows)
            while part := list(islice(it, ROWS_AT_ONCE)):
                params = [
                    {
                        "target": job.target,
                        "job_id": job.job_id,
                        "position": r.position,
                        "signature": r.signature,
                        "row_key": r.row_key,
                    }
                    for r in part
                ]
                execute_many(
                    conn, "bulk_job_rows.insert", lambda: insert(schema.bulk_job_rows), params
                )

    def jobs_of(self, target: str, signatures: Sequence[str]) -> dict[str, list[str]]:
        """`job id -> signatures` of those `signatures` that an unsettled job holds."""
        r = schema.bulk_job_rows.c
        out: dict[str, list[str]] = {}
        with self._store._read() as conn:
            for chunk in chunks(signatures):
                query = select(r.job_id, r.signature).where(
                    r.target == target, r.signature.in_(chunk)
                )
                for job_id, sig in conn.execute(query):
                    out.setdefault(job_id, []).append(sig)
        return out

    def job(self, target: str, job_id: str) -> BulkJob | None:
        """A recorded job, or None."""
        j = schema.bulk_jobs.c
        with self._store._read() as conn:
            found = conn.execute(
                select(schema.bulk_jobs).where(j.target == target, j.job_id == job_id)
            ).first()
        if found is None:
            return None
        values = found._asdict()
        values["header"] = tuple(json.loads(values["header"]))
        values.pop("created_at")
        return BulkJob(**values)

    def rows(self, target: str, job_id: str) -> Iterator[JobRow]:
        """A recorded job's rows in upload order, read `ROWS_AT_ONCE` at a time."""
        r = schema.bulk_job_rows.c
        after = -1
        while True:
            with self._store._read() as conn:
                found = conn.execute(
                    select(r.position, r.signature, r.row_key)
                    .where(r.target == target, r.job_id == job_id, r.position > after)
                    .order_by(r.position)
                    .limit(ROWS_AT_ONCE)
                ).all()
            if not found:
                return
            yield from (JobRow(p, s, k) for p, s, k in found)
            after = found[-1][0]

    def forget(self, target: str, job_id: str) -> None:
        """The job's outcome is on its rows: drop its rows, mark it settled (one commit)."""
        j, r = schema.bulk_jobs.c, schema.bulk_job_rows.c
        with self._store._write() as conn:
            conn.execute(delete(schema.bulk_job_rows).where(r.target == target, r.job_id == job_id))
            conn.execute(
                update(schema.bulk_jobs)
                .where(j.target == target, j.job_id == job_id)
                .values(state="settled")
            )
