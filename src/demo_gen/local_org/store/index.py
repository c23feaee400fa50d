"""The store's look-up indexes: record ids by the value of a lookup or external-id field.

Which fields are indexed (`indexed_fields`): every lookup (reference) field a caller can set
(WhatId, WhoId, RelatedToId, ActivityId, EventId, TaskId, OwnerId, AccountId, OpportunityId …;
not the audit lookups CreatedById/LastModifiedById, which every update rewrites) and every
external-id, unique or DemoGen text field. `Id` needs no index: the store keeps records by id.

Range probes (`Span`): the disk tables (`store.disk`) also keep the datetime fields
(`ORDERED_FIELDS`: SystemModstamp) in SQLite indexes ordered by value, so a window
such as the Bulk read-back's `SystemModstamp >= <the job's creation>` reads what falls in it, not
the table (`is_ordered`). The in-memory tables have no ordered index: a span there scans.

A key is what the SOQL engine compares (`index_key`): an id as stored (the canonical 18
characters), a text value casefolded. Nulls are not indexed, so `= null` scans. Deleted records
stay indexed (queryAll sees them); callers filter. `LookupIndex` is maintained record by record
as transactions commit (`replace`), never rebuilt per call; it is not thread-safe by itself (the
store guards it).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject


@dataclass(frozen=True, slots=True)
class Span:
    """The values of a datetime field from *low* to *high*, both included; None is open.

    Inclusive either way: a probe may return more rows than the predicate accepts, never less
    (the compiled WHERE runs on every row found), and the stored values are whole milliseconds.
    """

    low: datetime | None = None
    high: datetime | None = None

    def meet(self, other: Span) -> Span:
        """The values in both spans (an AND of two ranges on one field)."""
        lows = [v for v in (self.low, other.low) if v is not None]
        highs = [v for v in (self.high, other.high) if v is not None]
        return Span(max(lows, default=None), min(highs, default=None))


Probe = tuple[str, Collection[Hashable] | Span]
"""A field (canonical name) and the index keys wanted (`index_key`), or a span of its values."""

_AUDIT_LOOKUPS = frozenset({"CreatedById", "LastModifiedById"})
ORDERED_FIELDS = ("SystemModstamp",)
"""The datetime fields the disk tables index by value, for range probes (`Span`): the Bulk
read-back's window. Any datetime field can be added (CreatedDate: no reader ranges over it yet,
and each ordered index costs every insert a few µs; ADR 0011)."""


_FIELDS: dict[str, tuple[Field, ...]] = {}
_NAMES: dict[str, frozenset[str]] = {}


def indexed_fields(obj: SObject) -> tuple[Field, ...]:
    """The fields of *obj* the store indexes (see the module docstring)."""
    found = _FIELDS.get(obj.name)
    if found is None:  # cached by name: hashing an SObject would hash all its fields
        found = _FIELDS[obj.name] = tuple(f for f in obj.fields if _indexable(f))
    return found


def _indexable(f: Field) -> bool:
    if f.type == schema.REFERENCE:
        return f.name not in _AUDIT_LOOKUPS
    text = f.type in schema.TEXT_TYPES and f.type != schema.ID
    return text and (f.external_id or f.unique or f.name.startswith("DemoGen_"))


def is_indexed(obj: SObject, name: str) -> bool:
    """True when the store can look *obj* records up by field *name* (canonical), Id included."""
    names = _NAMES.get(obj.name)
    if names is None:
        names = _NAMES[obj.name] = frozenset({"Id", *(f.name for f in indexed_fields(obj))})
    return name in names


def is_ordered(obj: SObject, name: str) -> bool:
    """True when a disk table of *obj* can answer a `Span` of field *name* (canonical)."""
    f = obj.field(name) if name in ORDERED_FIELDS else None
    return f is not None and f.type == schema.DATETIME


def index_key(f: Field, value: Any) -> Hashable | None:
    """The key *value* of field *f* is indexed under; None for a null (not indexed)."""
    if value is None:
        return None
    if f.type in (schema.ID, schema.REFERENCE):
        return str(value)
    return str(value).casefold()


class LookupIndex:
    """Record ids by (sObject, field, key), for the fields `indexed_fields` names.

    A key held by one record maps to its id itself, a key held by more to a list of ids (a set
    per key cost ~200 bytes where most keys have one record). A record is added to a key only
    when it moves there (`replace`), so a list never holds an id twice.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], dict[Hashable, str | list[str]]] = {}

    def replace(
        self, obj: SObject, record: Mapping[str, Any], old: Mapping[str, Any] | None
    ) -> None:
        """Move *record* from the keys of its *old* state (None on insert) to its new keys."""
        record_id = str(record["Id"])
        for f in indexed_fields(obj):
            before = None if old is None else index_key(f, old.get(f.name))
            after = index_key(f, record.get(f.name))
            if before == after:
                continue
            by_key = self._ids.setdefault((obj.name, f.name), {})
            if before is not None:
                _remove(by_key, before, record_id)
            if after is not None:
                holders = by_key.get(after)
                if holders is None:
                    by_key[after] = record_id
                elif isinstance(holders, str):
                    by_key[after] = [holders, record_id]
                else:
                    holders.append(record_id)

    def ids(self, sobject: str, field: str, keys: Iterable[Hashable]) -> set[str]:
        """The ids of the records of *sobject* whose *field* has one of *keys* (deleted too)."""
        by_key = self._ids.get((sobject, field), {})
        out: set[str] = set()
        for key in keys:
            holders = by_key.get(key)
            if isinstance(holders, str):
                out.add(holders)
            elif holders is not None:
                out.update(holders)
        return out

    def size(self, sobject: str, field: str, keys: Iterable[Hashable]) -> int:
        """How many ids `ids` would return, without building the set (an upper bound)."""
        by_key = self._ids.get((sobject, field), {})
        return sum(_count(by_key.get(key)) for key in keys)

    def clear(self) -> None:
        self._ids.clear()


def _count(holders: str | list[str] | None) -> int:
    if holders is None:
        return 0
    return 1 if isinstance(holders, str) else len(holders)


def _remove(by_key: dict[Hashable, str | list[str]], key: Hashable, record_id: str) -> None:
    holders = by_key.get(key)
    if isinstance(holders, str):
        if holders == record_id:
            del by_key[key]
    elif holders is not None and record_id in holders:
        holders.remove(record_id)
        if len(holders) == 1:
            by_key[key] = holders[0]
