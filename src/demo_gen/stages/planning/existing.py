"""The org's own meetings on a deal, read as steps of its story.

An Event already on the deal whose subject names a step ("Intro call", "Product demo",
"Pricing discussion") and falls where the story has that step's stage (or next to it) anchors
the story: planned meetings earlier on the path go before it, later ones after it, and a deal
that already had its intro gets no second one. Other Events are busy time only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from demo_gen.stages.model import BusyEvent
from demo_gen.stages.planning.story import RANK, STAGES, Story

_WORDS = (
    ("intro", "intro"),
    ("discovery", "discovery"),
    ("deep dive", "technical_deep_dive"),
    ("poc", "technical_deep_dive"),
    ("security review", "technical_deep_dive"),
    ("technical", "technical_deep_dive"),
    ("demo", "demo"),
    ("business case", "business_case"),
    ("roi", "business_case"),
    ("proposal", "proposal"),
    ("pricing", "negotiation"),
    ("negotiat", "negotiation"),
    ("commercial", "negotiation"),
    ("legal", "legal_review"),
    ("contract", "legal_review"),
    ("redline", "legal_review"),
    ("kickoff", "kickoff"),
    ("onboarding", "onboarding"),
)


def kind_of(subject: str) -> str | None:
    """The story step a subject names, or None."""
    text = subject.lower()
    return next((kind for word, kind in _WORDS if word in text), None)


@dataclass(frozen=True)
class Anchor:
    id: str
    start: datetime
    end: datetime
    rank: int


def anchors_for(opportunity_id: str, events: Iterable[BusyEvent]) -> tuple[Anchor, ...]:
    """The deal's own Events that name a step, in time order."""
    out = []
    for event in events:
        kind = kind_of(event.subject) if event.what_id == opportunity_id else None
        if kind is not None:
            out.append(Anchor(event.id, event.start, event.end, RANK[kind]))
    return tuple(sorted(out, key=lambda a: (a.start, a.rank)))


_STAGE_OF_RANK = (0, 0, 2, 2, 3, 3, 4, 4, 4, 5, 5)  # PATH rank -> index into STAGES (+5: won)


def fitting(
    anchors: Iterable[Anchor], story: Story, local_day: Callable[[datetime], date]
) -> tuple[Anchor, ...]:
    """The anchors whose date falls where the story has that step's stage (others stay busy
    time only: an org's "Intro call" months into a deal says nothing about its order)."""
    out = []
    for a in anchors:
        label = story.stage_on(local_day(a.start)).lower()
        index = next((i for i, s in enumerate(STAGES) if s.lower() == label), None)
        wanted = _STAGE_OF_RANK[a.rank]
        if index is None or abs(index - wanted) <= 1:
            out.append(a)
    return tuple(out)


def out_of_order(anchors: Iterable[Anchor], meetings: Iterable[tuple[datetime, int]]) -> int:
    """Pairs of (org event, planned meeting) whose order contradicts the stage path."""
    marks = list(anchors)
    count = 0
    for start, rank in meetings:
        for a in marks:
            count += (a.rank < rank and a.start > start) or (a.rank > rank and a.start < start)
    return count
