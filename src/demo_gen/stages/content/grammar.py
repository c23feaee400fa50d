"""A tiny seeded grammar: `{name}` is a field of the item or a rule with alternatives.

`expand(text, rng, fields, rules)` replaces each `{name}` with the field's value, or with one
alternative of the rule of that name, expanded in turn. Sentence starts are capitalised, doubled
full stops after an abbreviation ("Inc.") collapse, and spaces before punctuation go away.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

_SLOT = re.compile(r"\{(\w+)\}")
_DEPTH = 8


def expand(
    text: str,
    rng: random.Random,
    fields: Mapping[str, str],
    rules: Mapping[str, Sequence[str]],
    depth: int = 0,
) -> str:
    """`text` with every slot filled (rules drawn from `rng`); KeyError on an unknown slot."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in fields:
            return fields[name]
        if depth >= _DEPTH:
            raise KeyError(f"rule nesting too deep at {name}")
        return expand(rng.choice(list(rules[name])), rng, fields, rules, depth + 1)

    return _SLOT.sub(fill, text)


_SPACE_PUNCT = re.compile(r"\s+([,.;:!?])")
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
_STARTS = re.compile(r"(^|(\S*)[.!?]\s+|\n|^[A-Z][a-z]+: )([a-z])", re.MULTILINE)
# every place `_STARTS` could match and then some (a line's start, a stop or colon and spaces,
# a line break, each before a lower-case letter), found without its `\S*`, which is tried at
# every position of a text: a seventh of a large run's text writing (py-spy). Most texts (the
# banks start their sentences in capitals) have no such place and skip that pass.
_MAY_START = re.compile(r"[.!?:]\s+[a-z]|\n[a-z]")
_ABBREVIATIONS = frozenset(
    {"inc", "ltd", "corp", "co", "llc", "plc", "s.a", "s.l", "e.g", "i.e", "ltda"}
)


_DOUBLE_ARTICLE = re.compile(r"\b(the|a|an) (?:the|a|an)\b", re.IGNORECASE)
# "a" before a vowel sound, "an" before a consonant sound: a slot decides the next word
_A_AN = re.compile(r"(?:\b(a)|(?:^|(?<=[.!?:;]\s))(A))n? (?=([A-Za-z][\w-]*))", re.MULTILINE)
_VOWEL_SOUND = re.compile(r"(?i)(?:[aeio]|u(?!s|n[iu]|ti|bi|k)|hour|honest|heir)")
_CONSONANT_SOUND = re.compile(r"(?i)(?:one|once|eu|uni|use|usu|uti|ubi|uk)")


def tidy(text: str) -> str:
    """Fix what filling slots can break: "Inc..", " ,", "The the", lower-case sentence starts."""
    text = _SPACE_PUNCT.sub(r"\1", text)
    text = _DOUBLE_ARTICLE.sub(r"\1", text)  # "The {system}" with "the plant historians"
    text = _A_AN.sub(_article, text)  # "such a {w_quality}" with "open"
    text = _DOUBLE_STOP.sub(".", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    if text[:1].islower() or _MAY_START.search(text):
        return _STARTS.sub(_capital, text)
    return text


def _article(m: re.Match[str]) -> str:
    word = m.group(3)
    vowel = bool(_VOWEL_SOUND.match(word)) and not _CONSONANT_SOUND.match(word)
    if word.isupper() and len(word) > 1:  # an acronym is read letter by letter: "an SLA"
        vowel = word[0] in "AEFHILMNORSX"
    return f"{m.group(1) or m.group(2)}{'n' if vowel else ''} "


def _capital(m: re.Match[str]) -> str:
    word = (m.group(2) or "").lower()
    if word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return m.group(0)  # "Acme Inc. handles": an abbreviation, not a sentence end
    return m.group(1) + m.group(3).upper()


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, split on . ! ? and line breaks, not after "Inc." or "S.L."."""
    out: list[str] = []
    glue = False
    for line in text.split("\n"):
        glue = False
        for part in _SENTENCE.split(line):
            part = part.strip()
            if not part:
                continue
            if glue and out:
                out[-1] = f"{out[-1]} {part}"
            else:
                out.append(part)
            last = part.rsplit(" ", 1)[-1].lower().rstrip(".")
            glue = part.endswith(".") and (
                last in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]", last) is not None
            )
    return out


def possessive(name: str) -> str:
    """ "Underwriters'" for a name ending in s, "Acme's" otherwise."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def join_names(names: Sequence[str]) -> str:
    """ "Ana", "Ana and Tom", "Ana, Tom and Lee"."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"
