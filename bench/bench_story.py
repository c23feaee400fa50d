"""The deal story at scale: seed an org, plan every deal, print the realism figures and timing.

Builds a local org of N opportunities (default 2,000) in a temp directory, selects them all
through the real client over loopback, plans them on one shared calendar, and prints the
planning time and every deal-story figure of the realism report with its target. `--show`
also prints one Closed Won deal's whole timeline and its owner's busiest week.

    python bench/bench_story.py [--opportunities 2000] [--limit 2000] [--show]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from demo_gen.commands.org_launch import open_crm
from demo_gen.config.model import Config, Secrets
from demo_gen.local_org.fixture.build import FixtureSpec, build_org
from demo_gen.local_org.store.core import Store
from demo_gen.stages import planner
from demo_gen.stages.realism import realism_report
from demo_gen.stages.timeline import deal_timeline, seller_week
from demo_gen.targets.salesforce.selection import select_opportunities

ANCHOR = date(2026, 11, 30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=2000, help="opportunities selected")
    parser.add_argument("--show", action="store_true", help="print a won deal and a week")
    parser.add_argument(
        "--default-query", action="store_true", help="select as demo.example.yaml does"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="demo-gen-story-"))
    try:
        db = work / "org.sqlite"
        store = Store(db)
        build_org(store, FixtureSpec(anchor=ANCHOR, opportunities=args.opportunities))
        store.close()
        config = _config(db, args.limit, args.default_query)
        with open_crm(config, Secrets()) as crm:
            selection = select_opportunities(crm, config.salesforce.query)
        snap = selection.snapshot
        anchors = {o.id: ANCHOR for o in snap.opportunities}
        started = time.perf_counter()
        plan = planner.plan(
            snap.opportunities, config, anchors, users=snap.users, events=snap.events
        )
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = realism_report(plan, config.activity)
    print(f"opportunities planned: {len(plan.opportunities)}  planning time: {seconds:.1f} s")
    print(f"meetings {report['meetings']}  emails {report['emails']}  calls {report['calls']}")
    failed = []
    for key, value in report.items():
        if isinstance(value, dict) and {"value", "target", "ok"} <= set(value):
            mark = "ok " if value["ok"] else "NO "
            print(f"  {mark} {key}: {value['value']} (target {value['target']})")
            failed += [] if value["ok"] else [key]
    counts = ("closed_won_deals", "lost_deals", "lost_deals_ending_unanswered",
              "stalled_open_deals", "no_shows", "rescheduled_meetings", "out_of_office_replies",
              "linkedin_touches", "internal_meetings", "org_events_followed",
              "org_events_on_deals", "external_people_per_deal_mean")  # fmt: skip
    print("  " + ", ".join(f"{k} {report[k]}" for k in counts))
    print("  responses", json.dumps(report["invitee_responses"]))
    old = ("meetings_in_business_hours_share", "meetings_in_seller_window_share",
           "meetings_on_working_days_share", "weekend_meetings", "holiday_meetings",
           "meetings_on_half_hour_share", "stage_order_violations", "meetings_with_external_share",
           "emails_in_replied_threads_share", "emails_outside_business_hours_share")  # fmt: skip
    print("  " + ", ".join(f"{k} {report[k]}" for k in old))
    print("  weekdays", json.dumps(report["weekday_histogram"]))
    print("  start minutes", json.dumps(report["start_minute_histogram"]))
    if args.show:
        _show(plan, snap.users)
    return 1 if failed else 0


def _config(db: Path, limit: int, default_query: bool) -> Config:
    query: dict[str, object] = {"limit": limit, "opportunity_type": None, "stages_allowed": []}
    if default_query:  # as demo.example.yaml selects
        query = {
            "limit": limit,
            "opportunity_type": "New Business",
            "stages_allowed": [
                "Qualification",
                "Discovery",
                "Evaluation",
                "Proposal",
                "Negotiation",
                "Closed Won",
            ],
        }
    return Config.model_validate({
        "run": {"name": "se-demo-pack", "seed": 42},
        "salesforce": {"local": {"db": str(db)}, "query": query},
    })  # fmt: skip


def _show(plan, users) -> None:  # type: ignore[no-untyped-def]
    won = [o for o in plan.opportunities if o.opportunity.is_won and o.meetings]
    deal = max(won, key=lambda o: len(o.meetings))
    print()
    print(deal_timeline(plan, deal.opportunity.id, users))
    owner = deal.opportunity.owner.id
    weeks = Counter()
    for op in plan.opportunities:
        for m in op.meetings:
            if m.organizer_id == owner and m.past:
                day = m.start.date()
                weeks[day - timedelta(days=day.weekday())] += 1
    monday = max(weeks, key=lambda d: (weeks[d], d))
    print()
    print(seller_week(plan, owner, monday, users))


if __name__ == "__main__":
    sys.exit(main())
