"""Buying personas: what part a contact plays in a deal, from their role or else their title,
the order the planner prefers contacts in, and the deal's champion. (The stage path itself is in
`planning.story`.)"""

from __future__ import annotations

from collections.abc import Sequence

from demo_gen.stages.model import Contact

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
