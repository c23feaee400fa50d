"""The end of every command's `--help`: a few examples and the exit codes the command can give.

The meanings come from one table (DESIGN.md §1), so each command lists its codes without
rewording them; a command may say more precisely what a code means for it.
`tests/test_cli_help.py` checks that every command has both and that its examples parse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import click

from demo_gen.errors import ExitCode

EXIT_MEANINGS: Mapping[ExitCode, str] = {
    ExitCode.OK: "done",
    ExitCode.BUG: "a bug: an error demo-gen did not expect (--debug shows the traceback)",
    ExitCode.USAGE: "usage: a bad option, a missing file, an unknown run id",
    ExitCode.CONFIG: "invalid configuration: the message names file:line and the key",
    ExitCode.STATE: "state store unreadable or newer, its lock held, or the org re-created",
    ExitCode.TARGET: "the org refused or is unreachable (login, permission, API limit)",
    ExitCode.PARTIAL: "partial: some records failed; rerun the same command for exactly those",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C): what was written is recorded; rerun resumes",
}


class CommandsLast(click.Group):
    """A group whose `--help` ends with its list of commands, after the examples and exit codes:
    click prints a group's epilog below the list, where its indented lines read as more
    commands (`demo-gen Examples:`, `demo-gen 130`) to a reader or a tool scanning the list."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        click.Command.format_options(self, ctx, formatter)  # the options, not yet the commands

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        self.format_commands(ctx, formatter)


# Click rewraps help paragraphs; one that starts with this line is printed as written.
_VERBATIM = "\b"


def epilog(
    examples: Sequence[str],
    codes: Sequence[ExitCode],
    meanings: Mapping[ExitCode, str] | None = None,
) -> str:
    """The examples and the exit codes, for a command's `epilog=`.

    An example is a full command line, optionally followed by `  # what it does`, which is
    printed on the line above it.
    """
    said = {**EXIT_MEANINGS, **(meanings or {})}
    lines = [_VERBATIM, "Examples:"]
    for example in examples:
        command, _, comment = example.partition("  #")
        if comment:
            lines.append(f"  # {comment.strip()}")
        lines.append(f"  {command.strip()}")
    lines += ["", _VERBATIM, "Exit codes:"]
    lines += [f"  {int(code):<4} {said[code]}" for code in codes]
    return "\n".join(lines)


_E = ExitCode
_RUNNING = (_E.OK, _E.USAGE, _E.CONFIG, _E.STATE, _E.TARGET, _E.PARTIAL, _E.INTERRUPTED)

ROOT = epilog(
    [
        "demo-gen org init  # seed the local org (runs/local-org.sqlite)",
        "demo-gen run -c demo.example.yaml  # plan and create; a rerun creates nothing",
        "demo-gen status latest  # what the newest run made",
    ],
    tuple(ExitCode),
)

RUN = epilog(
    [
        "demo-gen run -c demo.yaml",
        "demo-gen run -c demo.yaml --max-opps 10 --concurrency 8  # a first try on ten deals",
        "demo-gen run -c demo.yaml --run-id latest  # resume the newest run if it did not finish",
    ],
    _RUNNING,
)

REFRESH = epilog(
    [
        "demo-gen refresh -c demo.yaml  # the story up to today: new emails, outcomes, meetings",
        "demo-gen refresh -c demo.yaml --advance-stages  # also move stages (reset restores them)",
        "demo-gen refresh -c demo.yaml --today 2026-12-15  # rehearse the demo's date (or set "
        "DEMO_GEN_TODAY)",
    ],
    _RUNNING,
)

DRY_RUN = epilog(
    [
        "demo-gen dry-run -c demo.yaml",
        "demo-gen dry-run -c demo.yaml --max-opps 5 --out plan.json  # the plan with its texts",
        "demo-gen dry-run -c demo.yaml --json  # totals and per-deal counts on stdout",
    ],
    (_E.OK, _E.USAGE, _E.CONFIG, _E.STATE, _E.TARGET, _E.INTERRUPTED),
)

SMOKE = epilog(
    [
        "demo-gen smoke -c demo.yaml",
        "demo-gen smoke -c demo.yaml --opp-id 006000000000001AAA",
        "demo-gen smoke -c demo.yaml --json  # the created ids on stdout",
    ],
    _RUNNING,
    {_E.USAGE: "usage: a missing file, an --opp-id that is not an Opportunity of the org"},
)

STATUS = epilog(
    [
        "demo-gen status  # the runs, newest first, with their records",
        "demo-gen status latest --realism  # the newest run's realism report",
        "demo-gen status RUN_ID --scorecards --json",
    ],
    (_E.OK, _E.USAGE, _E.CONFIG, _E.STATE),
)

REPORT = epilog(
    [
        "demo-gen report  # the latest run -> runs/<run_id>/report.html",
        "demo-gen report latest -c demo.yaml --open",
        "demo-gen report 20261130T181158Z-se-demo-pack-f8d8f0 --out deal-review.html",
    ],
    (_E.OK, _E.USAGE, _E.CONFIG, _E.STATE, _E.TARGET),
    {_E.USAGE: "usage: an unknown run id, or a page that cannot be written there"},
)

RESET = epilog(
    [
        "demo-gen reset latest -c demo.yaml --dry-run  # what would be deleted",
        "demo-gen reset 20261122T081500Z-se-demo-pack-3f9a1c -c demo.yaml --yes",
        "demo-gen reset latest --yes  # the newest run of demo.yaml's pack, without asking",
    ],
    _RUNNING,
    {
        _E.USAGE: "usage: an unknown run id, or no --yes where nobody can answer the prompt",
        _E.PARTIAL: "partial: some records were not deleted; run the same reset again",
    },
)

DOCTOR = epilog(
    [
        "demo-gen doctor -c demo.yaml",
        "demo-gen doctor -c demo.yaml --json  # every check as {name, ok, detail, fix}",
    ],
    (_E.OK, _E.USAGE, _E.CONFIG, _E.TARGET),
    {_E.TARGET: "a check failed: each FAIL line is followed by a fix: line"},
)

ORG = epilog(
    [
        "demo-gen org init --opportunities 2000 --force  # a bigger org",
        "demo-gen org serve --port 8765  # for other tools, or salesforce.local.url",
    ],
    (_E.OK, _E.USAGE),
)

ORG_INIT = epilog(
    [
        "demo-gen org init",
        "demo-gen org init --db runs/big.sqlite --opportunities 2000 --seed 7",
        "demo-gen org init --force --no-shared-activities  # re-create, the setting off",
    ],
    (_E.OK, _E.USAGE, _E.STATE, _E.INTERRUPTED),
    {
        _E.USAGE: "usage: the org already has data (pass --force), a bad option",
        _E.STATE: "the file is not a local org database, or one from a newer demo-gen",
    },
)

ORG_SERVE = epilog(
    [
        "demo-gen org serve --port 8765",
        "demo-gen org serve --db runs/big.sqlite --port 0  # any free port",
        "demo-gen org serve --latency-ms 50 --error-rate 0.05  # a slow, flaky org",
    ],
    (_E.OK, _E.USAGE, _E.STATE),
    {
        _E.OK: "stopped with Ctrl-C or SIGTERM",
        _E.USAGE: "usage: no org at --db (run `demo-gen org init`), the port is taken",
        _E.STATE: "the file is not a local org database, or one from a newer demo-gen",
    },
)
