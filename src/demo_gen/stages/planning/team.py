"""Who sits at the table: the seller's colleagues and the buying committee as it grows.

Colleagues come from the org's Users, by title: a sales engineer joins demos and technical
sessions, a manager business cases and negotiations, an executive some signatures and deal
reviews. Each deal draws its colleagues from its own rng, nearest time zone first, so every deal
keeps one sales engineer and one manager from start to end.

Contacts are introduced over time by persona: the champion first, users and technical people at
the demo, the economic buyer at the business case, procurement and legal at the end; up to ten
of the account's contacts take part in a deal.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from demo_gen.stages.model import Contact, Seller
from demo_gen.stages.planning.cadence import champion, persona
from demo_gen.stages.planning.timezones import safe_zone

_ROLE_WORDS = (
    (("sales engineer", "solutions engineer", "solution engineer", "solutions consultant",
      "solution consultant", "pre-sales", "presales", "solutions architect"), "sales_engineer"),
    (("chief", "vp", "vice president", "cro", "head of sales", "svp", "evp"), "executive"),
    (("manager", "director", "head of", "lead"), "manager"),
)  # fmt: skip
_SEATS: dict[str, tuple[tuple[str, float], ...]] = {
    "demo": (("sales_engineer", 0.9),),
    "technical_deep_dive": (("sales_engineer", 0.95),),
    "business_case": (("manager", 0.6),),
    "proposal": (("manager", 0.3),),
    "negotiation": (("manager", 0.55),),
    "signature": (("executive", 0.35), ("manager", 0.4)),
    "kickoff": (("sales_engineer", 0.6),),
    "onboarding": (("sales_engineer", 0.5),),
    "discovery": (("sales_engineer", 0.25),),
    "internal_prep": (("sales_engineer", 0.8), ("manager", 0.3)),
    # a demo's dry run is the sales engineer's; a business case's, the manager's
    "internal_prep_demo": (("sales_engineer", 1.0), ("manager", 0.2)),
    "internal_prep_business_case": (("manager", 0.85), ("sales_engineer", 0.5)),
    "deal_review": (("manager", 1.0), ("executive", 0.15)),
}
# the order people join the deal, by persona
_INTRO_ORDER = ("champion", "user", "technical", "economic_buyer", "procurement", "legal")
_PERSONAS_BY_KIND: dict[str, tuple[str, ...]] = {
    "intro": ("champion",),
    "discovery": ("champion", "user"),
    "demo": ("champion", "user", "technical"),
    "technical_deep_dive": ("technical", "user"),
    "business_case": ("champion", "economic_buyer"),
    "proposal": ("champion", "economic_buyer"),
    "negotiation": ("champion", "procurement", "economic_buyer"),
    "legal_review": ("legal", "procurement"),
    "signature": ("economic_buyer", "champion"),
    "kickoff": ("champion", "user", "technical"),
    "onboarding": ("user", "technical"),
}
_HEADCOUNT: dict[str, tuple[int, int]] = {
    "intro": (1, 1), "discovery": (1, 2), "demo": (2, 5), "technical_deep_dive": (1, 3),
    "business_case": (2, 3), "proposal": (1, 3), "negotiation": (1, 3), "legal_review": (1, 2),
    "signature": (1, 2), "kickoff": (2, 4), "onboarding": (1, 3),
}  # fmt: skip


def user_role(user: Seller) -> str:
    """ae, sales_engineer, manager or executive, from the User's title (ae when unsure)."""
    return _title_role(user.title or "")


@cache
def _title_role(text: str) -> str:
    """`user_role` of a title, once per title: every deal asks it of every User (an org of
    20,000 opportunities has over a thousand)."""
    title = f" {text.lower()} "
    for words, role in _ROLE_WORDS:
        if any(word in title for word in words):
            return role
    return "ae"


@dataclass(frozen=True)
class DealTeam:
    """The colleagues one deal can call on: role -> User (absent roles are missing)."""

    by_role: dict[str, Seller]

    def seats(self, kind: str, rng: random.Random) -> tuple[str, ...]:
        """User ids of the colleagues who join a meeting of this kind."""
        out = []
        for role, chance in _SEATS.get(kind, ()):
            user = self.by_role.get(role)
            if user is not None and rng.random() < chance and user.id not in out:
                out.append(user.id)
        return tuple(out)


def deal_team(owner: Seller, users: Sequence[Seller], rng: random.Random) -> DealTeam:
    """One colleague per role for a deal: among the nearest time zones, drawn from `rng`."""
    by_role: dict[str, Seller] = {}
    for role in ("sales_engineer", "manager", "executive"):
        pool = [u for u in users if u.id != owner.id and user_role(u) == role]
        if not pool:
            continue
        pool.sort(key=lambda u: (_offset_gap(owner, u), u.id))
        nearest = [u for u in pool if _offset_gap(owner, u) == _offset_gap(owner, pool[0])]
        by_role[role] = rng.choice(nearest)
    return DealTeam(by_role)


def _offset_gap(a: Seller, b: Seller) -> float:
    return _zone_gap(a.time_zone, b.time_zone)


@cache
def _zone_gap(a: str, b: str) -> float:
    """Hours between two zones' offsets on one fixed day, once per pair of zone names."""
    moment = datetime(2026, 1, 15, tzinfo=UTC)
    za, zb = safe_zone(a), safe_zone(b)
    if za is None or zb is None:
        return 24.0
    oa, ob = moment.astimezone(za).utcoffset(), moment.astimezone(zb).utcoffset()
    if oa is None or ob is None:
        return 24.0
    return abs((oa - ob).total_seconds()) / 3600


class Committee:
    """The account's contacts in the order they join the deal, and who attends what."""

    def __init__(self, ranked: Sequence[Contact], rng: random.Random, size: int) -> None:
        lead = champion(ranked)
        order = sorted(
            (c for c in ranked if c.id != lead.id),
            key=lambda c: (_INTRO_ORDER.index(persona(c)), rng.random()),
        )
        self.lead = lead
        self.members: tuple[Contact, ...] = (lead, *order)[: max(1, size)]
        self.known: list[Contact] = [lead]

    def attendees(self, kind: str, rng: random.Random) -> tuple[str, ...]:
        """Contact ids for a meeting of this kind, lead first; may introduce new people."""
        low, high = _HEADCOUNT.get(kind, (1, 2))
        wanted = _PERSONAS_BY_KIND.get(kind, ("champion",))
        count = rng.randint(low, high)
        chosen: list[Contact] = []
        fresh = [c for c in self.members if c not in self.known and persona(c) in wanted]
        fresh += [c for c in self.members if c not in self.known and c not in fresh]
        for contact in fresh[: max(1, count // 2)]:
            chosen.append(contact)
        pool = [c for c in self.known if c not in chosen and persona(c) in wanted]
        pool += [c for c in self.known if c not in chosen and c not in pool]
        for contact in pool:
            if len(chosen) >= count:
                break
            chosen.append(contact)
        if kind in ("intro", "discovery", "business_case", "proposal") and self.lead not in chosen:
            chosen.insert(0, self.lead)
        ordered = [c for c in chosen if c is self.lead] + [c for c in chosen if c is not self.lead]
        ordered = ordered[: max(1, count)]
        self.known += [c for c in ordered if c not in self.known]
        return tuple(c.id for c in ordered)

    def introduce(self, rng: random.Random) -> str | None:
        """A member not met yet (for a CC or a forwarded email), or None."""
        fresh = [c for c in self.members if c not in self.known]
        if not fresh:
            return None
        contact = fresh[0]
        self.known.append(contact)
        return contact.id

    def meet(self, contact_id: str) -> None:
        """Count a member as met (a meeting fell back to them)."""
        for contact in self.members:
            if contact.id == contact_id and contact not in self.known:
                self.known.append(contact)

    def known_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.known)
