"""Fault injection, API limits, parallel clients and robustness of the local org."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from local_org_fixtures import API, connect, contacts, count, raw
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceRefusedRequest,
)

from demo_gen.local_org import Faults, LocalOrgServer, Store
from demo_gen.local_org.faults import FAULT_BODIES


@pytest.fixture
def server():
    with LocalOrgServer(Store()) as srv:
        yield srv


def test_fail_next_statuses_in_order(server):
    sf = connect(server)
    server.app.faults.fail_next = [503, 500, 403]
    with pytest.raises(SalesforceGeneralError) as first:
        sf.query("SELECT Id FROM Account")
    assert first.value.status == 503
    assert first.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"
    with pytest.raises(SalesforceGeneralError) as second:
        sf.query("SELECT Id FROM Account")
    assert second.value.content[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    with pytest.raises(SalesforceRefusedRequest) as third:
        sf.query("SELECT Id FROM Account")
    assert third.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert sf.query("SELECT Id FROM Account")["done"] is True
    assert server.app.faults.injected == {"503": 1, "500": 1, "403": 1}


def test_faults_do_not_touch_login(server):
    server.app.faults.fail_next = [503]
    sf = connect(server)  # the login is not a REST request
    assert server.app.faults.fail_next == [503]
    with pytest.raises(SalesforceGeneralError):
        sf.query("SELECT Id FROM Account")


def _statuses(server, faults, n):
    server.app.faults = faults
    http = raw(server)
    http.headers["Authorization"] = f"Bearer {server.app.new_session()}"
    return [http.get(f"{server.url}{API}/limits").status_code for _ in range(n)]


def test_error_rate_is_seeded(server):
    first = _statuses(server, Faults(error_rate=0.3, error_status=503, seed=7), 40)
    again = _statuses(server, Faults(error_rate=0.3, error_status=503, seed=7), 40)
    other = _statuses(server, Faults(error_rate=0.3, error_status=503, seed=8), 40)
    assert first == again and first != other
    assert set(first) == {200, 503}
    assert 4 <= first.count(503) <= 20


def test_error_status_must_be_known():
    with pytest.raises(ValueError):
        Faults(error_status=418)
    assert set(FAULT_BODIES) == {500, 503, 403}


def test_latency_is_applied(server):
    sf = connect(server)
    server.app.faults.latency_ms = 30
    started = datetime.now(UTC)
    sf.query("SELECT Id FROM Account")
    sf.limits()
    assert datetime.now(UTC) - started >= timedelta(milliseconds=60)
    assert server.app.faults.injected["latency"] == 2


def test_session_ttl_forces_relogin(server):
    server.app.faults.session_ttl = 2
    sf = connect(server)
    first = sf.session_id
    for _ in range(5):
        assert sf.query("SELECT Id FROM Account")["done"] is True
    assert sf.session_id != first
    assert server.app.request_counts["POST login"] >= 3


def test_session_ttl_in_direct_mode_expires(server):
    server.app.faults.session_ttl = 1
    sf = connect(server)
    direct = connect(server, instance_url="https://x.my.salesforce.com", session_id=sf.session_id)
    direct.query("SELECT Id FROM Account")
    with pytest.raises(SalesforceExpiredSession):
        direct.query("SELECT Id FROM Account")


def test_daily_limit_gives_403(server):
    server.app.faults.daily_limit = 3
    sf = connect(server)
    sf.query("SELECT Id FROM Account")
    sf.query("SELECT Id FROM Account")
    limits = sf.limits()
    assert limits["DailyApiRequests"] == {"Max": 3, "Remaining": 0}
    with pytest.raises(SalesforceRefusedRequest) as info:
        sf.query("SELECT Id FROM Account")
    assert info.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    server.app.reset_stats()
    assert sf.query("SELECT Id FROM Account")["done"] is True
    assert sf.api_usage["api-usage"].used == 1


def test_daily_usage_resets_with_the_clock():
    now = [datetime(2026, 5, 1, 23, 0, tzinfo=UTC)]
    with LocalOrgServer(Store(), daily_limit=2, clock=lambda: now[0]) as srv:
        sf = connect(srv)
        sf.limits()
        sf.limits()
        with pytest.raises(SalesforceRefusedRequest):
            sf.limits()
        now[0] += timedelta(hours=2)
        assert sf.limits()["DailyApiRequests"]["Remaining"] == 1
        srv.app.faults.daily_limit = 100
        created = sf.Account.create({"Name": "Clocked"})
        assert sf.Account.get(created["id"])["CreatedDate"] == "2026-05-02T01:00:00.000+0000"


def test_row_error_rate(server):
    sf = connect(server)
    server.app.faults.row_error_rate = 0.5
    server.app.faults.seed = 3
    results = sf.restful("composite/sobjects", method="POST", json={"records": contacts(40, "Row")})
    failures = [r for r in results if not r["success"]]
    assert 5 <= len(failures) <= 35
    assert failures[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert failures[0]["errors"][0]["message"].startswith("unable to obtain exclusive access")
    (job,) = sf.bulk2.Contact.insert(records=[{"LastName": f"Blk{i}"} for i in range(40)], wait=0)
    assert 5 <= job["numberRecordsFailed"] <= 35
    server.app.faults.row_error_rate = 0
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'Row%'") == 40 - len(failures)


def test_parallel_collection_inserts(server):
    sf = connect(server)
    errors: list[BaseException] = []

    def work(n):
        try:
            client = connect(
                server, instance_url="https://x.my.salesforce.com", session_id=sf.session_id
            )
            for _ in range(25):
                client.restful(
                    "composite/sobjects", method="POST", json={"records": contacts(4, f"T{n}-")}
                )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count(sf, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'T%'") == 8 * 25 * 4
    ids = sf.query_all("SELECT Id FROM Contact")["records"]
    assert len({r["Id"] for r in ids}) == len(ids)
    assert server.app.request_counts["POST composite/sobjects"] == 200


def test_unexpected_exception_is_500_and_store_untouched(server, monkeypatch):
    sf = connect(server)
    from demo_gen.local_org.rules import engine as rules

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(rules, "insert", boom)
    with pytest.raises(SalesforceGeneralError) as info:
        sf.Account.create({"Name": "Bug"})
    assert info.value.status == 500
    assert info.value.content[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    monkeypatch.undo()
    assert count(sf, "SELECT COUNT() FROM Account WHERE Name = 'Bug'") == 0
    assert sf.Account.create({"Name": "Fine"})["success"] is True


def test_bad_requests_never_crash(server):
    sf = connect(server)
    http = raw(server, sf)
    probes = [
        ("GET", "/sobjects/Account/%00%01"),
        ("GET", "/sobjects/Account/001/xx/yy/zz"),
        ("PATCH", "/sobjects/Account/001RM0000000001AAA"),
        ("POST", "/composite/tree/Nope"),
        ("GET", "/query/?q=SELECT+Id+FROM+Account+WHERE+Name+%3D+%27a%5C%27"),
        ("GET", "/query/?q="),
        ("DELETE", "/composite/sobjects?ids=&allOrNone=maybe"),
        ("GET", "/composite/sobjects/Account?ids=bad&fields=Name"),
        ("GET", "/sobjects/Account/deleted/?start=yesterday&end=now"),
    ]
    for method, path in probes:
        r = http.request(method, f"{server.url}{API}{path}", data=b"{")
        assert r.status_code < 500, (method, path, r.status_code, r.text)
        assert isinstance(r.json(), (list, dict))
    assert http.get(f"{server.url}{API}/limits").status_code == 200


def _row_failures(faults, order):
    """Row failure decisions for the streams named in *order*, grouped by stream."""
    out: dict[str, list[bool]] = {}
    for stream in order:
        out.setdefault(stream, []).append(faults.row_failure(stream))
    return out


def test_row_errors_do_not_depend_on_the_interleaving_of_streams():
    """Concurrent writes of other kinds leave each kind's row errors as they were: a seeded chaos
    run meets the same faults whatever the thread timing (a replay reproduces a failure)."""
    alone = _row_failures(Faults(row_error_rate=0.3, seed=5), ["create:Event"] * 30)
    mixed = ["create:Event", "create:Task", "create:Task", "delete:Event"] * 30
    interleaved = _row_failures(Faults(row_error_rate=0.3, seed=5), mixed)
    assert interleaved["create:Event"] == alone["create:Event"]
    assert True in alone["create:Event"] and False in alone["create:Event"]
    other = _row_failures(Faults(row_error_rate=0.3, seed=6), ["create:Event"] * 30)
    assert other["create:Event"] != alone["create:Event"]
    assert interleaved["create:Task"][:30] != interleaved["delete:Event"]  # streams differ


def test_row_errors_of_a_collection_follow_its_sobject(server):
    """The same Contacts fail whether or not Accounts are written between them."""
    sf = connect(server)

    def failed_names(with_accounts: bool) -> list[str]:
        server.app.faults = Faults(row_error_rate=0.3, seed=11)
        names: list[str] = []
        for batch in range(3):
            if with_accounts:
                accounts = [{"attributes": {"type": "Account"}, "Name": f"A{i}"} for i in range(7)]
                sf.restful("composite/sobjects", method="POST", json={"records": accounts})
            records = contacts(10, f"S{batch}-")
            body = {"records": records}
            results = sf.restful("composite/sobjects", method="POST", json=body)
            pairs = zip(records, results, strict=True)
            names += [r["LastName"] for r, o in pairs if not o["success"]]
        return names

    plain = failed_names(False)
    assert plain and plain == failed_names(True)
