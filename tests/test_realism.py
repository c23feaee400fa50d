"""The realism report: keys, perfect scores where guaranteed, counted violations."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

from test_planner import golden_opportunities, make_config, make_opportunity

from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.planner import plan, plan_opportunity
from demo_gen.stages.realism import realism_report

KEYS = {
    "opportunities", "meetings", "past_meetings", "future_meetings", "emails", "threads",
    "meetings_in_business_hours_share", "meetings_in_seller_window_share",
    "meetings_on_working_days_share", "weekend_meetings", "holiday_meetings",
    "meetings_on_half_hour_share", "duration_distribution", "stage_order_violations",
    "meetings_with_external_share", "emails_in_replied_threads_share",
    "emails_outside_business_hours_share",
}  # fmt: skip
STORY_FIGURES = {
    "double_bookings", "impossible_travel", "seller_daily_load_max", "seller_weekly_load_max",
    "monday_friday_share", "reply_delay_hours_p50", "reply_delay_hours_p90",
    "send_hour_max_share", "send_zero_seconds_share", "thank_you_same_day_share",
    "internal_attendee_share", "six_plus_external_people_share",
    "customer_started_threads_share", "closed_won_discovery_and_demo_before_proposal_share",
    "closed_won_kickoff_after_close_share", "closed_won_cycle_coverage_min",
    "records_before_close_naming_closed_stage", "activity_after_close_not_won",
    "repeated_meeting_titles",
}  # fmt: skip


def test_report_on_a_generated_plan_is_perfect_where_guaranteed():
    opps, anchors = golden_opportunities()
    config = make_config()
    report = realism_report(plan(opps, config, anchors), config.activity)
    assert set(report) >= KEYS and set(report) >= STORY_FIGURES
    for key in STORY_FIGURES:
        assert set(report[key]) == {"value", "target", "ok"}, key
    json.dumps(report)  # JSON-ready
    assert report["opportunities"] == len(opps)
    assert report["meetings"] == report["past_meetings"] + report["future_meetings"] > 0
    for key in (
        "meetings_in_business_hours_share",
        "meetings_in_seller_window_share",
        "meetings_on_working_days_share",
        "meetings_with_external_share",
    ):
        assert report[key] == 1.0, key
    assert report["meetings_on_half_hour_share"] >= 0.7  # mostly :00/:30, some :15/:45
    for key in ("double_bookings", "impossible_travel", "seller_daily_load_max",
                "records_before_close_naming_closed_stage", "activity_after_close_not_won",
                "repeated_meeting_titles", "closed_won_kickoff_after_close_share",
                "closed_won_discovery_and_demo_before_proposal_share"):  # fmt: skip
        assert report[key]["ok"], (key, report[key])
    assert report["weekend_meetings"] == report["holiday_meetings"] == 0
    assert report["stage_order_violations"] == 0
    assert report["emails_in_replied_threads_share"] >= 0.5
    assert 0.0 <= report["emails_outside_business_hours_share"] <= 0.5
    assert sum(report["duration_distribution"].values()) == report["meetings"]
    assert set(report["duration_distribution"]) <= {"30", "45", "60", "90"}


def test_report_counts_violations_in_a_bad_plan():
    config = make_config()
    opp = make_opportunity(1, "Evaluation", "America/New_York", [("United States", "NY")])
    good = plan_opportunity(opp, config, date(2026, 5, 4))
    first, second = good.meetings[0], good.meetings[1]
    saturday = replace(first, start=datetime(2026, 4, 18, 15, 0, tzinfo=UTC), meeting_type="demo")
    three_am = replace(second, start=datetime(2026, 4, 21, 7, 0, tzinfo=UTC), meeting_type="intro")
    bad = OpportunityPlan(opp, good.anchor, (saturday, three_am), ())
    report = realism_report(Plan((bad,), seed=42, pack="test"), config.activity)
    assert report["meetings"] == 2
    assert report["weekend_meetings"] == 1
    assert report["meetings_on_working_days_share"] == 0.5
    assert report["meetings_in_business_hours_share"] == 0.5
    assert report["meetings_in_seller_window_share"] == 0.5
    assert report["stage_order_violations"] == 1
    assert report["emails"] == 0 and report["emails_in_replied_threads_share"] is None


def test_report_counts_holidays():
    config = make_config()
    opp = make_opportunity(2, "Evaluation", "America/New_York", [("United States", "NY")])
    good = plan_opportunity(opp, config, date(2026, 5, 4))
    july_4th = replace(good.meetings[0], start=datetime(2026, 7, 3, 15, 0, tzinfo=UTC))
    bad = OpportunityPlan(opp, good.anchor, (july_4th,), ())
    report = realism_report(Plan((bad,), seed=42, pack="test"), config.activity)
    assert report["holiday_meetings"] == 1 and report["weekend_meetings"] == 0


def test_report_counts_double_bookings_and_impossible_travel():
    config = make_config()
    opp = make_opportunity(3, "Proposal", "America/New_York", [("United States", "NY")])
    good = plan_opportunity(opp, config, date(2026, 5, 4))
    first = good.meetings[0]
    start = datetime(2026, 4, 21, 14, 0, tzinfo=UTC)
    here = replace(first, start=start, in_person=True, location="Acme office, NY")
    clash = replace(first, key="x/2", start=start, subject="Other", in_person=False)
    there = replace(
        first, key="x/3", start=datetime(2026, 4, 21, 20, 0, tzinfo=UTC), in_person=True,
        location="Acme office, Paris", subject="Third",
    )  # fmt: skip
    bad = OpportunityPlan(opp, good.anchor, (here, clash, there), ())
    report = realism_report(Plan((bad,), seed=42, pack="test"), config.activity)
    assert report["double_bookings"]["value"] >= 1 and not report["double_bookings"]["ok"]
    assert report["impossible_travel"]["value"] >= 1 and not report["impossible_travel"]["ok"]
