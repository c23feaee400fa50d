"""Scorecard templates as data: YAML files validated on load, with `path:line: key:` errors.

A template lists its elements (id, letter, name, definition, 2–4 questions, and the `kind` of
heuristic that answers it) and its stage gates: for each position of the stage path, the elements
a deal is newly expected to have covered once it gets there. Expectations accumulate along
`POSITIONS`, and every element is gated exactly once, so a closed deal is expected to cover all.
Salesforce stages map to positions through `STAGE_POSITIONS`, shared by every template.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from demo_gen.config.yamlsource import first_error, line_of, parse_yaml, read_text
from demo_gen.errors import ConfigError

POSITIONS: tuple[str, ...] = (
    "qualification",
    "discovery",
    "evaluation",
    "proposal",
    "negotiation",
    "closed",
)
STAGE_POSITIONS: Mapping[str, str] = MappingProxyType(
    {
        "prospecting": "qualification",
        "qualification": "qualification",
        "needs analysis": "discovery",
        "discovery": "discovery",
        "value proposition": "evaluation",
        "id. decision makers": "evaluation",
        "perception analysis": "evaluation",
        "evaluation": "evaluation",
        "proposal": "proposal",
        "proposal/price quote": "proposal",
        "negotiation": "negotiation",
        "negotiation/review": "negotiation",
        "closed won": "closed",
        # A lost deal stopped somewhere between demo and legal; score what a typical one had.
        "closed lost": "evaluation",
    }
)
"""Salesforce StageName (lower case) → stage-path position; anything else is `qualification`."""

BUILTIN: tuple[str, ...] = ("MEDDICC", "MEDDPICC", "BANT", "SPICED")

Kind = Literal[
    "metrics",
    "economic_buyer",
    "decision_criteria",
    "decision_process",
    "paper_process",
    "pain",
    "champion",
    "competition",
    "budget",
    "authority",
    "need",
    "timeline",
    "situation",
    "impact",
    "critical_event",
    "decision",
]
Position = Literal["qualification", "discovery", "evaluation", "proposal", "negotiation", "closed"]


@dataclass(frozen=True)
class Element:
    """One element of a methodology; `kind` names the heuristic that answers it."""

    id: str
    letter: str
    name: str
    definition: str
    questions: tuple[str, ...]
    kind: str
    gate: str = "qualification"  # the stage-path position from which it is expected


@dataclass(frozen=True)
class Template:
    """A methodology; `stage_gates` maps every position to the element ids expected by then."""

    name: str
    title: str
    elements: tuple[Element, ...]
    stage_gates: Mapping[str, tuple[str, ...]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = Annotated[str, Field(min_length=1, max_length=400)]


class _ElementModel(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    letter: str = Field(min_length=1, max_length=3)
    name: Text
    kind: Kind
    definition: Text
    questions: list[Text] = Field(min_length=2, max_length=4)


class _TemplateModel(_Strict):
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
    title: Text
    elements: list[_ElementModel] = Field(min_length=1, max_length=20)
    stage_gates: dict[Position, list[str]]


def stage_position(stage: str) -> str:
    """The stage-path position of a Salesforce stage; an unknown stage is the earliest."""
    return STAGE_POSITIONS.get(stage.strip().lower(), POSITIONS[0])


def expected_elements(template: Template, stage: str) -> tuple[Element, ...]:
    """The elements a deal at `stage` is expected to have covered, in template order."""
    ids = set(template.stage_gates[stage_position(stage)])
    return tuple(e for e in template.elements if e.id in ids)


def load_template(name_or_path: str) -> Template:
    """A built-in template by name (MEDDICC, MEDDPICC, BANT, SPICED) or a user's YAML file.

    Raises ConfigError naming `path:line: key: message` for an invalid file, and listing the
    valid choices for an unknown name.
    """
    if name_or_path.upper() in BUILTIN:
        return _builtin(name_or_path.upper())
    path = Path(name_or_path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        choices = ", ".join(BUILTIN)
        raise ConfigError(
            f"unknown scorecard template {name_or_path!r}: choose one of {choices}, "
            "or give the path of a .yaml template file"
        )
    if not path.is_file():
        raise ConfigError(f"{path}: scorecard template file not found")
    return parse_template(read_text(path), str(path))


@functools.cache
def _builtin(name: str) -> Template:
    source = resources.files("demo_gen.stages.scorecards") / "templates" / f"{name}.yaml"
    return parse_template(source.read_text(encoding="utf-8"), f"{name}.yaml")


def parse_template(text: str, where: str) -> Template:
    """Validate a template's YAML text; `where` names it in error messages."""
    data, lines = parse_yaml(text, where, what="name, title, elements and stage_gates")
    try:
        model = _TemplateModel.model_validate(data)
    except ValidationError as exc:
        raise _error(where, exc, lines) from None
    cumulative = _gates(model, where, lines)
    gate_of = {i: p for p in reversed(POSITIONS) for i in cumulative[p]}
    elements = tuple(
        Element(
            id=e.id,
            letter=e.letter,
            name=e.name,
            definition=e.definition,
            questions=tuple(e.questions),
            kind=e.kind,
            gate=gate_of[e.id],
        )
        for e in model.elements
    )
    return Template(model.name, model.title, elements, MappingProxyType(cumulative))


def _gates(
    model: _TemplateModel, where: str, lines: Mapping[tuple[str, ...], int]
) -> dict[str, tuple[str, ...]]:
    """Check the gates and accumulate them along the stage path."""
    ids = [e.id for e in model.elements]
    for i, element_id in enumerate(ids):
        if element_id in ids[:i]:
            line = lines.get(("elements", str(i), "id"), "?")
            raise ConfigError(f"{where}:{line}: elements.{i}.id: duplicate id {element_id!r}")
    seen: dict[str, str] = {}
    for position, gated in model.stage_gates.items():
        for j, element_id in enumerate(gated):
            line = lines.get(("stage_gates", position, str(j)), "?")
            key = f"stage_gates.{position}.{j}"
            if element_id not in ids:
                known = ", ".join(ids)
                raise ConfigError(
                    f"{where}:{line}: {key}: unknown element {element_id!r} ({known})"
                )
            if element_id in seen:
                raise ConfigError(
                    f"{where}:{line}: {key}: {element_id!r} is already gated at {seen[element_id]}"
                )
            seen[element_id] = position
    missing = [i for i in ids if i not in seen]
    if missing:
        line = lines.get(("stage_gates",), "?")
        raise ConfigError(f"{where}:{line}: stage_gates: no stage expects {', '.join(missing)}")
    cumulative: dict[str, tuple[str, ...]] = {}
    for n, pos in enumerate(POSITIONS):
        reached = set(POSITIONS[: n + 1])
        cumulative[pos] = tuple(i for i in ids if seen[i] in reached)
    return cumulative


def _error(where: str, exc: ValidationError, lines: Mapping[tuple[str, ...], int]) -> ConfigError:
    loc, dotted, message = first_error(exc, "see the built-in MEDDICC.yaml")
    return ConfigError(f"{where}:{line_of(loc, lines)}: {dotted}: {message}")
