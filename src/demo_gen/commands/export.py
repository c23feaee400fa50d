"""`demo-gen export`: a run's records, or what a run would write, as JSONL, CSV or Parquet."""

from __future__ import annotations

from pathlib import Path

import click

from demo_gen import api, cli_help
from demo_gen.cli_options import config_option, echo_json, json_option
from demo_gen.errors import ExitCode

EPILOG = cli_help.epilog(
    [
        "demo-gen export latest -c demo.yaml --format parquet --out export/",
        "demo-gen export RUN_ID --format csv --out export/  # one CSV per kind",
        "demo-gen export -c demo.yaml --plan --format jsonl --out plan/  # what a run would write",
    ],
    (ExitCode.OK, ExitCode.USAGE, ExitCode.CONFIG, ExitCode.STATE, ExitCode.TARGET),
    {ExitCode.USAGE: "usage: an unknown run id or format, or --out not a writable directory"},
)


@click.command("export", epilog=EPILOG)
@click.argument("run_id", required=False)
@config_option
@click.option("--plan", is_flag=True, help="Export what `run` would write now instead of a run.")
@click.option(
    "--format", "fmt", required=True, metavar="jsonl|csv|parquet", help="The files' format."
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),  # checked by the export: one line, exit 2
    help="Directory for the tables and manifest.json (made if missing; files are replaced).",
)
@click.option("--max-opps", type=click.IntRange(min=1), help="--plan: at most N opportunities.")
@json_option
def export(
    run_id: str | None,
    config_path: Path,
    plan: bool,
    fmt: str,
    out: Path,
    max_opps: int | None,
    as_json: bool,
) -> None:
    """Write RUN_ID's records, or with --plan what a run would write, as one table per kind.

    Tables: meetings, invitees, emails, recipients, calls, scorecards, answers, and target_ids.
    Each row has its signature, its run id and its id in each target (salesforce_account,
    salesforce_id, salesforce_status), then the record's fields; manifest.json lists the
    tables, their row counts and their columns' types. Parquet columns are typed (timestamps
    in UTC, with each meeting's time_zone). The org is only read, the state store is opened
    read-only, and nothing but the files in --out is written.

    RUN_ID may be `latest`: the newest run of the configuration's pack that made records.
    """
    from demo_gen.commands.console import err_console

    # the api checks the options before it reads the file (a missing default file: defaults)
    report = api.export(
        run_id, config=config_path, plan=plan, format=fmt, out=out, max_opps=max_opps
    )
    if as_json:
        echo_json(report.asdict())
        return
    for name, table in report.manifest["tables"].items():
        err_console.print(f"{name:<12} {table['rows']:>7}  {out / table['file']}", highlight=False)
    err_console.print(f"manifest: {out / 'manifest.json'}", highlight=False)
