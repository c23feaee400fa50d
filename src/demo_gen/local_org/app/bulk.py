"""Bulk API 2.0 ingest: jobs that load CSV into the org.

The lifecycle is Open → (PUT CSV, 201) → UploadComplete, which this org processes synchronously
in the same request: one transaction per chunk of 200 rows (as the platform), a savepoint per
row, so the job is `JobComplete` by the time the client first polls. Jobs live in memory; a
restarted server forgets them. Query jobs (`bulk_query`) take their ids from the same counter.
`hardDelete` soft-deletes, like `delete` (the store never removes rows). Job ids come from the
store's persistent counters, so a restarted org never hands out an id it gave before.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from demo_gen.local_org import ids
from demo_gen.local_org.app.collections import (
    MAX_RECORDS,
    Outcome,
    RowError,
    apply_one,
    duplicate_keys,
    field_value,
)
from demo_gen.local_org.app.http import (
    CSV_TYPE,
    ApiError,
    ApiRequest,
    ApiResponse,
    Ctx,
    bad_request,
    not_found,
)
from demo_gen.local_org.app.rest import actor, without
from demo_gen.local_org.app.spool import RowSpool
from demo_gen.local_org.rules import engine as rules
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.store.core import Transaction

log = logging.getLogger(__name__)

OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^"}
DELIMITERS["BACKQUOTE"] = "`"
ABORTABLE = ("Open", "UploadComplete", "InProgress")
LINE_ENDINGS = ("LF", "CRLF")
JOB_PREFIX = "750"
JOB_COUNTER = "bulk_job_counter"
MULTIPLE_UPLOADS = (
    "Found multiple contents for job: <{job}>, please 'Close' / 'Abort' / 'Delete' the current "
    "Job then create a new Job and make sure you only do 'PUT' once on a given Job."
)
"""A real org takes one upload per ingest job: a second PUT is accepted (201), and closing
the job is then refused with 400 INVALIDJOB (salesforce.stackexchange.com/questions/222330)."""


@dataclass
class IngestJob:
    """One Bulk 2.0 ingest job and its results."""

    id: str
    operation: str
    obj: SObject
    external_id_field: str | None
    created_by: str
    created: str
    version: str
    delimiter: str = "COMMA"
    line_ending: str = "LF"
    state: str = "Open"
    modstamp: str = ""
    uploads: list[bytes] = field(default_factory=list)  # UTF-8, checked, without a BOM
    header: list[str] = field(default_factory=list)
    successful: RowSpool = field(default_factory=RowSpool)
    failed: RowSpool = field(default_factory=RowSpool)
    unprocessed: RowSpool = field(default_factory=RowSpool)
    error_message: str | None = None

    def info(self) -> dict[str, Any]:
        """The job info JSON returned by create, close and get."""
        out: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.obj.name,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.modstamp or self.created,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "jobType": "V2Ingest",
            "contentUrl": f"services/data/v{self.version}/jobs/ingest/{self.id}/batches",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.delimiter,
            "numberRecordsProcessed": len(self.successful) + len(self.failed),
            "numberRecordsFailed": len(self.failed),
            "retries": 0,
            "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apexProcessingTime": 0,
        }
        if self.external_id_field:
            out["externalIdFieldName"] = self.external_id_field
        if self.error_message:
            out["errorMessage"] = self.error_message
        return out


_J = TypeVar("_J")


def job_of(ctx: Ctx, job_id: str, kind: type[_J]) -> _J:
    """The job of `kind` (ingest or query) by its 18- or 15-character id, else 404."""
    with ctx.org.lock:
        job = ctx.org.jobs.get(job_id) or ctx.org.jobs.get(job_id[:15])
    if not isinstance(job, kind):
        raise not_found()
    return job


def _job(ctx: Ctx, job_id: str) -> IngestJob:
    return job_of(ctx, job_id, IngestJob)


def invalid_job(message: str) -> ApiError:
    """A Bulk API 2.0 job request the org refuses (400 INVALIDJOB)."""
    return bad_request("INVALIDJOB", f"InvalidJob : {message}")


def create_job(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """POST jobs/ingest: a new job in state Open."""
    body = req.json_object()
    operation = str(body.get("operation", ""))
    if operation not in OPERATIONS:
        raise invalid_job(f"Invalid operation: {operation}")
    obj = schema.sobject(str(body.get("object", "")))
    if obj is None:
        raise invalid_job(f"Unable to find object: {body.get('object')}")
    ext = body.get("externalIdFieldName")
    if operation == "upsert":
        f = obj.field(str(ext or ""))
        if f is None or not (f.external_id or f.name == "Id"):
            raise invalid_job(f"External ID was blank or not an external ID field: {ext}")
        ext = f.name
    delimiter = str(body.get("columnDelimiter", "COMMA"))
    if delimiter not in DELIMITERS or str(body.get("contentType", "CSV")) != "CSV":
        raise invalid_job(f"Unsupported column delimiter or content type: {delimiter}")
    line_ending = str(body.get("lineEnding", "LF"))
    if line_ending not in LINE_ENDINGS:
        raise invalid_job(f"Invalid line ending: {line_ending} (LF or CRLF)")
    now = schema.format_datetime(ctx.now())
    job = IngestJob(
        id=new_job_id(ctx),
        operation=operation,
        obj=obj,
        external_id_field=str(ext) if operation == "upsert" else None,
        created_by=ctx.user_id,
        created=now,
        version=ctx.version,
        delimiter=delimiter,
        line_ending=line_ending,
    )
    with ctx.org.lock:
        ctx.org.jobs[job.id] = job
    return ApiResponse(200, job.info())


def new_job_id(ctx: Ctx) -> str:
    """A job id never handed out before, even by this org before a restart (a real org's ids
    never repeat, and a client may keep old ones): numbered by a counter the store keeps."""
    store = ctx.org.store
    with ctx.org.lock:
        number = int(store.meta(JOB_COUNTER) or "0") + 1
        store.set_meta(JOB_COUNTER, str(number))
    return ids.make_id(JOB_PREFIX, number, store.generation)


_CHECK_BYTES = 1 << 20


def upload(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """PUT jobs/ingest/{id}/batches: store CSV for an Open job; 201."""
    job = _job(ctx, params["job"])
    if job.state != "Open":
        raise ApiError(409, "INVALIDJOBSTATE", f"Job is not open for uploads: {job.state}")
    data = req.data.removeprefix(codecs.BOM_UTF8)
    try:  # checked here, 1 MB at a time; kept as bytes, decoded a line at a time (`_lines`)
        decoder = codecs.getincrementaldecoder("utf-8")()
        for start in range(0, len(data), _CHECK_BYTES):
            decoder.decode(data[start : start + _CHECK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise bad_request("INVALIDBATCH", "InvalidBatch : data is not UTF-8") from None
    job.uploads.append(data)
    return ApiResponse(201)


def set_state(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """PATCH jobs/ingest/{id} {"state": "UploadComplete"|"Aborted"}: close (and run) or abort."""
    job = _job(ctx, params["job"])
    state = req.json_object().get("state")
    if state == "UploadComplete" and job.state == "Open" and len(job.uploads) > 1:
        raise invalid_job(MULTIPLE_UPLOADS.format(job=job.id[:15]))
    if state == "UploadComplete" and job.state == "Open":
        job.state = "UploadComplete"
        _run(ctx, job)
    elif state == "Aborted" and job.state in ABORTABLE:
        job.state = "Aborted"
        job.header, chunks = _chunks(job)
        job.unprocessed = RowSpool(cells for chunk in chunks for _, cells in chunk)
        job.uploads = []
    else:
        raise bad_request("INVALIDJOBSTATE", f"Cannot change job state from {job.state} to {state}")
    job.modstamp = schema.format_datetime(ctx.now())
    return ApiResponse(200, job.info())


def get_job(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET jobs/ingest/{id}: job info with counts."""
    return ApiResponse(body=_job(ctx, params["job"]).info())


def delete_job(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """DELETE jobs/ingest/{id}: forget the job; 204."""
    return forget(ctx, _job(ctx, params["job"]).id)


def list_jobs(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET jobs/ingest: every ingest job, one page."""
    return listing(ctx, IngestJob)


def forget(ctx: Ctx, job_id: str) -> ApiResponse:
    """A DELETE of a job (ingest or query) found by `job_of`: gone with its results; 204."""
    with ctx.org.lock:
        ctx.org.jobs.pop(job_id, None)
    return ApiResponse(204)


def listing(ctx: Ctx, kind: type[Any]) -> ApiResponse:
    """A GET of every job of `kind` (ingest or query), one page."""
    with ctx.org.lock:
        jobs = [j.info() for j in ctx.org.jobs.values() if isinstance(j, kind)]
    return ApiResponse(body={"done": True, "records": jobs, "nextRecordsUrl": None})


def results(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET jobs/ingest/{id}/successfulResults | failedResults | unprocessedRecords as CSV."""
    job = _job(ctx, params["job"])
    kind = req.segments[3].lower()
    if kind == "successfulresults":
        blocks = csv_blocks(["sf__Id", "sf__Created", *job.header], job.successful)
    elif kind == "failedresults":
        blocks = csv_blocks(["sf__Id", "sf__Error", *job.header], job.failed)
    elif job.header:
        blocks = csv_blocks(job.header, job.unprocessed)
    else:
        return ApiResponse(200, text="", content_type=CSV_TYPE)
    return ApiResponse(200, stream=blocks, content_type=CSV_TYPE)


_CSV_BLOCK = 1000  # rows a block of a results answer: the run-wide job of every email relation
# echoes 400,000 rows, ~100 MB of text that was built whole (and then as bytes) in the org


def csv_blocks(
    header: list[str], rows: Iterable[list[str]], delimiter: str = ",", terminator: str = "\n"
) -> Iterator[bytes]:
    """The CSV of `rows` under `header`, every cell quoted, as UTF-8 `_CSV_BLOCK` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator=terminator
    )
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % _CSV_BLOCK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- processing --------------------------------------------------------------------------------


Row = tuple[dict[str, str], list[str]]
"""A CSV data row: ({column: cell}, its cells in the header's order)."""


def _chunks(job: IngestJob) -> tuple[list[str], Iterator[list[Row]]]:
    """The first upload's header, and the data rows read a chunk of `MAX_RECORDS` at a time."""
    uploads = job.uploads
    readers = [csv.reader(_lines(data), delimiter=DELIMITERS[job.delimiter]) for data in uploads]
    columns = [next(reader, []) for reader in readers]
    header = next((c for c in columns if c), [])

    def chunks() -> Iterator[list[Row]]:
        chunk: list[Row] = []
        for reader, names in zip(readers, columns, strict=True):
            for cells in reader:
                if not any(cells):
                    continue
                row = dict(zip(names, cells, strict=False))
                chunk.append((row, [row.get(c, "") for c in header]))
                if len(chunk) == MAX_RECORDS:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    return header, chunks()


def _lines(data: bytes) -> Iterator[str]:
    """The lines of an upload, each decoded as it is read (a `StringIO` of a 100 MB upload
    held up to 4 bytes a character; a byte 0x0A is never part of another UTF-8 character)."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        stop = len(data) if end < 0 else end + 1
        yield data[start:stop].decode("utf-8")
        start = stop


def _body(row: Mapping[str, str]) -> dict[str, Any]:
    """A CSV row as a record body: empty cells are left out, `#N/A` sets null."""
    return {k: (None if v == "#N/A" else v) for k, v in row.items() if v != ""}


def _run(ctx: Ctx, job: IngestJob) -> None:
    """Process an UploadComplete job; it ends JobComplete, or Failed with a message.

    As the platform does, the rows are processed in chunks of `MAX_RECORDS`, each chunk in its
    own transaction (a savepoint per row), so memory holds one chunk's staged records, not the
    job's. A job that fails keeps the results of the chunks done; the rest are unprocessed.
    The upload is dropped once read: the results hold every row's cells.
    """
    header, chunks = _chunks(job)
    job.header, job.uploads = header, []
    unknown = [c for c in header if job.obj.field(c) is None]
    if unknown or not header:
        job.state = "Failed"
        job.error_message = f"InvalidBatch : Field name not found : {unknown[0] if unknown else ''}"
        job.unprocessed = RowSpool(cells for chunk in chunks for _, cells in chunk)
        return
    operation = _operation(ctx, job)
    job.successful, job.failed = RowSpool(), RowSpool()
    for chunk in chunks:
        try:
            _apply(ctx, job, chunk, operation)
        except Exception as exc:  # a bug in the rules must not leave the chunk half-done
            log.exception("bulk job %s failed", job.id)
            job.state = "Failed"
            job.error_message = f"InternalError : {exc}"
            job.unprocessed = RowSpool(cells for _, cells in chunk)
            job.unprocessed.extend(cells for rest in chunks for _, cells in rest)
            return
    job.state = "JobComplete"


def _repeated(job: IngestJob, chunk: list[Row]) -> frozenset[int]:
    """Indexes of upsert rows whose external id repeats within their chunk.

    The platform runs DML in chunks of 200 and checks repeated external ids per chunk
    (salesforce.stackexchange.com/questions/296121): those rows fail DUPLICATE_VALUE.
    """
    ext = job.external_id_field
    if job.operation != "upsert" or not ext or ext == "Id":
        return frozenset()
    rows = [row for row, _ in chunk]
    keys = duplicate_keys(rows, ext)
    return frozenset(
        i for i, row in enumerate(rows) if (v := field_value(row, ext)) and str(v).lower() in keys
    )


def _apply(ctx: Ctx, job: IngestJob, chunk: list[Row], operation: Any) -> None:
    """One chunk of the job in one transaction; its results appended to the job's."""
    repeated = _repeated(job, chunk)
    successful: list[list[str]] = []
    failed: list[list[str]] = []
    with ctx.transaction() as txn:
        for index, (row, cells) in enumerate(chunk):
            if index in repeated:
                ext = job.external_id_field or ""
                message = f"Duplicate external id specified: {field_value(row, ext)}"
                entry = {"statusCode": "DUPLICATE_VALUE", "message": message, "fields": [ext]}
                outcome: Outcome = Outcome(None, [entry])
            else:
                outcome = apply_one(ctx, txn, row, operation, _row_id)
            if outcome.ok:
                created = "true" if outcome.created else "false"
                successful.append([outcome.record_id or "", created, *cells])
            else:
                failed.append([outcome.record_id or "", _error_text(outcome.errors[0]), *cells])
    job.successful.extend(successful)
    job.failed.extend(failed)


def _row_id(row: Any) -> str | None:
    value = field_value(row, "Id")
    return value if isinstance(value, str) and value else None


def _error_text(entry: Mapping[str, Any]) -> str:
    fields = ",".join(entry.get("fields") or [])
    return f"{entry['statusCode']}:{entry['message']}:{fields} --"


def _operation(ctx: Ctx, job: IngestJob) -> Any:
    """The per-row function for the job's operation: (txn, row) -> (id, created)."""
    obj, who = job.obj, actor(ctx)

    def need_id(txn: Transaction, row: Mapping[str, str]) -> str:
        raw = _row_id(row)
        if raw is None:
            raise RowError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        return rules.lookup_id(txn, raw)

    def insert(txn: Transaction, row: Mapping[str, str]) -> tuple[str, bool]:
        if _row_id(row) is not None:
            raise RowError("INVALID_FIELD", "Record ID: cannot specify Id in an insert call")
        return rules.insert(txn, obj, _body(row), who), True

    def update(txn: Transaction, row: Mapping[str, str]) -> tuple[str, bool]:
        record_id = need_id(txn, row)
        rules.update(txn, obj, record_id, without(_body(row), "Id"), who)
        return record_id, False

    def delete(txn: Transaction, row: Mapping[str, str]) -> tuple[str, bool]:
        record_id = need_id(txn, row)
        rules.delete(txn, record_id, who)
        return record_id, False

    def upsert(txn: Transaction, row: Mapping[str, str]) -> tuple[str, bool]:
        ext = job.external_id_field or "Id"
        if ext == "Id":
            return update(txn, row) if _row_id(row) else insert(txn, row)
        value = field_value(row, ext)
        if not value:
            raise RowError("MISSING_ARGUMENT", f"{ext} not specified", [ext])
        return rules.upsert(txn, obj, ext, value, without(_body(row), ext), who)

    table = {"insert": insert, "update": update, "upsert": upsert}
    return table.get(job.operation, delete)
