"""A run's Bulk API 2.0 writes, spooled to disk chunk by chunk (docs/adr/0009-bulk-jobs-span-
the-run.md).

A job takes one upload, so jobs can only span a run's chunks if the chunks' records wait
somewhere until the last chunk is built. They wait here, not in memory: each chunk's work items
to send are appended, one zlib-compressed pickle per chunk, to an anonymous temporary file per
record type (unlinked at once: it goes with the process, even a killed one); what stays in memory
is per record type — the CSV columns its records will have (the union over the run, so every
chunk's rows fit one header), how many items wait, and whether it is a parent or a link level.
Nothing is in the ledger yet: a process that dies while spooling has sent nothing and marked
nothing.

`batches` reads a type's items back in upload order, a bounded batch at a time, for the writer
that turns them into jobs (`bulk_span.py`).
"""

from __future__ import annotations

import pickle
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO

from demo_gen.stages.items import WorkItem

_LEVEL = 1
"""zlib level: fast; a run's items shrink several times over (signatures, repeated fields)."""


class BulkSpool:
    """Work items waiting for the run's jobs, one append-only file per record type."""

    def __init__(self) -> None:
        self._files: dict[str, IO[bytes]] = {}
        self.columns: dict[str, set[str]] = {}
        self.counts: dict[str, int] = {}
        self.kinds: dict[str, str] = {}  # record type -> the kind of its first item
        self._all_kinds: dict[str, set[str]] = {}  # record type -> every kind of its items
        self._links: dict[str, bool] = {}  # record type -> its items hang on a parent

    def add(
        self, items: Sequence[WorkItem], columns_of: Callable[[WorkItem], Iterable[str]]
    ) -> None:
        """Append `items` to their record types' files (one compressed blob per type and call);
        `columns_of` names an item's CSV columns."""
        groups: dict[str, list[WorkItem]] = {}
        for item in items:
            groups.setdefault(item.record_type, []).append(item)
        for record_type, group in groups.items():
            out = self._files.get(record_type)
            if out is None:
                out = self._files[record_type] = tempfile.TemporaryFile("w+b")  # noqa: SIM115
                self.columns[record_type] = set()
                self.counts[record_type] = 0
                self.kinds[record_type] = group[0].kind
                self._all_kinds[record_type] = set()
                self._links[record_type] = group[0].parent is not None
            blob = zlib.compress(pickle.dumps(group, pickle.HIGHEST_PROTOCOL), _LEVEL)
            out.seek(0, 2)  # at the end, whatever a reader left
            pickle.dump(blob, out, protocol=pickle.HIGHEST_PROTOCOL)
            for item in group:
                self.columns[record_type].update(columns_of(item))
            self.counts[record_type] += len(group)
            self._all_kinds[record_type].update(item.kind for item in group)

    def record_types(self, links: bool) -> list[str]:
        """The spooled record types of one level (parents, or their links), first seen first."""
        return [t for t in self._files if self._links[t] == links]

    def holds(self, record_type: str, kind: str) -> bool:
        """Some spooled item of `record_type` is of `kind` (no need to read the others back)."""
        return kind in self._all_kinds.get(record_type, ())

    def batches(self, record_type: str, size: int) -> Iterator[list[WorkItem]]:
        """The items of `record_type` in the order they were spooled, `size` at a time (one
        chunk's items of the type in memory at most)."""
        src = self._files[record_type]
        src.flush()
        src.seek(0)
        step = max(size, 1)
        while True:
            try:
                blob = pickle.load(src)
            except EOFError:
                break
            group: list[WorkItem] = pickle.loads(zlib.decompress(blob))
            for start in range(0, len(group), step):
                yield group[start : start + step]
        src.seek(0, 2)  # later adds go on at the end

    def bytes_on_disk(self) -> int:
        return sum(out.seek(0, 2) for out in self._files.values())

    def close(self) -> None:
        for out in self._files.values():
            out.close()
        self._files.clear()

    def __enter__(self) -> BulkSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
