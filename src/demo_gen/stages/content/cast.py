"""Who was in the room: an internal meeting's attendee line, and its role words cast to names.

The planner seats the seller's colleagues (org Users: a sales engineer, a manager, an executive;
`planning.team`) in internal preps and deal reviews, and keeps them on the plan (`team`). The
notes then say who they were: "With: Camille Laurent, Lukas Weber (Sales Engineer)", and a role
the word banks name ("the sales engineer takes the technical questions", "walked the regional
lead through ...") becomes the colleague who held it in that meeting: "Lukas takes the technical
questions", "walked Henrik through ...".

A role nobody in the meeting holds is never claimed for them:
- as the one who acts (at the start of a sentence or clause), it goes to the seller (who owns the
  deal's follow-ups), or when the sentence already names the seller to a colleague who was
  there, else to "our side";
- as the one acted on ("briefs the manager"), it is the deal's colleague of that role by name
  (briefing someone who was not there is ordinary), and stays a role word only when the org has
  nobody with that role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from demo_gen.stages.model import Seller
from demo_gen.stages.plan import OpportunityPlan, PlannedMeeting

_ROLE_WORDS = (
    ("sales_engineer", r"sales engineer|solutions engineer|specialist"),
    ("manager", r"manager|sales director|regional lead"),
)
ROLE_PHRASE = re.compile(
    r"\b(?:[Tt]he|[Oo]ur) (?P<word>" + "|".join(w for _, w in _ROLE_WORDS) + r")\b"
)
"""A role the banks name for our side ("the sales engineer", "our manager")."""
_ACTOR_BEFORE = re.compile(r"(?:^|[.;:!?]\s*|\n)$")
_OPENS = re.compile(r"(?:^|[.:!?]\s*)$")  # a sentence (or a "Summary:" line) starts here
_LEADS = frozenset({"manager", "executive"})


def first_of(name: str) -> str:
    """A colleague's first name(s): everything before the last word."""
    parts = name.rsplit(" ", 1)
    return parts[0] if len(parts) == 2 else name


def colleagues(plan: OpportunityPlan, m: PlannedMeeting) -> list[Seller]:
    """The deal's colleagues in the meeting (declined ones left out), in invitation order."""
    declined = {who for who, status in m.responses if status == "Declined"}
    team = {u.id: u for u in plan.team}
    return [team[i] for i in m.internal_ids if i in team and i not in declined]


def with_line(plan: OpportunityPlan, m: PlannedMeeting) -> str:
    """An internal meeting's attendees: the seller, then each colleague with their title."""
    people = [plan.opportunity.owner.name]
    for mate in colleagues(plan, m):
        people.append(f"{mate.name} ({mate.title})" if mate.title else mate.name)
    return "With: " + ", ".join(people)


def cast(text: str, plan: OpportunityPlan, m: PlannedMeeting) -> str:
    """`text` with each role word of our side named as the person who held it (see above)."""
    there = colleagues(plan, m)
    owner = first_of(plan.opportunity.owner.name)
    lines = []
    for line in text.split("\n"):
        sentences = re.split(r"(?<=[.!?])\s+", line)
        lines.append(" ".join(_cast_sentence(s, plan.team, there, owner) for s in sentences))
    return "\n".join(lines)


def _cast_sentence(sentence: str, team: Sequence[Seller], there: list[Seller], owner: str) -> str:
    out = sentence
    for found in reversed(list(ROLE_PHRASE.finditer(sentence))):
        role = _role_of(found.group("word"))
        before = sentence[: found.start()]
        acting = bool(_ACTOR_BEFORE.search(before))
        name = _name_for(role, acting, team, there, owner, out)
        if name == "our side" and _OPENS.search(before):
            name = "Our side"
        if name is not None:
            out = out[: found.start()] + name + out[found.end() :]
    return out


def _role_of(word: str) -> str:
    return next(role for role, words in _ROLE_WORDS if re.fullmatch(words, word))


def _holds(user: Seller, role: str) -> bool:
    return user.role in _LEADS if role == "manager" else user.role == role


def _name_for(
    role: str,
    acting: bool,
    team: Sequence[Seller],
    there: list[Seller],
    owner: str,
    sentence: str,
) -> str | None:
    held = next((u for u in there if _holds(u, role)), None)
    if held is not None:
        return first_of(held.name)
    if not acting:
        mate = next((u for u in team if _holds(u, role)), None)
        return first_of(mate.name) if mate is not None else None
    if owner not in sentence:
        return owner
    for mate in there:
        if first_of(mate.name) not in sentence:
            return first_of(mate.name)
    return "our side"
