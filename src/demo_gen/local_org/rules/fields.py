"""Generic field validation for the write rules (see `rules`): parse, type, check, find by value.

A JSON body becomes native values keyed by canonical field name (`parse_body`, `coerce`), then
`check_values` applies the required, restricted-picklist, length, email and reference checks and
`check_unique` the uniqueness check, in the order the `rules` docstring gives. `unique_owner` and
`find_external` find live records by a unique or external-id field value (any case).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from demo_gen.local_org import ids
from demo_gen.local_org.rules.base import (
    RecordError,
    Write,
    duplicate_error,
    integrity_error,
    read_only_error,
    required_error,
    type_of,
)
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.store.core import Transaction
from demo_gen.local_org.store.index import index_key

_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_JSON_TYPE_NAMES = {
    schema.BOOLEAN: "boolean",
    schema.INT: "int",
    schema.DOUBLE: "double",
    schema.CURRENCY: "double",
    schema.PERCENT: "double",
    schema.DATE: "date",
    schema.DATETIME: "datetime",
}
_LENGTH_TYPES = frozenset(
    {schema.STRING, schema.TEXTAREA, schema.EMAIL, schema.PHONE, schema.URL}
    | {schema.PICKLIST, schema.COMBOBOX}
)


def _parser_error(f: Field, raw: Any) -> RecordError:
    if isinstance(raw, bool):
        token, shown = ("VALUE_TRUE" if raw else "VALUE_FALSE"), str(raw).lower()
    elif isinstance(raw, int | float):
        token = "VALUE_NUMBER_INT" if isinstance(raw, int) else "VALUE_NUMBER_FLOAT"
        shown = str(raw)
    elif isinstance(raw, Mapping | list):
        token, shown = ("START_OBJECT", "{") if isinstance(raw, Mapping) else ("START_ARRAY", "[")
    else:
        token, shown = "VALUE_STRING", str(raw)
    type_name = _JSON_TYPE_NAMES.get(f.type, "string")
    return RecordError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {type_name} from {token} value {shown} "
        "or request may be missing a required field",
    )


# --- finding records by a field value --------------------------------------------------------


def unique_owner(txn: Transaction, obj: SObject, f: Field, value: str, exclude: Any) -> str | None:
    """The live record other than *exclude* whose unique field *f* equals *value* (any case)."""
    lowered = value.lower()
    for record in txn.staged(obj.name, f.name, value):
        v = record.get(f.name)
        if record["Id"] == exclude or record["IsDeleted"]:
            continue
        if isinstance(v, str) and v.lower() == lowered:
            return str(record["Id"])
    found = txn.store.find_unique(obj.name, f.name, value)
    if found is None or found == exclude or found in txn.changes:
        return None
    return found


def find_external(txn: Transaction, obj: SObject, f: Field, value: str) -> str | None:
    """The live record whose external-id field *f* equals *value*; 300 when several do."""
    if f.unique:
        return unique_owner(txn, obj, f, value, None)
    staged = {r["Id"]: r for r in txn.staged(obj.name, f.name, value)}
    # the index keys casefold; equal lower-case values have equal casefolds, so none is missed
    committed = txn.store.ids_by_key(obj.name, f.name, index_key(f, value))
    rows = {i: r for i in committed if (r := txn.get(i)) is not None} | staged
    lowered = value.lower()
    hits = [i for i, r in rows.items() if not r["IsDeleted"] and lower(r.get(f.name)) == lowered]
    if len(hits) > 1:
        raise RecordError("MULTIPLE_CHOICES", f"More than one record found for {value}", (), 300)
    return hits[0] if hits else None


def lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


# --- parsing and field checks ----------------------------------------------------------------


def coerce(f: Field, raw: Any) -> Any:
    try:
        value = schema.from_wire(f, raw)
    except ValueError:
        raise _parser_error(f, raw) from None
    if value is None and f.type == schema.BOOLEAN:
        return False
    if value == "" and f.type in schema.TEXT_TYPES:
        return None
    return value


def parse_body(
    obj: SObject, body: Mapping[str, Any], creating: bool, also: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The body's values keyed by canonical field name, after the field and type checks.

    *also* names read-only fields this write may give all the same (audit fields on insert).
    """
    pairs: list[tuple[Field, Any]] = []
    for key, raw in body.items():
        if key.lower() == "attributes":
            continue
        f = obj.field(key)
        if f is None:
            raise RecordError(
                "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}"
            )
        pairs.append((f, raw))
    for f, _ in pairs:
        if not (f.createable if creating else f.updateable) and f.name not in also:
            raise read_only_error(f.name)
    return {f.name: coerce(f, raw) for f, raw in pairs}


def _checked_picklist(f: Field, value: Any) -> Any:
    if value is None or not f.restricted:
        return value
    for allowed in f.picklist:
        if allowed.lower() == str(value).lower():
            return allowed
    raise RecordError(
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        f"{f.label}: bad value for restricted picklist field: {value}",
        [f.name],
    )


def _checked_length(f: Field, value: Any) -> Any:
    if isinstance(value, str) and f.type in _LENGTH_TYPES and f.length and len(value) > f.length:
        message = f"{f.label}: data value too large: {value[:40]}... (max length={f.length})"
        raise RecordError("STRING_TOO_LONG", message, [f.name])
    return value


def _checked_email(f: Field, value: Any) -> Any:
    if value is not None and f.type == schema.EMAIL and not _EMAIL_RE.match(str(value)):
        message = f"{f.label}: invalid email address: {value}"
        raise RecordError("INVALID_EMAIL_ADDRESS", message, [f.name])
    return value


def _checked_reference(txn: Transaction, f: Field, value: Any) -> Any:
    """A reference as its canonical 18-character id, once it names a live record of a right type."""
    if value is None or f.type != schema.REFERENCE:
        return value
    message = f"{f.label}: id value of incorrect type: {value}"
    if not ids.is_id(value):
        raise RecordError("MALFORMED_ID", message, [f.name])
    if type_of(value) not in f.reference_to:
        raise integrity_error(f.name, message)
    record_id = ids.to18(value)
    if not txn.is_live(record_id):
        raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    return record_id


checked_reference = _checked_reference


def check_values(w: Write) -> None:
    """Required, picklist, length, email and reference checks; normalises values in place."""
    fields = [f for name in w.given if (f := w.obj.field(name)) is not None]
    if w.old is None:
        required = [f for f in w.obj.fields if f.required and f.createable]
    else:
        required = [f for f in fields if f.required or f.name == "OwnerId"]
    missing = [f.name for f in required if w.record[f.name] is None]
    if missing:
        raise required_error(missing)
    for check in (_checked_picklist, _checked_length, _checked_email):
        for f in fields:
            w.record[f.name] = check(f, w.record[f.name])
    for f in fields:
        w.record[f.name] = _checked_reference(w.txn, f, w.record[f.name])


def check_unique(w: Write) -> None:
    for f in w.obj.fields:
        value = w.record.get(f.name)
        if not f.unique or f.name not in w.given or not isinstance(value, str):
            continue
        if w.old is not None and lower(w.old.get(f.name)) == value.lower():
            continue
        owner = unique_owner(w.txn, w.obj, f, value, w.record.get("Id"))
        if owner is not None:
            raise duplicate_error(f.name, owner)
