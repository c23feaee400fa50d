"""A scorecard as Markdown: a summary line and one table row per element of the template."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from demo_gen.stages.scorecards.scoring import Answer, Scorecard
    from demo_gen.stages.scorecards.templates import Element


def scorecard_markdown(card: Scorecard) -> str:
    """The user-facing view; golden files compare it byte for byte."""
    answers = {a.element_id: a for a in card.answers}
    lines = [
        f"## {card.title or card.template}: {_cell(card.opportunity_name or card.opportunity_id)}",
        "",
        f"Opportunity `{card.opportunity_id}` · stage **{card.stage}** · "
        f"score **{card.score:.0f}**/100",
        "",
        f"Coverage: {card.answered} of {card.expected} expected elements answered "
        f"({card.coverage_of_expected:.0%}, target {card.coverage_target:.0%}); "
        f"{card.coverage:.0%} of the {len(card.elements)} in {card.template}. "
        f"Mean confidence {card.confidence:.2f}.",
        "",
        "| Element | Answer | Confidence | Evidence |",
        "| --- | --- | --- | --- |",
    ]
    for element in card.elements:
        lines.append(_row(element, answers.get(element.id), element.id in card.expected_ids))
    return "\n".join(lines) + "\n"


def _row(element: Element, answer: Answer | None, expected: bool) -> str:
    label = f"**{element.letter}** {element.name}"
    if answer is not None:
        evidence = ", ".join(f"`{k}`" for k in answer.evidence_keys) or "none"
        confidence = f"{answer.confidence:.2f} ({answer.source})"
        return f"| {label} | {_cell(answer.text)} | {confidence} | {evidence} |"
    if expected:
        return f"| {label} | _open: not enough evidence yet_ | | |"
    return f"| {label} | _expected from {element.gate}_ | | |"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())
