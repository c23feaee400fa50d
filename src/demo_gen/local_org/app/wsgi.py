"""The local org's WSGI application: Salesforce's wire protocol over the SQLite-backed store.

Endpoints (reference/salesforce-wire.md has the shapes):

* `POST /services/Soap/u/{ver}` — SOAP partner login; `POST /services/oauth2/token` — OAuth
  password, client_credentials and JWT bearer grants.
* `/services/data/v{ver}/…` — REST (see `app_routes.ROUTES`): query/queryAll with paging,
  sObject CRUD, upsert, describe, limits, sObject Collections, composite, tree, Bulk 2.0 ingest.
* `GET /_local/stats` — request counts per endpoint and API usage (no session needed).

Each REST request is authenticated (401 INVALID_SESSION_ID unless the org issued the token),
checked against the daily API limit (403 REQUEST_LIMIT_EXCEEDED), counted, exposed to the fault
injector, then served. Every REST answer carries `Sforce-Limit-Info: api-usage=N/M`. An
unexpected exception answers 500 UNKNOWN_EXCEPTION and is logged; its transaction is discarded.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.wrappers import Request, Response

from demo_gen.local_org.app import auth as app_auth
from demo_gen.local_org.app import jwt as app_jwt
from demo_gen.local_org.app import routes as app_routes
from demo_gen.local_org.app.auth import AuthFailure, Credentials, Identity, Session, Sessions
from demo_gen.local_org.app.http import (
    JSON_TYPE,
    ApiError,
    ApiRequest,
    ApiResponse,
    Ctx,
    OrgState,
    not_found,
)
from demo_gen.local_org.faults import Faults, fault_body
from demo_gen.local_org.store import core as store_module
from demo_gen.local_org.store.core import Store

log = logging.getLogger(__name__)

_SOAP_RE = re.compile(r"^/services/Soap/u/(\d+\.\d+)(?:/.*)?$", re.IGNORECASE)
_DATA_RE = re.compile(r"^/services/data/v(\d+\.\d+)(?:/(.*))?$")
_INVALID_SESSION = ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
_LIMIT_EXCEEDED = ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer with Salesforce's content type."""
    return Response(json.dumps(body), status, headers=headers, content_type=JSON_TYPE)


class LocalOrgApp:
    """A Salesforce-compatible org as a WSGI callable.

    Example: `LocalOrgServer(Store(), faults=Faults(latency_ms=20))` serves it on loopback;
    `jwt_certificate` (PEM certificate or public key) is the connected app's certificate that
    JWT bearer assertions must be signed for (without one the JWT grant is refused);
    `app.faults.fail_next = [503]` fails the next REST request; `app.stats()` counts requests.
    """

    def __init__(
        self,
        store: Store,
        faults: Faults | None = None,
        *,
        username: str = "admin@demo-gen.local",
        password: str = "demo-gen",
        security_token: str = "",
        consumer_key: str = "demo-gen-local",
        consumer_secret: str = "demo-gen-secret",
        daily_limit: int = 15000,
        clock: Callable[[], datetime] | None = None,
        jwt_certificate: bytes | None = None,
    ) -> None:
        self.store = store
        key = None if jwt_certificate is None else app_jwt.load_public_key(jwt_certificate)
        self.credentials = Credentials(
            username, password, security_token, consumer_key, consumer_secret, key
        )
        self.sessions = Sessions()
        self._org = OrgState(store, faults or Faults(), clock or store_module.now_utc, daily_limit)
        self._counts: dict[str, int] = {}
        self._usage_day: date | None = None
        self._lock = threading.Lock()

    # --- public surface ----------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        """The fault knobs, mutable while the server runs."""
        return self._org.faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._org.faults = value

    @property
    def daily_limit(self) -> int:
        """The daily API request limit in force."""
        return self._org.effective_limit()

    @property
    def api_usage(self) -> int:
        """REST requests counted today (what `Sforce-Limit-Info` reports)."""
        with self._lock:
            return self._org.api_usage

    @property
    def request_counts(self) -> dict[str, int]:
        """Requests per endpoint key, e.g. `{"POST composite/sobjects": 3}` (a copy)."""
        with self._lock:
            return dict(self._counts)

    def stats(self) -> dict[str, Any]:
        """What `GET /_local/stats` answers."""
        with self._lock:
            return {
                "requests": dict(self._counts),
                "api_usage": self._org.api_usage,
                "daily_limit": self._org.effective_limit(),
                "sessions": len(self.sessions),
                "faults": self._org.faults.as_dict(),
            }

    def reset_stats(self, *, usage: bool = True) -> None:
        """Zero the request counts and, unless *usage* is False, today's API usage."""
        with self._lock:
            self._counts.clear()
            if usage:
                self._org.api_usage = 0

    def new_session(self) -> str:
        """A session id for the admin user, as a login would issue (for in-process callers)."""
        return self.sessions.issue(self._identity()).token

    def now(self) -> datetime:
        return self._org.clock()

    # --- WSGI ----------------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._route(request)
        except Exception:  # last line of defence: the server must answer, never crash
            response = self._unexpected(request)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.rstrip("/") == "/_local/stats":
            return json_response(self.stats())
        soap = _SOAP_RE.match(path)
        if soap is not None:
            return self._soap_login(request, soap.group(1))
        if path.rstrip("/").lower() == "/services/oauth2/token":
            return self._token(request)
        data = _DATA_RE.match(_raw_path(request))
        if data is not None:
            return self._rest(request, data.group(1), data.group(2) or "")
        if path.rstrip("/") == "/services/data":
            return json_response(_versions())
        return json_response(not_found().body, 404)

    def _count(self, key: str) -> None:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def _identity(self) -> Identity:
        return app_auth.ensure_admin(self.store, self.credentials.username, self.now())

    def _unexpected(self, request: Request) -> Response:
        error_id = f"{secrets.randbelow(10**9)}-{secrets.randbelow(10**6)}"
        log.exception(
            "local org: unexpected error %s on %s %s", error_id, request.method, request.path
        )
        message = (
            "An unexpected error occurred. Please include this ErrorId if you contact support: "
            f"{error_id} ({secrets.randbelow(10**10)})"
        )
        return json_response([{"errorCode": "UNKNOWN_EXCEPTION", "message": message}], 500)

    # --- login ---------------------------------------------------------------------------------

    def _soap_login(self, request: Request, version: str) -> Response:
        self._count("POST login")
        xml = "text/xml;charset=UTF-8"
        if request.method != "POST":
            return Response(app_auth.LOGIN_FAULT, 405, content_type=xml)
        found = app_auth.soap_credentials(request.get_data())
        if found is None or not app_auth.password_ok(self.credentials, *found):
            return Response(app_auth.LOGIN_FAULT, 500, content_type=xml)
        identity = self._identity()
        session = self.sessions.issue(identity)
        return Response(app_auth.soap_success(identity, session, version), 200, content_type=xml)

    def _token(self, request: Request) -> Response:
        self._count("POST oauth2/token")
        if request.method != "POST":
            return json_response(
                {"error": "invalid_request", "error_description": "must use HTTP POST"}, 400
            )
        try:
            app_auth.check_token_request(
                self.credentials, request.form, request.headers, self.now()
            )
        except AuthFailure as exc:
            return json_response({"error": exc.error, "error_description": exc.description}, 400)
        identity = self._identity()
        session = self.sessions.issue(identity)
        return json_response(app_auth.token_success(identity, session, self.now))

    # --- REST ----------------------------------------------------------------------------------

    def _rest(self, request: Request, version: str, rest: str) -> Response:
        req = _api_request(request, version, rest)
        route = app_routes.route_key(req.method, req.segments)
        self._count(route)
        try:
            session = self._authenticate(req)
            self._admit()
            self._inject_faults(route)
            ctx = Ctx(self._org, session.user_id, version, app_routes.dispatch)
            response = _to_response(app_routes.dispatch(ctx, req))
        except ApiError as exc:
            response = json_response(exc.body, exc.status)
        except Exception:
            response = self._unexpected(request)
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_usage}/{self.daily_limit}"
        return response

    def _authenticate(self, req: ApiRequest) -> Session:
        token = app_auth.bearer_token(req.headers)
        session = self.sessions.use(token) if token else None
        if session is None:
            raise _INVALID_SESSION
        if self.faults.session_expired(session.requests):
            self.sessions.kill(session.token)
            raise _INVALID_SESSION
        return session

    def _admit(self) -> None:
        """Count the request against today's budget; 403 once the budget is spent."""
        today = self.now().date()
        with self._lock:
            if self._usage_day != today:
                self._usage_day, self._org.api_usage = today, 0
            if self._org.api_usage >= self._org.effective_limit():
                raise _LIMIT_EXCEEDED
            self._org.api_usage += 1

    def _inject_faults(self, route: str) -> None:
        delay = self.faults.latency_seconds()
        if delay > 0:
            time.sleep(delay)
        status = self.faults.request_failure(route)
        if status is not None:
            raise ApiError(status, "", "", body=fault_body(status))


def _raw_path(request: Request) -> str:
    """The request path still percent-encoded (so `%2F` inside a segment stays inside it)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        return urlsplit(raw).path
    return str(request.environ.get("PATH_INFO", request.path))


def _api_request(request: Request, version: str, rest: str) -> ApiRequest:
    raw = [s for s in rest.split("/") if s]
    method = request.method.upper()
    override = request.args.get("_HttpMethod")
    if method == "POST" and override:
        method = override.upper()
    return ApiRequest(
        method=method,
        segments=[unquote(s) for s in raw],
        raw_segments=raw,
        version=version,
        args=request.args,
        headers=request.headers,
        data=request.get_data(),
    )


def _to_response(answer: ApiResponse) -> Response:
    if answer.stream is not None:  # sent as it is made (chunked): never held whole
        response = Response(
            answer.stream, answer.status, content_type=answer.content_type, direct_passthrough=True
        )
    elif answer.text is not None:
        response = Response(answer.text, answer.status, content_type=answer.content_type)
    elif answer.body is None:
        response = Response(None, answer.status)
        if answer.status == 204:
            response.headers.pop("Content-Type", None)
    else:
        response = json_response(answer.body, answer.status)
    response.headers.update(answer.headers)
    return response


def _versions() -> list[dict[str, str]]:
    return [
        {"label": f"API {v}", "url": f"/services/data/v{v}", "version": v}
        for v in ("57.0", "58.0", "59.0", "60.0", "61.0", "62.0")
    ]
