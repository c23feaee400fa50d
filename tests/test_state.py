import sqlite3
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool
from state_backends import Backend

from demo_gen.errors import ExitCode, StateError
from demo_gen.ledger import schema as state_schema
from demo_gen.ledger.store import SCHEMA_VERSION, ItemRow, RunRow, StateStore

ORG = "00D000000000001AAA"
SF_TARGET = f"salesforce:{ORG}"  # what a v1 or v2 store's org_id becomes (schema 3)
PACK = "se-demo-pack"


def run_row(
    run_id: str = "r1", status: str = "running", started_at: str = "2026-11-22T08:15:00Z", **kw: Any
) -> RunRow:
    values: dict[str, Any] = dict(
        run_id=run_id,
        pack=PACK,
        org_id=ORG,
        command="run",
        status=status,
        started_at=started_at,
        finished_at=None,
        config_fingerprint="cfg1",
        summary_json=None,
    )
    return RunRow(**(values | kw))


def item(
    sig: str, run_id: str = "r1", kind: str = "meeting", opp: str = "006A", **kw: Any
) -> ItemRow:
    values: dict[str, Any] = dict(
        signature=sig,
        run_id=run_id,
        pack=PACK,
        target=ORG,
        opportunity_id=opp,
        kind=kind,
        record_type="Event",
        status="pending",
        remote_id=None,
        error_code=None,
        error=None,
        parent_signature=None,
        planned_start="2026-11-02T10:00:00+00:00",
        subject="Discovery call",
        updated_at="",
    )
    return ItemRow(**(values | kw))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "runs" / "state.sqlite"


@pytest.fixture
def backend(state_backend: Backend) -> Backend:
    """The ledger tests run on SQLite and on PostgreSQL (tests/state_backends.py)."""
    return state_backend


@pytest.fixture
def store(backend):
    with StateStore(backend.url) as opened:
        opened.start_run(run_row())
        yield opened


def test_creates_parent_dirs_and_uses_wal(db_path):
    StateStore(f"sqlite:///{db_path}").close()
    assert db_path.exists()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)


def test_runs_lifecycle(store):
    assert store.get_run("r1") == run_row()
    assert store.get_run("nope") is None
    store.start_run(run_row("r2", started_at="2026-11-23T08:00:00Z"))
    assert [r.run_id for r in store.list_runs()] == ["r2", "r1"]
    assert store.latest_unfinished_run(PACK, ORG).run_id == "r2"
    store.finish_run("r2", "completed", "2026-11-23T09:00:00Z", '{"created": 3}')
    finished = store.get_run("r2")
    assert (finished.status, finished.finished_at, finished.summary_json) == (
        "completed",
        "2026-11-23T09:00:00Z",
        '{"created": 3}',
    )
    assert store.latest_unfinished_run(PACK, ORG).run_id == "r1"
    assert store.latest_unfinished_run("other-pack", ORG) is None
    with pytest.raises(ValueError, match="unknown run"):
        store.finish_run("nope", "completed", "2026-11-23T09:00:00Z", None)


def test_start_run_again_resumes(store):
    store.finish_run("r1", "interrupted", "2026-11-22T08:20:00Z", "{}")
    store.start_run(run_row(started_at="2026-11-22T09:00:00Z"))
    resumed = store.get_run("r1")
    assert (resumed.status, resumed.finished_at, resumed.started_at) == (
        "running",
        None,
        "2026-11-22T08:15:00Z",
    )
    with pytest.raises(ValueError, match="belongs to"):
        store.start_run(run_row(pack="another"))


def test_run_opportunities_keep_order_and_ignore_repeats(store):
    store.record_opportunities("r1", ["006B", "006A", "006B"])
    store.record_opportunities("r1", ["006A", "006C"])
    assert store.run_opportunities("r1") == ["006B", "006A", "006C"]
    assert store.run_opportunities("r2") == []


def test_anchors_never_change_once_set(store):
    assert store.anchors(PACK, ORG, ["006A"]) == {}
    store.set_anchors(PACK, ORG, {"006A": date(2026, 11, 22)})
    store.set_anchors(PACK, ORG, {"006A": date(2027, 1, 1), "006B": date(2026, 12, 1)})
    assert store.anchors(PACK, ORG, ["006A", "006B", "006C"]) == {
        "006A": date(2026, 11, 22),
        "006B": date(2026, 12, 1),
    }
    assert store.anchors("other-pack", ORG, ["006A"]) == {}


def test_pending_created_deleted_lifecycle(store):
    store.mark_pending([item("s1"), item("s2", kind="invitee", parent_signature="s1")])
    assert [i.signature for i in store.pending_items(ORG, PACK)] == ["s1", "s2"]
    store.mark_created(ORG, {"s1": "00U000000000001AAA"})
    store.mark_failed(ORG, {"s2": ("INVALID_FIELD", "bad WhoId")})
    rows = store.items_by_signature(ORG, ["s1", "s2", "s3"])
    assert set(rows) == {"s1", "s2"}
    assert (rows["s1"].status, rows["s1"].remote_id) == ("created", "00U000000000001AAA")
    assert (rows["s2"].status, rows["s2"].error_code, rows["s2"].error) == (
        "failed",
        "INVALID_FIELD",
        "bad WhoId",
    )
    assert rows["s2"].parent_signature == "s1"
    assert rows["s1"].updated_at.endswith("Z")
    assert store.pending_items(ORG, PACK) == []
    assert store.count_by_status("r1") == {"invitee": {"failed": 1}, "meeting": {"created": 1}}

    store.mark_deleted(ORG, ["s1"])
    deleted = store.items_by_signature(ORG, ["s1"])["s1"]
    assert (deleted.status, deleted.remote_id) == ("deleted", "00U000000000001AAA")
    assert [i.signature for i in store.run_items("r1", {"deleted"})] == ["s1"]
    assert len(store.run_items("r1")) == 2


def test_failed_and_deleted_items_can_be_planned_again_by_another_run(store):
    store.start_run(run_row("r2"))
    store.mark_pending([item("s1"), item("s2")])
    store.mark_failed(ORG, {"s1": ("UNABLE_TO_LOCK_ROW", "busy")})
    store.mark_created(ORG, {"s2": "00U2"})
    store.mark_deleted(ORG, ["s2"])
    store.mark_pending([item("s1", run_id="r2"), item("s2", run_id="r2")])
    again = store.items_by_signature(ORG, ["s1", "s2"])
    assert {(r.run_id, r.status, r.remote_id, r.error_code) for r in again.values()} == {
        ("r2", "pending", None, None)
    }
    assert store.run_items("r1") == []


def test_created_is_never_downgraded(store):
    store.mark_pending([item("s1"), item("s2")])
    store.mark_created(ORG, {"s1": "00U1"})
    with pytest.raises(ValueError, match="already created"):
        store.mark_pending([item("s1"), item("s3")])
    assert store.items_by_signature(ORG, ["s3"]) == {}  # the whole batch was refused
    with pytest.raises(ValueError, match="cannot become failed"):
        store.mark_failed(ORG, {"s1": ("X", "y")})
    with pytest.raises(ValueError, match="already created as 00U1"):
        store.mark_created(ORG, {"s1": "00U9"})
    store.mark_created(ORG, {"s1": "00U1"})  # repeating the same result is harmless
    assert store.items_by_signature(ORG, ["s1"])["s1"].status == "created"


def test_marks_are_atomic_and_need_known_items(store):
    store.mark_pending([item("s1")])
    with pytest.raises(ValueError, match="never marked pending"):
        store.mark_created(ORG, {"s1": "00U1", "ghost": "00U2"})
    assert store.items_by_signature(ORG, ["s1"])["s1"].status == "pending"
    with pytest.raises(ValueError, match="never marked pending"):
        store.mark_deleted(ORG, ["ghost"])
    with pytest.raises(ValueError, match="not started"):
        store.mark_pending([item("s9", run_id="never-started")])


def test_signatures_are_per_target(store):
    """The same signature in two targets (the org and a calendar, or two orgs) is two rows."""
    store.mark_pending([item("s1"), item("s1", target="caldav:https://cal.example")])
    store.mark_created(ORG, {"s1": "00U1"})
    assert store.items_by_signature("caldav:https://cal.example", ["s1"])["s1"].status == "pending"
    assert store.items_by_signature(ORG, ["s1"])["s1"].remote_id == "00U1"
    assert store.count_by_target("r1") == {
        ORG: {"meeting": {"created": 1}},
        "caldav:https://cal.example": {"meeting": {"pending": 1}},
    }


def test_items_by_signature_with_thousands(store):
    rows = [item(f"sig{n:05d}", opp=f"006{n % 50:03d}") for n in range(2500)]
    store.mark_pending(rows)
    store.mark_created(ORG, {r.signature: f"00U{n:05d}" for n, r in enumerate(rows[:1200])})
    found = store.items_by_signature(ORG, [r.signature for r in rows] + ["missing"])
    assert len(found) == 2500
    assert found["sig01199"].remote_id == "00U01199"
    assert found["sig01200"].status == "pending"
    assert store.count_by_status("r1") == {"meeting": {"created": 1200, "pending": 1300}}
    assert len(store.pending_items(ORG, PACK)) == 1300


def test_content_cache_keeps_the_first_value(store):
    assert store.get_content("006A/meeting/1") is None
    store.put_content("006A/meeting/1", "Agenda: pricing")
    store.put_content("006A/meeting/1", "Something else")
    assert store.get_content("006A/meeting/1") == "Agenda: pricing"


def test_worker_threads_share_one_store(store):
    def work(n):
        rows = [item(f"t{n}-{i}", opp=f"006{n}") for i in range(40)]
        store.mark_pending(rows)
        store.mark_created(ORG, {r.signature: f"00U{n}{i}" for i, r in enumerate(rows)})
        store.put_content(f"key{n % 2}", f"text {n}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count_by_status("r1") == {"meeting": {"created": 320}}
    assert store.get_content("key0") is not None


def test_data_survives_reopening(backend, store):
    store.mark_pending([item("s1")])
    store.close()
    with StateStore(backend.url) as again:
        assert again.items_by_signature(ORG, ["s1"])["s1"].status == "pending"


def test_newer_schema_is_refused(backend, store):
    store.close()
    newer_version = str(SCHEMA_VERSION + 1)
    backend.execute("UPDATE meta SET value = :v WHERE key = 'schema_version'", v=newer_version)
    newer = rf"newer demo-gen \(schema {SCHEMA_VERSION + 1} > {SCHEMA_VERSION}\)"
    with pytest.raises(StateError, match=newer) as info:
        StateStore(backend.url)
    assert info.value.hint
    assert info.value.exit_code == ExitCode.STATE
    with pytest.raises(StateError, match="newer"):
        StateStore.open_readonly(backend.url)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "state.sqlite"
    path.write_text("this is not a database, just some text that is long enough\n" * 20)
    with pytest.raises(StateError, match="unreadable") as info:
        StateStore(f"sqlite:///{path}")
    assert "\n" not in str(info.value)
    with pytest.raises(StateError, match="unreadable"):
        StateStore.open_readonly(f"sqlite:///{path}")


def test_passwords_stay_out_of_messages():
    with pytest.raises(StateError) as info:
        StateStore("nosuchdialect://user:s3cret@host/db")
    assert "s3cret" not in str(info.value)


def test_open_readonly_on_a_missing_file_creates_nothing(tmp_path):
    path = tmp_path / "absent" / "state.sqlite"
    with StateStore.open_readonly(f"sqlite:///{path}") as ro:
        assert ro.list_runs() == []
        assert ro.items_by_signature(ORG, ["s1"]) == {}
        assert ro.anchors(PACK, ORG, ["006A"]) == {}
        assert ro.get_content("k") is None
        with pytest.raises(RuntimeError, match="read-only"):
            ro.put_content("k", "v")
    assert not (tmp_path / "absent").exists()


def test_open_readonly_reads_an_existing_store_without_writing(backend, store):
    store.mark_pending([item("s1")])
    store.close()
    before = backend.execute("SELECT signature, status, updated_at FROM items")
    with StateStore.open_readonly(backend.url) as ro:
        assert [r.run_id for r in ro.list_runs()] == ["r1"]
        assert ro.pending_items(ORG, PACK)[0].signature == "s1"
        with pytest.raises(RuntimeError):
            ro.mark_created(ORG, {"s1": "00U1"})
    assert backend.execute("SELECT signature, status, updated_at FROM items") == before


def test_open_readonly_on_a_file_changes_no_byte(db_path):
    with StateStore(f"sqlite:///{db_path}") as store:
        store.start_run(run_row())
        store.mark_pending([item("s1")])
    before = db_path.read_bytes()
    with StateStore.open_readonly(f"sqlite:///{db_path}") as ro:
        assert ro.pending_items(ORG, PACK)[0].signature == "s1"
    assert db_path.read_bytes() == before


def test_open_readonly_on_a_foreign_sqlite_file_reads_empty(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE unrelated (x)")
    with StateStore.open_readonly(f"sqlite:///{path}") as ro:
        assert ro.list_runs() == []
    with sqlite3.connect(path) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == [("unrelated",)]


def test_in_memory_store():
    with StateStore("sqlite://") as mem:
        mem.start_run(run_row())
        assert mem.get_run("r1") is not None


def test_lock_contention_names_the_holder(backend, store):
    expected = r"another demo-gen run \(r1, started "
    with StateStore(backend.url) as other, store.lock(PACK, ORG, "r1"):
        with pytest.raises(StateError, match=expected) as info, other.lock(PACK, ORG, "r2"):
            pytest.fail("acquired a held lock")
        assert f"pack {PACK} on {ORG}" in str(info.value)
        assert "taken over automatically" in (info.value.hint or "")
        with other.lock("another-pack", ORG, "r2"):  # other packs are independent
            pass
    with store.lock(PACK, ORG, "r3"):
        pass


def test_lock_is_released_after_an_exception(store):
    with pytest.raises(KeyError), store.lock(PACK, ORG, "r1"):
        raise KeyError("boom")
    with store.lock(PACK, ORG, "r2"):
        pass


def _set_lock_row(backend: Backend, **values: object) -> None:
    for column, value in values.items():
        backend.execute(f"UPDATE locks SET {column} = :value", value=value)


def test_an_old_lock_is_taken_over(backend, store):
    with StateStore(backend.url) as other, store.lock(PACK, ORG, "r1"):
        _set_lock_row(backend, heartbeat_at="2020-01-01T00:00:00.000Z")
        with other.lock(PACK, ORG, "r2"):
            assert backend.execute("SELECT owner FROM locks") == [("r2",)]
        # r1's release must not remove a lock it no longer holds; r2 released its own
    assert backend.execute("SELECT count(*) FROM locks") == [(0,)]


def test_a_lock_of_a_dead_process_is_taken_over(backend, store):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # reaped: its pid names no process now
    with StateStore(backend.url) as other, store.lock(PACK, ORG, "r1"):
        _set_lock_row(backend, pid=gone.pid)
        with other.lock(PACK, ORG, "r2"):
            pass
    # a live holder is respected, even one in this very process
    with pytest.raises(StateError), store.lock(PACK, ORG, "r1"), store.lock(PACK, ORG, "r2"):
        pass


def _v1_store(backend: Backend) -> None:
    """A schema-1 store as demo-gen wrote it before schema 2: frozen DDL plus typical rows."""
    backend.script((Path(__file__).parent / "state_schema_v1.sql").read_text(encoding="utf-8"))
    keys = {"pack": PACK, "org": ORG}
    backend.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    backend.execute(
        "INSERT INTO runs VALUES ('r1', :pack, :org, 'run', 'completed', '2026-11-22T08:15:00Z', "
        "'2026-11-22T08:20:00Z', 'cfg1', '{\"totals\": {\"created\": 2}}')",
        **keys,
    )
    backend.execute(
        "INSERT INTO items VALUES (:org, 'sig-m', 'r1', :pack, '006A', 'meeting', 'Event', "
        "'created', '00UAAA', NULL, NULL, NULL, '2026-11-02T10:00:00.000+0000', "
        "'Discovery call', '2026-11-22T08:16:00Z')",
        **keys,
    )
    backend.execute(
        "INSERT INTO items VALUES (:org, 'sig-i', 'r1', :pack, '006A', 'invitee', "
        "'EventRelation', 'pending', NULL, NULL, NULL, 'sig-m', '2026-11-02T10:00:00.000+0000', "
        "'003B', '2026-11-22T08:16:00Z')",
        **keys,
    )
    backend.execute(
        "INSERT INTO locks VALUES (:pack, :org, 'r1', 'elsewhere', 1, '2026-11-22T08:15:00Z')",
        **keys,
    )
    backend.execute("INSERT INTO anchors VALUES (:pack, :org, '006A', '2026-11-02')", **keys)


def test_a_schema_1_store_is_migrated_with_its_data(backend):
    _v1_store(backend)
    with pytest.raises(StateError, match="older schema 1"):
        StateStore.open_readonly(backend.url)  # reading never migrates
    with StateStore(backend.url) as store:
        run = store.get_run("r1")
        assert run is not None and run.summary_json and run.reset_json is None
        assert store.items_by_signature(ORG, ["sig-m"]) == {}  # v3: keyed by the target
        rows = store.items_by_signature(SF_TARGET, ["sig-m", "sig-i"])
        assert rows["sig-m"].status == "created" and rows["sig-m"].remote_id == "00UAAA"
        assert rows["sig-m"].record_type == "Event" and rows["sig-m"].target == SF_TARGET
        assert rows["sig-m"].identity is None  # schema 1 kept no snapshot
        assert rows["sig-i"].parent_signature == "sig-m"
        assert store.anchors(PACK, ORG, ["006A"]) == {"006A": date(2026, 11, 2)}
        # the new columns work on migrated rows
        store.mark_created(SF_TARGET, {"sig-i": "0REBBB"}, {"sig-i": {"RelationId": "003B"}})
        assert (
            store.items_by_signature(SF_TARGET, ["sig-i"])["sig-i"].identity
            == '{"RelationId": "003B"}'
        )
        store.record_reset("r1", "reset", '{"deleted": {}}')
        assert store.get_run("r1").summary_json == run.summary_json
    assert backend.execute("SELECT value FROM meta") == [(str(SCHEMA_VERSION),)]
    [heartbeat] = backend.execute("SELECT heartbeat_at, acquired_at FROM locks")
    assert heartbeat[0] == heartbeat[1]  # an old lock's heartbeat is its acquisition


def test_a_migrated_store_has_the_keys_and_indexes_of_a_new_one(backend):
    """The v2 → v3 rebuild leaves the tables as a new store makes them: on PostgreSQL a renamed
    table keeps its constraints' names, so `items_v3_pkey` must become `items_pkey` again."""
    _v1_store(backend)
    StateStore(backend.url).close()
    engine = create_engine(backend.url, poolclass=NullPool)
    try:
        found = inspect(engine)
        for table in (state_schema.items, state_schema.locks):
            key = found.get_pk_constraint(table.name)
            assert key["constrained_columns"] == [c.name for c in table.primary_key]
            if backend.name == "postgresql":
                assert key["name"] == f"{table.name}_pkey"
            indexes = {i["name"]: i["column_names"] for i in found.get_indexes(table.name)}
            assert indexes == {i.name: [c.name for c in i.columns] for i in table.indexes}
        names = {fk["name"] for fk in found.get_foreign_keys("items")}
        if backend.name == "postgresql":
            assert names == {"items_run_id_fkey"}
    finally:
        engine.dispose()


def test_owned_records_and_foreign_rows(store):
    store.mark_pending([item("s1"), item("s2")])
    store.record_batch(
        ORG,
        {"s1": "00U1"},
        {"s2": ("E", "boom")},
        {"s1": {"Subject": "x"}},
        [
            item(
                "t1", kind="email_task", record_type="Task", remote_id="00T1", parent_signature="s1"
            )
        ],
    )
    rows = store.items_by_signature(ORG, ["s1", "s2", "t1"])
    assert rows["t1"].status == "created" and rows["t1"].remote_id == "00T1"
    assert (rows["s1"].status, rows["s2"].status) == ("created", "failed")
    assert store.owned_ids(ORG) == {"00U1": "s1", "00T1": "t1"}
    with pytest.raises(ValueError, match="already created as 00T1"):
        store.record_batch(ORG, {}, {}, {}, [item("t1", kind="email_task", remote_id="00T2")])
    store.mark_foreign(ORG, {"s1": "Subject changed"})
    assert store.items_by_signature(ORG, ["s1"])["s1"].status == "foreign"
    with pytest.raises(ValueError):
        store.mark_foreign(ORG, {"s2": "a failed row holds no record"})
    store.mark_pending([item("s1")])  # a foreign item may be planned again


def test_a_stale_heartbeat_marks_its_run_interrupted(backend, store):
    store.start_run(run_row("r2"))
    with store.lock(PACK, ORG, "r2"):
        assert store.live_lock_owners() == {"r2"}
        assert store.heartbeat(PACK, ORG, "r2")
        _set_lock_row(backend, heartbeat_at="2020-01-01T00:00:00.000Z", host="elsewhere")
        assert store.live_lock_owners() == set()
        with StateStore(backend.url) as other, other.lock(PACK, ORG, "r3"):
            assert other.get_run("r2").status == "interrupted"


def test_the_lock_holder_keeps_its_heartbeat_fresh(backend, store, monkeypatch):
    import time

    from demo_gen.ledger import locks as state_locks

    monkeypatch.setattr(state_locks, "HEARTBEAT_S", 0.05)
    with store.lock(PACK, ORG, "r1"):
        _set_lock_row(backend, heartbeat_at="2020-01-01T00:00:00.000Z", host="elsewhere")
        deadline = time.monotonic() + 10
        while store.live_lock_owners() != {"r1"}:  # the thread brings it back to life
            assert time.monotonic() < deadline, "the heartbeat was never refreshed"
            time.sleep(0.05)


def test_one_commit_records_a_batch_outcome_and_the_next_pending_from_what_is_known(store):
    """The write phase's ledger thread: `record_batch` with `pending` and `known` commits both
    in one transaction, reading only the rows `known` does not cover."""
    store.mark_pending([item("s1"), item("s2")])
    store.mark_created(ORG, {"s1": "00U1"})
    store.mark_deleted(ORG, ["s1"])  # s1 may be planned again; known says so
    known = {"s2": ("pending", None), "s1": ("deleted", "00U1"), "s3": None}
    store.record_batch(ORG, {"s2": "00U2"}, {}, {}, (), [item("s1"), item("s3")], known)
    rows = store.items_by_signature(ORG, ["s1", "s2", "s3"])
    assert {s: (r.status, r.remote_id) for s, r in rows.items()} == {
        "s1": ("pending", None),
        "s2": ("created", "00U2"),
        "s3": ("pending", None),
    }
    # what `known` says is trusted for the checks: a row it calls created is never pending again
    with pytest.raises(ValueError, match="already created"):
        store.mark_pending([item("s4")], {"s4": ("created", "00U4")})
    # a row it does not cover is read: s2 is created, whatever the caller forgot
    with pytest.raises(ValueError, match="already created"):
        store.record_batch(ORG, {}, {}, {}, (), [item("s2")], {})
    assert store.items_by_signature(ORG, ["s4"]) == {}
