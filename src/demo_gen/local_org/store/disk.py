"""The big activity tables, answered from SQLite and its indexes instead of memory.

A run leaves hundreds of thousands of EmailMessage, EmailMessageRelation, Task, TaskRelation,
Event and EventRelation records; held in memory they cost ~1 KB each (ADR 0011). For a
file-backed store (`Store(path)`) these tables (`DISK_TABLES`) are not loaded: a read is a
query on their SQLite table, through an index on every field `store.index` indexes, so a
look-up's cost follows its result, not the table. The audit stamps (`index.ORDERED_FIELDS`)
are indexed by value with the insertion order beside it, so a range of them (`Span`, e.g. the
Bulk read-back's `SystemModstamp >= …`) is read from the index too (`window`): the stored
text is fixed-width UTC (`schema.format_datetime`), which sorts as the instants do. A record
read is a `Stored` built for the caller (`decode`) and dropped with it; nothing of these
tables is kept per record, except the rare records whose indexed text is not ASCII (`_odd`,
below).

Text keys: the index keys of text fields are casefolded (`index.index_key`). The SQLite index
on such a field is `COLLATE NOCASE`, which folds ASCII letters only, so it answers exactly for
ASCII values. A value with any other character is kept in memory (`_odd`, by casefolded value;
only ever added to, so each candidate found there is checked against the record's current
value) — none in what demo-gen writes, but a client may write one.

Snapshots: readers use their own connections (`_readers`, a pool) in WAL mode, so a write
transaction in progress is invisible to them. A read opens its read transaction while holding
the store's publish lock (`view`), which the store also holds while it commits and publishes
the in-memory tables, so a reader sees a commit in both or in neither.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.store.index import (
    ORDERED_FIELDS,
    Probe,
    Span,
    index_key,
    indexed_fields,
    is_ordered,
)
from demo_gen.local_org.store.record import Stored, layout

DISK_TABLES = frozenset(
    {"EmailMessage", "EmailMessageRelation", "Task", "TaskRelation", "Event", "EventRelation"}
)
"""The sObjects a file-backed store answers from SQLite (what a run creates ~97% of)."""
_CHUNK = 500  # keys per `IN (...)` (SQLite allows 32,766 variables; smaller plans stay fast)
_SCAN_BATCH = 2000
_PARSED_MAX = 4096


def _quote(name: str) -> str:
    return f'"{name}"'


def _text_field(f: Field) -> bool:
    return f.type not in (schema.ID, schema.REFERENCE)


class DiskTables:
    """Reads of the `names` tables of the SQLite file at *path* (see the module docstring)."""

    def __init__(self, path: Path, names: Collection[str], view: threading.Lock) -> None:
        self.names = frozenset(names)
        self.prefixes = frozenset(
            o.key_prefix for o in schema.OBJECTS.values() if o.name in self.names
        )
        self._path = path
        self._view = view
        self._pool: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._odd: dict[tuple[str, str], dict[Hashable, set[str]]] = {}
        self._parsed: dict[str, datetime] = {}

    def holds(self, sobject: str) -> bool:
        return sobject in self.names

    # --- schema and start-up ---------------------------------------------------------------

    def create_indexes(self, conn: sqlite3.Connection) -> None:
        """An index per indexed field of each disk table, one on its insertion order, and one
        on each audit stamp and the insertion order (a window read in order from the index)."""
        for obj in self._objects():
            table = _quote(obj.name)
            conn.execute(f'CREATE INDEX IF NOT EXISTS "{obj.name}__seq" ON {table}(_seq)')
            for name in ORDERED_FIELDS:
                if is_ordered(obj, name):
                    conn.execute(
                        f"CREATE INDEX IF NOT EXISTS {_ordered_index(obj, name)} "
                        f"ON {table}({_quote(name)}, _seq)"
                    )
            for f in indexed_fields(obj):
                collate = " COLLATE NOCASE" if _text_field(f) else ""
                conn.execute(
                    f'CREATE INDEX IF NOT EXISTS "{obj.name}__{f.name}" '
                    f"ON {table}({_quote(f.name)}{collate})"
                )

    def load(self, conn: sqlite3.Connection) -> None:
        """Find the records whose indexed text is not ASCII (the only ones kept in memory)."""
        self._odd.clear()
        for obj in self._objects():
            for f in indexed_fields(obj):
                if not _text_field(f):
                    continue
                col = _quote(f.name)
                rows = conn.execute(
                    f'SELECT "Id", {col} FROM {_quote(obj.name)} '
                    f"WHERE {col} IS NOT NULL AND length(CAST({col} AS BLOB)) != length({col})"
                )
                for record_id, value in rows:
                    self._note_odd(obj, f, record_id, value)

    def note(self, obj: SObject, record: Any) -> None:
        """A record of *obj* (its state as committed) is stored: remember it if its text is odd."""
        for f in indexed_fields(obj):
            value = record.get(f.name)
            if _text_field(f) and isinstance(value, str) and not value.isascii():
                self._note_odd(obj, f, str(record["Id"]), value)

    def _note_odd(self, obj: SObject, f: Field, record_id: str, value: str) -> None:
        key = index_key(f, value)
        self._odd.setdefault((obj.name, f.name), {}).setdefault(key, set()).add(record_id)

    def _objects(self) -> list[SObject]:
        return [o for o in schema.OBJECTS.values() if o.name in self.names]

    # --- reading -----------------------------------------------------------------------------

    def get(
        self, obj: SObject, record_id: str, writer: sqlite3.Connection | None = None
    ) -> Stored | None:
        """The record, read in a snapshot of its own, or on *writer* — the store's connection,
        for the holder of its write lock, which sees every commit and needs no snapshot."""
        if writer is not None:
            return self._get(writer, obj, record_id)
        with self._reading() as conn:
            return self._get(conn, obj, record_id)

    def _get(self, conn: sqlite3.Connection, obj: SObject, record_id: str) -> Stored | None:
        row = conn.execute(
            f'SELECT {_columns(obj)}, _seq FROM {_quote(obj.name)} WHERE "Id" = ?', (record_id,)
        ).fetchone()
        return None if row is None else self.decode(obj, row)

    def is_live(self, writer: sqlite3.Connection, obj: SObject, record_id: str) -> bool:
        """Whether the record is stored and not deleted, read on *writer* as `get` does (a
        reference check needs no decoded record)."""
        row = writer.execute(
            f'SELECT "IsDeleted" FROM {_quote(obj.name)} WHERE "Id" = ?', (record_id,)
        ).fetchone()
        return row is not None and not row[0]

    def seqs(self, obj: SObject, record_ids: Iterable[str]) -> dict[str, int]:
        """The insertion sequence of each of *record_ids* that is stored."""
        out: dict[str, int] = {}
        with self._reading() as conn:
            for chunk in _chunks(list(record_ids)):
                marks = ", ".join("?" for _ in chunk)
                sql = f'SELECT "Id", _seq FROM {_quote(obj.name)} WHERE "Id" IN ({marks})'
                out.update(conn.execute(sql, chunk).fetchall())
        return out

    def scan(self, obj: SObject, include_deleted: bool) -> Iterator[Stored]:
        """Every record of *obj* in insertion order, read in batches (one snapshot)."""
        where = "" if include_deleted else ' WHERE NOT COALESCE("IsDeleted", 0)'
        sql = f"SELECT {_columns(obj)}, _seq FROM {_quote(obj.name)}{where} ORDER BY _seq"
        with self._reading() as conn:
            cursor = conn.execute(sql)
            while batch := cursor.fetchmany(_SCAN_BATCH):
                for row in batch:
                    yield self.decode(obj, row)

    def count(self, obj: SObject, include_deleted: bool) -> int:
        where = "" if include_deleted else ' WHERE NOT COALESCE("IsDeleted", 0)'
        with self._reading() as conn:
            (n,) = conn.execute(f"SELECT COUNT(*) FROM {_quote(obj.name)}{where}").fetchone()
        return int(n)

    def select(self, obj: SObject, probes: Sequence[Probe], include_deleted: bool) -> list[Stored]:
        """The records of *obj* matching any probe, in insertion order."""
        found: dict[str, Stored] = {}
        with self._reading() as conn:
            for name, keys in probes:
                for row in self._matching(conn, obj, name, keys, f"{_columns(obj)}, _seq"):
                    record = self.decode(obj, row)
                    found.setdefault(record["Id"], record)
        records = sorted(found.values(), key=lambda r: r.seq)
        return records if include_deleted else [r for r in records if not r.get("IsDeleted")]

    def window(
        self, obj: SObject, name: str, span: Span, include_deleted: bool
    ) -> Iterator[Stored]:
        """The records of *obj* whose datetime *name* is in *span*, in insertion order, read in
        batches (one snapshot): their row ids from the field's index, sorted by `_seq` in
        SQLite (two integers a row), then their rows by row id, a batch at a time."""
        where, params = _span_where(name, span)
        table = _quote(obj.name)
        order = (
            f"SELECT rowid FROM {table} INDEXED BY {_ordered_index(obj, name)} "
            f"WHERE {where} ORDER BY _seq"
        )
        with self._reading() as conn:
            rowids = conn.execute(order, params)
            while batch := [r[0] for r in rowids.fetchmany(_CHUNK)]:
                marks = ", ".join("?" for _ in batch)
                sql = f"SELECT {_columns(obj)}, _seq, rowid FROM {table} WHERE rowid IN ({marks})"
                rows = {row[-1]: row[:-1] for row in conn.execute(sql, batch)}
                for rowid in batch:
                    record = self.decode(obj, rows[rowid])
                    if include_deleted or not record.get("IsDeleted"):
                        yield record

    def ids(self, obj: SObject, probes: Iterable[Probe]) -> set[str]:
        """The ids of the records of *obj* (deleted too) matching any probe."""
        out: set[str] = set()
        with self._reading() as conn:
            for name, keys in probes:
                out.update(str(r[0]) for r in self._matching(conn, obj, name, keys, '"Id"'))
        return out

    def estimate(self, obj: SObject, probe: Probe) -> int:
        """How many records match *probe* (an upper bound), counted by the index."""
        name, keys = probe
        if isinstance(keys, Span):
            where, params = _span_where(name, keys)
            index = _ordered_index(obj, name)
            sql = f"SELECT COUNT(*) FROM {_quote(obj.name)} INDEXED BY {index} WHERE {where}"
            with self._reading() as conn:
                return int(conn.execute(sql, params).fetchone()[0])
        if name == "Id":
            return len(keys)
        f = _field(obj, name)
        text = _text_field(f)
        wanted = [k for k in keys if isinstance(k, str) and (not text or k.isascii())]
        column = _quote(name) + (" COLLATE NOCASE" if text else "")
        total = 0
        with self._reading() as conn:
            for chunk in _chunks(wanted):
                marks = ", ".join("?" for _ in chunk)
                sql = f"SELECT COUNT(*) FROM {_quote(obj.name)} WHERE {column} IN ({marks})"
                total += int(conn.execute(sql, chunk).fetchone()[0])
        odd = self._odd.get((obj.name, name), {})
        return total + sum(len(odd.get(k, ())) for k in keys)

    def find_unique(self, obj: SObject, f: Field, value: str) -> str | None:
        """The id of the live record whose unique *f* equals *value* (case-insensitive)."""
        keys = {value, value.lower(), value.casefold()}
        lowered = value.lower()
        with self._reading() as conn:
            for row in self._matching(conn, obj, f.name, keys, f"{_columns(obj)}, _seq"):
                record = self.decode(obj, row)
                stored = record.get(f.name)
                live = not record.get("IsDeleted")
                if live and isinstance(stored, str) and stored.lower() == lowered:
                    return str(record["Id"])
        return None

    def _matching(
        self,
        conn: sqlite3.Connection,
        obj: SObject,
        name: str,
        keys: Collection[Hashable] | Span,
        columns: str,
    ) -> Iterator[tuple[Any, ...]]:
        """Rows (*columns*) of *obj* whose field *name* has one of *keys* (index keys), or a
        value in the span *keys*.

        ASCII keys of a text field are answered by its NOCASE index; the rows found through
        `_odd` are checked against the keys (their `_odd` entry may be stale).
        """
        if isinstance(keys, Span):
            where, params = _span_where(name, keys)
            index = _ordered_index(obj, name)
            sql = f"SELECT {columns} FROM {_quote(obj.name)} INDEXED BY {index} WHERE {where}"
            yield from conn.execute(sql, params)
            return
        f = _field(obj, name)
        text = name != "Id" and _text_field(f)
        wanted = [k for k in keys if isinstance(k, str) and (not text or k.isascii())]
        column = _quote(name) + (" COLLATE NOCASE" if text else "")
        table = _quote(obj.name)
        for chunk in _chunks(wanted):
            marks = ", ".join("?" for _ in chunk)
            yield from conn.execute(
                f"SELECT {columns} FROM {table} WHERE {column} IN ({marks})", chunk
            )
        if not text:
            return
        odd = self._odd.get((obj.name, name), {})
        extra = sorted({i for k in keys for i in odd.get(k, ())})
        for chunk in _chunks(extra):
            marks = ", ".join("?" for _ in chunk)
            select = f'SELECT {_columns(obj)}, _seq FROM {table} WHERE "Id" IN ({marks})'
            for row in conn.execute(select, chunk):
                if index_key(f, self.decode(obj, row).get(name)) not in keys:
                    continue
                yield row if columns != '"Id"' else (row[0],)

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A reader connection in a read transaction begun under the publish lock."""
        with self._pool_lock:
            conn = self._pool.pop() if self._pool else self._connect()
        try:
            with self._view:
                conn.execute("BEGIN")
                conn.execute("SELECT COUNT(*) FROM _meta").fetchone()  # fixes the snapshot
            try:
                yield conn
            finally:
                conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        with self._pool_lock:
            self._pool.append(conn)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self._path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA query_only=1")
        return conn

    def close(self) -> None:
        with self._pool_lock:
            for conn in self._pool:
                conn.close()
            self._pool.clear()

    # --- decoding ----------------------------------------------------------------------------

    def decode(self, obj: SObject, row: Sequence[Any]) -> Stored:
        """A row (the fields in schema order, then `_seq`) as a `Stored` of *obj*.

        Converted as `record.Interner.load` converts (booleans, dates, datetimes), not interned.
        """
        booleans, datetimes, dates = _conversions(obj)
        values = list(row)
        seq = values.pop()
        for i in booleans:
            values[i] = bool(values[i])
        for i in datetimes:
            text = values[i]
            if text is not None:
                found = self._parsed.get(text)
                values[i] = self._datetime(text) if found is None else found
        for i in dates:
            text = values[i]
            if text is not None:
                values[i] = date.fromisoformat(text)
        return layout(obj)(tuple(values), int(seq))

    def _datetime(self, text: str) -> datetime:
        found = self._parsed.get(text)
        if found is None:
            if len(self._parsed) >= _PARSED_MAX:
                self._parsed.clear()
            found = self._parsed[text] = schema.parse_datetime(text)
        return found


_CONVERSIONS: dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = {}


def _conversions(obj: SObject) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The positions of *obj*'s boolean, datetime and date fields."""
    found = _CONVERSIONS.get(obj.name)
    if found is None:
        kinds = [f.type for f in obj.fields]
        booleans, datetimes, dates = (
            tuple(i for i, k in enumerate(kinds) if k == kind)
            for kind in (schema.BOOLEAN, schema.DATETIME, schema.DATE)
        )
        found = _CONVERSIONS[obj.name] = (booleans, datetimes, dates)
    return found


def _columns(obj: SObject) -> str:
    return ", ".join(_quote(f.name) for f in obj.fields)


def _ordered_index(obj: SObject, name: str) -> str:
    assert is_ordered(obj, name), f"{obj.name}.{name} has no ordered index"
    return _quote(f"{obj.name}__{name}")


def _span_where(name: str, span: Span) -> tuple[str, list[str]]:
    """SQL accepting the stored values of datetime *name* in *span* (a superset: the bounds are
    cut to the millisecond, as stored values are); a null is in no span."""
    column = _quote(name)
    terms, params = [f"{column} IS NOT NULL"], []
    for value, op in ((span.low, ">="), (span.high, "<=")):
        if value is not None:
            terms.append(f"{column} {op} ?")
            params.append(schema.format_datetime(value))
    return " AND ".join(terms), params


def _field(obj: SObject, name: str) -> Field:
    f = obj.field(name)
    assert f is not None, f"{obj.name}.{name} missing from the schema"
    return f


def _chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
