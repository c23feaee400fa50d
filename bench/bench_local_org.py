"""Benchmark: the local org at scale — indexed look-ups against scans, concurrent writes, RSS.

For each size N it builds an org holding N Tasks (spread over the fixture's opportunities) and
N/2 EmailMessages (each pointing at a Task through ActivityId) and N/4 Events with one
EventRelation each, then measures:

* **look-ups**, in this process, through the SOQL engine the server runs: the same queries by
  `WhatId IN (…)` on Task and `ActivityId IN (…)` on EmailMessage, once with the store's
  indexes switched off (`Store.indexed_queries = False`: the engine scans, as it always did) and
  once on; it checks both give the same rows and prints the time per query and the ratio;
* **writes**: `demo-gen org serve` on a copy of that org, 4 clients (threads) each posting
  200-record collections (`POST composite/sobjects`) as fast as the server answers: Tasks with
  a signature (the duplicate check), then EventRelations for fresh Events (the sibling check,
  which reads the committed EventRelations of each Event); calls per second, and the org
  process's peak RSS (VmHWM) at the end;
* with `--baseline-src DIR` (e.g. the main checkout's `src`), the same writes against a server
  running that code, side by side.

    python bench/bench_local_org.py [--sizes 10000,50000,200000] [--baseline-src ../main/src]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
from bench_common import free_port, wait_for

ANCHOR = date(2026, 11, 2)
API = "/services/data/v59.0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10000,50000,200000", help="Task counts, comma-separated"
    )
    parser.add_argument("--queries", type=int, default=40, help="look-up queries of each kind")
    parser.add_argument("--calls", type=int, default=15, help="collection calls per client")
    parser.add_argument("--clients", type=int, default=4, help="concurrent writing clients")
    parser.add_argument("--baseline-src", default=None, help="src dir of the code to compare to")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-bench-org-"))
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            db = work / f"org-{n}.sqlite"
            built = _build(db, n, 2 * args.clients * args.calls * 200)
            print(
                f"\n== N = {n:,} Tasks, {n // 2:,} EmailMessages, {n // 4:,} EventRelations "
                f"(built in {built:.1f} s)"
            )
            _lookups(db, args.queries)
            contenders = [("indexed (this tree)", None)]
            if args.baseline_src:
                contenders.append(("baseline", args.baseline_src))
            for name, src in contenders:
                copy = work / f"org-{n}-{len(name)}.sqlite"
                shutil.copy(db, copy)
                figures, rss = _writes(copy, src, args.clients, args.calls)
                shown = ", ".join(f"{v:5.1f} calls/s of 200 {k}" for k, v in figures.items())
                print(f"  writes {name:>20}: {shown}; org peak RSS {rss:.0f} MB")
                copy.unlink()
            db.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- building the org ----------------------------------------------------------------------


def _build(db: Path, n: int, free_events: int) -> float:
    from demo_gen.local_org.fixture.build import FixtureSpec, build_org
    from demo_gen.local_org.fixture.common import Writer, system_fields
    from demo_gen.local_org.store.core import Store, now_utc

    started = time.perf_counter()
    store = Store(db)
    build_org(store, FixtureSpec(anchor=ANCHOR, seed=42, opportunities=400))
    opps = [r["Id"] for r in store.rows("Opportunity")]
    user = store.rows("User")[0]["Id"]
    contacts = [r["Id"] for r in store.rows("Contact")]
    now = now_utc()
    rng = random.Random(7)
    with Writer(store) as out:
        for i in range(n):
            what = rng.choice(opps)
            task = out.add(
                "Task",
                system_fields(now, now, user, user)
                | {"WhatId": what, "Subject": f"Email: bench {i}", "TaskSubtype": "Email"}
                | {"ActivityDate": ANCHOR - timedelta(days=i % 300), "Status": "Completed"},
            )
            if i % 2 == 0:
                out.add(
                    "EmailMessage",
                    system_fields(now, now, user, None)
                    | {"ActivityId": task, "RelatedToId": what, "Subject": f"bench {i}"},
                )
        for i in range(n // 4 + free_events):
            start = now - timedelta(days=i % 300)
            event = out.add(
                "Event",
                system_fields(now, now, user, user)
                | {
                    "Subject": "bench-free" if i >= n // 4 else f"meeting {i}",
                    "WhatId": opps[i % 7],
                }
                | {"StartDateTime": start, "EndDateTime": start + timedelta(minutes=30)}
                | {"DurationInMinutes": 30, "ActivityDateTime": start},
            )
            if i < n // 4:
                out.add(
                    "EventRelation",
                    system_fields(now, now, user, None)
                    | {"EventId": event, "RelationId": contacts[i % len(contacts)]},
                )
    store.close()
    return time.perf_counter() - started


# --- look-ups, scan against index, in process ------------------------------------------------


def _lookups(db: Path, count: int) -> None:
    from demo_gen.local_org.soql import engine as soql
    from demo_gen.local_org.store.core import Store

    store = Store(db)
    rng = random.Random(11)
    opps = [r["Id"] for r in store.rows("Opportunity")]
    tasks = [r["Id"] for r in store.rows("Task")]
    kinds = {
        "Task WHERE WhatId IN (10 opportunities)": [
            "SELECT Id, Subject, WhatId FROM Task WHERE WhatId IN ("
            + ", ".join(f"'{i}'" for i in rng.sample(opps, 10))
            + ") AND TaskSubtype = 'Email' ORDER BY Id"
            for _ in range(count)
        ],
        "EmailMessage WHERE ActivityId IN (200 tasks)": [
            "SELECT Id, ActivityId FROM EmailMessage WHERE ActivityId IN ("
            + ", ".join(f"'{i}'" for i in rng.sample(tasks, 200))
            + ")"
            for _ in range(count)
        ],
    }
    for label, queries in kinds.items():
        timings: dict[bool, float] = {}
        results: dict[bool, list[Any]] = {}
        for indexed in (False, True):
            store.indexed_queries = indexed
            started = time.perf_counter()
            results[indexed] = [
                soql.run(q, store, version="59.0", today=ANCHOR).records for q in queries
            ]
            timings[indexed] = (time.perf_counter() - started) / len(queries)
        same = "same rows" if results[False] == results[True] else "ROWS DIFFER"
        rows = sum(len(r) for r in results[True]) / len(queries)
        print(
            f"  {label:<46} scan {timings[False] * 1000:8.2f} ms  index "
            f"{timings[True] * 1000:6.3f} ms  ratio {timings[False] / timings[True]:7.1f}x  "
            f"({rows:.0f} rows/query, {same})"
        )
    store.close()


# --- concurrent collection writes over HTTP --------------------------------------------------


def _writes(db: Path, src: str | None, clients: int, calls: int) -> tuple[dict[str, float], float]:
    port = free_port()
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    cmd = [sys.executable, "-m", "demo_gen", "org", "serve", "--db", str(db), "--port", str(port)]
    server = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url, 120)
        token = _login(url)
        what = _query(url, token, "SELECT Id FROM Opportunity LIMIT 50")
        people = _query(url, token, "SELECT Id FROM Contact LIMIT 50")
        events = _query(url, token, "SELECT Id FROM Event WHERE Subject = 'bench-free'")
        batches = {
            "Tasks": [_tasks(what, f"{k}-{c}") for k in range(clients) for c in range(calls)],
            "EventRelations": [
                _relations(events[b * 200 : (b + 1) * 200], people) for b in range(clients * calls)
            ],
        }
        figures = {
            kind: clients * calls / _post_all(url, token, records, clients)
            for kind, records in batches.items()
        }
        return figures, _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _post_all(url: str, token: str, batches: list[list[Any]], clients: int) -> float:
    """Seconds for *clients* threads to post *batches* between them (round robin)."""
    errors: list[str] = []

    def client(k: int) -> None:
        session = requests.Session()
        session.trust_env = False
        session.headers["Authorization"] = f"Bearer {token}"
        for records in batches[k::clients]:
            body = {"allOrNone": False, "records": records}
            answer = session.post(f"{url}{API}/composite/sobjects", json=body, timeout=300)
            if answer.status_code != 200 or not all(r["success"] for r in answer.json()):
                errors.append(answer.text[:300])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"bench: {len(errors)} collection calls failed: {errors[0]}")
    return time.perf_counter() - started


def _relations(events: list[str], people: list[str]) -> list[dict[str, Any]]:
    return [
        {"attributes": {"type": "EventRelation"}, "EventId": e, "RelationId": people[i % 50]}
        for i, e in enumerate(events)
    ]


def _tasks(what: list[str], tag: str) -> list[dict[str, Any]]:
    return [
        {
            "attributes": {"type": "Task"},
            "WhatId": what[i % len(what)],
            "Subject": f"bench {tag}-{i}",
            "DemoGen_Signature__c": f"bench-{tag}-{i}",
        }
        for i in range(200)
    ]


def _login(url: str) -> str:
    form = {
        "grant_type": "password",
        "client_id": "demo-gen-local",
        "client_secret": "demo-gen-secret",
        "username": "admin@demo-gen.local",
        "password": "demo-gen",
    }
    answer = requests.post(f"{url}/services/oauth2/token", data=form, timeout=30)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _query(url: str, token: str, text: str) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"}
    answer = requests.get(f"{url}{API}/query", params={"q": text}, headers=headers, timeout=60)
    answer.raise_for_status()
    return [r["Id"] for r in answer.json()["records"]]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main()
