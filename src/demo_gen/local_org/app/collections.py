"""sObject Collections: `composite/sobjects` create, update, upsert, delete and retrieve.

All records of one call share one transaction with a savepoint per record. With
`allOrNone: false` a failed record is rolled back to its savepoint and the rest commit; with
`allOrNone: true` any failure discards the whole transaction and every record that did not fail
on its own reports ALL_OR_NONE_OPERATION_ROLLED_BACK. Results come back in input order, with
`statusCode` (not `errorCode`) in per-record errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from demo_gen.local_org import ids
from demo_gen.local_org.app.http import (
    ApiRequest,
    ApiResponse,
    Ctx,
    bad_request,
    parse_bool,
    require_sobject,
    split_ids,
)
from demo_gen.local_org.app.rest import actor, external_field, without
from demo_gen.local_org.faults import lock_row_message
from demo_gen.local_org.rules import engine as rules
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.store.core import Transaction

MAX_RECORDS = 200
MAX_RETRIEVE = 2000
LIMIT_MESSAGE = "record limit reached. cannot submit more than 200 records into this call"
ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header",
    "fields": [],
}


class RowError(Exception):
    """A per-record failure found before the rules ran (bad type, Id where none belongs)."""

    def __init__(self, status_code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(f"{status_code}: {message}")
        self.entry = {"statusCode": status_code, "message": message, "fields": fields or []}


@dataclass
class Outcome:
    """What happened to one record of a collection."""

    record_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class _Discard(Exception):
    """Leaves the transaction block so that an allOrNone call writes nothing."""


Operation = Callable[[Transaction, Any], tuple[str, bool | None]]


def run_rows(
    ctx: Ctx,
    items: Sequence[Any],
    operation: Operation,
    all_or_none: bool,
    id_of: Callable[[Any], str | None],
) -> list[Outcome]:
    """Apply *operation* to each item in one transaction, a savepoint per item."""
    outcomes: list[Outcome] = []
    try:
        with ctx.transaction() as txn:
            for item in items:
                outcomes.append(apply_one(ctx, txn, item, operation, id_of))
            if all_or_none and not all(o.ok for o in outcomes):
                raise _Discard
    except _Discard:
        for o in outcomes:
            if o.ok:
                o.errors = [dict(ROLLED_BACK)]
                o.created = None
    return outcomes


def apply_one(
    ctx: Ctx, txn: Transaction, item: Any, operation: Operation, id_of: Callable[[Any], str | None]
) -> Outcome:
    """Apply *operation* to one item under a savepoint; a failure rolls back to it."""
    point = txn.savepoint()
    known_id = id_of(item)
    if ctx.org.faults.row_failure(fault_stream(operation, item)):
        entry = {
            "statusCode": "UNABLE_TO_LOCK_ROW",
            "message": lock_row_message(known_id),
            "fields": [],
        }
        return Outcome(known_id, [entry])
    try:
        record_id, created = operation(txn, item)
    except rules.RecordError as exc:
        txn.rollback_to(point)
        return Outcome(known_id, [exc.as_result_error()])
    except RowError as exc:
        txn.rollback_to(point)
        return Outcome(known_id, [exc.entry])
    return Outcome(record_id, [], created)


def fault_stream(operation: Operation, item: Any) -> str:
    """The seeded fault stream a row belongs to: the operation and the row's sObject (named by
    `attributes.type`, or by an id's key prefix for a delete), so concurrent writes of other
    types leave its row errors as they were (`faults.Faults.row_failure`)."""
    name = getattr(operation, "__name__", "write")
    attrs = item.get("attributes") if isinstance(item, dict) else None
    type_name = attrs.get("type") if isinstance(attrs, dict) else None
    if type_name is None and isinstance(item, str):
        obj = schema.sobject_of_id(item) if ids.is_id(item) else None
        type_name = obj.name if obj is not None else None
    return f"{name}:{type_name or '?'}"


def results(outcomes: list[Outcome], with_ids: bool, with_created: bool) -> list[dict[str, Any]]:
    """The response array; failed creates carry no `id` key."""
    out: list[dict[str, Any]] = []
    for o in outcomes:
        entry: dict[str, Any] = {}
        if o.ok or (with_ids and o.record_id is not None):
            entry["id"] = o.record_id
        entry["success"] = o.ok
        entry["errors"] = o.errors
        if with_created and o.ok:
            entry["created"] = bool(o.created)
        out.append(entry)
    return out


# --- request parsing ---------------------------------------------------------------------------


def _payload(req: ApiRequest) -> tuple[list[Any], bool]:
    body = req.json_object()
    records = body.get("records")
    if not isinstance(records, list):
        raise bad_request("JSON_PARSER_ERROR", "records: expected an array of sObjects")
    _check_count(len(records))
    return records, parse_bool(body.get("allOrNone", False), "allOrNone")


def _check_count(n: int) -> None:
    if n > MAX_RECORDS:
        raise bad_request("EXCEEDED_ID_LIMIT", LIMIT_MESSAGE)


def record_type(record: Any) -> SObject:
    """The sObject a collection record names in `attributes.type`, or a RowError."""
    if not isinstance(record, dict):
        raise RowError("INVALID_TYPE", "Must send a concrete entity type.")
    attrs = record.get("attributes")
    type_name = attrs.get("type") if isinstance(attrs, dict) else None
    if not isinstance(type_name, str) or not type_name:
        raise RowError("INVALID_TYPE", "Must send a concrete entity type.")
    obj = schema.sobject(type_name)
    if obj is None:
        raise RowError("INVALID_TYPE", f"sObject type '{type_name}' is not supported.")
    return obj


def field_value(record: Mapping[str, Any], name: str) -> Any:
    """*record*'s value for field *name*, matched case-insensitively."""
    lowered = name.lower()
    return next((v for k, v in record.items() if k.lower() == lowered), None)


def _raw_id(record: Any) -> str | None:
    value = field_value(record, "Id") if isinstance(record, dict) else None
    return value if isinstance(value, str) and value else None


def _typed_id(txn: Transaction, obj: SObject, raw: str) -> str:
    record_id = rules.lookup_id(txn, raw)
    owner = schema.sobject_of_id(record_id)
    if owner is None or owner.name != obj.name:
        raise RowError("MALFORMED_ID", f"{obj.name} ID: id value of incorrect type: {raw}", ["Id"])
    return record_id


# --- handlers ----------------------------------------------------------------------------------


def create(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """POST composite/sobjects: insert up to 200 records of any types."""
    records, all_or_none = _payload(req)
    who = actor(ctx)

    def insert(txn: Transaction, record: Any) -> tuple[str, bool | None]:
        obj = record_type(record)
        if _raw_id(record) is not None:
            raise RowError("INVALID_FIELD", "Record ID: cannot specify Id in an insert call")
        return rules.insert(txn, obj, record, who), True

    outcomes = run_rows(ctx, records, insert, all_or_none, lambda _: None)
    return ApiResponse(body=results(outcomes, with_ids=False, with_created=False))


def update(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """PATCH composite/sobjects: update up to 200 records, each naming its Id."""
    records, all_or_none = _payload(req)
    who = actor(ctx)

    def patch(txn: Transaction, record: Any) -> tuple[str, bool | None]:
        obj = record_type(record)
        raw = _raw_id(record)
        if raw is None:
            raise RowError("MISSING_ARGUMENT", "Id not specified in an update call")
        record_id = _typed_id(txn, obj, raw)
        rules.update(txn, obj, record_id, without(record, "Id"), who)
        return record_id, False

    outcomes = run_rows(ctx, records, patch, all_or_none, _raw_id)
    return ApiResponse(body=results(outcomes, with_ids=True, with_created=False))


def delete(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """DELETE composite/sobjects?ids=a,b&allOrNone=false."""
    record_ids = split_ids(req.args.get("ids"))
    if not record_ids:
        raise bad_request("MISSING_ARGUMENT", "ids: required parameter missing")
    _check_count(len(record_ids))
    who = actor(ctx)

    def remove(txn: Transaction, raw: Any) -> tuple[str, bool | None]:
        record_id = rules.lookup_id(txn, str(raw))
        rules.delete(txn, record_id, who)
        return record_id, None

    outcomes = run_rows(ctx, record_ids, remove, req.flag("allOrNone"), str)
    return ApiResponse(body=results(outcomes, with_ids=True, with_created=False))


def duplicate_keys(records: Sequence[Any], field_name: str) -> set[str]:
    """The external-id values (any case) that more than one record of a call carries."""
    seen: set[str] = set()
    twice: set[str] = set()
    for record in records:
        value = field_value(record, field_name) if isinstance(record, dict) else None
        if value is None or value == "":
            continue
        key = str(value).lower()
        (twice if key in seen else seen).add(key)
    return twice


def upsert(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """PATCH composite/sobjects/{Obj}/{ExtIdField}: upsert, results with `created`.

    Every record whose external-id value another record of the same call also carries fails
    with DUPLICATE_VALUE "Duplicate external id specified: {value}" [field], as a real org
    fails an upsert list with a repeated key (the Apex/API DML check, quoted in
    https://salesforce.stackexchange.com/questions/104048 and /296121; the REST upsert docs
    say a key matched more than once creates or updates nothing:
    developer.salesforce.com/docs/platform/api-rest/guide/resources-sobject-upsert-patch).
    The other records go ahead (allOrNone false) or are rolled back with the rest (true).
    """
    obj = require_sobject(params["sobject"])
    ext = external_field(obj, params["field"])
    records, all_or_none = _payload(req)
    who = actor(ctx)
    repeated = set() if ext.name == "Id" else duplicate_keys(records, ext.name)

    def put(txn: Transaction, record: Any) -> tuple[str, bool | None]:
        if record_type(record).name != obj.name:
            raise RowError("INVALID_TYPE", f"Record type must be {obj.name}")
        value = field_value(record, ext.name)
        if value not in (None, "") and str(value).lower() in repeated:
            raise RowError(
                "DUPLICATE_VALUE", f"Duplicate external id specified: {value}", [ext.name]
            )
        if ext.name == "Id":
            if value:
                record_id = _typed_id(txn, obj, str(value))
                rules.update(txn, obj, record_id, without(record, "Id"), who)
                return record_id, False
            return rules.insert(txn, obj, without(record, "Id"), who, audit=False), True
        if value is None or value == "":
            raise RowError("MISSING_ARGUMENT", f"{ext.name} not specified", [ext.name])
        return rules.upsert(txn, obj, ext.name, str(value), without(record, ext.name), who)

    outcomes = run_rows(ctx, records, put, all_or_none, _raw_id)
    return ApiResponse(body=results(outcomes, with_ids=True, with_created=True))


def retrieve(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET composite/sobjects/{Obj}?ids=&fields=: records in order, null for unknown ids."""
    obj = require_sobject(params["sobject"])
    record_ids = split_ids(req.args.get("ids"))
    if not record_ids:
        raise bad_request("MISSING_ARGUMENT", "ids: required parameter missing")
    if len(record_ids) > MAX_RETRIEVE:
        raise bad_request("EXCEEDED_ID_LIMIT", "cannot retrieve more than 2000 records")
    names = split_ids(req.args.get("fields")) or [f.name for f in obj.fields]
    fields = [obj.field(n) for n in names]
    missing = [n for n, f in zip(names, fields, strict=True) if f is None]
    if missing:
        raise bad_request(
            "INVALID_FIELD", f"No such column '{missing[0]}' on sobject of type {obj.name}"
        )
    source = ctx.source()
    out: list[dict[str, Any] | None] = []
    for raw in record_ids:
        record = _live(source, obj, raw)
        if record is None:
            out.append(None)
            continue
        row: dict[str, Any] = {"attributes": schema.attributes(obj.name, record["Id"], ctx.version)}
        for f in fields:
            if f is not None:
                row[f.name] = schema.to_wire(f, record.get(f.name))
        out.append(row)
    return ApiResponse(body=out)


def _live(source: Any, obj: SObject, raw: str) -> Mapping[str, Any] | None:
    """The live record *raw* of type *obj* as *source* sees it, or None."""
    if not ids.is_id(raw):
        return None
    record: Mapping[str, Any] | None = source.get(ids.to18(raw))
    if record is None or record.get("IsDeleted") or schema.sobject_of_id(raw) is not obj:
        return None
    return record
