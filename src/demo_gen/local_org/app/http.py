"""The plumbing every REST handler of the local org shares.

Handlers take a `Ctx` (who is calling, which API version, the org's state) and an `ApiRequest`
(method, path segments, query, body) and return an `ApiResponse`, or raise `ApiError`, which the
app turns into Salesforce's JSON error array. The composite resources call the same handlers
through `Ctx.dispatch`, so a sub-request behaves exactly like an HTTP request.

`ApiError` is a protocol answer, not a failure of demo-gen: it never leaves the local org.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.datastructures import Headers

from demo_gen.local_org.faults import Faults
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.store.core import Probe, Store, Transaction, View

JSON_TYPE = "application/json;charset=UTF-8"
CSV_TYPE = "text/csv"
NOT_FOUND_MESSAGE = "The requested resource does not exist"


class ApiError(Exception):
    """An error answer: HTTP *status* with body `[{"message", "errorCode"(, "fields")}]`."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        fields: list[str] | None = None,
        *,
        body: Any = None,
    ) -> None:
        super().__init__(f"{status} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields
        self._body = body

    @property
    def body(self) -> Any:
        """The JSON body of the answer (an error array unless a custom body was given)."""
        if self._body is not None:
            return self._body
        entry: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            entry["fields"] = self.fields
        return [entry]


def not_found(message: str = NOT_FOUND_MESSAGE) -> ApiError:
    """404 NOT_FOUND with Salesforce's usual message."""
    return ApiError(404, "NOT_FOUND", message)


def bad_request(error_code: str, message: str, fields: list[str] | None = None) -> ApiError:
    """A 400 with one error."""
    return ApiError(400, error_code, message, fields)


@dataclass
class ApiRequest:
    """One REST request under `/services/data/v{version}/`, already split into segments."""

    method: str
    segments: list[str]
    """Percent-decoded path segments after the version, without empty trailing segments."""
    raw_segments: list[str]
    """The same segments still percent-encoded (external-id values need their own decoding)."""
    version: str
    args: Mapping[str, str]
    headers: Headers
    """Case-insensitive request headers."""
    data: bytes = b""

    @property
    def path(self) -> str:
        """The decoded path under the version, e.g. `sobjects/Account/001…`."""
        return "/".join(self.segments)

    def json(self) -> Any:
        """The body parsed as JSON; 400 JSON_PARSER_ERROR when it is not JSON."""
        try:
            return json.loads(self.data.decode("utf-8-sig") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise bad_request("JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; 400 JSON_PARSER_ERROR for any other JSON value."""
        body = self.json()
        if not isinstance(body, dict):
            raise bad_request(
                "JSON_PARSER_ERROR", "Cannot deserialize instance of object from the request body"
            )
        return body

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean query parameter (`true`/`True`/`FALSE`…); 400 for anything else."""
        value = self.args.get(name)
        if value is None or value == "":
            return default
        return parse_bool(value, name)


@dataclass
class ApiResponse:
    """A handler's answer: JSON *body* (None means no body), or *text* with its content type, or
    *stream*: the body's bytes a block at a time (a large CSV is never built whole)."""

    status: int = 200
    body: Any = None
    text: str | None = None
    stream: Iterable[bytes] | None = None
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def parse_bool(value: Any, name: str = "value") -> bool:
    """A JSON or query-string boolean, case-insensitive; 400 INVALID_FIELD otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad_request("INVALID_FIELD", f"{name}: not a boolean: {value}")


def require_sobject(name: str) -> SObject:
    """The sObject called *name* (any case); 404 NOT_FOUND when the org has no such object."""
    obj = schema.sobject(name)
    if obj is None:
        raise not_found()
    return obj


class OverlaySource:
    """Records as a transaction sees them: committed rows with its staged changes on top.

    Lets a query inside a composite request see the records earlier sub-requests created.
    """

    def __init__(self, store: Store, txn: Transaction) -> None:
        self._store = store
        self._txn = txn

    def rows(self, sobject: str, include_deleted: bool = False) -> list[View]:
        staged = {rid: rec for rid, (obj, rec) in self._txn.changes.items() if obj.name == sobject}
        out: list[View] = []
        for row in self._store.rows(sobject, include_deleted=True):
            out.append(staged.pop(row["Id"], row))
        out.extend(staged.values())
        return [r for r in out if include_deleted or not r.get("IsDeleted")]

    def get(self, record_id: str) -> View | None:
        return self._txn.get(record_id)

    def lookup(
        self, sobject: str, probes: Sequence[Probe], include_deleted: bool = False
    ) -> list[View] | None:
        """`Store.lookup` with the staged changes on top (all staged rows of *sobject* are kept:
        the query's WHERE decides about them), in the order `rows` gives."""
        if not self._store.can_lookup(sobject, probes):
            return None
        staged = {rid: rec for rid, (obj, rec) in self._txn.changes.items() if obj.name == sobject}
        committed = self._store.lookup_ids(sobject, probes)
        committed.update(rid for rid in staged if self._store.get(rid) is not None)
        out: list[View] = []
        for rid in self._store.in_order(committed):
            record = staged.pop(rid, None) or self._store.get(rid)
            assert record is not None  # committed records are never removed
            out.append(record)
        out.extend(staged.values())
        return [r for r in out if include_deleted or not r.get("IsDeleted")]

    def estimate(self, sobject: str, probe: Probe) -> int:
        return self._store.estimate(sobject, probe)


@dataclass
class OrgState:
    """What handlers share across requests: the store, faults, clock, cursors and jobs."""

    store: Store
    faults: Faults
    clock: Callable[[], datetime]
    daily_limit: int
    lock: threading.RLock = field(default_factory=threading.RLock)
    cursors: dict[str, Any] = field(default_factory=dict)
    jobs: dict[str, Any] = field(default_factory=dict)
    api_usage: int = 0
    counters: dict[str, int] = field(default_factory=dict)

    def effective_limit(self) -> int:
        """The daily API request limit in force (the faults may override the app's)."""
        override = self.faults.daily_limit
        return self.daily_limit if override is None else override

    def next_number(self, kind: str) -> int:
        """A per-app sequence number for locators and job ids."""
        with self.lock:
            n = self.counters.get(kind, 0) + 1
            self.counters[kind] = n
            return n


Dispatch = Callable[["Ctx", ApiRequest], ApiResponse]


@dataclass
class Ctx:
    """Who calls, in which API version, and (inside composite) the shared transaction."""

    org: OrgState
    user_id: str
    version: str
    dispatch: Dispatch
    txn: Transaction | None = None

    @property
    def store(self) -> Store:
        return self.org.store

    def now(self) -> datetime:
        return self.org.clock()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A transaction for one handler: its own, or a savepoint in the composite's.

        Leaving the block with an exception discards what the block staged, either way.
        """
        if self.txn is None:
            with self.store.transaction() as txn:
                yield txn
            return
        point = self.txn.savepoint()
        try:
            yield self.txn
        except BaseException:
            self.txn.rollback_to(point)
            raise

    def source(self, txn: Transaction | None = None) -> Any:
        """A record source for SOQL that sees *txn*'s (or the composite's) staged writes."""
        active = txn if txn is not None else self.txn
        return self.store if active is None else OverlaySource(self.store, active)

    def url(self, *parts: str) -> str:
        """An absolute REST path for this version, e.g. `/services/data/v59.0/sobjects/X`."""
        return "/".join([f"/services/data/v{self.version}", *parts])


def split_ids(text: str | None) -> list[str]:
    """Comma-separated ids from a query parameter, blanks dropped."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]
