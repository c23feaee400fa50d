"""Stage-aware cadence: which meeting types a deal has had, who attends each, and for how long.

The path runs intro → discovery → demo → technical deep dive → business case → proposal →
negotiation → legal review → kickoff. A Salesforce stage maps to the slice of the path it is in;
past meetings climb the path up to the current slice, future ones stay in it or take the next step.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from demo_gen.model import Contact, Opportunity

PATH: tuple[str, ...] = (
    "intro",
    "discovery",
    "demo",
    "technical_deep_dive",
    "business_case",
    "proposal",
    "negotiation",
    "legal_review",
    "kickoff",
)
RANK: dict[str, int] = {name: i for i, name in enumerate(PATH)}
KICKOFF = RANK["kickoff"]
LEGAL = RANK["legal_review"]
LATE_STAGE = frozenset({"business_case", "proposal", "negotiation", "legal_review", "kickoff"})

# stage (lower case) -> (first, last) index into PATH of the meeting types that fit it
_STAGE_SLICE: dict[str, tuple[int, int]] = {
    "prospecting": (0, 1),
    "qualification": (0, 1),
    "needs analysis": (1, 2),
    "discovery": (1, 2),
    "value proposition": (2, 3),
    "id. decision makers": (2, 3),
    "perception analysis": (2, 3),
    "evaluation": (2, 3),
    "proposal": (4, 5),
    "proposal/price quote": (4, 5),
    "negotiation": (6, 7),
    "negotiation/review": (6, 7),
    "closed won": (8, 8),
}
_CANONICAL_STAGE = (
    "Qualification",
    "Discovery",
    "Evaluation",
    "Evaluation",
    "Proposal",
    "Proposal",
    "Negotiation",
    "Negotiation",
    "Closed Won",
)
_DURATIONS: dict[str, tuple[int, ...]] = {
    "intro": (30,),
    "discovery": (30, 45),
    "demo": (60,),
    "technical_deep_dive": (60,),
    "business_case": (45,),
    "proposal": (45, 60),
    "negotiation": (30, 45),
    "legal_review": (30, 45),
    "kickoff": (60, 45),
}


def stage_slice(opportunity: Opportunity, rng: random.Random) -> tuple[int, int]:
    """The (first, last) PATH indexes of the opportunity's current stage.

    Closed Lost stops wherever it stopped (drawn from the rng: somewhere from demo to legal);
    an unknown stage is placed by its probability.
    """
    key = opportunity.stage.strip().lower()
    if key in _STAGE_SLICE:
        return _STAGE_SLICE[key]
    if opportunity.is_closed and opportunity.is_won:
        return (KICKOFF, KICKOFF)
    if opportunity.is_closed:
        last = rng.randint(RANK["demo"], LEGAL)
        return (max(0, last - 1), last)
    probability = opportunity.probability or 0.0
    for bound, piece in ((20, (0, 1)), (40, (1, 2)), (60, (2, 3)), (80, (4, 5))):
        if probability < bound:
            return piece
    return (6, 7)


def stage_label(meeting_type: str, opportunity: Opportunity, current: tuple[int, int]) -> str:
    """The deal stage a meeting belongs to: the current stage once the deal has reached it."""
    rank = RANK[meeting_type]
    if current[0] <= rank <= current[1] and not (opportunity.is_closed and not opportunity.is_won):
        return opportunity.stage
    return _CANONICAL_STAGE[rank]


def past_types(
    n: int, first: int, last: int, born_in_window: bool, rng: random.Random
) -> list[str]:
    """n meeting types climbing the path up to `last`, in non-decreasing order, ending on `last`."""
    if n <= 0:
        return []
    low = 0 if born_in_window else max(0, first - 2)
    pool = list(range(low, last + 1))
    if last == KICKOFF:
        pool = [*range(low, LEGAL + 1), KICKOFF]
    chosen = [pool[-1]]
    earlier = pool[:-1]
    if n - 1 <= len(earlier):
        chosen += rng.sample(earlier, n - 1)
    else:
        repeatable = [i for i in pool if i not in (0, KICKOFF)] or [pool[-1]]
        chosen += earlier + [rng.choice(repeatable[-3:]) for _ in range(n - 1 - len(earlier))]
    return [PATH[i] for i in _once(sorted(chosen))]


def _once(ranks: list[int]) -> list[int]:
    """Intro and kickoff happen once: a repeated intro becomes discovery, a repeat kickoff legal."""
    out = []
    for i, rank in enumerate(ranks):
        if rank == 0 and i > 0:
            rank = 1
        elif rank == KICKOFF and i < len(ranks) - 1:
            rank = LEGAL
        out.append(rank)
    return sorted(out)


def future_types(n: int, first: int, last: int, rng: random.Random) -> list[str]:
    """n next-step meeting types: the current slice or the step after it (never kickoff)."""
    top = min(last + 1, LEGAL)
    pool = list(range(min(first, top), top + 1))
    return [PATH[i] for i in _once(sorted(rng.choice(pool) for _ in range(n)))]


def duration_for(meeting_type: str, allowed: Sequence[int], rng: random.Random) -> int:
    """A duration fitting the type, constrained to the configured list (nearest when none fits)."""
    preferred = _DURATIONS[meeting_type]
    fitting = [d for d in preferred if d in allowed]
    if fitting:
        return rng.choice(fitting)
    return min(sorted(allowed), key=lambda d: abs(d - preferred[0]))


# --- participants ---------------------------------------------------------------------------

_ROLE_PERSONA = (
    ("champion", "champion"),
    ("coach", "champion"),
    ("economic", "economic_buyer"),
    ("executive sponsor", "economic_buyer"),
    ("decision maker", "economic_buyer"),
    ("technical", "technical"),
    ("evaluator", "technical"),
    ("procurement", "procurement"),
    ("legal", "legal"),
)
_TITLE_PERSONA = (
    (("procurement", "purchasing", "sourcing", "vendor management"), "procurement"),
    (("counsel", "legal", "attorney", "contracts"), "legal"),
    (("cfo", "chief financial", "finance", "ceo", "chief executive", "president", "coo"),
     "economic_buyer"),
    (("cto", "cio", "architect", "engineer", "developer", "security", "it ", "data", "devops",
      "infrastructure", "technical", "technology"), "technical"),
)  # fmt: skip


def persona(contact: Contact) -> str:
    """champion, economic_buyer, technical, procurement, legal or user — role first, then title."""
    role = (contact.role or "").lower()
    for needle, name in _ROLE_PERSONA:
        if needle in role:
            return name
    title = f" {(contact.title or '').lower()} "
    for needles, name in _TITLE_PERSONA:
        if any(needle in title for needle in needles):
            return name
    return "user"


@dataclass(frozen=True)
class _Want:
    personas: tuple[str, ...]
    low: int
    high: int


_WANTS: dict[str, tuple[_Want, ...]] = {
    "intro": (),
    "discovery": (_Want(("user", "technical"), 0, 1),),
    "demo": (_Want(("user", "technical"), 2, 4),),
    "technical_deep_dive": (_Want(("technical",), 1, 3),),
    "business_case": (_Want(("economic_buyer",), 1, 1), _Want(("user",), 0, 1)),
    "proposal": (_Want(("economic_buyer",), 1, 1),),
    "negotiation": (_Want(("procurement", "legal"), 1, 2), _Want(("economic_buyer",), 0, 1)),
    "legal_review": (_Want(("legal", "procurement"), 1, 1),),
    "kickoff": (_Want(("user", "technical"), 1, 3),),
}


def rank_contacts(contacts: Sequence[Contact], preferred_roles: Sequence[str]) -> list[Contact]:
    """Contacts in preference order: preferred roles (in config order), other roles, the rest."""
    order = {role.lower(): i for i, role in enumerate(preferred_roles)}

    def key(item: tuple[int, Contact]) -> tuple[int, int, int]:
        index, contact = item
        role = (contact.role or "").lower()
        if role in order:
            return (0, order[role], index)
        return (1 if contact.role else 2, 0, index)

    return [c for _, c in sorted(enumerate(contacts), key=key)]


def champion(ranked: Sequence[Contact]) -> Contact:
    """The deal's champion: a Champion role, else the primary contact, else the best-ranked one."""
    for contact in ranked:
        if persona(contact) == "champion":
            return contact
    for contact in ranked:
        if contact.is_primary:
            return contact
    return ranked[0]


def participants(meeting_type: str, ranked: Sequence[Contact], rng: random.Random) -> list[Contact]:
    """Who attends a meeting of this type, lead participant first (reference §3.1 defaults)."""
    lead = champion(ranked)
    chosen: list[Contact] = [lead]
    for want in _WANTS[meeting_type]:
        count = rng.randint(want.low, want.high)
        pool = [c for c in ranked if c not in chosen and persona(c) in want.personas]
        if len(pool) < count and want.low > 0:
            pool += [c for c in ranked if c not in chosen and c not in pool]
        chosen += pool[:count]
    if meeting_type == "technical_deep_dive" and len(chosen) > 1 and rng.random() < 0.5:
        chosen = chosen[1:]  # the engineers alone; the champion skips the deep dive half the time
    return chosen
