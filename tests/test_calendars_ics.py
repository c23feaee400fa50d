"""Calendars as .ics files, the iCalendar of one meeting, and the `calendar:` configuration."""

from __future__ import annotations

import pytest
from conftest import ANCHOR
from icalendar import Calendar

from demo_gen.commands.dry_run import dry_run
from demo_gen.commands.reset import reset
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config
from demo_gen.errors import ConfigError
from demo_gen.targets.calendars.ical import CALENDAR_EVENT, calendar_events, meeting_uid


def _ics_config(make_config, tmp_path, name="demo.yaml", state="state.sqlite"):
    return make_config(
        name,
        state={"url": f"sqlite:///{tmp_path / state}"},
        calendar={"enabled": True, "kind": "ics", "ics_dir": str(tmp_path / "ics")},
        salesforce={"query": {"limit": 3}},
    )


def _files(tmp_path):
    return {p.name: p.read_bytes() for p in sorted((tmp_path / "ics").glob("*/*.ics"))}


@pytest.mark.slow
def test_two_identical_runs_write_the_same_bytes_and_each_file_holds_its_persons_meetings(
    make_config, tmp_path, org_db
):
    config = load_config(_ics_config(make_config, tmp_path), env={})
    first = run(config, Secrets(), RunOptions(today=ANCHOR))
    files = _files(tmp_path)
    copies = first.counts["calendar_event"]["created"]
    assert files and copies >= len(files) and first.counts["calendar_event"]["failed"] == 0
    again = run(config, Secrets(), RunOptions(today=ANCHOR))
    assert _files(tmp_path) == files
    shown = dry_run(config, Secrets(), today=ANCHOR).asdict()["targets"][_ics_key(tmp_path)]
    assert shown == {"calendar_event": {"new": 0, "existing": copies}}  # `=` per target
    assert again.counts["calendar_event"] == {"created": 0, "skipped": copies, "failed": 0,
                                              "deferred": 0}  # fmt: skip
    # reset removes exactly what the run wrote (the files, and the pack's folder, are gone);
    # the same run again then writes the same bytes
    (tmp_path / "ics" / "keep.txt").write_text("not ours")
    undone = reset(config, Secrets(), first.run_id)
    assert undone.ok and undone.targets[_ics_key(tmp_path)] == {"VEVENT": copies}
    assert _files(tmp_path) == {} and sorted(p.name for p in (tmp_path / "ics").iterdir()) == [
        "keep.txt"
    ]
    run(config, Secrets(), RunOptions(today=ANCHOR))
    assert _files(tmp_path) == files
    meetings = first.counts["meeting"]["created"]
    assert sum(len(Calendar.from_ical(b).walk("VEVENT")) for b in files.values()) == copies
    uids: set[str] = set()
    for name, body in files.items():
        owner = name.removesuffix(".ics")
        cal = Calendar.from_ical(body)
        assert cal.to_ical() == body  # round trip
        assert cal.walk("VTIMEZONE")
        events = cal.walk("VEVENT")
        assert events
        for event in events:
            uids.add(str(event["uid"]))
            internal = {str(a).removeprefix("mailto:").lower() for a in _internal(event)}
            assert owner in internal  # exactly that person's meetings
            assert str(event["organizer"]).startswith("mailto:")
            for attendee in _attendees(event):
                assert attendee.params["SCHEDULE-AGENT"] == "CLIENT"
                assert attendee.params["PARTSTAT"] in {
                    "ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION",
                }  # fmt: skip
    assert len(uids) == meetings  # every meeting the org got, in at least its organizer's file


def _ics_key(tmp_path):
    return f"ics:{(tmp_path / 'ics').resolve()}"


def _attendees(event):
    found = event.get("attendee", [])
    return found if isinstance(found, list) else [found]


def _internal(event):
    """The attendees on the seller's side: the organizer's domain."""
    domain = str(event["organizer"]).rsplit("@", 1)[1].lower()
    return [a for a in _attendees(event) if str(a).lower().endswith("@" + domain)]


def test_the_event_carries_a_stable_uid_stamp_and_the_organizers_zone(make_config, tmp_path):
    from demo_gen.commands.org_launch import open_crm
    from demo_gen.config.model import Config
    from demo_gen.stages import planner
    from demo_gen.targets.salesforce.selection import select_opportunities

    config = load_config(_ics_config(make_config, tmp_path), env={})
    with open_crm(config, Secrets()) as crm:
        snap = select_opportunities(crm, config.salesforce.query, max_opps=2).snapshot
    assert isinstance(config, Config)
    anchors = dict.fromkeys((o.id for o in snap.opportunities), ANCHOR)
    plan = planner.plan(snap.opportunities, config, anchors, users=snap.users, events=())
    users = {u.id: u for u in snap.users}
    events = calendar_events(plan, {}, users, org_id=snap.org_id, pack="p")
    assert events == calendar_events(plan, {}, users, org_id=snap.org_id, pack="p")
    op = plan.opportunities[0]
    m = op.meetings[0]
    mine = [e for e in events if e.opportunity_id == op.opportunity.id and e.start == m.start]
    assert {e.owner for e in mine} >= {op.opportunity.owner.email.lower()}
    assert len({e.uid for e in mine}) == 1 and len(mine[0].uid) == 32
    assert mine[0].uid == meeting_uid(mine[0].meeting_signature)
    vevent = Calendar.from_ical(mine[0].ics).walk("VEVENT")[0]
    assert vevent["dtstamp"].dt.date() == ANCHOR  # from the anchor, not the clock
    assert str(vevent["dtstart"].dt.tzinfo) == op.opportunity.owner.time_zone
    assert vevent["location"] == m.location
    assert all(e.signature != e.meeting_signature for e in mine)
    assert CALENDAR_EVENT == "calendar_event"


@pytest.mark.parametrize(
    ("calendar", "peopleai", "message"),
    [
        ({"enabled": True, "kind": "caldav"}, None, "calendar: url is required"),
        ({"enabled": True, "url": "http://cal.example.com"}, None, "must use https"),
        ({"collection": "{base}/calendars/"}, None, "must contain {user}"),
        ({"collection": "{base}/{email}/"}, None, "not {email}"),
        ({"kind": "exchange"}, None, "calendar.kind"),
        ({}, {"ingestion_mode": "calendar"}, "peopleai.ingestion_mode: calendar needs"),
    ],
)
def test_calendar_configuration_errors_name_file_line_and_key(
    make_config, calendar, peopleai, message
):
    sections = {"calendar": calendar} | ({"peopleai": peopleai} if peopleai else {})
    path = make_config(**sections)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    text = str(caught.value)
    assert text.startswith(f"{path}:") and message in text, text


def test_calendar_configuration_is_accepted(make_config):
    path = make_config(
        calendar={
            "enabled": True,
            "kind": "caldav",
            "url": "https://cal.example.com/dav",
            "collection": "{base}/calendars/{user}/default/",
        },  # fmt: skip
        peopleai={"ingestion_mode": "calendar"},
    )
    config = load_config(path, env={})
    assert config.calendar.enabled and config.peopleai.ingestion_mode == "calendar"


@pytest.mark.slow
def test_reset_keeps_an_event_edited_in_its_file_and_reports_it(make_config, tmp_path, org_db):
    config = load_config(_ics_config(make_config, tmp_path), env={})
    first = run(config, Secrets(), RunOptions(today=ANCHOR))
    path = next(iter(sorted((tmp_path / "ics").glob("*/*.ics"))))
    cal = Calendar.from_ical(path.read_bytes())
    edited = cal.walk("VEVENT")[0]
    edited["summary"] = "Moved by hand"
    path.write_bytes(cal.to_ical())
    undone = reset(config, Secrets(), first.run_id)
    assert undone.skipped == {"VEVENT": 1}
    copies = first.counts["calendar_event"]["created"]
    assert undone.targets[_ics_key(tmp_path)] == {"VEVENT": copies - 1}
    left = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert [str(e["summary"]) for e in left] == ["Moved by hand"]
    assert _files(tmp_path).keys() == {path.name}  # every other file is gone


def _copy(owner: str, meeting: str, summary: str = "Discovery call"):
    """A calendar work item as prepare() builds it, for the ICS target alone."""
    from datetime import UTC, datetime

    from demo_gen.targets.calendars.ical import CalendarEvent, calendar_item

    uid = meeting_uid(meeting)
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261102T000000Z\r\nDTSTART:20261103T150000Z\r\n"
        f"DTEND:20261103T160000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    start = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    return calendar_item(
        CalendarEvent(f"{meeting}/{owner}", meeting, uid, owner, "006x", start, summary, ics)
    )


def _row(target, item, snapshot=None):
    import json
    from dataclasses import replace

    from demo_gen.ledger.store import ItemRow

    row = ItemRow(item.signature, "r1", "p", target.key, item.opportunity_id, item.kind,
                  item.record_type, "pending", None, None, None, item.parent,
                  item.planned_start, item.match_key, "")  # fmt: skip
    if snapshot is None:
        return row
    return replace(row, status="created", remote_id="x", identity=json.dumps(snapshot))


class _Ledger:
    def owned_ids(self, target):
        return {}

    def items_by_signature(self, target, signatures):
        return {}


def test_the_ics_target_finds_what_a_crash_left_and_deletes_only_unchanged_events(tmp_path):
    from demo_gen.targets.ics import IcsTarget

    target = IcsTarget(tmp_path / "ics", "p")
    a, b = _copy("ann@x.example", "m1"), _copy("ann@x.example", "m2")
    assert [r.success for r in target.send([a, b], {}, "r1")] == [True, True]
    # a crash before the commit: the next run finds both in the file, adopts, never re-adds
    found = target.find([_row(target, a), _row(target, b)], _Ledger())
    assert set(found.found) == {a.signature, b.signature} and not found.missing
    path = tmp_path / "ics" / "p" / "ann@x.example.ics"
    rows = [_row(target, i, found.identities[i.signature]) for i in (a, b)]
    body = path.read_bytes().replace(b"SUMMARY:Discovery call", b"SUMMARY:Mine", 1)
    path.write_bytes(body)  # the user edits the first event
    assert [r.success for r in target.send([a], {}, "r1")] == [True]  # resent: adopted as is
    assert path.read_bytes() == body
    results = target.delete(rows)  # the first event changed since it was recorded: kept
    assert [(r.success, r.error_code) for r in results] == [(False, "CHANGED"), (True, None)]
    left = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert [str(e["summary"]) for e in left] == ["Mine"]
    assert target.find([_row(target, b)], _Ledger()).missing == [b.signature]
