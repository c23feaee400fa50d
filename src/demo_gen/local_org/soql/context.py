"""What one SOQL execution shares: the record source, the options, and field-path resolution.

`Context` carries the `RecordSource`, the API version, today's date and the queryAll flag, and
caches parent look-ups. `query_sobject` and `resolve` check names against `schema`
(case-insensitively, up to `MAX_HOPS` relationship hops) and raise Salesforce's errors;
`getter` turns a resolved `Path` into a function from a row to its value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.soql.tokens import SoqlError, caret, malformed
from demo_gen.local_org.soql.tree import FieldRef, Query

Row = Mapping[str, Any]
Pred = Callable[[Row], bool]
Getter = Callable[[Row], Any]

MAX_HOPS = 5
NAME_TYPE = Field("Type", schema.PICKLIST, label="Type", createable=False, updateable=False)
"""`Type` of the polymorphic `Name` entity behind What/Who/Relation: the object type of the
record the lookup points at, e.g. `WHERE What.Type = 'Account'` (SOQL reference, "Filtering on
Polymorphic Relationship Fields"; Apex guide, "Working with Polymorphic Relationships in SOQL
Queries": `SELECT Description FROM Event WHERE What.Type IN ('Account', 'Opportunity')`).
It is not the `Type` field of one of the targets (Opportunity.Type, Account.Type)."""
_NO_FIELD = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
NO_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in {where}. If you are attempting to use a custom "
    "relationship, be sure to append the '__r' after the custom relationship name. Please "
    "reference your WSDL or the describe call for the appropriate names."
)
_NO_SOBJECT = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be "
    "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
    "call for the appropriate names."
)


class RecordSource(Protocol):
    """Where the engine reads records from (the store, or a dict in tests)."""

    def rows(self, sobject: str, include_deleted: bool) -> Iterable[Mapping[str, Any]]:
        """The records of *sobject* (canonical name) in insertion order; a snapshot."""
        ...

    def get(self, record_id: str) -> Mapping[str, Any] | None:
        """The record with 18-character *record_id*, of any object, deleted ones included."""
        ...


def type_name(record: Row) -> str | None:
    """The sObject name of *record* (from its id's key prefix)."""
    found = schema.sobject_of_id(str(record.get("Id") or ""))
    return None if found is None else found.name


# --- context and name resolution -------------------------------------------------------------


class Context:
    """Per-execution state: the source, the options, and a cache of parent lookups."""

    def __init__(self, source: RecordSource, version: str, today: date, deleted: bool) -> None:
        self.source = source
        self.version = version
        self.today = today
        self.include_deleted = deleted
        self._parents: dict[str, Row | None] = {}

    def rows(self, sobject: str) -> Iterable[Row]:
        """The visible rows of *sobject*; streamed when the source can (`Store.scan`)."""
        read = getattr(self.source, "scan", None) or self.source.rows
        for row in read(sobject, self.include_deleted):
            if self.include_deleted or not row.get("IsDeleted"):
                yield row

    def parent(self, record_id: str) -> Row | None:
        """The visible record with *record_id*, or None (missing, or deleted outside queryAll)."""
        if record_id not in self._parents:
            record = self.source.get(record_id)
            if record is not None and record.get("IsDeleted") and not self.include_deleted:
                record = None
            self._parents[record_id] = record
        return self._parents[record_id]


@dataclass(frozen=True, slots=True)
class Hop:
    field: str  # the lookup field, e.g. "AccountId"
    name: str  # the relationship, e.g. "Account"
    targets: tuple[str, ...]

    @property
    def polymorphic(self) -> bool:
        return len(self.targets) > 1


@dataclass(frozen=True, slots=True)
class Path:
    hops: tuple[Hop, ...]
    leaf: Field


def query_sobject(query: Query) -> SObject:
    obj = schema.sobject(query.sobject)
    if obj is None:
        message = _NO_SOBJECT.format(name=query.sobject)
        raise SoqlError("INVALID_TYPE", caret(query.text, query.sobject_pos, message))
    return obj


def resolve(query: Query, obj: SObject, ref: FieldRef) -> Path:
    """The hops and leaf field of *ref* from *obj*; an alias prefix is dropped."""
    path = ref.path
    if query.alias and len(path) > 1 and path[0].lower() == query.alias.lower():
        path = path[1:]
    if len(path) - 1 > MAX_HOPS:
        raise malformed(f"relationship path is more than {MAX_HOPS} levels deep: {ref.text}")
    candidates: tuple[SObject, ...] = (obj,)
    hops: list[Hop] = []
    for name in path[:-1]:
        lookup = next((f for o in candidates if (f := o.relationship(name))), None)
        if lookup is None or lookup.relationship_name is None:
            message = NO_RELATIONSHIP.format(name=name, where="field path")
            raise SoqlError("INVALID_FIELD", caret(query.text, ref.pos, message))
        hops.append(Hop(lookup.name, lookup.relationship_name, lookup.reference_to))
        candidates = tuple(o for n in lookup.reference_to if (o := schema.sobject(n)))
    if hops and hops[-1].polymorphic and path[-1].lower() == "type":
        return Path(tuple(hops), NAME_TYPE)
    leaf = next((f for o in candidates if (f := o.field(path[-1]))), None)
    if leaf is None:
        entity = "Name" if hops and hops[-1].polymorphic else candidates[0].name
        message = _NO_FIELD.format(name=path[-1], entity=entity)
        raise SoqlError("INVALID_FIELD", caret(query.text, ref.pos, message))
    return Path(tuple(hops), leaf)


def getter(path: Path, ctx: Context) -> Getter:
    """A function from a row to the native value at *path* (None through a null parent)."""
    name = path.leaf.name
    if not path.hops:
        return lambda row: row.get(name)
    lookups = [hop.field for hop in path.hops]
    of_type = path.leaf is NAME_TYPE

    def get(row: Row) -> Any:
        record: Row | None = row
        for lookup in lookups:
            parent_id = record.get(lookup) if record is not None else None
            record = ctx.parent(parent_id) if parent_id else None
        if record is None:
            return None
        return type_name(record) if of_type else record.get(name)

    return get
