"""`demo-gen live`: the deal story written as it happens (commands/live_loop.py), with its live
view.

Registered on the `cli` group by `cli.py`. SIGINT/SIGTERM ask the loop to stop after the pass
in flight; a second signal abandons it (exit 130; the ledger settles it on the next run).
"""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click

from demo_gen import cli_help
from demo_gen.cli_options import config_option, echo_json, json_option, load, today_of, today_option
from demo_gen.commands.console import err_console
from demo_gen.errors import ExitCode, UsageError

EPILOG = cli_help.epilog(
    [
        "demo-gen live -c demo.yaml  # real time, from now: each write when its time comes",
        "demo-gen live -c demo.yaml --speed 60 --until 2026-12-01T18:00  # an hour a minute",
        "demo-gen live -c demo.yaml --today 2026-12-01 --speed 600  # rehearse a day in 2.4 min",
    ],
    (
        ExitCode.OK,
        ExitCode.USAGE,
        ExitCode.CONFIG,
        ExitCode.STATE,
        ExitCode.TARGET,
        ExitCode.PARTIAL,
        ExitCode.INTERRUPTED,
    ),  # fmt: skip
    {ExitCode.OK: "stopped at --until, or by Ctrl-C / SIGTERM after the pass in flight"},
)


class _Stop:
    """The stop request of SIGINT/SIGTERM: the first asks, the second abandons the pass."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self) -> bool:
        return self.asked

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True
        err_console.print(f"{signal.Signals(signum).name}: stopping after the pass in flight")


def _until(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--until: {text!r} is not a time (expected YYYY-MM-DDTHH:MM, UTC unless it says)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@click.command(epilog=EPILOG)
@config_option
@click.option(
    "--speed",
    type=click.FloatRange(min=1.0),
    default=1.0,
    show_default=True,
    help="How much faster than real time the clock runs (60: an hour a minute).",
)
@click.option(
    "--until",
    metavar="TIME",
    help="Stop when the simulated clock reaches TIME (YYYY-MM-DDTHH:MM, UTC), after a last "
    "pass at TIME.",
)
@click.option(
    "--advance-stages",
    is_flag=True,
    help="Also move each Opportunity's stage along its story (reset restores it).",
)
@today_option
@json_option
def live(
    config_path: Path, speed: float, until: str | None, advance_stages: bool,
    today: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Write each activity of the deal stories when its time arrives.

    A long-running `refresh`: emails at their sent time, meetings as they enter the window,
    a meeting's notes once it has ended. The clock starts now (or at 00:00 UTC of --today) and
    runs --speed times faster than real time; the API calls stay within run.api_budget_share
    of the org's daily limit (a token bucket). Ctrl-C or SIGTERM stop it after the pass in
    flight; running it again resumes; `demo-gen reset` removes what it wrote.
    """
    from demo_gen import api
    from demo_gen.commands.console_live import RichLiveView

    day = today_of(today)
    end = _until(until)
    config, secrets = load(config_path)
    stop = _Stop()
    before = {sig: signal.signal(sig, stop.handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with RichLiveView(enabled=not as_json) as view:
            report = api.live(
                config, speed=speed, until=end, advance_stages=advance_stages, today=day,
                secrets=secrets, view=view, stop=stop,
            )  # fmt: skip
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    if as_json:
        echo_json(report.asdict())
    else:
        err_console.print(
            f"live {report.run_id}: {report.passes} passes, {report.created} records created, "
            f"{report.updated} updated, {report.api_calls} API calls of {report.budget} a day "
            f"(stopped: {report.stopped})"
        )
