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
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo_gen.cli import cli

EXAMPLE = (Path(__file__).parents[1] / "demo.example.yaml").read_text(encoding="utf-8")
EXAMPLES = int(os.environ.get("DEMO_GEN_FUZZ_EXAMPLES", "100"))
VALUE_LINE = re.compile(r"^(\s*)([a-z_]+):\s*(\S.*?)?\s*(#.*)?$")

WEIRD_VALUES = [
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


@st.composite
def mutated_config(draw: st.DrawFn) -> bytes:
    """demo.example.yaml with 1–3 mutations, or (rarely) bytes that are not YAML at all."""
    kind = draw(st.sampled_from(["lines"] * 8 + ["bytes", "utf16"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    lines = EXAMPLE.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        lines = draw(_mutation(lines))
    text = "\n".join(lines) + "\n"
    return text.encode("utf-16") if kind == "utf16" else text.encode("utf-8")


@st.composite
def _mutation(draw: st.DrawFn, lines: list[str]) -> list[str]:
    what = draw(st.sampled_from(["value", "value", "value", "text", "unknown", "dup", "drop"]))
    valued = [n for n, line in enumerate(lines) if VALUE_LINE.match(line)]
    if what in ("value", "text") and valued:
        i = draw(st.sampled_from(valued))
    else:
        i = draw(st.integers(0, len(lines) - 1))
    out = list(lines)
    found = VALUE_LINE.match(lines[i])
    if what in ("value", "text") and found:
        if what == "value":
            value = draw(st.sampled_from(WEIRD_VALUES))
        else:
            value = draw(st.text(max_size=12).filter(lambda t: "\n" not in t and "\r" not in t))
        out[i] = f"{found.group(1)}{found.group(2)}: {value}"
    elif what == "unknown":
        indent = re.match(r"\s*", lines[i]).group(0) if lines[i].strip() else ""
        out.insert(i + 1, f"{indent}{draw(st.sampled_from(['typo_key', 'seeds', 'x']))}: 1")
    elif what == "dup":
        out.insert(i + 1, lines[i])  # a duplicated key, or a duplicated section header
    elif what == "drop":
        del out[i]
    return out


TALLY: Counter[int] = Counter()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="DEMO_GEN_FUZZ_EXAMPLES" not in os.environ,  # CI: the same 100 every time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=mutated_config())
def test_fuzzed_configurations(content, org_db, tmp_path):
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    with contextlib.chdir(work):
        (work / "notes.txt").write_text("a text file, not a database or a directory\n")
        config = work / "demo.yaml"
        config.write_bytes(content.replace(b"runs/local-org.sqlite", str(org_db).encode()))
        before = sorted(p.name for p in work.iterdir())
        result = CliRunner().invoke(cli, ["dry-run", "-c", str(config), "--max-opps", "1"])
        TALLY[int(result.exit_code)] += 1
        _assert_clean(result)
        if result.exit_code == 3:
            again = CliRunner().invoke(cli, ["run", "-c", str(config)])
            assert again.exit_code == 3, (again.exit_code, again.stderr)
            assert sorted(p.name for p in work.iterdir()) == before  # no runs/, no state store


def _assert_clean(result) -> None:
    output = result.stderr + result.stdout
    assert result.exit_code in (0, 2, 3, 4, 5), (result.exit_code, output, result.exception)
    assert "Traceback" not in output
    assert isinstance(result.exception, SystemExit | None), result.exception
    if result.exit_code in (3, 4, 5):
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.stderr
    if result.exit_code == 3:
        assert re.search(r"(\.yaml:\d+:|\(environment\))", result.stderr), result.stderr


def test_fuzz_tally_is_reported():
    """Runs after the fuzz (file order): shows the exit-code histogram with `pytest -s`."""
    if TALLY:
        codes = dict(sorted(TALLY.items()))
        print(f"\nfuzzed {sum(TALLY.values())} configurations; exit codes {codes}")
