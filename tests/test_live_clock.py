"""live's clock parts as pure units: the token bucket never lets any 24 hours spend more than
its daily budget, the simulated clock maps wall to sim time both ways, the schedule is in order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from demo_gen.commands.live_clock import DAY_S, SimClock, TokenBucket


class Wall:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _greedy(
    bucket: TokenBucket, wall: Wall, rng: random.Random, budget: int, days: float
) -> list[tuple[float, int]]:
    """Spend as the live loop does: wait for what a pass costs, then spend it, for `days`."""
    spends: list[tuple[float, int]] = []
    end = wall.t + days * DAY_S
    while wall.t < end:
        cost = rng.randint(1, max(2, budget // 20))
        wait = bucket.wait_for(cost)
        wall.t += wait if wait > 0 else rng.uniform(0, 30)
        if bucket.available() >= cost:
            bucket.spend(cost)
            spends.append((wall.t, cost))
    return spends


@pytest.mark.parametrize("budget", [100, 2_000, 7_500])
def test_no_24_hours_spend_more_than_the_daily_budget(budget: int) -> None:
    wall = Wall()
    bucket = TokenBucket.for_daily_budget(budget, wall)
    spends = _greedy(bucket, wall, random.Random(budget), budget, days=3)
    worst = 0
    for i, (start, _) in enumerate(spends):  # every 24-hour window that starts at a spend
        worst = max(worst, sum(c for t, c in spends[i:] if t < start + DAY_S))
    assert worst <= budget
    assert worst >= budget * 0.9  # and a greedy spender does get (nearly) all of it
    assert bucket.spent == sum(c for _, c in spends)


def test_the_bucket_refills_with_time_up_to_its_capacity() -> None:
    wall = Wall()
    bucket = TokenBucket(10, 2, wall)
    bucket.spend(10)
    assert bucket.available() == 0
    assert bucket.wait_for(4) == pytest.approx(2.0)
    wall.t += 2
    assert bucket.available() == pytest.approx(4)
    wall.t += 100
    assert bucket.available() == 10
    assert bucket.wait_for(50) == 0  # asking for more than it can hold waits for a full bucket


def test_sim_clock_runs_speed_times_faster_and_back() -> None:
    start = datetime(2026, 11, 2, tzinfo=UTC)
    sim = SimClock(start, 50.0, 600)
    assert sim.at(50.0) == start
    assert sim.at(56.0) == start + timedelta(hours=1)
    assert sim.wall_of(start + timedelta(days=1)) == pytest.approx(50.0 + 144)
