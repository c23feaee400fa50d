"""Benchmark: API requests per 1,000 records, REST collections against Bulk API 2.0, same plan.

Both contenders run `demo-gen run` with the same config, seed and anchor on identical copies of
one seeded local org, each served by its own `demo-gen org serve` (optionally slowed down);
only `salesforce.bulk.mode` differs (never / always). The org's `/_local/stats` counts the
requests (logins excluded), split into writes (sObject Collections, or Bulk ingest job
requests), SOQL reads (selection, read-back of snapshots and org-made records, reconcile: REST
query pages, or Bulk API 2.0 query jobs — create, status, result pages) and the rest (describe,
limits, the composite request of the rerun check), and prints them per 1,000 and per 10,000
records written, REST beside Bulk.

    python bench/bench_bulk.py [--opportunities 2000] [--limit 50000] [--latency-ms 0]
                               [--only rest|bulk] [--seed-db ORG.sqlite]

`--limit` caps the opportunities the run selects; the default takes every eligible one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_common import cli, free_port, wait_for

ANCHOR = "2026-11-02"
ORG_MADE = ("email_task", "event_relation", "task_relation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=2000, help="opportunities in the org")
    parser.add_argument("--limit", type=int, default=50_000, help="opportunities a run selects")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay on every REST answer")
    parser.add_argument("--only", choices=("rest", "bulk"), help="run one contender only")
    parser.add_argument("--seed-db", type=Path, help="copy this seeded org instead of org init")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-bench-bulk-"))
    try:
        seed = work / "seed.sqlite"
        if args.seed_db is not None:
            shutil.copy(args.seed_db, seed)
        else:
            cli("org", "init", "--db", str(seed), "--opportunities", str(args.opportunities),
                 "--anchor-date", ANCHOR)  # fmt: skip
        modes = {"rest": ("never",), "bulk": ("always",)}.get(args.only or "", ("never", "always"))
        results = {mode: _measure(mode, work, seed, args.limit, args.latency_ms) for mode in modes}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _report(results, args)


def _measure(mode: str, work: Path, seed: Path, limit: int, latency: int) -> dict[str, float]:
    db = work / f"{mode}.sqlite"
    shutil.copy(seed, db)
    port = free_port()
    command = [sys.executable, "-m", "demo_gen", "org", "serve", "--db", str(db),
               "--port", str(port), "--latency-ms", str(latency)]  # fmt: skip
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url)
        config = _config(work / mode, url, limit, mode)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "demo_gen", "run", "-c", str(config), "--json"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{mode}: run exited {done.returncode}: {done.stderr[-800:]}")
        report = json.loads(done.stdout)
        stats = json.loads(urllib.request.urlopen(f"{url}/_local/stats").read())
        print(f"{mode}: {json.dumps(stats['requests'], sort_keys=True)}", file=sys.stderr)
        return _figures(report, stats["requests"], seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _figures(report: dict, requests: dict[str, int], seconds: float) -> dict[str, float]:
    counts = report["counts"]
    written = sum(v["created"] for k, v in counts.items() if k not in ORG_MADE)
    split = {"writes": 0, "reads": 0, "query_jobs": 0, "other": 0}
    for key, n in requests.items():
        if "login" in key or "oauth" in key:
            continue
        if "jobs/ingest" in key or "composite/" in key:
            split["writes"] += n
        elif "query" in key.lower():  # REST query pages and Bulk query jobs
            split["reads"] += n
            split["query_jobs"] += n if "jobs/query" in key else 0
        else:
            split["other"] += n
    total = split["writes"] + split["reads"] + split["other"]
    return {
        "records": written,
        "org_made": sum(counts.get(k, {}).get("created", 0) for k in ORG_MADE),
        "requests": total,
        **{f"{k}_requests": v for k, v in split.items()},
        "per_1000": 1000 * total / written if written else float("nan"),
        "writes_per_1000": 1000 * split["writes"] / written if written else float("nan"),
        "per_10000": 10_000 * total / written if written else float("nan"),
        "writes_per_10000": 10_000 * split["writes"] / written if written else float("nan"),
        "seconds": seconds,
    }


def _config(folder: Path, url: str, limit: int, mode: str) -> Path:
    folder.mkdir()
    path = folder / "bench.yaml"
    path.write_text(
        "run: {name: bench, seed: 42, anchor_date: " + ANCHOR + f", runs_dir: {folder}/runs,"
        " api_budget_share: 1.0}\n"
        f"salesforce:\n  local: {{url: '{url}'}}\n"
        f"  bulk: {{mode: {mode}, poll_seconds: 0.2}}\n"
        f"  query: {{opportunity_type: null, limit: {limit},"
        " stages_allowed: [Qualification, Discovery, Evaluation, Proposal, Negotiation]}\n"
        f"state: {{url: 'sqlite:///{folder}/state.sqlite'}}\n",
        encoding="utf-8",
    )
    return path


def _report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    missing = dict.fromkeys(next(iter(results.values())), float("nan"))
    rest, bulk = results.get("never", missing), results.get("always", missing)
    print(f"org: {args.opportunities} opportunities, run limit {args.limit}, "
          f"latency {args.latency_ms} ms")  # fmt: skip
    print(f"{'':34}{'REST':>12}{'Bulk 2.0':>12}{'REST/Bulk':>11}")
    rows = (
        ("records", "records written"),
        ("org_made", "records the org made (owned)"),
        ("requests", "API requests"),
        ("writes_requests", "  writes (collections / jobs)"),
        ("reads_requests", "  SOQL reads"),
        ("query_jobs_requests", "    of which Bulk query jobs"),
        ("other_requests", "  other (describe, limits, …)"),
        ("per_1000", "API requests per 1,000 records"),
        ("writes_per_1000", "  of which writes"),
        ("per_10000", "API requests per 10,000 records"),
        ("writes_per_10000", "  of which writes"),
        ("seconds", "wall time (s)"),
    )
    for key, label in rows:
        ratio = rest[key] / bulk[key] if bulk[key] else float("nan")
        print(f"{label:34}{rest[key]:>12.2f}{bulk[key]:>12.2f}{ratio:>10.1f}x")
    for name, r in (("REST", rest), ("Bulk", bulk)):
        print(f"{name}: {r['records'] / r['requests']:.0f} records per API request, "
              f"{1e4 * r['requests'] / r['records']:.1f} requests per 10,000 records "
              f"({1e4 * r['writes_requests'] / r['records']:.2f} of them writes)")  # fmt: skip


if __name__ == "__main__":
    os.environ.pop("DEMO_GEN_CONFIG", None)
    main()
