"""Content: the heuristic writer and the fallback seam."""

from __future__ import annotations

import re
from datetime import date

import pytest
from test_planner import PLACES, golden_opportunities, make_config, make_opportunity

from demo_gen.content import (
    ContentError,
    FallbackContent,
    HeuristicContent,
    OpportunityContent,
    item_keys,
)
from demo_gen.plan import OpportunityPlan
from demo_gen.planner import plan, plan_opportunity

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def golden_plans() -> list[OpportunityPlan]:
    opps, anchors = golden_opportunities()
    return list(plan(opps, make_config(), anchors).opportunities)


def many_plans(n: int = 8) -> list[OpportunityPlan]:
    config = make_config()
    out = []
    for i in range(n):
        places = [PLACES[(i + k) % len(PLACES)] for k in range(3)]
        opp = make_opportunity(
            200 + i, ["Discovery", "Proposal", "Negotiation"][i % 3], places=places
        )
        out.append(plan_opportunity(opp, config, date(2026, 5, 4)))
    return out


def test_every_item_has_text_and_it_is_deterministic():
    writer = HeuristicContent()
    for op in golden_plans():
        content = writer.write(op)
        assert content.source == "heuristic"
        assert sorted(content.texts) == sorted(item_keys(op))
        assert all(text.strip() for text in content.texts.values())
        assert writer.write(op).texts == content.texts


def test_texts_mention_the_account_and_a_participant():
    for op in golden_plans():
        texts = HeuristicContent().write(op).texts
        names = [c.first_name or c.last_name for c in op.opportunity.contacts]
        for key, text in texts.items():
            assert op.opportunity.account.name in text, key
            assert any(name in text for name in names), key


def test_emails_read_like_emails():
    for op in many_plans():
        texts = HeuristicContent().write(op).texts
        for email in op.emails:
            body = texts[email.key]
            assert not EMAIL.search(body), body
            assert not PHONE.search(body), body
            lines = body.splitlines()
            assert lines[0].endswith((",", "—")) and lines[1] == ""  # greeting, blank line
            sentences = re.findall(r"[.?!](?:\s|$)", lines[2])
            assert 2 <= len(sentences) <= 5, lines[2]
            if email.direction == "outbound":
                assert op.opportunity.owner.name in lines[-2:]


def test_meeting_texts_are_agendas_or_notes():
    for op in golden_plans():
        texts = HeuristicContent().write(op).texts
        for meeting in op.meetings:
            text = texts[meeting.key]
            assert ("Agenda:" in text) != meeting.past
            assert ("Outcome:" in text) == meeting.past


def test_email_bodies_vary():
    """Thread openers vary; replies may open with a short acknowledgement more often."""
    openers: list[str] = []
    replies: list[str] = []
    for op in many_plans(12):
        texts = HeuristicContent().write(op).texts
        for e in op.emails:
            first = re.split(r"(?<=[.?!])\s", texts[e.key].splitlines()[2])[0]
            (replies if e.in_reply_to else openers).append(first)
    for sample, share in ((openers[:50], 0.7), (replies[:50], 0.4)):
        assert len(sample) == 50
        assert len(set(sample)) >= share * len(sample)


class Failing:
    def write(self, plan: OpportunityPlan) -> OpportunityContent:
        raise ContentError("model unavailable")


class Partial:
    def write(self, plan: OpportunityPlan) -> OpportunityContent:
        keys = item_keys(plan)
        return OpportunityContent({k: f"llm text for {k}" for k in keys[::2]}, "llm")


def test_fallback_on_content_error():
    calls: list[tuple[str, str]] = []
    source = FallbackContent(
        Failing(), HeuristicContent(), on_fallback=lambda o, r: calls.append((o, r))
    )
    op = golden_plans()[0]
    content = source.write(op)
    assert content.texts == HeuristicContent().write(op).texts
    assert content.source == "heuristic"
    assert sorted(content.fallback_keys) == sorted(item_keys(op))
    assert calls == [(op.opportunity.id, "primary failed: model unavailable")]
    assert source.fallback_opportunities == 1 and source.fallback_items == len(item_keys(op))


def test_fallback_fills_missing_keys():
    source = FallbackContent(Partial(), HeuristicContent())
    op = golden_plans()[1]
    keys = item_keys(op)
    content = source.write(op)
    heuristic = HeuristicContent().write(op).texts
    assert content.source == "llm"
    assert sorted(content.texts) == sorted(keys)
    for i, key in enumerate(keys):
        expected = f"llm text for {key}" if i % 2 == 0 else heuristic[key]
        assert content.texts[key] == expected
    assert list(content.fallback_keys) == keys[1::2]
    assert source.fallback_items == len(keys[1::2])


def test_fallback_passes_complete_primary_through():
    class Complete:
        def write(self, plan: OpportunityPlan) -> OpportunityContent:
            return OpportunityContent({k: "x" for k in item_keys(plan)}, "llm")

    source = FallbackContent(Complete(), HeuristicContent())
    content = source.write(golden_plans()[2])
    assert content.source == "llm" and content.fallback_keys == ()
    assert source.fallback_opportunities == 0


def test_other_errors_are_not_swallowed():
    class Broken:
        def write(self, plan: OpportunityPlan) -> OpportunityContent:
            raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        FallbackContent(Broken(), HeuristicContent()).write(golden_plans()[0])
