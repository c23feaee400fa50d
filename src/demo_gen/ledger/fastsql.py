"""The ledger's hot statements at the driver's speed: compiled once per dialect, then executed
with plain parameter tuples (or dicts, for a named paramstyle) through `exec_driver_sql`.

SQLAlchemy compiles a cached statement quickly, but still builds every row's parameters in
Python (`construct_params`, a list per row) and, for `IN (…)`, expands the list per query: most
of the client's CPU when a Bulk run records hundreds of thousands of rows. The statements here are
the same SQLAlchemy constructs, compiled for the connection's dialect — SQLite and PostgreSQL
alike — so the SQL sent, and what the ledger holds, do not change; only the Python around them.
The columns involved are plain strings and integers: no bind or result processing is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.sql.expression import Executable

from demo_gen.ledger import schema

_Compiled = tuple[str, tuple[str, ...] | None]  # SQL, bind names in order (None: named style)
_cache: dict[tuple[Any, ...], _Compiled] = {}


def _compiled(
    conn: Connection,
    key: tuple[Any, ...],
    build: Callable[[], Any],
    column_keys: Sequence[str] | None = None,
) -> _Compiled:
    """`build()` compiled for `conn`'s dialect (binding `column_keys`), once per `key`."""
    dialect = conn.dialect
    full = (dialect.name, dialect.driver, dialect.paramstyle, *key)
    found = _cache.get(full)
    if found is None:
        keys = list(column_keys) if column_keys is not None else None
        compiled = build().compile(dialect=dialect, column_keys=keys)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        found = _cache[full] = (compiled.string, order)
    return found


def execute_many(
    conn: Connection,
    name: str,
    build: Callable[[], Executable],
    params: Sequence[Mapping[str, Any]],
) -> None:
    """Run the statement `build()` once per parameter set (executemany). `name` names the
    statement in the cache; the first set's keys are the columns bound (as SQLAlchemy does: every
    set has the same keys)."""
    if not params:
        return
    keys = tuple(params[0])
    sql, order = _compiled(conn, (name, keys), build, keys)
    if order is None:
        conn.exec_driver_sql(sql, [dict(p) for p in params])
    else:
        conn.exec_driver_sql(sql, [tuple(p[k] for k in order) for p in params])


STATE_COLUMNS: tuple[str, ...] = ("signature", "status", "remote_id")


def _widths(n: int) -> int:
    """How many `IN` placeholders a query of `n` values has: the next power of two (at most
    `schema.CHUNK`), the rest filled with the last value, so a few statements serve all."""
    width = 8
    while width < n:
        width *= 2
    return min(width, schema.CHUNK)


def select_items(
    conn: Connection, target: str, sigs: Sequence[str], columns: Sequence[str]
) -> Iterator[Sequence[Any]]:
    """The `columns` of the item rows of `target` among `sigs` (each once), as tuples."""
    cols = tuple(columns)
    for chunk in schema.chunks(sigs):
        width = _widths(len(chunk))

        def build(width: int = width) -> Any:
            t = schema.items.c
            slots: list[Any] = [bindparam(f"s{n}") for n in range(width)]
            return select(*(t[c] for c in cols)).where(
                t.target == bindparam("t"), t.signature.in_(slots)
            )

        sql, order = _compiled(conn, ("select_items", cols, width), build)
        values = {"t": target} | {f"s{n}": chunk[min(n, len(chunk) - 1)] for n in range(width)}
        params: Any = values if order is None else tuple(values[k] for k in order)
        yield from conn.exec_driver_sql(sql, params)
