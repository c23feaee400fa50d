"""Plan pinning: a deal written once keeps its plan, whatever else is planned or appears later."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from safety_helpers import connect, invoke, run_json
from test_planner import golden_opportunities, make_config, opportunities

from demo_gen.errors import StateError
from demo_gen.ledger.pinning import load_pins, save_pins
from demo_gen.ledger.store import StateStore
from demo_gen.local_org.server import LocalOrgServer
from demo_gen.local_org.store.core import Store
from demo_gen.stages.items import sf_datetime
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.plan_codec import dump_plan, fingerprint, load_plan
from demo_gen.stages.planner import plan

# -- the codec -------------------------------------------------------------------------------


def test_every_golden_deal_round_trips():
    opps, anchors = golden_opportunities()
    planned = plan(opps, make_config(), anchors)
    assert any(op.meetings and op.emails and op.tasks for op in planned.opportunities)
    assert any(m.responses for op in planned.opportunities for m in op.meetings)
    for op in planned.opportunities:
        text = dump_plan(op)
        again = load_plan(text, op.opportunity)
        assert again == op
        assert dump_plan(again) == text  # canonical: the same bytes back


@settings(max_examples=25, deadline=None)
@given(opportunities())
def test_any_plan_round_trips(case):
    opp, anchor = case
    op = plan([opp], make_config(), {opp.id: anchor}).opportunities[0]
    assert load_plan(dump_plan(op), opp) == op


def test_a_pin_takes_the_current_opportunity_and_refuses_another_deal():
    opps, anchors = golden_opportunities()
    op = plan(opps[:1], make_config(), anchors).opportunities[0]
    renamed = replace(op.opportunity, name="Renamed deal", stage="Negotiation")
    assert load_plan(dump_plan(op), renamed).opportunity == renamed
    with pytest.raises(StateError, match="cannot be read"):
        load_plan(dump_plan(op), opps[1])
    with pytest.raises(StateError):
        load_plan(dump_plan(op).replace('"start":', '"begin":', 1), op.opportunity)


def test_the_fingerprint_follows_planning_settings_only():
    base = make_config()
    same = base.model_copy(update={"llm": base.llm.model_copy(update={"enabled": True})})
    assert fingerprint(same) == fingerprint(base)
    for changed in (
        base.model_copy(update={"run": base.run.model_copy(update={"seed": 7})}),
        base.model_copy(update={"run": base.run.model_copy(update={"name": "other"})}),
        base.model_copy(
            update={"activity": base.activity.model_copy(update={"seller_daily_max": 3})}
        ),
    ):
        assert fingerprint(changed) != fingerprint(base)


# -- the planner -----------------------------------------------------------------------------


def _busy(op: OpportunityPlan) -> list[tuple[str, object, object]]:
    out = []
    for m in op.meetings:
        end = m.start + timedelta(minutes=m.duration_minutes)
        for person in {m.organizer_id, *m.invitee_ids, *m.internal_ids}:
            out.append((person, m.start, end))
    for t in op.tasks:
        if t.kind == "call":
            end = t.at + timedelta(seconds=t.duration_seconds)
            out += [(t.owner_id, t.at, end), (t.who_id, t.at, end)]
    return out


def test_pinned_deals_stay_verbatim_and_the_others_plan_around_them():
    opps, anchors = golden_opportunities()
    config = make_config()
    first = plan(opps[3:], config, anchors)  # a small first run: the two deals planned last
    pins = {op.opportunity.id: op for op in first.opportunities}
    alone = plan(opps, config, anchors)
    moved = [o for o in alone.opportunities[3:] if o != pins[o.opportunity.id]]
    assert moved, "without pins the bigger run moves the first deals (the bug pinning fixes)"
    full = plan(opps, config, anchors, pinned=pins)
    assert full.opportunities[3:] == first.opportunities
    assert plan(opps, config, anchors, pinned=pins) == full  # still deterministic
    assert _clashes(full) == []


def _clashes(p: Plan) -> list[tuple[object, object]]:
    """Two deals' meetings or calls that share a person at overlapping times."""
    spans = [(op.opportunity.id, *s) for op in p.opportunities for s in _busy(op)]
    return [
        (a, b)
        for i, a in enumerate(spans)
        for b in spans[i + 1 :]
        if a[0] != b[0] and a[1] == b[1] and a[2] < b[3] and b[2] < a[3]
    ]


def test_a_pinned_meeting_is_busy_time_for_the_deals_planned_after_it():
    """A pin holds a meeting exactly where another deal would go: that deal goes elsewhere."""
    opps, anchors = golden_opportunities()
    config = make_config()
    free = plan(opps, config, anchors)
    taken = free.opportunities[0].meetings[0]
    mine = free.opportunities[3]
    assert mine.opportunity.owner.id == taken.organizer_id  # one seller, two deals
    moved = replace(mine.meetings[-1], start=taken.start, duration_minutes=taken.duration_minutes)
    pin = replace(mine, meetings=(*mine.meetings[:-1], moved))
    assert _clashes(replace(free, opportunities=(*free.opportunities[:3], pin))) != []
    full = plan(opps, config, anchors, pinned={mine.opportunity.id: pin})
    assert full.opportunities[3] == pin
    assert full.opportunities[0].meetings[0].start != taken.start
    assert _clashes(full) == []


# -- through the real local org --------------------------------------------------------------


def _state_url(config: Path, name: str = "state.sqlite") -> str:
    return f"sqlite:///{config.parent / name}"


def _events_of(org_db: Path, opp_ids: set[str]) -> set[tuple[str, str, str]]:
    store = Store(org_db)
    try:
        rows = store.rows("Event")
        return {(r["Id"], r["StartDateTime"], r["Subject"]) for r in rows if r["WhatId"] in opp_ids}
    finally:
        store.close()


def _created_per_opportunity(url: str, run_id: str) -> dict[str, int]:
    with StateStore(url) as state:
        out: dict[str, int] = {}
        for row in state.run_items(run_id, ("created",)):
            out[row.opportunity_id] = out.get(row.opportunity_id, 0) + 1
        return out


def _opportunities_of(url: str, run_id: str) -> set[str]:
    with StateStore(url) as state:
        return set(state.run_opportunities(run_id))


def _planned_meetings(config: Path) -> dict[str, list[tuple[str, str]]]:
    """What `dry-run` would write now: each deal's meetings as (start, subject)."""
    out_file = config.parent / "plan.json"
    code, _, err = invoke("dry-run", "-c", str(config), "--out", str(out_file))
    assert code == 0, err
    opps = json.loads(out_file.read_text())["opportunities"]
    return {o["opportunity_id"]: [(m["start"], m["subject"]) for m in o["meetings"]] for o in opps}


_MANY = {"salesforce": {"query": {"limit": 40}}}  # enough deals that they meet in calendars


def test_a_bigger_run_creates_nothing_for_deals_already_written(make_config, org_db):
    """(a) `run --max-opps 3`, then the full run: nothing new for those three deals."""
    config = make_config(**_MANY)
    unpinned = _planned_meetings(config)
    code, small = run_json(config, "--max-opps", "3")
    assert code == 0, small
    first = _opportunities_of(_state_url(config), small["run_id"])
    assert len(first) == 3
    events = _events_of(org_db, first)
    assert events
    pinned = _planned_meetings(config)  # dry-run reads the pins
    assert any(pinned[o] != unpinned[o] for o in first), "a full plan would move one of them"
    code, full = run_json(config)
    assert code == 0, full
    assert len(_opportunities_of(_state_url(config), full["run_id"])) > 3
    created = _created_per_opportunity(_state_url(config), full["run_id"])
    assert created, "the full run writes the other deals"
    assert {o: n for o, n in created.items() if o in first} == {}
    assert _events_of(org_db, first) == events
    _assert_calendars_hold(full)  # the new deals went around the pinned ones


def test_a_run_after_smoke_creates_nothing_for_the_smoked_deal(make_config, org_db):
    """(b) `smoke --opp-id X`, then `run`: nothing new for X."""
    config = make_config(**_MANY)
    unpinned = _planned_meetings(config)
    target = next(iter(unpinned))  # the first by close date: alone, it plans differently
    code, out, err = invoke("smoke", "-c", str(config), "--opp-id", target, "--json")
    assert code == 0, err
    events = _events_of(org_db, {target})
    assert events
    assert _planned_meetings(config)[target] != unpinned[target], "alone, its plan differs"
    code, full = run_json(config)
    assert code == 0, full
    created = _created_per_opportunity(_state_url(config), full["run_id"])
    assert created and target not in created
    assert _events_of(org_db, {target}) == events


def test_pack_a_reruns_after_pack_b_and_creates_nothing(make_config, org_db):
    """(c) Two packs on one org: A runs, B runs (its Events are A's busy time), A reruns."""
    config_a = make_config("a.yaml", run={"name": "pack-a"})
    config_b = make_config("b.yaml", run={"name": "pack-b"})
    code, a = run_json(config_a)
    assert code == 0 and a["totals"]["created"] > 0, a
    code, b = run_json(config_b)
    assert code == 0 and b["totals"]["created"] > 0, b
    code, again = run_json(config_a)
    assert code == 0, again
    assert again["totals"]["created"] == 0
    _assert_calendars_hold(b)
    _assert_calendars_hold(again)


def _assert_calendars_hold(report: dict) -> None:
    realism = report["realism"]
    for key in ("double_bookings", "impossible_travel", "seller_daily_load_max"):
        assert realism[key]["ok"], (key, realism[key])


def test_a_users_new_meeting_does_not_move_a_written_deal(make_config, org_db):
    """(d) A user books an Event over a future planned meeting between two runs: rerun makes 0."""
    config = make_config()
    code, first = run_json(config)
    assert code == 0, first
    with StateStore(_state_url(config)) as state:
        rows = [r for r in state.run_items(first["run_id"], ("created",)) if r.kind == "meeting"]
    store = Store(org_db)
    try:
        target = max(rows, key=lambda r: r.planned_start or "")  # the latest: a future meeting
        meeting = store.get(target.remote_id or "")
        assert meeting is not None
        with LocalOrgServer(store) as server:
            connect(server.url).Event.create(
                {
                    "OwnerId": meeting["OwnerId"],
                    "Subject": "Dentist",
                    "StartDateTime": sf_datetime(meeting["StartDateTime"]),
                    "DurationInMinutes": 60,
                }
            )
    finally:
        store.close()
    code, again = run_json(config)
    assert code == 0, again
    assert again["totals"]["created"] == 0
    assert again["realism"]["double_bookings"]["value"] == 1  # the user's clash, reported as is


def test_a_pin_is_kept_only_under_the_settings_and_anchor_that_made_it(state_backend):
    opps, anchors = golden_opportunities()
    config = make_config()
    planned = plan(opps, config, anchors)
    with StateStore(state_backend.url) as state:
        assert save_pins(state, config, "00DX", planned) == len(opps)
        assert load_pins(state, config, "00DX", opps, anchors) == {
            op.opportunity.id: op for op in planned.opportunities
        }
        other_seed = config.model_copy(update={"run": config.run.model_copy(update={"seed": 7})})
        later = {o: d + timedelta(days=1) for o, d in anchors.items()}
        assert load_pins(state, other_seed, "00DX", opps, anchors) == {}
        assert load_pins(state, config, "00DY", opps, anchors) == {}
        assert load_pins(state, config, "00DX", opps, later) == {}
        moved = plan(opps[3:], config, anchors)  # a second save keeps the first pins
        assert moved.opportunities != planned.opportunities[3:]
        save_pins(state, config, "00DX", moved)
        kept = load_pins(state, config, "00DX", opps[3:], anchors)
        assert kept == {op.opportunity.id: op for op in planned.opportunities[3:]}
