"""RunLog: what a run leaves behind in `runs/<run_id>/` (DESIGN.md §5).

    run.json              written with `write_json` (atomic)
    config.resolved.yaml  written with `write_text` (atomic)
    events.jsonl          `event()`: one flat JSON object per line with ts, run_id, event, level
    errors.jsonl          `error()`: one line per failure, with ts and run_id
    summary.json          written with `write_json` (atomic)

Appends are serialised by a lock (the runner logs from worker threads) and each line is written
and flushed in one call, so a crash leaves only complete lines.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

from demo_gen import clock

__all__ = ["EVENTS_FILE", "ERRORS_FILE", "RunLog", "new_run_id", "read_events"]

EVENTS_FILE = "events.jsonl"
ERRORS_FILE = "errors.jsonl"
_RESERVED = frozenset({"ts", "run_id", "event", "level"})


class Made(Protocol):
    """What `RunLog.created` reads of a work item or a ledger row."""

    @property
    def opportunity_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def record_type(self) -> str: ...


class RunLog:
    """The output directory of one run; use as a context manager or call `close()`.

    >>> with RunLog(Path("runs"), run_id) as log:
    ...     log.event("item.created", opportunity_id="006...", kind="meeting", remote_id="00U...")
    """

    def __init__(self, runs_dir: Path, run_id: str) -> None:
        """Create `runs_dir/run_id/` (a resumed run appends to the files already there)."""
        if not run_id or Path(run_id).name != run_id or run_id in (".", ".."):
            raise ValueError(f"run id {run_id!r} is not a plain directory name")
        self.run_id = run_id
        self.path = Path(runs_dir) / run_id
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._events = (self.path / EVENTS_FILE).open("a", encoding="utf-8")
        self._errors = (self.path / ERRORS_FILE).open("a", encoding="utf-8")

    def event(self, event: str, *, level: str = "info", **fields: Any) -> None:
        """Append `{"ts", "run_id", "event", "level", **fields}` to events.jsonl."""
        clash = _RESERVED & fields.keys()
        if clash:
            raise ValueError(f"event fields may not be named {sorted(clash)}")
        head = {"ts": utc_now(), "run_id": self.run_id, "event": event, "level": level}
        self._append(self._events, head | fields)

    def created(self, made: Made, remote_id: str | None, source: str, target: str) -> None:
        """One `item.created` event: every record a run made has one (`source`: demo-gen, org,
        or reconcile; `target`: the ledger key of where it was made), so the events alone list
        what the run made."""
        self.event(
            "item.created",
            opportunity_id=made.opportunity_id,
            kind=made.kind,
            signature=made.signature,
            target=target,
            remote_id=remote_id,
            sobject=made.record_type,
            source=source,
        )

    def created_many(
        self, made: Iterable[tuple[Made, str | None]], source: str, target: str
    ) -> None:
        """`created` for each `(record, remote_id)`: the same lines, written and flushed in one
        call (a Bulk job records thousands at a time)."""
        head: dict[str, Any] = {
            "ts": utc_now(), "run_id": self.run_id, "event": "item.created", "level": "info"
        }  # fmt: skip
        records = [
            head | {"opportunity_id": m.opportunity_id, "kind": m.kind, "signature": m.signature,
                    "target": target, "remote_id": remote_id, "sobject": m.record_type,
                    "source": source}
            for m, remote_id in made
        ]  # fmt: skip
        self._append_all(self._events, records)

    def error(self, **fields: Any) -> None:
        """Append `{"ts", "run_id", **fields}` to errors.jsonl (opportunity_id, error_code, …)."""
        clash = {"ts", "run_id"} & fields.keys()
        if clash:
            raise ValueError(f"error fields may not be named {sorted(clash)}")
        self._append(self._errors, {"ts": utc_now(), "run_id": self.run_id} | fields)

    def write_json(self, name: str, data: Mapping[str, Any]) -> None:
        """Replace `name` atomically with `data` as JSON (indent 2, insertion order, newline)."""
        text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
        self.write_text(name, text + "\n")

    def write_text(self, name: str, text: str) -> None:
        """Replace `name` in the run directory atomically with `text`."""
        if Path(name).name != name or name in ("", ".", ".."):
            raise ValueError(f"{name!r} is not a plain file name")
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; run outputs are ordinary files
            os.replace(tmp, self.path / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        """Close the JSONL files; later appends raise `ValueError`. Closing twice is harmless."""
        with self._lock:
            self._events.close()
            self._errors.close()

    def __enter__(self) -> RunLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _append(self, handle: IO[str], record: Mapping[str, Any]) -> None:
        self._append_all(handle, [record])

    def _append_all(self, handle: IO[str], records: Sequence[Mapping[str, Any]]) -> None:
        """Whole lines, written and flushed in one call."""
        if not records:
            return
        text = "".join(
            json.dumps(r, ensure_ascii=False, default=_json_default) + "\n" for r in records
        )
        with self._lock:
            handle.write(text)
            handle.flush()


def new_run_id(now: datetime, pack: str) -> str:
    """A run id that sorts by start time: `20261122T081500Z-se-demo-pack-3f9a1c`.

    `now` must be timezone-aware; it is written in UTC. The suffix is 24 random bits.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("new_run_id needs a timezone-aware datetime")
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{_slug(pack)}-{secrets.token_hex(3)}"


def is_run_of(run_id: str, pack: str) -> bool:
    """True if `run_id` has the shape `new_run_id` gives the runs of `pack`."""
    shape = rf"\d{{8}}T\d{{6}}Z-{re.escape(_slug(pack))}-[0-9a-f]{{6}}"
    return re.fullmatch(shape, run_id) is not None


def _slug(pack: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", pack.lower()).strip("-")[:40].strip("-") or "run"


def read_events(path: Path) -> list[dict[str, Any]]:
    """The records of a JSONL file (or of a run directory's events.jsonl), in order.

    A last line without its newline is a write cut short by a crash and is skipped; any other
    line that is not a JSON object raises `ValueError` naming the line.
    """
    path = Path(path)
    if path.is_dir():
        path = path / EVENTS_FILE
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines[-1]:
        lines.pop()  # a torn final write
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON: {exc.msg}") from exc
        if not isinstance(record, dict):
            raise ValueError(f"{path}:{number}: not a JSON object")
        records.append(record)
    return records


def utc_now() -> str:
    """Now, as ISO-8601 UTC with milliseconds and a Z."""
    return clock.stamp()


def _json_default(value: Any) -> Any:
    """Dates and times as ISO-8601, enums by value, paths and anything else as `str()`."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)
