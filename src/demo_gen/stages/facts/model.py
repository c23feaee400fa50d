"""The fact sheet's values: one deal's facts, who says them where, and the deal's roles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from demo_gen.stages.model import Contact
from demo_gen.stages.stories.scenario import Scenario

KINDS: tuple[str, ...] = (
    "pain",
    "competition",
    "critical_event",
    "champion",
    "economic_buyer",
    "technical",
    "metrics",
    "criteria",
    "budget",
    "process",
    "paper",
)
"""Fact kinds, in the order a deal usually reveals them."""


@dataclass(frozen=True)
class Fact:
    """One thing the buyer tells the seller.

    `statement` is the fact in plain words (what the LLM is told to say); `tokens` are the names,
    numbers, dates and phrases any text that says it must carry verbatim; `said_in` is the key of
    the past activity where it is first said (None: not said yet), `refs` later past activities
    that come back to it.
    """

    kind: str
    statement: str
    tokens: tuple[str, ...]
    said_in: str | None = None
    refs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "statement": self.statement,
            "tokens": list(self.tokens),
            "said_in": self.said_in,
            "refs": list(self.refs),
        }


@dataclass(frozen=True)
class Roles:
    """The buying committee's key people, chosen among the contacts who take part in the deal."""

    champion: Contact | None = None
    economic_buyer: Contact | None = None
    technical: Contact | None = None
    procurement: Contact | None = None
    legal: Contact | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            name: None if c is None else {"name": c.name, "title": c.title}
            for name, c in (
                ("champion", self.champion),
                ("economic_buyer", self.economic_buyer),
                ("technical", self.technical),
                ("procurement", self.procurement),
                ("legal", self.legal),
            )
        }


@dataclass(frozen=True)
class Step:
    """One step of the decision process and the working day it is due."""

    what: str
    due: date


@dataclass(frozen=True)
class Numbers:
    """The deal's quantified story, sized to its amount."""

    metric: str
    unit: str
    baseline: str  # "18%", "9 days"
    target: str
    value: str  # yearly value, "$1.2M" ("" without an amount)
    amount: str  # "$240k" ("" without an amount)
    hours: int  # hours a month the pain costs
    staff: int  # people who feel it


@dataclass(frozen=True)
class FactSheet:
    """Everything said in one deal, planned before any text is written."""

    opportunity_id: str
    industry_team: str
    pain: str
    numbers: Numbers
    criteria: tuple[str, ...]
    incumbent: str
    alternatives: tuple[str, ...]
    critical_event: str
    event_date: date
    steps: tuple[Step, ...]
    paper: str
    paper_weeks: int
    budget_line: str
    fiscal_year: str
    roles: Roles
    facts: Mapping[str, Fact] = field(default_factory=dict)
    process_passed: bool = False  # an open deal whose planned signature date is behind the anchor
    scenario: Scenario | None = None  # the deal's scripted story, if it has one

    def said_in(self, key: str) -> list[Fact]:
        """The facts first said in this activity, in reveal order."""
        return [f for k in KINDS if (f := self.facts.get(k)) is not None and f.said_in == key]

    def referred_in(self, key: str) -> list[Fact]:
        """The facts this activity comes back to."""
        return [f for k in KINDS if (f := self.facts.get(k)) is not None and key in f.refs]

    def fact(self, kind: str) -> Fact | None:
        """The fact of this kind if it has been said in a past activity."""
        found = self.facts.get(kind)
        return found if found is not None and found.said_in is not None else None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: what a person reads as the deal's fact sheet."""
        return {
            "opportunity_id": self.opportunity_id,
            "roles": self.roles.to_json(),
            "facts": [self.facts[k].to_json() for k in KINDS if k in self.facts],
            "process_passed": self.process_passed,
        }
