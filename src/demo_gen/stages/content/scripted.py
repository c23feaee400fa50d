"""What a scripted deal's notes add: the risk raised, the stall, the executive who joined.

The script marks activities (`Scenario.marks`); the heuristic writer's notes for a marked meeting
get one more sentence drawn from a small seeded bank, with the deal's own names and numbers:
a pricing objection names the amount, a blocked security review the criterion at stake, a legal
delay the paper; the meeting a deal stalls after ends without a next step.
"""

from __future__ import annotations

import random

from demo_gen.stages.facts.model import FactSheet
from demo_gen.stages.model import Contact
from demo_gen.stages.plan import OpportunityPlan

_RISK: dict[str, tuple[str, ...]] = {
    "pricing_objection": (
        "{who} pushed back hard on price: {amount} is above what they had planned, and they "
        "asked for a discount before going any further.",
        "Pricing objection from {who}: {amount} does not fit their number; they want a better "
        "offer before the next step.",
        "{who} said the price is the problem: at {amount} they cannot get it approved as it is.",
    ),
    "security_review_blocked": (
        "Their security team blocked the review: they will not sign off on {criterion} until "
        "our answers to the questionnaire are checked again.",
        "The security review is stuck: {who} said InfoSec has put it on hold over {criterion}.",
        "Security raised a blocker on {criterion}; {who} cannot move forward until it is cleared.",
    ),
    "legal_delay": (
        "Legal is slow: their counsel has not returned the redlines on the {paper}, and {who} "
        "expects weeks more.",
        "{who} warned that legal review of the {paper} is delayed; their lawyers are on other "
        "deals first.",
        "The {paper} is sitting with their legal team; {who} could not give a date for it back.",
    ),
}
STALL_MARK = "the story stalls after this meeting"
JOIN_MARK = "a new executive joins"
_STALL = (
    "No next step was agreed: {who} said they need to think about it internally.",
    "We left without a date for the next meeting; {who} will come back to us.",
    "They did not commit to a next step; {who} said it is on hold for now.",
)
_JOINED = (
    "New on the call: {name}, {title}, who is now part of the decision.",
    "{name} ({title}) joined for the first time and asked to be kept in the loop.",
)


def _amount(sheet: FactSheet) -> str:
    return sheet.numbers.amount or "the proposed price"


def script_note(
    plan: OpportunityPlan, sheet: FactSheet, key: str, speaker: Contact | None
) -> tuple[str, bool]:
    """(the sentence the script adds to the notes of `key`, whether it replaces the next step)."""
    s = plan.scenario
    if s is None or key not in s.marks:
        return "", False
    # the deal and the activity, not where the script sits: the same in every copy of the file
    rng = random.Random(f"{plan.opportunity.id}/{key}/note")
    who = speaker.name if speaker else "the customer"
    notes, replaces_next = [], False
    for mark in s.marks[key].split("; "):
        if mark.startswith("risk: "):
            risk = mark.removeprefix("risk: ")
            notes.append(
                rng.choice(_RISK[risk]).format(
                    who=who, amount=_amount(sheet), criterion=sheet.criteria[-1], paper=sheet.paper
                )
            )
        elif mark == STALL_MARK:
            notes.append(rng.choice(_STALL).format(who=who))
            replaces_next = True
        elif mark == JOIN_MARK and s.new_executive_id:
            exec_ = next(c for c in plan.opportunity.contacts if c.id == s.new_executive_id)
            title = exec_.title or "an executive"
            notes.insert(0, rng.choice(_JOINED).format(name=exec_.name, title=title))
    return " ".join(notes), replaces_next
