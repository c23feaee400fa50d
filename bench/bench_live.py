"""Benchmark: `demo-gen live --speed 600` for a simulated day on the default org, as a user runs it.

The org `make demo` seeds (`demo-gen org init`, laid around day 0) and the pack it runs
(`demo.example.yaml`, 82 deals), on copies of their own. A first `run` on day 0, then the real
command in a subprocess on the real clock (a simulated day in 144 s of wall at x600):

    demo-gen live --today DAY1 --speed 600 --until DAY2T00:00

Printed: the passes, records created and updated, how late each write came after its compressed
due time (wall seconds: the pass that wrote it ended at most this long after the moment it was
due, or after the pass before it ended when that was later), writes made before their time (must
be 0), and live's API calls against its budget. Then the same day on a second copy, killed with
SIGKILL after a few passes and started again: the org must equal the uninterrupted one, with no
duplicate. Last, every run of both copies is reset, newest first, and each org compared with the
one before day 0. Wall lags move with the machine's load (printed); the other figures do not.

    python bench/bench_live.py [--speed 600] [--config demo.example.yaml]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_refresh import ANCHOR, _pack  # noqa: E402
from live_helpers import live_dues, live_passes  # noqa: E402
from refresh_helpers import Pack, duplicates, story_rows  # noqa: E402

from demo_gen.api_org import org_init  # noqa: E402

DAY = ANCHOR + timedelta(days=1)
START = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)


def _command(pack: Pack, speed: float) -> list[str]:
    until = (START + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    return [sys.executable, "-m", "demo_gen", "live", "-c", str(pack.config), "--today",
            DAY.isoformat(), "--speed", str(speed), "--until", until, "--json"]  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def _live(pack: Pack, speed: float) -> dict[str, Any]:
    done = subprocess.run(_command(pack, speed), env=_env(), cwd=pack.root, capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"live failed ({done.returncode}): {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout))


def _lags(pack: Pack, run_id: str, future_days: int, speed: float) -> tuple[list[float], int]:
    """Wall seconds from each write's due moment (or the end of the pass before, when later) to
    the end of the pass that wrote it; and the writes made before their due moment."""
    passes = live_passes(pack, run_id)
    dues = live_dues(pack, run_id, future_days)
    lags, early = [], 0
    for prev, cur in zip(passes, passes[1:], strict=False):
        ended = datetime.fromisoformat(prev["done"])
        started = datetime.fromisoformat(cur["started"])
        done = datetime.fromisoformat(cur["done"])
        for sig in cur["created"]:
            if sig in dues:
                early += dues[sig] > started
                lags.append((done - max(dues[sig], ended)).total_seconds() / speed)
    return sorted(lags), early


def _killed(pack: Pack, speed: float) -> tuple[int, dict[str, Any]]:
    """live killed with SIGKILL after its third pass, then started again to the same end."""
    log = pack.root / "runs"
    proc = subprocess.Popen(_command(pack, speed), env=_env(), cwd=pack.root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    while proc.poll() is None:
        lines = sum(len(p.read_text().splitlines()) for p in log.glob("*/live.jsonl"))
        if lines >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return lines, _live(pack, speed)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--speed", type=float, default=600.0)
    parser.add_argument("--config", type=Path, default=ROOT / "demo.example.yaml")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-live-"))
    seeded = work / "seed.sqlite"
    org_init(db=seeded, anchor_date=ANCHOR)
    packs = {}
    for name in ("whole", "killed"):
        pack, _, future = _pack(work / name, seeded, args.config)
        packs[name] = (pack, story_rows(pack))
        pack.ok("run", "--today", ANCHOR.isoformat())
    pack, before = packs["whole"]
    started = time.monotonic()
    report = _live(pack, args.speed)
    took = time.monotonic() - started
    lags, early = _lags(pack, report["run_id"], future, args.speed)
    p95 = lags[int(0.95 * (len(lags) - 1))] if lags else 0.0
    print(f"live --speed {args.speed:g}, {DAY} 00:00 to {DAY + timedelta(days=1)} 00:00 UTC, "
          f"{took:.0f} s of wall (load {os.getloadavg()[0]:.1f})\n"
          f"passes {report['passes']}, created {report['created']}, updated {report['updated']}\n"
          f"writes after the first pass: {len(lags)}; wall lag after due: "
          f"max {max(lags, default=0):.2f} s, p95 {p95:.2f} s; written before their time: {early}\n"
          f"API calls {report['api_calls']} of a budget of {report['budget']} a day "
          f"({report['api_calls'] <= report['budget']})")  # fmt: skip
    whole = story_rows(pack)
    killed, _ = packs["killed"]
    lines, again = _killed(killed, args.speed)
    same = story_rows(killed) == whole
    dups = duplicates(killed, killed.ours())
    print(f"kill -9 after {lines} passes, restarted ({again['passes']} passes, "
          f"{again['created']} created): org equals the uninterrupted one: {same}; "
          f"duplicates: {dups}")  # fmt: skip
    back = []
    for name, (one, origin) in packs.items():
        one.reset_every_run()
        back.append(f"{name} {story_rows(one) == origin}")
    print(f"reset of every run, newest first, gives the org back: {', '.join(back)}")


if __name__ == "__main__":
    main()
