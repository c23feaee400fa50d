"""Who is who on the buying side: roles chosen by OpportunityContactRole, then by title.

Only contacts who take part in at least one activity are chosen, so every person a scorecard
names can be found in the deal's timeline. An economic buyer must plausibly own the budget: a
finance, operations, IT or revenue executive, or whoever the org's contact role names.
"""

from __future__ import annotations

from collections.abc import Sequence

from demo_gen.stages.facts.model import Roles
from demo_gen.stages.facts.timeline import involved_ids
from demo_gen.stages.model import Contact
from demo_gen.stages.plan import OpportunityPlan
from demo_gen.stages.planning.cadence import persona

_SENIOR = ("chief", "ceo", "cfo", "coo", "cio", "cto", "president", "vp", "vice president", "head")


def _senior(c: Contact) -> bool:
    title = f" {(c.title or '').lower()} "
    return any(f" {word}" in title or title.strip().startswith(word) for word in _SENIOR)


def _by_persona(pool: Sequence[Contact], name: str, taken: Sequence[Contact]) -> Contact | None:
    return next((c for c in pool if persona(c) == name and c not in taken), None)


def choose_roles(plan: OpportunityPlan) -> Roles:
    """Champion, economic buyer, technical evaluator, procurement and legal for one deal."""
    contacts = {c.id: c for c in plan.opportunity.contacts}
    pool = [contacts[i] for i in involved_ids(plan) if i in contacts]
    if not pool:
        return Roles()
    eb = _by_persona(pool, "economic_buyer", ())
    if eb is None:
        eb = next((c for c in pool if _senior(c) and persona(c) != "champion"), None)
    champion = _by_persona(pool, "champion", (eb,) if eb else ())
    if champion is None:
        primary = [c for c in pool if c.is_primary and c != eb]
        others = [c for c in pool if c != eb and persona(c) in ("user", "technical")]
        found = primary or others
        champion = found[0] if found else None
    taken = [c for c in (eb, champion) if c is not None]
    return Roles(
        champion=champion,
        economic_buyer=eb,
        technical=_by_persona(pool, "technical", taken),
        procurement=_by_persona(pool, "procurement", taken),
        legal=_by_persona(pool, "legal", taken),
    )
