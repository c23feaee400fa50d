"""Rows of text cells kept compressed on disk: the results a Bulk 2.0 job holds until deleted.

A real org keeps a job's results for days, and clients seldom delete jobs (demo-gen does not),
so the local org keeps every job's rows as long as it runs. As lists of strings they took about
as much memory as the records the jobs wrote; `RowSpool` packs them `BLOCK` rows at a time into
one zlib-compressed JSON text (ids and repeated cells compress well), keeping only the last,
unfinished block as lists. Reading a range unpacks the blocks it spans.

The compressed blocks go to one temporary file per process (`_BLOCKS`, unlinked at once: it
goes with the process), written and read at their offsets (`os.pwrite`/`os.pread`, safe from
any request thread); a spool keeps each block's offset and length. Held in memory they still
grew with every job the org ran: at the all-eligible run of a 20,000-opportunity org (813,462
records, their results and the read-back's query results), the org's peak RSS was 602 MB.
"""

from __future__ import annotations

import atexit
import json
import os
import tempfile
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator

BLOCK = 1000
"""Rows per compressed block: a page read unpacks at most one block more than it returns."""


class _BlockFile:
    """An append-only temporary file of blobs, opened on the first one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._end = 0

    def put(self, blob: bytes) -> int:
        """Append `blob`: its offset."""
        with self._lock:
            if self._fd is None:  # unlinked at once: gone with the process, even a killed one
                self._fd, path = tempfile.mkstemp(prefix="demo-gen-org-results-")
                os.unlink(path)
                atexit.register(os.close, self._fd)
            at, self._end = self._end, self._end + len(blob)
            fd = self._fd
        written = 0
        while written < len(blob):  # a short write is allowed; the rest goes after it
            written += os.pwrite(fd, blob[written:], at + written)
        return at

    def get(self, at: int, size: int) -> bytes:
        assert self._fd is not None, "a block is read only after it is written"
        out = os.pread(self._fd, size, at)
        if len(out) != size:
            raise OSError(f"org results file: {len(out)} of {size} bytes at {at}")
        return out


_BLOCKS = _BlockFile()


class RowSpool:
    """An append-only list of rows (lists of str), compressed `BLOCK` rows at a time."""

    def __init__(self, rows: Iterable[list[str]] = ()) -> None:
        self._blocks: array[int] = array("q")  # offset, length: a block's place in `_BLOCKS`
        self._tail: list[list[str]] = []
        self.extend(rows)

    def append(self, row: list[str]) -> None:
        self._tail.append(row)
        if len(self._tail) == BLOCK:
            text = json.dumps(self._tail, ensure_ascii=False, separators=(",", ":"))
            blob = zlib.compress(text.encode("utf-8"), 6)
            self._blocks.extend((_BLOCKS.put(blob), len(blob)))
            self._tail = []

    def extend(self, rows: Iterable[list[str]]) -> None:
        for row in rows:
            self.append(row)

    def __len__(self) -> int:
        return self.blocks() * BLOCK + len(self._tail)

    def blocks(self) -> int:
        """Full blocks, on disk."""
        return len(self._blocks) // 2

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
        if number == self.blocks():
            return self._tail
        at, size = self._blocks[2 * number], self._blocks[2 * number + 1]
        rows: list[list[str]] = json.loads(zlib.decompress(_BLOCKS.get(at, size)))
        return rows
