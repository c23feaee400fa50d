"""Salesforce record ids: 15 case-sensitive base-62 characters plus a 3-character checksum."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_RE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")
POD = "RM"


@lru_cache(maxsize=1 << 16)
def checksum(id15: str) -> str:
    """The 3-character suffix Salesforce appends to a 15-character id (recent ones cached: the
    same ids come back in every reference to them)."""
    suffix = ""
    for i in range(3):
        chunk = id15[i * 5 : (i + 1) * 5]
        bits = sum(1 << j for j, c in enumerate(chunk) if "A" <= c <= "Z")
        suffix += _CHECKSUM_ALPHABET[bits]
    return suffix


def to18(record_id: str) -> str:
    """Normalise a 15- or 18-character id to its canonical 18-character form.

    Raises ValueError when the text is not an id at all.
    """
    if not _ID_RE.match(record_id):
        raise ValueError(f"not a Salesforce id: {record_id!r}")
    id15 = record_id[:15]
    return id15 + checksum(id15)


def is_id(text: str) -> bool:
    """True when *text* has the shape of a 15- or 18-character id with a valid checksum."""
    if not isinstance(text, str) or not _ID_RE.match(text):
        return False
    return len(text) == 15 or text[15:].upper() == checksum(text[:15])


MAX_GENERATIONS = 62 * 62


def make_id(prefix: str, counter: int, generation: int = 0) -> str:
    """The 18-character id of the *counter*-th record with key *prefix* in org *generation*.

    A real id is prefix (3) + pod (2) + a reserved character + a 9-character counter. The
    local org puts its generation (how many times `org init --force` re-created this database)
    into the reserved character and the pod's second character, so a re-created org never
    hands out an id the previous one used: generation 0 is `RM0…` (the ids the org always
    had), 1 is `RM1…`, 62 is `RN0…`; after `MAX_GENERATIONS` re-inits the ids repeat.
    """
    digits = ""
    n = counter
    while True:
        n, r = divmod(n, 62)
        digits = _BASE62[r] + digits
        if n == 0:
            break
    g = generation % MAX_GENERATIONS
    pod = POD[0] + _BASE62[(_BASE62.index(POD[1]) + g // 62) % 62]
    id15 = f"{prefix}{pod}{_BASE62[g % 62]}{digits.rjust(9, '0')}"
    if len(id15) != 15:
        raise ValueError(f"id counter {counter} overflows prefix {prefix}")
    return id15 + checksum(id15)


def random_serial(rng: Callable[[int], int]) -> int:
    """A counter for an id drawn from *rng* (`secrets.randbelow`): any 9-character value."""
    return rng(62**9 - 1) + 1


def prefix_of(record_id: str) -> str:
    """The 3-character key prefix of an id."""
    return record_id[:3]
