"""Benchmark: `demo-gen run` against a naive one-request-per-record seeder, side by side.

Both contenders write the same plan (same config, seed and anchor) into identical copies of a
seeded local org, each served by its own `demo-gen org serve` process on loopback. Each contender
runs in its own Python process, which reports its wall time and peak RSS; the org's
`/_local/stats` counts the API requests. The script prints the ratios.

    python bench/bench_run.py [--opportunities 200] [--limit 100]
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

from bench_common import cli, serve_org

ANCHOR = "2026-11-02"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=200, help="opportunities in the org")
    parser.add_argument("--limit", type=int, default=100, help="opportunities the run selects")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-bench-"))
    try:
        seed_db = work / "seed.sqlite"
        cli(
            "org",
            "init",
            "--db",
            str(seed_db),
            "--opportunities",
            str(args.opportunities),
            "--anchor-date",
            ANCHOR,
        )
        results = {
            name: _measure(name, work, seed_db, args.limit) for name in ("demo-gen", "naive")
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _report(results)


def _measure(name: str, work: Path, seed_db: Path, limit: int) -> dict[str, float]:
    db = work / f"{name}.sqlite"
    shutil.copy(seed_db, db)
    server, url = serve_org(db, timeout_s=20)
    try:
        config = _config(work / name, url, limit)
        out = subprocess.run(
            [sys.executable, __file__, "--contender", name, str(config)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        measured = json.loads(out.strip().splitlines()[-1])
        stats = json.loads(urllib.request.urlopen(f"{url}/_local/stats").read())
        measured["api_requests"] = sum(
            n for key, n in stats["requests"].items() if "login" not in key and "oauth" not in key
        )
        return measured
    finally:
        server.terminate()
        server.wait(timeout=10)


def _config(folder: Path, url: str, limit: int) -> Path:
    folder.mkdir()
    path = folder / "bench.yaml"
    path.write_text(
        "run: {name: bench, seed: 42, anchor_date: " + ANCHOR + f", runs_dir: {folder}/runs}}\n"
        f"salesforce:\n  local: {{url: '{url}'}}\n"
        f"  query: {{opportunity_type: null, limit: {limit},"
        " stages_allowed: [Qualification, Discovery, Evaluation, Proposal, Negotiation]}\n"
        f"state: {{url: 'sqlite:///{folder}/state.sqlite'}}\n",
        encoding="utf-8",
    )
    return path


def _report(results: dict[str, dict[str, float]]) -> None:
    ours, naive = results["demo-gen"], results["naive"]
    print(f"{'':24}{'demo-gen':>12}{'naive':>12}{'ratio':>10}")
    for key, label in (
        ("records", "records created"),
        ("api_requests", "API requests"),
        ("seconds", "wall time (s)"),
        ("peak_rss_mb", "peak RSS (MB)"),
    ):
        ratio = naive[key] / ours[key] if ours[key] else float("nan")
        print(f"{label:24}{ours[key]:>12.1f}{naive[key]:>12.1f}{ratio:>9.1f}x")
    print(
        f"records per API request: demo-gen {ours['records'] / ours['api_requests']:.1f}, "
        f"naive {naive['records'] / naive['api_requests']:.1f}"
    )


# --- the contenders, each in its own process ---------------------------------------------------


def _contender(name: str, config_path: str) -> None:
    import resource

    from demo_gen.config.model import load_config

    config = load_config(config_path)
    started = time.perf_counter()
    records = _run_demo_gen(config) if name == "demo-gen" else _run_naive(config)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": records, "seconds": seconds, "peak_rss_mb": peak}))


def _run_demo_gen(config: object) -> int:
    from datetime import date

    from demo_gen.commands.run import RunOptions, run
    from demo_gen.config.model import Config, Secrets

    assert isinstance(config, Config)
    report = run(config, Secrets(), RunOptions(today=date.fromisoformat(ANCHOR)))
    # the org makes a Task per EmailMessage in both contenders; only demo-gen records them
    return report.created - report.counts.get("email_task", {}).get("created", 0)


def _run_naive(config: object) -> int:
    """What a hand-written seeding script does: read, plan, then one create call per record."""
    from demo_gen.commands.org_launch import open_crm
    from demo_gen.config.model import Config, Secrets
    from demo_gen.stages import planner
    from demo_gen.stages.content import HeuristicContent
    from demo_gen.stages.items import Capabilities, build_items
    from demo_gen.targets.salesforce.selection import select_opportunities

    assert isinstance(config, Config)
    created = 0
    with open_crm(config, Secrets()) as crm:
        sf = crm._sf  # the raw simple-salesforce client, as a script would use it
        selection = select_opportunities(crm, config.salesforce.query)
        opps = selection.snapshot.opportunities
        plan = planner.plan(
            opps, config, dict.fromkeys([o.id for o in opps], config.run.anchor_date)
        )
        caps = Capabilities(email_messages=True, tag_fields=False)
        ids: dict[str, str] = {}
        for op in plan.opportunities:
            texts = HeuristicContent(seed=config.run.seed, pack=config.run.name).write(op).texts
            for item in build_items(
                op, texts, org_id=selection.snapshot.org_id, pack="bench", caps=caps
            ):
                record = dict(item.record)
                if item.parent and item.parent_field:
                    record[item.parent_field] = ids[item.parent]
                ids[item.signature] = getattr(sf, item.record_type).create(record)["id"]
                created += 1
    return created


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--contender":
        _contender(sys.argv[2], sys.argv[3])
    else:
        os.environ.pop("DEMO_GEN_CONFIG", None)
        main()
