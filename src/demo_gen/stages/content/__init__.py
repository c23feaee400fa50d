"""Text for planned items: the seam where an LLM writer plugs in, and its offline fallback.

A `ContentSource` writes one opportunity's story at a time (every meeting description and email
body of its plan, keyed by item key). `HeuristicContent` never fails; `FallbackContent` asks its
primary (e.g. an LLM writer) first and fills from the fallback on `ContentError` or for any item
the primary left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from demo_gen.errors import ContentError
from demo_gen.stages.plan import OpportunityPlan

Source = Literal["heuristic", "llm"]


@dataclass(frozen=True)
class OpportunityContent:
    """Item key → text (Event.Description for meetings, the body for emails).

    `fallback_keys` names the items whose text came from the fallback source.
    """

    texts: Mapping[str, str]
    source: Source
    fallback_keys: tuple[str, ...] = ()


class ContentSource(Protocol):
    """Writes the texts of one opportunity's plan: one call per opportunity."""

    def write(self, plan: OpportunityPlan) -> OpportunityContent: ...


def item_keys(plan: OpportunityPlan) -> list[str]:
    """Every item key a writer is asked for: meetings, then emails (calls and LinkedIn touches
    are short logs: the heuristic writer adds them, and `items` falls back to it for them)."""
    return [m.key for m in plan.meetings] + [e.key for e in plan.emails]


class FallbackContent:
    """The primary source, then the fallback per opportunity and per missing item key."""

    def __init__(
        self,
        primary: ContentSource,
        fallback: ContentSource,
        on_fallback: Callable[[str, str], None] | None = None,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.on_fallback = on_fallback
        self.fallback_opportunities = 0
        """Opportunities for which any text came from the fallback."""
        self.fallback_items = 0
        """Items whose text came from the fallback."""

    def write(self, plan: OpportunityPlan) -> OpportunityContent:
        """Texts for every item of `plan`; never raises ContentError."""
        keys = item_keys(plan)
        try:
            first = self.primary.write(plan)
        except ContentError as exc:
            self._record(plan, f"primary failed: {exc}", len(keys))
            backup = self.fallback.write(plan)
            return OpportunityContent(dict(backup.texts), backup.source, tuple(keys))
        missing = [k for k in keys if not first.texts.get(k, "").strip()]
        if not missing:
            return first
        self._record(plan, f"primary left out {len(missing)} of {len(keys)} items", len(missing))
        filler = self.fallback.write(plan).texts
        texts = {k: filler[k] if k in missing else first.texts[k] for k in keys}
        return OpportunityContent(texts, first.source, tuple(missing))

    def _record(self, plan: OpportunityPlan, reason: str, items: int) -> None:
        self.fallback_opportunities += 1
        self.fallback_items += items
        if self.on_fallback is not None:
            self.on_fallback(plan.opportunity.id, reason)


from demo_gen.stages.content.heuristic import HeuristicContent  # noqa: E402  (needs the types above)

__all__ = [
    "ContentError",
    "ContentSource",
    "FallbackContent",
    "HeuristicContent",
    "OpportunityContent",
    "item_keys",
]
