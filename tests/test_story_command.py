"""`demo-gen story "SENTENCE"` against the loopback OpenAI-compatible server and the local org."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from llm_server import LlmServer

from demo_gen.cli import cli
from demo_gen.config.model import load_config
from demo_gen.config.stories import StoryScript


@pytest.fixture
def llm_server() -> Iterator[LlmServer]:
    with LlmServer() as server:
        yield server


def llm_config(make_config, url: str) -> Path:
    llm = {"enabled": True, "provider": "openai_compatible", "base_url": url,
           "model": "test-model", "max_retries": 0, "timeout_s": 3.0}  # fmt: skip
    return make_config(llm=llm, salesforce={"query": {"limit": 100}})


def story(*args: str):
    result = CliRunner().invoke(cli, ["story", *args])
    return result.exit_code, result.stdout, result.stderr


SENTENCES = [
    (
        "Novalis Hotels Inc. – Real-Time Dashboards: the champion goes quiet after the pricing "
        "call and a competitor, ThoughtSpot, shows up in negotiation",
        {"deal": {"name": "Novalis Hotels Inc. – Real-Time Dashboards"},
         "people": {"champion_quiet_from": {"after": "pricing"}},
         "competition": {"competitor": "ThoughtSpot", "enters_at": "Negotiation"}},
    ),
    (
        "Lakeshore Press: the deal stalls after the demo",
        {"deal": {"name": "Lakeshore Press – Customer 360"}, "pace": {"stall_after": "demo"}},
    ),
    (
        "Wavecrest Insurance: the close date is slipping because of a legal delay",
        {"deal": {"name": "Wavecrest Insurance – Data Governance Program"},
         "pace": {"slipping": True}, "risks": ["legal_delay"]},
    ),
    (
        "Horizon Networks – Seat Expansion: on track, and a new executive joins in Discovery",
        {"deal": {"name": "Horizon Networks – Seat Expansion"}, "pace": {"on_track": True},
         "people": {"new_executive": "Discovery"}},
    ),
    (
        "Amberley Labs – Embedded Analytics: the economic buyer never shows up and a pricing "
        "objection stalls it after the business case",
        {"deal": {"name": "Amberley Labs – Embedded Analytics"},
         "pace": {"stall_after": "business_case"}, "people": {"economic_buyer_absent": True},
         "risks": ["pricing_objection"]},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "expected"), SENTENCES, ids=range(5))
def test_five_sentences_become_valid_scenarios(make_config, llm_server, sentence, expected):
    config = llm_config(make_config, llm_server.url)
    code, out, err = story(sentence, "-c", str(config))
    assert code == 0, err
    (entry,) = yaml.safe_load(out)["stories"]
    StoryScript.model_validate(entry)
    assert entry == expected
    request = llm_server.requests[-1]
    assert request["response_format"]["type"] == "json_schema"
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and "competitor" in schema["required"]


def test_write_adds_the_entry_and_keeps_the_rest_of_the_file(make_config, llm_server):
    config = llm_config(make_config, llm_server.url)
    original = config.read_text(encoding="utf-8") + "# my own note\n"
    config.write_text(original, encoding="utf-8")
    code, _, err = story(SENTENCES[1][0], "-c", str(config), "--write")
    assert code == 0, err
    code, _, err = story(SENTENCES[0][0], "-c", str(config), "--write")
    assert code == 0, err
    text = config.read_text(encoding="utf-8")
    assert text.startswith(original)
    loaded = load_config(config, env={})
    names = [s.deal.name for s in loaded.stories]
    assert names == [SENTENCES[1][1]["deal"]["name"], SENTENCES[0][1]["deal"]["name"]]
    result = CliRunner().invoke(cli, ["dry-run", "-c", str(config), "--json"])
    assert result.exit_code == 0, result.stderr


def test_an_ambiguous_deal_is_listed_and_nothing_is_written(make_config, llm_server):
    config = llm_config(make_config, llm_server.url)
    before = config.read_text(encoding="utf-8")
    sentence = "Driftwood Financial: a security review is blocked"
    code, out, err = story(sentence, "-c", str(config), "--write")
    assert code == 2
    assert "2 deals match" in err
    assert "Driftwood Financial – Supply Chain Visibility" in err
    assert "Driftwood Financial – Customer 360" in err
    assert "security_review_blocked" in out
    assert config.read_text(encoding="utf-8") == before


def test_a_malformed_answer_falls_back_to_the_yaml_to_write(make_config, llm_server):
    config = llm_config(make_config, llm_server.url)
    for answer in ('{"deal_name": "Lakeshore Press", "pace": ', '{"deal_name": 3, "pace": "x"}',
                   json.dumps(["not", "an", "object"])):  # fmt: skip
        llm_server.scenario_answer = answer
        code, out, err = story(SENTENCES[1][0], "-c", str(config))
        assert code == 0, err
        assert "write the scenario by hand" in err
        (entry,) = yaml.safe_load(out)["stories"]
        assert entry["deal"] == {"name": "Lakeshore Press"}
        assert "Traceback" not in err


def test_without_an_llm_it_says_so_and_shows_the_skeleton(make_config):
    config = make_config()
    code, out, err = story("Acme Corp: stalls after pricing", "-c", str(config))
    assert code == 0
    assert err.strip().splitlines() == [
        "no LLM is configured (llm.enabled): write the scenario by hand (vocabulary: README.md):"
    ]
    (entry,) = yaml.safe_load(out)["stories"]
    assert entry["deal"] == {"name": "Acme Corp"}
    StoryScript.model_validate(entry)
    code, _, err = story("Acme Corp: stalls", "-c", str(config), "--write")
    assert code == 2 and "nothing written" in err
