"""The deal's colleagues on the plan: pinned with it, named in internal notes, and role words cast
to who held the role (`content.cast`); an org without colleagues holds no internal meetings."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date

from test_planner import make_config, make_opportunity

from demo_gen.stages import planner
from demo_gen.stages.content import HeuristicContent
from demo_gen.stages.content.cast import cast, with_line
from demo_gen.stages.model import Seller
from demo_gen.stages.plan import OpportunityPlan, PlannedMeeting
from demo_gen.stages.plan_codec import dump_plan, load_plan

ANCHOR = date(2026, 11, 30)
SE = Seller("005SE", "Priya Raman", "priya@vendor.example", "Sales Engineer", "America/New_York")
BOSS = Seller("005MG", "Grace Whitfield", "grace@vendor.example", "Regional Sales Director",
              "America/New_York")  # fmt: skip


def _plan(users: list[Seller]) -> OpportunityPlan:
    opp = make_opportunity(
        40, "Closed Won", places=[("United States", "NY")] * 8, close=date(2026, 10, 20)
    )
    return planner.plan([opp], make_config(), {opp.id: ANCHOR}, users=users).opportunities[0]


def test_the_team_is_on_the_plan_with_roles_and_is_pinned_with_it():
    op = _plan([SE, BOSS])
    assert [(u.id, u.role) for u in op.team] == [("005MG", "manager"), ("005SE", "sales_engineer")]
    text = dump_plan(op)
    assert load_plan(text, op.opportunity) == op
    old = json.loads(text)
    del old["team"]  # a pin written before the team was kept
    assert load_plan(json.dumps(old), op.opportunity).team == ()


def test_internal_notes_name_who_sat_in_and_an_old_pin_keeps_its_words():
    op = _plan([SE, BOSS])
    writer = HeuristicContent(seed=42, pack="p")
    internal = [m for m in op.meetings if m.internal]
    assert internal
    texts = writer.write(op).texts
    for m in internal:
        first = texts[m.key].split("\n", 1)[0]
        assert first == with_line(op, m)
        assert first.startswith(f"With: {op.opportunity.owner.name}, ")
        if BOSS.id in m.internal_ids:
            assert "Grace Whitfield (Regional Sales Director)" in first
    bare = writer.write(replace(op, team=())).texts  # no team: the seller alone, as before
    assert all(bare[m.key].startswith(f"With: {op.opportunity.owner.name}\n") for m in internal)


def _review(op: OpportunityPlan, who: tuple[str, ...]) -> PlannedMeeting:
    base = next(m for m in op.meetings if m.internal)
    return replace(base, internal_ids=who, responses=tuple((w, "Accepted") for w in who))


def test_a_role_is_the_person_who_held_it_or_nobody_claims_it():
    op = _plan([SE, BOSS])
    owner = op.opportunity.owner.name.rsplit(" ", 1)[0]
    review = _review(op, (BOSS.id,))
    assert cast("Outcome: The sales engineer logs the next step.", op, review) == (
        f"Outcome: {owner} logs the next step."
    )
    assert cast("Walked the regional lead through the deal.", op, review) == (
        "Walked Grace through the deal."
    )
    said = cast(f"{owner} opens; the specialist covers the questions.", op, review)
    assert said == f"{owner} opens; Grace covers the questions."
    prep = _review(op, (SE.id,))
    assert cast("Our manager chases it. The specialist demos.", op, prep) == (
        f"{owner} chases it. Priya demos."
    )
    assert cast(f"{owner} briefs the manager.", op, prep) == f"{owner} briefs Grace."
    alone = replace(op, team=(replace(SE, role="sales_engineer"),))
    assert cast(f"{owner} briefs the manager.", alone, prep) == f"{owner} briefs the manager."
    assert cast(f"{owner} opens; the manager closes.", alone, _review(alone, ())) == (
        f"{owner} opens; our side closes."
    )


def test_without_colleagues_nobody_holds_an_internal_meeting():
    """An internal prep or review of the seller alone is a calendar block, not a meeting: an org
    whose Users are all account executives gets none (and no one is invented)."""
    op = _plan([])
    assert op.team == ()
    assert op.meetings and not any(m.internal for m in op.meetings)
    assert not any(m.internal_ids for m in op.meetings)


# -- quiet days: the rule and a meeting across borders ------------------------------------------


def test_quiet_days_are_the_friday_after_thanksgiving_and_the_christmas_week():
    from demo_gen.stages.planning.workdays import is_quiet_day, quiet_dates

    assert is_quiet_day("US", date(2026, 11, 27)) and is_quiet_day("US", date(2025, 11, 28))
    assert not is_quiet_day("US", date(2026, 11, 26))  # Thanksgiving itself is a holiday: off
    assert sorted(d.day for d in quiet_dates("DE", 2026)) == [24, 28, 29, 30, 31]  # 26th: holiday
    assert quiet_dates("JP", 2026) == frozenset() and quiet_dates(None, 2026) == frozenset()
    assert not is_quiet_day("GB", date(2026, 11, 27))


def test_a_customer_meeting_skips_the_customers_quiet_day_not_only_the_sellers():
    """A seller in London (an ordinary Friday there) and a buyer in New York: no meeting on Black
    Friday, the Monday after instead; an internal meeting may still be held that Friday."""
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    from demo_gen.stages.planning.book import Book, Caps
    from demo_gen.stages.planning.place import Request, place
    from demo_gen.stages.planning.slots import Person, Rules
    from demo_gen.stages.planning.windows import Windows

    seller = Person("005GB", ZoneInfo("Europe/London"), "GB")
    buyer = Person("003US", ZoneInfo("America/New_York"), "US")
    mate = Person("005SE", ZoneInfo("Europe/London"), "GB")
    hours = (time(8, 0), time(18, 0))
    windows = Windows(Rules(hours, hours, "light"))
    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    req = Request(
        seller=seller, guests=(buyer,), colleagues=(), minutes=30, target=friday,
        first_day=friday, last_day=friday, low=datetime(2026, 11, 20, tzinfo=UTC),
        high=datetime(2026, 12, 10, tzinfo=UTC), city=None, seller_hours=hours,
        guest_hours=hours, prefer=hours,
    )  # fmt: skip
    assert place(Book(Caps(5, 18)), windows, req, random.Random(1)) is None
    later = place(Book(Caps(5, 18)), windows, replace(req, last_day=monday), random.Random(1))
    assert later is not None and later.day == monday
    internal = replace(req, guests=(), colleagues=(mate,))
    held = place(Book(Caps(5, 18)), windows, internal, random.Random(1))
    assert held is not None and held.day == friday and held.colleagues == (mate,)


def test_the_llm_sees_the_colleagues_in_a_meeting_under_stand_in_names():
    from demo_gen.stages.content.story import Story
    from demo_gen.stages.facts import build_fact_sheet

    op = _plan([SE, BOSS])
    sheet = build_fact_sheet(op, seed=42, pack="p")
    hidden = Story.of(op, pseudonymize=True, sheet=sheet)
    views = [e.view for e in hidden.timeline if e.view.get("colleagues")]
    assert views and any(e.view["type"] == "deal_review" for e in hidden.timeline)
    said = json.dumps([v["colleagues"] for v in views])
    assert "Grace" not in said and "Priya" not in said and "(Sales Engineer)" in said
    shown = Story.of(op, pseudonymize=False, sheet=sheet)
    views = [e.view for e in shown.timeline]
    assert "Grace Whitfield (Regional Sales Director)" in json.dumps(views)
