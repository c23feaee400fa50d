"""The CRM edge: the only module that imports simple-salesforce.

`connect(config, secrets, local_url)` logs in to either target: a real org (password, JWT or
client-credentials login) or the local org at a plain-http address, reached through the
https-rewriting adapter of `crm_transport`. The client never starts a server: for the embedded
local org, `org_launch.open_crm` serves the database and hands this module its address. Reads are a
handful of SOQL queries; writes go through sObject Collections, at most 200 records a call.
"""

from __future__ import annotations

import functools
import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from demo_gen.config.model import Config, Secrets
from demo_gen.errors import AuthError, LimitError, TargetError, TransientError, UsageError
from demo_gen.targets.base import BATCH_LIMIT, WriteResult

T = TypeVar("T")
LOCAL_USERNAME = "admin@demo-gen.local"
LOCAL_PASSWORD = "demo-gen"
MAX_COLLECTION = BATCH_LIMIT
MAX_SUBREQUESTS = 25
_RETRIES = 3


@contextmanager
def _translate_errors(what: str) -> Iterator[None]:
    """The only place that knows simple-salesforce's and requests' exceptions."""
    try:
        yield
    except SalesforceAuthenticationFailed as exc:
        raise AuthError(
            f"login to Salesforce failed: {exc.message}",
            hint="check SF_USERNAME / SF_PASSWORD / SF_SECURITY_TOKEN in .env",
        ) from exc
    except SalesforceExpiredSession as exc:
        raise AuthError(f"{what}: the session expired or is invalid") from exc
    except SalesforceRefusedRequest as exc:
        code = _error_code(exc.content)
        if code == "REQUEST_LIMIT_EXCEEDED":
            raise LimitError(f"{what}: the org's daily API limit is spent") from exc
        raise TargetError(f"{what}: refused ({code}): {_error_message(exc.content)}") from exc
    except SalesforceGeneralError as exc:
        if exc.status == 412:  # a precondition (a Bulk job not complete yet): asking again fails
            code = _error_code(exc.content)
            raise TargetError(f"{what}: {code}: {_error_message(exc.content)}") from exc
        raise TransientError(
            f"{what}: HTTP {exc.status}: {_error_message(exc.content)}",
            unprocessed=exc.status == 503,
        ) from exc
    except (SalesforceMalformedRequest, SalesforceResourceNotFound) as exc:
        code = _error_code(exc.content)
        raise TargetError(f"{what}: {code}: {_error_message(exc.content)}") from exc
    except SalesforceError as exc:
        raise TargetError(f"{what}: {exc}") from exc
    except requests.ConnectionError as exc:
        raise TransientError(f"{what}: cannot reach the org ({type(exc).__name__})") from exc
    except requests.RequestException as exc:
        raise TransientError(f"{what}: {type(exc).__name__}: {exc}") from exc


def _error_code(content: Any) -> str:
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode") or content[0].get("statusCode") or "UNKNOWN")
    return "UNKNOWN"


def _error_message(content: Any) -> str:
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("message", ""))[:300]
    return str(content)[:300]


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def soql_quote(value: str) -> str:
    """A SOQL string literal."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return f"'{escaped}'"


def soql_list(values: Sequence[str]) -> str:
    return "(" + ", ".join(soql_quote(v) for v in values) + ")"


class CeilingReached(LimitError):
    """The calls reserved for this work are spent (`SalesforceCrm.ceiling`); the org's own
    limit may well have room."""


class SalesforceCrm:
    """Queries and batched writes against one org, through simple-salesforce."""

    def __init__(self, sf: Salesforce, *, label: str) -> None:
        self._sf = sf
        self.label = label
        self._describe_cache: dict[str, dict[str, Any] | None] = {}
        self._org_id: str | None = None
        self._calls_lock = threading.Lock()
        self.calls = 0
        """API requests this client made (retries included)."""
        self.ceiling: int | None = None
        """The most requests it may make (live reserves a pass's calls): the next one raises
        `CeilingReached` instead of reaching the org."""

    # --- reading -------------------------------------------------------------------------

    def query(self, soql: str) -> list[dict[str, Any]]:
        """All rows of a query, following nextRecordsUrl."""
        return self._call("query", lambda: list(self._sf.query_all_iter(soql)))

    def query_unless_larger(self, soql: str, threshold: int) -> list[dict[str, Any]] | None:
        """All rows of a query when it has fewer than `threshold` (its first page says how
        many), else None without reading further: the caller reads it through a Bulk query."""
        first = self._call("query", lambda: self._sf.query(soql))
        if int(first.get("totalSize", 0)) >= threshold:
            return None
        rows = list(first.get("records", []))
        page = first
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = self._call("query", functools.partial(self._more, str(page["nextRecordsUrl"])))
            rows.extend(page.get("records", []))
        return rows

    def _more(self, url: str) -> Any:
        return self._sf.query_more(url, identifier_is_url=True)

    def count(self, sobject: str, where: str = "") -> int:
        soql = f"SELECT COUNT() FROM {sobject}" + (f" WHERE {where}" if where else "")
        result = self._call("count", lambda: self._sf.query(soql))
        return int(result["totalSize"])

    def query_many(self, soqls: Sequence[str]) -> list[list[dict[str, Any]]]:
        """The rows of each query, up to 25 in one `composite` request (one API call: "the
        entire series of subrequests counts as a single call toward your API limits", REST
        API guide, Composite). A query whose answer has more pages is finished with `query`."""
        if not soqls:
            return []
        if len(soqls) > MAX_SUBREQUESTS:
            raise ValueError(f"at most {MAX_SUBREQUESTS} queries in one composite request")
        base = f"/services/data/v{self._sf.sf_version}/query"
        body = {
            "allOrNone": False,
            "compositeRequest": [
                {"method": "GET", "url": f"{base}?{urlencode({'q': q})}", "referenceId": f"q{i}"}
                for i, q in enumerate(soqls)
            ],
        }
        raw = self._call(
            "composite query", lambda: self._sf.restful("composite", method="POST", json=body)
        )
        answers = raw.get("compositeResponse") if isinstance(raw, dict) else None
        if not isinstance(answers, list) or len(answers) != len(soqls):
            raise TargetError(f"{self.label}: unexpected composite response: {str(raw)[:200]}")
        out: list[list[dict[str, Any]]] = []
        for soql, answer in zip(soqls, answers, strict=True):
            result = answer.get("body")
            if answer.get("httpStatusCode") != 200 or not isinstance(result, dict):
                code, message = _error_code(result), _error_message(result)
                raise TargetError(f"{self.label}: query: {code}: {message}")
            done = bool(result.get("done", True))
            out.append(list(result.get("records", [])) if done else self.query(soql))
        return out

    def org_id(self) -> str:
        """The org's id, read once per client (a client talks to one org for its life)."""
        if self._org_id is None:
            rows = self.query("SELECT Id, Name FROM Organization LIMIT 1")
            if not rows:
                raise TargetError(f"{self.label}: the org has no Organization record")
            self._org_id = str(rows[0]["Id"])
        return self._org_id

    def describe(self, sobject: str) -> dict[str, Any] | None:
        """The describe of *sobject*, or None when the org does not have that object (cached)."""
        if sobject not in self._describe_cache:
            try:
                described = self._call(
                    f"describe {sobject}", lambda: getattr(self._sf, sobject).describe()
                )
            except TargetError as exc:
                if "NOT_FOUND" not in str(exc):
                    raise
                described = None
            self._describe_cache[sobject] = described
        return self._describe_cache[sobject]

    def describe_many(self, sobjects: Sequence[str]) -> None:
        """Describe the objects not yet cached in one `composite` request (one API call for up
        to 25); an object the org lacks (404) is cached as None, and any other answer is left
        for `describe` to ask again on its own."""
        wanted = [s for s in dict.fromkeys(sobjects) if s not in self._describe_cache]
        for chunk in _chunks(wanted, MAX_SUBREQUESTS):
            base = f"/services/data/v{self._sf.sf_version}/sobjects"
            body = {
                "allOrNone": False,
                "compositeRequest": [
                    {"method": "GET", "url": f"{base}/{name}/describe", "referenceId": f"d{i}"}
                    for i, name in enumerate(chunk)
                ],
            }
            post = functools.partial(self._sf.restful, "composite", method="POST", json=body)
            raw = self._call("composite describe", post)
            answers = raw.get("compositeResponse") if isinstance(raw, dict) else None
            for name, answer in zip(chunk, answers or [], strict=False):
                status = answer.get("httpStatusCode")
                if status == 200 and isinstance(answer.get("body"), dict):
                    self._describe_cache[name] = answer["body"]
                elif status == 404:
                    self._describe_cache[name] = None

    def fields_of(self, sobject: str) -> frozenset[str] | None:
        """The field names of *sobject*, or None when the org does not have that object."""
        described = self.describe(sobject)
        return None if described is None else frozenset(f["name"] for f in described["fields"])

    def can_set_audit_fields(self, sobject: str = "Event") -> bool:
        """True when an insert of *sobject* may set CreatedDate and CreatedById.

        describe reports the audit fields as createable only for a user with "Set Audit
        Fields upon Record Creation" (and only on objects that allow it); inserts only, never
        updates or upserts. False when the org has no such object.
        """
        described = self.describe(sobject)
        if described is None:
            return False
        createable = {f["name"] for f in described["fields"] if f.get("createable")}
        return {"CreatedDate", "CreatedById"} <= createable

    def limits(self) -> dict[str, Any]:
        return dict(self._call("limits", self._sf.limits))

    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) from the last Sforce-Limit-Info header the client saw."""
        usage = self._sf.api_usage.get("api-usage")
        return None if usage is None else (int(usage.used), int(usage.total))

    # --- writing -------------------------------------------------------------------------

    def create(self, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """Create records (each with attributes.type) via sObject Collections, allOrNone false."""
        out: list[WriteResult] = []
        for chunk in _chunks(records, MAX_COLLECTION):
            body = {"allOrNone": False, "records": list(chunk)}
            raw = self._write(
                "POST composite/sobjects", "composite/sobjects", "POST", json=body, safe=False
            )
            out.extend(_results(raw, len(chunk)))
        return out

    def upsert(
        self, sobject: str, external_field: str, records: Sequence[Mapping[str, Any]]
    ) -> list[WriteResult]:
        """Upsert records of one type on an external-id field via sObject Collections."""
        out: list[WriteResult] = []
        path = f"composite/sobjects/{sobject}/{external_field}"
        for chunk in _chunks(records, MAX_COLLECTION):
            body = {"allOrNone": False, "records": list(chunk)}
            raw = self._write(f"PATCH {path}", path, "PATCH", json=body, safe=True)
            out.extend(_results(raw, len(chunk)))
        return out

    def update(self, records: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """Update records (each with attributes.type and Id) via sObject Collections; setting
        the same values again changes nothing, so a repeat is safe."""
        out: list[WriteResult] = []
        for chunk in _chunks(records, MAX_COLLECTION):
            body = {"allOrNone": False, "records": list(chunk)}
            raw = self._write(
                "PATCH composite/sobjects", "composite/sobjects", "PATCH", json=body, safe=True
            )
            out.extend(_results(raw, len(chunk), ids=[str(r["Id"]) for r in chunk]))
        return out

    def delete(self, ids: Sequence[str]) -> list[WriteResult]:
        """Delete records by id via sObject Collections, allOrNone false."""
        out: list[WriteResult] = []
        for chunk in _chunks(ids, MAX_COLLECTION):
            params = {"ids": ",".join(chunk), "allOrNone": "false"}
            raw = self._write(
                "DELETE composite/sobjects",
                "composite/sobjects",
                "DELETE",
                params=params,
                safe=True,
            )
            out.extend(_results(raw, len(chunk), ids=chunk))
        return out

    # --- Bulk API 2.0 (targets/salesforce/bulk.py drives the jobs) ---------------------------

    def jobs(
        self,
        method: str,
        path: str,
        *,
        safe: bool,
        body: Mapping[str, Any] | None = None,
        csv_text: str | IO[bytes] | None = None,
        params: Mapping[str, str] | None = None,
        to_file: bool = False,
    ) -> BulkAnswer:
        """One request under `jobs/` (`path` like "jobs/ingest/750…/batches"): a JSON `body`, or
        CSV (`csv_text`, an upload: text, or a binary file sent from its start as it is read),
        and query `params`; answers with the status, the body's text (`to_file`: the body in a
        temporary file instead, never held whole) and the `Sforce-*` headers. *safe* as for
        `_write`: an upload is not (a repeated PUT could load its rows twice)."""
        url = f"{self._sf.base_url}{path}"
        headers = {"Accept": "application/json"}
        data: bytes | IO[bytes] | None = None
        if csv_text is not None:
            headers["Content-Type"] = "text/csv"
            data = csv_text.encode("utf-8") if isinstance(csv_text, str) else csv_text
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
        if path.lower().endswith(("results", "records")):
            headers["Accept"] = "text/csv"

        def fn() -> BulkAnswer:
            if data is not None and not isinstance(data, bytes):
                data.seek(0)  # a repeated upload (503: nothing processed) sends it again whole
            answer = self._sf._call_salesforce(
                method, url, name=path, headers=headers, data=data, params=params, stream=to_file
            )
            found = _bulk_headers(answer.headers)
            if to_file:
                return BulkAnswer(answer.status_code, "", found, _downloaded(answer))
            # Bulk API 2.0 speaks UTF-8; a text/csv answer without a charset would otherwise be
            # read as ISO-8859-1 by requests, and echoed cells would no longer match the upload
            text = answer.content.decode("utf-8-sig")
            return BulkAnswer(answer.status_code, text, found)

        return self._call(f"{method} {path}", fn, safe=safe)

    # --- internals -----------------------------------------------------------------------

    def _write(self, what: str, path: str, method: str, *, safe: bool, **kwargs: Any) -> Any:
        """A write; *safe* when repeating it cannot duplicate anything (upsert, delete)."""
        fn = lambda: self._sf.restful(path, method=method, **kwargs)  # noqa: E731
        return self._call(what, fn, safe=safe)

    def _call(self, what: str, fn: Callable[[], T], *, safe: bool = True) -> T:
        """Run *fn*, translating errors, and retry transient failures.

        A create is retried only when the org said it processed nothing (503): after a timeout
        or a dropped connection the records may exist, and the ledger's pending rows settle that.
        """
        for attempt in range(_RETRIES):
            with self._calls_lock:
                if self.ceiling is not None and self.calls >= self.ceiling:
                    raise CeilingReached(f"{self.label}: {what}: the {self.ceiling} API calls "
                                         "reserved for this pass are spent")  # fmt: skip
                self.calls += 1
            try:
                with _translate_errors(f"{self.label}: {what}"):
                    return fn()
            except TransientError as exc:
                if attempt == _RETRIES - 1 or not (safe or exc.unprocessed):
                    raise
                time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")


@dataclass(frozen=True)
class BulkAnswer:
    """A Bulk API 2.0 answer: its HTTP status and body text (JSON job info, or CSV), and the
    `Sforce-*` headers a query job's results carry (`Sforce-Locator`, `Sforce-NumberOfRecords`)."""

    status: int
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)
    file: IO[bytes] | None = None  # `jobs(..., to_file=True)`: the body, read from its start


_DOWNLOAD_BLOCK = 1 << 20


def _downloaded(answer: requests.Response) -> IO[bytes]:
    """A streamed answer's body in a temporary file, a block at a time, rewound (the caller
    closes it: the file goes with it)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    with answer:
        for block in answer.iter_content(_DOWNLOAD_BLOCK):
            out.write(block)
    out.seek(0)
    return out


def _bulk_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower().startswith("sforce-")}


def _results(raw: Any, expected: int, ids: Sequence[str] | None = None) -> list[WriteResult]:
    if not isinstance(raw, list) or len(raw) != expected:
        raise TargetError(f"unexpected collection response: {str(raw)[:200]}")
    out = []
    for i, entry in enumerate(raw):
        if entry.get("success"):
            out.append(WriteResult(True, entry.get("id") or (ids[i] if ids else None)))
            continue
        error = (entry.get("errors") or [{}])[0]
        out.append(
            WriteResult(
                False,
                entry.get("id") or (ids[i] if ids else None),
                str(error.get("statusCode") or error.get("errorCode") or "UNKNOWN"),
                str(error.get("message", "")),
                tuple(error.get("fields") or ()),
            )
        )
    return out


# --- connecting ------------------------------------------------------------------------------


def connect(config: Config, secrets: Secrets, local_url: str | None = None) -> SalesforceCrm:
    """A client logged in to the configured org: a real one, or the local org at *local_url*
    (default `salesforce.local.url`). Starting an embedded local org is the launcher's job
    (`demo_gen.commands.org_launch`), not the client's."""
    settings = config.salesforce
    if settings.target == "salesforce":
        return SalesforceCrm(_login_real(config, secrets), label="salesforce")
    url = local_url or settings.local.url
    if url is None:
        raise UsageError(
            "no local org address: salesforce.local.url is null and none was started",
            hint="open it with demo_gen.commands.org_launch.open_crm, which serves the database",
        )
    try:
        return SalesforceCrm(_login_local(url, settings.api_version), label="local org")
    except TransientError as exc:
        if local_url is not None or not isinstance(exc.__cause__, requests.ConnectionError):
            raise
        raise _no_served_org(url, settings.local.db) from exc


def _no_served_org(url: str, db: Path) -> TargetError:
    """The configured served org does not answer: say how to start it."""
    port = urlsplit(url).port
    return TargetError(
        f"no local org answers at {url} (salesforce.local.url)",
        hint=f"start one: `demo-gen org serve --port {port} --db {db}` (or set "
        "salesforce.local.url: null and each command serves that database itself)",
    )


def _login_local(url: str, version: str) -> Salesforce:
    from demo_gen.targets.salesforce.transport import local_session

    with _translate_errors(f"local org at {url}"):
        return Salesforce(
            username=LOCAL_USERNAME,
            password=LOCAL_PASSWORD,
            security_token="",
            session=local_session(url),
            version=version,
        )


def _login_real(config: Config, secrets: Secrets) -> Salesforce:
    settings = config.salesforce
    common: dict[str, Any] = {"version": settings.api_version, "domain": settings.domain}
    with _translate_errors(f"salesforce at {settings.instance_url}"):
        if settings.auth == "password":
            _require(secrets, "sf_username", "sf_password")
            return Salesforce(
                username=secrets.sf_username,
                password=secrets.sf_password,
                security_token=secrets.sf_security_token or "",
                **common,
            )
        if settings.auth == "jwt":
            _require(secrets, "sf_username", "sf_consumer_key", "sf_private_key_file")
            return Salesforce(
                username=secrets.sf_username,
                consumer_key=secrets.sf_consumer_key,
                privatekey_file=secrets.sf_private_key_file,
                instance_url=settings.instance_url,
                **common,
            )
        _require(secrets, "sf_consumer_key", "sf_consumer_secret")
        return Salesforce(
            consumer_key=secrets.sf_consumer_key,
            consumer_secret=secrets.sf_consumer_secret,
            **common,
        )


def _require(secrets: Secrets, *names: str) -> None:
    missing = [n.upper() for n in names if not getattr(secrets, n)]
    if missing:
        raise AuthError(
            f"missing credentials for a real org: {', '.join(missing)}",
            hint="set them in .env (see .env.example)",
        )
