"""Progress reporting as a seam: the core reports, the CLI decides how (or whether) to show it."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None:
        """Start a phase of *total* steps (replacing the previous one)."""

    def advance(self, steps: int = 1) -> None: ...

    def note(self, message: str) -> None:
        """A one-line message for people (a warning, a decision)."""


class NullProgress:
    """Reports nothing; the default for library use and tests."""

    def phase(self, name: str, total: int) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        return None

    def note(self, message: str) -> None:
        return None


NULL_PROGRESS = NullProgress()
