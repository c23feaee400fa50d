"""Benchmark: LLM stories for 200 opportunities against the OpenAI-compatible test server.

Plans are full-size (the default activity settings); the server answers every item with a fixed
per-request latency that stands in for a model's. It prints, per pass, the requests the server
received, the tokens it reported, the wall time, and the ratio to a one-request-per-activity writer
with the same latency and concurrency (computed, not run). The second pass is a rerun on the same
cache: it should make no request.

    python bench/bench_llm.py [--opportunities 200] [--latency-ms 200] [--concurrency 8]
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
from test_planner import PLACES, make_config, make_opportunity  # noqa: E402

from demo_gen.config.model import LlmSettings  # noqa: E402
from demo_gen.ledger.store import StateStore  # noqa: E402
from demo_gen.stages.content import item_keys  # noqa: E402
from demo_gen.stages.content.stories import StoryWriter, estimate  # noqa: E402
from demo_gen.stages.plan import OpportunityPlan  # noqa: E402
from demo_gen.stages.planner import plan_opportunity  # noqa: E402


def plans(n: int) -> list[OpportunityPlan]:
    config = make_config()
    return [
        plan_opportunity(
            make_opportunity(i, places=[PLACES[(i + k) % len(PLACES)] for k in range(3)]),
            config,
            date(2026, 5, 4),
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=200, help="server time per request")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    work = plans(args.opportunities)
    items = sum(len(item_keys(p)) for p in work)
    with tempfile.TemporaryDirectory() as tmp, LlmServer() as server:
        server.latency_ms = args.latency_ms
        settings = LlmSettings(
            enabled=True,
            provider="openai_compatible",
            base_url=server.url,
            model="bench-model",
            max_tokens=4000,
            concurrency=args.concurrency,
        )
        guess = estimate(work, settings, {})
        print(f"{len(work)} opportunities, {items} activities")
        print(f"estimate: {guess['requests']} requests, {guess['tokens_in']} tokens in")
        with StateStore(f"sqlite:///{Path(tmp) / 'state.sqlite'}") as store:
            for name in ("first run", "rerun"):
                before = server.count
                writer = StoryWriter(settings, "bench", store)
                started = time.perf_counter()
                writer.write_all(work, {})
                wall = time.perf_counter() - started
                s = writer.stats
                print(
                    f"{name}: {server.count - before} requests, {s.tokens_in} tokens in, "
                    f"{s.tokens_out} out, {s.cache_hits} cache hits, "
                    f"{s.fallback_items} fallback items, {wall:.2f} s"
                )
        per_activity = items * args.latency_ms / 1000 / args.concurrency
        print(
            f"one request per activity would be {items} requests and at least "
            f"{per_activity:.1f} s at this latency and concurrency "
            f"({items / max(1, guess['requests']):.1f}x the requests)"
        )


if __name__ == "__main__":
    main()
