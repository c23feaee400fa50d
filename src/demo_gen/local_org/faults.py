"""Fault injection for the local org: latency, error statuses, short sessions, API limits.

A `Faults` object is mutable at run time (tests write `app.faults.fail_next = [503, 503]`).
Every random decision comes from a seeded stream behind a lock, one stream per kind of request
(`request_failure(stream)`: the route) and per kind of record write (`row_failure(stream)`: the
operation and the sObject, e.g. "delete:Event"). A seeded run therefore gives the same faults
whatever the thread timing, as long as the requests *of each stream* arrive in the same order: a
client that sends its Events and its Tasks concurrently still meets the same row errors on each.
Faults apply to REST requests under `/services/data` only, never to login or diagnostics.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

#: Error bodies for injected request failures, by HTTP status.
FAULT_BODIES: dict[int, dict[str, str]] = {
    500: {
        "errorCode": "UNKNOWN_EXCEPTION",
        "message": "An unexpected error occurred. Please include this ErrorId if you contact "
        "support: injected-fault",
    },
    503: {
        "errorCode": "SERVER_UNAVAILABLE",
        "message": "Server is temporarily unavailable (injected fault). Please try again later.",
    },
    403: {"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."},
}


@dataclass
class Faults:
    """Fault knobs of a local org; all default to "no faults"."""

    latency_ms: int = 0
    """Sleep this long before answering each REST request."""
    error_rate: float = 0.0
    """Share of REST requests answered with `error_status` instead of being served."""
    error_status: int = 503
    """Status used by `error_rate`: 500, 503 or 403."""
    session_ttl: int | None = None
    """Requests a session may make before it answers 401 INVALID_SESSION_ID (and dies)."""
    daily_limit: int | None = None
    """Overrides the app's daily API request limit."""
    row_error_rate: float = 0.0
    """Share of records in collections and bulk jobs that fail with UNABLE_TO_LOCK_ROW."""
    seed: int = 0
    """Seed of the random stream behind `error_rate` and `row_error_rate`."""
    fail_next: list[int] = field(default_factory=list)
    """Explicit statuses for the next REST requests, consumed in order."""
    query_job_running: int = 0
    """Requests a new Bulk query job answers as still running (its status InProgress, its
    results 412 JOB_NOT_COMPLETE) before it is JobComplete, as a real org's asynchronous job."""
    injected: dict[str, int] = field(default_factory=dict)
    """How many faults of each kind were applied ("latency", "503", "row_error", ...)."""
    _streams: dict[str, random.Random] = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)
    _rng_seed: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.error_status not in FAULT_BODIES:
            raise ValueError(f"error_status must be one of {sorted(FAULT_BODIES)}")
        self._lock = threading.Lock()
        self._rng_seed = self.seed
        self._streams = {}

    def _random(self, stream: str) -> float:
        """The next number of *stream*, seeded by (`seed`, stream); every stream starts again
        when `seed` was changed. String seeds hash with SHA-512: the same on every machine."""
        if self._rng_seed != self.seed:
            self._rng_seed = self.seed
            self._streams = {}
        rng = self._streams.get(stream)
        if rng is None:
            rng = self._streams[stream] = random.Random(f"{self.seed}/{stream}")
        return rng.random()

    def _count(self, kind: str) -> None:
        self.injected[kind] = self.injected.get(kind, 0) + 1

    def request_failure(self, stream: str = "") -> int | None:
        """The status to answer the current request with, or None to serve it normally.

        *stream*: the kind of request (its route), whose own seeded stream decides."""
        with self._lock:
            if self.fail_next:
                status = int(self.fail_next.pop(0))
                self._count(str(status))
                return status
            if self.error_rate > 0 and self._random(f"request:{stream}") < self.error_rate:
                self._count(str(self.error_status))
                return self.error_status
        return None

    def latency_seconds(self) -> float:
        """Seconds to sleep before serving a request (counted as applied when non-zero)."""
        if self.latency_ms <= 0:
            return 0.0
        with self._lock:
            self._count("latency")
        return self.latency_ms / 1000.0

    def row_failure(self, stream: str = "") -> bool:
        """True when the current record of a collection or bulk job should fail.

        *stream*: the kind of write (operation and sObject), whose own seeded stream decides."""
        if self.row_error_rate <= 0:
            return False
        with self._lock:
            failed = self._random(f"row:{stream}") < self.row_error_rate
            if failed:
                self._count("row_error")
        return failed

    def session_expired(self, requests_made: int) -> bool:
        """True when a session that has served *requests_made* requests must now answer 401."""
        return self.session_ttl is not None and requests_made > self.session_ttl

    def as_dict(self) -> dict[str, Any]:
        """The knobs and counters, for the diagnostics endpoint."""
        return {
            "latency_ms": self.latency_ms,
            "error_rate": self.error_rate,
            "error_status": self.error_status,
            "session_ttl": self.session_ttl,
            "daily_limit": self.daily_limit,
            "row_error_rate": self.row_error_rate,
            "seed": self.seed,
            "fail_next": list(self.fail_next),
            "query_job_running": self.query_job_running,
            "injected": dict(self.injected),
        }


def fault_body(status: int) -> list[dict[str, str]]:
    """The JSON error array an injected failure with *status* answers with."""
    return [dict(FAULT_BODIES.get(status, FAULT_BODIES[500]))]


def lock_row_message(record_id: str | None) -> str:
    """The message of an injected UNABLE_TO_LOCK_ROW row error."""
    return f"unable to obtain exclusive access to this record or 1 records: {record_id or ''}"
