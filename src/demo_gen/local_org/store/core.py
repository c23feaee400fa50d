"""The local org's records: in memory for queries, in SQLite for durability.

Each sObject is a SQLite table with one column per field, so the database can be inspected with any
SQLite tool. The records are loaded at start, except those of the big activity tables
(`store.disk.DISK_TABLES`), which are read from SQLite through its indexes when asked for (ADR
0011; `Store()` without a path keeps its file in a private temporary directory). Every write goes
through a `Transaction`, which stages changes, writes them to SQLite in one database transaction
and only then makes them visible. One write transaction at a time (`Store.lock`, held from the
first staged change to the commit), so parallel HTTP requests never interleave half-writes and the
rules that read committed rows (duplicate external ids, relations) see a state nothing else changes
under them. Readers do not take that lock: a short publish lock makes each commit visible at once,
so queries run beside writes and beside each other.

Each committed record is a compact, read-only `Stored` mapping (`store.record`: one tuple of
values per record, repeated ids, short text and datetimes shared), kept in one insertion-ordered
table per sObject; a record's table is found from its id's key prefix. Lookups by `Id` and by
the fields `store_index` names go through indexes maintained as each transaction commits;
`lookup` answers them in insertion order, as a scan would; a disk table also answers a range of
an audit stamp (`index.Span`) from an index, an in-memory table declines it (a scan then).
`indexed_queries = False` makes `lookup` decline (the SOQL engine then scans), to measure and
test the indexes against the scan.
"""

from __future__ import annotations

import operator
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.store.disk import DISK_TABLES, DiskTables
from demo_gen.local_org.store.index import (
    LookupIndex,
    Probe,
    Span,
    index_key,
    is_indexed,
    is_ordered,
)
from demo_gen.local_org.store.record import Interner, Stored
from demo_gen.local_org.store.txn import Record, Transaction, View

_SEQ = operator.attrgetter("seq")
SCHEMA_VERSION = 1
GENERATION_KEY = "id_generation"
__all__ = ["Probe", "Record", "Span", "Store", "Stored", "Transaction", "View", "now_utc"]


def _column_type(f: schema.Field) -> str:
    if f.type in (schema.BOOLEAN, schema.INT):
        return "INTEGER"
    if f.type in schema.NUMBER_TYPES:
        return "REAL"
    return "TEXT"


def _sql_bool(value: Any) -> int:
    return int(bool(value))


_CONVERSIONS: dict[str, tuple[tuple[str, Callable[[Any], Any] | None], ...]] = {}


def _sql_values(obj: SObject, record: View) -> list[Any]:
    """*record*'s column values: datetimes in the wire form (UTC), dates ISO, booleans 0/1; each
    field's conversion looked up once per object."""
    plan = _CONVERSIONS.get(obj.name)
    if plan is None:
        by_type: dict[str, Callable[[Any], Any]] = {
            schema.DATETIME: schema.format_datetime,
            schema.DATE: operator.methodcaller("isoformat"),
            schema.BOOLEAN: _sql_bool,
        }
        plan = _CONVERSIONS[obj.name] = tuple((f.name, by_type.get(f.type)) for f in obj.fields)
    get = record.get
    return [
        v if (v := get(name)) is None or convert is None else convert(v) for name, convert in plan
    ]


_STATEMENTS: dict[str, tuple[str, str]] = {}


def _statements(obj: SObject) -> tuple[str, str]:
    """The INSERT and UPDATE statements of *obj*'s table (built once per object)."""
    found = _STATEMENTS.get(obj.name)
    if found is None:
        cols = [f'"{f.name}"' for f in obj.fields]
        marks = ", ".join("?" for _ in cols)
        insert = f'INSERT INTO "{obj.name}" ({", ".join(cols)}, _seq) VALUES ({marks}, ?)'
        sets = ", ".join(f"{c} = ?" for c in cols)
        found = _STATEMENTS[obj.name] = (insert, f'UPDATE "{obj.name}" SET {sets} WHERE "Id" = ?')
    return found


class Store:
    """All records of one local org. Thread-safe; reads see only committed data."""

    def __init__(
        self, path: Path | str | None = None, disk_tables: Iterable[str] | None = None
    ) -> None:
        self.path = None if path is None else Path(path)
        if path is None:  # the disk tables need a file other connections can read
            scratch = tempfile.mkdtemp(prefix="demo-gen-org-")
            weakref.finalize(self, shutil.rmtree, scratch, True)
            path = Path(scratch) / "org.sqlite"
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL" if self.path else "PRAGMA synchronous=OFF")
        self.lock = threading.RLock()
        self._view = threading.Lock()  # held only while a commit is published or read at once
        names = DISK_TABLES if disk_tables is None else frozenset(disk_tables)
        self._disk = DiskTables(Path(path), names, self._view)
        self.indexed_queries = True
        self._lookup = LookupIndex()
        self._tables: dict[str, dict[str, Stored]] = {}
        self._by_prefix: dict[str, dict[str, Stored]] = {}
        self._staged: dict[str, tuple[SObject, Record]] = {}  # the commit being stored
        self._interner = Interner(self._canonical_id)
        self._unique: dict[tuple[str, str], dict[str, str]] = {}
        self._counters: dict[str, int] = {}
        self._next_seq: dict[str, int] = {}
        self._meta: dict[str, str] = {}
        self._create_tables()
        self._load()

    # --- reading -------------------------------------------------------------------------

    def rows(self, sobject: str, include_deleted: bool = False) -> list[Stored]:
        """A snapshot of the records of *sobject* (canonical name), in insertion order."""
        return list(self.scan(sobject, include_deleted))

    def scan(self, sobject: str, include_deleted: bool = False) -> Iterator[Stored]:
        """The records of *sobject* in insertion order, one at a time (one snapshot)."""
        if self._disk.holds(sobject):
            return self._disk.scan(schema.OBJECTS[sobject.lower()], include_deleted)
        table = self._tables[sobject]
        with self._view:
            values = list(table.values())
        return iter(values if include_deleted else [r for r in values if not r.get("IsDeleted")])

    def lookup(
        self, sobject: str, probes: Sequence[Probe], include_deleted: bool = False
    ) -> Iterable[Stored] | None:
        """The records of *sobject* matching any probe, in insertion order; None if unindexed.

        A probe matches a record whose field has one of the keys, or a value in its span. None
        also when `indexed_queries` is off: the caller scans `rows` instead. One span is
        streamed (a window may hold most of a table); other probes come as a list.
        """
        if not self.can_lookup(sobject, probes):
            return None
        if self._disk.holds(sobject):
            obj = schema.OBJECTS[sobject.lower()]
            if len(probes) == 1 and isinstance(span := probes[0][1], Span):
                return self._disk.window(obj, probes[0][0], span, include_deleted)
            return self._disk.select(obj, probes, include_deleted)
        table = self._tables[sobject]
        with self._view:
            records = sorted((table[i] for i in self.lookup_ids(sobject, probes)), key=_SEQ)
        return records if include_deleted else [r for r in records if not r.get("IsDeleted")]

    def can_lookup(self, sobject: str, probes: Sequence[Probe]) -> bool:
        """True when `lookup` would answer these probes from the indexes."""
        obj = schema.OBJECTS[sobject.lower()]
        disk = self._disk.holds(sobject)
        return self.indexed_queries and all(
            (disk and is_ordered(obj, name)) if isinstance(keys, Span) else is_indexed(obj, name)
            for name, keys in probes
        )

    def lookup_ids(self, sobject: str, probes: Iterable[Probe]) -> set[str]:
        """The ids of the committed *sobject* records (deleted too) matching any probe."""
        if self._disk.holds(sobject):
            return self._disk.ids(schema.OBJECTS[sobject.lower()], probes)
        table = self._tables[sobject]
        found: set[str] = set()
        for name, keys in probes:
            assert not isinstance(keys, Span), "an in-memory table has no ordered index"
            if name == "Id":
                found.update(k for k in keys if isinstance(k, str) and k in table)
            else:
                found |= self._lookup.ids(sobject, name, keys)
        return found

    def ids_by_key(self, sobject: str, field: str, key: Hashable) -> list[str]:
        """The committed *sobject* records (deleted too) whose *field* has index *key*, in order.

        For the write rules: answered from the index whatever `indexed_queries` says, and by a
        scan for a field `store_index` does not index.
        """
        obj = schema.OBJECTS[sobject.lower()]
        if is_indexed(obj, field):
            if self._disk.holds(sobject):
                return self.in_order(self.lookup_ids(sobject, [(field, (key,))]))
            with self._view:
                return self.in_order(self.lookup_ids(sobject, [(field, (key,))]))
        f = obj.field(field)
        assert f is not None, f"{sobject}.{field} missing from the schema"
        return [r["Id"] for r in self.rows(sobject, True) if index_key(f, r.get(field)) == key]

    def estimate(self, sobject: str, probe: Probe) -> int:
        """An upper bound of how many records `lookup` finds for one probe (to pick the best)."""
        name, keys = probe
        if self._disk.holds(sobject):
            return self._disk.estimate(schema.OBJECTS[sobject.lower()], probe)
        assert not isinstance(keys, Span), "an in-memory table has no ordered index"
        return len(keys) if name == "Id" else self._lookup.size(sobject, name, keys)

    def in_order(self, record_ids: Iterable[str]) -> list[str]:
        """Committed *record_ids* in insertion order (the order `rows` gives)."""
        tables = self._by_prefix
        ids = list(record_ids)
        on_disk = [i for i in ids if i[:3] in self._disk.prefixes]
        if not on_disk:
            return sorted(ids, key=lambda i: _SEQ(tables[i[:3]][i]))
        obj = schema.sobject_of_id(on_disk[0])
        assert obj is not None and len(on_disk) == len(ids), "ids of one disk table expected"
        seqs = self._disk.seqs(obj, ids)
        return sorted(ids, key=seqs.__getitem__)

    def get(self, record_id: str) -> Stored | None:
        """The record with this 18-character id, deleted or not."""
        table = self._by_prefix.get(record_id[:3])
        if table is not None:
            return table.get(record_id)
        if record_id[:3] in self._disk.prefixes:
            obj = schema.sobject_of_id(record_id)
            return None if obj is None else self._disk.get(obj, record_id)
        return None

    def get_writing(self, record_id: str) -> Stored | None:
        """`get` for a transaction, which holds the write lock: a disk table's record is read on
        the writer's connection (no reader snapshot to begin and end per record)."""
        table = self._by_prefix.get(record_id[:3])
        if table is not None:
            return table.get(record_id)
        obj = schema.sobject_of_id(record_id) if record_id[:3] in self._disk.prefixes else None
        return None if obj is None else self._disk.get(obj, record_id, writer=self._conn)

    def live_writing(self, record_id: str) -> bool:
        """Whether a record with this id is stored and not deleted (for a transaction)."""
        if record_id[:3] not in self._disk.prefixes:
            found = self.get(record_id)
            return found is not None and not found.get("IsDeleted")
        obj = schema.sobject_of_id(record_id)
        return obj is not None and self._disk.is_live(self._conn, obj, record_id)

    def find_unique(self, sobject: str, field: str, value: str) -> str | None:
        """The id of the live record whose unique *field* equals *value* (case-insensitive)."""
        if self._disk.holds(sobject):
            obj = schema.OBJECTS[sobject.lower()]
            f = obj.field(field)
            assert f is not None, f"{sobject}.{field} missing from the schema"
            return self._disk.find_unique(obj, f, value)
        return self._unique.get((sobject, field), {}).get(value.lower())

    def count(self, sobject: str, include_deleted: bool = False) -> int:
        if self._disk.holds(sobject):
            return self._disk.count(schema.OBJECTS[sobject.lower()], include_deleted)
        return len(self.rows(sobject, include_deleted))

    def meta(self, key: str, default: str | None = None) -> str | None:
        return self._meta.get(key, default)

    @property
    def generation(self) -> int:
        """How many times this database was cleared (`org init --force`); ids carry it."""
        return int(self._meta.get(GENERATION_KEY, "0"))

    # --- writing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Stage writes; commit them all when the block ends, or none if it raises."""
        with self.lock:
            txn = Transaction(self)
            yield txn
            self._commit(txn)

    def set_meta(self, key: str, value: str) -> None:
        with self.lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO _meta(key, value) VALUES (?, ?)", (key, value)
            )
            self._meta[key] = value

    def clear(self) -> None:
        """Remove every record, counter and setting (used by `org init --force`).

        The generation goes up by one, so the ids the re-created org hands out (see
        `ids.make_id`) differ from every id the previous org handed out.
        """
        with self.lock:
            generation = str(self.generation + 1)
            self._conn.execute("BEGIN")
            for obj in schema.OBJECTS.values():
                self._conn.execute(f'DELETE FROM "{obj.name}"')
            self._conn.execute("DELETE FROM _counters")
            self._conn.execute("DELETE FROM _meta WHERE key != 'schema_version'")
            self._conn.execute(
                "INSERT INTO _meta(key, value) VALUES (?, ?)", (GENERATION_KEY, generation)
            )
            self._conn.execute("COMMIT")
            self._load()

    def close(self) -> None:
        with self.lock:
            self._disk.close()
            self._conn.close()

    # --- internals -----------------------------------------------------------------------

    def _create_tables(self) -> None:
        conn = self._conn
        conn.execute("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS _counters (prefix TEXT PRIMARY KEY, value INTEGER)"
        )
        for obj in schema.OBJECTS.values():
            cols = ", ".join(
                f'"{f.name}" {_column_type(f)}' + (" PRIMARY KEY" if f.name == "Id" else "")
                for f in obj.fields
            )
            conn.execute(f'CREATE TABLE IF NOT EXISTS "{obj.name}" ({cols}, _seq INTEGER)')
        self._disk.create_indexes(conn)
        row = conn.execute("SELECT value FROM _meta WHERE key='schema_version'").fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO _meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) > SCHEMA_VERSION:
            raise RuntimeError(
                f"local org database {self.path} has schema {row[0]}, newer than {SCHEMA_VERSION}"
            )

    def _load(self) -> None:
        with self._view:
            self._load_records()
        self._counters = dict(self._conn.execute("SELECT prefix, value FROM _counters").fetchall())
        self._meta = dict(self._conn.execute("SELECT key, value FROM _meta").fetchall())

    def _load_records(self) -> None:
        self._tables = {obj.name: {} for obj in schema.OBJECTS.values()}
        self._by_prefix = {
            obj.key_prefix: self._tables[obj.name]
            for obj in schema.OBJECTS.values()
            if not self._disk.holds(obj.name)
        }
        self._unique = {}
        self._lookup.clear()
        self._interner.clear()
        self._disk.load(self._conn)
        for obj in schema.OBJECTS.values():
            names = [f.name for f in obj.fields]
            quoted = ", ".join(f'"{n}"' for n in names)
            table = self._tables[obj.name]
            (top,) = self._conn.execute(
                f'SELECT COALESCE(MAX(_seq), 0) FROM "{obj.name}"'
            ).fetchone()
            self._next_seq[obj.name] = int(top) + 1
            if self._disk.holds(obj.name):
                continue
            rows = self._conn.execute(f'SELECT {quoted}, _seq FROM "{obj.name}" ORDER BY _seq')
            load = self._interner.load
            for *values, seq in rows:
                record = load(obj, values, seq)
                table[record["Id"]] = record
                self._index(obj, record)

    def _canonical_id(self, record_id: str) -> str | None:
        """The `Id` string of the stored (or being stored) record with *record_id*, if any.

        None for a record of a disk table: only records kept in memory share their id string.
        """
        if record_id[:3] in self._disk.prefixes:
            return None
        found = self.get(record_id)
        if found is not None:
            return str(found["Id"])
        staged = self._staged.get(record_id)
        return None if staged is None else str(staged[1]["Id"])

    def _index(self, obj: SObject, record: Stored, old: Stored | None = None) -> None:
        for f in obj.fields:
            if not f.unique:
                continue
            index = self._unique.setdefault((obj.name, f.name), {})
            previous = None if old is None else old.get(f.name)
            if isinstance(previous, str) and index.get(previous.lower()) == record["Id"]:
                del index[previous.lower()]
            value = record.get(f.name)
            if isinstance(value, str) and not record.get("IsDeleted"):
                index[value.lower()] = record["Id"]
        self._lookup.replace(obj, record, old)

    def _reload_seq(self) -> None:
        for name in self._tables:
            (top,) = self._conn.execute(f'SELECT COALESCE(MAX(_seq), 0) FROM "{name}"').fetchone()
            self._next_seq[name] = int(top) + 1

    def _commit(self, txn: Transaction) -> None:
        """Write *txn* to SQLite, then commit and publish it at once (under `_view`)."""
        if not txn.changes:
            return
        conn = self._conn
        seqs: dict[str, int] = {}
        on_disk = self._on_disk(txn)
        conn.execute("BEGIN")
        try:
            for statement, rows in self._writes(txn, on_disk, seqs).items():
                conn.executemany(statement, rows)
            conn.executemany(
                "INSERT OR REPLACE INTO _counters(prefix, value) VALUES (?, ?)",
                sorted(txn.counters.items()),
            )
            stored = self._store_changes(txn, seqs)
            with self._view:
                conn.execute("COMMIT")
                for obj, new, old in stored:
                    self._tables[obj.name][new["Id"]] = new
                    self._index(obj, new, old)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._reload_seq()
            raise
        for obj, record in txn.changes.values():
            if self._disk.holds(obj.name):
                self._disk.note(obj, record)
        self._counters.update(txn.counters)

    def _writes(
        self, txn: Transaction, on_disk: set[str], seqs: dict[str, int]
    ) -> dict[str, list[list[Any]]]:
        """*txn*'s rows by the statement that writes them (an object's INSERT or UPDATE), in
        staging order within each; a new record's `_seq` is taken here, into *seqs*."""
        writes: dict[str, list[list[Any]]] = {}
        for obj, record in txn.changes.values():
            insert, update = _statements(obj)
            values = _sql_values(obj, record)
            record_id = record["Id"]
            if record_id in self._tables[obj.name] or record_id in on_disk:
                writes.setdefault(update, []).append([*values, record_id])
            else:
                seq = seqs[record_id] = self._next_seq[obj.name]
                self._next_seq[obj.name] = seq + 1
                writes.setdefault(insert, []).append([*values, seq])
        return writes

    def _on_disk(self, txn: Transaction) -> set[str]:
        """The ids of *txn*'s changes to disk tables that are stored already (updates)."""
        by_obj: dict[str, tuple[SObject, list[str]]] = {}
        for obj, record in txn.changes.values():
            if self._disk.holds(obj.name):
                by_obj.setdefault(obj.name, (obj, []))[1].append(record["Id"])
        found: set[str] = set()
        for obj, record_ids in by_obj.values():
            found.update(self._disk.seqs(obj, record_ids))
        return found

    def _store_changes(
        self, txn: Transaction, seqs: dict[str, int]
    ) -> list[tuple[SObject, Stored, Stored | None]]:
        """The committed changes as `Stored` records, each with the state it replaces."""
        out = []
        self._staged = txn.changes
        try:
            for obj, record in txn.changes.values():
                if self._disk.holds(obj.name):
                    continue
                old = self._tables[obj.name].get(record["Id"])
                seq = seqs[record["Id"]] if old is None else old.seq
                out.append((obj, self._interner.store(obj, record, seq), old))
        finally:
            self._staged = {}
        return out


def now_utc() -> datetime:
    """The local org's clock (the server may read the clock; the planner never does)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)
