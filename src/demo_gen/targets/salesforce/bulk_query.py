"""Bulk API 2.0 query jobs for the Salesforce target: a SOQL query read as pages of CSV.

    POST jobs/query → GET …/results?maxRecords=N, then again with each Sforce-Locator until it
    says "null"; a job still running (412 JOB_NOT_COMPLETE) is first polled (GET jobs/query/{id})
    until JobComplete

The results are asked for straight away: a job that is done by then costs no status request
(the Bulk API 2.0 guide: results "must have the state JobComplete", and a real org answers 412
JOB_NOT_COMPLETE before). Once a job of the channel was not done at its first ask, the next
jobs wait `poll_seconds` before theirs (a real org's jobs are asynchronous), so the ask lands
on a finished job instead of costing a refused request each time. Two requests whatever the
number of rows when the first ask finds the job done (one more per `PAGE_RECORDS` rows), against
one per 2,000 rows for REST `query` paging and one per 200 ids for an `IN` list: what the
read-back of a Bulk ingest job (`WindowFetch`) and the first reads of a large org
(`selection.py`) use (docs/adr/0008-bulk-query-for-reads.md). A query job supports no
aggregates, OFFSET, GROUP BY or parent-to-child subqueries; child-to-parent paths come back as
`Parent.Field` columns, which `rows` nests as the REST API would (`{"Parent": {"Field": …}}`,
None when every cell of the parent is empty).

CSV has no types: an empty cell is null (Salesforce stores no empty strings); `types` converts
the columns that are not text (`BOOL`, `NUMBER`). A job the org forgot (restarted) is asked
again once, as a new job.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from demo_gen.config.model import BulkSettings
from demo_gen.errors import AuthError, LimitError, TargetError
from demo_gen.targets.salesforce.bulk import job_json
from demo_gen.targets.salesforce.client import BulkAnswer, SalesforceCrm

PAGE_RECORDS = 100_000
"""maxRecords: the rows a results page may hold (the org may cut pages smaller by size)."""
REQUESTS_PER_QUERY = 2
"""What a query job costs at least: create and one page of results (a status look, and a refused
first ask, only when the job was not done when first asked)."""
_TERMINAL = ("JobComplete", "Failed", "Aborted")


def _bool(cell: str) -> bool:
    return cell.lower() == "true"


def _number(cell: str) -> float | int:
    number = float(cell)
    return int(number) if number.is_integer() and "." not in cell else number


BOOL: Callable[[str], Any] = _bool
NUMBER: Callable[[str], Any] = _number


class QueryChannel:
    """Query jobs against one org (every request through `SalesforceCrm.jobs`, so counted)."""

    def __init__(self, crm: SalesforceCrm, settings: BulkSettings) -> None:
        self._crm = crm
        self._settings = settings
        self.jobs = 0
        """Query jobs this channel created."""
        self.wait_first = False
        """A job of this channel was still running when first asked: wait before asking."""

    def rows(
        self,
        soql: str,
        *,
        include_deleted: bool = False,
        types: Mapping[str, Callable[[str], Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Every row of `soql` as a dict, parents nested; a job the org lost is asked again."""
        out: list[dict[str, Any]] = []
        self.each(out.extend, soql, include_deleted=include_deleted, types=types,
                  restart=out.clear)  # fmt: skip
        return out

    def each(
        self,
        sink: Callable[[Iterator[dict[str, Any]]], None],
        soql: str,
        *,
        include_deleted: bool = False,
        types: Mapping[str, Callable[[str], Any]] | None = None,
        restart: Callable[[], None],
    ) -> None:
        """`rows`, a page at a time: each page's rows go to `sink` as they are parsed, so no more
        than one page's text is held. A job the org lost is asked again as a new one, after
        `restart` has dropped what the sink took of the lost one."""
        for attempt in range(2):
            try:
                self._each(sink, soql, include_deleted, types or {})
                return
            except TargetError as exc:
                if attempt or "NOT_FOUND" not in str(exc):
                    raise
                restart()

    def _each(
        self,
        sink: Callable[[Iterator[dict[str, Any]]], None],
        soql: str,
        include_deleted: bool,
        types: Mapping[str, Callable[[str], Any]],
    ) -> None:
        job_id = self._create(soql, include_deleted)
        answer = self._first_page(job_id)
        while True:
            assert answer.file is not None
            with answer.file as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as text:
                sink(_parse(text, types))
            locator = answer.headers.get("Sforce-Locator", "null")
            if locator in ("", "null"):
                return
            answer = self._page(job_id, locator)

    def _page(self, job_id: str, locator: str = "") -> BulkAnswer:
        """A page of results, streamed to a temporary file (a page of 100,000 rows is tens of
        MB of text: held as bytes and text it took several times that in memory)."""
        params = {"maxRecords": str(PAGE_RECORDS)}
        if locator:
            params["locator"] = locator
        path = f"jobs/query/{job_id}/results"
        return self._crm.jobs("GET", path, safe=True, params=params, to_file=True)

    def _first_page(self, job_id: str) -> BulkAnswer:
        """The first page of results, asked for without a status look first; a job not done yet
        (the org refuses its results, or answers them empty: 204) is polled to JobComplete —
        a Failed or Aborted job is a TargetError there — and asked again.

        Never more requests than a status look first: a job done by the first ask costs 2
        instead of 3; one that runs k polling intervals costs k + 2 after a wait (k + 3 before)."""
        if self.wait_first:
            time.sleep(self._settings.poll_seconds)
        try:
            answer = self._page(job_id)
            if answer.status == 200:
                return answer
            if answer.file is not None:
                answer.file.close()
        except (AuthError, LimitError):
            raise
        except TargetError as exc:
            if "NOT_FOUND" in str(exc):
                raise  # the org forgot the job: `rows` asks again as a new one
        self.wait_first = True
        time.sleep(self._settings.poll_seconds)  # it was running a moment ago: no look at once
        self._wait(job_id)
        return self._page(job_id)

    def _create(self, soql: str, include_deleted: bool) -> str:
        body = {
            "operation": "queryAll" if include_deleted else "query",
            "query": soql,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        }
        info = job_json(self._crm.jobs("POST", "jobs/query", safe=True, body=body), "query")
        if not info.get("id"):
            raise TargetError(f"bulk query job did not start: {str(info)[:200]}")
        self.jobs += 1
        return str(info["id"])

    def _wait(self, job_id: str) -> None:
        """Poll until JobComplete; a Failed or Aborted job is a TargetError."""
        attempt = 0
        while True:
            info = job_json(self._crm.jobs("GET", f"jobs/query/{job_id}", safe=True), "query")
            state = info.get("state")
            if state == "JobComplete":
                return
            if state in _TERMINAL:
                raise TargetError(f"bulk query job {job_id} {state}: {info.get('errorMessage')}")
            time.sleep(min(self._settings.poll_seconds * (1 + attempt // 10), 30.0))
            attempt += 1


def _parse(
    text: str | IO[str], types: Mapping[str, Callable[[str], Any]]
) -> Iterator[dict[str, Any]]:
    """A page's rows (its text, or a file of it), parsed one at a time as they are taken."""
    reader = csv.reader(io.StringIO(text) if isinstance(text, str) else text)
    header = next(reader, None)
    if header is None:
        return
    for cells in reader:
        if cells:
            yield _record(header, cells, types)


def _record(
    header: list[str], cells: list[str], types: Mapping[str, Callable[[str], Any]]
) -> dict[str, Any]:
    """One CSV row as the REST API would give it: null for empty cells, parents nested."""
    out: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        value = None if cell == "" else types.get(name, str)(cell)
        *parents, leaf = name.split(".")
        node = out
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    for name in {n.split(".")[0] for n in header if "." in n}:
        out[name] = _none_if_empty(out[name])
    return out


def _none_if_empty(node: Any) -> Any:
    """A parent whose every value is null is a null parent (CSV cannot tell them apart)."""
    if not isinstance(node, dict):
        return node
    nested = {k: _none_if_empty(v) for k, v in node.items()}
    return None if all(v is None for v in nested.values()) else nested
