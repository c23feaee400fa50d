"""A private SQLite file on disk for what a step would otherwise hold in memory whole (a Bulk
job's rows and results, a read-back's window): gone when it is closed."""

from __future__ import annotations

import sqlite3
from types import TracebackType
from typing import Self


class Scratch:
    """A temporary SQLite database on disk (SQLite's own: `connect("")`), without a journal or
    syncs: nothing in it outlives the process, so nothing in it needs to survive a crash.
    Close it, or use it as a context manager."""

    def __init__(self, schema: str = "") -> None:
        self.db = sqlite3.connect("")
        self.db.executescript(f"PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; {schema}")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
