"""A run's Bulk API 2.0 writes, spooled to disk chunk by chunk (docs/adr/0009-bulk-jobs-span-
the-run.md).

A job takes one upload, so jobs can only span a run's chunks if the chunks' records wait
somewhere until the last chunk is built. They wait here, not in memory: each chunk's work items
to send are appended, one pickle each, to a temporary file per record type; what stays in memory
is per record type — the CSV columns its records will have (the union over the run, so every
chunk's rows fit one header), how many items wait, and whether it is a parent or a link level.
Nothing is in the ledger yet: a process that dies while spooling has sent nothing and marked
nothing, and the files go with it (an anonymous temporary directory, removed on close).

`batches` reads a type's items back in upload order, a bounded batch at a time, for the writer
that turns them into jobs (`bulk_span.py`).
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from demo_gen.stages.items import WorkItem


class BulkSpool:
    """Work items waiting for the run's jobs, one append-only file per record type."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="demo-gen-bulk-spool-"))
        self._files: dict[str, IO[bytes]] = {}
        self.columns: dict[str, set[str]] = {}
        self.counts: dict[str, int] = {}
        self.kinds: dict[str, str] = {}  # record type -> the kind of its first item
        self._links: dict[str, bool] = {}  # record type -> its items hang on a parent

    def add(
        self, items: Sequence[WorkItem], columns_of: Callable[[WorkItem], Iterable[str]]
    ) -> None:
        """Append `items` to their record types' files; `columns_of` names an item's CSV columns."""
        for item in items:
            out = self._files.get(item.record_type)
            if out is None:
                out = self._files[item.record_type] = (self._dir / f"{len(self._files)}.pkl").open(
                    "ab"
                )
                self.columns[item.record_type] = set()
                self.counts[item.record_type] = 0
                self.kinds[item.record_type] = item.kind
                self._links[item.record_type] = item.parent is not None
            pickle.dump(item, out, protocol=pickle.HIGHEST_PROTOCOL)
            self.columns[item.record_type].update(columns_of(item))
            self.counts[item.record_type] += 1

    def record_types(self, links: bool) -> list[str]:
        """The spooled record types of one level (parents, or their links), first seen first."""
        return [t for t in self._files if self._links[t] == links]

    def batches(self, record_type: str, size: int) -> Iterator[list[WorkItem]]:
        """The items of `record_type` in the order they were spooled, `size` at a time."""
        out = self._files[record_type]
        out.flush()
        with open(out.name, "rb") as src:
            batch: list[WorkItem] = []
            while True:
                try:
                    item = pickle.load(src)
                except EOFError:
                    break
                batch.append(item)
                if len(batch) >= size:
                    yield batch
                    batch = []
            if batch:
                yield batch

    def bytes_on_disk(self) -> int:
        for out in self._files.values():
            out.flush()
        return sum(Path(out.name).stat().st_size for out in self._files.values())

    def close(self) -> None:
        for out in self._files.values():
            out.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> BulkSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
