"""Methodology scorecards (MEDDICC, MEDDPICC, BANT, SPICED) filled from an opportunity's plan.

`load_template(name_or_path)` reads a template (YAML, validated, errors at `path:line: key:`);
`render(template, plan, settings, seed=, pack=, llm_answers=)` is pure and returns a `Scorecard`.

Stage gates. Each template says, per stage-path position (qualification → discovery →
evaluation → proposal → negotiation → closed), which elements a deal is expected to have covered
by then; Salesforce stages map to positions (`STAGE_POSITIONS`; unknown → qualification, Closed
Lost → evaluation). A scorecard only ever answers expected elements.

Answers, per `scorecards.mode`:
- heuristic: written from the deal's fact sheet (`demo_gen.stages.facts`). Each answer cites the
  records (past meetings and emails, as their texts were written) that carry its facts: first the
  earliest record carrying all of a fact's tokens — so "raised in the discovery session on D" is
  the first time it was said — then up to two later records that come back to it. An answer is
  kept only if every date, number and contact name in it is in a cited record; only people who
  take part in the deal are named; nothing said yet → the element stays open.
- llm: the LLM's answer where `validate_llm_answer` accepts it (which includes the same
  every-claim-in-a-cited-record check), else the element stays open; with no LLM answers at all
  (`llm_answers=None`: disabled or failed) the heuristic fills in.
- hybrid: the LLM's answer where valid, else the heuristic one.
Evidence keys are always keys of PAST meetings or of emails (history) of the same plan.

The day. `render(..., seen=Seen(story, day, stage))` makes the card of a day: the plan is the
deal's story as seen that day (`storyline.on_day`), the fact sheet is the whole story's (the one
the texts are told from), only meetings held and emails sent before the day's start are
evidence (`evidence.happened`, also for an LLM answer's citations), a decision step due before
the day is "date passed", and the elements are those of `stage`. So the card of day N depends
on the story and N only: `refresh` on day N makes it, whether or not earlier days were
refreshed (commands/refresh_cards.py brings the records that exist to it).

Confidence of a heuristic answer (0–1, two decimals):
    0.72 + 0.04 × min(cited meetings − 1, 3)   if a cited record is a meeting
    0.60                                       if only emails are cited
    + 0.05 if the element was expected from an earlier position than the deal's,
    + 0.03 if the deal is won, − a penalty for shaky data (no amount, a passed signature date,
    no procurement or legal contact: 0.05–0.1), ± 0.03 seeded jitter, clamped to [0.05, 0.95].
An answer (heuristic or LLM) whose confidence is below `confidence_floor` is dropped: the element
is left open rather than filled with a guess.

Coverage and score:
    coverage             = answered / elements in the template        (≤ expected / elements)
    coverage_of_expected = answered / expected elements
    confidence           = mean confidence of the answers (0 when none)
    score                = round(100 × min(1, coverage_of_expected / coverage_target) × confidence)
So a deal that covers `coverage_target` of what its stage expects gets full credit for coverage,
and the score is then its mean confidence in percent; a stage that expects nothing scores 0.

Randomness: the fact sheet's `random.Random(f"{seed}/{pack}/{opportunity_id}/facts")` decides
every fact, so the same deal reads the same in every template; `…/scorecard/{kind}` words each
answer.
"""

from __future__ import annotations

from demo_gen.stages.scorecards.scoring import (
    Answer,
    LlmAnswer,
    Scorecard,
    Seen,
    render,
    validate_llm_answer,
)
from demo_gen.stages.scorecards.templates import (
    BUILTIN,
    POSITIONS,
    STAGE_POSITIONS,
    Element,
    Template,
    expected_elements,
    load_template,
    parse_template,
    stage_position,
)

__all__ = [
    "BUILTIN",
    "POSITIONS",
    "STAGE_POSITIONS",
    "Answer",
    "Element",
    "LlmAnswer",
    "Scorecard",
    "Seen",
    "Template",
    "expected_elements",
    "load_template",
    "parse_template",
    "render",
    "stage_position",
    "validate_llm_answer",
]
