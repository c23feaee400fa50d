"""The options and helpers every command shares: -c/--config, --json, --today, loading the
configuration where the error handler can name file:line of a key, and JSON output.

Their own module so that command modules (cli_export, cli_story, cli_live) import them without
importing `cli`, which registers those commands.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from demo_gen import api
from demo_gen.errors import UsageError

if TYPE_CHECKING:
    from demo_gen.config.model import Config, Secrets

DEFAULT_CONFIG = api.DEFAULT_CONFIG
CONFIG_HELP = "configuration file (YAML); env DEMO_GEN_CONFIG"


JSON_KEY = "demo_gen.json"
CONFIG_KEY = "demo_gen.config.model"


def config_option(f: Any) -> Any:
    return click.option(
        "-c",
        "--config",
        "config_path",
        envvar="DEMO_GEN_CONFIG",
        default=DEFAULT_CONFIG,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=CONFIG_HELP,
    )(f)


def json_option(f: Any) -> Any:
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        is_eager=True,  # known before any other option can fail, so that failure is JSON too
        callback=remember_json,
        help="Machine output on stdout (an error too: {error, exit_code, hint}).",
    )(f)


def remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta[JSON_KEY] = value
    return value


def load(config_path: Path) -> tuple[Config, Secrets]:
    from demo_gen.config.model import Secrets, load_config, load_environment

    environment = load_environment()
    config = remembered(load_config(config_path, env=environment))
    return config, Secrets.from_env(environment)


def remembered(config: Config) -> Config:
    """Keep the configuration where the error handler can name file:line of a key."""
    click.get_current_context().meta[CONFIG_KEY] = config
    return config


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def today_option(f: Any) -> Any:
    return click.option(
        "--today",
        "today",
        envvar="DEMO_GEN_TODAY",
        metavar="YYYY-MM-DD",
        help="The day the clock says (default: the real date; env DEMO_GEN_TODAY).",
    )(f)


def today_of(text: str | None) -> date | None:
    from demo_gen.clock import TODAY_ENV, parse_today

    if text is None:
        return None
    ctx = click.get_current_context()
    source = ctx.get_parameter_source("today")
    env = source is not None and source.name == "ENVIRONMENT"
    return parse_today(text, TODAY_ENV if env else "--today")


def optional_config(config_path: Path) -> Config | None:
    """The configuration if the file exists; None (the api's defaults, any pack) when the
    default file is missing; a usage error for another missing file."""
    from demo_gen.config.model import load_config, load_environment

    if config_path.is_file():
        return remembered(load_config(config_path, env=load_environment()))
    if config_path != Path(DEFAULT_CONFIG):
        raise UsageError(f"configuration file not found: {config_path}")
    return None
