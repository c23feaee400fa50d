"""refresh and live in the calendars (issue 14 item 4): the sellers' calendars follow the org.

Each test runs on Radicale and on Xandikos (real servers on loopback, the real `caldav` client),
and on .ics files. A first run on day 0, then a refresh a day: each seller's calendar shows
what the org shows that day — every meeting, with the notes in place of the agenda once it has
passed and the invitees' final answers. Resetting every run, newest first, gives the calendars
back exactly (byte for byte); a kill -9 between pending and sent of a calendar update loses and
doubles nothing; a copy the seller edited after its outcome was written is kept on reset.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from calendar_views import CalendarPack, calendar_pack, org_meetings, restrict, run_ids, update_rows
from conftest import ANCHOR

pytestmark = pytest.mark.slow
DAYS = (1, 2, 4, 8, 16)
RERUN_DAYS = (4, 16)
"""The days refreshed twice: a rerun after a refresh that wrote copies and updates must write
nothing (once on two such days proves it as well as once every day did, for less time)."""
LONG = pytest.mark.long
KINDS = ["radicale", pytest.param("xandikos", marks=LONG), pytest.param("ics", marks=LONG)]
"""Radicale by default; the same tests on Xandikos and on files under `pytest -m long`."""


@pytest.fixture(params=KINDS)
def cals(request, seeded_org_file: Path, tmp_path: Path) -> CalendarPack:
    with calendar_pack(tmp_path, seeded_org_file, request.param) as made:
        yield made


@pytest.fixture(params=KINDS)
def eight_deals(request, seeded_org_file: Path, tmp_path: Path) -> CalendarPack:
    """Eight deals: enough for new meetings to come into the window within 16 days."""
    with calendar_pack(tmp_path, seeded_org_file, request.param, limit=8) as made:
        yield made


def _day(n: int) -> str:
    return (ANCHOR + timedelta(days=n)).isoformat()


def _same_as_org(cals: CalendarPack) -> None:
    org = org_meetings(cals.pack, cals.owners)
    shown = restrict(cals.meetings(), org)
    for owner in cals.owners:
        assert shown[owner] == org[owner], owner


def test_daily_refreshes_keep_each_sellers_calendar_equal_to_the_org(
    eight_deals: CalendarPack,
) -> None:
    cals = eight_deals
    first = cals.pack.ok("run", "--today", ANCHOR.isoformat())
    day0 = cals.raw()
    _same_as_org(cals)
    assert first["counts"]["calendar_event"]["created"] > 0
    agendas = sum("Agenda" in m[2] for ms in cals.meetings().values() for m in ms)
    updated = created = rewritten = 0
    for n in DAYS:
        report = cals.pack.ok("refresh", "--today", _day(n))
        _same_as_org(cals)
        made = report["counts"]["calendar_event"]["created"]
        revised = report["counts"].get("update:calendar", {}).get("updated", 0)
        created, updated = created + made, updated + revised
        rewritten += n in RERUN_DAYS and made + revised > 0
        if n in RERUN_DAYS:  # the same day again: nothing to write
            again = cals.pack.ok("refresh", "--today", _day(n))
            assert again["counts"]["calendar_event"]["created"] == 0
            assert again["counts"].get("update:calendar", {}).get("updated", 0) == 0
    assert rewritten, "no rerun followed a refresh that wrote to the calendars"
    assert created > 0 and updated > 0, (created, updated)  # new meetings, and outcomes
    assert sum("Agenda" in m[2] for ms in cals.meetings().values() for m in ms) < agendas
    for row in (r for r in update_rows(cals.pack) if r.record_type == "VEVENT"):
        assert row.status == "done" and row.after["SEQUENCE"] == row.before["SEQUENCE"] + 1
        assert row.after["LAST-MODIFIED"] and not row.before["LAST-MODIFIED"]
    runs = run_ids(cals.pack)  # newest first
    for run_id in runs[:-1]:  # every refresh: the calendars are back to day 0's, byte for byte
        reset = cals.pack.ok("reset", run_id, "--yes")
        assert reset["ok"], reset
    assert cals.raw() == day0
    assert cals.pack.ok("reset", runs[-1], "--yes")["ok"]
    assert not any(cals.raw().values())


def _refresh_cli(cals: CalendarPack, day: str, crash: str) -> subprocess.CompletedProcess:
    """A refresh in its own process, which the crash point ends as kill -9."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "DEMO_GEN_CRASH_AT": crash}
    argv = [sys.executable, "-m", "demo_gen", "refresh", "-c", str(cals.pack.config),
            "--today", day, "--json"]  # fmt: skip
    return subprocess.run(argv, env=env, cwd=cals.pack.root, capture_output=True, timeout=600)


@pytest.mark.parametrize(
    "point",
    [
        pytest.param("update:pending:VEVENT", marks=LONG),
        "update:copy:calendar_event#2",  # mid-batch: one copy written, the next one not
        pytest.param("update:sent:VEVENT", marks=LONG),
    ],
)
def test_kill_9_during_a_calendar_update_then_resume_loses_and_doubles_nothing(
    cals: CalendarPack, point: str
) -> None:
    if cals.kind == "ics" and point.startswith("update:copy"):
        pytest.skip("an .ics file is rewritten whole: one write per file, no point inside")
    cals.pack.ok("run", "--today", ANCHOR.isoformat())
    day0 = cals.raw()
    killed = _refresh_cli(cals, _day(4), point)
    assert killed.returncode == 137, killed.stderr.decode()[-2000:]
    cals.pack.ok("refresh", "--today", _day(4))  # the resume, in this process
    _same_as_org(cals)
    rows = [r for r in update_rows(cals.pack) if r.record_type == "VEVENT"]
    assert rows and all(r.status in ("done", "same") for r in rows)
    assert len({r.key for r in rows}) == len(rows)
    events = cals.vevents()
    for row in rows:  # each copy revised once: SEQUENCE one up from the agenda's, not two
        assert int(events[row.record_id]["SEQUENCE"]) == row.after["SEQUENCE"]
    for run_id in run_ids(cals.pack)[:-1]:
        assert cals.pack.ok("reset", run_id, "--yes")["ok"]
    assert cals.raw() == day0


def test_reset_keeps_a_copy_the_seller_edited_after_its_outcome(cals: CalendarPack) -> None:
    cals.pack.ok("run", "--today", ANCHOR.isoformat())
    day0 = cals.raw()
    refresh = cals.pack.ok("refresh", "--today", _day(4))
    rows = [r for r in update_rows(cals.pack) if r.record_type == "VEVENT" and r.status == "done"]
    assert len(rows) >= 2
    edited = rows[0].record_id
    _edit_description(cals, edited, "Seller's own notes")
    reset = cals.pack.ok("reset", refresh["run_id"], "--yes")
    assert reset["updates"]["kept"] == 1, reset["updates"]
    statuses = {r.record_id: r.status for r in update_rows(cals.pack) if r.record_type == "VEVENT"}
    assert statuses.pop(edited) == "kept" and set(statuses.values()) == {"restored"}
    after = cals.vevents()
    assert str(after[edited]["DESCRIPTION"]) == "Seller's own notes"
    now = cals.raw()
    changed = [o for o in cals.owners if now[o] != day0[o]]
    assert len(changed) == 1 and changed[0] in edited  # every other calendar is back exactly


def _edit_description(cals: CalendarPack, record_id: str, text: str) -> None:
    """The seller edits a copy by hand, in their calendar client."""
    import requests
    from icalendar import Calendar

    if cals.server is None:
        name, uid = record_id.split("#", 1)
        path = cals.ics_dir / name
        cal = Calendar.from_ical(path.read_bytes())
        for event in cal.walk("VEVENT"):
            if str(event["UID"]) == uid:
                event["DESCRIPTION"] = text
        path.write_bytes(cal.to_ical())
        return
    owner, uid = record_id.split("/", 1)
    href = f"{cals.server.base}/{owner}/calendar/{uid}.ics"
    cal = Calendar.from_ical(requests.get(href, timeout=10).content)
    cal.walk("VEVENT")[0]["DESCRIPTION"] = text
    put = requests.put(href, data=cal.to_ical(), timeout=10,
                       headers={"Content-Type": "text/calendar; charset=utf-8"})  # fmt: skip
    assert put.status_code in (200, 201, 204), put.text


@pytest.mark.parametrize("kind", [pytest.param("radicale", marks=LONG), "ics"])
def test_live_passes_write_to_the_calendars_too(
    kind: str, seeded_org_file: Path, tmp_path: Path
) -> None:
    """`live` over four simulated days at x600: new meetings and outcomes reach the calendars
    pass by pass, which end equal to the org; reset of the live run gives day 0's back."""
    from test_live import SPEED, START, TICK_S, FakeWall, Frames

    from demo_gen.commands.live_loop import LiveOptions, live
    from demo_gen.config.model import Secrets, load_config

    with calendar_pack(tmp_path, seeded_org_file, kind) as cals:
        cals.pack.ok("run", "--today", ANCHOR.isoformat())
        day0 = cals.raw()
        wall = FakeWall()
        options = LiveOptions(speed=SPEED, start=START, until=START + timedelta(days=4),
                              tick_s=TICK_S)  # fmt: skip
        report = live(load_config(cals.pack.config, env={}), Secrets.from_env({}), options,
                      Frames(), lambda: False, wall=wall, sleep=wall.sleep)  # fmt: skip
        _same_as_org(cals)
        done = [r for r in update_rows(cals.pack)
                if r.record_type == "VEVENT" and r.run_id == report.run_id]  # fmt: skip
        assert done and all(r.status == "done" for r in done)
        assert cals.pack.ok("reset", report.run_id, "--yes")["ok"]
        assert cals.raw() == day0


def test_a_copy_written_after_its_meeting_equals_the_updated_copy(
    seeded_org_file: Path, tmp_path: Path
) -> None:
    """Refreshing day by day, or first on day 8 for the same window, gives the same .ics files
    byte for byte: a copy created after its meeting passed is in the revised form the update
    gives (SEQUENCE one up, LAST-MODIFIED and DTSTAMP the meeting's end)."""
    from demo_gen.ledger.store import StateStore

    with calendar_pack(tmp_path / "daily", seeded_org_file, "ics") as daily:
        first = daily.pack.ok("run", "--today", ANCHOR.isoformat())
        for n in (2, 4, 8):
            daily.pack.ok("refresh", "--today", _day(n))
        state = StateStore(f"sqlite:///{daily.pack.root / 'state.sqlite'}")
        deals = state.run_opportunities(first["run_id"])
        state.close()
        with calendar_pack(tmp_path / "once", seeded_org_file, "ics") as once:
            org_id = once.pack.rows("Organization")[0]["Id"]
            state = StateStore(f"sqlite:///{once.pack.root / 'state.sqlite'}")
            state.set_anchors("test-pack", org_id, dict.fromkeys(deals, ANCHOR))
            state.close()
            report = once.pack.ok("refresh", "--today", _day(8))
            assert report["counts"]["update:calendar"]["updated"] == 0
            assert once.raw() == daily.raw()
            assert any("LAST-MODIFIED" in e for f in once.raw().values() for e in f.values())
