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


def test_a_reservation_spent_in_part_gives_the_rest_back() -> None:
    wall = Wall()
    bucket = TokenBucket(10, 0, wall)
    bucket.spend(8)  # reserved before a pass
    assert bucket.available() == 2
    bucket.refund(8 - 5)  # the pass made 5 calls
    assert bucket.available() == 5 and bucket.spent == 5
    bucket.refund(100)  # never above its capacity
    assert bucket.available() == 10


def test_the_org_client_makes_no_call_beyond_its_ceiling(served_org) -> None:
    """live's reservation is a hard ceiling: the call after it never reaches the org."""
    from local_org_fixtures import connect

    from demo_gen.targets.salesforce.client import CeilingReached, SalesforceCrm

    crm = SalesforceCrm(connect(served_org), label="org")
    crm.ceiling = 2
    before = served_org.app.stats()["api_usage"]
    crm.query("SELECT Id FROM User LIMIT 1")
    crm.query("SELECT Id FROM Account LIMIT 1")
    with pytest.raises(CeilingReached):
        crm.query("SELECT Id FROM Contact LIMIT 1")
    assert served_org.app.stats()["api_usage"] - before == 2 and crm.calls == 2
