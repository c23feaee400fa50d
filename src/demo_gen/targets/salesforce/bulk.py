"""Bulk API 2.0 ingest for the Salesforce target: jobs, CSV in and out, results mapped to rows.

A job's life as demo-gen drives it (docs/adr/0007-bulk-api-for-volume.md):

    POST jobs/ingest (Open) → [ledger: job id + rows] → PUT …/batches (201) → PATCH UploadComplete
    → GET … until JobComplete | Failed | Aborted → GET successfulResults / failedResults /
    unprocessedrecords (only the ones the counts say are not empty)

The results echo each uploaded row's cells; `ledger.bulk_settle.JobScratch` ties them back to the
ledger rows by the hash of those cells (`row_key`), in upload order among identical rows. A row in
none of the three files is left unknown: it stays pending, and `find` settles it later. Only
`crm` talks HTTP; this module knows the job protocol and the CSV.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from demo_gen.config.model import BulkSettings
from demo_gen.errors import TargetError, TransientError
from demo_gen.ledger.bulk_jobs import row_key
from demo_gen.targets.base import BATCH_LIMIT
from demo_gen.targets.salesforce.client import SalesforceCrm

TERMINAL = ("JobComplete", "Failed", "Aborted")
RUNNING = ("UploadComplete", "InProgress")
MAX_UPLOAD_BYTES = 100_000_000
"""One job's CSV stays under this (Salesforce takes 150 MB of raw data per job; base64 and
multi-byte text take their share)."""
UNPROCESSED = "BULK_UNPROCESSED"
"""The error code of a row its job never processed (a Failed or Aborted job): sent again."""
REST_CALLS_PER_BATCH = 2
"""What the REST path spends per batch of 200: the collection call and its read-back."""
REQUESTS_PER_JOB = 6
"""What a job costs besides its read-back: open, upload, close, a poll, up to two result files."""


@dataclass(frozen=True)
class Csv:
    """A job's upload: its header, each row's cells, and the text."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text: str


def cell(value: Any) -> str:
    """A record value as a CSV cell: empty for None (no value), `true`/`false` for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(records: Sequence[Mapping[str, Any]], header: Sequence[str] | None = None) -> Csv:
    """The records (without `attributes`) as one CSV upload, columns sorted by name (or
    `header`'s: the columns of a whole run's records of a type, for a job that spans chunks)."""
    if header is None:
        header = sorted({k for r in records for k in r if k != "attributes"})
    header = tuple(header)
    rows = tuple(tuple(cell(r.get(name)) for name in header) for r in records)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Csv(header, rows, buffer.getvalue())


def split_jobs(records: Sequence[Mapping[str, Any]], limit: int = MAX_UPLOAD_BYTES) -> list[int]:
    """Where to cut `records` into jobs so each upload stays under `limit` bytes (start indexes
    of each job, the first being 0); an estimate by each record's JSON size, generous."""
    starts, size = [0], 0
    for index, record in enumerate(records):
        weight = len(json.dumps(record, default=str).encode("utf-8"))
        if size + weight > limit and index > starts[-1]:
            starts.append(index)
            size = 0
        size += weight
    return starts


SUCCESSFUL, FAILED, UNPROCESSED_ROWS = 0, 1, 2
"""The three result files of a job, in the order identical rows take their results."""
ResultRow = tuple[int, str, str]
"""A result file's row as the channel gives it: which file, its `row_key` over the job's header,
its `sf__Id` / `sf__Error` / nothing."""


def result_row(
    row: Mapping[str, str], header: Sequence[str], column: str | None
) -> tuple[str, str]:
    """A result file's row as `JobResults` keeps it: its uploaded cells' `row_key`, and its
    `column` (`sf__Id`, `sf__Error`; None: nothing)."""
    return row_key([row.get(name, "") for name in header]), (row.get(column, "") if column else "")


def parse_error(text: str) -> tuple[str, str, tuple[str, ...]]:
    """`STATUSCODE:message:field,field --` as (code, message, fields)."""
    body = text.removesuffix(" --").removesuffix("--")
    code, _, rest = body.partition(":")
    message, _, fields = rest.rpartition(":")
    if not message:  # no field part
        message, fields = rest, ""
    return code or "UNKNOWN", message, tuple(f for f in fields.split(",") if f)


def rest_calls(records: int) -> int:
    """What writing `records` through sObject Collections would cost in API requests."""
    return math.ceil(records / BATCH_LIMIT) * REST_CALLS_PER_BATCH


def bulk_calls(records: int, jobs: int) -> int:
    """What writing `records` records in `jobs` jobs would cost: each job's requests, and the
    read-back of its rows (one query per 200, as on the REST path)."""
    return jobs * REQUESTS_PER_JOB + math.ceil(records / BATCH_LIMIT)


def choose(
    records: int, settings: BulkSettings, remaining: int | None, jobs: int = 1
) -> tuple[bool, str]:
    """(use Bulk, why) for a run that writes `records` records of `jobs` record types, with
    `remaining` API requests it may spend (None: unknown)."""
    if settings.mode != "auto":
        return settings.mode == "always", f"salesforce.bulk.mode is {settings.mode}"
    if records >= settings.min_records:
        return True, f"{records} records ≥ salesforce.bulk.min_records ({settings.min_records})"
    cost = rest_calls(records)
    cheaper = bulk_calls(records, jobs) < cost
    if remaining is not None and cost > settings.budget_share * remaining and cheaper:
        return True, (
            f"REST would spend {cost} of the {remaining} API requests left today, more than "
            f"salesforce.bulk.budget_share ({settings.budget_share:g})"
        )
    return False, (
        f"{records} records < salesforce.bulk.min_records ({settings.min_records}) and REST "
        f"spends {cost} API requests" + (f" of {remaining} left" if remaining is not None else "")
    )


class BulkChannel:
    """Ingest jobs against one org (every request through `SalesforceCrm.jobs`)."""

    def __init__(self, crm: SalesforceCrm, settings: BulkSettings) -> None:
        self._crm = crm
        self._settings = settings

    def open(self, record_type: str, operation: str, external_id: str | None) -> str:
        """A new job in state Open; its id."""
        body: dict[str, Any] = {
            "object": record_type,
            "operation": operation,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        }
        if external_id:
            body["externalIdFieldName"] = external_id
        info = job_json(self._crm.jobs("POST", "jobs/ingest", safe=True, body=body))
        if info.get("state") != "Open" or not info.get("id"):
            raise TargetError(f"bulk job for {record_type} did not open: {str(info)[:200]}")
        return str(info["id"])

    def upload(self, job_id: str, text: str | IO[bytes]) -> None:
        """The job's data (one PUT; an answer other than 201 fails the job): the CSV text, or a
        binary file of it, sent from its start as it is read (never held whole)."""
        answer = self._crm.jobs("PUT", f"jobs/ingest/{job_id}/batches", safe=False, csv_text=text)
        if answer.status != 201:
            raise TargetError(f"bulk job {job_id}: upload answered {answer.status}, not 201")

    def close(self, job_id: str) -> dict[str, Any] | None:
        """UploadComplete: the org processes the job; its info as the close answered it. A close
        whose answer was lost and is refused when repeated is fine if the job has moved on."""
        try:
            answer = self._crm.jobs(
                "PATCH", f"jobs/ingest/{job_id}", safe=True, body={"state": "UploadComplete"}
            )
        except TargetError:
            info = self.info(job_id)
            if info is None or info.get("state") == "Open":
                raise
            return info
        return job_json(answer)

    def finish(self, job_id: str) -> dict[str, Any] | None:
        """Close the job and wait for its end (no poll when the close answer says it ended)."""
        return self.ended(job_id, self.close(job_id))

    def ended(self, job_id: str, closed: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The job's info once it ended: `closed` (the close's answer) when it says so, else
        polled until then."""
        if closed is not None and closed.get("state") in TERMINAL:
            return dict(closed)
        return self.wait(job_id)

    def abort(self, job_id: str) -> None:
        """Abort an Open job (nothing of it is processed)."""
        self._crm.jobs("PATCH", f"jobs/ingest/{job_id}", safe=True, body={"state": "Aborted"})

    def info(self, job_id: str) -> dict[str, Any] | None:
        """The job's info, or None when the org no longer knows the job."""
        try:
            return job_json(self._crm.jobs("GET", f"jobs/ingest/{job_id}", safe=True))
        except TargetError as exc:
            if "NOT_FOUND" in str(exc):
                return None
            raise

    def wait(self, job_id: str) -> dict[str, Any] | None:
        """Poll until the job ends (JobComplete, Failed, Aborted); None if the org lost it."""
        for attempt in _forever():
            info = self.info(job_id)
            if info is None or info.get("state") in TERMINAL:
                return info
            if info.get("state") not in RUNNING:
                return info  # Open: the caller decides
            time.sleep(min(self._settings.poll_seconds * (1 + attempt // 10), 30.0))
        raise AssertionError("unreachable")

    def results(
        self, job_id: str, info: Mapping[str, Any], rows: int, header: Sequence[str]
    ) -> Iterator[ResultRow]:
        """The job's result files, fetching only those its counts say hold rows: each row as
        (`SUCCESSFUL`/`FAILED`/`UNPROCESSED_ROWS`, its `row_key` over the job's `header`, its
        id or error), a file at a time, as it is read from disk."""
        processed = int(info.get("numberRecordsProcessed") or 0)
        failed = int(info.get("numberRecordsFailed") or 0)
        if processed - failed > 0:
            yield from self._csv(job_id, SUCCESSFUL, "successfulResults", header, "sf__Id")
        if failed > 0:
            yield from self._csv(job_id, FAILED, "failedResults", header, "sf__Error")
        if processed < rows:
            yield from self._csv(job_id, UNPROCESSED_ROWS, "unprocessedrecords", header, None)

    def _csv(
        self, job_id: str, outcome: int, kind: str, header: Sequence[str], column: str | None
    ) -> Iterator[ResultRow]:
        """A result file, streamed to disk and read a row at a time: (outcome, row key,
        `column`'s cell). A job's results echo every uploaded cell (up to 100 MB of them): as
        text and rows of cells they took several times the upload in memory."""
        answer = self._crm.jobs("GET", f"jobs/ingest/{job_id}/{kind}", safe=True, to_file=True)
        assert answer.file is not None
        with answer.file as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            for row in csv.DictReader(text):
                yield (outcome, *result_row(row, header, column))


def job_json(answer: Any, what: str = "job") -> dict[str, Any]:
    """A Bulk API answer's JSON object (an ingest or query job's info): not JSON is transient
    (a proxy's page, a cut answer), anything else but an object is the org's error."""
    try:
        value = json.loads(answer.text) if answer.text else {}
    except json.JSONDecodeError as exc:
        raise TransientError(f"bulk {what} answer is not JSON: {answer.text[:120]}") from exc
    if not isinstance(value, dict):
        raise TargetError(f"unexpected bulk {what} answer: {answer.text[:200]}")
    return value


def _forever() -> Iterator[int]:
    attempt = 0
    while True:
        yield attempt
        attempt += 1
