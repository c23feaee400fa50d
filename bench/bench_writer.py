"""Benchmark: the write phase's main thread, this tree against an older one, side by side.

Both contenders run `demo-gen run` (same config, seed and anchor) against identical copies of a
seeded local org, each served by its own `demo-gen org serve --latency-ms N` process on loopback.
The "before" contender runs the source of another git revision (`--before`, default `main`),
extracted with `git archive` into a temporary folder; "after" runs this tree. Each contender runs
in its own process under cProfile, which profiles only the thread that enables it: the main
thread, the one that feeds the request pool. The script prints, per contender, the wall time, the
API requests the org served, and where the main thread spent its time:

- ledger: in `StateStore` calls (writing or reading the ledger) and waiting on the ledger thread;
- network: in the target's read-back queries run on the main thread, and waiting on the pool;

then the ratios.

    python bench/bench_writer.py [--org 4500] [--limit 2000] [--latency-ms 50] [--before main]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_run import ANCHOR, _cli, _config, _free_port, _wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

LEDGER = (
    ("state.py", "mark_pending"),
    ("state.py", "record_batch"),
    ("state.py", "mark_created"),
    ("state.py", "items_by_signature"),
    ("writer_ledger.py", "wait_for"),
)
"""Main-thread functions that are time spent on the ledger (cumulative)."""

NETWORK = (
    ("writer.py", "_read_back"),
    ("_base.py", "wait"),
)
"""Main-thread functions that are time spent on the network: read-backs and waiting on the
pool (`concurrent.futures.wait`)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", type=int, default=4500, help="opportunities in the org")
    parser.add_argument("--limit", type=int, default=2000, help="opportunities the run selects")
    parser.add_argument("--latency-ms", type=int, default=50, help="delay of every REST answer")
    parser.add_argument("--before", default="main", help="git revision of the 'before' tree")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-bench-writer-"))
    try:
        before_src = _extract(args.before, work / "tree-before")
        seed_db = work / "seed.sqlite"
        _cli(
            "org",
            "init",
            "--db",
            str(seed_db),
            "--opportunities",
            str(args.org),
            "--anchor-date",
            ANCHOR,
        )
        _cli_anchor_note()
        results = {
            name: _measure(name, src, work, seed_db, args)
            for name, src in (("before", before_src), ("after", ROOT / "src"))
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


def _cli_anchor_note() -> None:
    print(f"org seeded; runs anchored on {ANCHOR}", file=sys.stderr, flush=True)


def _extract(revision: str, folder: Path) -> Path:
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def _measure(
    name: str, src: Path, work: Path, seed_db: Path, args: argparse.Namespace
) -> dict[str, float]:
    db = work / f"{name}.sqlite"
    shutil.copy(seed_db, db)
    port = _free_port()
    env = os.environ | {"PYTHONPATH": str(src)}
    server = subprocess.Popen(
        [sys.executable, "-m", "demo_gen", "org", "serve", "--db", str(db), "--port", str(port)]
        + ["--latency-ms", str(args.latency_ms)],
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(url)
        config = _config(work / name, url, args.limit)
        print(f"running {name} ({src})", file=sys.stderr, flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--contender", str(config)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        measured: dict[str, float] = json.loads(out.strip().splitlines()[-1])
        stats = json.loads(urllib.request.urlopen(f"{url}/_local/stats").read())
        measured["api_requests"] = sum(
            n for key, n in stats["requests"].items() if "login" not in key and "oauth" not in key
        )
        return measured
    finally:
        server.terminate()
        server.wait(timeout=10)


def _report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    before, after = results["before"], results["after"]
    print(
        f"{args.limit} opportunities of a {args.org}-opportunity local org, "
        f"{args.latency_ms} ms latency, before = {args.before}, main thread under cProfile"
    )
    print(f"{'':34}{'before':>10}{'after':>10}{'after/before':>14}")
    for key, label in (
        ("records", "records created"),
        ("api_requests", "API requests"),
        ("seconds", "wall (s)"),
        ("write_s", "write phase (s)"),
        ("ledger_s", "main thread: ledger (s)"),
        ("network_s", "main thread: network (s)"),
        ("readback_s", "  of which read-backs (s)"),
    ):
        ratio = after[key] / before[key] if before[key] else float("nan")
        print(f"{label:34}{before[key]:>10.2f}{after[key]:>10.2f}{ratio:>13.2f}x")


# --- a contender, in its own process ------------------------------------------------------------


def _contender(config_path: str) -> None:
    import cProfile
    import pstats
    from datetime import date

    from demo_gen.commands.run import RunOptions, run
    from demo_gen.config.model import Secrets, load_config

    config = load_config(config_path)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    report = run(config, Secrets(), RunOptions(today=date.fromisoformat(ANCHOR)))
    profile.disable()
    seconds = time.perf_counter() - started
    if os.environ.get("BENCH_WRITER_PSTATS"):
        profile.dump_stats(os.environ["BENCH_WRITER_PSTATS"] + "-" + Path(config_path).parent.name)
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    records = report.created - report.counts.get("email_task", {}).get("created", 0)
    figures = {
        "records": records,
        "seconds": seconds,
        "write_s": _cumulative(stats, (("writes.py", "create"),)),
        "ledger_s": _cumulative(stats, LEDGER),
        "network_s": _cumulative(stats, NETWORK),
        "readback_s": _cumulative(stats, NETWORK[:1]),
    }
    print(json.dumps(figures))


def _cumulative(stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]], wanted):  # type: ignore[no-untyped-def]
    """Cumulative seconds of the functions named by (file name, function name)."""
    total = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.items():
        if any(filename.endswith("/" + f) and func == n for f, n in wanted):
            total += ct
    return total


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--contender":
        _contender(sys.argv[2])
    else:
        os.environ.pop("DEMO_GEN_CONFIG", None)
        main()
