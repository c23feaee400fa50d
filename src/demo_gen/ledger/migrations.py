"""The state store's migrations: `MIGRATIONS[n]` brings a store from schema n to n + 1.

`state_schema.migrate` applies them in order, in the transaction that checks the schema. Each
step uses portable SQL, so a store on SQLite and one on PostgreSQL move the same way; the one
difference is named: PostgreSQL keeps a renamed table's constraint names, which v3 renames back.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Connection,
    MetaData,
    String,
    column,
    insert,
    literal,
    literal_column,
    select,
    table,
    update,
)

from demo_gen.ledger.schema import (
    bulk_job_rows,
    bulk_jobs,
    items,
    items_table,
    locks,
    runs,
    updates_table,
)

Migration = Callable[[Connection], None]


def _v1_to_v2(conn: Connection) -> None:
    """Schema 2: identity snapshots on items, a reset summary on runs, a heartbeat on locks.

    Old rows keep NULL snapshots: reset then verifies them by the signature fields the row holds
    (opportunity, subject, start; parent and person for links), without creator and date.
    """
    conn.exec_driver_sql("ALTER TABLE items ADD COLUMN identity TEXT")
    conn.exec_driver_sql("ALTER TABLE runs ADD COLUMN reset_json TEXT")
    conn.exec_driver_sql("ALTER TABLE locks ADD COLUMN heartbeat_at VARCHAR(40)")
    conn.execute(update(locks).values(heartbeat_at=locks.c.acquired_at))


SALESFORCE_PREFIX = "salesforce:"
"""A v2 store knew one kind of target: its `org_id` becomes the target key `salesforce:<org id>`
(targets/salesforce/target.py makes the same key)."""

_ITEM_COLUMNS_V2 = (
    "signature", "run_id", "pack", "opportunity_id", "kind", "sobject", "status", "sf_id",
    "error_code", "error", "parent_signature", "planned_start", "subject", "updated_at",
    "identity",
)  # fmt: skip
_LOCK_COLUMNS_V2 = ("pack", "owner", "host", "pid", "acquired_at", "heartbeat_at")


def _v2_to_v3(conn: Connection) -> None:
    """Schema 3: the target is part of every item's and lock's key; ids are the target's own.

    Portable SQL only (SQLite and PostgreSQL): each table is rebuilt aside under the v3 shape,
    its rows copied with `org_id` → `target` = "salesforce:" + org_id (and `sobject` →
    `record_type`, `sf_id` → `remote_id`), the old table dropped and the new one renamed.
    """
    aside = MetaData()
    runs.to_metadata(aside)  # so the new items table's foreign key resolves
    new_items = items_table("items_v3", aside, indexed=False)
    new_locks = locks.to_metadata(aside, name="locks_v3")
    old_items = table("items", column("org_id", String), *map(column, _ITEM_COLUMNS_V2))
    old_locks = table("locks", column("org_id", String), *map(column, _LOCK_COLUMNS_V2))
    prefix = literal(SALESFORCE_PREFIX, String)
    new_items.create(conn)
    renamed = {"sobject": "record_type", "sf_id": "remote_id"}
    conn.execute(
        insert(new_items).from_select(
            ["target", *(renamed.get(c, c) for c in _ITEM_COLUMNS_V2)],
            select(prefix + old_items.c.org_id, *(old_items.c[c] for c in _ITEM_COLUMNS_V2)),
        )
    )
    new_locks.create(conn)
    conn.execute(
        insert(new_locks).from_select(
            ["target", *_LOCK_COLUMNS_V2],
            select(prefix + old_locks.c.org_id, *(old_locks.c[c] for c in _LOCK_COLUMNS_V2)),
        )
    )
    for name in ("items", "locks"):
        conn.exec_driver_sql(f"DROP TABLE {name}")
        conn.exec_driver_sql(f"ALTER TABLE {name}_v3 RENAME TO {name}")
        if conn.dialect.name == "postgresql":
            _rename_constraints(conn, name, f"{name}_v3_", f"{name}_")
    for index in items.indexes:
        index.create(conn)


def _rename_constraints(conn: Connection, name: str, old: str, new: str) -> None:
    """PostgreSQL keeps a renamed table's constraint names (`items_v3_pkey`): give them the
    names a new store has (`items_pkey`, `items_run_id_fkey`). SQLite names none of them."""
    found = conn.execute(
        select(column("conname", String))
        .select_from(table("pg_constraint"))
        .where(column("conrelid").op("=")(literal_column(f"'{name}'::regclass")))
    ).scalars()
    for constraint in [c for c in found if c.startswith(old)]:
        renamed = new + constraint.removeprefix(old)
        conn.exec_driver_sql(f'ALTER TABLE {name} RENAME CONSTRAINT "{constraint}" TO "{renamed}"')


def _v3_to_v4(conn: Connection) -> None:
    """Schema 4: two new tables for Bulk API 2.0 jobs (`bulk_jobs`, `bulk_job_rows`), so a job's
    id is in the ledger before its data is uploaded. Nothing existing changes."""
    bulk_jobs.create(conn)
    bulk_job_rows.create(conn)


def _v4_to_v5(conn: Connection) -> None:
    """Schema 5: the `updates` table (before- and after-values of each update, for reset).

    Self-contained: one new table, nothing else changes.
    """
    updates_table(MetaData()).create(conn)


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5}
"""`MIGRATIONS[n]` brings a store from version n to n + 1. Version 1 is the first."""
