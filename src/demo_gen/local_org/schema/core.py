"""The objects and fields the local org holds, and how their values look on the wire.

Records are mappings keyed by the canonical field name (staged: dicts; committed: the store's
compact `store.record.Stored`), with native values:
str, bool, int, float, `datetime.date`, timezone-aware UTC `datetime.datetime`, or None.
`to_wire`/`from_wire` convert between those and the JSON the REST API speaks.

The schema itself is split in two: `schema_types` (field types, `Field`, `SObject`) and
`schema_objects` (the object table and its picklist values). This module re-exports both and
adds the look-ups by name and id and the wire conversions, so callers import only `schema`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from demo_gen.local_org.schema.objects import (
    ACTIVITY_TYPES,
    BY_PREFIX,
    CLOSED_STAGES,
    CONTACT_ROLES,
    OBJECTS,
    STAGES,
    TASK_STATUSES,
    WHAT_TARGETS,
)
from demo_gen.local_org.schema.types import (
    BOOLEAN,
    COMBOBOX,
    CURRENCY,
    DATE,
    DATETIME,
    DOUBLE,
    EMAIL,
    ID,
    INT,
    NUMBER_TYPES,
    PERCENT,
    PHONE,
    PICKLIST,
    REFERENCE,
    SOAP_TYPES,
    STRING,
    TEXT_TYPES,
    TEXTAREA,
    URL,
    ChildRelationship,
    Field,
    SObject,
)

__all__ = [
    "ACTIVITY_TYPES",
    "BOOLEAN",
    "BY_PREFIX",
    "CLOSED_STAGES",
    "COMBOBOX",
    "CONTACT_ROLES",
    "CURRENCY",
    "DATE",
    "DATETIME",
    "DOUBLE",
    "EMAIL",
    "ID",
    "INT",
    "NUMBER_TYPES",
    "OBJECTS",
    "PERCENT",
    "PHONE",
    "PICKLIST",
    "REFERENCE",
    "SOAP_TYPES",
    "STAGES",
    "STRING",
    "TASK_STATUSES",
    "TEXTAREA",
    "TEXT_TYPES",
    "URL",
    "WHAT_TARGETS",
    "ChildRelationship",
    "Field",
    "SObject",
    "attributes",
    "format_datetime",
    "from_wire",
    "parse_date",
    "parse_datetime",
    "record_to_wire",
    "sobject",
    "sobject_of_id",
    "to_wire",
]


def sobject(name: str) -> SObject | None:
    """The sObject called *name* (case-insensitive), or None."""
    return OBJECTS.get(name.lower())


def sobject_of_id(record_id: str) -> SObject | None:
    """The sObject an id belongs to, by its key prefix."""
    return BY_PREFIX.get(record_id[:3])


# --- values on the wire ----------------------------------------------------------------------

_DT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_datetime(text: str) -> datetime:
    """Parse a Salesforce/ISO datetime (Z, ±hh:mm or ±hhmm offsets) into an aware UTC datetime."""
    m = _DT_RE.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a valid value for the type xsd:dateTime")
    y, mo, d, h, mi, s, frac, tz = m.groups()
    micro = int((frac or "0").ljust(6, "0"))
    tzinfo: timezone = UTC
    if tz and tz != "Z":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        tzinfo = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    value = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro, tzinfo)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    m = _DATE_RE.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a valid value for the type xsd:date")
    return date(int(m[1]), int(m[2]), int(m[3]))


@lru_cache(maxsize=1 << 16)
def format_datetime(value: datetime) -> str:
    """Salesforce's wire form: `2024-05-01T10:00:00.000+0000`.

    Cached: a Bulk job's records share their stamps (`CreatedDate`, `SystemModstamp`: the
    transaction's time), and the org formats every datetime it stores or sends (equal instants
    in other zones are equal keys, and have the same UTC form).

    Fixed width (the year too: `strftime("%Y")` writes 999 for 0999 on Linux), so the stored
    text sorts as the instants do; the disk tables' range indexes rely on it (ADR 0011)."""
    v = value.astimezone(UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}."
        f"{v.microsecond // 1000:03d}+0000"
    )


def to_wire(f: Field, value: Any) -> Any:
    """A native value as the JSON the REST API returns for field *f*."""
    if value is None:
        return False if f.type == BOOLEAN else None
    if f.type == DATETIME:
        return format_datetime(value)
    if f.type == DATE:
        return value.isoformat()
    if f.type in (DOUBLE, CURRENCY, PERCENT):
        return float(value)
    return value


def from_wire(f: Field, value: Any) -> Any:
    """A JSON (or CSV text) value for field *f* as a native value; ValueError says what is wrong."""
    if value is None:
        return None
    t = f.type
    if t == BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(f"{f.name}: value not of required type: {value}")
    if t in (INT, DOUBLE, CURRENCY, PERCENT):
        if isinstance(value, bool):
            raise ValueError(f"{f.name}: value not of required type: {value}")
        try:
            number = float(value) if t != INT else int(str(value).split(".")[0])
        except (TypeError, ValueError):
            raise ValueError(f"{f.name}: value not of required type: {value}") from None
        return number
    if t == DATETIME:
        if not isinstance(value, str):
            raise ValueError(f"{f.name}: value not of required type: {value}")
        return parse_datetime(value)
    if t == DATE:
        if not isinstance(value, str):
            raise ValueError(f"{f.name}: value not of required type: {value}")
        text = value.strip()
        return parse_datetime(text).date() if "T" in text else parse_date(text)
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise ValueError(f"{f.name}: value not of required type: {value}")
    return value


def record_to_wire(obj: SObject, record: Mapping[str, Any], version: str) -> dict[str, Any]:
    """A whole record as GET sobjects/{Obj}/{id} returns it: attributes first, every field."""
    out: dict[str, Any] = {"attributes": attributes(obj.name, record.get("Id"), version)}
    for f in obj.fields:
        out[f.name] = to_wire(f, record.get(f.name))
    return out


def attributes(type_name: str, record_id: str | None, version: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"type": type_name}
    if record_id:
        attrs["url"] = f"/services/data/v{version}/sobjects/{type_name}/{record_id}"
    return attrs
