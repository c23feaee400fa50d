"""Answers, confidence, coverage and score: `render(template, plan, settings)` is pure.

See the package docstring for the formulas.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from demo_gen.config.model import ScorecardSettings
from demo_gen.stages.facts import build_fact_sheet, local_day
from demo_gen.stages.facts.timeline import attended
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting
from demo_gen.stages.scorecards.evidence import Records, happened
from demo_gen.stages.scorecards.heuristic import WRITERS, Ctx, Draft
from demo_gen.stages.scorecards.markdown import scorecard_markdown
from demo_gen.stages.scorecards.templates import (
    POSITIONS,
    Element,
    Template,
    expected_elements,
    stage_position,
)

Source = Literal["heuristic", "llm"]
PERSON_KINDS = frozenset({"economic_buyer", "authority", "champion"})
NAMING_KINDS = PERSON_KINDS | {"decision"}
"""Kinds whose answer must name a contact of the opportunity."""
TEXT_MIN, TEXT_MAX = 12, 700


@dataclass(frozen=True)
class LlmAnswer:
    """An answer proposed by the LLM writer; used only when `validate_llm_answer` accepts it."""

    element_id: str
    text: str
    confidence: float
    evidence_keys: tuple[str, ...]


@dataclass(frozen=True)
class Seen:
    """The day a scorecard is made on, for a plan that is the deal's story as seen that day
    (`stages/storyline.on_day`: what `run` and `refresh` write).

    `story` is the deal's whole story as its texts are written from it (`storyline.told_story`):
    the fact sheet comes from it, so the answers state the facts the texts state. `day` is the
    day the plan shows (a datetime: that moment, as `live` reveals it): only what happened
    before its start is evidence. `stage` is the deal's stage that day (its Opportunity's
    StageName once the command is done): the elements it expects."""

    story: OpportunityPlan
    day: date
    stage: str


@dataclass(frozen=True)
class Answer:
    """One element's answer; `evidence_keys` are plan item keys of past meetings and emails."""

    element_id: str
    element: str
    question: str
    text: str
    confidence: float
    source: Source
    evidence_keys: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "element_id": self.element_id,
            "element": self.element,
            "question": self.question,
            "text": self.text,
            "confidence": self.confidence,
            "source": self.source,
            "evidence_keys": list(self.evidence_keys),
        }


@dataclass(frozen=True)
class Scorecard:
    """One template filled for one opportunity. `coverage` is relative to the whole template."""

    template: str
    opportunity_id: str
    stage: str
    answers: tuple[Answer, ...]
    expected: int
    coverage: float
    confidence: float
    score: float
    title: str = ""
    opportunity_name: str = ""
    coverage_target: float = 0.0
    elements: tuple[Element, ...] = field(default=(), repr=False)
    expected_ids: tuple[str, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    """The deal's activity texts the answers were checked against (not serialised)."""
    until: datetime | None = field(default=None, repr=False, compare=False)
    """The start of the day the card was made on: its evidence happened before it (None: by
    the plan's anchor; `evidence.happened`)."""

    @property
    def answered(self) -> int:
        return len(self.answers)

    @property
    def coverage_of_expected(self) -> float:
        """Answered share of the elements the stage expects (0 when it expects none)."""
        return self.answered / self.expected if self.expected else 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; element ids expected but unanswered are listed as `open`."""
        answered = {a.element_id for a in self.answers}
        return {
            "template": self.template,
            "title": self.title,
            "opportunity_id": self.opportunity_id,
            "opportunity_name": self.opportunity_name,
            "stage": self.stage,
            "elements": len(self.elements),
            "expected": self.expected,
            "answered": self.answered,
            "coverage": self.coverage,
            "coverage_of_expected": self.coverage_of_expected,
            "coverage_target": self.coverage_target,
            "confidence": self.confidence,
            "score": self.score,
            "answers": [a.to_json() for a in self.answers],
            "open": [i for i in self.expected_ids if i not in answered],
            "not_yet_expected": [e.id for e in self.elements if e.id not in self.expected_ids],
        }

    def to_markdown(self) -> str:
        """What a user sees: a summary line and one table row per element of the template."""
        return scorecard_markdown(self)


def render(
    template: Template,
    plan: OpportunityPlan,
    settings: ScorecardSettings,
    *,
    seed: int,
    pack: str,
    llm_answers: Mapping[str, LlmAnswer] | None = None,
    texts: Mapping[str, str] | None = None,
    seen: Seen | None = None,
) -> Scorecard:
    """Fill `template` for one opportunity's plan. Pure: same inputs, same scorecard.

    `texts` are the deal's activity texts as written (item key -> text); without them the
    heuristic writer's texts for the same seed and pack are used. With `seen`, `plan` is the
    deal's story on `seen.day`: the card is what the scorer makes of that day's evidence
    (`Seen`); without it, of the plan's past as of its anchor, with the plan's own fact sheet.
    """
    until = _until(plan, seen)
    if seen is not None:
        plan = replace(plan, opportunity=replace(plan.opportunity, stage=seen.stage))
    opp = plan.opportunity
    base = f"{seed}/{pack}/{opp.id}/scorecard"
    sheet = build_fact_sheet(seen.story if seen else plan, seed=seed, pack=pack)
    if texts is None:
        from demo_gen.stages.content.heuristic import HeuristicContent

        texts = HeuristicContent(seed=seed, pack=pack).write(seen.story if seen else plan).texts
    today = local_day(until, opp.owner.time_zone) if until else plan.anchor
    ctx = Ctx(opp, sheet, Records(plan, texts, until), stage_position(opp.stage), today)
    expected = expected_elements(template, opp.stage)
    # llm mode with no LLM output at all (disabled or failed) falls back to the heuristic
    mode = settings.mode if llm_answers is not None else "heuristic"
    answers: list[Answer] = []
    for element in expected:
        answer = _answer(element, ctx, base, mode, llm_answers or {})
        if answer is not None and answer.confidence >= settings.confidence_floor:
            answers.append(answer)
    card = _scorecard(template, plan, settings, expected, answers)
    return replace(card, texts=texts, until=until)


def _until(plan: OpportunityPlan, seen: Seen | None) -> datetime | None:
    """The start of the day the card is made on (a moment is its own start)."""
    if seen is None:
        return None
    from demo_gen.stages.planning.outcome import boundary_of

    return boundary_of(plan, seen.day)


def _answer(
    element: Element, ctx: Ctx, base: str, mode: str, llm: Mapping[str, LlmAnswer]
) -> Answer | None:
    proposed = llm.get(element.id)
    llm_mode = mode != "heuristic" and proposed is not None
    if (
        llm_mode
        and proposed
        and validate_llm_answer(proposed, element, ctx.records.plan, ctx.records)
    ):
        return _make(element, proposed.text, proposed.confidence, "llm", proposed.evidence_keys)
    if mode == "llm":
        return None
    return _heuristic(element, ctx, random.Random(f"{base}/{element.kind}"))


def _heuristic(element: Element, ctx: Ctx, rng: random.Random) -> Answer | None:
    draft = WRITERS[element.kind](ctx, rng)
    if draft is None or not draft.cited or not ctx.records.supports(draft.text, draft.cited):
        return None
    confidence = _confidence(draft, element, ctx, rng)
    return _make(element, draft.text, confidence, "heuristic", [r.key for r in draft.cited])


def _make(
    element: Element, text: str, confidence: float, source: Source, keys: Sequence[str]
) -> Answer:
    return Answer(
        element_id=element.id,
        element=element.name,
        question=element.questions[0],
        text=text.strip(),
        confidence=confidence,
        source=source,
        evidence_keys=tuple(keys),
    )


def _confidence(draft: Draft, element: Element, ctx: Ctx, rng: random.Random) -> float:
    """Evidence strength, how long the element has been expected, the data's gaps, a jitter."""
    meetings = sum(1 for r in draft.cited if r.is_meeting)
    value = 0.72 + 0.04 * min(meetings - 1, 3) if meetings else 0.60
    if POSITIONS.index(element.gate) < POSITIONS.index(ctx.position):
        value += 0.05  # expected since an earlier stage: confirmed more than once by now
    if ctx.opp.is_won:
        value += 0.03
    value += rng.uniform(-0.03, 0.03) - draft.penalty
    return round(min(0.95, max(0.05, value)), 2)


def _scorecard(
    template: Template,
    plan: OpportunityPlan,
    settings: ScorecardSettings,
    expected: Sequence[Element],
    answers: Sequence[Answer],
) -> Scorecard:
    coverage = len(answers) / len(template.elements)
    confidence = round(sum(a.confidence for a in answers) / len(answers), 4) if answers else 0.0
    of_expected = len(answers) / len(expected) if expected else 0.0
    target = settings.coverage_target
    credit = min(1.0, of_expected / target) if target > 0 else (1.0 if answers else 0.0)
    return Scorecard(
        template=template.name,
        opportunity_id=plan.opportunity.id,
        stage=plan.opportunity.stage,
        answers=tuple(answers),
        expected=len(expected),
        coverage=coverage,
        confidence=confidence,
        score=float(round(100 * credit * confidence)),
        title=template.title,
        opportunity_name=plan.opportunity.name,
        coverage_target=target,
        elements=template.elements,
        expected_ids=tuple(e.id for e in expected),
    )


def validate_llm_answer(
    answer: LlmAnswer, element: Element, plan: OpportunityPlan, records: Records | None = None
) -> bool:
    """Whether an LLM answer may stand: right element, sane text and confidence, real evidence.

    Evidence keys must be past meetings or emails of this plan (at least one). For Economic
    Buyer, Champion, Authority and Decision the text must name a contact of the opportunity, and
    for Economic Buyer, Champion and Authority a cited item must involve that contact. With the
    deal's `records`, every date, number and contact name in the text must be in a cited record.
    """
    text = answer.text.strip()
    if answer.element_id != element.id or not TEXT_MIN <= len(text) <= TEXT_MAX:
        return False
    if not (math.isfinite(answer.confidence) and 0.0 <= answer.confidence <= 1.0):
        return False
    keys = answer.evidence_keys
    until = records.until if records is not None else None
    if not keys or len(set(keys)) != len(keys) or not set(keys) <= past_keys(plan, until):
        return False
    if records is not None:
        cited = [r for r in records.items if r.key in keys]
        if not records.supports(text, cited):
            return False
    if element.kind not in NAMING_KINDS:
        return True
    named = [c for c in plan.opportunity.contacts if c.name in text]
    if not named:
        return False
    if element.kind not in PERSON_KINDS:
        return True
    everything: list[PlannedMeeting | PlannedEmail] = [*plan.meetings, *plan.emails]
    items = {i.key: i for i in everything}
    return any(c.id in attended(items[k]) for k in keys for c in named)


def past_keys(plan: OpportunityPlan, until: datetime | None = None) -> frozenset[str]:
    """The keys an answer may cite: meetings and emails that happened before `until` (None: by
    the plan's anchor; `evidence.happened`)."""
    everything: list[PlannedMeeting | PlannedEmail] = [*plan.meetings, *plan.emails]
    return frozenset(i.key for i in everything if happened(i, plan, until))
