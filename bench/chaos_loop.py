"""Loop chaos scenarios over fault seeds, to find (and replay) a rare failure.

Each scenario of tests/chaos_suite.py whose name contains one of NAMES runs once per seed, its
random faults (`--error-rate`, `--row-error-rate` of the served org) seeded with that seed; one
line per run says whether it held, and a failed run's directory (org, ledger, runs/, the server
log, org-dump.json, report.txt) is kept and named. The exit status is 1 if any run failed.

    python bench/chaos_loop.py fault-row-errors --seeds 1-30
    python bench/chaos_loop.py fault-row-errors fault-503s+row-errors --seeds 7,9,11
    python bench/chaos_loop.py fault-row-errors --seeds 17      # replay one failure
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from chaos_suite import References, catalogue, play  # noqa: E402
from test_chaos import OPPORTUNITIES, REGROWN, SEED  # noqa: E402


def seeds_of(text: str) -> list[int]:
    """`1-30`, `3,5,8` or a mix (`1-4,9`) as a list of seeds."""
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", help="scenario names (or parts of them)")
    parser.add_argument("--seeds", type=seeds_of, default=seeds_of("1-10"), help="e.g. 1-30")
    args = parser.parse_args()
    scenarios = catalogue(random_kills_count=24, seed=SEED)
    names = [n for n in scenarios if any(part in n for part in args.names)]
    if not names:
        parser.error(f"no scenario matches {args.names}")
    work = Path(tempfile.mkdtemp(prefix="demo-gen-chaos-loop-"))
    failed = 0
    runs = 0
    try:
        refs = References(work / "references", OPPORTUNITIES, REGROWN)
        for seed in args.seeds:
            for name in names:
                started = time.monotonic()
                outcome = play(name, scenarios[name], refs, work / f"seed-{seed}", seed)
                runs += 1
                ok = not outcome.problems()
                failed += not ok
                secs = time.monotonic() - started
                print(
                    f"{name:32} seed {seed:>7}  {'ok' if ok else 'FAILED'}  {secs:4.0f}s  "
                    f"{outcome.exit_codes}",
                    flush=True,
                )
                if not ok:
                    print(outcome.report(), flush=True)
                shutil.rmtree(work / f"seed-{seed}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{runs - failed}/{runs} held", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
