"""REST handlers for queries and single sObjects: query/queryAll with paging, CRUD, upsert.

Every handler has the signature `(ctx, req, params) -> ApiResponse` and raises `ApiError` for
error answers; `rules.RecordError` becomes the same error array with its own status.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, unquote_plus

from demo_gen.local_org import ids
from demo_gen.local_org.app.http import (
    ApiError,
    ApiRequest,
    ApiResponse,
    Ctx,
    bad_request,
    not_found,
    require_sobject,
)
from demo_gen.local_org.rules import engine as rules
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.settings import OrgSettings
from demo_gen.local_org.soql import engine as soql
from demo_gen.local_org.store.core import View
from demo_gen.local_org.store.index import index_key

PAGE_SIZE = 2000
MIN_BATCH, MAX_BATCH = 200, 2000
MAX_CURSORS = 500


@contextmanager
def record_errors() -> Iterator[None]:
    """Turn a `rules.RecordError` into the matching error answer."""
    try:
        yield
    except rules.RecordError as exc:
        raise ApiError(
            exc.http_status, exc.status_code, exc.message, body=[exc.as_error()]
        ) from exc


def actor(ctx: Ctx) -> rules.Actor:
    """The user a write is attributed to, at the org's current time, under its settings."""
    return rules.Actor(user_id=ctx.user_id, now=ctx.now(), settings=OrgSettings.read(ctx.store))


# --- query -------------------------------------------------------------------------------------


@dataclass
class Cursor:
    """The rows of a query still to be fetched through `nextRecordsUrl`."""

    records: list[dict[str, Any]]
    total_size: int
    batch: int
    resource: str  # "query" or "queryAll"


def _batch_size(req: ApiRequest) -> int:
    options = req.headers.get("Sforce-Query-Options", "")
    for part in options.split(","):
        name, _, value = part.partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(MAX_BATCH, int(value.strip())))
    return PAGE_SIZE


def _page(ctx: Ctx, cursor_id: str, cursor: Cursor, offset: int) -> dict[str, Any]:
    end = offset + cursor.batch
    page = cursor.records[offset:end]
    done = end >= len(cursor.records)
    body: dict[str, Any] = {"totalSize": cursor.total_size, "done": done}
    if done:
        with ctx.org.lock:
            ctx.org.cursors.pop(cursor_id, None)
    else:
        body["nextRecordsUrl"] = ctx.url(cursor.resource, f"{cursor_id}-{end}")
    body["records"] = page
    return body


def _new_cursor(ctx: Ctx, cursor: Cursor) -> str:
    cursor_id = "01g" + ids.POD + secrets.token_hex(8)[:10].upper() + "AAA"
    with ctx.org.lock:
        cursors = ctx.org.cursors
        while len(cursors) >= MAX_CURSORS:
            cursors.pop(next(iter(cursors)))
        cursors[cursor_id] = cursor
    return cursor_id


def query(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET query?q= / queryAll?q= (first page), or query/{locator} (a further page)."""
    resource = "queryAll" if req.segments[0].lower() == "queryall" else "query"
    if "locator" in params:
        return ApiResponse(body=_more(ctx, params["locator"]))
    text = req.args.get("q")
    if not text:
        raise bad_request("MALFORMED_QUERY", "A query string has to be specified")
    try:
        output = soql.run(
            text,
            ctx.source(),
            version=ctx.version,
            today=ctx.now().date(),
            include_deleted=resource == "queryAll",
        )
    except soql.SoqlError as exc:
        raise ApiError(400, exc.error_code, exc.message) from exc
    cursor = Cursor(list(output.records), output.total_size, _batch_size(req), resource)
    if len(cursor.records) <= cursor.batch:
        return ApiResponse(
            body={"totalSize": output.total_size, "done": True, "records": cursor.records}
        )
    return ApiResponse(body=_page(ctx, _new_cursor(ctx, cursor), cursor, 0))


def _more(ctx: Ctx, locator: str) -> dict[str, Any]:
    cursor_id, _, offset_text = locator.partition("-")
    with ctx.org.lock:
        cursor = ctx.org.cursors.get(cursor_id)
    if cursor is None or not offset_text.isdigit():
        raise bad_request("INVALID_QUERY_LOCATOR", "invalid query locator")
    return _page(ctx, cursor_id, cursor, int(offset_text))


# --- single records ----------------------------------------------------------------------------


def _record_body(ctx: Ctx, obj: SObject, record: View, fields: str | None) -> dict[str, Any]:
    full = schema.record_to_wire(obj, record, ctx.version)
    if not fields:
        return full
    out: dict[str, Any] = {"attributes": full["attributes"]}
    for name in (n.strip() for n in fields.split(",") if n.strip()):
        f = obj.field(name)
        if f is None:
            raise bad_request(
                "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}"
            )
        out[f.name] = full[f.name]
    return out


def _lookup(ctx: Ctx, obj: SObject, raw_id: str) -> tuple[str, View]:
    """The live record *raw_id* of type *obj*; 404 when it is another object's id."""
    with ctx.transaction() as txn, record_errors():
        record_id = rules.lookup_id(txn, raw_id)
        record = txn.get(record_id)
    owner = schema.sobject_of_id(record_id)
    if record is None or owner is None or owner.name != obj.name:
        raise not_found()
    return record_id, record


def get_record(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET sobjects/{Obj}/{id}[?fields=]: the whole record with attributes."""
    obj = require_sobject(params["sobject"])
    _, record = _lookup(ctx, obj, params["id"])
    return ApiResponse(body=_record_body(ctx, obj, record, req.args.get("fields")))


def create_record(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """POST sobjects/{Obj}/: 201 {"id","success":true,"errors":[]}."""
    obj = require_sobject(params["sobject"])
    body = req.json_object()
    with ctx.transaction() as txn, record_errors():
        record_id = rules.insert(txn, obj, body, actor(ctx))
    return ApiResponse(
        201,
        {"id": record_id, "success": True, "errors": []},
        headers={"Location": ctx.url("sobjects", obj.name, record_id)},
    )


def update_record(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """PATCH sobjects/{Obj}/{id}: 204."""
    obj = require_sobject(params["sobject"])
    body = req.json_object()
    record_id, _ = _lookup(ctx, obj, params["id"])
    with ctx.transaction() as txn, record_errors():
        rules.update(txn, obj, record_id, body, actor(ctx))
    return ApiResponse(204)


def delete_record(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """DELETE sobjects/{Obj}/{id}: 204 (a soft delete, visible to queryAll)."""
    obj = require_sobject(params["sobject"])
    record_id, _ = _lookup(ctx, obj, params["id"])
    with ctx.transaction() as txn, record_errors():
        rules.delete(txn, record_id, actor(ctx))
    return ApiResponse(204)


# --- external ids ------------------------------------------------------------------------------


def external_field(obj: SObject, name: str) -> schema.Field:
    """The external-id field *name* of *obj*; 404 NOT_FOUND when there is no such field."""
    f = obj.field(name)
    if f is None or not (f.external_id or f.name == "Id"):
        raise not_found(f"Provided external ID field does not exist or is not accessible: {name}")
    return f


def matching_ids(ctx: Ctx, obj: SObject, f: schema.Field, value: str) -> list[str]:
    """Ids of the live records whose *f* equals *value* (case-insensitive)."""
    lowered = value.lower()
    source = ctx.source()
    # an index probe narrows the rows (equal lower-case values have equal casefolds)
    rows = source.lookup(obj.name, [(f.name, (index_key(f, value),))]) if value else None
    return [
        str(r["Id"])
        for r in (source.rows(obj.name, False) if rows is None else rows)
        if isinstance(r.get(f.name), str) and r[f.name].lower() == lowered
    ]


def _ext_value(req: ApiRequest, decode_plus: bool) -> str:
    raw = req.raw_segments[3]
    return unquote_plus(raw) if decode_plus else unquote(raw)


def _several(ctx: Ctx, obj: SObject, found: list[str]) -> ApiError:
    urls = [ctx.url("sobjects", obj.name, i) for i in found]
    return ApiError(300, "MULTIPLE_CHOICES", "more than one record", body=urls)


def get_by_external_id(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET sobjects/{Obj}/{Field}/{value}: the record; 300 with URLs when several match."""
    obj = require_sobject(params["sobject"])
    f = external_field(obj, params["field"])
    value = _ext_value(req, decode_plus=True)
    if f.name == "Id":
        return get_record(ctx, req, {"sobject": obj.name, "id": value})
    found = matching_ids(ctx, obj, f, value)
    if not found:
        raise not_found()
    if len(found) > 1:
        raise _several(ctx, obj, found)
    record = ctx.source().get(found[0])
    return ApiResponse(body=_record_body(ctx, obj, record, req.args.get("fields")))


def without(body: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """*body* minus the keys *names* (case-insensitive)."""
    lowered = {n.lower() for n in names}
    return {k: v for k, v in body.items() if k.lower() not in lowered}


def upsert_record(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """PATCH sobjects/{Obj}/{Field}/{value}: 201 created or 200 updated, with `created`."""
    obj = require_sobject(params["sobject"])
    f = external_field(obj, params["field"])
    value = _ext_value(req, decode_plus=False)
    body = without(req.json_object(), f.name)
    if f.name == "Id":
        update_record(ctx, req, {"sobject": obj.name, "id": value})
        return ApiResponse(200, {"id": value, "success": True, "errors": [], "created": False})
    found = matching_ids(ctx, obj, f, value)
    if len(found) > 1:
        raise _several(ctx, obj, found)
    with ctx.transaction() as txn, record_errors():
        record_id, created = rules.upsert(txn, obj, f.name, value, body, actor(ctx))
    result = {"id": record_id, "success": True, "errors": [], "created": created}
    return ApiResponse(201 if created else 200, result)
