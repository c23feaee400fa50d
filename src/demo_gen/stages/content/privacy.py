"""What may leave the machine in a prompt: no email addresses, no phone numbers, and optionally
no people's names.

`scrub` removes contact data from free text before it goes into a prompt; `has_contact_data`
rejects model output that contains any. `Pseudonyms` swaps people's names for stable stand-ins in
the prompt and swaps them back in the returned text. The account name is not personal and stays.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_CANDIDATE = re.compile(r"(?<![\w/=])\+?\(?\d[\d \t().\-]{5,}\d")  # not in URLs or ids
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_phone(candidate: str) -> bool:
    """7+ digits after a "+", or 9 to 15 digits; ISO dates and date ranges are not phones."""
    if _ISO_DATE.search(candidate):
        return False
    digits = sum(ch.isdigit() for ch in candidate)
    if digits > 15:
        return False
    return digits >= 9 or (candidate.startswith("+") and digits >= 7)


def has_contact_data(text: str) -> bool:
    """True if `text` holds something that looks like an email address or a phone number."""
    if EMAIL.search(text):
        return True
    return any(_is_phone(m.group()) for m in _PHONE_CANDIDATE.finditer(text))


def scrub(text: str) -> str:
    """`text` with email addresses and phone numbers replaced by placeholders."""
    text = EMAIL.sub("[email removed]", text)
    return _PHONE_CANDIDATE.sub(
        lambda m: "[phone removed]" if _is_phone(m.group()) else m.group(), text
    )


_FIRST = (
    "Avery", "Blake", "Casey", "Dana", "Emery", "Finley", "Gray", "Harper", "Indy", "Jordan",
    "Kendall", "Logan", "Marlow", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Tatum",
    "Umber", "Vale", "Wren", "Xen", "Yael", "Zuri",
)  # fmt: skip
_LAST = (
    "Abbott", "Brandt", "Calloway", "Dunmore", "Ellery", "Fairbanks", "Garrity", "Holloway",
    "Ingram", "Jessup", "Kincaid", "Lockwood", "Merriman", "Northcott", "Oakes", "Pemberton",
    "Quimby", "Radcliffe", "Sterling", "Thackeray", "Underhill", "Vance", "Whitlock", "Yardley",
    "Yates", "Zeller",
)  # fmt: skip

Person = tuple[str | None, str]
"""(first name or None, last name); a one-word name has no first name."""


@dataclass(frozen=True)
class Pseudonyms:
    """Real name ↔ stand-in, for whole names and, where unambiguous, first and last names.

    Stand-ins are given in the order people are passed, so the same people get the same
    stand-ins on every run (and the prompt, hence the cache key, stays the same).
    """

    hide_map: Mapping[str, str]
    reveal_map: Mapping[str, str]

    @classmethod
    def none(cls) -> Pseudonyms:
        """No replacement at all (pseudonymisation off)."""
        return cls({}, {})

    @classmethod
    def of(cls, people: Sequence[Person]) -> Pseudonyms:
        """Stand-ins for `people`, none of them equal to a real name part."""
        real_parts = {p for first, last in people for p in (first, last) if p}
        firsts = [n for n in _FIRST if n not in real_parts]
        lasts = [n for n in _LAST if n not in real_parts]
        hide: dict[str, str] = {}
        reveal: dict[str, str] = {}
        for i, (first, last) in enumerate(_unique(people)):
            fake_first, fake_last = (
                firsts[i % len(firsts)],
                lasts[(i // len(lasts) + i) % len(lasts)],
            )
            real_full = f"{first} {last}" if first else last
            fake_full = f"{fake_first} {fake_last}"
            hide.setdefault(real_full, fake_full)
            reveal.setdefault(fake_full, real_full)
            if i < len(firsts):  # parts only while the stand-in parts are unique
                hide.setdefault(first or last, fake_first)
                reveal.setdefault(fake_first, first or last)
                hide.setdefault(last, fake_last)
                reveal.setdefault(fake_last, last)
        return cls(hide, reveal)

    def hide(self, text: str) -> str:
        """`text` with real names replaced by their stand-ins."""
        return _replace(text, self._hide_re, self.hide_map)

    def reveal(self, text: str) -> str:
        """`text` with stand-ins replaced by the real names."""
        return _replace(text, self._reveal_re, self.reveal_map)

    @cached_property
    def _hide_re(self) -> re.Pattern[str] | None:
        return _names_pattern(self.hide_map)

    @cached_property
    def _reveal_re(self) -> re.Pattern[str] | None:
        return _names_pattern(self.reveal_map)


def _unique(people: Sequence[Person]) -> list[Person]:
    seen: dict[Person, None] = {}
    for person in people:
        seen.setdefault(person, None)
    return list(seen)


def _names_pattern(table: Mapping[str, str]) -> re.Pattern[str] | None:
    """Longest names first, whole words only (so "Ana" leaves "Analyst" alone)."""
    if not table:
        return None
    names = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def _replace(text: str, pattern: re.Pattern[str] | None, table: Mapping[str, str]) -> str:
    """One pass, so a replacement is never replaced again."""
    if pattern is None or not text:
        return text
    return pattern.sub(lambda m: table[m.group()], text)
