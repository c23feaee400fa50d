"""The store's committed records: one compact, read-only mapping per record.

A committed record is a `Stored`: the values of its sObject's fields in schema order, in one
tuple, behind the read-only `Mapping` interface the SOQL engine and the write rules use
(`record["Name"]`, `record.get("WhoId")`, `dict(record)`, `record | {...}`). Each sObject has its
own `Stored` subclass (`layout`), which holds the field positions once for all its records;
a dict per record held them again in every record (about 3× the memory of the tuple).

`Interner` makes repeated values one object, as a record is stored:

* an id or lookup value is the `Id` string of the record it points at (references to a User or
  an Opportunity share one string, not one copy each);
* short text of fields whose values repeat (picklists, names, titles, cities, the e-mail
  addresses of EmailMessageRelation …) is one string per distinct value; unique-looking text
  (phone, URL, external ids) and long text are left alone;
* a datetime equal to another of the same record (CreatedDate = LastModifiedDate =
  SystemModstamp on insert) or to the previous record's (a batch committed at once) is one
  object; dates are one object per day.

Values are what the caller staged: a field the staged record did not have reads None, as
`dict.get` did. The mapping is read-only: the write rules copy it (`dict(record)`) to change it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject

_PARSED_MAX = 4096
INTERN_MAX_LEN = 48
"""Text up to this length is interned (`Interner`); longer text is rarely repeated."""
_NOT_INTERNED = frozenset({schema.PHONE, schema.URL, schema.TEXTAREA})


class Stored(Mapping[str, Any]):
    """A committed record: its field values in schema order, and its insertion sequence."""

    __slots__ = ("_values", "seq")
    sobject: ClassVar[SObject]
    _names: ClassVar[tuple[str, ...]] = ()
    _pos: ClassVar[dict[str, int]] = {}

    def __init__(self, values: tuple[Any, ...], seq: int) -> None:
        self._values = values
        self.seq = seq

    def __getitem__(self, key: str) -> Any:
        return self._values[self._pos[key]]

    def get(self, key: str, default: Any = None) -> Any:
        i = self._pos.get(key)
        return default if i is None else self._values[i]

    def __contains__(self, key: object) -> bool:
        return key in self._pos

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __or__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return {**self, **other}

    def __ror__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return {**other, **self}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


_LAYOUTS: dict[str, type[Stored]] = {}


def layout(obj: SObject) -> type[Stored]:
    """The `Stored` subclass of *obj* (made once per sObject)."""
    found = _LAYOUTS.get(obj.name)
    if found is None:
        names = tuple(f.name for f in obj.fields)
        attrs = {
            "__slots__": (),
            "sobject": obj,
            "_names": names,
            "_pos": {n: i for i, n in enumerate(names)},
        }
        found = _LAYOUTS[obj.name] = type(f"Stored{obj.name}", (Stored,), attrs)
    return found


Canonical = Callable[[str], str | None]
"""The stored `Id` string equal to a given id, or None when no record has it."""


_PLAIN, _ID, _DATETIME, _DATE, _TEXT = range(5)
_KINDS = 5
_RECENT_IDS = 4096


class Interner:
    """Makes repeated values of stored records one object (see the module docstring)."""

    def __init__(self, canonical_id: Canonical) -> None:
        self._canonical_id = canonical_id
        self._text: dict[str, str] = {}
        self._dates: dict[date, date] = {}
        self._last: datetime | None = None
        self._kinds: dict[str, tuple[int, ...]] = {}
        self._parsed: dict[str, datetime] = {}  # datetime texts lately loaded, parsed
        self._days: dict[str, date] = {}  # date texts loaded, parsed
        self._spec: dict[str, tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]] = {}
        self._recent_ids: dict[str, str] = {}

    def clear(self) -> None:
        self._text.clear()
        self._dates.clear()
        self._parsed.clear()
        self._days.clear()
        self._recent_ids.clear()
        self._last = None

    def store(self, obj: SObject, record: Mapping[str, Any], seq: int) -> Stored:
        """*record* (the full state, as staged or loaded) as a `Stored` of *obj*, at *seq*."""
        names, by_kind = self._positions(obj)
        get = record.get
        values = [get(name) for name in names]
        for i in by_kind[_ID]:
            value = values[i]
            if type(value) is str:
                values[i] = self._id(value)
        text = self._text
        for i in by_kind[_TEXT]:
            value = values[i]
            if type(value) is str and len(value) <= INTERN_MAX_LEN:
                values[i] = text.setdefault(value, value)
        for i in by_kind[_DATE]:
            values[i] = self._date(values[i])
        seen: list[datetime] = []
        for i in by_kind[_DATETIME]:
            value = values[i]
            if isinstance(value, datetime):
                values[i] = self._datetime(value, seen)
        return layout(obj)(tuple(values), seq)

    def _positions(self, obj: SObject) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
        """*obj*'s field names, and the positions of each kind of field (by kind number)."""
        found = self._spec.get(obj.name)
        if found is None:
            kinds = [_kind(f) for f in obj.fields]
            by_kind = tuple(
                tuple(i for i, k in enumerate(kinds) if k == kind) for kind in range(_KINDS)
            )
            found = self._spec[obj.name] = (tuple(f.name for f in obj.fields), by_kind)
        return found

    def _id(self, value: str) -> str:
        """The canonical string of an id; lately seen ids are answered from a small cache."""
        found = self._recent_ids.get(value)
        if found is None:
            found = self._canonical_id(value)
            if found is None:
                return value
            if len(self._recent_ids) >= _RECENT_IDS:
                self._recent_ids.clear()
            self._recent_ids[value] = found
        return found

    def load(self, obj: SObject, row: Sequence[Any], seq: int) -> Stored:
        """A row as SQLite holds it (`store.core`'s column types) as a `Stored` of *obj*.

        Converts and interns in one pass: a datetime text seen lately is parsed once (the audit
        stamps of a record, and of a batch committed together, are one text).
        """
        kinds = self._kinds.get(obj.name)
        if kinds is None:
            kinds = self._kinds[obj.name] = tuple(_kind(f) for f in obj.fields)
        values = []
        for value, kind, boolean in zip(row, kinds, _booleans(obj), strict=True):
            if value is None:
                value = False if boolean else None
            elif kind == _ID:
                value = self._id(value)
            elif kind == _TEXT:
                if len(value) <= INTERN_MAX_LEN:
                    value = self._text.setdefault(value, value)
            elif kind == _DATETIME:
                found = self._parsed.get(value)
                if found is None:
                    if len(self._parsed) >= _PARSED_MAX:
                        self._parsed.clear()
                    found = self._parsed[value] = schema.parse_datetime(value)
                value = found
            elif kind == _DATE:
                day = self._days.get(value)
                if day is None:
                    day = self._days[value] = self._date(date.fromisoformat(value))
                value = day
            elif boolean:
                value = bool(value)
            values.append(value)
        return layout(obj)(tuple(values), seq)

    def _date(self, value: Any) -> Any:
        return self._dates.setdefault(value, value) if type(value) is date else value

    def _datetime(self, value: datetime, seen: list[datetime]) -> datetime:
        for other in seen:
            if other == value:
                return other
        last = self._last
        if last is not None and last == value:
            value = last
        seen.append(value)
        self._last = value
        return value


_BOOLEANS: dict[str, tuple[bool, ...]] = {}


def _booleans(obj: SObject) -> tuple[bool, ...]:
    found = _BOOLEANS.get(obj.name)
    if found is None:
        found = _BOOLEANS[obj.name] = tuple(f.type == schema.BOOLEAN for f in obj.fields)
    return found


def _kind(f: Field) -> int:
    if f.type in (schema.ID, schema.REFERENCE):
        return _ID
    if f.type == schema.DATETIME:
        return _DATETIME
    if f.type == schema.DATE:
        return _DATE
    unique_looking = f.external_id or f.unique or f.name.startswith("DemoGen_")
    if f.type in schema.TEXT_TYPES and f.type not in _NOT_INTERNED and not unique_looking:
        return _TEXT
    return _PLAIN
