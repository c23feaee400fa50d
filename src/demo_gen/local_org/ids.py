"""Salesforce record ids: 15 case-sensitive base-62 characters plus a 3-character checksum."""

from __future__ import annotations

import re

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_RE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")
POD = "RM"


def checksum(id15: str) -> str:
    """The 3-character suffix Salesforce appends to a 15-character id."""
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


def make_id(prefix: str, counter: int) -> str:
    """The 18-character id of the *counter*-th record with key *prefix*."""
    digits = ""
    n = counter
    while True:
        n, r = divmod(n, 62)
        digits = _BASE62[r] + digits
        if n == 0:
            break
    id15 = f"{prefix}{POD}0{digits.rjust(9, '0')}"
    if len(id15) != 15:
        raise ValueError(f"id counter {counter} overflows prefix {prefix}")
    return id15 + checksum(id15)


def prefix_of(record_id: str) -> str:
    """The 3-character key prefix of an id."""
    return record_id[:3]
