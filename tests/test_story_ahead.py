"""The whole story and its view on a day (planning.ahead, planning.outcome): pure and seeded.

Later days only add to what earlier days showed — the same meetings, the same times, the same
subjects — emails and calls never come before their day, a passed meeting always has its outcome,
and the story ahead is the same however often it is planned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from conftest import ANCHOR

from demo_gen.commands.org_launch import open_crm
from demo_gen.config.model import Secrets, load_config
from demo_gen.stages import planner
from demo_gen.stages.plan import Plan
from demo_gen.stages.planning.ahead import plan_ahead, with_ahead
from demo_gen.stages.planning.context import anchor_instant
from demo_gen.stages.planning.outcome import realize, reveal, stage_on
from demo_gen.stages.planning.story import STAGES
from demo_gen.stages.planning.timezones import owner_zone
from demo_gen.targets.salesforce.selection import select_opportunities


@pytest.fixture
def story(make_config):
    config = load_config(make_config(salesforce={"query": {"limit": 12}}), env={})
    with open_crm(config, Secrets()) as crm:
        snap = select_opportunities(
            crm, config.salesforce.query, max_opps=None, exclude_event_ids=(), own_tag=None
        ).snapshot
    anchors = dict.fromkeys((o.id for o in snap.opportunities), ANCHOR)
    plan = planner.plan(snap.opportunities, config, anchors, users=snap.users, events=snap.events)
    aheads = plan_ahead(plan.opportunities, config, users=snap.users, events=snap.events)
    joined = tuple(with_ahead(op, aheads[op.opportunity.id]) for op in plan.opportunities)
    whole = replace(plan, opportunities=joined)
    return config, whole, aheads, snap


def _view(whole: Plan, n: int, config):
    return [reveal(op, ANCHOR + timedelta(days=n), config) for op in whole.opportunities]


def test_later_days_only_add_to_what_earlier_days_showed(story) -> None:
    config, whole, _, _ = story
    for n in range(0, 60, 3):
        early, late = _view(whole, n, config), _view(whole, n + 3, config)
        for a, b in zip(early, late, strict=True):
            shown = {m.key: (m.start, m.subject) for m in b.meetings}
            assert all(shown.get(m.key) == (m.start, m.subject) for m in a.meetings)
            assert {e.key for e in a.emails} <= {e.key for e in b.emails}
            assert {t.key for t in a.tasks} <= {t.key for t in b.tasks}


def test_a_day_shows_no_email_before_it_happens_and_every_passed_meeting_done(story) -> None:
    config, whole, _, _ = story
    ahead = timedelta(days=1 + config.activity.future_days)
    for n in (0, 7, 30, 90):
        for op in _view(whole, n, config):
            boundary = anchor_instant(op.opportunity, ANCHOR + timedelta(days=n))
            assert all(e.sent_at < boundary for e in op.emails)
            assert all(t.at < boundary for t in op.tasks)
            assert all(m.start < boundary + ahead for m in op.meetings)
            for m in op.meetings:
                assert (m.status == "scheduled") == (m.start >= boundary), (n, m.key, m.status)


def test_no_day_shows_the_story_past_the_deals_close_and_nothing_shows_late(story) -> None:
    """On every day, nothing of the story ahead is past the close date the deal then has unless
    it is won (a slip moves the date first, a kickoff waits for the win); a meeting first shows
    while still ahead and an email the day after it was sent (never late, in the past)."""
    config, whole, aheads, _ = story
    grown = sum(bool(a.meetings) for a in aheads.values())
    for op in whole.opportunities:
        ahead = aheads[op.opportunity.id]
        if op.opportunity.is_closed:
            assert not ahead.meetings and not ahead.emails and not ahead.turns
        zone = owner_zone(op.opportunity)
        mine = {m.key for m in ahead.meetings} | {e.key for e in ahead.emails}
        seen: set[str] = set()
        for n in range(200):
            day = ANCHOR + timedelta(days=n)
            view = reveal(op, day, config)
            boundary = anchor_instant(op.opportunity, day)
            deal = view.opportunity
            for m in view.meetings:
                if m.key in mine:
                    assert deal.is_won or m.start.astimezone(zone).date() <= deal.close_date
                if m.key not in seen and n > 0:
                    assert m.start >= boundary, (m.subject, day)
            for e in view.emails:
                if e.key in mine:
                    assert deal.is_won or e.sent_at.astimezone(zone).date() <= deal.close_date
                if e.key not in seen and n > 0:
                    assert e.sent_at >= boundary - timedelta(days=1), (e.subject, day)
            seen |= {m.key for m in view.meetings} | {e.key for e in view.emails}
    assert grown > 0


def test_the_story_ahead_is_the_same_when_planned_again_or_kept(story) -> None:
    config, whole, aheads, snap = story
    plans = []
    for op in whole.opportunities:
        added = aheads[op.opportunity.id]
        plans.append(replace(op, meetings=op.meetings[: len(op.meetings) - len(added.meetings)],
                             emails=op.emails[: len(op.emails) - len(added.emails)]))  # fmt: skip
    again = plan_ahead(plans, config, users=snap.users, events=snap.events)
    assert again == aheads
    kept = list(aheads.values())[:3]
    assert plan_ahead(plans, config, users=snap.users, events=snap.events, kept=kept) == aheads


def test_realize_is_seeded_and_stages_only_move_forward(story) -> None:
    config, whole, _, _ = story
    for op in whole.opportunities:
        for m in op.meetings:
            assert realize(m, config) == realize(m, config)
            assert realize(realize(m, config), config) == realize(m, config)
        seen = []
        for n in range(0, 120, 4):
            stage = stage_on(op, ANCHOR + timedelta(days=n))
            if stage is not None:
                seen.append(STAGES.index(stage))
        assert seen == sorted(seen)
