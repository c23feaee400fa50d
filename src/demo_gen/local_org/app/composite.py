"""`composite/tree/{Obj}` (nested inserts) and `composite` (up to 25 chained sub-requests).

Sub-requests of `composite` run through the same router as HTTP requests, inside one shared
transaction: with `allOrNone: true` the first failure discards everything and the other
sub-requests answer PROCESSING_HALTED; otherwise each failed sub-request is rolled back alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from werkzeug.datastructures import Headers

from demo_gen.local_org.app.collections import LIMIT_MESSAGE, MAX_RECORDS, RowError, record_type
from demo_gen.local_org.app.http import (
    ApiError,
    ApiRequest,
    ApiResponse,
    Ctx,
    bad_request,
    parse_bool,
    require_sobject,
)
from demo_gen.local_org.app.rest import actor
from demo_gen.local_org.rules import engine as rules
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.store.core import Transaction

MAX_SUBREQUESTS = 25
MAX_TREE_DEPTH = 5
HALTED = "The transaction was rolled back since another operation in the same transaction failed."
_REF_RE = re.compile(r"@\{([^}]+)\}")
_PATH_RE = re.compile(r"^/services/data/v(\d+\.\d+)/(.*)$")


# --- sObject tree ------------------------------------------------------------------------------


class _TreeFailure(Exception):
    def __init__(self, reference_id: str | None, entry: dict[str, Any]) -> None:
        super().__init__(entry.get("message", ""))
        self.reference_id = reference_id
        self.entry = entry


def _count_tree(records: list[Any], depth: int) -> int:
    if depth > MAX_TREE_DEPTH:
        raise bad_request("INVALID_INPUT", f"Tree depth exceeds the maximum of {MAX_TREE_DEPTH}")
    total = 0
    for record in records:
        total += 1
        if isinstance(record, dict):
            for value in record.values():
                if isinstance(value, dict) and isinstance(value.get("records"), list):
                    total += _count_tree(value["records"], depth + 1)
    return total


def _split_children(obj: SObject, record: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """(fields, [(relationship, child records)]) of one tree record."""
    fields: dict[str, Any] = {}
    children: list[Any] = []
    for key, value in record.items():
        rel = obj.child_relationship(key)
        if rel is not None and isinstance(value, dict):
            children.append((rel, value.get("records") or []))
        elif key != "attributes":
            fields[key] = value
    return fields, children


def _insert_tree(
    ctx: Ctx, txn: Transaction, record: Any, expected: SObject | None, out: list[dict[str, Any]]
) -> str:
    attrs = record.get("attributes") if isinstance(record, dict) else None
    ref = attrs.get("referenceId") if isinstance(attrs, dict) else None
    try:
        obj = record_type(record)
        if expected is not None and obj.name != expected.name:
            raise RowError("INVALID_TYPE", f"Record type must be {expected.name}")
        fields, children = _split_children(obj, record)
        record_id = rules.insert(txn, obj, fields, actor(ctx))
    except rules.RecordError as exc:
        raise _TreeFailure(ref, exc.as_result_error()) from exc
    except RowError as exc:
        raise _TreeFailure(ref, exc.entry) from exc
    out.append({"referenceId": ref, "id": record_id})
    for rel, child_records in children:
        child_obj = require_sobject(rel.child)
        for child in child_records:
            if isinstance(child, dict):
                child = {**child, rel.field: record_id}
            _insert_tree(ctx, txn, child, child_obj, out)
    return record_id


def tree(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """POST composite/tree/{Obj}: all or none; 201 with referenceId→id, else 400 hasErrors."""
    obj = require_sobject(params["sobject"])
    records = req.json_object().get("records")
    if not isinstance(records, list):
        raise bad_request("JSON_PARSER_ERROR", "records: expected an array of sObjects")
    if _count_tree(records, 1) > MAX_RECORDS:
        raise bad_request("EXCEEDED_ID_LIMIT", LIMIT_MESSAGE)
    out: list[dict[str, Any]] = []
    try:
        with ctx.transaction() as txn:
            for record in records:
                _insert_tree(ctx, txn, record, obj, out)
    except _TreeFailure as exc:
        failed = {"referenceId": exc.reference_id, "errors": [exc.entry]}
        return ApiResponse(400, {"hasErrors": True, "results": [failed]})
    return ApiResponse(201, {"hasErrors": False, "results": out})


# --- composite ---------------------------------------------------------------------------------


class _Unresolved(Exception):
    def __init__(self, expression: str) -> None:
        name = expression.split(".")[0].split("[")[0]
        super().__init__(f"Invalid reference specified. No value for {expression} found in {name}.")


def _walk(value: Any, path: str) -> Any:
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if index:
            if not isinstance(value, list) or int(index) >= len(value):
                raise KeyError(path)
            value = value[int(index)]
        elif isinstance(value, dict):
            value = value[name]
        else:
            raise KeyError(path)
    return value


def _resolve(expression: str, refs: Mapping[str, Any]) -> Any:
    name, _, rest = expression.partition(".")
    head = name.split("[")[0]
    if head not in refs:
        raise _Unresolved(expression)
    try:
        return _walk(refs[head], expression[len(head) :].lstrip("."))
    except (KeyError, TypeError):
        raise _Unresolved(expression) from None


def substitute(value: Any, refs: Mapping[str, Any], in_url: bool = False) -> Any:
    """*value* with every `@{ref.path}` replaced by the referenced result."""
    if isinstance(value, dict):
        return {k: substitute(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, refs) for v in value]
    if not isinstance(value, str) or "@{" not in value:
        return value
    whole = _REF_RE.fullmatch(value)
    if whole and not in_url:
        return _resolve(whole.group(1), refs)

    def text(m: re.Match[str]) -> str:
        found = _resolve(m.group(1), refs)
        return quote(str(found), safe="") if in_url else str(found)

    return _REF_RE.sub(text, value)


def _sub_request(ctx: Ctx, sub: Mapping[str, Any], refs: Mapping[str, Any]) -> ApiRequest:
    url = substitute(str(sub.get("url", "")), refs, in_url=True)
    parts = urlsplit(url)
    m = _PATH_RE.match(parts.path)
    if m is None:
        raise bad_request("INVALID_API_INPUT", f"invalid url: {url}")
    raw = [s for s in m.group(2).split("/") if s]
    body = substitute(sub.get("body"), refs)
    headers = sub.get("httpHeaders") if isinstance(sub.get("httpHeaders"), dict) else {}
    return ApiRequest(
        method=str(sub.get("method", "GET")).upper(),
        segments=[unquote(s) for s in raw],
        raw_segments=raw,
        version=m.group(1),
        args=dict(parse_qsl(parts.query)),
        headers=Headers([(str(k), str(v)) for k, v in (headers or {}).items()]),
        data=b"" if body is None else json.dumps(body).encode(),
    )


def _run_sub(ctx: Ctx, sub: Mapping[str, Any], refs: dict[str, Any]) -> dict[str, Any]:
    ref = str(sub.get("referenceId", ""))
    try:
        req = _sub_request(ctx, sub, refs)
        sub_ctx = Ctx(ctx.org, ctx.user_id, req.version, ctx.dispatch, ctx.txn)
        response = ctx.dispatch(sub_ctx, req)
        status, body, headers = response.status, response.body, dict(response.headers)
    except _Unresolved as exc:
        status, body, headers = 400, [{"errorCode": "PROCESSING_HALTED", "message": str(exc)}], {}
    except ApiError as exc:
        status, body, headers = exc.status, exc.body, {}
    if status < 300:
        refs[ref] = body
    return {"body": body, "httpHeaders": headers, "httpStatusCode": status, "referenceId": ref}


def _halted(ref: str) -> dict[str, Any]:
    return {
        "body": [{"errorCode": "PROCESSING_HALTED", "message": HALTED}],
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": ref,
    }


class _Rollback(Exception):
    pass


def composite(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """POST composite: run sub-requests in order with `@{ref.field}` substitution; always 200."""
    payload = req.json_object()
    subs = payload.get("compositeRequest")
    if not isinstance(subs, list) or not all(isinstance(s, dict) for s in subs):
        raise bad_request("JSON_PARSER_ERROR", "compositeRequest: expected an array")
    if len(subs) > MAX_SUBREQUESTS:
        raise bad_request(
            "INVALID_API_INPUT", f"Composite API supports at most {MAX_SUBREQUESTS} subrequests"
        )
    all_or_none = parse_bool(payload.get("allOrNone", False), "allOrNone")
    answers: list[dict[str, Any]] = []
    refs: dict[str, Any] = {}
    try:
        with ctx.transaction() as txn:
            inner = Ctx(ctx.org, ctx.user_id, ctx.version, ctx.dispatch, txn)
            for sub in subs:
                answers.append(_run_sub(inner, sub, refs))
                if all_or_none and answers[-1]["httpStatusCode"] >= 400:
                    raise _Rollback
    except _Rollback:
        failed = len(answers) - 1
        answers = [
            answers[i] if i == failed else _halted(str(s.get("referenceId", "")))
            for i, s in enumerate(subs)
        ]
    return ApiResponse(body={"compositeResponse": answers})
