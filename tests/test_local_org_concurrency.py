"""Concurrent writers and readers through the real HTTP server lose and duplicate nothing.

Reads no longer wait for the write lock (issue 13 item 7); these tests hold the write rules to
their promises under concurrency: a collection is seen whole or not at all, a signature (unique
external id) is taken once however many clients race for it, an upsert race creates one record,
and everything acknowledged is in SQLite after a restart.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from local_org_fixtures import API, connect, raw

from demo_gen.local_org import LocalOrgServer, Store

CLIENTS = 4
CALLS = 3


@pytest.fixture(autouse=True)
def eager_thread_switches() -> Iterator[None]:
    """Switch threads every few microseconds (not every 5 ms): a race shows up in a few calls."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


def _post(session: requests.Session, url: str, records: list[dict[str, Any]]) -> list[Any]:
    body = {"allOrNone": True, "records": records}
    answer = session.post(f"{url}{API}/composite/sobjects", json=body, timeout=120)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _tasks(what: str, tag: str, n: int = 200) -> list[dict[str, Any]]:
    return [
        {
            "attributes": {"type": "Task"},
            "WhatId": what,
            "Subject": f"{tag}-{i}",
            "DemoGen_Signature__c": f"{tag}-{i}",
        }
        for i in range(n)
    ]


def _run_threads(target: Any, count: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(k: int) -> None:
        try:
            target(k)
        except BaseException as exc:  # handed to the test thread, which fails with it
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(k,)) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return errors


def test_concurrent_collections_are_all_kept_and_seen_whole(tmp_path: Path) -> None:
    db = tmp_path / "org.sqlite"
    with LocalOrgServer(Store(db)) as server:
        sf = connect(server)
        accounts = [sf.Account.create({"Name": f"A{k}"})["id"] for k in range(CLIENTS)]
        created: list[list[str]] = [[] for _ in range(CLIENTS)]
        done = threading.Event()
        seen: list[tuple[int, int]] = []

        def writer(k: int) -> None:
            session = raw(server, sf)
            for c in range(CALLS):
                results = _post(session, server.url, _tasks(accounts[k], f"w{k}c{c}"))
                assert all(r["success"] for r in results), results[:2]
                created[k].extend(r["id"] for r in results)

        def reader() -> None:
            session = raw(server, sf)
            while not done.is_set():
                for k, account in enumerate(accounts):
                    q = f"SELECT COUNT() FROM Task WHERE WhatId = '{account}'"
                    answer = session.get(f"{server.url}{API}/query", params={"q": q}, timeout=60)
                    seen.append((k, answer.json()["totalSize"]))

        watcher = threading.Thread(target=reader)
        watcher.start()
        errors = _run_threads(writer, CLIENTS)
        done.set()
        watcher.join(timeout=60)
        assert not errors, errors[0]
        all_ids = [i for ids in created for i in ids]
        assert len(all_ids) == len(set(all_ids)) == CLIENTS * CALLS * 200
        assert seen, "the reader ran no query"
        assert all(n % 200 == 0 for _, n in seen), "a reader saw half a collection"
        for k, account in enumerate(accounts):
            counts = [n for j, n in seen if j == k]
            assert counts == sorted(counts), "a reader saw a commit and then lost it"
            rows = sf.query_all(f"SELECT Id FROM Task WHERE WhatId = '{account}'")["records"]
            assert sorted(r["Id"] for r in rows) == sorted(created[k])
    reopened = Store(db)  # everything acknowledged is durable, the indexes rebuilt from SQLite
    assert {r["Id"] for r in reopened.rows("Task")} == set(all_ids)
    for k, account in enumerate(accounts):
        found = reopened.lookup("Task", [("WhatId", {account})])
        assert found is not None
        assert sorted(r["Id"] for r in found) == sorted(created[k])
    reopened.close()


def test_racing_clients_take_a_signature_once(tmp_path: Path) -> None:
    """Every client posts the same 50 signatures: each is created once, the rest refused."""
    with LocalOrgServer(Store(tmp_path / "org.sqlite")) as server:
        sf = connect(server)
        account = sf.Account.create({"Name": "A"})["id"]
        outcomes: list[list[Any]] = [[] for _ in range(CLIENTS)]

        def writer(k: int) -> None:
            session = raw(server, sf)
            body = {"allOrNone": False, "records": _tasks(account, "same", 50)}
            answer = session.post(f"{server.url}{API}/composite/sobjects", json=body, timeout=120)
            outcomes[k] = answer.json()

        assert not _run_threads(writer, CLIENTS)
        for i in range(50):
            results = [outcomes[k][i] for k in range(CLIENTS)]
            assert sum(r["success"] for r in results) == 1, results
            refused = [r for r in results if not r["success"]]
            assert {e["statusCode"] for r in refused for e in r["errors"]} == {"DUPLICATE_VALUE"}
        assert sf.query("SELECT COUNT() FROM Task")["totalSize"] == 50


def test_racing_upserts_create_one_record(tmp_path: Path) -> None:
    """Upserts by signature from several clients at once: one creates, the others update it."""
    with LocalOrgServer(Store(tmp_path / "org.sqlite")) as server:
        sf = connect(server)
        answers: list[list[bool]] = [[] for _ in range(CLIENTS)]

        def writer(k: int) -> None:
            session = raw(server, sf)
            for n in range(10):
                url = f"{server.url}{API}/sobjects/Task/DemoGen_Signature__c/race-{n}"
                answer = session.patch(url, json={"Subject": f"by {k}"}, timeout=60)
                assert answer.status_code in (200, 201), answer.text
                answers[k].append(answer.json()["created"])

        assert not _run_threads(writer, CLIENTS)
        for n in range(10):
            assert sum(answers[k][n] for k in range(CLIENTS)) == 1
        rows = sf.query_all("SELECT DemoGen_Signature__c FROM Task")["records"]
        assert sorted(r["DemoGen_Signature__c"] for r in rows) == [f"race-{n}" for n in range(10)]
