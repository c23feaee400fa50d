"""The plan spilled to disk (commands/plan_spill.py) reads back as it went in, chunk by chunk:
every field of every deal, its Opportunity, zones and datetimes included."""

from __future__ import annotations

from datetime import date

from test_planner import SELLER_ZONES, STAGES, make_opportunity

from demo_gen.commands.plan_spill import PlanSpill
from demo_gen.config.model import Config
from demo_gen.stages.planner import plan


def test_deals_read_back_equal_in_order_and_chunks():
    opps = [
        make_opportunity(i, STAGES[i % len(STAGES)], SELLER_ZONES[i % len(SELLER_ZONES)])
        for i in range(8)
    ]
    deals = plan(opps, Config(), dict.fromkeys((o.id for o in opps), date(2026, 6, 1)))
    deals_ = deals.opportunities
    assert any(op.meetings for op in deals_) and any(op.emails for op in deals_)
    with PlanSpill() as spill:
        for op in deals_:
            spill.add(op, deals_[0])
        assert len(spill) == len(deals_) and spill.bytes > 0
        chunks = list(spill.chunks(3))
        assert [len(c) for c in chunks] == [3, 3, 2]
        back = [pair for chunk in chunks for pair in chunk]
        assert [day for day, _ in back] == list(deals_)
        assert all(whole == deals_[0] for _, whole in back)
        assert back[1][0].meetings[0].start.tzinfo is not None
        spill.add(deals_[-1], deals_[-1])  # an add after a read goes on at the end
        assert list(spill.chunks(100))[0][-1] == (deals_[-1], deals_[-1])
