"""The chaos suite's figures as a table: kills and faults against a served local org.

Runs the scenarios of tests/chaos_suite.py (every placed kill of `run` and `reset`, random
`kill -9`s, every fault, two packs on one org, a re-created org, two runs at once, tag mode), each
on a fresh copy of a seeded org served by `demo-gen org serve --latency-ms 20`, and prints per
scenario the exit codes and the figures against an uninterrupted reference run, then the totals.

    python bench/bench_chaos.py                 # the whole catalogue (tens of minutes on 2 cores)
    python bench/bench_chaos.py --ci            # the CI selection of tests/test_chaos.py
    python bench/bench_chaos.py --only two-packs --json figures.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from chaos_figures import Figures  # noqa: E402
from chaos_scenarios import Outcome  # noqa: E402
from chaos_suite import References, catalogue, play  # noqa: E402
from test_chaos import CI, OPPORTUNITIES, REGROWN, SEED  # noqa: E402

COLUMNS = ("duplicates", "lost", "orphans", "double_claimed", "foreign_deleted", "leftover")
SHORT = {"double_claimed": "claimed2x", "foreign_deleted": "foreign", "leftover": "left"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=24, help="random kills of `run`")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the random kills")
    parser.add_argument("--opportunities", type=int, default=OPPORTUNITIES)
    parser.add_argument("--ci", action="store_true", help="only the CI selection")
    parser.add_argument("--only", action="append", default=[], help="names containing this")
    parser.add_argument("--json", type=Path, help="also write every outcome here")
    args = parser.parse_args()
    scenarios = catalogue(random_kills_count=args.random, seed=args.seed)
    names = [n for n in scenarios if (not args.ci or n in CI)]
    names = [n for n in names if not args.only or any(o in n for o in args.only)]
    work = Path(tempfile.mkdtemp(prefix="demo-gen-chaos-"))
    outcomes: list[tuple[Outcome, float]] = []
    try:
        refs = References(work / "references", args.opportunities, REGROWN)
        print(_header(), flush=True)
        for name in names:
            started = time.monotonic()
            outcome = play(name, scenarios[name], refs, work)
            outcomes.append((outcome, time.monotonic() - started))
            print(_row(outcome, outcomes[-1][1]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _totals([o for o, _ in outcomes])
    if args.json:
        args.json.write_text(json.dumps([_asdict(o, s) for o, s in outcomes], indent=2))


def _header() -> str:
    cells = "".join(f"{SHORT.get(c, c):>10}" for c in COLUMNS)
    return f"{'scenario':52}{cells}  {'ok':3} {'secs':>5}  exit codes"


def _row(outcome: Outcome, seconds: float) -> str:
    figures = _figures(outcome)
    cells = "".join(f"{getattr(figures, c):>10}" for c in COLUMNS)
    ok = "yes" if not outcome.problems() else "NO"
    return f"{outcome.name[:51]:52}{cells}  {ok:3} {seconds:5.0f}  {outcome.exit_codes}"


def _figures(outcome: Outcome) -> Figures:
    return Figures() + outcome.after_reset + (outcome.figures or Figures())


def _totals(outcomes: list[Outcome]) -> None:
    kills = [o for o in outcomes if o.killed is not None]
    landed = [o for o in kills if o.killed]
    faults = [o for o in outcomes if o.name.startswith("fault ")]
    print()
    for label, group in (("kills that landed", landed), ("all scenarios", outcomes)):
        total = Figures()
        for o in group:
            total += _figures(o)
        figures = ", ".join(f"{c} {getattr(total, c)}" for c in COLUMNS)
        bad = sum(1 for o in group if o.problems())
        print(f"{label}: {len(group)} -> {figures}; scenarios with a problem: {bad}")
    random_kills = [o for o in kills if "random" in o.name]
    print(
        f"kills: {len(landed)} landed of {len(kills)} "
        f"({sum(1 for o in random_kills if o.killed)} random kills landed, "
        f"{sum(1 for o in random_kills if not o.killed)} missed: the command ended first)"
    )
    for o in faults:
        print(
            f"{o.name}: {o.exit_codes}; completed: {'yes' if o.completed else 'no'}"
            f"{' (' + '; '.join(o.notes) + ')' if o.notes else ''}"
        )


def _asdict(outcome: Outcome, seconds: float) -> dict[str, object]:
    return {
        "name": outcome.name,
        "seconds": round(seconds, 1),
        "steps": [(s.what, s.rc) for s in outcome.steps],
        "killed": outcome.killed,
        "where": outcome.where,
        "figures": None if outcome.figures is None else outcome.figures.counts(),
        "after_reset": outcome.after_reset.counts(),
        "problems": outcome.problems(),
        "report": outcome.report(),
    }


if __name__ == "__main__":
    main()
