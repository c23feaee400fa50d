"""The text tally's packed keys (`stages/textkeys.py`) count as a set and a Counter would, folded
at any points, and hold no Python object per key once folded."""

from __future__ import annotations

from array import array
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from demo_gen.stages.textkeys import MANY, KeyCounts, KeySet

_KEY = st.integers(min_value=0, max_value=2**64 - 1)
# a few repeating keys among random ones, so keys meet again across folds; the edges of 64 bits
_KEYS = st.one_of(st.sampled_from([0, 1, 7, 2**63, 2**64 - 1]), _KEY)
# batches of (key, deal) additions, each batch followed by a fold
_BATCHES = st.lists(st.lists(st.tuples(_KEYS, st.integers(0, 4)), max_size=40), max_size=8)


@given(_BATCHES)
def test_a_key_set_counts_what_a_set_would_folded_anywhere(batches: list[list[tuple[int, int]]]):
    keys, seen = KeySet(), set[int]()
    for batch in batches:
        keys.update(k for k, _ in batch)
        seen.update(k for k, _ in batch)
        keys.fold()
        assert list(keys.keys) == sorted(seen)  # sorted, distinct: every key once
    assert len(keys) == len(seen)


@given(_BATCHES)
def test_key_counts_count_and_tell_shared_keys_as_dicts_would(
    batches: list[list[tuple[int, int]]],
):
    counts, expected = KeyCounts(), Counter[int]()
    deals: dict[int, set[int]] = {}
    for batch in batches:
        for key, deal in batch:
            counts.add(key, deal)
            expected[key] += 1
            deals.setdefault(key, set()).add(deal)
        counts.fold()
        assert list(counts.keys) == sorted(expected)
        assert list(counts.counts) == [expected[k] for k in sorted(expected)]
        assert list(counts.deals) == [
            MANY if len(deals[k]) > 1 else next(iter(deals[k])) for k in sorted(expected)
        ]
    assert counts.total() == sum(expected.values())
    assert counts.shared() == sum(n for k, n in expected.items() if len(deals[k]) > 1)
    assert counts.most() == max(expected.values(), default=0)
    assert len(counts) == len(expected)


def test_folded_keys_are_flat_arrays_and_reading_folds():
    """Once folded nothing is held per key but array cells; reading a figure folds first."""
    keys, counts = KeySet(), KeyCounts()
    keys.update(range(1000, 0, -1))
    for k in range(1000):
        counts.add(k % 301, k % 2)
    assert len(keys) == 1000 and counts.total() == 1000  # read before an explicit fold
    assert counts.shared() == 1000  # k and k + 301 share a key and not a parity
    for packed in (keys, counts):
        assert not packed._new  # noqa: SLF001 - the buffer is emptied by the fold
        assert isinstance(packed.keys, array) and packed.keys.typecode == "Q"
    assert isinstance(counts.counts, array) and isinstance(counts.deals, array)
