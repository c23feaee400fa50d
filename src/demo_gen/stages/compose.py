"""From one opportunity's plan, its text and its scorecards to the records to write. Pure.

Shared by `run` and `dry-run`, so both count exactly the same records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any, Protocol

from demo_gen.config.model import Config
from demo_gen.stages.content.stories import ScorecardQuestion, StoryResult
from demo_gen.stages.items import (
    EMAIL,
    MEETING,
    Capabilities,
    WorkItem,
    build_items,
    scorecard_items,
)
from demo_gen.stages.plan import OpportunityPlan
from demo_gen.stages.scorecards import (
    LlmAnswer,
    Scorecard,
    Seen,
    Template,
    expected_elements,
    load_template,
    render,
)

LlmAnswers = Mapping[str, Mapping[str, LlmAnswer]]  # template -> element id -> answer
_SCORE_BANDS = ((80, "80-100"), (60, "60-79"), (40, "40-59"), (20, "20-39"), (0, "0-19"))


def load_templates(config: Config) -> list[Template]:
    """The configured scorecard templates (ConfigError naming file:line for a bad user file)."""
    return [load_template(name) for name in config.scorecards.templates]


def scorecard_questions(
    templates: Sequence[Template], plans: Sequence[OpportunityPlan], config: Config
) -> dict[str, list[ScorecardQuestion]]:
    """What the LLM is asked per opportunity: the elements its stage expects, in llm/hybrid mode."""
    if config.scorecards.mode == "heuristic" or not config.llm.enabled:
        return {}
    return {
        op.opportunity.id: [
            ScorecardQuestion(t.name, e.id, e.name, e.questions[0])
            for t in templates
            for e in expected_elements(t, op.opportunity.stage)
        ]
        for op in plans
    }


def llm_answers(result: StoryResult | None) -> LlmAnswers | None:
    """The LLM's scorecard answers in the scorecards package's terms (None: no LLM answers)."""
    if result is None or not result.answers:
        return None
    return {
        template: {
            element_id: LlmAnswer(element_id, a.text, a.confidence, tuple(a.evidence_keys))
            for element_id, a in answers.items()
        }
        for template, answers in result.answers.items()
    }


def scorecards_for(
    templates: Sequence[Template],
    op: OpportunityPlan,
    config: Config,
    llm_answers: LlmAnswers | None = None,
    texts: Mapping[str, str] | None = None,
    seen: Seen | None = None,
) -> list[Scorecard]:
    """One scorecard per template for this opportunity, checked against its texts as written.

    Without `texts` the heuristic writer's texts (same seed and pack) are used; with `seen`,
    `op` is the deal's story on `seen.day` and each card is that day's (`scorecards.Seen`).
    """
    return [
        render(
            template,
            op,
            config.scorecards,
            seed=config.run.seed,
            pack=config.run.name,
            llm_answers=None if llm_answers is None else llm_answers.get(template.name, {}),
            texts=texts,
            seen=seen,
        )
        for template in templates
    ]


def opportunity_items(
    op: OpportunityPlan,
    texts: Mapping[str, str],
    cards: Sequence[Scorecard],
    *,
    org_id: str,
    pack: str,
    caps: Capabilities,
) -> list[WorkItem]:
    """Every record of one opportunity: activities and links, then scorecards and answers."""
    items = build_items(op, texts, org_id=org_id, pack=pack, caps=caps)
    if caps.scorecards:
        signatures = {i.label: i.signature for i in items if i.kind in (MEETING, EMAIL)}
        for card in cards:
            items.extend(scorecard_items(op, card, signatures, org_id=org_id, pack=pack))
    return items


class CardLike(Protocol):
    """What `scorecard_summary` reads of a scorecard."""

    @property
    def template(self) -> str: ...

    @property
    def score(self) -> float: ...

    @property
    def coverage(self) -> float: ...

    @property
    def coverage_of_expected(self) -> float: ...

    @property
    def answered(self) -> int: ...


@dataclass(frozen=True, slots=True)
class CardFigures:
    """A scorecard's figures for `scorecard_summary`, without its answers and texts: what a run
    keeps of each scorecard once its chunk is written."""

    template: str
    score: float
    coverage: float
    coverage_of_expected: float
    answered: int


def card_figures(card: Scorecard) -> CardFigures:
    """The figures `scorecard_summary` reads of `card`."""
    return CardFigures(
        card.template, card.score, card.coverage, card.coverage_of_expected, card.answered
    )


def scorecard_summary(cards: Sequence[CardLike]) -> dict[str, Any]:
    """Coverage and the score distribution, as summary.json and `status` show them."""
    if not cards:
        return {"scorecards": 0}
    bands = {label: 0 for _, label in _SCORE_BANDS}
    for card in cards:
        label = next(label for floor, label in _SCORE_BANDS if card.score >= floor)
        bands[label] += 1
    return {
        "scorecards": len(cards),
        "templates": sorted({c.template for c in cards}),
        "mean_score": round(mean(c.score for c in cards), 1),
        "mean_coverage": round(mean(c.coverage for c in cards), 4),
        "mean_coverage_of_expected": round(mean(c.coverage_of_expected for c in cards), 4),
        "answers": sum(c.answered for c in cards),
        "score_distribution": bands,
    }
