"""`live`'s time: the simulated clock, the API token bucket and the schedule of what falls due.

All pure: the wall clock is a parameter (`Callable[[], float]`, monotonic seconds), so a test
drives them with a fake clock and no sleeping.

- `SimClock`: simulated time = its start + (wall seconds since then) x speed. `--speed 60` runs
  an hour per minute; speed 1 is real time.
- `TokenBucket`: the API budget. It starts with `capacity` tokens and refills at `per_second`;
  a pass reserves (`spend`) what it may use at most before it starts, and `refund`s what it
  did not use. With `for_daily_budget(B)` the capacity and the refill over a day
  add up to B, so no 24 hours of wall time ever see more than B calls spent from it.
- `schedule`: each deal's whole story as moments at which something becomes due, in order:
  an email at its sent time, a call or task at its time, a meeting when it enters the window
  (`activity.future_days` + 1 days ahead of its start) and its outcome when it has ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from demo_gen.stages.plan import Plan

DAY_S = 86_400.0


@dataclass(frozen=True)
class SimClock:
    """Simulated time running `speed` times faster than the wall clock from `wall_start`."""

    sim_start: datetime
    wall_start: float
    speed: float

    def at(self, wall: float) -> datetime:
        """The simulated moment at wall-clock second `wall`."""
        return self.sim_start + timedelta(seconds=(wall - self.wall_start) * self.speed)

    def wall_of(self, sim: datetime) -> float:
        """The wall-clock second at which the simulated clock shows `sim`."""
        return self.wall_start + (sim - self.sim_start).total_seconds() / self.speed


class TokenBucket:
    """A token bucket on an injected monotonic clock: `spend` what was used, `available` now."""

    def __init__(self, capacity: float, per_second: float, clock: Callable[[], float]) -> None:
        if capacity <= 0 or per_second < 0:
            raise ValueError("a token bucket needs a positive capacity and a refill >= 0")
        self.capacity, self.per_second, self._clock = capacity, per_second, clock
        self._tokens, self._at = capacity, clock()
        self.spent = 0

    @classmethod
    def for_daily_budget(cls, budget: int, clock: Callable[[], float]) -> TokenBucket:
        """Half of `budget` at once, the other half refilled over a day: any 24 hours spend at
        most `budget` (capacity + a day's refill)."""
        half = max(budget, 2) / 2
        return cls(half, half / DAY_S, clock)

    def available(self) -> float:
        """The tokens in the bucket now (negative after a pass that overran its share)."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.per_second)
        self._at = now
        return self._tokens

    def spend(self, calls: int) -> None:
        """Take `calls` tokens out (what a pass used)."""
        self.available()
        self._tokens -= calls
        self.spent += calls

    def refund(self, calls: int) -> None:
        """Give back what a reservation (`spend` before a pass) did not use."""
        self.available()
        self._tokens = min(self.capacity, self._tokens + calls)
        self.spent -= calls

    def wait_for(self, tokens: float) -> float:
        """Seconds until the bucket holds `tokens` (capped at its capacity); 0 if it does."""
        missing = min(tokens, self.capacity) - self.available()
        if missing <= 0:
            return 0.0
        return float("inf") if self.per_second == 0 else missing / self.per_second


@dataclass(frozen=True)
class Due:
    """Something that falls due at `at`: `what` is the kind of write, `label` its subject."""

    at: datetime
    what: str  # "email" | "call" | "meeting" (it enters the window) | "outcome"
    label: str
    deal: str


def schedule(whole: Plan, future_days: int) -> tuple[Due, ...]:
    """Every moment in the deals' whole stories at which a write falls due, in time order."""
    ahead = timedelta(days=1 + future_days)
    out: list[Due] = []
    for op in whole.opportunities:
        deal = op.opportunity.name
        out += [Due(e.sent_at, "email", e.subject, deal) for e in op.emails]
        out += [Due(t.at, "call", t.subject, deal) for t in op.tasks]
        for m in op.meetings:
            out.append(Due(m.start - ahead, "meeting", m.subject, deal))
            if m.status == "scheduled":
                end = m.start + timedelta(minutes=m.duration_minutes)
                out.append(Due(end, "outcome", m.subject, deal))
    return tuple(sorted(out, key=lambda d: (d.at, d.what, d.deal, d.label)))


def next_due(due: tuple[Due, ...], after: datetime, count: int = 1) -> tuple[Due, ...]:
    """The first `count` moments strictly after `after`."""
    return tuple(d for d in due if d.at > after)[:count]
