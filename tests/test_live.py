"""live against the local org (issue 14 item 2): each write when its simulated time arrives,
in order, never early; a kill -9 and a restart lose and duplicate nothing; reset restores the org.

The in-process run drives `live()` with a fake wall clock that moves only when the loop sleeps,
so a pass takes no simulated time and the lag of a write is bounded by the tick alone; the
kill -9 run is the real command in a subprocess at real (compressed) speed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ANCHOR
from live_helpers import live_dues as _dues
from live_helpers import live_passes as _passes
from refresh_helpers import Pack, story_rows

from demo_gen.commands.live_loop import LIVE_LOG, LiveOptions, LiveState, live
from demo_gen.config.model import Secrets, load_config
from demo_gen.ledger.store import StateStore

START = datetime.combine(ANCHOR, datetime.min.time(), tzinfo=UTC)
SPAN = timedelta(days=4)
SPEED, TICK_S = 600.0, 0.5


class FakeWall:
    """Wall time that moves only when the loop sleeps."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


class Frames:
    def __init__(self) -> None:
        self.states: list[LiveState] = []

    def show(self, state: LiveState) -> None:
        self.states.append(state)


def _live_in_process(pack: Pack) -> tuple[Any, Frames]:
    config = load_config(pack.config, env={})
    wall, frames = FakeWall(), Frames()
    options = LiveOptions(speed=SPEED, start=START, until=START + SPAN, tick_s=TICK_S)
    report = live(config, Secrets.from_env({}), options, frames, lambda: False,
                  wall=wall, sleep=wall.sleep)  # fmt: skip
    return report, frames


@dataclass
class LiveRun:
    """One in-process `live` over SPAN on its own pack, and the org before and after it."""

    pack: Pack
    before: dict[str, Any]  # story_rows before the run
    after: dict[str, Any]  # story_rows after it
    report: Any
    frames: Frames


@pytest.fixture(scope="module")
def live_run(seeded_org_file: Path, tmp_path_factory: pytest.TempPathFactory) -> LiveRun:
    """Shared by the in-order test and the kill -9 test (the org an uninterrupted live leaves);
    only the in-order test touches its pack afterwards, resetting it last."""
    pack = Pack.make(tmp_path_factory.mktemp("live") / "p", seeded_org_file)
    before = story_rows(pack)
    report, frames = _live_in_process(pack)
    return LiveRun(pack, before, story_rows(pack), report, frames)


def test_live_writes_each_activity_in_order_when_it_falls_due(live_run: LiveRun) -> None:
    pack, before, report, frames = live_run.pack, live_run.before, live_run.report, live_run.frames
    assert report.stopped == "until" and report.passes > 3
    passes = _passes(pack, report.run_id)
    config = load_config(pack.config, env={})
    dues = _dues(pack, report.run_id, config.activity.future_days)
    bound = timedelta(seconds=TICK_S * SPEED)  # the loop sleeps at most a tick past a due time
    checked = 0
    for prev, cur in zip(passes, passes[1:], strict=False):
        revealed, after = (
            datetime.fromisoformat(cur["reveal"]),
            datetime.fromisoformat(prev["reveal"]),
        )
        started = datetime.fromisoformat(cur["started"])
        done = datetime.fromisoformat(cur["done"])
        for sig in cur["created"]:
            if sig not in dues:
                continue
            due = dues[sig]
            assert after <= due < revealed, (sig, after, due, revealed)  # in order
            assert due <= started, (sig, due, started)  # never before its time
            assert done - due <= bound, (sig, due, done)  # written within a tick of its time
            checked += 1
    assert checked > 10
    assert sum(p["updated"] for p in passes) > 0  # meetings' outcomes arrived as they ended
    assert report.api_calls <= report.budget
    assert any(s.upcoming for s in frames.states)  # the view showed what is due next
    reset = pack.cli("reset", report.run_id, "--yes", "--json")
    assert reset.exit_code == 0, reset.output[-2000:]
    assert story_rows(pack) == before


def _command(pack: Pack) -> list[str]:
    until = (START + SPAN).strftime("%Y-%m-%dT%H:%M")
    return [sys.executable, "-m", "demo_gen", "live", "-c", str(pack.config), "--today",
            ANCHOR.isoformat(), "--speed", "20000", "--until", until, "--json"]  # fmt: skip


def _live_log_lines(pack: Pack) -> int:
    return sum(len(p.read_text().splitlines()) for p in (pack.root / "runs").glob(f"*/{LIVE_LOG}"))


def test_kill_9_during_live_then_restart_loses_and_duplicates_nothing(
    live_run: LiveRun, seeded_org_file: Path, tmp_path: Path
) -> None:
    expected = live_run.after  # the org of the same live run uninterrupted
    pack = Pack.make(tmp_path / "killed", seeded_org_file)
    before = story_rows(pack)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    log = (tmp_path / "killed.err").open("w")
    proc = subprocess.Popen(_command(pack), env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=log)  # fmt: skip
    deadline = time.monotonic() + 120
    while _live_log_lines(pack) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    log.close()
    assert alive, (tmp_path / "killed.err").read_text()[-2000:]
    again = subprocess.run(_command(pack), env=env, cwd=tmp_path, capture_output=True,
                           text=True, timeout=300, check=False)  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    assert story_rows(pack) == expected
    pack.reset_every_run()
    assert story_rows(pack) == before


def test_live_never_spends_more_than_its_share_of_the_daily_limit(make_config, served_org) -> None:
    """A small share of a small limit: live waits for its bucket rather than spend more."""
    served_org.app.faults.daily_limit = 1000
    path = make_config(run={"api_budget_share": 0.2}, salesforce={"local": {"url": served_org.url}})
    config = load_config(path, env={})
    wall, frames = FakeWall(), Frames()
    options = LiveOptions(speed=SPEED, start=START, until=START + SPAN, tick_s=TICK_S)
    before = served_org.app.stats()["api_usage"]
    report = live(config, Secrets.from_env({}), options, frames, lambda: False,
                  wall=wall, sleep=wall.sleep)  # fmt: skip
    used = served_org.app.stats()["api_usage"] - before
    share = int((1000 - before) * 0.2)
    assert report.budget <= share
    assert used - report.api_calls <= 5  # the budget's own look-up: login and limits
    assert report.api_calls <= report.budget
    assert any(s.status == "waiting for API budget" for s in frames.states)
    assert report.passes >= 2


def test_sigterm_stops_live_cleanly_after_the_pass_in_flight(
    seeded_org_file: Path, tmp_path: Path
) -> None:
    pack = Pack.make(tmp_path / "p", seeded_org_file)
    command = [sys.executable, "-m", "demo_gen", "live", "-c", str(pack.config), "--today",
               ANCHOR.isoformat(), "--speed", "600", "--json"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while _live_log_lines(pack) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    report = json.loads(out)
    assert report["stopped"] == "signal" and report["passes"] >= 1
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    try:
        run = state.get_run(report["run_id"])
        assert run is not None and run.status != "running"
        assert not state.run_items(report["run_id"], {"pending"})
    finally:
        state.close()


@pytest.mark.long
def test_live_at_speed_600_for_a_simulated_day_wakes_within_a_tick(
    seeded_org_file: Path, tmp_path: Path
) -> None:
    """The real command on the real clock (about 2.5 minutes): every pass begins within a tick
    of the moment it was waiting for, or as soon as the pass before it ended."""
    pack = Pack.make(tmp_path / "p", seeded_org_file)
    until = (START + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    command = ["live", "--today", ANCHOR.isoformat(), "--speed", "600", "--until", until]
    report = pack.ok(*command)
    passes = _passes(pack, report["run_id"])
    config = load_config(pack.config, env={})
    dues = _dues(pack, report["run_id"], config.activity.future_days)
    tick = timedelta(seconds=0.5 * 600)  # LiveOptions.tick_s at --speed 600
    for prev, cur in zip(passes, passes[1:], strict=False):
        ended = datetime.fromisoformat(prev["done"])
        started = datetime.fromisoformat(cur["started"])
        for sig in cur["created"]:
            if sig in dues:
                assert dues[sig] <= started, sig
                assert started - max(dues[sig], ended) <= tick, (sig, dues[sig], ended, started)
    assert report["stopped"] == "until"


class BudgetWatch(Frames):
    """A live view that reads the org's own call counter each time it is drawn (between passes,
    while waiting) and records how far live's calls then were above its bucket's allowance."""

    def __init__(self, org: Any, wall: FakeWall, start_usage: int) -> None:
        super().__init__()
        self.org, self.wall, self.start = org, wall, start_usage
        self.used: list[tuple[float, int]] = []

    def show(self, state: LiveState) -> None:
        super().show(state)
        self.used.append((self.wall(), self.org.app.stats()["api_usage"] - self.start))


def test_live_charges_every_call_of_a_pass_and_never_goes_above_the_budget(
    make_config, served_org
) -> None:
    """A simulated day at x600 over 40 deals whose first pass has more to write than the bucket
    holds: the org's own counter never shows more of live's calls than the bucket allowed —
    half the budget at once plus its refill — at any moment, reads included."""
    served_org.app.faults.daily_limit = 1000
    path = make_config(
        run={"api_budget_share": 0.08},
        salesforce={"local": {"url": served_org.url}, "query": {"limit": 40}},
    )
    config = load_config(path, env={})
    start_usage = served_org.app.stats()["api_usage"]
    wall = FakeWall()
    watch = BudgetWatch(served_org, wall, start_usage)
    options = LiveOptions(speed=SPEED, start=START, until=START + timedelta(days=1), tick_s=TICK_S)
    report = live(config, Secrets.from_env({}), options, watch, lambda: False,
                  wall=wall, sleep=wall.sleep)  # fmt: skip
    lookup = 3  # the budget's own look-up before the bucket exists (login is not counted)
    capacity, refill = report.budget / 2, report.budget / 2 / 86_400
    assert report.passes >= 1 and report.created > 0
    for at, used in watch.used:
        assert used <= lookup + capacity + refill * at, (at, used, capacity)
    used = served_org.app.stats()["api_usage"] - start_usage
    assert used <= report.budget + lookup
    assert used - lookup <= report.api_calls <= used  # every call charged, and only the org's
