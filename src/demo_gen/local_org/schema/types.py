"""The shapes of the local org's schema: field types, `Field`, `ChildRelationship` and `SObject`.

The field type names are the strings describe reports (`"reference"`, `"currency"` …), grouped
into `TEXT_TYPES` and `NUMBER_TYPES`, with their SOAP types. The object table built from these
lives in `schema_objects`; `schema` re-exports both, so import from `schema`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Field types, as describe reports them.
ID, REFERENCE, STRING, TEXTAREA, PICKLIST, COMBOBOX = (
    "id",
    "reference",
    "string",
    "textarea",
    "picklist",
    "combobox",
)
EMAIL, PHONE, URL, BOOLEAN, INT, DOUBLE, CURRENCY, PERCENT, DATE, DATETIME = (
    "email",
    "phone",
    "url",
    "boolean",
    "int",
    "double",
    "currency",
    "percent",
    "date",
    "datetime",
)
TEXT_TYPES = frozenset({ID, REFERENCE, STRING, TEXTAREA, PICKLIST, COMBOBOX, EMAIL, PHONE, URL})
NUMBER_TYPES = frozenset({INT, DOUBLE, CURRENCY, PERCENT})
SOAP_TYPES = {
    ID: "tns:ID",
    REFERENCE: "tns:ID",
    BOOLEAN: "xsd:boolean",
    INT: "xsd:int",
    DOUBLE: "xsd:double",
    CURRENCY: "xsd:double",
    PERCENT: "xsd:double",
    DATE: "xsd:date",
    DATETIME: "xsd:dateTime",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an sObject."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    required: bool = False  # must be given on create (and not nillable)
    createable: bool = True
    updateable: bool = True
    default: Any = None  # value set on create when none is given
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[str, ...] = ()
    restricted: bool = False  # restricted picklist: other values are refused
    external_id: bool = False
    unique: bool = False
    custom: bool = False

    @property
    def nillable(self) -> bool:
        return not self.required and self.type != BOOLEAN

    @property
    def system(self) -> bool:
        return not self.createable and not self.updateable


@dataclass(frozen=True, slots=True)
class ChildRelationship:
    name: str  # e.g. "OpportunityContactRoles"
    child: str  # child sObject, e.g. "OpportunityContactRole"
    field: str  # the child's lookup field, e.g. "OpportunityId"
    cascade_delete: bool = False


@dataclass(frozen=True)
class SObject:
    """An sObject type: its key prefix, fields and child relationships."""

    name: str
    key_prefix: str
    fields: tuple[Field, ...]
    label_plural: str = ""
    custom: bool = False
    children: tuple[ChildRelationship, ...] = ()
    _by_lower: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)
    _by_rel: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for f in self.fields:
            self._by_lower[f.name.lower()] = f
            if f.relationship_name:
                self._by_rel[f.relationship_name.lower()] = f

    def field(self, name: str) -> Field | None:
        """The field called *name*, matched case-insensitively."""
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        """The lookup field whose relationship is called *name* (e.g. "Account" → AccountId)."""
        return self._by_rel.get(name.lower())

    def child_relationship(self, name: str) -> ChildRelationship | None:
        lowered = name.lower()
        return next((c for c in self.children if c.name.lower() == lowered), None)

    @property
    def label(self) -> str:
        return label_of(self.name)


def label_of(name: str) -> str:
    base = name.removesuffix("__c")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).replace("_", " ")
