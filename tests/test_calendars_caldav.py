"""Calendars over CalDAV: the real `caldav` client against Radicale and against Xandikos, each a
subprocess on loopback; the same tests on both, so we rely on the protocol, not on one server.
The kill -9 tests run on Radicale by default and on Xandikos too under `pytest -m long`: the
crash protocol around a copy is the same code on both, and the Radicale runs go red when it
breaks (checked with a `find` that never finds a copy it sent: the resumed run and the killed
reset both fail on Radicale).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests
from caldav_servers import DavServer, dav_server
from conftest import ANCHOR
from safety_helpers import invoke

from demo_gen.commands.dry_run import dry_run as dry_run_of
from demo_gen.commands.org_launch import open_crm
from demo_gen.commands.reset import reset
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config
from demo_gen.errors import TransientError, UsageError
from demo_gen.targets.calendars.caldav_target import CalDavCalendars, CalDavSettings, uid_of
from demo_gen.targets.calendars.ical import CalendarEvent

pytestmark = pytest.mark.slow
ICS = {"Content-Type": "text/calendar; charset=utf-8"}


@pytest.fixture(params=["radicale", "xandikos"])
def server(request, tmp_path_factory) -> DavServer:
    root = tmp_path_factory.mktemp(request.param)
    with dav_server(request.param, root) as srv:
        yield srv


@pytest.fixture
def opened():
    made = []

    def factory(settings: CalDavSettings) -> CalDavCalendars:
        made.append(CalDavCalendars(settings))
        return made[-1]

    yield factory
    for target in made:
        target.close()


def _event(owner: str, uid: str, summary: str = "Discovery call") -> CalendarEvent:
    from datetime import UTC, datetime

    start = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261102T000000Z\r\nDTSTART:20261103T150000Z\r\n"
        f"DTEND:20261103T160000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    return CalendarEvent("sig-" + uid, "m-" + uid, uid, owner, "006x", start, summary, ics)


def _listing(base: str, url: str) -> list[tuple[str, str]]:
    """(href, UID) of every resource in a calendar, by PROPFIND and GET (no demo-gen code)."""
    body = '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'
    r = requests.request(
        "PROPFIND",
        url,
        data=body,
        headers={"Depth": "1", "Content-Type": "application/xml"},
        timeout=10,
    )
    assert r.status_code == 207, r.text
    from xml.etree import ElementTree

    hrefs = [h.text for h in ElementTree.fromstring(r.content).iter("{DAV:}href") if h.text]
    out = []
    for href in hrefs:
        if href.endswith(".ics"):
            full = href if href.startswith("http") else base + href
            out.append((full, uid_of(requests.get(full, timeout=10).text)))
    return sorted(out)


def test_create_is_idempotent_and_never_duplicates(server, opened):
    url = server.make_calendar("ann@seller.example")
    target = opened(CalDavSettings(url=server.base))
    event = _event("ann@seller.example", "demo-gen-aaa")
    first, made = target.create(event)
    assert made and first.etag and first.uid == "demo-gen-aaa"
    again, made_again = target.create(event)
    assert not made_again and again == first
    # the same UID stored under another name (another client's copy): adopted, not duplicated
    requests.put(
        url + "other-name.ics", data=_event("x", "demo-gen-bbb").ics, headers=ICS, timeout=10
    )
    moved = _event("ann@seller.example", "demo-gen-bbb")
    found, made_moved = target.create(moved)
    assert not made_moved and found.href.endswith("other-name.ics") and found.uid == moved.uid
    assert [uid for _, uid in _listing(server.base, url)] == ["demo-gen-aaa", "demo-gen-bbb"]


def test_delete_verifies_uid_and_etag(server, opened):
    url = server.make_calendar("ann@seller.example")
    target = opened(CalDavSettings(url=server.base))
    kept, _ = target.create(_event("ann@seller.example", "demo-gen-kept"))
    gone, _ = target.create(_event("ann@seller.example", "demo-gen-gone"))
    edited = _event("ann@seller.example", "demo-gen-kept", summary="Moved by the seller").ics
    r = requests.put(kept.href, data=edited, headers={**ICS, "If-Match": kept.etag}, timeout=10)
    assert r.status_code in (200, 201, 204)
    assert target.delete(kept) == "changed"
    assert target.remove(kept) == "changed"  # If-Match: an edit between verify and delete
    assert target.delete(gone) == "deleted"
    assert target.delete(gone) == "gone"
    assert [uid for _, uid in _listing(server.base, url)] == ["demo-gen-kept"]


def test_an_unreachable_server_is_a_transient_error(opened):
    target = opened(CalDavSettings(url="http://127.0.0.1:9", timeout=2))
    with pytest.raises(TransientError):
        target.create(_event("ann@seller.example", "demo-gen-x"))


# -- the whole run ------------------------------------------------------------------------------


def _config(make_config, server: DavServer) -> Path:
    return make_config(
        calendar={"enabled": True, "kind": "caldav", "url": server.base},
        peopleai={"ingestion_mode": "calendar"},
        salesforce={"query": {"limit": 3}},
    )


def _owners(config_path: Path) -> list[str]:
    config = load_config(config_path, env={})
    with open_crm(config, Secrets()) as crm:
        rows = crm.query("SELECT Email FROM User WHERE IsActive = true")
    return sorted({r["Email"].lower() for r in rows if r.get("Email")})


def _calendars(server: DavServer, owners: list[str]) -> dict[str, list[tuple[str, str]]]:
    with CalDavCalendars(CalDavSettings(url=server.base)) as target:
        return {o: _listing(server.base, target.calendar_url(o)) for o in owners}


def _run(config_path: Path) -> dict:
    report = run(load_config(config_path, env={}), Secrets(), RunOptions(today=ANCHOR))
    return report.asdict()


def test_run_writes_each_meeting_to_each_internal_calendar_and_rerun_writes_none(
    server, make_config
):
    config = _config(make_config, server)
    owners = _owners(config)
    for owner in owners:
        server.make_calendar(owner)
    from click.testing import CliRunner

    from demo_gen.cli import cli

    key = f"caldav:{server.base}"

    def dry_run() -> dict[str, int]:  # at the tests' anchor date, as `_run`
        preview = dry_run_of(load_config(config, env={}), Secrets(), today=ANCHOR)
        return preview.asdict()["targets"][key]["calendar_event"]

    planned = dry_run()
    assert not any(_calendars(server, owners).values())  # dry-run writes no calendar
    first = _run(config)
    written = first["counts"]["calendar_event"]
    assert written["created"] > 0 and written["failed"] == 0, written
    assert planned == {"new": written["created"], "existing": 0}  # `+` per target
    assert dry_run() == {"new": 0, "existing": written["created"]}  # `=` per target
    shown = CliRunner().invoke(cli, ["status", first["run_id"], "-c", str(config), "--json"])
    per_target = json.loads(shown.stdout)["targets"]
    assert per_target[key] == {"calendar_event": {"created": written["created"]}}
    events = per_target[next(k for k in per_target if k.startswith("salesforce:"))]["meeting"]
    assert events["created"] == first["counts"]["meeting"]["created"]
    after = _calendars(server, owners)
    assert sum(len(v) for v in after.values()) == written["created"]
    for listing in after.values():  # one resource per UID per calendar, at <uid>.ics
        assert all(href.endswith(f"/{uid}.ics") for href, uid in listing)
        assert len({uid for _, uid in listing}) == len(listing)
    # every meeting the org got is in its organizer's calendar, under the same UID
    meetings = first["counts"]["meeting"]["created"]
    assert len({uid for v in after.values() for _, uid in v}) == meetings
    second = _run(config)
    assert second["counts"]["calendar_event"]["created"] == 0
    assert second["counts"]["calendar_event"]["skipped"] == written["created"]
    assert _calendars(server, owners) == after


KILL_SERVERS = pytest.mark.parametrize(
    "server", ["radicale", pytest.param("xandikos", marks=pytest.mark.long)], indirect=True
)
"""The kill -9 tests' servers (module docstring)."""


@KILL_SERVERS
@pytest.mark.parametrize("point", ["pending:calendar_event", "sent:calendar_event#4"])
def test_kill_mid_write_then_rerun_leaves_no_duplicate_and_no_gap(
    server, make_config, tmp_path, point
):
    config = _config(make_config, server)
    owners = _owners(config)
    for owner in owners:
        server.make_calendar(owner)
    env = {**os.environ, "DEMO_GEN_CRASH_AT": point}
    argv = [sys.executable, "-m", "demo_gen", "run", "-c", str(config), "--json"]
    killed = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, timeout=600)
    assert killed.returncode == 137, killed.stderr.decode()[-2000:]
    code, out, err = invoke("run", "-c", str(config), "--json")  # the resume, in this process
    assert code == 0, err[-2000:]
    listing = _calendars(server, owners)
    per_calendar = [Counter(uid for _, uid in v) for v in listing.values()]
    assert all(max(c.values(), default=1) == 1 for c in per_calendar)  # no duplicate UID
    report = json.loads(out)
    copies = report["counts"]["calendar_event"]
    meetings = report["counts"]["meeting"]
    held = {(o, uid) for o, v in listing.items() for _, uid in v}
    assert len(held) == copies["created"] + copies["skipped"]  # none missing
    assert len({uid for _, uid in held}) == meetings["created"] + meetings["skipped"]
    assert held == _ledger_copies(tmp_path / "state.sqlite")


def _ledger_copies(db: Path) -> set[tuple[str, str]]:
    """(calendar owner, UID) of every copy the ledger records as created."""
    from demo_gen.ledger.store import StateStore

    store = StateStore(f"sqlite:///{db}")
    try:
        rows = [r for run in store.list_runs() for r in store.run_items(run.run_id, {"created"})]
    finally:
        store.close()
    snaps = [json.loads(r.identity or "{}") for r in rows if r.kind == "calendar_event"]
    return {(s["owner"], s["uid"]) for s in snaps}


def test_reset_deletes_exactly_its_events_and_keeps_an_edited_one(server, make_config):
    config = _config(make_config, server)
    owners = _owners(config)
    for owner in owners:
        server.make_calendar(owner)
    before = _calendars(server, owners)
    foreign = _event(owners[0], "someone-elses-meeting")
    with CalDavCalendars(CalDavSettings(url=server.base)) as target:
        target.create(foreign)
    first = _run(config)
    listing = _calendars(server, owners)
    owner, ((href, uid), *_) = next((o, v) for o, v in listing.items() if v and o != owners[0])
    text = requests.get(href, timeout=10).text.replace("SUMMARY:", "SUMMARY:Moved - ")
    assert requests.put(href, data=text.encode(), headers=ICS, timeout=10).status_code in (
        200,
        201,
        204,
    )
    result = reset(load_config(config, env={}), Secrets(), first["run_id"])
    assert result.skipped.get("VEVENT") == 1
    assert result.deleted.get("VEVENT") == first["counts"]["calendar_event"]["created"] - 1
    left = _calendars(server, owners)
    assert left[owner] == [(href, uid)]
    assert [u for _, u in left[owners[0]]] == ["someone-elses-meeting"]
    assert sum(len(v) for v in left.values()) == 2 + sum(len(v) for v in before.values())
    lines = (Path(first["run_dir"]) / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert any(
        e["event"] == "reset.skipped" and e.get("remote_id") == f"{owner}/{uid}" for e in events
    )


def test_doctor_checks_each_calendar_with_a_probe_write_and_says_how_to_fix(server, make_config):
    from click.testing import CliRunner

    from demo_gen.cli import cli

    config = _config(make_config, server)
    owners = _owners(config)
    for owner in owners[1:]:
        server.make_calendar(owner)
    result = CliRunner().invoke(cli, ["doctor", "-c", str(config)])
    text = result.stdout + result.stderr
    assert "calendar login" in text
    assert f"calendar of {owners[0]}" in text and "no calendar at" in text
    assert "fix: create it on the server" in " ".join(text.split())
    assert result.exit_code != 0
    assert all(not v for v in _calendars(server, owners[1:]).values())  # the probes are gone


def test_update_goes_out_with_if_match_and_a_users_edit_is_never_overwritten(server, opened):
    server.make_calendar("ann@seller.example")
    target = opened(CalDavSettings(url=server.base))
    made, _ = target.create(_event("ann@seller.example", "demo-gen-upd"))
    moved = target.update(made, _event("ann@seller.example", "demo-gen-upd", "Moved").ics)
    assert moved is not None and moved.etag != made.etag
    assert "SUMMARY:Moved" in requests.get(made.href, timeout=10).text
    # the old ETag no longer matches: nothing is written over the newer copy
    assert target.update(made, _event("ann@seller.example", "demo-gen-upd", "Stale").ics) is None
    assert "SUMMARY:Moved" in requests.get(made.href, timeout=10).text


def test_credentials_come_from_the_environment_and_a_bad_login_says_how_to_fix(
    make_config, tmp_path_factory, monkeypatch
):
    from click.testing import CliRunner

    from demo_gen.cli import cli

    root = tmp_path_factory.mktemp("radicale-auth")
    with dav_server("radicale", root, auth=("demo", "s3cret-pw")) as srv:
        config = _config(make_config, srv)
        owners = _owners(config)
        for owner in owners:
            srv.make_calendar(owner)
        monkeypatch.setenv("CALDAV_USERNAME", "demo")
        monkeypatch.setenv("CALDAV_PASSWORD", "wrong")
        bad = CliRunner().invoke(cli, ["doctor", "-c", str(config)])
        text = " ".join((bad.stdout + bad.stderr).split())
        assert "calendar login" in text and "fix: check CALDAV_USERNAME" in text, text
        assert "wrong" not in text  # the secret is never shown
        refused = CliRunner().invoke(cli, ["run", "-c", str(config)])
        assert refused.exit_code == 5, refused.stderr
        monkeypatch.setenv("CALDAV_PASSWORD", "s3cret-pw")
        good = CliRunner().invoke(cli, ["run", "-c", str(config), "--json"])
        assert good.exit_code == 0, good.stderr
        assert json.loads(good.stdout)["counts"]["calendar_event"]["created"] > 0


@KILL_SERVERS
def test_kill_mid_write_then_kill_mid_reset_then_reset_leaves_calendars_as_before(
    server, make_config, tmp_path, org_counts
):
    config = _config(make_config, server)
    owners = _owners(config)
    for owner in owners:
        server.make_calendar(owner)
    before, org_before = _calendars(server, owners), org_counts()
    argv = [sys.executable, "-m", "demo_gen"]

    def cli(*args: str, crash: str | None = None) -> subprocess.CompletedProcess[bytes]:
        env = {**os.environ, **({"DEMO_GEN_CRASH_AT": crash} if crash else {})}
        return subprocess.run([*argv, *args], env=env, cwd=tmp_path, capture_output=True,
                              timeout=600)  # fmt: skip

    assert cli("run", "-c", str(config), crash="sent:calendar_event#3").returncode == 137
    assert sum(len(v) for v in _calendars(server, owners).values()) == 3
    from demo_gen.ledger.store import StateStore

    store = StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}")
    (run_row,) = store.list_runs()
    store.close()
    reset_argv = ("reset", run_row.run_id, "-c", str(config), "--yes")
    assert cli(*reset_argv, crash="reset:sent:calendar_event#2").returncode == 137
    code, _, err = invoke(*reset_argv, "--json")  # the next reset, in this process
    assert code == 0, err[-2000:]
    assert _calendars(server, owners) == before
    assert org_counts() == org_before


def test_reset_with_calendars_off_refuses_and_touches_nothing(server, make_config, org_counts):
    config = _config(make_config, server)
    owners = _owners(config)
    for owner in owners:
        server.make_calendar(owner)
    first = _run(config)
    written, org_written = _calendars(server, owners), org_counts()
    off = make_config("off.yaml", salesforce={"query": {"limit": 3}})
    with pytest.raises(UsageError) as refused:
        reset(load_config(off, env={}), Secrets(), first["run_id"])
    assert f"caldav:{server.base}" in str(refused.value)
    assert org_counts() == org_written  # nothing deleted anywhere
    assert _calendars(server, owners) == written


def test_missing_calendars_fail_their_copies_and_a_rerun_fills_them_in(server, make_config):
    config = _config(make_config, server)
    owners = _owners(config)
    first = _run(config)  # no calendar exists yet: the org's records are written, copies fail
    copies = first["counts"]["calendar_event"]
    assert first["status"] == "partial" and copies["failed"] > 0 and copies["created"] == 0
    assert first["counts"]["meeting"]["failed"] == 0
    errors = (Path(first["run_dir"]) / "errors.jsonl").read_text()
    assert "no calendar for " in errors
    for owner in owners:
        server.make_calendar(owner)
    second = _run(config)
    assert second["status"] == "completed"
    assert second["counts"]["calendar_event"]["created"] == copies["failed"]
    held = _calendars(server, owners)
    assert sum(len(v) for v in held.values()) == copies["failed"]
