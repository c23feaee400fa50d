"""Fuzzed configurations through the real CLI: never a traceback, never exit 1, nothing created.

Each example mutates demo.example.yaml (wrong types, out-of-range numbers, impossible dates and
times, unknown and duplicated keys and sections, random bytes, UTF-16, huge counts, odd URLs and
paths) and runs `demo-gen dry-run` on it against a local org. An invalid configuration must be
exit 2/3/4/5 with one line; one that is exit 3 must also make `demo-gen run` exit 3 without
creating a run row, a runs/ directory or a state store. DEMO_GEN_FUZZ_EXAMPLES raises the
budget for a longer, randomized search (CI runs the same 100 every time, in ~15 s).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from demo_gen.cli import cli

EXAMPLE = (Path(__file__).parents[1] / "demo.example.yaml").read_text(encoding="utf-8")
EXAMPLES = int(os.environ.get("DEMO_GEN_FUZZ_EXAMPLES", "100"))
VALUE_LINE = re.compile(r"^(\s*)([a-z_]+):\s*(\S.*?)?\s*(#.*)?$")

WEIRD_VALUES = [
    '{start: "09:00", end: 17:00}',
    '{start: 9:00, end: "17:00"}',
    "{min: 5, max: 1000000000}",
    "{start: 2026-13-45, end: 2027-01-01}",
    "{past_min: 3, past_max: 8, future_min: 1, future_max: 3, duration_minutes: [0]}",
    "17:00",
    '"17:00"',
    '"25:00"',
    "9:30",
    "2026-13-45",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "-1",
    "0",
    "1",
    "201",
    "1000000000",
    "9" * 40,
    "1e308",
    ".nan",
    "-.inf",
    "true",
    "null",
    "~",
    "[]",
    "{}",
    "[1, 2",
    "{a: 1}",
    '""',
    "'x'",
    "not a url",
    "http://127.0.0.1:0",
    "http://127.0.0.1:99999",
    "https://",
    "https://exa mple.com",
    "ftp://example.com",
    "sqlite:////nonexistent/dir/state.sqlite",
    "sqlite:///",
    "postgresql://u@127.0.0.1:1/x",
    "nosuchdb://x",
    "notes.txt",
    "notes.txt/sub",
    "/",
    "..",
    "runs/../..",
    "&a x",
    "*a",
    "!!binary aGk=",
    "!!python/object:os.system x",
    "'%s'" % ("x" * 300),
    "Nonexistent Stage",
    "[Nonexistent Stage]",
    "[MEDDICC, MEDDICC]",
    "[FOO]",
    "[missing.yaml]",
    "[notes.txt]",
    "salesforce",
    "tag",
    "llm",
    "openai_compatible",
    "azure_openai",
    '"07:00+02:00"',
    "2026-10-01 10:00:00",
    "0x1F",
    "0o17",
]


@dataclass(frozen=True)
class Mutant:
    content: bytes
    must_fail: bool  # a duplicated or unknown key went in: whatever else, this is exit 3

    def __repr__(self) -> str:  # hypothesis prints the failing example as text
        text = self.content.decode("utf-8", "replace")
        return f"Mutant(must_fail={self.must_fail}, content={text!r})"


@st.composite
def mutated_config(draw: st.DrawFn) -> Mutant:
    """demo.example.yaml with 1–3 mutations, or (rarely) bytes that are not YAML at all."""
    kind = draw(st.sampled_from(["lines"] * 8 + ["bytes", "utf16"]))
    if kind == "bytes":
        return Mutant(draw(st.binary(max_size=300)), must_fail=False)
    lines, must_fail = EXAMPLE.splitlines(), False
    for _ in range(draw(st.integers(1, 3))):
        lines, must_fail = draw(_mutation(lines))
        if must_fail:
            break  # a later change could remove the duplicated or unknown key again
    text = "\n".join(lines) + "\n"
    if kind == "utf16":
        return Mutant(text.encode("utf-16"), must_fail=True)
    return Mutant(text.encode("utf-8"), must_fail)


@st.composite
def _mutation(draw: st.DrawFn, lines: list[str]) -> tuple[list[str], bool]:
    """One change to the lines, and whether it alone makes the configuration invalid."""
    what = draw(st.sampled_from(["value", "value", "number", "text", "unknown", "dup", "drop"]))
    keyed = [n for n, line in enumerate(lines) if VALUE_LINE.match(line)]
    i = draw(st.sampled_from(keyed)) if keyed else 0
    found = VALUE_LINE.match(lines[i]) if lines else None
    out = list(lines)
    if found is None:
        return out, False
    head = f"{found.group(1)}{found.group(2)}"
    if what == "value":
        out[i] = f"{head}: {draw(st.sampled_from(WEIRD_VALUES))}"
    elif what == "number":  # often still valid: exercises dry-run on the edges of the ranges
        out[i] = f"{head}: {draw(st.integers(-2, 1000) | st.floats(-1, 3, allow_nan=False))}"
    elif what == "text":
        text = draw(st.text(max_size=12).filter(lambda t: "\n" not in t and "\r" not in t))
        out[i] = f"{head}: {text}"
    elif what == "unknown":
        out.insert(i + 1, f"{found.group(1)}{draw(st.sampled_from(['typo_key', 'seeds', 'x']))}: 1")
        return out, True
    elif what == "dup":
        out.insert(i + 1, lines[i])  # a duplicated key, or a duplicated section
        return out, True
    elif what == "drop":
        del out[i]
    return out, False


def _issue_case(old: str, new: str) -> Mutant:
    assert EXAMPLE.count(old) == 1, old
    return Mutant(EXAMPLE.replace(old, new).encode("utf-8"), must_fail=True)


ISSUE_CASES = [  # issue 9's list, always tried besides the drawn examples
    _issue_case('end: "17:00"}', "end: 17:00}"),
    _issue_case("anchor_date: null", "anchor_date: 2026-13-45"),
    _issue_case("emails: {min: 5, max: 20}", "emails: {min: 5, max: 1000000000}"),
    _issue_case("url: sqlite:///runs/state.sqlite", "url: not a url"),
    _issue_case("url: sqlite:///runs/state.sqlite", "url: sqlite:////nonexistent/dir/s.sqlite"),
    _issue_case("  seed: 42", "  seed: 42\n  seed: 43"),
    _issue_case("\nactivity:\n", "\nactivity:\n  past_days: 30\nactivity:\n"),
    _issue_case("templates: [MEDDICC]", "templates: [NOPE]"),
    _issue_case("templates: [MEDDICC]", "templates: [missing.yaml]"),
    _issue_case("api_budget_share: 0.5", "api_budget_share: 0"),
    _issue_case("runs_dir: runs ", "runs_dir: notes.txt "),
    _issue_case("runs_dir: runs ", "runs_dir: notes.txt/runs "),
    _issue_case("stages_allowed: [", "stages_allowed: [Nonexistent Stage, "),
    Mutant(EXAMPLE.encode("utf-16"), must_fail=True),
    Mutant(bytes(range(256)), must_fail=True),
]


TALLY: Counter[int] = Counter()


def _with_examples(mutants: list[Mutant]) -> Any:
    def decorate(test: Any) -> Any:
        for mutant in reversed(mutants):
            test = example(mutant=mutant)(test)
        return test

    return decorate


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="DEMO_GEN_FUZZ_EXAMPLES" not in os.environ,  # CI: the same 100 every time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutant=mutated_config())
@_with_examples(ISSUE_CASES)
def test_fuzzed_configurations(mutant, org_db, tmp_path):
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    with contextlib.chdir(work):
        (work / "notes.txt").write_text("a text file, not a database or a directory\n")
        config = work / "demo.yaml"
        config.write_bytes(mutant.content.replace(b"runs/local-org.sqlite", str(org_db).encode()))
        before = sorted(p.name for p in work.iterdir())
        result = CliRunner().invoke(cli, ["dry-run", "-c", str(config), "--max-opps", "1"])
        TALLY[int(result.exit_code)] += 1
        _assert_clean(result)
        if mutant.must_fail:
            assert result.exit_code == 3, (result.exit_code, result.stderr)
        if result.exit_code == 3:
            again = CliRunner().invoke(cli, ["run", "-c", str(config)])
            assert again.exit_code == 3, (again.exit_code, again.stderr)
            assert sorted(p.name for p in work.iterdir()) == before  # no runs/, no state store


def _assert_clean(result) -> None:
    output = result.stderr + result.stdout
    assert result.exit_code in (0, 2, 3, 4, 5), (result.exit_code, output, result.exception)
    assert "Traceback" not in output
    assert isinstance(result.exception, SystemExit | None), result.exception
    if result.exit_code != 0:  # demo-gen's "error:" line, or click's own "Error:" for usage
        errors = [line for line in result.stderr.splitlines() if line.lower().startswith("error:")]
        assert len(errors) == 1, result.stderr
    if result.exit_code == 3:
        assert re.search(r"(\.yaml:\d+:|\(environment\))", result.stderr), result.stderr


def test_fuzz_tally_is_reported():
    """Runs after the fuzz (file order): shows the exit-code histogram with `pytest -s`."""
    if TALLY:
        codes = dict(sorted(TALLY.items()))
        print(f"\nfuzzed {sum(TALLY.values())} configurations; exit codes {codes}")
