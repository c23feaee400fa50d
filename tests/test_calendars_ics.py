"""Calendars as .ics files, the iCalendar of one meeting, and the `calendar:` configuration."""

from __future__ import annotations

import pytest
from conftest import ANCHOR
from icalendar import Calendar

from demo_gen.calendars.ical import CALENDAR_EVENT, calendar_events, meeting_uid
from demo_gen.config import Secrets, load_config
from demo_gen.errors import ConfigError
from demo_gen.runner import RunOptions, run


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
    assert files and first.counts["ics_file"]["created"] == len(files)
    again = run(config, Secrets(), RunOptions(today=ANCHOR))
    assert _files(tmp_path) == files
    assert again.counts["ics_file"] == {"created": 0, "skipped": len(files), "failed": 0,
                                        "deferred": 0}  # fmt: skip
    meetings = first.counts["meeting"]["created"]
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


def _attendees(event):
    found = event.get("attendee", [])
    return found if isinstance(found, list) else [found]


def _internal(event):
    """The attendees on the seller's side: the organizer's domain."""
    domain = str(event["organizer"]).rsplit("@", 1)[1].lower()
    return [a for a in _attendees(event) if str(a).lower().endswith("@" + domain)]


def test_the_event_carries_a_stable_uid_stamp_and_the_organizers_zone(make_config, tmp_path):
    from demo_gen import planner
    from demo_gen.config import Config
    from demo_gen.org_launch import open_crm
    from demo_gen.selection import select_opportunities

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
