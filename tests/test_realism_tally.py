"""The realism figures counted a deal at a time (stages/realism_tally.py) are the whole plan's
(`realism_report`), figure for figure and key for key, whatever order the deals come in: on the
`make demo` org's plan, and on that plan bent so that every cross-deal figure counts something
(double bookings, the org's Events as the other side, impossible travel, loads over the caps)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from test_story import _config, _plan, seeded  # noqa: F401 (the module's org fixture)

from demo_gen.stages.model import BusyEvent
from demo_gen.stages.plan import Plan
from demo_gen.stages.realism import realism_report
from demo_gen.stages.realism_tally import RealismTally


def _tallied(plan: Plan, settings, order_seed: int) -> dict:
    deals = list(plan.opportunities)
    random.Random(order_seed).shuffle(deals)
    tally = RealismTally(settings, plan.events, plan.caps)
    for op in deals:
        tally.add(op)
    return tally.report()


def _same(plan: Plan, settings) -> None:
    whole = realism_report(plan, settings)
    for seed in (0, 1):
        tallied = _tallied(plan, settings, seed)
        assert tallied == whole
        assert list(tallied) == list(whole)  # the same keys in the same order


@pytest.fixture(scope="module")
def default_plan(seeded):  # noqa: F811
    db, snapshot = seeded
    config = _config(db)
    return config, _plan(snapshot, config)


def test_the_tally_is_the_whole_report_on_the_default_plan(default_plan):
    config, plan = default_plan
    report = realism_report(plan, config.activity)
    assert report["meetings"] > 500 and report["closed_won_deals"] > 0
    _same(plan, config.activity)


def test_the_tally_is_the_whole_report_where_deals_clash(default_plan):
    """Every deal's first three meetings moved onto the first deal's first one and 7 and 14
    hours after it, in person in one of four cities, with its seller; calls onto it too; and
    org Events over it: the cross-deal figures count hundreds of clashes, and the tally counts
    the same."""
    config, plan = default_plan
    first = next(op for op in plan.opportunities if op.meetings)
    at, seller = first.meetings[0].start, first.opportunity.owner.id
    bent = []
    for n, op in enumerate(plan.opportunities):
        meetings = (
            tuple(
                replace(
                    m,
                    start=at + timedelta(hours=7 * (k % 3), minutes=15 * (n % 2)),
                    organizer_id=seller,
                    in_person=True,
                    location=f"City {n % 4}",
                )  # fmt: skip
                for k, m in enumerate(op.meetings[:3])
            )
            + op.meetings[3:]
        )
        tasks = tuple(replace(t, at=at, owner_id=seller) for t in op.tasks[:2]) + op.tasks[2:]
        bent.append(replace(op, meetings=meetings, tasks=tasks))
    clash = BusyEvent(id="00UCLASH", owner_id=seller, who_id=None, what_id=None,
                      subject="Board meeting", start=at, end=at + timedelta(hours=2))  # fmt: skip
    own = BusyEvent(id="00UOWN", owner_id=seller, who_id=None, what_id=first.opportunity.id,
                    subject="Board prep", start=at, end=at + timedelta(hours=1))  # fmt: skip
    plan = replace(plan, opportunities=tuple(bent), events=(*plan.events, clash, own))
    report = realism_report(plan, config.activity)
    for key in ("double_bookings", "impossible_travel", "seller_daily_load_max"):
        assert not report[key]["ok"], key  # the bent plan breaks each
    assert report["org_double_bookings"] >= 1
    _same(plan, config.activity)


def test_the_tally_of_no_deal_is_the_report_of_an_empty_plan(default_plan):
    config, plan = default_plan
    _same(replace(plan, opportunities=()), config.activity)
