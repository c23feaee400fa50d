"""Pins go to the ledger, and stories ahead are told, 100 deals at a time: what a batch holds
(each deal's plan as objects and as JSON, about 17 KB of it a plan) is what the planning
phases add on top of the run's calendar, so a larger batch is a larger peak
(docs/reruns-and-streaming.md)."""

from __future__ import annotations

from sqlalchemy import event

from demo_gen.ledger.store import StateStore
from demo_gen.stages import storyline


def test_pins_are_inserted_a_hundred_at_a_time(tmp_path):
    store = StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}")
    sizes = []

    def seen(_conn, _cursor, statement, parameters, _context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO CONTENT"):
            sizes.append(len(parameters) if executemany else 1)

    event.listen(store._engine, "before_cursor_execute", seen)
    try:
        store.put_contents({"kept": "first"})
        values = {f"pin/{i:03d}": f"plan {i}" for i in range(250)}
        store.put_contents({"kept": "second", **values})
        assert sizes == [1, 100, 100, 50]
        assert store.get_contents(["kept", *values]) == {"kept": "first", **values}
    finally:
        store.close()


def test_stories_ahead_are_told_a_hundred_deals_at_a_time():
    assert storyline.PIN_BATCH == 100
