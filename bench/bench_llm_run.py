"""Benchmark: a whole `demo-gen run` with LLM content, against the OpenAI-compatible test server.

Seeds a local org, selects N opportunities, and runs the pipeline twice with the LLM on: the first
run writes every opportunity's story (one request each unless a plan is very large); the rerun
creates nothing and must make no LLM request. Prints requests, tokens, cache hits, fallbacks and
wall time per run, next to the activity count a one-request-per-activity writer would have sent.

    python bench/bench_llm_run.py [--opportunities 200] [--latency-ms 200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from llm_server import LlmServer  # noqa: E402

from demo_gen.commands.run import RunOptions, run  # noqa: E402
from demo_gen.config.model import Config, Secrets  # noqa: E402
from demo_gen.local_org.fixture.build import FixtureSpec, build_org  # noqa: E402
from demo_gen.local_org.store.core import Store  # noqa: E402

ANCHOR = date(2026, 11, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-bench-llm-"))
    store = Store(work / "org.sqlite")
    build_org(store, FixtureSpec(anchor=ANCHOR, opportunities=args.opportunities * 3))
    store.close()
    with LlmServer() as server:
        server.latency_ms = args.latency_ms
        config = _config(work, server.url, args.opportunities, args.concurrency)
        for label in ("first run", "rerun"):
            started = time.perf_counter()
            report = run(config, Secrets(), RunOptions(today=ANCHOR))
            seconds = time.perf_counter() - started
            llm = report.llm or {}
            activities = sum(
                report.counts.get(k, {}).get(b, 0)
                for k in ("meeting", "email")
                for b in ("created", "skipped")
            )
            print(
                f"{label}: {report.opportunities} opportunities, {activities} activities, "
                f"{report.created} records created; LLM {llm.get('calls')} requests, "
                f"{llm.get('tokens_in')} tokens in, {llm.get('tokens_out')} out, "
                f"{llm.get('cache_hits')} cache hits, {llm.get('fallback_items')} fallback items; "
                f"{seconds:.1f} s"
            )


def _config(work: Path, url: str, limit: int, concurrency: int) -> Config:
    return Config.model_validate(
        {
            "run": {"name": "bench-llm", "runs_dir": str(work / "runs"), "anchor_date": ANCHOR},
            "salesforce": {
                "local": {"db": str(work / "org.sqlite")},
                "query": {
                    "opportunity_type": None,
                    "limit": limit,
                    "stages_allowed": [
                        "Qualification",
                        "Discovery",
                        "Evaluation",
                        "Proposal",
                        "Negotiation",
                        "Closed Won",
                    ],
                },
            },
            "state": {"url": f"sqlite:///{work / 'state.sqlite'}"},
            "llm": {
                "enabled": True,
                "provider": "openai_compatible",
                "base_url": url,
                "model": "test-model",
                "concurrency": concurrency,
            },
        }
    )


if __name__ == "__main__":
    main()
