"""LLM stories through the real openai client, over a real socket, against tests/llm_server.py."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from llm_server import LlmServer
from test_planner import PLACES, make_config, make_opportunity

from demo_gen.config.model import LlmSettings
from demo_gen.ledger.store import StateStore
from demo_gen.stages.content import HeuristicContent, item_keys
from demo_gen.stages.content.privacy import Pseudonyms, has_contact_data, scrub
from demo_gen.stages.content.stories import ScorecardQuestion, StoryWriter, estimate
from demo_gen.stages.content.story import Story, chunks
from demo_gen.stages.plan import OpportunityPlan
from demo_gen.stages.planner import plan_opportunity

ANCHOR = date(2026, 5, 4)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONES = (
    re.compile(r"(?:\+\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}"),  # +1 415 555 0100
    re.compile(r"\+\d[\d ().-]{6,}\d"),  # +44 20 7946 0958
)
QUESTIONS = (
    ("metrics", "Metrics", "What measurable outcome does the buyer expect?"),
    ("champion", "Champion", "Who champions the deal and why?"),
)

SEED, PACK = 42, "test-pack"


# -- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LlmServer]:
    with LlmServer() as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}") as opened:
        yield opened


def llm(url: str, **overrides: Any) -> LlmSettings:
    values: dict[str, Any] = {
        "enabled": True,
        "provider": "openai_compatible",
        "base_url": url,
        "model": "test-model",
        "max_tokens": 4000,
        "max_retries": 0,
        "timeout_s": 5.0,
        "concurrency": 4,
    }
    return LlmSettings(**(values | overrides))


def make_plans(n: int, *, small: bool = False, start: int = 0) -> list[OpportunityPlan]:
    if small:
        config = make_config(
            meetings={"past_min": 1, "past_max": 1, "future_min": 0, "future_max": 1},
            emails={"min": 1, "max": 2},
        )
    else:
        config = make_config(past_days=45, emails={"min": 5, "max": 10})  # one request each
    out = []
    for i in range(start, start + n):
        places = [PLACES[(i + k) % len(PLACES)] for k in range(3)]
        stage = ["Discovery", "Evaluation", "Proposal", "Negotiation"][i % 4]
        out.append(plan_opportunity(make_opportunity(i, stage, places=places), config, ANCHOR))
    return out


def questions_for(plans: list[OpportunityPlan]) -> dict[str, list[ScorecardQuestion]]:
    asked = [ScorecardQuestion("MEDDICC", eid, name, q) for eid, name, q in QUESTIONS]
    return {p.opportunity.id: asked for p in plans}


class Events:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, event: str, **fields: Any) -> None:
        self.seen.append((event, fields))

    def named(self, name: str) -> list[dict[str, Any]]:
        return [f for e, f in self.seen if e == name]

    def warnings(self) -> list[str]:
        return [e for e, f in self.seen if f.get("level") == "warning"]


def is_llm(text: str, prefix: str = "LLM") -> bool:
    return text.startswith(f"{prefix}: ")


def prompts(server: LlmServer) -> list[str]:
    return [json.dumps(body, ensure_ascii=False) for body in server.requests]


def sent_payload(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON block of a request's user message."""
    user = body["messages"][1]["content"]
    return json.loads(re.search(r"```json\s*(.*?)\s*```", user, re.S).group(1))


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# -- healthy provider ----------------------------------------------------------------------------


def test_every_text_comes_from_the_llm_in_one_request_per_opportunity(server, store):
    plans = make_plans(6)
    writer = StoryWriter(llm(server.url), "test", store, seed=SEED, pack=PACK)
    results = writer.write_all(plans, questions_for(plans))

    assert list(results) == [p.opportunity.id for p in plans]
    for plan in plans:
        content = results[plan.opportunity.id].content
        assert list(content.texts) == item_keys(plan)
        assert content.source == "llm" and content.fallback_keys == ()
        assert all(is_llm(t) and plan.opportunity.account.name in t for t in content.texts.values())
        answers = results[plan.opportunity.id].answers["MEDDICC"]
        assert set(answers) == {"metrics", "champion"}
        assert all(set(a.evidence_keys) <= set(item_keys(plan)) for a in answers.values())
        assert answers["metrics"].evidence_keys and answers["metrics"].confidence == 0.8
    assert server.count == writer.stats.calls == len(plans)
    assert writer.stats.fallback_items == 0 and writer.stats.tokens_in > 0
    body = server.requests[0]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["max_tokens"] == 4000 and body["model"] == "test-model"


def test_a_rerun_makes_no_llm_call(server, store):
    plans = make_plans(5)
    first = StoryWriter(llm(server.url), "test", store, seed=SEED, pack=PACK).write_all(
        plans, questions_for(plans)
    )
    calls = server.count

    again = StoryWriter(llm(server.url), "test", store, seed=SEED, pack=PACK)
    second = again.write_all(plans, questions_for(plans))

    assert server.count == calls
    assert again.stats.calls == 0 and again.stats.cache_hits == len(plans)
    assert {k: r.content.texts for k, r in second.items()} == {
        k: r.content.texts for k, r in first.items()
    }
    assert second[plans[0].opportunity.id].answers == first[plans[0].opportunity.id].answers


def test_refresh_asks_again_and_later_runs_keep_the_new_text(server, store):
    plans = make_plans(3)
    StoryWriter(llm(server.url), "test", store, seed=SEED, pack=PACK).write_all(plans, {})
    server.prefix = "LLM2"
    refreshed = StoryWriter(
        llm(server.url), "test", store, refresh=True, seed=SEED, pack=PACK
    ).write_all(plans, {})
    later = StoryWriter(llm(server.url), "test", store, seed=SEED, pack=PACK)
    results = later.write_all(plans, {})

    assert server.count == 2 * len(plans) and later.stats.calls == 0
    for plan in plans:
        assert all(is_llm(t, "LLM2") for t in refreshed[plan.opportunity.id].content.texts.values())
        assert results[plan.opportunity.id].content.texts == dict(
            refreshed[plan.opportunity.id].content.texts
        )


def test_azure_provider_reaches_the_deployment(server, store):
    root = server.url.removesuffix("/v1")
    settings = llm(root, provider="azure_openai", api_version="2024-10-21", model="story-dep")
    plans = make_plans(1)
    results = StoryWriter(settings, "azure-key", store, seed=SEED, pack=PACK).write_all(plans, {})

    assert results[plans[0].opportunity.id].content.fallback_keys == ()
    assert server.paths[0].startswith("/openai/deployments/story-dep/chat/completions")
    assert "api-version=2024-10-21" in server.paths[0]


def test_a_server_without_json_schema_gets_json_mode(server, store):
    server.reject_json_schema = True
    plans = make_plans(3)
    writer = StoryWriter(llm(server.url, concurrency=1), "test", store, seed=SEED, pack=PACK)
    results = writer.write_all(plans, {})

    kinds = [body["response_format"]["type"] for body in server.requests]
    assert kinds == ["json_schema", "json_object", "json_object", "json_object"]
    assert all(r.content.fallback_keys == () for r in results.values())


# -- faults --------------------------------------------------------------------------------------


def test_faults_fall_back_and_are_counted(server, store):
    server.error_rate = 0.3
    server.malformed_rate = 0.1
    server.timeout_next = 1
    server.hang_s = 1.5
    plans = make_plans(20)
    events = Events()
    writer = StoryWriter(
        llm(server.url, timeout_s=0.5), "test", store, on_event=events, seed=SEED, pack=PACK
    )
    results = writer.write_all(plans, questions_for(plans))

    heuristic = HeuristicContent(seed=SEED, pack=PACK)
    fell_back = [r for r in results.values() if r.content.fallback_keys]
    for plan in plans:
        content = results[plan.opportunity.id].content
        backup = heuristic.write(plan).texts
        for key, text in content.texts.items():
            assert text == backup[key] if key in content.fallback_keys else is_llm(text)
    stats = writer.stats
    assert 0 < len(fell_back) < len(plans)
    assert stats.fallback_opportunities == len(fell_back) == len(events.named("content.fallback"))
    assert stats.fallback_items == sum(len(r.content.fallback_keys) for r in fell_back)
    assert stats.failures["timeout"] == 1 and stats.failures["http_500"] >= 1
    assert sum(stats.failures.values()) == len(fell_back)
    assert events.named("llm.stats")[-1]["fallback_items"] == stats.fallback_items

    server.error_rate = server.malformed_rate = 0.0  # the next run asks only where it fell back
    before = server.count
    again = StoryWriter(llm(server.url), "test", store, seed=SEED, pack=PACK).write_all(
        plans, questions_for(plans)
    )
    assert server.count - before == len(fell_back)
    assert all(r.content.fallback_keys == () for r in again.values())


def test_invalid_or_missing_items_fall_back_one_by_one(server, store):
    server.drop_keys_rate = 0.2
    server.leak_rate = 0.2
    plans = make_plans(4)
    writer = StoryWriter(llm(server.url), "test", store, seed=SEED, pack=PACK)
    results = writer.write_all(plans, {})

    rejected = [k for r in results.values() for k in r.content.fallback_keys]
    assert rejected and writer.stats.failures == {"item_rejected": len(rejected)}
    for result in results.values():
        assert result.content.source == "llm"
        llm_keys = set(result.content.texts) - set(result.content.fallback_keys)
        assert llm_keys and all(is_llm(result.content.texts[k]) for k in llm_keys)
        assert not any(has_contact_data(t) for t in result.content.texts.values())


def test_server_down_means_heuristics_and_one_warning(store):
    plans = make_plans(12)
    events = Events()
    writer = StoryWriter(
        llm(closed_port_url(), concurrency=4), "test", store, on_event=events, seed=SEED, pack=PACK
    )
    results = writer.write_all(plans, questions_for(plans))

    assert events.warnings() == ["llm.unavailable"]
    assert writer.stats.calls <= 4
    assert writer.stats.fallback_opportunities == len(plans)
    for plan in plans:
        content = results[plan.opportunity.id].content
        assert content.source == "heuristic" and set(content.fallback_keys) == set(item_keys(plan))
        assert content.texts == HeuristicContent(seed=SEED, pack=PACK).write(plan).texts


def test_no_api_key_for_openai_means_no_call_and_one_warning(server, store):
    events = Events()
    settings = llm(server.url, provider="openai")
    plans = make_plans(3)
    results = StoryWriter(settings, None, store, on_event=events, seed=SEED, pack=PACK).write_all(
        plans, {}
    )

    assert server.count == 0 and events.warnings() == ["llm.unavailable"]
    assert "OPENAI_API_KEY" in events.named("llm.unavailable")[0]["reason"]
    assert all(r.content.source == "heuristic" for r in results.values())


def test_rate_limits_are_retried_honouring_retry_after(server, store):
    server.rate_limit_next = 1  # Retry-After: 0
    plans = make_plans(1)
    writer = StoryWriter(llm(server.url, max_retries=3), "test", store, seed=SEED, pack=PACK)
    results = writer.write_all(plans, {})
    assert server.statuses[:2] == [429, 200] and writer.stats.calls == 1
    assert results[plans[0].opportunity.id].content.fallback_keys == ()

    server.rate_limit_next, server.retry_after = 1, "1"
    started = time.perf_counter()
    StoryWriter(llm(server.url, max_retries=3), "test", store, seed=SEED, pack=PACK).write_all(
        make_plans(1, start=9), {}
    )
    assert time.perf_counter() - started >= 0.95  # waited as told, not the 0.5 s backoff
    assert server.statuses[-2:] == [429, 200]


# -- privacy -------------------------------------------------------------------------------------


def leaky_plans() -> list[OpportunityPlan]:
    """Contacts with emails and phones; an opportunity name that carries both."""
    plans = make_plans(3)
    opp = plans[0].opportunity
    leaky = replace(opp, name="Acme call +44 20 7946 0958 / deals@acme.example")
    config = make_config(past_days=45, emails={"min": 5, "max": 10})
    return [plan_opportunity(leaky, config, ANCHOR), *plans[1:]]


def test_no_email_address_or_phone_number_reaches_a_prompt(server, store):
    plans = leaky_plans()
    assert all(c.email and c.phone for p in plans for c in p.opportunity.contacts)
    StoryWriter(llm(server.url), "test", store, seed=SEED, pack=PACK).write_all(
        plans, questions_for(plans)
    )

    assert server.count == len(plans)
    for text in prompts(server):
        assert not EMAIL.search(text), EMAIL.search(text)
        assert not any(p.search(text) for p in PHONES)
        for plan in plans:
            for person in plan.opportunity.contacts:
                assert person.email not in text and person.phone not in text
            assert plan.opportunity.owner.email not in text


def test_pseudonyms_hide_names_in_prompts_and_are_restored_in_texts(server, store):
    plans = make_plans(3)
    results = StoryWriter(
        llm(server.url, pseudonymize_names=True), "test", store, seed=SEED, pack=PACK
    ).write_all(plans, questions_for(plans))
    sent = "\n".join(prompts(server))
    for plan in plans:
        opp = plan.opportunity
        for person in opp.contacts:
            assert person.name not in sent and person.last_name not in sent
        assert opp.owner.name not in sent and opp.account.name in sent
        texts = results[opp.id].content.texts
        assert results[opp.id].content.fallback_keys == ()
        participants = {c.name for c in opp.contacts}
        assert any(name in text for text in texts.values() for name in participants)


def test_privacy_helpers():
    assert has_contact_data("mail jo.doe@example.com") and has_contact_data("(415) 555-0100")
    assert has_contact_data("call +44 20 7946 0958") and has_contact_data("+49 30 1234567")
    ok = "Met on 2026-11-02 (2026-11-02 - 2026-11-05), 10:30-11:00; $1,250,000; 30-40% faster"
    assert not has_contact_data(ok)
    assert scrub("x jo@a.io y +1 415 555 0100 z") == "x [email removed] y [phone removed] z"
    names = Pseudonyms.of([("Ana", "Lopez"), (None, "Okafor"), ("Sam", "Rivera")])
    text = "Ana Lopez met Okafor; Sam and the Analyst agreed with Lopez."
    hidden = names.hide(text)
    assert not any(n in hidden for n in ("Ana ", "Lopez", "Okafor", "Sam", "Rivera"))
    assert "Analyst" in hidden and names.reveal(hidden) == text


# -- requests, chunks, estimate ------------------------------------------------------------------


def test_a_large_plan_is_split_and_the_story_carries_over(server, store):
    plans = make_plans(1)
    n_items = len(item_keys(plans[0]))
    assert n_items > 10
    settings = llm(server.url, chunk_items=5)
    results = StoryWriter(settings, "test", store, seed=SEED, pack=PACK).write_all(
        plans, questions_for(plans)
    )

    parts = -(-n_items // 5)
    assert server.count == parts
    payloads = [sent_payload(body) for body in server.requests]
    assert all(len(p["timeline"]) <= 5 for p in payloads)
    assert payloads[1]["story_so_far"].startswith("LLM story of Acme 0 up to part 1")
    assert payloads[-1]["questions"] and not payloads[0]["questions"]
    result = results[plans[0].opportunity.id]
    assert result.content.fallback_keys == () and set(result.answers["MEDDICC"]) == {
        "metrics",
        "champion",
    }


def test_max_tokens_bounds_the_items_per_request(server):
    plan = make_plans(1)[0]
    story = Story.of(
        plan, pseudonymize=False, sheet=HeuristicContent(seed=SEED, pack=PACK).sheet(plan)
    )
    parts = chunks(story, (), llm(server.url, max_tokens=500))
    assert all(len(c.entries) <= 3 for c in parts)
    assert [e for c in parts for e in c.entries] == list(story.timeline)


def test_200_opportunities_make_at_most_200_requests(server, store):
    plans = make_plans(200, small=True)
    writer = StoryWriter(llm(server.url, concurrency=8), "test", store, seed=SEED, pack=PACK)
    results = writer.write_all(plans, {})

    assert server.count <= 200 and writer.stats.calls == server.count
    assert len(results) == 200 and writer.stats.fallback_items == 0


def test_estimate_matches_the_requests_sent(server, store):
    plans = make_plans(4) + make_plans(1, start=10)
    settings = llm(server.url, chunk_items=8, price_per_1k_tokens=0.5)
    questions = questions_for(plans)
    guess = estimate(plans, settings, questions, seed=SEED, pack=PACK)
    assert server.count == 0  # offline

    StoryWriter(settings, "test", store, seed=SEED, pack=PACK).write_all(plans, questions)
    assert guess["requests"] == server.count
    assert guess["tokens_in"] > 0 and guess["tokens_out"] > 0
    assert guess["cost"] == round((guess["tokens_in"] + guess["tokens_out"]) / 1000 * 0.5, 4)
    assert estimate(plans, llm(server.url), questions, seed=SEED, pack=PACK)["cost"] is None


def test_disabled_llm_writes_heuristics_without_calls(server, store):
    plans = make_plans(2)
    writer = StoryWriter(llm(server.url, enabled=False), "test", store, seed=SEED, pack=PACK)
    results = writer.write_all(plans, {})
    assert server.count == 0 and writer.stats.fallback_items == 0
    assert all(r.content.source == "heuristic" for r in results.values())
