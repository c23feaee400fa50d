"""Benchmark: the Bulk read-back's window query on a disk table, from the ordered index vs a scan.

After each Bulk ingest job the client reads back what the job made with a query job
`SELECT … FROM <sobject> WHERE SystemModstamp >= <the job's createdDate>` (targets/salesforce/
bulk_readback.py). This builds one org file holding Tasks written as jobs of `--window` records
(each job one second after the one before, as a run's jobs are), grows it to each size, and times
the query for the newest job's records through `soql.engine.stream` (what a Bulk query job
runs): once from the `Task__SystemModstamp` index, once with the store's indexes off
(`Store.indexed_queries = False`: a scan of the table). Both must give the same rows. Printed: the
best of `--repeat` runs, wall and CPU (`process_time`), and scan / index.

It also prints what the ordered indexes cost a write: 10 jobs' worth of Task rows inserted into
SQLite as the store writes them, with and without the `Task__SystemModstamp` index.

    python bench/bench_org_window.py [--sizes 50000,200000,800000] [--window 5000]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from demo_gen.local_org.fixture.common import Writer
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.soql import engine as soql
from demo_gen.local_org.store.core import Store, _sql_values, _statements

START = datetime(2026, 11, 2, 9, tzinfo=UTC)
FIELDS = "Id, Subject, WhatId, Status, ActivityDate, SystemModstamp, DemoGen_Signature__c"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,200000,800000", help="Task counts")
    parser.add_argument("--window", type=int, default=5000, help="records a job makes")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (best kept)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the write measure")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-bench-window-"))
    try:
        _write_cost(work, args.window, args.rounds)
        store = Store(work / "org.sqlite")
        with Writer(store) as out:
            what = out.add("Account", {"Name": "A"})
        held = 0
        print(f"\nwindow: the newest {args.window:,} Tasks (SystemModstamp >= its job's start)")
        print(f"{'Tasks':>9} {'index wall':>11} {'scan wall':>10} {'ratio':>6}   "
              f"{'index CPU':>10} {'scan CPU':>9} {'ratio':>6}")  # fmt: skip
        for n in (int(s) for s in args.sizes.split(",")):
            held = _grow(store, what, held, n, args.window)
            since = START + timedelta(seconds=(n - 1) // args.window)
            text = f"SELECT {FIELDS} FROM Task WHERE SystemModstamp >= {_literal(since)}"
            index, index_cpu, rows = _best(store, text, True, args.repeat)
            scan, scan_cpu, scanned = _best(store, text, False, args.repeat)
            assert rows == scanned and len(rows) == n - (n - 1) // args.window * args.window
            print(f"{n:>9,} {index * 1000:>9.0f}ms {scan * 1000:>8.0f}ms {scan / index:>5.0f}x   "
                  f"{index_cpu * 1000:>8.0f}ms {scan_cpu * 1000:>7.0f}ms "
                  f"{scan_cpu / index_cpu:>5.0f}x")  # fmt: skip
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _grow(store: Store, what: str, held: int, n: int, window: int) -> int:
    """Add Tasks until *store* holds *n*; the i-th Task's stamp is its job's (i // window)."""
    with Writer(store) as out:
        for i in range(held, n):
            stamp = START + timedelta(seconds=i // window)
            out.add("Task", _task(what, i, stamp))
    return n


def _task(what: str, i: int, stamp: datetime) -> dict[str, object]:
    return {
        "WhatId": what,
        "Subject": f"Email: follow-up {i}",
        "Status": "Completed",
        "ActivityDate": date(2026, 11, 2),
        "Description": "x" * 300,
        "DemoGen_Signature__c": f"sig-{i}",
        "CreatedDate": stamp,
        "SystemModstamp": stamp,
    }


def _best(store: Store, text: str, indexed: bool, repeat: int) -> tuple[float, float, list[str]]:
    """The best wall and CPU seconds of *repeat* runs of *text*, and the ids it gave."""
    store.indexed_queries = indexed
    walls, cpus, ids = [], [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        query = soql.parse(text)
        ids = [r["Id"] for r in soql.stream(query, store, version="59.0", today=START.date())]
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    store.indexed_queries = True
    return min(walls), min(cpus), ids


def _write_cost(work: Path, window: int, rounds: int = 3) -> None:
    """CPU µs a Task costs SQLite to insert (chunks of 200 rows, one transaction each, as a Bulk
    job commits) into a fresh store file with and without the ordered index; the rounds
    alternate the configurations and the median is printed (the machine is shared)."""
    task = schema.OBJECTS["task"]
    insert, _ = _statements(task)
    n = 10 * window
    rows = []
    for i in range(n):
        record = {f.name: None for f in task.fields}
        record |= _task("001RM0000000001AAA", i, START + timedelta(seconds=i // window))
        rows.append([*_sql_values(task, record | {"Id": f"00T{i:015d}"}), i])
    configs = {"with Task__SystemModstamp": False, "without it": True}
    took: dict[str, list[float]] = {label: [] for label in configs}
    for round_ in range(rounds):
        for label, dropped in configs.items():
            path = work / f"write-{round_}-{dropped}.sqlite"  # a fresh file each time
            Store(path).close()  # the tables and indexes a store makes
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA synchronous=NORMAL")
            if dropped:
                conn.execute('DROP INDEX "Task__SystemModstamp"')
            start = time.process_time()
            for k in range(0, n, 200):
                conn.execute("BEGIN")
                conn.executemany(insert, rows[k : k + 200])
                conn.execute("COMMIT")
            took[label].append((time.process_time() - start) / n * 1e6)
            conn.close()
    print(f"write: {n:,} Tasks inserted (200 a transaction), median of {rounds} rounds")
    for label, times in took.items():
        spread = ", ".join(f"{t:.1f}" for t in times)
        print(f"  {label:<25} {statistics.median(times):6.1f} µs CPU a Task  ({spread})")


def _literal(value: datetime) -> str:
    return schema.format_datetime(value).replace("+0000", "Z")


if __name__ == "__main__":
    main()
