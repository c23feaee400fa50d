"""The store's indexes answer exactly what a scan answers (issue 13 item 7).

Hypothesis builds random orgs (records inserted, then updated and deleted in later commits, so
the indexes are maintained incrementally) and random WHERE clauses over indexed and unindexed
fields — nulls, IN lists with and without null, 15- and 18-character ids and ids with their
checksum in the wrong case, ids of other objects, ANDs, ORs and NOTs — and runs each query with
the indexes on and off (`Store.indexed_queries`), through the store and through a transaction's
overlay (what a composite request's queries see).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo_gen.local_org.app.http import OverlaySource
from demo_gen.local_org.fixture.common import Writer
from demo_gen.local_org.rules.base import Children
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.soql import engine as soql
from demo_gen.local_org.store.core import Store

TODAY = date(2026, 11, 2)
SIGNATURES = ["sig-a", "SIG-A", "Sig-B", "sig-c", "straße", "STRASSE", None]


def _org(data: st.DataObject) -> Store:
    """A store with a few parents and random Tasks/EmailMessages, then random updates."""
    store = Store()
    with Writer(store) as out:
        accounts = [out.add("Account", {"Name": f"A{i}"}) for i in range(3)]
        opps = [
            out.add("Opportunity", {"Name": f"O{i}", "AccountId": accounts[i % 3]})
            for i in range(3)
        ]
        contacts = [out.add("Contact", {"LastName": f"C{i}"}) for i in range(2)]
    whats = [*accounts, *opps, None]
    whos = [*contacts, None]
    n = data.draw(st.integers(0, 25), label="tasks")
    with Writer(store) as out:
        for i in range(n):
            task = out.add("Task", _task(data, whats, whos, i))
            if data.draw(st.booleans()):
                out.add("EmailMessage", {"ActivityId": task, "Subject": f"e{i}"})
    for _ in range(data.draw(st.integers(0, 3), label="update rounds")):
        _update_round(store, data, whats, whos)
    return store


def _task(data: st.DataObject, whats: list[Any], whos: list[Any], i: int) -> dict[str, Any]:
    return {
        "WhatId": data.draw(st.sampled_from(whats)),
        "WhoId": data.draw(st.sampled_from(whos)),
        "Subject": f"t{i}",
        "Status": data.draw(st.sampled_from(["Completed", "Not Started"])),
        "DemoGen_Signature__c": data.draw(st.sampled_from(SIGNATURES)),
        "IsDeleted": data.draw(st.booleans()) and i % 3 == 0,
    }


def _update_round(store: Store, data: st.DataObject, whats: list[Any], whos: list[Any]) -> None:
    tasks = store.rows("Task", include_deleted=True)
    if not tasks:
        return
    task_obj = schema.OBJECTS["task"]
    with store.transaction() as txn:
        for record in data.draw(st.lists(st.sampled_from(tasks), max_size=5, unique_by=id)):
            changed = dict(record)
            field = data.draw(st.sampled_from(["WhatId", "WhoId", "DemoGen_Signature__c", "del"]))
            if field == "del":
                changed["IsDeleted"] = not changed["IsDeleted"]
            else:
                pool = {"WhatId": whats, "WhoId": whos, "DemoGen_Signature__c": SIGNATURES}
                changed[field] = data.draw(st.sampled_from(pool[field]))
            txn.put(task_obj, changed)


def _id_literal(data: st.DataObject, record_id: str) -> str:
    """An id as a query may write it: 18 characters, 15, or with the checksum's case flipped."""
    form = data.draw(st.sampled_from(["18", "15", "flipped"]))
    if form == "15":
        return record_id[:15]
    if form == "flipped":
        return record_id[:15] + record_id[15:].swapcase()
    return record_id


def _literal(data: st.DataObject, field: str, store: Store) -> str:
    if field == "DemoGen_Signature__c":
        value = data.draw(st.sampled_from([s for s in SIGNATURES if s] + ["nope", "SIG-B"]))
        return f"'{value}'"
    if field == "Status":
        return f"'{data.draw(st.sampled_from(['Completed', 'not started']))}'"
    pools = {
        "Id": store.rows("Task", True) + store.rows("Account"),
        "WhatId": store.rows("Account") + store.rows("Opportunity") + store.rows("Task", True),
        "WhoId": store.rows("Contact"),
    }
    pool = [r["Id"] for r in pools[field]]
    return f"'{_id_literal(data, data.draw(st.sampled_from(pool)))}'" if pool else "null"


def _atom(data: st.DataObject, store: Store) -> str:
    field = data.draw(st.sampled_from(["Id", "WhatId", "WhoId", "DemoGen_Signature__c", "Status"]))
    shape = data.draw(st.sampled_from(["=", "!=", "in", "not in", "null", "!null", "in+null"]))
    if shape in ("null", "!null"):
        return f"{field} {'=' if shape == 'null' else '!='} null"
    if shape in ("=", "!="):
        return f"{field} {shape} {_literal(data, field, store)}"
    items = [_literal(data, field, store) for _ in range(data.draw(st.integers(1, 4)))]
    if shape == "in+null":
        items.append("null")
    return f"{field} {'NOT IN' if shape == 'not in' else 'IN'} ({', '.join(items)})"


def _where(data: st.DataObject, store: Store, depth: int = 0) -> str:
    kind = data.draw(st.sampled_from(["atom", "atom", "and", "or", "not", "type"]))
    if kind == "type":
        return f"What.Type = '{data.draw(st.sampled_from(['Account', 'Opportunity']))}'"
    if kind == "atom" or depth >= 2:
        return _atom(data, store)
    if kind == "not":
        return f"NOT ({_where(data, store, depth + 1)})"
    parts = [_where(data, store, depth + 1) for _ in range(data.draw(st.integers(2, 3)))]
    return "(" + f" {kind.upper()} ".join(parts) + ")"


def _run(source: Any, store: Store, text: str, indexed: bool, all_rows: bool) -> Any:
    store.indexed_queries = indexed
    try:
        out = soql.run(text, source, version="59.0", today=TODAY, include_deleted=all_rows)
    except soql.SoqlError as exc:
        return ("error", exc.error_code, exc.message)
    return (out.total_size, out.records)


def _tail(data: st.DataObject) -> str:
    order = data.draw(st.sampled_from(["", " ORDER BY Subject DESC", " ORDER BY WhatId"]))
    limit = data.draw(st.sampled_from(["", " LIMIT 3", " LIMIT 5 OFFSET 2"]))
    return order + limit


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_indexed_queries_return_exactly_what_a_scan_returns(data: st.DataObject) -> None:
    store = _org(data)
    for _ in range(4):
        where = _where(data, store)
        obj = data.draw(st.sampled_from(["Task", "Task", "EmailMessage"]))
        if obj == "EmailMessage":
            tasks = [r["Id"] for r in store.rows("Task", True)] or ["00T000000000001AAA"]
            ids = ", ".join(f"'{_id_literal(data, t)}'" for t in tasks[:4])
            where = f"ActivityId IN ({ids}) OR (ActivityId = null AND Subject != 'x')"
            text = f"SELECT Id, Subject, ActivityId FROM EmailMessage WHERE {where}"
        else:
            text = f"SELECT Id, Subject, WhatId, What.Name FROM Task WHERE {where}" + _tail(data)
        all_rows = data.draw(st.booleans(), label="queryAll")
        scanned = _run(store, store, text, False, all_rows)
        assert _run(store, store, text, True, all_rows) == scanned, text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_transaction_overlay_probes_like_it_scans(data: st.DataObject) -> None:
    """Staged changes (a composite request's earlier sub-requests) count as a scan sees them."""
    store = _org(data)
    whats = [r["Id"] for r in store.rows("Account") + store.rows("Opportunity")] + [None]
    whos = [r["Id"] for r in store.rows("Contact")] + [None]
    task_obj = schema.OBJECTS["task"]
    with store.transaction() as txn:
        for record in data.draw(st.lists(st.sampled_from(store.rows("Task", True) or [None]))):
            if record is not None:
                txn.put(task_obj, dict(record) | _task(data, whats, whos, 99))
        for i in range(data.draw(st.integers(0, 3))):
            txn.put(task_obj, _task(data, whats, whos, i) | {"Id": txn.new_id(task_obj)})
        overlay = OverlaySource(store, txn)
        for _ in range(3):
            text = f"SELECT Id, WhatId FROM Task WHERE {_where(data, store)}" + _tail(data)
            all_rows = data.draw(st.booleans())
            scanned = _run(overlay, store, text, False, all_rows)
            assert _run(overlay, store, text, True, all_rows) == scanned, text
        txn.changes.clear()  # write nothing


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_children_found_by_index_are_the_children_a_scan_finds(data: st.DataObject) -> None:
    """What the write rules see (cascades, relations) through the index, staged rows included."""
    store = _org(data)
    task_obj = schema.OBJECTS["task"]
    whats = [r["Id"] for r in store.rows("Account") + store.rows("Opportunity")]
    with store.transaction() as txn:
        for record in data.draw(st.lists(st.sampled_from(store.rows("Task", True) or [None]))):
            if record is not None:
                txn.put(task_obj, dict(record) | {"WhatId": data.draw(st.sampled_from(whats))})
        children = Children(txn)
        for parent in whats:
            found = {r["Id"] for r in children.of("Task", "WhatId", parent)}
            current = {rid: txn.get(rid) for rid in (r["Id"] for r in store.rows("Task", True))}
            current |= {rid: rec for rid, (_, rec) in txn.changes.items()}
            expected = {
                rid
                for rid, r in current.items()
                if r is not None and not r["IsDeleted"] and r["WhatId"] == parent
            }
            assert found == expected
        txn.changes.clear()


def test_the_switch_really_turns_the_index_off() -> None:
    """The comparison above means something only if the two modes take different paths."""
    store = Store()
    with Writer(store) as out:
        account = out.add("Account", {"Name": "A"})
        out.add("Task", {"WhatId": account, "Subject": "t"})
    assert store.lookup("Task", [("WhatId", {account})]) == store.rows("Task")
    store.indexed_queries = False
    assert store.lookup("Task", [("WhatId", {account})]) is None
    assert store.lookup("Task", [("Subject", {"t"})]) is None  # Subject is not indexed


def test_an_overlay_keeps_a_staged_update_in_its_scan_position() -> None:
    """A committed record that a staged change makes match comes where a scan puts it."""
    store = Store()
    with Writer(store) as out:
        a, b = out.add("Account", {"Name": "A"}), out.add("Account", {"Name": "B"})
        first = out.add("Task", {"WhatId": a, "Subject": "first"})
        out.add("Task", {"WhatId": b, "Subject": "second"})
    text = f"SELECT Subject FROM Task WHERE WhatId = '{b}'"
    with store.transaction() as txn:
        txn.put(schema.OBJECTS["task"], dict(store.get(first) or {}) | {"WhatId": b})
        overlay = OverlaySource(store, txn)
        for indexed in (False, True):
            _, records = _run(overlay, store, text, indexed, False)
            assert [r["Subject"] for r in records] == ["first", "second"]
        txn.changes.clear()
