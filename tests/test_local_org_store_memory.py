"""The local org's store keeps records compact (issue 13: the org's peak RSS ≤ 600 MB).

Committed records are read-only tuple-backed mappings whose repeated values are one object, and
the Bulk 2.0 jobs keep their result rows compressed, on disk. These tests pin what that must not
change (every value reads as staged, before and after a restart; writes copy, never mutate) and
what it must keep doing (ids shared, a seeded record's size, results paged across blocks).
"""

from __future__ import annotations

import csv
import io
import sys
from array import array
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from local_org_fixtures import API, connect, raw

from demo_gen.local_org import LocalOrgServer, Store
from demo_gen.local_org.app import spool
from demo_gen.local_org.app.spool import RowSpool
from demo_gen.local_org.fixture.build import build_org
from demo_gen.local_org.fixture.common import FixtureSpec
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.store.index import LookupIndex

ANCHOR = date(2026, 11, 2)


def _everything(store: Store) -> dict[str, dict[str, Any]]:
    return {
        r["Id"]: dict(r)
        for obj in schema.OBJECTS.values()
        for r in store.rows(obj.name, include_deleted=True)
    }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("org") / "org.sqlite"
    store = Store(path)
    build_org(store, FixtureSpec(anchor=ANCHOR, opportunities=30))
    store.close()
    return path


def test_every_value_reads_the_same_after_a_restart(seeded: Path, tmp_path: Path) -> None:
    """The load path (SQLite text → values) and the commit path give equal records."""
    copy = tmp_path / "org.sqlite"
    copy.write_bytes(seeded.read_bytes())
    store = Store(copy)
    with store.transaction() as txn:  # a commit through the write path, read in memory
        opp = store.rows("Opportunity")[0]
        txn.put(schema.OBJECTS["opportunity"], {**opp, "Description": "é" * 300, "Amount": 1.5})
    before = _everything(store)
    store.close()
    after = _everything(Store(copy))
    assert after == before
    assert after[opp["Id"]]["Description"] == "é" * 300 and after[opp["Id"]]["Amount"] == 1.5
    kinds = {type(v) for r in after.values() for v in r.values()}
    assert kinds <= {str, bool, int, float, date, type(None), type(opp["CreatedDate"])}


def test_stored_records_are_read_only_and_writes_copy_them(seeded: Path) -> None:
    store = Store(seeded)
    contact = store.rows("Contact")[0]
    with pytest.raises(TypeError):
        contact["LastName"] = "Changed"  # type: ignore[index]
    changed = contact | {"LastName": "Changed"}
    assert isinstance(changed, dict) and changed["LastName"] == "Changed"
    assert contact["LastName"] != "Changed"
    assert contact.get("NoSuchField", "x") == "x" and "NoSuchField" not in contact
    assert dict(contact) == {f.name: contact[f.name] for f in schema.OBJECTS["contact"].fields}
    assert contact == dict(contact) and dict(contact) == contact


def test_references_share_the_id_string_of_the_record_they_point_at(seeded: Path) -> None:
    """One string per id: a Contact's AccountId *is* its Account's Id, after a load too."""
    for store in (Store(seeded), _copied_through_writes(seeded)):
        contact = store.rows("Contact")[0]
        account = store.get(contact["AccountId"])
        assert account is not None
        assert contact["AccountId"] is account["Id"]
        owner = store.get(contact["OwnerId"])
        assert owner is not None and contact["OwnerId"] is owner["Id"]
        stamps = (contact["CreatedDate"], contact["LastModifiedDate"], contact["SystemModstamp"])
        assert all(s is stamps[0] for s in stamps if s == stamps[0])


def _copied_through_writes(seeded: Path) -> Store:
    """A new store whose Accounts and Contacts were committed through transactions."""
    source, store = Store(seeded), Store()
    with store.transaction() as txn:
        for name in ("User", "Account", "Contact"):
            for record in source.rows(name):
                txn.put(schema.OBJECTS[name.lower()], dict(record))
    return store


def test_a_seeded_record_stays_small(seeded: Path) -> None:
    """Bytes a record holds on its own (its tuple, object and unshared values) on average.

    A dict per record, with a string per id value and a datetime per stamp, held ~1.3 KB
    (measured on the 20,000-opportunity org: 1.0–1.9 KB per record, ~490 MB in all).
    """
    store = Store(seeded)
    seen: set[int] = set()
    total = count = 0
    for obj in schema.OBJECTS.values():
        for record in store.rows(obj.name, include_deleted=True):
            count += 1
            total += sys.getsizeof(record) + sum(
                _once(v, seen) for v in [*record.values(), tuple(record.values())]
            )
    assert count > 200
    assert total / count < 600, f"{total / count:.0f} bytes a record"


def _once(value: Any, seen: set[int]) -> int:
    if value is None or isinstance(value, bool) or id(value) in seen:
        return 0
    seen.add(id(value))
    return sys.getsizeof(value)


# --- job results -------------------------------------------------------------------------------


def test_a_spool_returns_every_row_of_any_range() -> None:
    rows = [[f"r{i}", 'é,\n"q"', ""] for i in range(2 * spool.BLOCK + 17)]
    held = RowSpool(rows)
    assert len(held) == len(rows) and list(held) == rows
    for start, stop in [(0, 1), (spool.BLOCK - 3, spool.BLOCK + 3), (5, 10**9), (len(rows), 99)]:
        assert held.slice(start, stop) == rows[start:stop]
    assert held.blocks() == 2 and len(held._tail) == 17  # full blocks: compressed, on disk
    assert isinstance(held._blocks, array) and len(held._blocks) == 4  # an offset, a length each
    assert all(isinstance(v, int) for v in held._blocks)


def test_spools_written_in_turns_read_back_their_own_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every spool's blocks share the process's one results file, each at its own offset."""
    monkeypatch.setattr(spool, "BLOCK", 3)
    spools = [RowSpool() for _ in range(3)]
    expected: list[list[list[str]]] = [[], [], []]
    for i in range(40):  # in turns: the file holds their blocks interleaved
        row = [f"s{i % 3}", "x" * (i * 7 % 50), f"{i}"]
        spools[i % 3].append(row)
        expected[i % 3].append(row)
    for held, rows in zip(spools, expected, strict=True):
        assert held.blocks() == len(rows) // 3
        assert list(held) == rows
        assert held.slice(2, 8) == rows[2:8]


def test_a_spools_full_blocks_are_not_held_in_memory() -> None:
    """2 MB of results that do not compress: the spool's Python objects grow by its last,
    unfinished block and the offsets, not by the blocks written (tracemalloc)."""
    import random
    import tracemalloc

    rng = random.Random(7)
    rows = [[f"{rng.getrandbits(1024):0256x}"] * 2 for _ in range(4 * spool.BLOCK + 1)]
    tracing = tracemalloc.is_tracing()  # started by someone else: left running
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        held = RowSpool(rows)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        if not tracing:
            tracemalloc.stop()
    assert held.blocks() == 4 and held.slice(3999, 4001) == rows[3999:4001]
    assert grown < 200_000  # the blocks are 2 MB compressed: on disk


def test_job_results_read_the_same_across_compressed_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spool, "BLOCK", 7)
    with LocalOrgServer(Store()) as server:
        sf = connect(server)
        contacts = [{"LastName": f"Sp{i:02d}", "Title": f"T,{i}\n"} for i in range(23)]
        (result,) = sf.bulk2.Contact.insert(records=contacts, wait=0)
        http = raw(server, sf)
        job = result["job_id"]
        text = http.get(f"{server.url}{API}/jobs/ingest/{job}/successfulResults").text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["LastName"] for r in rows] == [c["LastName"] for c in contacts]
        assert [r["Title"] for r in rows] == [c["Title"] for c in contacts]
        soql = "SELECT LastName, Title FROM Contact WHERE LastName LIKE 'Sp%' ORDER BY LastName"
        pages = list(sf.bulk2.Contact.query(soql, max_records=5, wait=0))
        got = [r for page in pages for r in csv.DictReader(io.StringIO(page))]
        assert len(pages) == 5
        assert [(r["LastName"], r["Title"]) for r in got] == [
            (c["LastName"], c["Title"]) for c in contacts
        ]


def test_a_lookup_key_follows_its_records_from_one_to_many_and_back() -> None:
    """One holder is kept as its id, more as a list; moving records off a key removes them."""
    task = schema.OBJECTS["task"]
    index = LookupIndex()
    a, b, c = ({"Id": f"00T{i}", "WhatId": "006X"} for i in "abc")
    for record in (a, b, c):
        index.replace(task, record, None)
    assert index.ids("Task", "WhatId", ["006X"]) == {"00Ta", "00Tb", "00Tc"}
    for gone, left in ((b, {"00Ta", "00Tc"}), (a, {"00Tc"}), (c, set())):
        index.replace(task, {**gone, "WhatId": "006Y"}, gone)
        assert index.ids("Task", "WhatId", ["006X"]) == left
        assert index.size("Task", "WhatId", ["006X"]) == len(left)
    assert index.ids("Task", "WhatId", ["006Y"]) == {"00Ta", "00Tb", "00Tc"}
