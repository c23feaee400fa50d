"""live: the deal story written as it happens, each write when its (simulated) time arrives.

One loop: sleep until the next moment something falls due (`live_clock.schedule`), then make a
*pass*: `refresh` revealed up to that exact moment (`RunOptions.now`), so a pass writes what
fell due since the last one (an email at its sent time, a meeting as it enters the window, a
meeting's outcome once it has ended) and nothing else. Every pass runs through the runner with
the same run id, so all of live's writes are in the ledger under one run (`reset` removes them)
and a killed pass is settled by the next one like any interrupted run; a restart replays the
clock from its start and writes only what the ledger does not hold yet.

The API budget is a token bucket (`TokenBucket.for_daily_budget`) holding `run.api_budget_share`
of what the org had left today. Every call a pass makes to the org is charged, its reads (the
selection, the ledger check, the read-backs, the updates' before-values) as much as its writes:
the pass waits until the bucket holds what a pass costs, reserves what the bucket holds before it
starts and may not make one call more (the org client's ceiling, `CeilingReached`), caps its
writes so that its reads fit beside them, and gives back what it did not use. So no 24 hours
ever see the org count more of live's calls than the budget.

A stop request (SIGINT/SIGTERM: `request_stop`) lets the pass in flight finish and ends the
loop; a second one abandons the pass at once (the ledger protocol makes that safe too).
Each pass is one line of `live.jsonl` in the run's directory: the moment it revealed, the
simulated time when it was done, and the signatures it created.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from demo_gen import clock
from demo_gen.commands.live_clock import Due, SimClock, TokenBucket, next_due, schedule
from demo_gen.commands.prepare import Prepared
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Config, Secrets
from demo_gen.errors import LimitError
from demo_gen.targets.salesforce.client import CeilingReached

LIVE_LOG = "live.jsonl"
UNREPORTED_LIMIT = 15_000
"""An org that reports no daily limit is budgeted as Salesforce's smallest daily allocation."""
IDLE = timedelta(days=1)
"""With nothing left in the story, the loop looks again a simulated day later."""
OVERHEAD = 30
"""The calls a pass is first assumed to make besides its writes (a pass over a small pack reads
the org in 16 to 24); doubled each time a pass runs out of its reservation."""


@dataclass(frozen=True)
class LiveOptions:
    """What the command line adds: speed, the simulated start, when to stop."""

    speed: float = 1.0
    start: datetime | None = None  # the simulated clock's start; None = the real now
    until: datetime | None = None  # stop when the simulated clock reaches it
    advance_stages: bool = False
    tick_s: float = 0.5  # the longest sleep: how often the view refreshes and a stop is seen


@dataclass(frozen=True)
class Pass:
    """One pass: the moment it revealed up to, when it was done (simulated), what it wrote."""

    reveal: datetime
    started: datetime  # the simulated clock when the pass began (never before `reveal`)
    done: datetime
    created: int
    updated: int
    calls: int
    kinds: dict[str, int]


@dataclass(frozen=True)
class LiveState:
    """What the live view shows."""

    sim_now: datetime
    speed: float
    run_id: str | None
    tokens: float
    budget: int
    spent: int
    passes: tuple[Pass, ...]
    upcoming: tuple[Due, ...]
    status: str  # "writing" | "waiting" | "waiting for API budget" | "stopping" | "done"


class LiveView(Protocol):
    def show(self, state: LiveState) -> None: ...


@dataclass
class _Loop:
    config: Config
    secrets: Secrets
    options: LiveOptions
    sim: SimClock
    bucket: TokenBucket
    budget: int
    wall: Callable[[], float]
    sleep: Callable[[float], None]
    view: LiveView
    stop: Callable[[], bool]
    run_id: str | None = None
    overhead: int = OVERHEAD  # the calls a pass makes besides its writes, as far as known
    due: tuple[Due, ...] = ()
    passes: list[Pass] = field(default_factory=list)
    status: str = "writing"


@dataclass(frozen=True)
class LiveReport:
    run_id: str | None
    passes: int
    created: int
    updated: int
    api_calls: int
    budget: int
    stopped: str  # "until" | "signal"

    def asdict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "passes": self.passes, "created": self.created,
                "updated": self.updated, "api_calls": self.api_calls, "budget": self.budget,
                "stopped": self.stopped}  # fmt: skip


def live(
    config: Config,
    secrets: Secrets,
    options: LiveOptions,
    view: LiveView,
    stop: Callable[[], bool],
    *,
    wall: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> LiveReport:
    """Write the story as its moments arrive until `options.until` or `stop()`."""
    budget = daily_budget(config, secrets)
    sim = SimClock(options.start or clock.now(), wall(), options.speed)
    bucket = TokenBucket.for_daily_budget(budget, wall)
    loop = _Loop(config, secrets, options, sim, bucket, budget, wall, sleep, view, stop)
    stopped = _drive(loop)
    loop.status = "done"
    _show(loop)
    return LiveReport(
        loop.run_id, len(loop.passes), sum(p.created for p in loop.passes),
        sum(p.updated for p in loop.passes), bucket.spent, budget, stopped,
    )  # fmt: skip


def daily_budget(config: Config, secrets: Secrets) -> int:
    """`run.api_budget_share` of the API calls the org has left today (the org's own figure),
    less the calls this look-up made."""
    from demo_gen.targets.open import open_targets

    with open_targets(config, secrets, clock.now()) as opened:
        budget, _remaining = opened.source.api_budget(config.run.api_budget_share)
        spent = opened.source.calls
    if budget is None:
        budget = int(UNREPORTED_LIMIT * config.run.api_budget_share)
    return max(budget - spent, 1)


def _drive(loop: _Loop) -> str:
    """Passes until `until` or a stop request; which of the two ended it."""
    while True:
        if loop.stop():
            return "signal"
        if not _await_tokens(loop):
            return "signal"
        _pass(loop)
        upcoming = next_due(loop.due, loop.passes[-1].reveal)
        moment = upcoming[0].at if upcoming else loop.passes[-1].reveal + IDLE
        if loop.options.until is not None and moment > loop.options.until:
            return _last_pass(loop, loop.options.until)
        if not _sleep_until(loop, moment):
            return "signal"


def _last_pass(loop: _Loop, until: datetime) -> str:
    """Sleep until `until`, then, unless a pass revealed that very moment, one more: the org is
    left as the story stands at `until` (scorecards included: a step's date may have passed
    since the last write), whatever moment the last pass happened to start at."""
    if not _sleep_until(loop, until):
        return "signal"
    if loop.passes and loop.passes[-1].reveal >= until:
        return "until"
    if not _await_tokens(loop):
        return "signal"
    _pass(loop)
    return "until"


def _sleep_until(loop: _Loop, moment: datetime) -> bool:
    """Sleep in ticks until the simulated clock passes `moment`; False on a stop request."""
    loop.status = "waiting"
    target = loop.sim.wall_of(moment)
    while (left := target - loop.wall()) >= 0:
        _show(loop)
        if loop.stop():
            return False
        loop.sleep(min(loop.options.tick_s, left + 1e-3))
    return not loop.stop()


def _await_tokens(loop: _Loop) -> bool:
    """Wait until the bucket holds what the costliest pass so far used, and at least a pass's
    reads and one write; False on a stop."""
    if loop.overhead + 2 > loop.bucket.capacity:
        raise LimitError(
            f"live's API budget ({loop.budget} calls a day, {int(loop.bucket.capacity)} at "
            f"once) leaves no room for a pass: it reads the org in about {loop.overhead} calls",
            hint="raise run.api_budget_share, or run `demo-gen refresh` once a day instead",
        )
    need = max([p.calls for p in loop.passes] + [loop.overhead + 2])
    while (wait := loop.bucket.wait_for(need)) > 0:
        loop.status = "waiting for API budget"
        _show(loop)
        if loop.stop():
            return False
        loop.sleep(min(loop.options.tick_s, wait))
    return True


def _pass(loop: _Loop) -> None:
    """One refresh revealed up to the simulated now; spends its calls; logs what it created."""
    loop.status = "writing"
    reveal = started = loop.sim.at(loop.wall())
    if loop.options.until is not None:
        reveal = min(reveal, loop.options.until)  # a late pass never writes past --until
    _show(loop)
    reserved = max(int(loop.bucket.available()), 0)
    loop.bucket.spend(reserved)  # before the pass: what it may spend at most, reads included
    options = RunOptions(
        command="live", run_id=loop.run_id, today=reveal.date(), now=reveal, reveal=True,
        advance_stages=loop.options.advance_stages, call_ceiling=reserved,
        max_calls=max((reserved - loop.overhead) // 2, 0),  # a batch sent, one read back
        on_prepared=lambda p: _story(loop, p),
    )  # fmt: skip
    before = _created(loop)
    try:
        report = run(loop.config, loop.secrets, options)
    except CeilingReached:  # the reads outgrew the estimate: all of it spent, none too many
        loop.overhead = min(loop.overhead * 2, int(loop.bucket.capacity))
        loop.run_id = loop.run_id or _latest_live_run(loop)
        calls, counts, run_dir = reserved, {}, _run_dir(loop)
    else:
        loop.run_id = report.run_id
        calls, counts, run_dir = report.source_calls, report.counts, Path(report.run_dir)
    loop.bucket.refund(reserved - calls)
    created = sorted(_created(loop) - before)
    kinds = {k: c.get("created", 0) + c.get("updated", 0) for k, c in counts.items()}
    updated = sum(c.get("updated", 0) for c in counts.values())
    done = loop.sim.at(loop.wall())
    made = Pass(reveal, started, done, len(created), updated, calls,
                {k: n for k, n in kinds.items() if n})  # fmt: skip
    loop.passes.append(made)
    if run_dir is not None:
        _log(run_dir, loop, made, created)


def _latest_live_run(loop: _Loop) -> str | None:
    """The run a first pass that ran out of its reservation started (its id never came back)."""
    from demo_gen.ledger.store import StateStore

    state = StateStore(loop.config.state.url)
    try:
        runs = [r for r in state.list_runs() if r.command == "live"]
        runs = [r for r in runs if r.pack == loop.config.run.name]
        return runs[0].run_id if runs else None
    finally:
        state.close()


def _run_dir(loop: _Loop) -> Path | None:
    return None if loop.run_id is None else loop.config.run.runs_dir / loop.run_id


def _story(loop: _Loop, prepared: Prepared) -> None:
    if prepared.whole is not None:
        loop.due = schedule(prepared.whole, loop.config.activity.future_days)


def _created(loop: _Loop) -> set[str]:
    """The signatures the live run holds as created so far."""
    if loop.run_id is None:
        return set()
    from demo_gen.ledger.store import StateStore

    state = StateStore(loop.config.state.url)
    try:
        return {r.signature for r in state.run_items(loop.run_id, {"created"})}
    finally:
        state.close()


def _log(run_dir: Path, loop: _Loop, made: Pass, created: list[str]) -> None:
    line = {
        "reveal": clock.stamp(made.reveal), "started": clock.stamp(made.started),
        "done": clock.stamp(made.done),
        "speed": loop.sim.speed, "tick_s": loop.options.tick_s, "calls": made.calls,
        "tokens_after": round(loop.bucket.available(), 3), "budget": loop.budget,
        "updated": made.updated, "created": created,
    }  # fmt: skip
    with (run_dir / LIVE_LOG).open("a", encoding="utf-8") as f:
        f.write(json.dumps(line, sort_keys=True) + "\n")


def _show(loop: _Loop) -> None:
    now = loop.sim.at(loop.wall())
    state = LiveState(
        now, loop.sim.speed, loop.run_id, loop.bucket.available(), loop.budget,
        loop.bucket.spent, tuple(loop.passes[-5:]), next_due(loop.due, now, 6), loop.status,
    )  # fmt: skip
    loop.view.show(replace(state))
