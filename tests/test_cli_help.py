"""Every command's `--help` ends with two or three examples that parse and the exit codes it can
give, with DESIGN.md's meanings (issue 15: the CLI's face)."""

from __future__ import annotations

import shlex

import click
import pytest
from click.testing import CliRunner

from demo_gen.cli import cli
from demo_gen.cli_help import EXIT_MEANINGS
from demo_gen.errors import ExitCode


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


PATHS = [(), *(path for path, _ in _commands(cli))]


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    return result.stdout


def section(text: str, title: str) -> list[str]:
    """The lines of the help section headed *title*, up to the next blank line."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == title]
    assert len(starts) == 1, f"no single {title!r} section in:\n{text}"
    out = []
    for line in lines[starts[0] + 1 :]:
        if not line.strip():
            break
        out.append(line.strip())
    return out


def examples(path: tuple[str, ...]) -> list[str]:
    return [line for line in section(help_text(path), "Examples:") if not line.startswith("#")]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "demo-gen")
def test_every_command_shows_two_or_three_examples_of_itself(path):
    shown = examples(path)
    assert 2 <= len(shown) <= 3, shown
    prefix = " ".join(("demo-gen", *path))
    assert all(example.startswith(prefix) for example in shown), shown


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "demo-gen")
def test_every_command_lists_its_exit_codes_with_design_meanings(path):
    rows = [line.split(maxsplit=1) for line in section(help_text(path), "Exit codes:")]
    codes = [int(code) for code, _ in rows]
    assert codes == sorted(set(codes)), codes
    assert codes[0] == ExitCode.OK
    assert ExitCode.USAGE in codes  # click refuses a bad option with 2 everywhere
    assert set(codes) <= {int(c) for c in ExitCode}
    assert all(meaning.strip() for _, meaning in rows)
    if not path:  # the top-level help is the full table
        assert codes == sorted(int(c) for c in ExitCode)


def test_each_exit_code_has_one_meaning():
    assert set(EXIT_MEANINGS) == set(ExitCode)


def _parse(argv: list[str]) -> click.Context:
    """Parse a command line the way `demo-gen` would, without running the command."""
    command: click.Command = cli
    name = "demo-gen"
    while isinstance(command, click.Group):
        while argv and argv[0].startswith("-"):
            argv.pop(0)  # a group option such as --debug
        name = argv.pop(0)
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"no command {name!r}"
        command = found
    return command.make_context(name, argv)


def _listed_examples() -> list[tuple[tuple[str, ...], str]]:
    """Every example of every command (a command without any fails the tests above)."""
    out = []
    for path in PATHS:
        text = help_text(path)
        if "Examples:" in text:
            out += [(path, example) for example in examples(path)]
    return out


EXAMPLES = _listed_examples()


@pytest.mark.parametrize(("path", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_example_parses(path, example):
    argv = shlex.split(example)
    assert argv[0] == "demo-gen"
    _parse(argv[1:])  # raises click.UsageError on an unknown option or a bad value


def test_a_wrong_example_would_not_parse():
    with pytest.raises(click.UsageError):
        _parse(["run", "-c", "demo.yaml", "--max-opps", "0"])
    with pytest.raises(click.UsageError):
        _parse(["status", "--no-such-option"])


@pytest.mark.parametrize("path", [(), ("org",)], ids=["demo-gen", "org"])
def test_a_groups_command_list_comes_last_and_holds_only_commands(path):
    group = cli if not path else cli.commands[path[0]]
    listed = [line.split()[0] for line in section(help_text(path), "Commands:")]
    assert sorted(listed) == sorted(group.commands)
    assert help_text(path).rstrip().splitlines()[-1].split()[0] in group.commands
