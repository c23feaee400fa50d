"""Benchmark: a simulated series of daily `demo-gen refresh` on a seeded local org.

A first `run` on day 0, then `refresh --advance-stages --today DAY` every day for `--days` days.
Each day it prints what a VP would see — open deals, those whose story is active (not stalling,
close date ahead), how many of each have a customer meeting in the next 14 days, past meetings
still showing an agenda, duplicates, realism figures failing that held on day 0 — and at the end
compares the last day's org with a fresh org refreshed once on that day for the same window,
then resets every run newest first and compares the org with the one before day 0.

    python bench/bench_refresh.py [--days 90] [--limit 100] [--opportunities 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from refresh_helpers import Pack, day_figures, story_rows  # noqa: E402

from demo_gen.ledger.store import StateStore  # noqa: E402
from demo_gen.local_org.fixture.build import FixtureSpec, build_org  # noqa: E402
from demo_gen.local_org.store.core import Store  # noqa: E402

ANCHOR = date(2026, 11, 2)
STALLED_SHARE = 0.25


def _failing(report: dict) -> set[str]:  # type: ignore[type-arg]
    return {k for k, v in report["realism"].items() if isinstance(v, dict) and v.get("ok") is False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--limit", type=int, default=100, help="opportunities the pack selects")
    parser.add_argument("--opportunities", type=int, default=200, help="opportunities in the org")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-refresh-"))
    seeded = work / "seed.sqlite"
    store = Store(seeded)
    build_org(store, FixtureSpec(anchor=ANCHOR, seed=42, opportunities=args.opportunities))
    store.close()
    pack = Pack.make(work / "series", seeded, limit=args.limit)
    before = story_rows(pack)
    started = time.monotonic()
    first = pack.ok("run", "--today", ANCHOR.isoformat())
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    deals = set(state.run_opportunities(first["run_id"]))
    state.close()
    held = _failing(first)
    reports = [first]
    worst_share, problems = 1.0, 0
    print("day        open active covered/active covered/open past_agenda dups new_failing")
    for n in range(args.days + 1):
        day = ANCHOR + timedelta(days=n)
        if n:
            reports.append(pack.ok("refresh", "--advance-stages", "--today", day.isoformat()))
        f = day_figures(pack, day, deals, STALLED_SHARE)
        new = _failing(reports[-1]) - held
        share = f.covered / f.open_deals if f.open_deals else 1.0
        worst_share = min(worst_share, share)
        problems += (f.active_covered < f.active) + f.past_with_agenda + f.duplicates + len(new)
        print(f"{day} {f.open_deals:4} {f.active:6} {f.active_covered:7}/{f.active:<6} "
              f"{f.covered:7}/{f.open_deals:<4} {f.past_with_agenda:11} {f.duplicates:4} "
              f"{sorted(new) or ''}")  # fmt: skip
    took = time.monotonic() - started
    fresh = Pack.make(work / "fresh", seeded, limit=args.limit)
    org_id = fresh.rows("Organization")[0]["Id"]
    state = StateStore(f"sqlite:///{fresh.root / 'state.sqlite'}")
    state.set_anchors("test-pack", org_id, dict.fromkeys(deals, ANCHOR))
    state.close()
    last = (ANCHOR + timedelta(days=args.days)).isoformat()
    fresh.ok("refresh", "--advance-stages", "--today", last)
    same = story_rows(fresh) == story_rows(pack)
    for report in reversed(reports):
        result = pack.cli("reset", report["run_id"], "--yes")
        assert result.exit_code == 0, result.output[-1000:]
    back = story_rows(pack) == before
    print(f"\n{args.days} days, {len(deals)} deals: {took:.0f}s of refreshes; "
          f"worst day's share of open deals with a meeting ahead: {worst_share:.2f}; "
          f"problems (uncovered active deals, past agendas, duplicates, new failing figures): "
          f"{problems}; day {args.days} equals a first refresh for the window: {same}; "
          f"reset of every run gives the org back: {back}")  # fmt: skip


if __name__ == "__main__":
    main()
