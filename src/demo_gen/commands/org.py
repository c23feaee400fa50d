"""`demo-gen org`: create and serve the local org (the command line's skin over local_org)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from demo_gen import api_org, cli_help
from demo_gen.commands.console import err_console


@click.group(cls=cli_help.CommandsLast, epilog=cli_help.ORG)
def org() -> None:
    """The local org: a Salesforce-compatible server on SQLite, the default target."""


_DB_OPTION = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(api_org.DEFAULT_ORG_DB),
    show_default=True,
    help="The local org's SQLite file.",
)


@org.command("init", epilog=cli_help.ORG_INIT)
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
@click.option(
    "--force",
    is_flag=True,
    help="Delete the existing data first (the new org gets a new Organization Id and new ids).",
)
@click.option(
    "--shared-activities/--no-shared-activities",
    default=True,
    show_default=True,
    help="Shared Activities: an Event's WhoId is also an EventRelation row (IsParent).",
)
@click.option(
    "--set-audit-fields/--no-set-audit-fields",
    default=True,
    show_default=True,
    help='The "Set Audit Fields upon Record Creation" permission: inserts may set CreatedDate.',
)
def org_init(
    db: Path,
    seed: int,
    opportunities: int,
    anchor_date: datetime | None,
    force: bool,
    shared_activities: bool,
    set_audit_fields: bool,
) -> None:
    """Create the local org's seeded fixture data.

    Every org init draws a new Organization Id, and --force also moves record ids on, so a
    ledger made against an earlier org never matches this one.
    """
    with err_console.status(f"seeding {opportunities} opportunities into {db}"):
        made = api_org.org_init(
            db=db,
            seed=seed,
            opportunities=opportunities,
            anchor_date=None if anchor_date is None else anchor_date.date(),
            force=force,
            shared_activities=shared_activities,
            set_audit_fields=set_audit_fields,
        )
    listed = ", ".join(f"{n} {name}" for name, n in made.counts.items())
    err_console.print(f"local org ready at {db} in {made.seconds:.1f}s: {listed}")
    err_console.print(f"Organization Id {made.org_id}; {made.settings}")
    if made.relations:
        err_console.print(
            f"{made.relations} EventRelation and TaskRelation rows for Shared Activities"
        )


@org.command("serve", epilog=cli_help.ORG_SERVE)
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
@click.option(
    "--jwt-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The connected app's certificate (PEM): JWT bearer logins must be signed for it.",
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
    jwt_cert: Path | None,
) -> None:
    """Serve the local org on 127.0.0.1 until Ctrl-C.

    The JWT bearer grant works only with --jwt-cert: without a certificate the org refuses
    every assertion (invalid_grant), as a connected app without one does.
    """
    from demo_gen.local_org.server import serve_forever

    served = api_org.org_serve(
        db=db,
        port=port,
        latency_ms=latency_ms,
        error_rate=error_rate,
        error_status=int(error_status),
        session_ttl=session_ttl,
        daily_limit=daily_limit,
        row_error_rate=row_error_rate,
        fault_seed=fault_seed,
        jwt_cert=jwt_cert,
        background=False,  # served below, in this thread, until Ctrl-C
    )
    with served as org:
        err_console.print(f"local org serving at [bold]{org.url}[/] (database {db})")
        err_console.print("username admin@demo-gen.local, password demo-gen, empty security token")
        err_console.print(f"point a configuration at it with salesforce.local.url: {org.url}")
        err_console.print(org.settings)
        if jwt_cert is not None:
            err_console.print(f"JWT bearer logins must be signed for {jwt_cert}")
        err_console.print("[dim]Ctrl-C to stop[/]")
        serve_forever(org.server)
    err_console.print("local org stopped")
