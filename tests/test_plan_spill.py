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


def test_content_is_inserted_in_batches_in_one_call(tmp_path):
    """put_contents inserts 500 rows at a time (pins of a whole run are never all dumped at
    once): every key of a call over several batches lands, and a key present keeps its value."""
    from collections.abc import Iterator, Mapping

    from demo_gen.ledger.store import StateStore

    class Counted(Mapping[str, str]):
        def __init__(self, n: int) -> None:
            self.n, self.read = n, 0

        def __getitem__(self, key: str) -> str:
            self.read += 1
            return f"value {key}"

        def __iter__(self) -> Iterator[str]:
            return (f"k{i:05d}" for i in range(self.n))

        def __len__(self) -> int:
            return self.n

    store = StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}")
    try:
        store.put_contents({"k00007": "first"})
        values = Counted(1_201)
        store.put_contents(values)
        got = store.get_contents([f"k{i:05d}" for i in range(1_201)])
        assert len(got) == 1_201
        assert got["k00007"] == "first" and got["k01200"] == "value k01200"
        assert values.read == 1_200  # each value made once, the present key's never
    finally:
        store.close()
