"""Fuzzed scripts: any `stories:` entry, valid or not, is applied or refused, never a traceback.

Each example draws a script from the vocabulary and from garbage around it (unknown kinds and
stages, dates on weekends and far away, text for booleans, several paces, deals by id, name and
query, including ones that are not selected or are ambiguous) and applies it to the planned deals
of a seeded org: the outcome is a shaped plan, a note, or a ValidationError / ConfigError with a
reason, nothing else. A shaped plan never double-books anybody.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from test_scripted_stories import ANCHOR, config_of, plan_with, seeded  # noqa: F401

from demo_gen.errors import ConfigError
from demo_gen.stages.realism import realism_report
from demo_gen.stages.stories.scripts import script_plans

KINDS = ["intro", "discovery", "demo", "technical_deep_dive", "business_case", "proposal",
         "pricing", "negotiation", "legal_review", "kickoff", "lunch", ""]  # fmt: skip
STAGES = ["Qualification", "Discovery", "Evaluation", "Proposal", "Negotiation", "Closed Won", "x"]
RISKS = ["pricing_objection", "security_review_blocked", "legal_delay", "fire"]


@pytest.fixture(scope="module")
def base(request: pytest.FixtureRequest):
    org = request.getfixturevalue("seeded")
    plan, _ = plan_with(org, [])
    return org[0], plan


def days() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.dates(ANCHOR - timedelta(days=500), ANCHOR + timedelta(days=200)).map(str),
        st.sampled_from(["2026-02-30", "soon", 20261101]),
    )


def deal_refs(names: list[str], ids: list[str]) -> st.SearchStrategy[Any]:
    good = st.one_of(
        st.builds(lambda i: {"id": i}, st.sampled_from(ids)),
        st.builds(lambda n: {"name": n}, st.sampled_from(names)),
        st.builds(lambda s: {"query": {"stage": s}}, st.sampled_from(STAGES[:5])),
    )
    odd = st.one_of(
        st.builds(lambda n: {"name": n}, st.sampled_from(["Real-Time", "Nope", ""])),
        st.builds(lambda i: {"id": i}, st.sampled_from(["006XX0000000000", "bad id"])),
        st.builds(lambda a: {"query": {"min_amount": a}}, st.sampled_from([0, 50_000, -1, "x"])),
        st.just({"id": ids[0], "name": names[0]}),
    )
    return st.one_of(good, good, good, odd)


def scripts(names: list[str], ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    pace = st.one_of(
        st.builds(lambda k: {"stall_after": k}, st.sampled_from(KINDS[:9])),
        st.just({"on_track": True}),
        st.just({"slipping": True}),
        st.sampled_from([{"on_track": True, "slipping": True}, {"on_track": "yes"},
                         {"stall_after": "lunch"}, {}]),
    )  # fmt: skip
    people = st.fixed_dictionaries(
        {},
        optional={
            "champion_quiet_from": st.one_of(
                st.builds(lambda d: {"on": d}, days()),
                st.builds(lambda k: {"after": k}, st.sampled_from(KINDS[:9])),
            ),
            "economic_buyer_absent": st.booleans(),
            "new_executive": st.sampled_from(STAGES[:5]),
        },
    )
    facts = st.fixed_dictionaries(
        {},
        optional={
            "metrics": st.just({"metric": "forecast accuracy", "baseline": "60%", "target": "80%"}),
            "decision_criteria": st.lists(st.sampled_from(["SSO", "an audit trail"]), max_size=3),
            "critical_event": st.builds(lambda d: {"name": "Go-live", "on": d}, days()),
        },
    )
    return st.fixed_dictionaries(
        {"deal": deal_refs(names, ids)},
        optional={
            "pace": pace,
            "people": people,
            "competition": st.fixed_dictionaries(
                {
                    "competitor": st.sampled_from(["ThoughtSpot", "Acme BI", ""]),
                    "enters_at": st.sampled_from(STAGES),
                },
            ),
            "risks": st.lists(st.sampled_from(RISKS[:3]), max_size=2, unique=True),
            "facts": facts,
        },
    )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_script_is_applied_noted_or_refused_never_a_traceback(base, data):
    db, plan = base
    names = sorted({op.opportunity.name for op in plan.opportunities})[:12]
    ids = [op.opportunity.id for op in plan.opportunities][:12]
    stories = data.draw(st.lists(scripts(names, ids), min_size=1, max_size=2))
    try:
        config = config_of(db, stories)
        shaped, notes = script_plans(plan.opportunities, config, plan.events)
    except (ValidationError, ConfigError) as exc:
        event(f"refused: {type(exc).__name__}")
        assert str(exc).strip()
        return
    event(f"scripted {sum(op.scenario is not None for op in shaped)}, noted {len(notes)}")
    assert len(shaped) == len(plan.opportunities)
    scripted = [op for op in shaped if op.scenario is not None]
    assert len(scripted) + len(notes) <= len(stories)
    if scripted:
        from dataclasses import replace

        report = realism_report(replace(plan, opportunities=tuple(shaped)), config.activity)
        assert report["double_bookings"]["ok"], report["double_bookings"]
    for op in scripted:
        s = op.scenario
        assert s is not None and s.where
        if s.quiet_from is not None:
            assert s.quiet_from <= op.anchor
        if s.critical_event is not None:
            assert s.critical_event[1] > date(2000, 1, 1)
