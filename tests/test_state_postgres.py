"""What the ledger must do on PostgreSQL beyond the tests both backends share (test_state.py):
concurrent writers from separate connections, read-only opening, and one-line errors."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from state_backends import Backend
from test_state import ORG, PACK, item, run_row

from demo_gen.errors import ExitCode, StateError
from demo_gen.ledger.store import SCHEMA_VERSION, StateStore

pytestmark = pytest.mark.postgres

WRITERS = 6


@pytest.fixture
def pg(pg_url: str) -> Backend:
    return Backend("postgresql", pg_url)


def _all_at_once(work: Callable[[int], Any], n: int = WRITERS) -> list[BaseException]:
    """Run `work(i)` in `n` threads released together; the exceptions they raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        barrier.wait()
        try:
            work(i)
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_first_opens_from_many_connections_create_the_schema_once(pg):
    """A team's first runs on an empty database: each process opens the store at once."""

    def open_store(_: int) -> None:
        StateStore(pg.url).close()  # each store is its own engine: separate connections

    assert _all_at_once(open_store) == []
    assert pg.execute("SELECT key, value FROM meta") == [("schema_version", str(SCHEMA_VERSION))]


def test_concurrent_writers_read_then_write_as_one(pg):
    """Read-then-write transactions (pin content, set anchors) from separate connections: none
    fails on a key another inserted meanwhile, and the first value stays."""
    StateStore(pg.url).close()
    keys = [f"006{n:03d}/meeting/1" for n in range(150)]

    def pin(i: int) -> None:
        with StateStore(pg.url) as store:
            for round_ in range(3):
                store.put_contents({k: f"writer {i} round {round_}" for k in keys})
                store.set_anchors(PACK, ORG, {f"006{n:03d}": _day(i) for n in range(50)})

    assert _all_at_once(pin) == []
    with StateStore(pg.url) as store:
        values = store.get_contents(keys)
        assert len(values) == len(keys)
        assert len({v.split(" round")[0] for v in values.values()}) == 1  # one writer's batch
        assert len(set(store.anchors(PACK, ORG, [f"006{n:03d}" for n in range(50)]).values())) == 1


def _day(i: int) -> Any:
    from datetime import date

    return date(2026, 11, 1 + i)


def test_one_lock_holder_among_many_connections(pg):
    """Many processes asking for one pack's lock at once: exactly one gets it."""
    StateStore(pg.url).close()
    holders: list[int] = []
    refused: list[int] = []
    all_refused = threading.Event()  # the holder keeps the lock until every other was refused

    def take(i: int) -> None:
        try:
            with StateStore(pg.url) as store, store.lock(PACK, ORG, f"r{i}"):
                holders.append(i)
                all_refused.wait(30)
        except StateError:
            refused.append(i)
            if len(refused) == WRITERS - 1:
                all_refused.set()
            raise

    errors = _all_at_once(take)
    assert len(holders) == 1
    assert len(errors) == WRITERS - 1
    assert all(isinstance(e, StateError) and "holds the lock" in str(e) for e in errors)


def test_pending_rows_from_separate_connections_all_land(pg):
    with StateStore(pg.url) as store:
        for i in range(WRITERS):
            store.start_run(run_row(f"r{i}"))

    def mark(i: int) -> None:
        with StateStore(pg.url) as store:
            rows = [item(f"s{i}-{n}", run_id=f"r{i}", opp=f"006{i}") for n in range(100)]
            store.mark_pending(rows)
            store.mark_created(ORG, {r.signature: f"00U{i}{n:03d}" for n, r in enumerate(rows)})

    assert _all_at_once(mark) == []
    assert pg.execute("SELECT status, count(*) FROM items GROUP BY status") == [("created", 600)]


def test_reading_an_empty_database_creates_nothing(pg):
    with StateStore.open_readonly(pg.url) as ro:
        assert ro.list_runs() == []
        assert ro.items_by_signature(ORG, ["s1"]) == {}
    tables = pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert tables == []


def test_a_read_only_session_refuses_writes_in_the_database(pg):
    StateStore(pg.url).close()
    with StateStore.open_readonly(pg.url) as ro, ro._read() as conn:
        read_only = conn.exec_driver_sql("SHOW default_transaction_read_only").scalar()
    assert read_only == "on"


def test_an_unknown_database_is_one_line_with_exit_4(pg_server):
    url = pg_server.url("no_such_database")
    with pytest.raises(StateError, match="is unreadable") as info:
        StateStore(url)
    assert "no_such_database" in str(info.value) and "\n" not in str(info.value)
    assert info.value.exit_code == ExitCode.STATE
    assert "PostgreSQL server is up" in (info.value.hint or "")


def test_a_password_stays_out_of_the_message(pg_server):
    url = pg_server.url("no_such_database").replace("postgres@", "postgres:s3cret@")
    with pytest.raises(StateError) as info:
        StateStore(url)
    assert "s3cret" not in str(info.value) and "***" in str(info.value)


def test_without_the_driver_the_hint_names_the_extra(monkeypatch, pg_server):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    with pytest.raises(StateError, match="psycopg") as info:
        StateStore(pg_server.url())
    assert "demo-gen[postgres]" in (info.value.hint or "")


def test_a_teammate_whose_clock_runs_ahead_does_not_take_a_live_lock(pg, monkeypatch):
    """Lock times are the database server's: machine B, 10 minutes ahead, still sees A's
    fresh heartbeat as fresh (on the machines' own clocks it would look 10 minutes old)."""
    from datetime import timedelta

    from demo_gen.ledger import locks as state_locks

    with StateStore(pg.url) as a, StateStore(pg.url) as b, a.lock(PACK, ORG, "rA"):
        pg.execute("UPDATE locks SET host = 'machine-a'")
        ahead = state_locks.client_now() + timedelta(minutes=10)
        monkeypatch.setattr(state_locks, "client_now", lambda: ahead)
        assert b.live_lock_owners() == {"rA"}
        with pytest.raises(StateError, match="holds the lock"), b.lock(PACK, ORG, "rB"):
            pytest.fail("took over a live lock")
        assert a.heartbeat(PACK, ORG, "rA")
