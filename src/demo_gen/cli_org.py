"""`demo-gen org`: create and serve the local org (the command line's skin over local_org)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from demo_gen.console import err_console
from demo_gen.errors import StateError, UsageError

if TYPE_CHECKING:
    from demo_gen.local_org.store import Store


@click.group()
def org() -> None:
    """The local org: a Salesforce-compatible server on SQLite, the default target."""


_DB_OPTION = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("runs/local-org.sqlite"),
    show_default=True,
    help="The local org's SQLite file.",
)


@org.command("init")
@_DB_OPTION
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the fixture data.")
@click.option(
    "--opportunities",
    type=click.IntRange(1, 100_000),
    default=200,
    show_default=True,
    help="How many opportunities to create.",
)
@click.option(
    "--anchor-date",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Lay the org around this date (default: today).",
)
@click.option("--force", is_flag=True, help="Delete the existing data first.")
def org_init(
    db: Path, seed: int, opportunities: int, anchor_date: datetime | None, force: bool
) -> None:
    """Create the local org's seeded fixture data."""
    import time

    from demo_gen.local_org.fixtures import FixtureSpec, build_org

    store = _open_store(db)
    try:
        if store.count("Opportunity", include_deleted=True) and not force:
            raise UsageError(
                f"the local org at {db} already has data", hint="pass --force to re-create it"
            )
        if force:
            store.clear()
        anchor = anchor_date.date() if anchor_date else datetime.now(UTC).date()
        started = time.monotonic()
        with err_console.status(f"seeding {opportunities} opportunities into {db}"):
            report = build_org(
                store, FixtureSpec(anchor=anchor, seed=seed, opportunities=opportunities)
            )
    finally:
        store.close()
    listed = ", ".join(f"{n} {name}" for name, n in report.counts.items())
    err_console.print(f"local org ready at {db} in {time.monotonic() - started:.1f}s: {listed}")


def _open_store(db: Path) -> Store:
    from demo_gen.local_org.store import Store

    try:
        return Store(db)
    except (sqlite3.DatabaseError, RuntimeError) as exc:  # not a database, or a newer schema
        raise StateError(f"cannot open the local org database {db}: {exc}") from exc


@org.command("serve")
@_DB_OPTION
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--latency-ms", type=click.IntRange(min=0), default=0, help="Delay every REST answer."
)
@click.option(
    "--error-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share of REST requests that fail.",
)
@click.option(
    "--error-status",
    type=click.Choice(["503", "500", "403"]),
    default="503",
    show_default=True,
    help="Status of --error-rate faults (403 is REQUEST_LIMIT_EXCEEDED).",
)
@click.option(
    "--session-ttl", type=click.IntRange(min=1), help="Requests per session before it expires."
)
@click.option("--daily-limit", type=click.IntRange(min=1), help="Daily API request limit.")
@click.option(
    "--row-error-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share of records failing with UNABLE_TO_LOCK_ROW.",
)
@click.option(
    "--fault-seed", type=int, default=0, show_default=True, help="Seed of the fault stream."
)
def org_serve(
    db: Path,
    port: int,
    latency_ms: int,
    error_rate: float,
    error_status: str,
    session_ttl: int | None,
    daily_limit: int | None,
    row_error_rate: float,
    fault_seed: int,
) -> None:
    """Serve the local org on 127.0.0.1 until Ctrl-C."""
    from demo_gen.local_org.faults import Faults
    from demo_gen.local_org.server import LocalOrgServer, serve_forever

    if not db.exists():
        raise UsageError(f"no local org at {db}", hint="create it with `demo-gen org init`")
    faults = Faults(
        latency_ms=latency_ms,
        error_rate=error_rate,
        error_status=int(error_status),
        session_ttl=session_ttl,
        daily_limit=daily_limit,
        row_error_rate=row_error_rate,
        seed=fault_seed,
    )
    store = _open_store(db)
    server = LocalOrgServer(store, port=port, faults=faults)
    try:
        server.bind()
    except OSError as exc:
        store.close()
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
    err_console.print(f"local org serving at [bold]{server.url}[/] (database {db})")
    err_console.print("username admin@demo-gen.local, password demo-gen, empty security token")
    err_console.print(f"point a configuration at it with salesforce.local.url: {server.url}")
    err_console.print("[dim]Ctrl-C to stop[/]")
    try:
        serve_forever(server)
    finally:
        store.close()
    err_console.print("local org stopped")
