"""YAML read with its line numbers, so every validation error can name file:line and key.

Shared by the configuration and by user scorecard templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from demo_gen.errors import ConfigError

LineIndex = dict[tuple[str, ...], int]
"""Key path (`("activity", "meetings", "past_max")`, list items by index) → 1-based line."""


def parse_yaml(text: str, where: str, *, what: str) -> tuple[dict[str, Any], LineIndex]:
    """The mapping in *text* and its line index; ConfigError naming *where*:line otherwise.

    *what* completes "… must be a mapping of {what}" (an empty document is an empty mapping).
    """
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"{mark.line + 1}" if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}:{line}: YAML syntax error: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}:1: the file must be a mapping of {what}")
    lines: LineIndex = {}
    if node is not None:
        _index(node, (), lines)
    return data, lines


def _index(node: yaml.Node, prefix: tuple[str, ...], out: LineIndex) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            out[key] = key_node.start_mark.line + 1
            _index(value_node, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*prefix, str(i))
            out[key] = item.start_mark.line + 1
            _index(item, key, out)


def line_of(loc: tuple[str, ...], lines: Mapping[tuple[str, ...], int]) -> int | str:
    """The line of *loc*, or of its nearest ancestor present in the file."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1 if lines else "?"


def first_error(exc: ValidationError, unknown_key_hint: str) -> tuple[tuple[str, ...], str, str]:
    """(key path, dotted key, message) of the first validation error, with a suffix for the rest."""
    errors = exc.errors()
    first = errors[0]
    loc = tuple(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = f"unknown key (check the spelling; {unknown_key_hint})"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return loc, ".".join(loc) or "(top level)", message
