"""Rows of text cells kept compressed: the results a Bulk 2.0 job holds until it is deleted.

A real org keeps a job's results for days, and clients seldom delete jobs (demo-gen does not),
so the local org keeps every job's rows as long as it runs. As lists of strings they took about
as much memory as the records the jobs wrote; `RowSpool` packs them `BLOCK` rows at a time into
one zlib-compressed JSON text (ids and repeated cells compress well), keeping only the last,
unfinished block as lists. Reading a range unpacks the blocks it spans.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator

BLOCK = 1000
"""Rows per compressed block: a page read unpacks at most one block more than it returns."""


class RowSpool:
    """An append-only list of rows (lists of str), compressed `BLOCK` rows at a time."""

    def __init__(self, rows: Iterable[list[str]] = ()) -> None:
        self._blocks: list[bytes] = []
        self._tail: list[list[str]] = []
        self.extend(rows)

    def append(self, row: list[str]) -> None:
        self._tail.append(row)
        if len(self._tail) == BLOCK:
            text = json.dumps(self._tail, ensure_ascii=False, separators=(",", ":"))
            self._blocks.append(zlib.compress(text.encode("utf-8"), 6))
            self._tail = []

    def extend(self, rows: Iterable[list[str]]) -> None:
        for row in rows:
            self.append(row)

    def __len__(self) -> int:
        return len(self._blocks) * BLOCK + len(self._tail)

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self.slice(0, len(self)))

    def slice(self, start: int, stop: int) -> list[list[str]]:
        """Rows start ≤ i < stop (clipped to the rows held), in order."""
        stop = min(stop, len(self))
        out: list[list[str]] = []
        index = max(start, 0)
        while index < stop:
            block, offset = divmod(index, BLOCK)
            rows = self._block(block)
            take = rows[offset : offset + (stop - index)]
            if not take:  # a block shorter than BLOCK: never written so
                raise AssertionError(f"row spool block {block} has no row {offset}")
            out.extend(take)
            index += len(take)
        return out

    def _block(self, number: int) -> list[list[str]]:
        if number == len(self._blocks):
            return self._tail
        rows: list[list[str]] = json.loads(zlib.decompress(self._blocks[number]))
        return rows
