"""Errors demo-gen raises on purpose; anything else is a bug.

DemoGenError
├── UsageError         a missing file, an unknown run id or opportunity id (exit 2)
├── ConfigError        bad YAML or failed validation; message names file:line (exit 3)
├── StateError         state DB unreadable, locked, or written by a newer demo-gen (exit 4)
├── TargetError        the CRM or calendar refused a request (exit 5)
│   ├── AuthError      bad credentials, expired session: stop the run
│   ├── LimitError     the API budget is spent: stop the run
│   └── TransientError timeout, HTTP 5xx, rate limit: retry, then record as failed
└── ContentError       the LLM failed; caught by the content fallback, never shown

`PartialRun` is not an error: the run finished, some items failed, a rerun resumes them (exit 6).
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """The process exit codes of DESIGN.md §1."""

    OK = 0
    BUG = 1
    USAGE = 2
    CONFIG = 3
    STATE = 4
    TARGET = 5
    PARTIAL = 6
    INTERRUPTED = 130


class DemoGenError(Exception):
    """Root of every error demo-gen raises on purpose."""

    exit_code: ClassVar[ExitCode] = ExitCode.BUG

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(DemoGenError):
    exit_code = ExitCode.USAGE


class ConfigError(DemoGenError):
    """`key`: the key path at fault (`("run", "runs_dir")`) when the message does not name the
    file and line yet; the command line adds them from the configuration it loaded."""

    exit_code = ExitCode.CONFIG

    def __init__(
        self, message: str, *, hint: str | None = None, key: tuple[str, ...] | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.key = key


class StateError(DemoGenError):
    exit_code = ExitCode.STATE


class TargetError(DemoGenError):
    exit_code = ExitCode.TARGET


class AuthError(TargetError):
    pass


class LimitError(TargetError):
    pass


class TransientError(TargetError):
    """Worth retrying later. `unprocessed`: the org said it did nothing (HTTP 503)."""

    def __init__(self, message: str, *, hint: str | None = None, unprocessed: bool = False):
        super().__init__(message, hint=hint)
        self.unprocessed = unprocessed


class ContentError(DemoGenError):
    pass
