"""A sentence in, a scripted story out: the configured LLM fills a JSON schema of the vocabulary.

`ask_scenario(sentence, client)` sends the sentence with the schema below as structured output
(JSON mode on providers without it) and turns the answer into a `stories:` entry, validated like
the configuration. `LlmFailure` when the answer is missing, not JSON or not the vocabulary: the
caller then shows the skeleton to write by hand. `skeleton(sentence)` is that skeleton.
"""

from __future__ import annotations

import json
from typing import Any, get_args

from pydantic import ValidationError

from demo_gen.config.stories import RISKS, MeetingKind, StoryScript, StoryStage
from demo_gen.stages.content.llm import ChatClient
from demo_gen.stages.content.story import LlmFailure, Prompt

_KINDS = list(get_args(MeetingKind))
_STAGES = list(get_args(StoryStage))


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


SCHEMA: dict[str, Any] = _object(
    {
        "deal_name": {"type": "string"},
        "pace": _nullable({"type": "string", "enum": ["on_track", "stall", "slipping"]}),
        "stall_after": _nullable({"type": "string", "enum": _KINDS}),
        "champion_quiet_after": _nullable({"type": "string", "enum": _KINDS}),
        "champion_quiet_on": _nullable({"type": "string"}),
        "economic_buyer_absent": {"type": "boolean"},
        "new_executive_stage": _nullable({"type": "string", "enum": _STAGES}),
        "competitor": _nullable({"type": "string"}),
        "competitor_enters_at": _nullable({"type": "string", "enum": _STAGES}),
        "risks": {"type": "array", "items": {"type": "string", "enum": list(RISKS)}},
        "metrics": _nullable(
            _object(
                {
                    "metric": {"type": "string"},
                    "baseline": {"type": "string"},
                    "target": {"type": "string"},
                }
            )
        ),
        "decision_criteria": {"type": "array", "items": {"type": "string"}},
        "critical_event": _nullable(
            _object({"name": {"type": "string"}, "on": {"type": "string"}})
        ),
    }
)
"""What the model fills: every key present, null (or empty) for what the sentence does not say."""

_SYSTEM = (
    "You turn a sales engineer's one-sentence description of a CRM deal's story into a scenario "
    "for a demo data generator. Fill every key of the JSON schema; use null, false or [] for "
    "anything the sentence does not say. deal_name: the deal or company named in the sentence. "
    "Meeting kinds: "
    + ", ".join(_KINDS)
    + ' ("pricing" is the pricing call). Stages: '
    + ", ".join(_STAGES)
    + ". Dates are YYYY-MM-DD. Answer with the JSON object only."
)


def prompt_for(sentence: str) -> Prompt:
    request = {"scenario_request": {"sentence": sentence}}
    return Prompt(_SYSTEM, "```json\n" + json.dumps(request, ensure_ascii=False) + "\n```")


def ask_scenario(sentence: str, client: ChatClient) -> dict[str, Any]:
    """The `stories:` entry the LLM reads in `sentence` (validated); LlmFailure if none."""
    completion = client.complete(prompt_for(sentence), SCHEMA)
    try:
        answer = json.loads(completion.text)
    except json.JSONDecodeError as exc:
        raise LlmFailure(f"the LLM's answer is not JSON ({exc.msg})", reason="malformed") from exc
    if not isinstance(answer, dict):
        raise LlmFailure("the LLM's answer is not a JSON object", reason="malformed")
    entry = entry_of(answer)
    try:
        StoryScript.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LlmFailure(
            f"the LLM's scenario is not valid ({where}: {first['msg']})", reason="invalid"
        ) from exc
    return entry


def entry_of(answer: dict[str, Any]) -> dict[str, Any]:
    """The configuration's shape of the schema's answer (only what it says)."""
    entry: dict[str, Any] = {"deal": {"name": str(answer.get("deal_name") or "").strip()}}
    pace = answer.get("pace")
    if pace == "stall" or (pace is None and answer.get("stall_after")):
        entry["pace"] = {"stall_after": answer.get("stall_after")}
    elif pace in ("on_track", "slipping"):
        entry["pace"] = {pace: True}
    elif pace is not None:
        entry["pace"] = {str(pace): True}
    people = _people(answer)
    if people:
        entry["people"] = people
    if answer.get("competitor"):
        entry["competition"] = {
            "competitor": answer["competitor"],
            "enters_at": answer.get("competitor_enters_at"),
        }
    if answer.get("risks"):
        entry["risks"] = list(answer["risks"])
    facts = {
        k: answer[k] for k in ("metrics", "decision_criteria", "critical_event") if answer.get(k)
    }
    if facts:
        entry["facts"] = facts
    return entry


def _people(answer: dict[str, Any]) -> dict[str, Any]:
    people: dict[str, Any] = {}
    if answer.get("champion_quiet_after"):
        people["champion_quiet_from"] = {"after": answer["champion_quiet_after"]}
    elif answer.get("champion_quiet_on"):
        people["champion_quiet_from"] = {"on": answer["champion_quiet_on"]}
    if answer.get("new_executive_stage"):
        people["new_executive"] = answer["new_executive_stage"]
    if answer.get("economic_buyer_absent") is True:
        people["economic_buyer_absent"] = True
    return people


def skeleton(sentence: str) -> dict[str, Any]:
    """The entry to fill by hand: the deal named before a colon, every part of the vocabulary."""
    name = sentence.split(":", 1)[0].strip() if ":" in sentence else "DEAL NAME"
    return {
        "deal": {"name": name},
        "pace": {"stall_after": "pricing"},
        "people": {"champion_quiet_from": {"after": "demo"}, "economic_buyer_absent": False},
        "competition": {"competitor": "COMPETITOR", "enters_at": "Negotiation"},
        "risks": ["pricing_objection"],
    }
