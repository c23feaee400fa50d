"""Ledger schema 3: the target in every item's and lock's key, the target's own ids.

A schema-2 store as demo-gen wrote it before this change (tests/state_schema_v2.sql, frozen DDL)
migrates with its data, its locks and its indexes, and a run recorded in it can still be reset:
the migrated rows are what reset deletes, and nothing else goes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from safety_helpers import OBJECTS, invoke, org_ids, run_json

from demo_gen.config.model import load_config
from demo_gen.errors import StateError
from demo_gen.ledger.store import SCHEMA_VERSION, StateStore

ORG = "00D000000000001AAA"
TARGET = f"salesforce:{ORG}"
PACK = "se-demo-pack"
V2_DDL = Path(__file__).parent / "state_schema_v2.sql"
V2_ITEM_COLUMNS = (
    "org_id, signature, run_id, pack, opportunity_id, kind, sobject, status, sf_id, error_code, "
    "error, parent_signature, planned_start, subject, updated_at, identity"
)


def _v2_store(path: Path) -> None:
    """A schema-2 store: frozen DDL plus a finished run, a pending row, a lock and an anchor."""
    with sqlite3.connect(path) as conn:
        conn.executescript(V2_DDL.read_text(encoding="utf-8"))
        conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
        conn.execute(
            "INSERT INTO runs VALUES ('r1', ?, ?, 'run', 'completed', '2026-11-22T08:15:00Z', "
            "'2026-11-22T08:20:00Z', 'cfg1', '{\"totals\": {\"created\": 2}}', NULL)",
            (PACK, ORG),
        )
        conn.execute(
            f"INSERT INTO items ({V2_ITEM_COLUMNS}) VALUES (?, 'sig-m', 'r1', ?, '006A', "
            "'meeting', 'Event', 'created', '00UAAA', NULL, NULL, NULL, "
            "'2026-11-02T10:00:00.000+0000', 'Discovery call', '2026-11-22T08:16:00Z', "
            '\'{"Subject": "Discovery call"}\')',
            (ORG, PACK),
        )
        conn.execute(
            f"INSERT INTO items ({V2_ITEM_COLUMNS}) VALUES (?, 'sig-i', 'r1', ?, '006A', "
            "'invitee', 'EventRelation', 'pending', NULL, NULL, NULL, 'sig-m', "
            "'2026-11-02T10:00:00.000+0000', '003B', '2026-11-22T08:16:00Z', NULL)",
            (ORG, PACK),
        )
        conn.execute(
            "INSERT INTO locks VALUES (?, ?, 'r1', 'elsewhere', 1, '2026-11-22T08:15:00Z', "
            "'2026-11-22T08:15:30Z')",
            (PACK, ORG),
        )
        conn.execute("INSERT INTO anchors VALUES (?, ?, '006A', '2026-11-02')", (PACK, ORG))


def test_a_schema_2_store_is_migrated_with_its_data(tmp_path):
    path = tmp_path / "v2.sqlite"
    _v2_store(path)
    with pytest.raises(StateError, match="older schema 2"):
        StateStore.open_readonly(f"sqlite:///{path}")  # reading never migrates
    with StateStore(f"sqlite:///{path}") as store:
        rows = store.items_by_signature(TARGET, ["sig-m", "sig-i"])
        assert store.items_by_signature(ORG, ["sig-m"]) == {}
        meeting = rows["sig-m"]
        assert (meeting.target, meeting.record_type, meeting.remote_id) == (
            TARGET,
            "Event",
            "00UAAA",
        )
        assert meeting.identity == '{"Subject": "Discovery call"}'
        assert rows["sig-i"].status == "pending" and rows["sig-i"].parent_signature == "sig-m"
        assert store.pending_items(TARGET, PACK) == [rows["sig-i"]]
        assert store.owned_ids(TARGET) == {"00UAAA": "sig-m"}
        assert store.anchors(PACK, ORG, ["006A"])  # anchors stay keyed by the source org
        assert store.count_by_target("r1") == {
            TARGET: {"invitee": {"pending": 1}, "meeting": {"created": 1}}
        }
        store.mark_created(TARGET, {"sig-i": "0REBBB"})
        assert store.items_by_signature(TARGET, ["sig-i"])["sig-i"].remote_id == "0REBBB"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)
        lock = conn.execute("SELECT pack, target, owner, heartbeat_at FROM locks").fetchone()
        assert lock == (PACK, TARGET, "r1", "2026-11-22T08:15:30Z")
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"ix_items_run_status", "ix_items_target_pack_status"} <= indexes
        assert "ix_items_org_pack_status" not in indexes
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert not {"items_v3", "locks_v3"} & tables


def _as_v2(v3_path: Path, v2_path: Path) -> int:
    """Write the v3 ledger at `v3_path` back into a schema-2 store, as today's code kept it."""
    with sqlite3.connect(v2_path) as old, sqlite3.connect(v3_path) as new:
        old.executescript(V2_DDL.read_text(encoding="utf-8"))
        old.execute("INSERT INTO meta VALUES ('schema_version', '2')")
        runs = new.execute("SELECT * FROM runs").fetchall()
        old.executemany(f"INSERT INTO runs VALUES ({','.join('?' * len(runs[0]))})", runs)
        items = new.execute(
            "SELECT substr(target, 12), signature, run_id, pack, opportunity_id, kind, "
            "record_type, status, remote_id, error_code, error, parent_signature, "
            "planned_start, subject, updated_at, identity FROM items"
        ).fetchall()
        assert items and all(r[0].startswith("00D") for r in items)
        old.executemany(f"INSERT INTO items ({V2_ITEM_COLUMNS}) VALUES ({'?,' * 15}?)", items)
        anchors = new.execute("SELECT * FROM anchors").fetchall()
        old.executemany("INSERT INTO anchors VALUES (?, ?, ?, ?)", anchors)
    return len(items)


def test_a_run_in_a_migrated_schema_2_store_can_still_be_reset(
    make_config, org_db, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    before = org_ids(org_db)
    config = make_config()
    code, report = run_json(config)
    assert code == 0
    made = org_ids(org_db)
    assert any(made[n] - before[n] for n in OBJECTS)
    v3_path = Path(load_config(config).state.url.removeprefix("sqlite:///"))
    v2_path = tmp_path / "from-v2.sqlite"
    assert _as_v2(v3_path, v2_path) > 0
    old = make_config("old.yaml", state={"url": f"sqlite:///{v2_path}"})
    code, out, err = invoke("reset", report["run_id"], "-c", str(old), "--yes")
    assert code == 0, err
    assert org_ids(org_db) == before  # exactly what the run made is gone, and nothing else
    with StateStore(f"sqlite:///{v2_path}") as state:
        rows = state.run_items(report["run_id"])
        assert rows and {r.status for r in rows} == {"deleted"}
        assert {r.target for r in rows} == {f"salesforce:{report['org_id']}"}
