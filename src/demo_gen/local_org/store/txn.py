"""A write transaction of the local org's store: staged records, visible to it before commit.

`Store.transaction()` opens one (holding the store's write lock) and commits it when the block
ends. The transaction keeps the index keys of what it stages (`staged`), so the write rules find
staged children and duplicates without scanning everything staged per record.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

from demo_gen.local_org import ids
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.store.index import index_key, indexed_fields, is_indexed

if TYPE_CHECKING:
    from demo_gen.local_org.store.core import Store

Record = dict[str, Any]
"""A record being staged: the write rules build and change it."""
View = Mapping[str, Any]
"""A record as read: staged (`Record`) or committed (`store.record.Stored`, read-only)."""


class Transaction:
    """Staged writes. Reads through it see its own changes first.

    `savepoint()`/`rollback_to()` undo part of the staged work (one record of an `allOrNone: false`
    collection); leaving the `Store.transaction()` block with an exception discards everything.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.changes: dict[str, tuple[SObject, Record]] = {}
        self.counters: dict[str, int] = {}
        self._log: list[tuple[str, tuple[SObject, Record] | None]] = []
        self._keys: dict[tuple[str, str, Hashable], dict[str, None]] = {}

    def get(self, record_id: str) -> View | None:
        staged = self.changes.get(record_id)
        return staged[1] if staged is not None else self.store.get_writing(record_id)

    def live(self, record_id: str) -> View | None:
        """The record if it exists and is not deleted."""
        record = self.get(record_id)
        return None if record is None or record.get("IsDeleted") else record

    def is_live(self, record_id: str) -> bool:
        """Whether `live` finds the record, without reading a committed one whole."""
        staged = self.changes.get(record_id)
        if staged is not None:
            return not staged[1].get("IsDeleted")
        return self.store.live_writing(record_id)

    def find_unique(self, sobject: str, field: str, value: str) -> str | None:
        """The id of the live record (staged or committed) whose unique *field* is *value*."""
        lowered = value.lower()
        for record in self.staged(sobject, field, value):
            v = record.get(field)
            if not record.get("IsDeleted") and isinstance(v, str) and v.lower() == lowered:
                return str(record["Id"])
        found = self.store.find_unique(sobject, field, value)
        if found is not None and found in self.changes:
            return None  # a staged change moved it away or deleted it
        return found

    def new_id(self, obj: SObject) -> str:
        n = self.counters.get(obj.key_prefix, self.store._counters.get(obj.key_prefix, 0)) + 1
        self.counters[obj.key_prefix] = n
        return ids.make_id(obj.key_prefix, n, self.store.generation)

    def put(self, obj: SObject, record: Mapping[str, Any]) -> None:
        """Stage the full new state of a record (insert or update)."""
        full = dict(record)
        self._log.append((full["Id"], self.changes.get(full["Id"])))
        self.changes[full["Id"]] = (obj, full)
        for f in indexed_fields(obj):
            key = index_key(f, full.get(f.name))
            if key is not None:
                self._keys.setdefault((obj.name, f.name, key), {})[full["Id"]] = None

    def staged(self, sobject: str, field: str, value: Any) -> list[Record]:
        """The staged records of *sobject* whose *field* has *value*'s index key, in staging order.

        Compared as `store_index.index_key` compares (ids exactly, text casefolded): callers
        that compare otherwise check each record again. Found through the keys each `put`
        recorded (kept over rollbacks, checked against the current state here), or by a scan of
        the staged records for a field `store_index` does not index.
        """
        obj = schema.OBJECTS[sobject.lower()]
        f = obj.field(field)
        assert f is not None, f"{sobject}.{field} missing from the schema"
        key = index_key(f, value)
        if key is None:
            return []
        if is_indexed(obj, f.name):
            candidates = self._keys.get((obj.name, f.name, key), {})
        else:
            candidates = dict.fromkeys(i for i, (o, _) in self.changes.items() if o is obj)
        out = []
        for record_id in candidates:
            staged = self.changes.get(record_id)
            if staged is not None and index_key(f, staged[1].get(f.name)) == key:
                out.append(staged[1])
        return out

    def savepoint(self) -> int:
        return len(self._log)

    def rollback_to(self, point: int) -> None:
        while len(self._log) > point:
            record_id, previous = self._log.pop()
            if previous is None:
                self.changes.pop(record_id, None)
            else:
                self.changes[record_id] = previous
