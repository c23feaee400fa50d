"""Bulk API 2.0 query jobs: a SOQL query answered as pages of CSV.

    POST jobs/query {"operation": "query"|"queryAll", "query": "SELECT …"}  → UploadComplete
    GET  jobs/query/{id}                                                  → JobComplete (counts)
    GET  jobs/query/{id}/results[?locator=L][&maxRecords=N]               → text/csv, with the
         headers Sforce-NumberOfRecords (rows in this page) and Sforce-Locator (next page, "null")
    PATCH jobs/query/{id} {"state": "Aborted"} · DELETE jobs/query/{id} · GET jobs/query

As Salesforce documents them (Bulk API 2.0 and Bulk API Developer Guide, "Bulk API 2.0 Query"):

* The query runs when the job is created (one snapshot of the org); the create answers
  `UploadComplete`, as a real org does, and the job is `JobComplete` by the first GET — unless
  `Faults.query_job_running` says otherwise: then the job's next requests find it `InProgress`
  and its results refused with 412 JOB_NOT_COMPLETE, as a real org answers before the end.
* Not supported in a query job, refused at create with 400 INVALIDJOB: GROUP BY, OFFSET,
  aggregate functions (COUNT() too) and parent-to-child subqueries; child-to-parent paths are
  fine and come out as one column each, named `Parent.Field`.
* The CSV has one header row (the SELECT list, canonical names) and every value quoted; a null
  is an empty cell (Salesforce stores no empty strings, so an empty cell is always null),
  datetimes are `2026-11-02T10:00:00.000Z`, dates `2026-11-02`, booleans `true`/`false`.
* `maxRecords` bounds a page (default `DEFAULT_PAGE`: "as many as can be listed"); the locator is
  opaque and stays valid while the job exists, so a page can be read again.
* Ids come from the counter ingest jobs use (`bulk.JOB_COUNTER`), so no id repeats across a
  restart; the jobs themselves live in memory, and a restarted org answers 404 for them.

Every request counts against the daily API limit like any other REST request (the WSGI layer
counts them), and each job created counts against `DailyBulkV2QueryJobs` in `limits`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from demo_gen.local_org.app.bulk import (
    DELIMITERS,
    LINE_ENDINGS,
    csv_blocks,
    forget,
    invalid_job,
    job_of,
    listing,
    new_job_id,
)
from demo_gen.local_org.app.http import (
    CSV_TYPE,
    ApiError,
    ApiRequest,
    ApiResponse,
    Ctx,
    bad_request,
)
from demo_gen.local_org.app.spool import BLOCK as SPOOL_BLOCK
from demo_gen.local_org.app.spool import RowSpool
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.types import BOOLEAN, DATETIME
from demo_gen.local_org.soql import engine as soql
from demo_gen.local_org.soql.context import query_sobject, resolve
from demo_gen.local_org.soql.tree import Aggregate, CountAll, FieldRef, Query, Subquery

OPERATIONS = ("query", "queryAll")
DEFAULT_PAGE = 100_000
"""Rows in a page when the client gives no maxRecords (a real org cuts pages by size)."""
QUERY_JOBS_USED = "bulk_query_jobs"
NOT_COMPLETE = (
    "can only download query results of successfully completed bulk job with status: "
    "JOB_COMPLETE. Current status: IN_PROGRESS"
)
"""The 412 a real org answers for the results of a query job still running."""


@dataclass
class QueryJob:
    """One Bulk 2.0 query job and its result rows (cells, in header order)."""

    id: str
    operation: str
    object_name: str
    created_by: str
    created: str
    version: str
    delimiter: str
    line_ending: str
    header: list[str]
    rows: RowSpool = field(default_factory=RowSpool)
    state: str = "JobComplete"
    modstamp: str = ""
    running: int = 0
    """Requests still to answer as running (`Faults.query_job_running`)."""

    def info(self, state: str | None = None) -> dict[str, Any]:
        """The job info JSON (create answers it with `state` UploadComplete)."""
        return {
            "id": self.id,
            "operation": self.operation,
            "object": self.object_name,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.modstamp or self.created,
            "state": state or self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "jobType": "V2Query",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.delimiter,
            "numberRecordsProcessed": len(self.rows) if state is None else 0,
            "retries": 0,
            "totalProcessingTime": 0,
            "isPkChunkingSupported": True,
        }


def _job(ctx: Ctx, job_id: str) -> QueryJob:
    return job_of(ctx, job_id, QueryJob)


def create_job(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """POST jobs/query: run the query now; the job answers UploadComplete, then JobComplete."""
    body = req.json_object()
    operation = str(body.get("operation", ""))
    if operation not in OPERATIONS:
        raise invalid_job(f"Invalid operation: {operation} (query or queryAll)")
    delimiter = str(body.get("columnDelimiter", "COMMA"))
    line_ending = str(body.get("lineEnding", "LF"))
    if delimiter not in DELIMITERS or str(body.get("contentType", "CSV")) != "CSV":
        raise invalid_job(f"Unsupported column delimiter or content type: {delimiter}")
    if line_ending not in LINE_ENDINGS:
        raise invalid_job(f"Invalid line ending: {line_ending} (LF or CRLF)")
    text = body.get("query")
    if not isinstance(text, str) or not text.strip():
        raise invalid_job("a query job needs a query")
    header, rows, object_name = _run(ctx, text, operation == "queryAll")
    job = QueryJob(
        id=new_job_id(ctx),
        operation=operation,
        object_name=object_name,
        created_by=ctx.user_id,
        created=schema.format_datetime(ctx.now()),
        version=ctx.version,
        delimiter=delimiter,
        line_ending=line_ending,
        header=header,
        rows=rows,
        running=ctx.org.faults.query_job_running,
    )
    with ctx.org.lock:
        ctx.org.jobs[job.id] = job
        ctx.org.counters[QUERY_JOBS_USED] = ctx.org.counters.get(QUERY_JOBS_USED, 0) + 1
    return ApiResponse(200, job.info("UploadComplete"))


def _run(ctx: Ctx, text: str, include_deleted: bool) -> tuple[list[str], RowSpool, str]:
    """(header, rows of cells, object name) of a query a job may run; 400 otherwise."""
    try:
        query = soql.parse(text)
        _check_supported(query)
        obj = query_sobject(query)
        refs = [item for item in query.select if isinstance(item, FieldRef)]
        paths = [resolve(query, obj, ref) for ref in refs]
        records = soql.stream(
            query,
            ctx.source(),
            version=ctx.version,
            today=ctx.now().date(),
            include_deleted=include_deleted,
        )
        columns = [([hop.name for hop in p.hops], p.leaf.name, p.leaf.type) for p in paths]
        rows = RowSpool([_cell(record, *column) for column in columns] for record in records)
    except soql.SoqlError as exc:
        raise ApiError(400, exc.error_code, exc.message) from exc
    header = [".".join([*(hop.name for hop in p.hops), p.leaf.name]) for p in paths]
    return header, rows, obj.name


def _check_supported(query: Query) -> None:
    """Bulk API 2.0 refuses GROUP BY, OFFSET, aggregates and parent-to-child subqueries."""
    if query.group_by:
        raise invalid_job("GROUP BY is not supported in a Bulk API 2.0 query")
    if query.offset is not None:
        raise invalid_job("OFFSET is not supported in a Bulk API 2.0 query")
    for item in query.select:
        if isinstance(item, CountAll | Aggregate):
            raise invalid_job("aggregate functions are not supported in a Bulk API 2.0 query")
        if isinstance(item, Subquery):
            raise invalid_job(
                "parent-to-child relationship queries are not supported in Bulk API 2.0"
            )


def _cell(record: Mapping[str, Any], hops: Sequence[str], name: str, kind: str) -> str:
    """One value of a wire-shaped row as a CSV cell (empty for null, through a null parent)."""
    value: Any = record
    for hop in [*hops, name]:
        value = value.get(hop) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if kind == BOOLEAN or isinstance(value, bool):
        return "true" if value else "false"
    if kind == DATETIME and isinstance(value, str) and value.endswith("+0000"):
        return value.removesuffix("+0000") + "Z"
    return str(value)


def get_job(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET jobs/query/{id}: the job info with its counts (InProgress while it runs)."""
    job = _job(ctx, params["job"])
    return ApiResponse(body=job.info("InProgress" if _running(ctx, job) else None))


def _running(ctx: Ctx, job: QueryJob) -> bool:
    """True while the job answers as still running (one request of its count is spent)."""
    with ctx.org.lock:
        if job.running <= 0 or job.state != "JobComplete":
            return False
        job.running -= 1
        return True


def set_state(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """PATCH jobs/query/{id} {"state": "Aborted"}: only a job still running can be aborted."""
    job = _job(ctx, params["job"])
    state = req.json_object().get("state")
    if state != "Aborted" or job.state in ("JobComplete", "Failed", "Aborted"):
        raise bad_request("INVALIDJOBSTATE", f"Cannot change job state from {job.state} to {state}")
    job.state = "Aborted"
    job.modstamp = schema.format_datetime(ctx.now())
    return ApiResponse(200, job.info())


def delete_job(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """DELETE jobs/query/{id}: forget the job and its results; 204."""
    return forget(ctx, _job(ctx, params["job"]).id)


def list_jobs(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET jobs/query: every query job, one page."""
    return listing(ctx, QueryJob)


def results(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET jobs/query/{id}/results: one page of CSV from the locator's row on."""
    job = _job(ctx, params["job"])
    if _running(ctx, job):
        raise ApiError(412, "JOB_NOT_COMPLETE", NOT_COMPLETE)
    if job.state != "JobComplete":
        raise bad_request("INVALIDJOBSTATE", f"the job is {job.state}, not JobComplete")
    if req.version != job.version:
        raise ApiError(409, "INVALIDJOBSTATE", "use the API version the job was created with")
    start = _offset(req.args.get("locator"), len(job.rows))
    size = _max_records(req.args.get("maxRecords"))
    end = min(start + size, len(job.rows))
    terminator = "\r\n" if job.line_ending == "CRLF" else "\n"
    blocks = csv_blocks(
        job.header, _page(job.rows, start, end), DELIMITERS[job.delimiter], terminator
    )
    headers = {
        "Sforce-NumberOfRecords": str(end - start),
        "Sforce-Locator": _locator(end) if end < len(job.rows) else "null",
    }
    return ApiResponse(200, stream=blocks, content_type=CSV_TYPE, headers=headers)


def _page(rows: RowSpool, start: int, end: int) -> Iterator[list[str]]:
    """Rows `start` to `end` of a job's spool, unpacked a block at a time as they are sent (a
    page of 100,000 rows was a list, then one text, in the org)."""
    for first in range(start, end, SPOOL_BLOCK):
        yield from rows.slice(first, min(first + SPOOL_BLOCK, end))


def _locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str | None, rows: int) -> int:
    if not locator:
        return 0
    try:
        padded = locator + "=" * (-len(locator) % 4)
        offset = int(base64.b64decode(padded, validate=True).decode())
    except ValueError:
        offset = -1
    if not 0 <= offset <= rows:
        raise bad_request("INVALIDLOCATOR", f"Invalid locator: {locator}")
    return offset


def _max_records(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_PAGE
    if not text.isdigit() or int(text) < 1:
        raise bad_request("INVALIDMAXRECORDS", f"maxRecords must be a positive integer: {text}")
    return int(text)
