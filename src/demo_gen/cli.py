"""The command line: parse, build dependencies, call the library, render. Nothing else."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from demo_gen import __version__, api, cli_help
from demo_gen.cli_options import (
    CONFIG_KEY,
    JSON_KEY,
    config_option,
    echo_json,
    json_option,
    load,
    optional_config,
    today_of,
    today_option,
)
from demo_gen.commands.console import (
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
from demo_gen.commands.org import org
from demo_gen.errors import ConfigError, DemoGenError, ExitCode, UsageError

if TYPE_CHECKING:  # pydantic, SQLAlchemy and the pipeline load only with the commands that use them
    from demo_gen.config.model import Config


class DemoGenGroup(cli_help.CommandsLast):
    """Turns demo-gen's errors into one line and their exit code; anything else is a bug.

    `--debug` adds the traceback but keeps the exit code; `--json` adds the error as a JSON
    object on stdout (`{"error", "exit_code", "hint"}`), the line on stderr staying as it is.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DemoGenError as exc:
            _fail(ctx, exc.exit_code, "error", _located(ctx, exc), exc.hint)
        except KeyboardInterrupt:
            message = "what was written is recorded; rerun resumes"
            _fail(ctx, ExitCode.INTERRUPTED, "interrupted", message, None)
        except click.Abort:  # Ctrl-C or end of input at a prompt: nothing was done
            _fail(ctx, ExitCode.INTERRUPTED, "interrupted", "aborted at the prompt", None)
        except click.ClickException as exc:  # usage errors: click prints them and exits 2
            if ctx.meta.get(JSON_KEY):
                _echo_error_json(exc.format_message(), exc.exit_code, None)
            raise
        except click.exceptions.Exit:
            raise
        except Exception as exc:
            hint = "report it with the traceback" if _debug(ctx) else "rerun with --debug"
            _fail(ctx, ExitCode.BUG, "bug", f"{type(exc).__name__}: {exc}", hint)


def _fail(ctx: click.Context, code: ExitCode, label: str, message: str, hint: str | None) -> None:
    """The one line (and hint) on stderr, the traceback with --debug, JSON with --json; exit."""
    if _debug(ctx):
        traceback.print_exc()
    colour = "yellow" if code == ExitCode.INTERRUPTED else "red"
    err_console.print(f"[{colour}]{label}:[/] {escape(message)}")
    if hint:
        err_console.print(f"[dim]hint:[/] {escape(hint)}")
    if ctx.meta.get(JSON_KEY):
        _echo_error_json(message, code, hint)
    ctx.exit(code)


def _echo_error_json(message: str, code: int, hint: str | None) -> None:
    click.echo(json.dumps({"error": message, "exit_code": int(code), "hint": hint}))


def _located(ctx: click.Context, exc: DemoGenError) -> str:
    """The message, with file:line put in front of a ConfigError that names only its key."""
    config: Config | None = ctx.meta.get(CONFIG_KEY)
    if isinstance(exc, ConfigError) and exc.key and config is not None:
        where = config.locate(exc.key)
        if where:
            return f"{where}: {exc}"
    return str(exc)


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool(root.params.get("debug"))


@click.group(
    cls=DemoGenGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=cli_help.ROOT,
)
@click.version_option(__version__, prog_name="demo-gen")
@click.option(
    "--debug", is_flag=True, help="Also show the traceback of an error (the exit code stays)."
)
def cli(debug: bool) -> None:
    """demo-gen: make a Salesforce demo org look alive, idempotently.

    Plans meetings, email threads and a methodology scorecard for each opportunity already in
    the org, writes them in batches, records every record it made, and removes exactly those on
    `reset`. The default target is the local org (`demo-gen org init`): no account needed.
    """


@cli.command(epilog=cli_help.RUN)
@config_option
@click.option("--run-id", help="Resume this run (one that did not finish), or `latest`.")
@click.option("--max-opps", type=click.IntRange(min=1), help="Work on at most N opportunities.")
@click.option("--concurrency", type=click.IntRange(1, 16), help="Collection calls in flight.")
@click.option(
    "--refresh-content", is_flag=True, help="Ask the LLM again instead of reusing cached text."
)
@today_option
@json_option
def run(
    config_path: Path,
    run_id: str | None,
    max_opps: int | None,
    concurrency: int | None,
    refresh_content: bool,
    today: str | None,
    as_json: bool,
) -> None:
    """Plan and create meetings, emails and scorecards for the selected opportunities.

    A rerun creates nothing that exists; exit 6 means some records failed, and rerunning the
    same command creates exactly those.
    """
    day = today_of(today)
    config, secrets = load(config_path)
    with RichProgress(enabled=not as_json) as progress:
        report = api.run(
            config,
            run_id=run_id,
            max_opps=max_opps,
            concurrency=concurrency,
            refresh_content=refresh_content,
            today=day,
            secrets=secrets,
            progress=progress,
        )
    _finish_run(report, as_json)


def _finish_run(report: Any, as_json: bool) -> None:
    if as_json:
        echo_json(report.asdict())
    else:
        render_run(report)
    if not report.ok:
        sys.exit(ExitCode.PARTIAL)


@cli.command("dry-run", epilog=cli_help.DRY_RUN)
@config_option
@click.option("--max-opps", type=click.IntRange(min=1), help="Work on at most N opportunities.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan here: every item with its text, each deal with its fact sheet.",
)
@today_option
@json_option
def dry_run(
    config_path: Path, max_opps: int | None, out: Path | None, today: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Show, per target, what `run` would create (+) and what exists (=); write nothing."""
    day = today_of(today)
    config, secrets = load(config_path)
    preview = api.dry_run(config, max_opps=max_opps, out=out, today=day, secrets=secrets)
    if out is not None:
        err_console.print(f"plan saved to {out}")
    if as_json:
        echo_json(preview.asdict())
    else:
        render_preview(preview)


@cli.command(epilog=cli_help.REFRESH)
@config_option
@click.option(
    "--advance-stages",
    is_flag=True,
    help="Also move each Opportunity's StageName, Probability and CloseDate along its story: "
    "stages, slips of the close date, Closed Won / Closed Lost (reset restores them).",
)
@today_option
@json_option
def refresh(config_path: Path, advance_stages: bool, today: str | None, as_json: bool) -> None:
    """Roll the same deal stories forward to today.

    Writes what the window now covers and no run wrote yet (emails of the days that passed,
    meetings that came into the window), gives each passed meeting its outcome (notes in place
    of the agenda, the invitees' answers, a planned no-show), brings each deal's scorecard to
    what the meetings and emails before today support (same records, updated in place) and,
    with --advance-stages, moves stages on the story's dates, slips close dates and closes
    deals won or lost. Without it the story is shown up to each deal's close date only.
    Rerunning on the same day writes nothing. Updates keep their earlier values in the state
    store: `reset` restores them. A pinned run.anchor_date fixes the story's day, so refresh
    refuses it (exit 2).
    """
    day = today_of(today)
    config, secrets = load(config_path)
    with RichProgress(enabled=not as_json) as progress:
        report = api.refresh(
            config,
            advance_stages=advance_stages,
            today=day,
            secrets=secrets,
            progress=progress,
        )
    _finish_run(report, as_json)


@cli.command(epilog=cli_help.SMOKE)
@config_option
@click.option("--opp-id", help="The opportunity to use (default: the first selected one).")
@json_option
def smoke(config_path: Path, opp_id: str | None, as_json: bool) -> None:
    """Run one opportunity end to end and print the ids it created."""
    config, secrets = load(config_path)
    with RichProgress(enabled=not as_json) as progress:
        report = api.smoke(config, opp_id=opp_id, secrets=secrets, progress=progress)
    _finish_run(report, as_json)


@cli.command(epilog=cli_help.STATUS)
@click.argument("run_id", required=False)
@config_option
@click.option("--realism", is_flag=True, help="Show the run's realism report.")
@click.option("--scorecards", is_flag=True, help="Show the run's scorecards, element by element.")
@json_option
def status(
    run_id: str | None, config_path: Path, realism: bool, scorecards: bool, as_json: bool
) -> None:
    """List the runs, newest first, with the records each owns; or show one run's summary,
    counts per target, failures and why it stopped.

    RUN_ID may be `latest`: the newest run of the configuration's pack (of any pack when there
    is no configuration file). A run killed without a word (kill -9, a lost host) shows as
    interrupted; `run --run-id` resumes it. After a reset, the run's summary stays and what the
    reset did is added.
    """
    found = api.status(run_id, config=optional_config(config_path), scorecards=scorecards)
    if isinstance(found, api.RunListing):
        if as_json:
            echo_json(found.asdict())
        else:
            render_runs(list(found.runs), found.items)
    elif found.scorecards is not None:
        if as_json:
            echo_json(list(found.scorecards))
        else:
            render_scorecards(list(found.scorecards))
    elif as_json:
        echo_json(found.detail)
    elif realism:
        render_realism(found.realism or {"realism": "not recorded for this run"})
    else:
        render_status(found.detail)


@cli.command(epilog=cli_help.REPORT)
@click.argument("run_ref", metavar="[RUN_ID | latest]", required=False, default="latest")
@config_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the page here (default: runs/<run_id>/report.html).",
)
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
@json_option
def report(
    run_ref: str, config_path: Path, out: Path | None, open_page: bool, as_json: bool
) -> None:
    """Draw one run as a single HTML file that works offline (default: the latest run).

    The run's summary and failures; per deal a timeline with a lane per person, its activities
    and its scorecard, each answer linked to the records it cites; per seller their weeks; the
    realism figures as charts with their targets; a sortable index of deals. It reads the
    ledger, runs/<run_id>/ and the org (never writes them) and asks no LLM anything.
    `latest` is the newest run of the configuration's pack (of any pack without a file) that
    made records.
    """
    import webbrowser

    written = api.report(run_ref, config=optional_config(config_path), out=out)
    if as_json:
        echo_json(written.asdict())
    else:
        err_console.print(
            f"report of {written.run_id}: {written.deals} deals, {written.sellers} sellers, "
            f"{written.charts} charts, {written.bytes / 1e6:.1f} MB"
        )
        click.echo(str(written.path))
    if open_page:
        webbrowser.open(written.path.resolve().as_uri())


@cli.command(epilog=cli_help.RESET)
@click.argument("run_id")
@config_option
@click.option("--yes", is_flag=True, help="Do not ask before deleting.")
@click.option("--dry-run", "preview", is_flag=True, help="List what would be deleted.")
@json_option
def reset(run_id: str, config_path: Path, yes: bool, preview: bool, as_json: bool) -> None:
    """Delete from the org exactly the records RUN_ID created, and nothing else.

    RUN_ID may be `latest`: the newest run of the configuration's pack that made records. Each
    record is read
    back first: one that is no longer the record the run made (changed, or an id the org reused)
    is kept, reported and never tried again.
    """

    def confirm(plan: Any) -> bool:
        if yes:
            return True
        render_reset(plan)
        if not sys.stdin.isatty():
            raise UsageError("refusing to delete without confirmation", hint="pass --yes")
        return click.confirm("Delete these records?", default=False, err=True)

    with RichProgress(enabled=not as_json) as progress:
        report = api.reset(
            run_id,
            config=optional_config(config_path),
            yes=yes,
            dry_run=preview,
            confirm=confirm,
            progress=progress,
        )
    if as_json:
        echo_json(report.asdict())
    elif report.cancelled:
        err_console.print("cancelled: nothing was deleted")
    else:
        render_reset(report)
    if not report.ok:
        sys.exit(ExitCode.PARTIAL)


@cli.command(epilog=cli_help.DOCTOR)
@config_option
@json_option
def doctor(config_path: Path, as_json: bool) -> None:
    """Check the org login, permissions, required fields, the state store and the calendars."""
    config, secrets = load(config_path)
    checks = api.doctor(config, secrets=secrets)
    if as_json:
        echo_json([c.__dict__ for c in checks])
    else:
        render_checks(checks)
    if not all(c.ok for c in checks):
        sys.exit(ExitCode.TARGET)


cli.add_command(org)
from demo_gen.commands.story import story  # noqa: E402  (it reuses this module's options)

cli.add_command(story)

from demo_gen.commands.export import export  # noqa: E402  (it builds on the options above)

cli.add_command(export)
from demo_gen.commands.live import live  # noqa: E402  (it reuses this module's options)

cli.add_command(live)


def main() -> None:
    """The console-script entry point."""
    cli(standalone_mode=True)
