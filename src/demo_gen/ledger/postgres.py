"""What the state store does differently on PostgreSQL (a team's shared ledger).

SQLite serialises writers with `BEGIN IMMEDIATE`: a write transaction that reads and then writes
(the lock row, a pending upsert, a status move) never interleaves with another process's. On
PostgreSQL, READ COMMITTED lets two such transactions both read the old state and both write.
So every write transaction first takes one transaction-scoped advisory lock
(`pg_advisory_xact_lock`), held until its COMMIT or ROLLBACK: writers of one database run one
at a time, as on SQLite; readers never wait (MVCC). A read-only store's sessions are
`default_transaction_read_only`, as SQLite's `query_only`.

The driver is psycopg 3 (`postgresql+psycopg://`), installed with the `postgres` extra.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import URL, Connection, Engine, event

WRITE_LOCK_KEY = 0x64656D6F67656E  # "demogen": one advisory lock per database, for all writers
"""The key of the advisory lock that serialises the store's write transactions."""

DRIVER_HINT = (
    "install the PostgreSQL driver: pip install 'demo-gen[postgres]' "
    "(psycopg 3), and use a postgresql+psycopg:// URL"
)


def is_postgres(url: URL) -> bool:
    """True for a PostgreSQL URL, whichever driver it names."""
    return url.get_backend_name() == "postgresql"


def configure(engine: Engine, *, readonly: bool) -> None:
    """Give a PostgreSQL `engine` the store's write serialisation, or make it read-only."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        if readonly:
            cursor = dbapi_conn.cursor()
            try:
                cursor.execute("SET default_transaction_read_only = on")
            finally:
                cursor.close()
            dbapi_conn.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("demo_gen_write", False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
