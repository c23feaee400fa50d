"""A run-wide Bulk job's memory follows its rows, not its bytes (ledger/bulk_span.py,
docs/reruns-and-streaming.md): its CSV (up to 100 MB) is uploaded from its file on disk as it
is read, and its result files, which echo every uploaded cell, are streamed to disk and kept as
one short pair per row (its row key and its id or error). Held whole, a job cost its CSV as text
and as bytes, and its results as bytes, text and dicts: several times the upload."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from bulk_helpers import bulk_config
from conftest import ANCHOR

from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config
from demo_gen.targets.salesforce import bulk
from demo_gen.targets.salesforce.client import SalesforceCrm

CHUNK = 2


def _config(root: Path, db: Path, url: str) -> Path:
    return bulk_config(root, "mem", url, db)


def test_a_jobs_upload_and_results_are_never_held_whole(org_db, served_org, tmp_path, monkeypatch):
    uploads: list[tuple[bool, int]] = []  # (sent as text, bytes on disk)
    answers: list[tuple[str, bool, Any]] = []  # (path, to_file, what the answer holds)
    results: list[bulk.ResultRow] = []
    real_upload, real_results, real_jobs = (
        bulk.BulkChannel.upload,
        bulk.BulkChannel.results,
        SalesforceCrm.jobs,
    )

    def upload(self: bulk.BulkChannel, job_id: str, text: str | IO[bytes]) -> None:
        on_disk = not isinstance(text, str)
        uploads.append((not on_disk, os.fstat(text.fileno()).st_size if on_disk else 0))
        real_upload(self, job_id, text)

    def jobs(self: SalesforceCrm, method: str, path: str, **kw: Any) -> Any:
        answer = real_jobs(self, method, path, **kw)
        answers.append((path, bool(kw.get("to_file")), answer))
        return answer

    def kept(self: bulk.BulkChannel, *args: Any) -> Iterator[bulk.ResultRow]:
        for row in real_results(self, *args):
            results.append(row)
            yield row

    monkeypatch.setattr(bulk.BulkChannel, "upload", upload)
    monkeypatch.setattr(bulk.BulkChannel, "results", kept)
    monkeypatch.setattr(SalesforceCrm, "jobs", jobs)
    report = run(
        load_config(_config(tmp_path, org_db, served_org.url)),
        Secrets(),
        RunOptions(today=ANCHOR, chunk_deals=CHUNK),
    )
    assert report.counts["email"]["created"] > 0
    # every upload is a file on disk, sent as it is read, never the job's text
    assert uploads and all(not text and size for text, size in uploads), uploads
    # every ingest result file came to disk, not into memory as text
    files = [(to_file, a) for path, to_file, a in answers if path.startswith("jobs/ingest/")
             and path.endswith(("Results", "unprocessedrecords"))]  # fmt: skip
    assert files and all(to_file and a.text == "" for to_file, a in files)
    # and so did every page of a query job's results (the read-back's windows)
    pages = [(to_file, a) for path, to_file, a in answers
             if path.startswith("jobs/query/") and path.endswith("/results")]  # fmt: skip
    assert pages and all(to_file and a.text == "" for to_file, a in pages)
    # and each result row is kept as (file, row key, id or error): never the echoed cells
    assert results and all(len(r) == 3 and re.fullmatch("[0-9a-f]{64}", r[1]) for r in results), (
        results[:3]
    )
