"""The command line: parse, build dependencies, call the library, render. Nothing else."""

from __future__ import annotations

import json
import sqlite3
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from demo_gen import __version__
from demo_gen.config import Config, Secrets, load_config, load_environment
from demo_gen.console import (
    RichProgress,
    err_console,
    render_checks,
    render_preview,
    render_realism,
    render_reset,
    render_run,
    render_runs,
    render_scorecards,
    render_status,
)
from demo_gen.errors import DemoGenError, ExitCode, StateError, UsageError

if TYPE_CHECKING:
    from demo_gen.local_org.store import Store

DEFAULT_CONFIG = "demo.yaml"
_CONFIG_HELP = "configuration file (YAML); env DEMO_GEN_CONFIG"


class DemoGenGroup(click.Group):
    """Turns demo-gen's errors into one line and their exit code; anything else is a bug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DemoGenError as exc:
            if _debug(ctx):
                raise
            err_console.print(f"[red]error:[/] {exc}")
            if exc.hint:
                err_console.print(f"[dim]hint:[/] {exc.hint}")
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted:[/] what was written is recorded; rerun resumes")
            ctx.exit(ExitCode.INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if _debug(ctx):
                raise
            err_console.print(f"[red]bug:[/] {type(exc).__name__}: {exc}")
            err_console.print("[dim]hint:[/] rerun with --debug for the traceback, and report it")
            ctx.exit(ExitCode.BUG)


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool(root.params.get("debug"))


@click.group(cls=DemoGenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="demo-gen")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def cli(debug: bool) -> None:
    """demo-gen: make a Salesforce demo org look alive, idempotently.

    Plans meetings, email threads and a methodology scorecard for each opportunity already in
    the org, writes them in batches, records every record it made, and removes exactly those on
    `reset`. The default target is the local org (`demo-gen org init`): no account needed.
    """


def _config_option(f: Any) -> Any:
    return click.option(
        "-c",
        "--config",
        "config_path",
        envvar="DEMO_GEN_CONFIG",
        default=DEFAULT_CONFIG,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=_CONFIG_HELP,
    )(f)


def _json_option(f: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Machine output on stdout.")(f)


def _load(config_path: Path) -> tuple[Config, Secrets]:
    environment = load_environment()
    return load_config(config_path, env=environment), Secrets.from_env(environment)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@cli.command()
@_config_option
@click.option("--run-id", help="Resume this run (one that did not finish).")
@click.option("--max-opps", type=click.IntRange(min=1), help="Work on at most N opportunities.")
@click.option("--concurrency", type=click.IntRange(1, 16), help="Collection calls in flight.")
@click.option(
    "--refresh-content", is_flag=True, help="Ask the LLM again instead of reusing cached text."
)
@_json_option
def run(
    config_path: Path,
    run_id: str | None,
    max_opps: int | None,
    concurrency: int | None,
    refresh_content: bool,
    as_json: bool,
) -> None:
    """Plan and create meetings, emails and scorecards for the selected opportunities.

    A rerun creates nothing that exists; exit 6 means some records failed, and rerunning the
    same command creates exactly those.
    """
    from demo_gen.runner import RunOptions
    from demo_gen.runner import run as run_pipeline

    config, secrets = _load(config_path)
    options = RunOptions(
        run_id=run_id,
        max_opps=max_opps,
        concurrency=concurrency,
        refresh_content=refresh_content,
    )
    with RichProgress(enabled=not as_json) as progress:
        report = run_pipeline(config, secrets, options, progress)
    _finish_run(report, as_json)


def _finish_run(report: Any, as_json: bool) -> None:
    if as_json:
        _echo_json(report.asdict())
    else:
        render_run(report)
    if not report.ok:
        sys.exit(ExitCode.PARTIAL)


@cli.command("dry-run")
@_config_option
@click.option("--max-opps", type=click.IntRange(min=1), help="Work on at most N opportunities.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan here: every item with its text, each deal with its fact sheet.",
)
@_json_option
def dry_run(config_path: Path, max_opps: int | None, out: Path | None, as_json: bool) -> None:
    """Show what `run` would create (+) and what exists (=); write nothing."""
    from demo_gen.preview import dry_run as preview_run

    config, secrets = _load(config_path)
    preview = preview_run(config, secrets, max_opps=max_opps)
    if out is not None:
        out.write_text(json.dumps(preview.plan, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        err_console.print(f"plan saved to {out}")
    if as_json:
        _echo_json(preview.asdict())
    else:
        render_preview(preview)


@cli.command()
@_config_option
@click.option("--opp-id", help="The opportunity to use (default: the first selected one).")
@_json_option
def smoke(config_path: Path, opp_id: str | None, as_json: bool) -> None:
    """Run one opportunity end to end and print the ids it created."""
    from demo_gen.runner import smoke as smoke_run

    config, secrets = _load(config_path)
    with RichProgress(enabled=not as_json) as progress:
        report = smoke_run(config, secrets, opp_id, progress)
    _finish_run(report, as_json)


@cli.command()
@click.argument("run_id", required=False)
@_config_option
@click.option("--realism", is_flag=True, help="Show the run's realism report.")
@click.option("--scorecards", is_flag=True, help="Show the run's scorecards, element by element.")
@_json_option
def status(
    run_id: str | None, config_path: Path, realism: bool, scorecards: bool, as_json: bool
) -> None:
    """List the runs, newest first; or show one run's summary, counts and failures."""
    from demo_gen.report import run_status
    from demo_gen.state import StateStore

    config = _optional_config(config_path)
    state = StateStore.open_readonly(config.state.url)
    try:
        if run_id is None:
            runs = state.list_runs()
            if as_json:
                _echo_json([r.__dict__ for r in runs])
            else:
                render_runs(runs)
            return
        detail = run_status(state, run_id)
    finally:
        state.close()
    if scorecards:
        cards = _read_scorecards(config.run.runs_dir / run_id / "scorecards.jsonl")
        if as_json:
            _echo_json(cards)
        else:
            render_scorecards(cards)
    elif as_json:
        _echo_json(detail)
    elif realism:
        render_realism(detail.get("realism") or {"realism": "not recorded for this run"})
    else:
        render_status(detail)


def _read_scorecards(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise UsageError(f"no scorecards recorded at {path}", hint="pass the run's -c CONFIG")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _optional_config(config_path: Path) -> Config:
    """The configuration if the file exists; defaults otherwise (status and reset need little)."""
    if config_path.is_file():
        return load_config(config_path, env=load_environment())
    if config_path != Path(DEFAULT_CONFIG):
        raise UsageError(f"configuration file not found: {config_path}")
    return Config()


@cli.command()
@click.argument("run_id")
@_config_option
@click.option("--yes", is_flag=True, help="Do not ask before deleting.")
@click.option("--dry-run", "preview", is_flag=True, help="List what would be deleted.")
@_json_option
def reset(run_id: str, config_path: Path, yes: bool, preview: bool, as_json: bool) -> None:
    """Delete from the org exactly the records RUN_ID created, and nothing else."""
    from demo_gen.resetter import reset as reset_run

    config = _optional_config(config_path)
    secrets = Secrets.from_env(load_environment())

    def confirm(plan: Any) -> bool:
        if yes:
            return True
        render_reset(plan)
        if not sys.stdin.isatty():
            raise UsageError("refusing to delete without confirmation", hint="pass --yes")
        return click.confirm("Delete these records?", default=False, err=True)

    with RichProgress(enabled=not as_json) as progress:
        report = reset_run(
            config, secrets, run_id, dry_run=preview, confirm=confirm, progress=progress
        )
    if as_json:
        _echo_json(report.asdict())
    elif report.cancelled:
        err_console.print("cancelled: nothing was deleted")
    else:
        render_reset(report)
    if not report.ok:
        sys.exit(ExitCode.PARTIAL)


@cli.command()
@_config_option
@_json_option
def doctor(config_path: Path, as_json: bool) -> None:
    """Check the org login, permissions, required fields and the state store."""
    from demo_gen.doctor import diagnose

    config, secrets = _load(config_path)
    checks = diagnose(config, secrets)
    if as_json:
        _echo_json([c.__dict__ for c in checks])
    else:
        render_checks(checks)
    if not all(c.ok for c in checks):
        sys.exit(ExitCode.TARGET)


@cli.group()
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


def main() -> None:
    """The console-script entry point."""
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except BaseException:  # only reached with --debug: show the traceback, exit 1
        traceback.print_exc()
        sys.exit(ExitCode.BUG)
