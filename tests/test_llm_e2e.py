"""LLM content through the whole pipeline: CLI → runner → openai client → loopback server → org."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from llm_server import LlmServer

from demo_gen.cli import cli
from demo_gen.local_org.store.core import Store


@pytest.fixture
def llm_server() -> Iterator[LlmServer]:
    with LlmServer() as server:
        yield server


def llm_config(make_config, url: str, **llm: object) -> Path:
    settings = {
        "enabled": True,
        "provider": "openai_compatible",
        "base_url": url,
        "model": "test-model",
        "max_retries": 0,
        "timeout_s": 3.0,
        "chunk_items": 200,  # whole-cycle stories: one request per opportunity still fits
        "max_tokens": 32000,
        **llm,
    }
    return make_config(llm=settings, scorecards={"mode": "hybrid"})


def run(config: Path) -> tuple[int, dict, str]:
    result = CliRunner().invoke(cli, ["run", "-c", str(config), "--json"])
    return result.exit_code, json.loads(result.stdout), result.stderr


def descriptions(org_db: Path) -> list[str]:
    store = Store(org_db)
    try:
        events = [e["Description"] for e in store.rows("Event") if e["WhatId"]]
        emails = [m["TextBody"] for m in store.rows("EmailMessage")]
    finally:
        store.close()
    return [text for text in events + emails if text]


def test_llm_writes_every_text_and_a_rerun_makes_no_call(make_config, llm_server, org_db):
    store = Store(org_db)
    before = {e["Id"] for e in store.rows("Event")}
    store.close()
    config = llm_config(make_config, llm_server.url)
    code, report, err = run(config)
    assert code == 0, err
    llm = report["llm"]
    assert 0 < llm["calls"] <= report["opportunities"]  # one request per opportunity, not per item
    assert llm["fallback_items"] == 0 and llm["fallback_opportunities"] == 0
    store = Store(org_db)
    new_events = [e for e in store.rows("Event") if e["Id"] not in before]
    answers = store.rows("DemoGen_Scorecard_Answer__c")
    store.close()
    assert new_events and all(e["Description"].startswith("LLM: ") for e in new_events)
    assert any(a["Source__c"] == "llm" for a in answers)  # hybrid: valid LLM answers are used
    calls = llm_server.count
    code, again, err = run(config)
    assert code == 0, err
    assert llm_server.count == calls
    assert again["llm"]["calls"] == 0 and again["llm"]["cache_hits"] == llm["calls"]


def test_provider_faults_fall_back_and_are_counted(make_config, llm_server):
    llm_server.error_rate = 0.3
    llm_server.malformed_rate = 0.15
    llm_server.timeout_next = 1
    llm_server.hang_s = 4.0
    config = llm_config(make_config, llm_server.url, timeout_s=1.0)
    code, report, err = run(config)
    assert code == 0, err  # the provider never fails the run
    llm = report["llm"]
    assert llm["fallback_opportunities"] > 0
    summary = json.loads((Path(report["run_dir"]) / "summary.json").read_text())
    assert summary["llm"]["fallback_opportunities"] == llm["fallback_opportunities"]
    assert report["totals"]["failed"] == 0


def test_server_down_means_heuristics_and_one_warning(make_config, org_db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    code, report, err = run(llm_config(make_config, url))
    assert code == 0, err
    events = [
        json.loads(line)
        for line in (Path(report["run_dir"]) / "events.jsonl").read_text().splitlines()
    ]
    warnings = [e for e in events if e["level"] == "warning" and e["event"].startswith("llm")]
    assert [e["event"] for e in warnings] == ["llm.unavailable"]
    assert report["totals"]["created"] > 0
    assert not any(text.startswith("LLM: ") for text in descriptions(org_db))


def test_doctor_and_dry_run_know_the_llm(make_config, llm_server):
    config = llm_config(make_config, llm_server.url, price_per_1k_tokens=0.002)
    result = CliRunner().invoke(cli, ["doctor", "-c", str(config), "--json"])
    assert result.exit_code == 0, result.stderr
    assert any(c["name"] == "LLM" and c["ok"] for c in json.loads(result.stdout))
    result = CliRunner().invoke(cli, ["dry-run", "-c", str(config), "--json"])
    estimate = json.loads(result.stdout)["llm_estimate"]
    assert estimate["requests"] > 0 and estimate["cost"] > 0
    assert llm_server.count == 0  # dry-run estimates; it never calls


def test_doctor_names_a_missing_model(make_config, llm_server):
    config = llm_config(make_config, llm_server.url, model="gpt-9")
    result = CliRunner().invoke(cli, ["doctor", "-c", str(config)])
    assert result.exit_code == 5
    assert "does not offer model gpt-9" in result.stderr


def test_with_the_llm_every_answer_claim_is_in_a_cited_record(make_config, llm_server, org_db):
    code, report, err = run(llm_config(make_config, llm_server.url))
    assert code == 0, err
    text = report["realism"]["text"]
    assert text["evidence_support_rate"]["value"] == 1.0
    assert text["named_people_absent"]["value"] == 0
    store = Store(org_db)
    answers = store.rows("DemoGen_Scorecard_Answer__c")
    store.close()
    llm_answers = [a for a in answers if a["Source__c"] == "llm"]
    assert any(a["Answer__c"].startswith("LLM: ") for a in llm_answers)  # facts quoted and cited


def test_an_llm_answer_with_an_unsupported_figure_is_replaced(make_config, llm_server, org_db):
    llm_server.invent_numbers = True  # "It saves 37% of costs." is in no record
    code, report, err = run(llm_config(make_config, llm_server.url))
    assert code == 0, err
    assert report["realism"]["text"]["evidence_support_rate"]["value"] == 1.0
    store = Store(org_db)
    answers = store.rows("DemoGen_Scorecard_Answer__c")
    store.close()
    assert answers and not any("37%" in a["Answer__c"] for a in answers)


def test_an_item_that_leaves_out_its_facts_falls_back(make_config, llm_server, org_db):
    llm_server.skip_facts_rate = 1.0  # the model ignores the fact sheet
    code, report, err = run(llm_config(make_config, llm_server.url))
    assert code == 0, err
    assert report["llm"]["fallback_items"] > 0
    texts = descriptions(org_db)
    assert any(not t.startswith("LLM: ") for t in texts)  # the heuristic says those facts
    assert report["realism"]["text"]["evidence_support_rate"]["value"] == 1.0


def test_dry_run_after_an_llm_run_shows_its_texts_and_scorecards(
    make_config, llm_server, org_db, tmp_path
):
    """dry-run goes through the run's prepare(): the LLM's cached texts and scorecard answers,
    never a request, and everything the run wrote shown as existing (=)."""
    config = llm_config(make_config, llm_server.url)
    code, report, err = run(config)
    assert code == 0, err
    calls = llm_server.count
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["dry-run", "-c", str(config), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert llm_server.count == calls  # dry-run never asks the LLM
    preview = json.loads(result.stdout)
    assert preview["scorecards"] == report["scorecards"]  # the LLM's answers, as the run had them
    (target,) = preview["targets"]
    assert target == f"salesforce:{report['org_id']}"
    assert all(c["new"] == 0 and c["existing"] > 0 for c in preview["targets"][target].values())
    plan = json.loads(out.read_text())
    texts = {m["text"] for op in plan["opportunities"] for m in op["meetings"] if m["text"]}
    assert texts and texts <= set(descriptions(org_db))  # the texts the run wrote
