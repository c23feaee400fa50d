"""Benchmark: a simulated series of daily `demo-gen refresh` on the default org.

The org `make demo` seeds (`demo-gen org init`: 200 opportunities, seed 42, laid around day 0)
and the pack it runs (`demo.example.yaml`: 82 deals), each in a directory of its own. A first
`run` on day 0, then `refresh --advance-stages --today DAY` every day for `--days` days. Each day
it prints what a VP would see: the open deals, how many have a customer meeting in the next 14
days (all open deals, and the active ones: neither stalling nor slipping, from each deal's
pinned course), past meetings still showing an agenda, duplicates, and the realism figures that
held on day 0 and fail that day. At the end it compares the last day's org with a fresh org
refreshed once on that day for the same window, then resets every run newest first and compares
the org with the one before day 0.

    python bench/bench_refresh.py [--days 90] [--config demo.example.yaml]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from refresh_helpers import Pack, day_figures, story_rows  # noqa: E402

from demo_gen.api_org import org_init  # noqa: E402
from demo_gen.ledger.store import StateStore  # noqa: E402

ANCHOR = date(2026, 11, 2)


def _failing(report: dict[str, Any]) -> set[str]:
    realism = report["realism"]
    return {k for k, v in realism.items() if isinstance(v, dict) and v.get("ok") is False}


def _pack(root: Path, seeded: Path, example: Path) -> tuple[Pack, str, int]:
    """The example config on its own copy of the org, ledger and runs directory."""
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    pack = Pack.make(root, seeded)  # the org copy and the paths
    data["run"].update(anchor_date=None, runs_dir=str(root / "runs"))
    data["salesforce"]["local"].update(db=str(pack.org), url=None)
    data["state"]["url"] = f"sqlite:///{root / 'state.sqlite'}"
    pack.config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return pack, data["run"]["name"], int(data.get("activity", {}).get("future_days", 21))


def _diff(series: dict[str, Any], fresh: dict[str, Any]) -> None:
    """A few of the records that differ between the series and the fresh org, per kind."""
    for kind in series:
        for name, extra in (("series only", series[kind] - fresh[kind]),
                            ("fresh only", fresh[kind] - series[kind])):  # fmt: skip
            for row in list(extra)[:3]:
                print(f"  {kind} {name}: {row[:3000]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--config", type=Path, default=ROOT / "demo.example.yaml")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-refresh-"))
    seeded = work / "seed.sqlite"
    org_init(db=seeded, anchor_date=ANCHOR)  # what `make demo` seeds (`org init` defaults)
    pack, name, future = _pack(work / "series", seeded, args.config)
    before = story_rows(pack)
    started = time.monotonic()
    first = pack.ok("run", "--today", ANCHOR.isoformat())
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    deals = set(state.run_opportunities(first["run_id"]))
    state.close()
    held = _failing(first)
    reports = [first]
    worst, worst_day, uncovered_days, problems = 1.0, ANCHOR, 0, 0
    print(f"{len(deals)} deals; failing on day 0: {sorted(held) or 'none'}")
    print("day        open covered/open  active covered/active  past_agenda dups new_failing")
    for n in range(args.days + 1):
        day = ANCHOR + timedelta(days=n)
        if n:
            reports.append(pack.ok("refresh", "--advance-stages", "--today", day.isoformat()))
        f = day_figures(pack, day, deals, future, name)
        new = _failing(reports[-1]) - held
        share = f.covered / f.open_deals if f.open_deals else 1.0
        if share < worst:
            worst, worst_day = share, day
        uncovered_days += f.active_covered < f.active
        problems += (f.active_covered < f.active) + f.past_with_agenda + f.duplicates + len(new)
        print(f"{day} {f.open_deals:4} {f.covered:4}/{f.open_deals:<4} {share:4.0%} "
              f"{f.active:6} {f.active_covered:6}/{f.active:<6} {f.past_with_agenda:11} "
              f"{f.duplicates:4} {sorted(new) or ''} {' '.join(f.uncovered)}")  # fmt: skip
    took = time.monotonic() - started
    fresh, _, _ = _pack(work / "fresh", seeded, args.config)
    org_id = fresh.rows("Organization")[0]["Id"]
    state = StateStore(f"sqlite:///{fresh.root / 'state.sqlite'}")
    state.set_anchors(name, org_id, dict.fromkeys(deals, ANCHOR))  # the same window
    state.close()
    last = (ANCHOR + timedelta(days=args.days)).isoformat()
    fresh.ok("refresh", "--advance-stages", "--today", last)
    same = story_rows(fresh) == story_rows(pack)
    if not same:
        _diff(story_rows(pack), story_rows(fresh))
    pack.reset_every_run()
    back = story_rows(pack) == before
    print(f"\n{args.days} days, {len(deals)} deals, {took:.0f}s of runs and refreshes\n"
          f"worst day's share of open deals with a customer meeting in the next 14 days: "
          f"{worst:.1%} ({worst_day})\n"
          f"days with an active deal (neither stalling nor slipping) uncovered: {uncovered_days}\n"
          f"problems (uncovered active deal-days, past agendas, duplicates, new failing "
          f"figures): {problems}\n"
          f"day {args.days} equals a first refresh on that day for the same window: {same}\n"
          f"reset of every run, newest first, gives the org back: {back}")  # fmt: skip


if __name__ == "__main__":
    main()
