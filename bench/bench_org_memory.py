"""Benchmark: the local org's peak RSS through the largest jobs of a run, on a file a run left.

`bench_scale --sizes all` measures the org over a whole all-eligible run, which takes long on a
shared machine. This drives the org's heaviest work directly, on a copy of an org file that
already holds what such a run leaves (`--org-db`, e.g. a copy of a `bench_scale` org taken
while or after it ran): `demo-gen org serve` on the copy, one Bulk 2.0 ingest job of `--rows`
EmailMessageRelations (the largest job of a run), then one Bulk query job over every row of
TaskRelation, EventRelation and EmailMessageRelation (what the read-back's `SystemModstamp`
windows read). After each step it prints the org process's VmRSS and VmHWM (/proc).

    python bench/bench_org_memory.py --org-db org-all.sqlite [--rows 250000]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench_common import serve_org
from simple_salesforce import Salesforce

from demo_gen.targets.salesforce.transport import local_session

WINDOW = "WHERE SystemModstamp >= 2000-01-01T00:00:00Z"
QUERIES = {
    "TaskRelation": f"SELECT Id, TaskId FROM TaskRelation {WINDOW}",
    "EventRelation": f"SELECT Id, RelationId FROM EventRelation {WINDOW}",
    "EmailMessageRelation": f"SELECT Id, RelationId FROM EmailMessageRelation {WINDOW}",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org-db", required=True, help="an org file a run left (copied first)")
    parser.add_argument("--rows", type=int, default=250_000, help="rows of the ingest job")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-org-memory-"))
    try:
        db = work / "org.sqlite"
        with sqlite3.connect(args.org_db) as source, sqlite3.connect(db) as copy:
            source.backup(copy)
        _measure(db, args.rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(db: Path, rows: int) -> None:
    with sqlite3.connect(db) as conn:
        emails = [r[0] for r in conn.execute("SELECT Id FROM EmailMessage LIMIT ?", (rows,))]
        contacts = [r[0] for r in conn.execute("SELECT Id FROM Contact LIMIT 5000")]
    if not emails or not contacts:
        raise SystemExit("the org file holds no EmailMessage or no Contact: run demo-gen first")
    server, url = serve_org(db, timeout_s=900)
    try:
        print(f"started: {_memory(server.pid)}", flush=True)
        sf = Salesforce(
            session=local_session(url),
            username="admin@demo-gen.local",
            password="demo-gen",
            security_token="",
        )
        records = [
            {
                "EmailMessageId": emails[i % len(emails)],
                "RelationId": contacts[i % len(contacts)],
                "RelationType": "CcAddress",
            }
            for i in range(rows)
        ]
        started = time.perf_counter()
        sf.bulk2.EmailMessageRelation.insert(records=records, wait=1)
        print(f"ingest of {rows:,} rows, {time.perf_counter() - started:.0f} s: "
              f"{_memory(server.pid)}", flush=True)  # fmt: skip
        for sobject, soql in QUERIES.items():
            started = time.perf_counter()
            pages = getattr(sf.bulk2, sobject).query(soql)
            n = sum(len(page.splitlines()) - 1 for page in pages)
            print(f"query of {n:,} {sobject}, {time.perf_counter() - started:.0f} s: "
                  f"{_memory(server.pid)}", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def _memory(pid: int) -> str:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        lines = [line.split() for line in status if line.startswith(("VmRSS", "VmHWM"))]
    return ", ".join(f"{name[:-1]} {int(kb) / 1024:,.0f} MB" for name, kb, _ in lines)


if __name__ == "__main__":
    main()
