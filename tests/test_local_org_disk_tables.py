"""The big activity tables answered from SQLite (`store.disk`, ADR 0011): same answers, memory
that does not grow with them, snapshots, and Bulk jobs that stage one chunk at a time.

The answers are compared with the same file loaded into memory (`Store(path, disk_tables=())`,
the way every table was answered before): Hypothesis builds random orgs (inserts, then updates
and deletes in later commits, signatures that differ in case and one that is not ASCII) and
random queries with ORDER BY, LIMIT/OFFSET, relationship fields and queryAll. Windows over the
audit stamps (`SystemModstamp >= …`, answered from an ordered index on disk, by a scan in memory)
are compared the same way, with literals in other zones, between milliseconds and as date
literals, mixed with other conditions by AND, OR and NOT.
"""

from __future__ import annotations

import codecs
import gc
import sqlite3
import tempfile
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo_gen.local_org import ids
from demo_gen.local_org.fixture.common import Writer
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.soql import engine as soql
from demo_gen.local_org.store.core import Store
from demo_gen.local_org.store.disk import DISK_TABLES, DiskTables
from demo_gen.local_org.store.index import Span

TODAY = date(2026, 11, 2)
SIGNATURES = ["sig-a", "SIG-A", "Sig-B", "straße", "STRASSE", "ſig-a", None]
TASK = schema.OBJECTS["task"]
LITERALS = [s for s in SIGNATURES if s] + ["SIG-a", "STRAßE"]
MS = timedelta(milliseconds=1)
NOON = datetime(2026, 11, 1, 12, tzinfo=UTC)
STAMPS = [None, NOON - MS, NOON, NOON + MS, datetime(2026, 11, 2, tzinfo=UTC),
          datetime(2026, 10, 30, 8, tzinfo=UTC), datetime(999, 1, 1, tzinfo=UTC)]  # fmt: skip
STAMP_LITERALS = [
    "2026-11-01T12:00:00Z", "2026-11-01T12:00:00.000+0000", "2026-11-01T14:00:00+02:00",
    "2026-11-01T06:59:59.999-05:00", "2026-11-01T12:00:00.0005Z", "2026-11-01T12:00:00.001Z",
    "2026-11-02T00:00:00Z", "0999-01-01T00:00:00Z", "2026-10-30T08:00:00", "TODAY",
    "YESTERDAY", "LAST_N_DAYS:2", "THIS_MONTH", "null",
]  # fmt: skip
EMAILS = (
    "SELECT Id, ActivityId, Activity.Subject, (SELECT RelationId FROM EmailMessageRelations) "
    "FROM EmailMessage WHERE ActivityId IN ({}) OR Subject = 'e1' ORDER BY Subject DESC LIMIT 5"
)


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _org(path: Path, data: st.DataObject) -> Store:
    store = Store(path)
    with Writer(store) as out:
        accounts = [out.add("Account", {"Name": f"A{i}"}) for i in range(2)]
        opps = [
            out.add("Opportunity", {"Name": f"O{i}", "AccountId": a})
            for i, a in enumerate(accounts)
        ]
        contact = out.add("Contact", {"LastName": "C"})
    whats = [*accounts, *opps, None]
    with Writer(store) as out:
        for i in range(data.draw(st.integers(0, 20), label="tasks")):
            task = out.add("Task", _task(data, whats, contact, i))
            if data.draw(st.booleans()):
                email = out.add("EmailMessage", {"ActivityId": task, "Subject": f"e{i}"})
                out.add("EmailMessageRelation", {"EmailMessageId": email, "RelationId": contact,
                                                 "RelationType": "ToAddress"})  # fmt: skip
    for _ in range(data.draw(st.integers(0, 2), label="update rounds")):
        tasks = store.rows("Task", include_deleted=True)
        with store.transaction() as txn:
            for record in (
                data.draw(st.lists(st.sampled_from(tasks), max_size=4, unique_by=id))
                if tasks
                else []
            ):
                changed = _task(data, whats, contact, 99) | {
                    "Id": record["Id"],
                    "Subject": record["Subject"],
                }
                txn.put(TASK, dict(record) | changed)
    return store


def _task(data: st.DataObject, whats: list[Any], contact: str, i: int) -> dict[str, Any]:
    return {
        "WhatId": data.draw(st.sampled_from(whats)),
        "WhoId": data.draw(st.sampled_from([contact, None])),
        "Subject": f"t{i}",
        "ActivityDate": data.draw(st.sampled_from([None, date(2026, 11, 3), date(2026, 10, 1)])),
        "DemoGen_Signature__c": data.draw(st.sampled_from(SIGNATURES)),
        "IsDeleted": data.draw(st.booleans()) and i % 3 == 0,
        "SystemModstamp": data.draw(st.sampled_from(STAMPS)),
        "CreatedDate": data.draw(st.sampled_from(STAMPS)),
    }


def _query(data: st.DataObject, store: Store) -> str:
    ids = [r["Id"] for r in store.rows("Task", True) + store.rows("Opportunity")]
    pick = (
        ", ".join(f"'{i}'" for i in data.draw(st.lists(st.sampled_from(ids), max_size=4)))
        if ids
        else ""
    )
    where = data.draw(st.sampled_from([
        f"WhatId IN ({pick or 'null'})",
        f"Id IN ({pick or 'null'})",
        f"DemoGen_Signature__c = '{data.draw(st.sampled_from(LITERALS))}'",
        "WhoId != null",
        "ActivityDate < 2026-11-01",
    ]))  # fmt: skip
    tail = data.draw(
        st.sampled_from(["", " ORDER BY ActivityDate DESC NULLS LAST", " ORDER BY Subject"])
    )
    tail += data.draw(st.sampled_from(["", " LIMIT 3", " LIMIT 4 OFFSET 1"]))
    return f"SELECT Id, Subject, What.Name, Who.Name, ActivityDate FROM Task WHERE {where}{tail}"


def _window(data: st.DataObject, store: Store) -> str:
    """A random query with a range of an audit stamp in its WHERE."""

    def one() -> str:
        field = data.draw(st.sampled_from(["SystemModstamp", "CreatedDate", "systemModStamp"]))
        op = data.draw(st.sampled_from(["=", ">=", ">", "<", "<=", "!="]))
        return f"{field} {op} {data.draw(st.sampled_from(STAMP_LITERALS))}"

    whats = [r["Id"] for r in store.rows("Opportunity")]
    what = f"WhatId IN ('{data.draw(st.sampled_from(whats))}')"
    where = data.draw(st.sampled_from([
        "{a}", "{a} AND {b}", "{a} AND {b} AND {c}", "{a} AND {w}", "{a} OR {b}", "{a} OR {w}",
        "({a} AND {b}) OR {w}", "{a} OR Subject = 't1'", "NOT {a}", "{a} AND Who.Name = 'C'",
        "{a} AND DemoGen_Signature__c = 'sig-a'", "{a} AND (Subject = 't1' OR {b})",
    ])).format(a=one(), b=one(), c=one(), w=what)  # fmt: skip
    tail = data.draw(
        st.sampled_from(["", " ORDER BY SystemModstamp", " ORDER BY CreatedDate DESC"])
    )
    tail += data.draw(st.sampled_from(["", " LIMIT 2", " LIMIT 3 OFFSET 1"]))
    return f"SELECT Id, Subject, SystemModstamp, CreatedDate FROM Task WHERE {where}{tail}"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_window_from_the_index_is_what_a_scan_answers(data: st.DataObject) -> None:
    """A range of SystemModstamp answered from the disk tables' ordered index (CreatedDate has
    none: a scan on both sides) gives what a scan of the records in memory gives: rows, order,
    paging and errors."""
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "org.sqlite"
        disk = _org(path, data)
        memory = Store(path, disk_tables=())
        for _ in range(6):
            text, all_rows = _window(data, disk), data.draw(st.booleans(), label="queryAll")
            assert _answer(disk, text, all_rows) == _answer(memory, text, all_rows), text
        disk.close()
        memory.close()


def _answer(store: Store, text: str, all_rows: bool) -> Any:
    try:
        out = soql.run(text, store, version="59.0", today=TODAY, include_deleted=all_rows)
    except soql.SoqlError as exc:
        return ("error", exc.error_code)
    return repr((out.total_size, out.records))  # repr: False and 0 differ on the wire


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_disk_tables_answer_what_the_records_in_memory_answer(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "org.sqlite"
        disk = _org(path, data)
        memory = Store(path, disk_tables=())  # the same file, every table loaded
        assert not memory._disk.names and disk._disk.holds("Task")
        for _ in range(4):
            text, all_rows = _query(data, disk), data.draw(st.booleans(), label="queryAll")
            assert _answer(disk, text, all_rows) == _answer(memory, text, all_rows), text
        tasks = [r["Id"] for r in memory.rows("Task", True)]
        text = EMAILS.format(", ".join(f"'{t}'" for t in tasks[:5]) or "null")
        assert _answer(disk, text, False) == _answer(memory, text, False)
        for name_ in DISK_TABLES:
            assert _typed(disk.rows(name_, True)) == _typed(memory.rows(name_, True))
            assert disk.count(name_) == memory.count(name_)
        for task in tasks:
            assert _typed([disk.get(task)]) == _typed([memory.get(task)])
        for what in {r["WhatId"] for r in memory.rows("Task", True)} - {None}:
            assert disk.ids_by_key("Task", "WhatId", what) == memory.ids_by_key(
                "Task", "WhatId", what
            )
        for signature in {*filter(None, SIGNATURES), "SIG-a", "STRAßE", "nope"}:
            key = signature.casefold()
            # the write rules keep a signature unique among live records; Writer does not
            live = [r for r in memory.rows("Task") if _lower(r) == signature.lower()]
            if len(live) <= 1:
                found = disk.find_unique("Task", "DemoGen_Signature__c", signature)
                assert found == (live[0]["Id"] if live else None), signature
            assert disk.ids_by_key("Task", "DemoGen_Signature__c", key) == memory.ids_by_key(
                "Task", "DemoGen_Signature__c", key
            ), signature
            probe = [("DemoGen_Signature__c", {key})]
            assert disk.estimate("Task", probe[0]) >= len(memory.lookup("Task", probe, True) or [])
        disk.close()
        memory.close()


def _typed(records: list[Any]) -> list[str]:
    """Records compared with their values' types (`0 == False`, `1.0 == 1` as Python sees it)."""
    return [repr(None if r is None else dict(r)) for r in records]


def _lower(record: Any) -> str:
    return str(record["DemoGen_Signature__c"] or "").lower()


def _tasks(store: Store, n: int, what: str) -> None:
    with Writer(store) as out:
        for i in range(n):
            out.add("Task", {"WhatId": what, "Subject": f"task {i}", "Description": "x" * 400,
                             "DemoGen_Signature__c": f"sig-{i}-{what}"})  # fmt: skip


@pytest.mark.parametrize("disk_tables", [None, ()], ids=["disk", "memory"])
def test_a_disk_table_holds_no_memory_per_record(folder: Path, disk_tables: Any) -> None:
    """What a committed Task costs the store in Python memory: nothing on disk, ~1 KB in memory
    (the second case shows the measure sees records when they are held)."""
    store = Store(folder / "org.sqlite", disk_tables=disk_tables)
    with Writer(store) as out:
        what = out.add("Account", {"Name": "A"})
    _tasks(store, 200, what)  # warm the caches and statements
    ids.checksum.cache_clear()  # bounded (2**16 ids), not held per record
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        _tasks(store, 3000, what)
        ids.checksum.cache_clear()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    per_record = held / 3000
    if disk_tables is None:
        assert per_record < 40, per_record
        assert not store._tables["Task"] and not store._lookup._ids.get(("Task", "WhatId"))
        assert len(store.lookup("Task", [("WhatId", {what})]) or []) == 3200
    else:
        assert per_record > 400, per_record


def test_a_scan_reads_one_snapshot(folder: Path) -> None:
    """A scan going on while a transaction commits sees the records of before it, all of them."""
    store = Store(folder / "org.sqlite")
    with Writer(store) as out:
        what = out.add("Account", {"Name": "A"})
    _tasks(store, 5000, what)
    scan = store.scan("Task")
    first = next(scan)
    _tasks(store, 10, what)
    with store.transaction() as txn:
        txn.put(TASK, dict(first) | {"Subject": "changed"})
    rest = list(scan)
    assert len(rest) == 4999 and all(r["Subject"] != "changed" for r in rest)
    assert store.count("Task") == 5010 and store.get(first["Id"])["Subject"] == "changed"  # type: ignore[index]


def test_a_failed_write_is_never_read(folder: Path) -> None:
    """Rows written to SQLite by a transaction that then fails are rolled back for readers too."""
    store = Store(folder / "org.sqlite")
    with Writer(store) as out:
        what = out.add("Account", {"Name": "A"})
    account = dict(store.get(what) or {})
    with pytest.raises(sqlite3.Error), store.transaction() as txn:  # noqa: PT012
        txn.put(TASK, {"Id": txn.new_id(TASK), "WhatId": what, "Subject": "lost"})
        txn.put(schema.OBJECTS["account"], account | {"Name": ["not", "bindable"]})
    assert store.count("Task", True) == 0 and store.lookup("Task", [("WhatId", {what})]) == []
    _tasks(store, 2, what)  # the sequence numbers and counters go on
    assert [r["Subject"] for r in store.rows("Task")] == ["task 0", "task 1"]


def test_a_bulk_job_stages_one_chunk_at_a_time(folder: Path, monkeypatch: Any) -> None:
    """An ingest job commits a transaction per 200 rows (its staged records are one chunk's, not
    the job's); a chunk that fails leaves the chunks before it done and the rest unprocessed."""
    from local_org_fixtures import connect
    from simple_salesforce.exceptions import SalesforceOperationError

    from demo_gen.local_org import LocalOrgServer
    from demo_gen.local_org.app import bulk

    commits: list[int] = []
    commit = Store._commit

    def counted(self: Store, txn: Any) -> None:
        commits.append(len(txn.changes))
        commit(self, txn)

    def failing(ctx: Any, txn: Any, row: Any, *rest: Any) -> Any:
        if row.get("Subject") == "S450":
            raise RuntimeError("a bug in the rules")
        return apply_one(ctx, txn, row, *rest)

    apply_one = bulk.apply_one
    monkeypatch.setattr(Store, "_commit", counted)
    store = Store(folder / "org.sqlite")
    with LocalOrgServer(store) as server:
        sf = connect(server)
        records = [{"Subject": f"S{i}", "Status": "Completed"} for i in range(500)]
        (done,) = sf.bulk2.Task.insert(records=records[:430], wait=0)
        assert done["numberRecordsProcessed"] == 430 and done["numberRecordsFailed"] == 0
        assert max(commits) <= 200 and sum(commits) >= 430
        monkeypatch.setattr(bulk, "apply_one", failing)
        with pytest.raises(SalesforceOperationError, match="a bug in the rules"):
            sf.bulk2.Task.insert(records=records, wait=0)
        jobs = sf.restful("jobs/ingest")["records"]
        failed = next(j for j in jobs if j["state"] == "Failed")
        assert failed["numberRecordsProcessed"] == 400
        unprocessed = sf.bulk2.Task.get_unprocessed_records(failed["id"])
        assert len(unprocessed.splitlines()) == 1 + 100  # the header, then rows 400-499
        assert store.count("Task") == 830


def test_an_upload_is_read_a_line_at_a_time_as_it_was_sent(folder: Path) -> None:
    """Uploads are kept as bytes and decoded line by line: a BOM, non-ASCII text and a quoted
    field over several lines (CRLF inside) come through; bytes that are not UTF-8 are refused."""
    from local_org_fixtures import API, connect, raw

    from demo_gen.local_org import LocalOrgServer

    store = Store(folder / "org.sqlite")
    with LocalOrgServer(store) as server:
        sf = connect(server)
        http = raw(server, sf)

        def job() -> str:
            body = {"object": "Task", "operation": "insert", "lineEnding": "LF"}
            answer = http.post(f"{server.url}{API}/jobs/ingest", json=body)
            return str(answer.json()["id"])

        headers = {"Content-Type": "text/csv"}
        bad = http.put(f"{server.url}{API}/jobs/ingest/{job()}/batches", data=b"Subject\n\xff\n",
                       headers=headers)  # fmt: skip
        assert bad.status_code == 400 and "not UTF-8" in bad.text
        csv_text = 'Subject,Description\n"Straße – one","line 1\r\nline 2\nline 3"\nplain,x\n'
        good = job()
        url = f"{server.url}{API}/jobs/ingest/{good}"
        data = codecs.BOM_UTF8 + csv_text.encode()
        assert http.put(f"{url}/batches", data=data, headers=headers).status_code == 201
        assert http.patch(url, json={"state": "UploadComplete"}).json()["state"] == "JobComplete"
    tasks = store.rows("Task")
    assert [(t["Subject"], t["Description"]) for t in tasks] == [
        ("Straße – one", "line 1\r\nline 2\nline 3"),
        ("plain", "x"),
    ]


@given(
    st.lists(
        st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-11)),
                                                timezone(timedelta(hours=13, minutes=45))])),
        min_size=2, max_size=2,
    )
)  # fmt: skip
def test_stored_datetimes_sort_as_the_instants_do(pair: list[datetime]) -> None:
    """The text a datetime is stored as is fixed width and orders as the instant (to the
    millisecond), which the range indexes of the disk tables rely on; it reads back the same."""
    a, b = sorted(pair)  # aware datetimes compare as instants
    if {a.year, b.year} & {1, 9999}:  # their UTC form may fall outside years 1-9999
        return
    text_a, text_b = schema.format_datetime(a), schema.format_datetime(b)
    assert len(text_a) == len(text_b) == 28
    assert text_a <= text_b
    assert schema.parse_datetime(text_a) == a.replace(microsecond=a.microsecond // 1000 * 1000)


def test_a_window_reads_the_index_not_the_table(folder: Path, monkeypatch: Any) -> None:
    """`SystemModstamp >= …` (the Bulk read-back's window) and a range with AND never scan the
    disk table; an OR with a branch no index bounds scans, as does a table held in memory."""
    store = Store(folder / "org.sqlite")
    with Writer(store) as out:
        what = out.add("Account", {"Name": "A"})
        for i in range(300):  # inserted newest first: the index order is not the scan order
            stamp = NOON + timedelta(seconds=300 - i)
            out.add("Task", {"WhatId": what, "Subject": f"t{i}", "SystemModstamp": stamp})
    scans: list[str] = []
    scan = DiskTables.scan
    monkeypatch.setattr(
        DiskTables,
        "scan",
        lambda self, obj, deleted: scans.append(obj.name) or scan(self, obj, deleted),
    )

    def subjects(where: str) -> list[str]:
        text = f"SELECT Subject FROM Task WHERE {where}"
        out = soql.run(text, store, version="59.0", today=TODAY)
        return [r["Subject"] for r in out.records]

    assert subjects("SystemModstamp >= 2026-11-01T12:04:00Z") == [f"t{i}" for i in range(61)]
    between = (
        "SystemModstamp > 2026-11-01T13:03:00+01:00 AND SystemModstamp <= 2026-11-01T12:03:10Z"
    )
    assert subjects(between) == [f"t{i}" for i in range(110, 120)]
    assert subjects(f"{between} AND Subject = 't111'") == ["t111"]
    assert scans == []
    span = Span(NOON + timedelta(seconds=250), None)
    assert store.estimate("Task", ("SystemModstamp", span)) == 51
    assert len(subjects("SystemModstamp >= 2026-11-01T12:04:00Z OR Subject = 't299'")) == 62
    assert scans == ["Task"]
    memory = Store(folder / "org.sqlite", disk_tables=())
    assert memory.lookup("Task", [("SystemModstamp", span)]) is None  # no ordered index


def test_a_window_inside_a_transaction_sees_its_staged_changes(folder: Path) -> None:
    """A composite request's query (`OverlaySource`) over a window: a staged update that moves a
    record out of it and a staged insert inside it count, as they do for a scan."""
    from demo_gen.local_org.app.http import OverlaySource

    store = Store(folder / "org.sqlite")
    with Writer(store) as out:
        what = out.add("Account", {"Name": "A"})
        tasks = [
            out.add(
                "Task",
                {
                    "WhatId": what,
                    "Subject": f"t{i}",
                    "SystemModstamp": NOON + timedelta(seconds=10 - i),
                },
            )  # fmt: skip
            for i in range(10)
        ]
    text = "SELECT Subject FROM Task WHERE SystemModstamp >= 2026-11-01T12:00:05Z"
    answers = []
    with store.transaction() as txn:
        txn.put(TASK, dict(store.get(tasks[0]) or {}) | {"SystemModstamp": NOON})
        new = {f.name: None for f in TASK.fields} | {"Id": txn.new_id(TASK), "Subject": "new"}
        txn.put(TASK, new | {"SystemModstamp": NOON + timedelta(seconds=99)})
        for indexed in (True, False):
            store.indexed_queries = indexed
            out = soql.run(text, OverlaySource(store, txn), version="59.0", today=TODAY)
            answers.append([r["Subject"] for r in out.records])
    assert answers[0] == answers[1] == ["t1", "t2", "t3", "t4", "t5", "new"]
