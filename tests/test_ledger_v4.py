"""Ledger schema 5: one new table, `updates`, with each update's before- and after-values.

A schema-3 store (tests/state_schema_v3.sql, frozen DDL) migrates in one self-contained step:
its rows stay as they were, and the new table takes rows that reset reads back in order.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from demo_gen.ledger.store import SCHEMA_VERSION, StateStore
from demo_gen.ledger.updates import UpdateLedger, UpdateRow

V3_DDL = Path(__file__).parent / "state_schema_v3.sql"
TARGET = "salesforce:00D000000000001AAA"


def _v3_store(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript(V3_DDL.read_text(encoding="utf-8"))
        conn.execute("INSERT INTO meta VALUES ('schema_version', '3')")
        conn.execute(
            "INSERT INTO runs VALUES ('r1', 'pack', '00D000000000001AAA', 'run', 'completed', "
            "'2026-11-22T08:15:00Z', '2026-11-22T08:20:00Z', 'cfg1', NULL, NULL)"
        )
        conn.execute("INSERT INTO anchors VALUES ('pack', '00D000000000001AAA', '006A', "
                     "'2026-11-02')")  # fmt: skip


def test_a_schema_3_store_gains_the_updates_table_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    _v3_store(path)
    store = StateStore(f"sqlite:///{path}")
    try:
        assert SCHEMA_VERSION == 5
        assert store.get_run("r1") is not None
        assert store.anchors("pack", "00D000000000001AAA", ["006A"])
        ledger = UpdateLedger(store)
        rows = [
            UpdateRow(
                TARGET,
                f"k{n}",
                "r1",
                "Event",
                f"00U{n}",
                {"Description": "Agenda: x"},
                {"Description": "notes"},
                "pending",
            )  # fmt: skip
            for n in range(3)
        ]
        ledger.record(rows)
        ledger.mark(TARGET, {"k0": "done", "k1": "done"})
        ledger.forget(TARGET, ["k2"])
        assert [r.key for r in ledger.of_run("r1", ("done",))] == ["k0", "k1"]
        assert ledger.known(TARGET, ["k0", "k2"])["k0"].before == {"Description": "Agenda: x"}
        assert ledger.pending(TARGET) == []
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert version == ("5",)


def test_a_new_store_has_the_updates_table(tmp_path: Path) -> None:
    store = StateStore(f"sqlite:///{tmp_path / 'new.sqlite'}")
    try:
        assert UpdateLedger(store).of_run("none") == []
    finally:
        store.close()
