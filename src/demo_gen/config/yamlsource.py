"""YAML read with its line numbers, so every validation error can name file:line and key.

Shared by the configuration and by user scorecard templates. Stricter than `yaml.safe_load`:
- the file must be UTF-8 text (a binary or UTF-16 file is refused, naming the first bad line);
- a key given twice in one mapping (a duplicated section too) is an error naming both lines,
  where safe_load would silently keep the last;
- a value that looks like a date or an integer but is not one (`2026-13-45`, a 5,000-digit
  number) stays text, so validation names its key instead of the loader crashing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from demo_gen.errors import ConfigError, UsageError

LineIndex = dict[tuple[str, ...], int]
"""Key path (`("activity", "meetings", "past_max")`, list items by index) → 1-based line."""


class _Loader(yaml.SafeLoader):
    """safe_load's types; a timestamp or integer Python cannot hold is kept as its text."""


def _lenient(tag: str) -> None:
    strict = yaml.SafeLoader.yaml_constructors[tag]

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return strict(loader, node)
        except (ValueError, OverflowError):  # 2026-13-45, or more digits than int() accepts
            return loader.construct_scalar(node)  # type: ignore[arg-type]

    _Loader.add_constructor(tag, construct)


_lenient("tag:yaml.org,2002:timestamp")
_lenient("tag:yaml.org,2002:int")


def read_text(path: Path) -> str:
    """The text of a UTF-8 file (a UTF-8 BOM is allowed); ConfigError naming path:line if not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not a UTF-8 text file (binary, or UTF-16?): not YAML")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: not a UTF-8 text file (byte {raw[exc.start]:#04x} at offset "
            f"{exc.start}): save it as UTF-8"
        ) from None


def parse_yaml(text: str, where: str, *, what: str) -> tuple[dict[str, Any], LineIndex]:
    """The mapping in *text* and its line index; ConfigError naming *where*:line otherwise.

    *what* completes "… must be a mapping of {what}" (an empty document is an empty mapping).
    """
    loader = None
    try:
        loader = _Loader(text)  # refuses control characters right away
        node = loader.get_single_node()
        lines: LineIndex = {}
        if node is not None:
            _index(node, (), lines, where, set())
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        line = _line(exc, text)
        raise ConfigError(f"{where}:{line}: YAML syntax error: {_problem(exc)}") from None
    except RecursionError:
        raise ConfigError(f"{where}:1: the YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}:1: the file must be a mapping of {what}")
    return data, lines


def parse_value(text: str, where: str) -> Any:
    """One value written in YAML (an environment override); ConfigError naming *where*."""
    loader = None
    try:
        loader = _Loader(text)
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: YAML syntax error: {_problem(exc)}") from None
    except RecursionError:
        raise ConfigError(f"{where}: the YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _line(exc: yaml.YAMLError, text: str) -> int | str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    position = getattr(exc, "position", None)  # a ReaderError: a control character
    if isinstance(position, int):
        return text[:position].count("\n") + 1
    return "?"


def _problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character
        shown = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        return f"unacceptable character {shown} (not a text file?)"
    return str(getattr(exc, "problem", None) or str(exc).splitlines()[0])


def _index(
    node: yaml.Node, prefix: tuple[str, ...], out: LineIndex, where: str, seen_nodes: set[int]
) -> None:
    if id(node) in seen_nodes:  # an alias: indexed where its anchor is (and no alias bomb)
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            line = key_node.start_mark.line + 1
            key = (*prefix, name)
            if name in seen and name != "<<":  # "<<" is YAML's merge key, repeatable
                what = "section" if not prefix else "key"
                raise ConfigError(
                    f"{where}:{line}: {'.'.join(key)}: duplicate {what} (first given on line "
                    f"{seen[name]}); give each {what} once"
                )
            seen[name] = line
            out[key] = line
            _index(value_node, key, out, where, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*prefix, str(i))
            out[key] = item.start_mark.line + 1
            _index(item, key, out, where, seen_nodes)


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
