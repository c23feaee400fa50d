"""`demo-gen story "SENTENCE"`: a sentence in, a scripted story (`stories:` entry) out.

Registered on the `cli` group by `cli.py`; the work is in `scenario_draft` (and `scenario_llm`).
The YAML goes to stdout (so it can be piped into a file); what happened goes to stderr.
"""

from __future__ import annotations

from pathlib import Path

import click

from demo_gen import api, cli_help
from demo_gen.cli_options import config_option, load
from demo_gen.commands.console import err_console
from demo_gen.errors import ExitCode

EPILOG = cli_help.epilog(
    [
        'demo-gen story "Nimbus Assurance: it stalls after the pricing call" -c demo.yaml',
        'demo-gen story "Basalt Broadband: ThoughtSpot shows up in negotiation" --write',
        'demo-gen story "the champion goes quiet after the demo"  # lists the deals it could be',
    ],
    (ExitCode.OK, ExitCode.USAGE, ExitCode.CONFIG, ExitCode.TARGET),
    {ExitCode.USAGE: "usage: the sentence names no deal, or several (they are listed)"},
)


@click.command(epilog=EPILOG)
@click.argument("sentence")
@config_option
@click.option("--write", is_flag=True, help="Add the scenario to the configuration file.")
def story(sentence: str, config_path: Path, write: bool) -> None:
    """Turn SENTENCE into a scripted story for a deal (asks the configured LLM).

    Prints the `stories:` entry as YAML; --write adds it to the configuration file and leaves
    every other line as it was. Without an LLM, or with an answer that does not fit the
    vocabulary, it says why in one line and prints the skeleton to fill in by hand.
    """
    config, secrets = load(config_path)
    draft = api.story(sentence, config=config, secrets=secrets)
    if draft.source == "skeleton":
        err_console.print(f"{draft.reason}: write the scenario by hand (vocabulary: README.md):")
    elif not draft.matches:
        err_console.print(f"no selected deal matches {draft.entry['deal']['name']!r}; edit deal:")
    elif len(draft.matches) > 1:
        err_console.print(f"{len(draft.matches)} deals match; name one of them in deal:")
        for opp_id, name, stage in draft.matches:
            err_console.print(f"  {opp_id}  {name} [{stage}]")
    click.echo("stories:\n" + draft.yaml, nl=False)
    if write:
        api.write_story(draft, config=config_path)
        err_console.print(
            f"added to {config_path} (stories:); `demo-gen dry-run` shows its timeline"
        )
