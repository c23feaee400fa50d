"""Benchmark: how `demo-gen run` scales, against the network's floor, in one run.

One local org of `--opportunities` (default 20,000) is seeded once; for each size (default 200,
2,000 and every eligible opportunity) a fresh copy is served by `demo-gen org serve --latency-ms
50` on loopback, a first run writes the plan and a rerun (a new process, same ledger) must create
nothing. Each run is its own Python process that reports its wall time and peak RSS; the org's
`/_local/stats` counts the API requests (login excluded) and `/proc/PID/status` its peak RSS.

Printed side by side, one column per size:

- records: what the run created (the org's own email Tasks excluded, as in bench_run.py);
- API calls, and the calls floor: one call per 200 records of each kind the run sends (the
  collection limit) plus the reads a run cannot avoid (`READS`);
- wall, and the latency floor: calls floor × latency / requests in flight (`salesforce.
  concurrency`), with the ratio wall / floor;
- wall per 1,000 records, and its growth from the second size to the last; records and wall per
  deal beside it (a larger size adds deals of other stages, with fewer or more records each, so
  per record and per deal can grow apart);
- client and org CPU seconds, and their sum over the wall (near 1: the two take turns, the
  one waiting on the other; near 2: they overlap);
- client and org peak RSS;
- the rerun's wall and calls, and rerun wall / first-run wall.

    python bench/bench_scale.py            # 20,000 opportunities: 200 / 2,000 / all (minutes)
    python bench/bench_scale.py --quick    # 400 opportunities: 25 / 100 / all (a few minutes)
    python bench/bench_scale.py --sizes 2000 --org-db seed.sqlite   # an org seeded before

Each size's figures are also printed to stderr as JSON as soon as it ends (with the load
average: on a shared machine wall times move with it; RSS and call counts do not).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench_common import cli, free_port, wait_for

ANCHOR = "2026-11-02"
BATCH = 200  # records per sObject Collections call
READS = 5  # queries a run cannot avoid: stages, opportunities, contacts, users, Events
ALL = 10**9  # "every eligible opportunity"
START_S = 900  # the org loads every record at start: minutes for 20,000 opportunities under load
SENT = ("meeting", "email", "call", "invitee", "email_relation", "scorecard", "answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=None, help="opportunities in the org")
    parser.add_argument("--sizes", default=None, help="run sizes, e.g. 200,2000,all")
    parser.add_argument("--latency-ms", type=int, default=50, help="latency of every API answer")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    parser.add_argument("--quick", action="store_true", help="a 400-opportunity org, 25/100/all")
    parser.add_argument("--chunk-deals", type=int, default=None, help="deals built at a time")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--org-db", default=None, help="a seeded org file to copy, not seed one")
    args = parser.parse_args()
    org_size = args.opportunities or (400 if args.quick else 20_000)
    sizes = _sizes(args.sizes or ("25,100,all" if args.quick else "200,2000,all"))
    work = Path(tempfile.mkdtemp(prefix="demo-gen-scale-"))
    try:
        seed_db = work / "seed.sqlite"
        started = time.perf_counter()
        if args.org_db:  # seeded before (`demo-gen org init --anchor-date ANCHOR`)
            shutil.copy(args.org_db, seed_db)
        else:
            cli("org", "init", "--db", str(seed_db), "--opportunities", str(org_size),
                "--anchor-date", ANCHOR)  # fmt: skip
        print(f"org of {org_size:,} opportunities ready in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
        results = [_measure(work, seed_db, size, args) for size in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _report(results, args)
    if args.json:
        print(json.dumps(results, indent=2))


def _sizes(text: str) -> list[int]:
    return [ALL if part.strip() == "all" else int(part) for part in text.split(",")]


def _measure(work: Path, seed_db: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
    label = "all" if size == ALL else str(size)
    db = work / f"org-{label}.sqlite"
    shutil.copy(seed_db, db)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "demo_gen", "org", "serve", "--db", str(db), "--port", str(port),
         "--latency-ms", str(args.latency_ms)],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url, timeout_s=START_S)
        config = _config(work / f"run-{label}", url, size, args.concurrency)
        org_cpu = _cpu_seconds(server.pid)
        first = _contender(config, url, args.chunk_deals)
        org_cpu = _cpu_seconds(server.pid) - org_cpu
        rerun = _contender(config, url, args.chunk_deals)
        org_rss = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        db.unlink(missing_ok=True)
    print(f"size {label}: {first['opportunities']:.0f} opportunities, {first['seconds']:.1f} s, "
          f"rerun {rerun['seconds']:.1f} s", file=sys.stderr)  # fmt: skip
    out: dict[str, Any] = {
        "size": float(size),
        **first,
        "org_peak_rss_mb": org_rss,
        "org_cpu_s": org_cpu,
        "rerun_seconds": rerun["seconds"],
        "rerun_calls": rerun["api_calls"],
        "routes": first["routes"],
        "rerun_routes": rerun["routes"],
        "rerun_created": rerun["records"],
        "latency_ms": float(args.latency_ms),
        "concurrency": float(args.concurrency),
        "load_average": os.getloadavg()[0],  # a shared machine: wall figures move with it
    }
    print(json.dumps(out), file=sys.stderr, flush=True)  # each size's figures as it ends
    return out


def _contender(config: Path, url: str, chunk: int | None) -> dict[str, Any]:
    before = _routes(url)
    env = dict(os.environ, BENCH_CHUNK_DEALS=str(chunk or ""))
    done = subprocess.run(
        [sys.executable, __file__, "--contender", str(config)],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"the run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    out = done.stdout
    measured: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    after = _routes(url)
    routes = {key: n - before.get(key, 0) for key, n in sorted(after.items())}
    measured["routes"] = {key: n for key, n in routes.items() if n}
    measured["api_calls"] = float(sum(routes.values()))
    return measured


def _routes(url: str) -> dict[str, int]:
    """The org's request counts by route, logins excluded (what the run's calls are made of)."""
    stats = json.loads(urllib.request.urlopen(f"{url}/_local/stats").read())
    requests: dict[str, int] = stats["requests"]
    return {key: n for key, n in requests.items() if "login" not in key and "oauth" not in key}


def _config(folder: Path, url: str, limit: int, concurrency: int) -> Path:
    folder.mkdir()
    path = folder / "bench.yaml"
    path.write_text(
        "run: {name: bench, seed: 42, anchor_date: " + ANCHOR + f", runs_dir: {folder}/runs}}\n"
        f"salesforce:\n  local: {{url: '{url}'}}\n  concurrency: {concurrency}\n"
        f"  query: {{opportunity_type: null, limit: {min(limit, 50_000)},"
        " stages_allowed: [Qualification, Discovery, Evaluation, Proposal, Negotiation]}\n"
        f"state: {{url: 'sqlite:///{folder}/state.sqlite'}}\n",
        encoding="utf-8",
    )
    return path


def _report(results: list[dict[str, float]], args: argparse.Namespace) -> None:
    heads = ["all" if r["size"] == ALL else f"{r['size']:,.0f}" for r in results]
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, values: list[str]) -> None:
        rows.append((label, values))

    row("opportunities run", [f"{r['opportunities']:,.0f}" for r in results])
    row("records created", [f"{r['records']:,.0f}" for r in results])
    row("API calls", [f"{r['api_calls']:,.0f}" for r in results])
    row("calls floor", [f"{_calls_floor(r):,.0f}" for r in results])
    row("calls / floor", [f"{r['api_calls'] / max(_calls_floor(r), 1):.2f}x" for r in results])
    row("wall (s)", [f"{r['seconds']:.1f}" for r in results])
    row("latency floor (s)", [f"{_wall_floor(r):.1f}" for r in results])
    row("wall / floor", [f"{r['seconds'] / max(_wall_floor(r), 1e-9):.1f}x" for r in results])
    row("wall per 1k records (ms)", [f"{_per_k(r):.0f}" for r in results])
    row("records per deal", [f"{r['records'] / max(r['opportunities'], 1):.1f}" for r in results])
    row("wall per deal (ms)", [f"{_per_deal(r):.1f}" for r in results])
    row("client CPU (s)", [f"{r['cpu_s']:.1f}" for r in results])
    row("org CPU (s)", [f"{r['org_cpu_s']:.1f}" for r in results])
    row("(client + org CPU) / wall", [f"{(r['cpu_s'] + r['org_cpu_s']) / r['seconds']:.2f}"
                                      for r in results])  # fmt: skip
    row("client peak RSS (MB)", [f"{r['peak_rss_mb']:.0f}" for r in results])
    row("org peak RSS (MB)", [f"{r['org_peak_rss_mb']:.0f}" for r in results])
    row("rerun created", [f"{r['rerun_created']:,.0f}" for r in results])
    row("rerun API calls", [f"{r['rerun_calls']:,.0f}" for r in results])
    row("rerun wall (s)", [f"{r['rerun_seconds']:.2f}" for r in results])
    row("rerun / first wall", [f"{r['rerun_seconds'] / r['seconds']:.3f}" for r in results])
    width = max(len(label) for label, _ in rows) + 2
    print(f"latency {args.latency_ms} ms, {args.concurrency} requests in flight")
    print(" " * width + "".join(f"{h:>12}" for h in heads))
    for label, values in rows:
        print(f"{label:<{width}}" + "".join(f"{v:>12}" for v in values))
    if len(results) >= 2 and _per_k(results[-2]) > 0:
        growth = _per_k(results[-1]) / _per_k(results[-2])
        per_deal = _per_deal(results[-1]) / _per_deal(results[-2])
        print(
            f"wall per record, {heads[-2]} → {heads[-1]}: {growth:.2f}x "
            f"(per deal: {per_deal:.2f}x; the sizes' deals differ in records per deal)"
        )


def _calls_floor(r: dict[str, float]) -> float:
    sent = [r.get(f"created_{kind}", 0.0) for kind in SENT]
    return float(sum(math.ceil(n / BATCH) for n in sent) + READS)


def _wall_floor(r: dict[str, float]) -> float:
    return _calls_floor(r) * r["latency_ms"] / 1000 / r["concurrency"]


def _per_k(r: dict[str, float]) -> float:
    return 1000 * 1000 * r["seconds"] / r["records"] if r["records"] else 0.0


def _per_deal(r: dict[str, float]) -> float:
    return 1000 * r["seconds"] / r["opportunities"] if r["opportunities"] else 0.0


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far, from /proc/PID/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return float("nan")
    fields = stat.rpartition(")")[2].split()  # the name may hold spaces; fields from the state on
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- one run, in its own process ---------------------------------------------------------------


def _run(config_path: str) -> None:
    import resource
    from datetime import date

    from demo_gen.commands.run import RunOptions, run
    from demo_gen.config.model import Secrets, load_config

    config = load_config(config_path)
    started = time.perf_counter()
    chunk = os.environ.get("BENCH_CHUNK_DEALS")
    options = RunOptions(today=date.fromisoformat(ANCHOR))
    if chunk:
        options = RunOptions(today=options.today, chunk_deals=int(chunk))
    report = run(config, Secrets(), options)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    created = {f"created_{kind}": float(c.get("created", 0)) for kind, c in report.counts.items()}
    # the org makes a Task per EmailMessage; only demo-gen records them (as in bench_run.py)
    org_made = sum(report.counts.get(k, {}).get("created", 0) for k in _ORG_MADE)
    out: dict[str, Any] = {
        "records": float(report.created - org_made),
        "opportunities": float(report.opportunities),
        "seconds": seconds,
        "peak_rss_mb": peak,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        **created,
    }
    print(json.dumps(out))


_ORG_MADE = ("email_task", "event_relation", "task_relation")


if __name__ == "__main__":
    os.environ.pop("DEMO_GEN_CONFIG", None)
    if len(sys.argv) == 3 and sys.argv[1] == "--contender":
        _run(sys.argv[2])
    else:
        main()
