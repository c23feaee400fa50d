"""The model's answer to one story request: its JSON schema, and what of it may be used.

Output is checked item by item, so one bad item costs only that item: a text is used if its key
is one of the request's, it is non-empty, not too long, free of email addresses and phone numbers,
and carries every token of the facts the fact sheet plans to be first said there; stand-in names
are swapped back for the real ones.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from demo_gen.stages.content.privacy import has_contact_data
from demo_gen.stages.content.story import Chunk, LlmAnswerData, LlmFailure, Story
from demo_gen.stages.facts.claims import found

MAX_TEXT_CHARS = 4000
MAX_ANSWER_CHARS = 2000


@dataclass
class ChunkResult:
    """What one answer gave: texts by item key, answers by template and element."""

    texts: dict[str, str] = field(default_factory=dict)
    answers: dict[str, dict[str, LlmAnswerData]] = field(default_factory=dict)
    summary: str = ""
    rejected: tuple[str, ...] = ()


def _string_array() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}}


def _object(**properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


RESPONSE_SCHEMA: dict[str, Any] = _object(
    summary={"type": "string"},
    items={"type": "array", "items": _object(key={"type": "string"}, text={"type": "string"})},
    scorecard={
        "type": "array",
        "items": _object(
            template={"type": "string"},
            element_id={"type": "string"},
            answer={"type": "string"},
            confidence={"type": "number"},
            evidence_keys=_string_array(),
        ),
    },
)
"""The answer's JSON schema, strict-mode ready (every property required, nothing else)."""


class _Root(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: str = ""
    items: list[Any]
    scorecard: list[Any] = Field(default_factory=list)


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: str
    text: str


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    template: str
    element_id: str
    answer: str
    confidence: float = Field(ge=0.0, le=1.0)
    evidence_keys: list[str] = Field(default_factory=list)


_M = TypeVar("_M", bound=BaseModel)
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def parse(raw: str, story: Story, chunk: Chunk) -> ChunkResult:
    """The usable part of an answer; `LlmFailure("malformed")` if it is not the JSON asked for.

    An item is used only if its key is one of the chunk's and its text is non-empty, at most
    MAX_TEXT_CHARS long and free of email addresses and phone numbers; the rest is `rejected`.
    """
    fenced = _FENCE.match(raw)
    try:
        root = _Root.model_validate(json.loads(fenced.group(1) if fenced else raw))
    except (ValueError, ValidationError) as exc:
        raise LlmFailure(
            f"the answer is not the JSON asked for: {exc}", reason="malformed"
        ) from exc
    wanted = {e.alias: e.key for e in chunk.entries}
    result = ChunkResult(summary=root.summary.strip()[:MAX_ANSWER_CHARS])
    for entry in root.items:
        item = _valid(_Item, entry)
        if item is None or item.key not in wanted or wanted[item.key] in result.texts:
            continue
        text = story.names.reveal(item.text.strip())
        key = wanted[item.key]
        if not text or len(text) > MAX_TEXT_CHARS or has_contact_data(text):
            continue
        if all(found(token, text) for token in story.required.get(key, ())):
            result.texts[key] = text
    for entry in root.scorecard:
        _add_answer(result, _valid(_Answer, entry), story, chunk)
    result.rejected = tuple(e.key for e in chunk.entries if e.key not in result.texts)
    return result


def _valid(model: type[_M], data: Any) -> _M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _add_answer(result: ChunkResult, answer: _Answer | None, story: Story, chunk: Chunk) -> None:
    if answer is None:
        return
    asked = {(q.template, q.element_id) for q in chunk.questions}
    text = story.names.reveal(answer.answer.strip())
    if (answer.template, answer.element_id) not in asked or not text:
        return
    if len(text) > MAX_ANSWER_CHARS or has_contact_data(text):
        return
    aliases = story.aliases
    evidence = tuple(dict.fromkeys(aliases[k] for k in answer.evidence_keys if k in aliases))
    per_template = result.answers.setdefault(answer.template, {})
    per_template.setdefault(answer.element_id, LlmAnswerData(text, answer.confidence, evidence))
