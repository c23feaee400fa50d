"""prepare(): one path from the org to each target's work items, for run, smoke and dry-run."""

from __future__ import annotations

from collections import Counter
from datetime import date

from demo_gen.commands.prepare import Hooks, PrepareOptions, prepare
from demo_gen.config.model import Secrets, load_config
from demo_gen.ledger.store import StateStore
from demo_gen.stages.items import INVITEE, MEETING
from demo_gen.targets.fake import FakeTarget
from demo_gen.targets.salesforce.target import open_salesforce

TODAY = date(2026, 11, 30)


def test_each_target_gets_the_kinds_it_holds_under_the_same_signatures(make_config, tmp_path):
    config = load_config(make_config(salesforce={"query": {"limit": 3}}))
    calendar = FakeTarget("fake:calendar", kinds=(MEETING, INVITEE))
    warnings: list[str] = []
    with StateStore(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as state:
        with open_salesforce(config, Secrets()) as org:
            prepared = prepare(
                org,
                [org, calendar],
                state,
                config,
                Secrets(),
                PrepareOptions(today=TODAY),
                Hooks(warnings.append),
            )
        assert state.list_runs() == []  # read-only: no run, no anchors, no pins
        assert (
            state.anchors(
                config.run.name,
                org.org_id,
                [op.opportunity.id for op in prepared.plan.opportunities],
            )
            == {}
        )
    in_org = prepared.items[org.key]
    in_calendar = prepared.items[calendar.key]
    assert {i.kind for i in in_calendar} == {MEETING, INVITEE}
    assert len({i.kind for i in in_org}) > 2  # emails, calls, scorecards … too
    assert [i.signature for i in in_calendar] == [
        i.signature for i in in_org if i.kind in (MEETING, INVITEE)
    ]
    meetings = Counter(i.opportunity_id for i in in_calendar if i.kind == MEETING)
    assert sum(meetings.values()) == sum(len(op.meetings) for op in prepared.plan.opportunities)
    # the org's people come with it: the calendar step puts meetings in colleagues' calendars
    people = {u.id for u in prepared.users}
    colleagues = {
        p for op in prepared.plan.opportunities for m in op.meetings for p in m.internal_ids
    }
    assert people and colleagues <= people
