"""A run's distinct texts, counted by 64-bit key in flat arrays: no Python object per key.

The text tally (`textcounts.Corpus`) sees millions of sentences and 3-grams over a large run,
hundreds of thousands of them distinct. Kept as a set or dict of ints, each key is a 32-byte int
object and a table slot, allocated in the middle of a chunk's texts and items: a chunk of 500
deals left 2.4 MB of keys behind and, pinning the allocator's pools its temporaries shared,
about 5 MB of RSS, chunk after chunk (issue 13: 204 → 327 MB over the 19 chunks of the
all-eligible run). Here the keys wait in a small buffer while a chunk is counted and are then
folded (`fold`) into sorted `array('Q')` columns: 8 bytes a key, 24 with a count and a deal.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable

MANY = -1
"""The deal of a key seen in more than one deal."""


def _merge(keys: array[int], new: list[int]) -> tuple[array[int], list[int]]:
    """`keys` (sorted) with the sorted, distinct `new` keys none of which it holds, and where
    each new key went (its index in the merged array)."""
    out: array[int] = array("Q")
    placed: list[int] = []
    start = 0
    for key in new:
        at = bisect_left(keys, key, start)
        out.extend(keys[start:at])
        placed.append(len(out))
        out.append(key)
        start = at
    out.extend(keys[start:])
    return out, placed


class KeySet:
    """Distinct 64-bit keys: `update` them, `fold` once a batch is in, `len` for how many."""

    def __init__(self) -> None:
        self.keys: array[int] = array("Q")  # sorted, distinct
        self._new: set[int] = set()

    def update(self, keys: Iterable[int]) -> None:
        self._new.update(keys)

    def fold(self) -> None:
        """Move the buffered keys into the sorted array."""
        if not self._new:
            return
        keys = self.keys
        new = sorted(k for k in self._new if _index(keys, k) is None)
        self._new = set()
        self.keys, _ = _merge(keys, new)

    def __len__(self) -> int:
        self.fold()
        return len(self.keys)


class KeyCounts:
    """How often each 64-bit key was seen, and in which deal (`MANY`: more than one)."""

    def __init__(self) -> None:
        self.keys: array[int] = array("Q")  # sorted, distinct
        self.counts: array[int] = array("Q")
        self.deals: array[int] = array("q")  # a deal's ordinal, or MANY
        self._new: dict[int, list[int]] = {}  # key -> [count, deal] since the last fold

    def add(self, key: int, deal: int) -> None:
        seen = self._new.get(key)
        if seen is None:
            self._new[key] = [1, deal]
            return
        seen[0] += 1
        if seen[1] != deal:
            seen[1] = MANY

    def fold(self) -> None:
        """Move the buffered counts into the sorted arrays."""
        if not self._new:
            return
        pending, self._new = self._new, {}
        keys, counts, deals = self.keys, self.counts, self.deals
        fresh: list[int] = []
        for key in sorted(pending):
            at = _index(keys, key)
            if at is not None:
                n, deal = pending[key]
                counts[at] += n
                if deals[at] != deal:
                    deals[at] = MANY
            else:
                fresh.append(key)
        if not fresh:
            return
        self.keys, placed = _merge(keys, fresh)
        self.counts = _spread(counts, placed, [pending[k][0] for k in fresh])
        self.deals = _spread(deals, placed, [pending[k][1] for k in fresh])

    def total(self) -> int:
        self.fold()
        return sum(self.counts)

    def shared(self) -> int:
        """Occurrences of keys seen in more than one deal."""
        self.fold()
        return sum(n for n, deal in zip(self.counts, self.deals, strict=True) if deal == MANY)

    def most(self) -> int:
        """The count of the most frequent key (0 when none)."""
        self.fold()
        return max(self.counts, default=0)

    def __len__(self) -> int:
        self.fold()
        return len(self.keys)


def _index(keys: array[int], key: int) -> int | None:
    """Where `key` is in the sorted `keys`, or None."""
    at = bisect_left(keys, key)
    return at if at < len(keys) and keys[at] == key else None


def _spread(old: array[int], placed: list[int], values: list[int]) -> array[int]:
    """`old` with `values` put at the merged indexes `placed` (ascending), as `_merge` did
    with the keys."""
    out: array[int] = array(old.typecode)
    start = 0
    for index, value in zip(placed, values, strict=True):
        take = index - len(out)  # old values before this one
        out.extend(old[start : start + take])
        start += take
        out.append(value)
    out.extend(old[start:])
    return out
