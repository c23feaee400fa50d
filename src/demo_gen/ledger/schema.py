"""The state store's tables, its schema version and the step-by-step migrations.

Tables (all text columns hold ISO strings or ids; nothing is a native date, so SQLite and
PostgreSQL behave the same):

    meta              key PK, value                   -- "schema_version"
    runs              run_id PK, pack, org_id, command, status, started_at, finished_at,
                      config_fingerprint, summary_json, reset_json (v2: what the last reset did)
    run_opportunities (run_id FK runs, opportunity_id) PK, position
    anchors           (pack, org_id, opportunity_id) PK, anchor_date
    items             (target, signature) PK, run_id FK runs, pack, opportunity_id, kind,
                      record_type, status, remote_id, error_code, error, parent_signature,
                      planned_start, subject, updated_at,
                      identity (v2: JSON snapshot of the record as the target made it)
    content           key PK, value, created_at
    locks             (pack, target) PK, owner, host, pid, acquired_at, heartbeat_at (v2)
    bulk_jobs         (target, job_id) PK, pack, run_id, record_type, kind, operation, header,
                      state, created_at (v4: a Bulk API 2.0 job, recorded before its upload)
    bulk_job_rows     (target, job_id, position) PK, signature, row_key (v4: the job's rows)

v3 put the target in every item's and lock's key: `target` is the destination's ledger key
("salesforce:<org id>", see targets/base.py), `remote_id` the id the target gave the record
(v2: `sf_id`), `record_type` the target's word for what it is (v2: `sobject`). `runs.org_id` and
`anchors.org_id` stay: they name the org the opportunities were read from, not a target.

A store written by a newer demo-gen (a higher `schema_version`) is refused; an older one is
brought forward by `ledger.migrations.MIGRATIONS`, one version at a time, in one transaction.

Also here: the engine set-up (SQLite pragmas and explicit BEGINs), the item status machine and the
row helpers, so that `ledger/store.py` holds only the `StateStore` API (the lock rows:
`ledger/locks.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import (
    URL,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    Update,
    bindparam,
    create_engine,
    event,
    inspect,
    make_url,
    select,
    update,
)
from sqlalchemy.pool import StaticPool

from demo_gen import clock
from demo_gen.errors import StateError

SCHEMA_VERSION = 5

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(128), primary_key=True),
    Column("pack", String(200), nullable=False),
    Column("org_id", String(64), nullable=False),
    Column("command", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("config_fingerprint", String(128), nullable=False),
    Column("summary_json", Text),
    Column("reset_json", Text),
    Index("ix_runs_pack_org_status", "pack", "org_id", "status"),
)

run_opportunities = Table(
    "run_opportunities",
    metadata,
    Column(
        "run_id",
        String(128),
        ForeignKey("runs.run_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("opportunity_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
)

anchors = Table(
    "anchors",
    metadata,
    Column("pack", String(200), primary_key=True),
    Column("org_id", String(64), primary_key=True),
    Column("opportunity_id", String(64), primary_key=True),
    Column("anchor_date", String(10), nullable=False),
)

TARGET_LENGTH = 255  # "salesforce:<org id>", "caldav:<server url>", …


def items_table(name: str, meta: MetaData, *, indexed: bool) -> Table:
    """The v3 items table under `name` (the migration builds it aside, then renames it)."""
    indexes = (
        [
            Index("ix_items_run_status", "run_id", "status"),
            Index("ix_items_target_pack_status", "target", "pack", "status"),
        ]
        if indexed
        else []
    )
    return Table(
        name,
        meta,
        Column("target", String(TARGET_LENGTH), primary_key=True),
        Column("signature", String(128), primary_key=True),
        Column("run_id", String(128), ForeignKey("runs.run_id"), nullable=False),
        Column("pack", String(200), nullable=False),
        Column("opportunity_id", String(64), nullable=False),
        Column("kind", String(32), nullable=False),
        Column("record_type", String(80), nullable=False),
        Column("status", String(16), nullable=False),
        Column("remote_id", String(TARGET_LENGTH)),
        Column("error_code", String(80)),
        Column("error", Text),
        Column("parent_signature", String(128)),
        Column("planned_start", String(40)),
        Column("subject", Text),
        Column("updated_at", String(40), nullable=False),
        Column("identity", Text),
        *indexes,
    )


items = items_table("items", metadata, indexed=True)

content = Table(
    "content",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

updates_table_columns = (
    "target", "key", "run_id", "record_type", "record_id", "before_json", "after_json",
    "status", "error", "updated_at",
)  # fmt: skip


def updates_table(meta_: MetaData) -> Table:
    """Schema 5: one row per update demo-gen makes to a record it did not create in that run
    (a passed meeting's outcome, an invitee's answer, an Opportunity's stage): the fields'
    values before it (committed before the update is sent) and after it, for reset."""
    return Table(
        "updates",
        meta_,
        Column("target", String(TARGET_LENGTH), primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("run_id", String(128), nullable=False, index=True),
        Column("record_type", String(80), nullable=False),
        Column("record_id", String(64), nullable=False),
        Column("before_json", Text, nullable=False),
        Column("after_json", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("error", Text),
        Column("updated_at", String(40), nullable=False),
    )


updates = updates_table(metadata)

locks = Table(
    "locks",
    metadata,
    Column("pack", String(200), primary_key=True),
    Column("target", String(TARGET_LENGTH), primary_key=True),
    Column("owner", String(128), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("acquired_at", String(40), nullable=False),
    Column("heartbeat_at", String(40)),
)


bulk_jobs = Table(
    "bulk_jobs",
    metadata,
    Column("target", String(TARGET_LENGTH), primary_key=True),
    Column("job_id", String(64), primary_key=True),
    Column("pack", String(200), nullable=False),
    Column("run_id", String(128), nullable=False),
    Column("record_type", String(80), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("operation", String(16), nullable=False),
    Column("header", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
)
"""v4: a Bulk API 2.0 ingest job, recorded before its data is uploaded (ledger/bulk_jobs.py)."""

bulk_job_rows = Table(
    "bulk_job_rows",
    metadata,
    Column("target", String(TARGET_LENGTH), primary_key=True),
    Column("job_id", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("signature", String(128), nullable=False),
    Column("row_key", String(64), nullable=False),
    Index("ix_bulk_job_rows_signature", "target", "signature"),
)
"""v4: the rows of a bulk job, in upload order, with the hash of their CSV cells (row_key)."""


def stored_version(conn: Connection) -> int | None:
    """The store's schema version, or None for a store without demo-gen's tables."""
    if not inspect(conn).has_table("meta"):
        return None
    value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return None if value is None else int(value)


def migrate(conn: Connection, from_version: int) -> None:
    """Apply the migrations from `from_version` up to `SCHEMA_VERSION`, in order, on `conn`."""
    from demo_gen.ledger.migrations import MIGRATIONS  # the steps need this module's tables

    for version in range(from_version, SCHEMA_VERSION):
        step = MIGRATIONS.get(version)
        if step is None:
            raise RuntimeError(f"no migration from state schema {version} to {version + 1}")
        step(conn)
    conn.execute(
        meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
    )


def create_tables(conn: Connection) -> None:
    """Create every table of the current schema on `conn` and stamp its version."""
    metadata.create_all(conn)
    conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))


def check_schema(conn: Connection, display: str, *, create: bool) -> bool:
    """Check, create or migrate the schema on `conn`; False when absent and `create` is False.

    Raises `StateError` for a newer schema, and for an older one when it may not migrate.
    """
    version = stored_version(conn)
    if version is None and not create:
        return False
    if version is None:
        create_tables(conn)
    elif version > SCHEMA_VERSION:
        raise StateError(
            f"state store {display} was written by a newer demo-gen "
            f"(schema {version} > {SCHEMA_VERSION})",
            hint="upgrade demo-gen, or point state.url at another store",
        )
    elif version < SCHEMA_VERSION and not create:
        raise StateError(
            f"state store {display} has the older schema {version}",
            hint="run any writing command (e.g. `demo-gen run`) once to upgrade it",
        )
    elif version < SCHEMA_VERSION:
        migrate(conn, version)
    return True


# -- engines -------------------------------------------------------------------------------------

MEMORY = make_url("sqlite://")
BUSY_TIMEOUT_MS = 10_000


def make_engine(url: URL, *, query_only: bool) -> Engine:
    """An engine for `url`; on SQLite: WAL, a busy timeout, foreign keys and explicit BEGINs.

    A connection whose execution options carry `demo_gen_write=True` begins with BEGIN IMMEDIATE,
    so a read-then-write transaction never fails to upgrade its lock.
    """
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    memory = sqlite_memory(url)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's recipe: we emit BEGIN ourselves
        pragmas = [f"busy_timeout = {BUSY_TIMEOUT_MS}", "foreign_keys = ON"]
        pragmas += ["query_only = ON"] if query_only else [] if memory else ["journal_mode = WAL"]
        cursor = dbapi_conn.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(f"PRAGMA {pragma}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("demo_gen_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def sqlite_memory(url: URL) -> bool:
    """True for an in-memory SQLite URL."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory ones."""
    if url.get_backend_name() != "sqlite" or sqlite_memory(url):
        return None
    database = str(url.database)
    return None if database.startswith("file:") else Path(database)


# -- items ---------------------------------------------------------------------------------------

ALLOWED_FROM: dict[str, frozenset[str]] = {
    "created": frozenset({"pending", "failed", "created"}),
    "failed": frozenset({"pending", "failed"}),
    "deleted": frozenset({"pending", "failed", "created", "deleted"}),
    "foreign": frozenset({"created", "foreign"}),
}
"""The statuses an item may move from into each status other than pending (see ledger/store.py)."""

CHUNK = 500  # old SQLite builds allow 999 bound parameters per statement: stay well under


def check_transition(
    target: str, sig: str, known: tuple[str, str | None] | None, to: str, remote_id: str | None
) -> None:
    """`ValueError` unless the item `(status, remote_id)` = `known` may move to status `to`."""
    if known is None:
        raise ValueError(f"item {sig} on {target} was never marked pending")
    status, old_id = known
    if status not in ALLOWED_FROM[to]:
        raise ValueError(f"item {sig} on {target} is {status}; it cannot become {to}")
    if to == "created" and status == "created" and old_id != remote_id:
        raise ValueError(f"item {sig} on {target} was already created as {old_id}")


def check_owned(
    target: str, sig: str, known: tuple[str, str | None] | None, remote_id: str | None
) -> None:
    """`ValueError` unless a record the org made may be recorded as created under `sig`."""
    if remote_id is None:
        raise ValueError(f"item {sig} on {target}: a record the org made needs its id")
    if known is not None and known[0] == "created" and known[1] != remote_id:
        raise ValueError(f"item {sig} on {target} was already created as {known[1]}")


def select_anchors(conn: Connection, pack: str, org_id: str, ids: Sequence[str]) -> dict[str, date]:
    """`opportunity_id -> anchor date` of those `ids` that have one."""
    t = anchors.c
    found: dict[str, date] = {}
    for chunk in chunks(ids):
        query = select(t.opportunity_id, t.anchor_date).where(
            t.pack == pack, t.org_id == org_id, t.opportunity_id.in_(chunk)
        )
        found.update((o, date.fromisoformat(d)) for o, d in conn.execute(query))
    return found


def item_update() -> Update:
    """An UPDATE of one item, keyed by the bind parameters `k_target` and `k_sig`."""
    t = items.c
    return update(items).where(t.target == bindparam("k_target"), t.signature == bindparam("k_sig"))


def ordered_items() -> Select[*tuple[Any, ...]]:
    """SELECT of whole item rows in a stable order."""
    t = items.c
    return select(items).order_by(t.opportunity_id, t.planned_start, t.signature)


def chunks(values: Sequence[str]) -> Iterator[list[str]]:
    """The distinct `values` in order, in lists of at most `CHUNK`."""
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def now_iso() -> str:
    """The current UTC time as ISO-8601 with milliseconds and a Z."""
    return clock.stamp()
