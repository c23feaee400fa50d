"""Regular expressions built while a run writes (a person's name, a claim), compiled once.

`re` keeps the last 512 patterns it compiled. A run builds thousands — each deal's names, each
claim a scorecard cites — so that cache turns over within a few deals and every search compiled
its pattern again: a twentieth of a 2,000-deal run's client time went to `re._compile`. The
patterns here are kept in their own bounded cache, keyed by the text they are built from.
"""

from __future__ import annotations

import functools
import re

_KEPT = 4096  # a deal's patterns are some dozens: a few hundred deals' worth, a few MB


@functools.lru_cache(maxsize=_KEPT)
def whole_word(word: str) -> re.Pattern[str]:
    """`word` verbatim, not inside a longer word."""
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")


@functools.lru_cache(maxsize=_KEPT)
def claim(text: str) -> re.Pattern[str]:
    """A claim verbatim but for case, a number as a whole number ("3 weeks" is not in "13
    weeks"), see `facts.claims.found`."""
    return re.compile(rf"(?<![\w$.]){re.escape(text)}(?![\w%])", re.IGNORECASE)


@functools.lru_cache(maxsize=_KEPT)
def built(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Any pattern built from names, compiled once."""
    return re.compile(pattern, flags)
