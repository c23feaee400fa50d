"""Bad configurations: exit 3 naming file:line and key, before any run row or runs/<id>/ exists.

Every case here was found by fuzzing configurations (issue 9): each used to be an exit 1, a
hang, an exit 4 without a line, or a run that was created and then refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from demo_gen.cli import cli
from demo_gen.config.model import Config, load_config
from demo_gen.config.preflight import opportunity_id_problem
from demo_gen.errors import ConfigError
from demo_gen.ledger.store import StateStore


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def assert_config_error(result, *needles: str) -> None:
    assert result.exit_code == 3, (result.exit_code, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], result.stderr


def edit(path: Path, old: str, new: str) -> Path:
    """Replace the one occurrence of *old* in the YAML text (so line numbers are known)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


@pytest.fixture
def example(tmp_path, org_db) -> Path:
    """demo.example.yaml, pointed at this test's org, runs dir and state store."""
    source = Path(__file__).parents[1] / "demo.example.yaml"
    text = source.read_text(encoding="utf-8")
    text = text.replace("db: runs/local-org.sqlite", f"db: {org_db}")
    text = text.replace("runs_dir: runs ", f"runs_dir: {tmp_path / 'runs'} ")
    text = text.replace("sqlite:///runs/state.sqlite", f"sqlite:///{tmp_path / 'state.sqlite'}")
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_nothing_created(tmp_path: Path) -> None:
    assert not (tmp_path / "runs").exists()
    assert not (tmp_path / "state.sqlite").exists()


def test_the_example_is_valid(example):
    config = load_config(example)
    assert config.activity.business_hours.end.hour == 17


CASES = [
    # (what, old text, new text, key, words in the message)
    ("unquoted time", 'end: "17:00"}', "end: 17:00}", "activity.business_hours.end", "1020"),
    ("number as time", 'start: "08:00"', "start: 8", "activity.seller_hours.start", "quotes"),
    ("time with zone", 'start: "08:00"', 'start: "08:00+02:00"', "seller_hours.start", "17:00"),
    ("impossible date", "anchor_date: null", "anchor_date: 2026-13-45", "run.anchor_date", "month"),
    ("number as date", "anchor_date: null", "anchor_date: 20261001", "run.anchor_date", "YYYY"),
    ("far anchor", "anchor_date: null", "anchor_date: 9999-12-31", "run.anchor_date", "2099"),
    (
        "bad close date",
        "close_date_range: null",
        "close_date_range: {start: 2026-02-30, end: 2026-03-31}",
        "close_date_range.start",
        "day",
    ),
    (
        "huge emails",
        "emails: {min: 5, max: 20}",
        "emails: {min: 5, max: 1000000000}",
        "emails.max",
        "200",
    ),
    ("bool count", "past_days: 400", "past_days: true", "activity.past_days", "integer"),
    ("huge integer", "seed: 42", "seed: " + "9" * 5000, "run.seed", "integer"),
    (
        "zero budget",
        "api_budget_share: 0.5",
        "api_budget_share: 0",
        "run.api_budget_share",
        "at least 0.01",
    ),
    (
        "tiny budget",
        "api_budget_share: 0.5",
        "api_budget_share: 0.000001",
        "run.api_budget_share",
        "deferred",
    ),
    ("nan share", "in_person_share: 0.15", "in_person_share: .nan", "in_person_share", "finite"),
    ("state url", "url: sqlite:///", "url: not a url # sqlite:///", "state.url", "SQLAlchemy URL"),
    ("unknown db", "url: sqlite:///", "url: nosuchdb:///x # ", "state.url", "unknown database"),
    (
        "local url",
        "url: null                     # http",
        "url: http://127.0.0.1:99999 #",
        "local.url",
        "127.0.0.1",
    ),
    (
        "field name",
        "run_tag_field: DemoGen_Run_Id__c",
        'run_tag_field: "x = 1 OR Id"',
        "run.run_tag_field",
        "pattern",
    ),
    (
        "template",
        "templates: [MEDDICC]",
        "templates: [MEDDICC, FOO]",
        "scorecards.templates.1",
        "unknown scorecard template",
    ),
    (
        "missing template",
        "templates: [MEDDICC]",
        "templates: [nope.yaml]",
        "scorecards.templates.0",
        "not found",
    ),
    (
        "too many stages",
        "stages_allowed: [",
        "stages_allowed: [" + "S, " * 101,
        "stages_allowed",
        "at most 100",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_value_is_exit_3_at_its_line_and_nothing_is_created(
    example, tmp_path, old, new, key, words
):
    edit(example, old, new)
    line = line_of(example, new.splitlines()[0][:30])
    result = invoke("run", "-c", str(example))
    assert_config_error(result, f"demo.yaml:{line}:", key, words)
    assert_nothing_created(tmp_path)


def test_a_duplicate_key_names_both_lines(example, tmp_path):
    edit(example, "  seed: 42", "  seed: 43\n  seed: 42")
    first = line_of(example, "seed: 43")
    result = invoke("run", "-c", str(example))
    assert_config_error(result, f"demo.yaml:{first + 1}:", "run.seed", f"line {first}")
    assert_nothing_created(tmp_path)


def test_a_duplicate_section_names_both_lines(example, tmp_path):
    example.write_text(example.read_text() + "run:\n  seed: 7\n", encoding="utf-8")
    first = line_of(example, "run:")
    last = len(example.read_text().splitlines()) - 1
    result = invoke("run", "-c", str(example))
    assert_config_error(result, f"demo.yaml:{last}:", "run: duplicate section", f"line {first}")
    assert_nothing_created(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        "run:\n  seed: 1\n".encode("utf-16"),
        "run:\n  seed: 1\n".encode("utf-16-le"),  # no BOM: NULs, valid UTF-8 bytes
        bytes(range(256)),
        b"run:\n  name: caf\xe9\n",  # Latin-1
        b"run:\n  name: a\x07b\n",  # a control character
    ],
    ids=["utf16", "utf16-no-bom", "binary", "latin1", "control"],
)
def test_a_file_that_is_not_utf8_yaml(tmp_path, content):
    path = tmp_path / "demo.yaml"
    path.write_bytes(content)
    result = invoke("run", "-c", str(path))
    assert_config_error(result, "demo.yaml:")
    expected = "unacceptable character" if content.endswith(b"a\x07b\n") else "not a UTF-8"
    assert expected in result.stderr
    assert_nothing_created(tmp_path)


def test_runs_dir_naming_a_file(example, tmp_path):
    (tmp_path / "afile").write_text("keep me\n")
    edit(example, f"runs_dir: {tmp_path / 'runs'} ", f"runs_dir: {tmp_path / 'afile'} ")
    result = invoke("run", "-c", str(example))
    assert_config_error(result, f"demo.yaml:{line_of(example, 'runs_dir')}:", "run.runs_dir")
    assert "not a directory" in result.stderr
    assert (tmp_path / "afile").read_text() == "keep me\n"
    assert not (tmp_path / "state.sqlite").exists()


def test_runs_dir_that_cannot_be_created(example, tmp_path):
    (tmp_path / "afile").write_text("keep me\n")
    edit(example, f"runs_dir: {tmp_path / 'runs'} ", f"runs_dir: {tmp_path / 'afile' / 'runs'} ")
    result = invoke("run", "-c", str(example))
    assert_config_error(result, "run.runs_dir", "cannot be created")
    assert not (tmp_path / "state.sqlite").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_runs_dir_in_a_read_only_directory(example, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    edit(example, f"runs_dir: {tmp_path / 'runs'} ", f"runs_dir: {locked / 'runs'} ")
    assert_config_error(invoke("run", "-c", str(example)), "run.runs_dir", "not writable")


def test_state_store_far_from_anything_is_refused_not_created(example, tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")  # so the store is under neither the project nor runs_dir
    far = tmp_path / "nonexistent" / "dir" / "state.sqlite"
    edit(example, f"sqlite:///{tmp_path / 'state.sqlite'}", f"sqlite:///{far}")
    result = invoke("run", "-c", str(example))
    assert_config_error(result, f"demo.yaml:{line_of(example, 'sqlite:')}:", "state.url")
    assert not (tmp_path / "nonexistent").exists()
    assert not (tmp_path / "runs").exists()


def test_state_store_directories_it_may_create(tmp_path, monkeypatch):
    """One missing level, or anything under the working directory or runs_dir, is created."""
    from demo_gen.config.preflight import _state_file_problem

    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    runs = tmp_path / "elsewhere" / "runs"
    assert _state_file_problem(tmp_path / "new" / "state.sqlite", runs) is None
    assert _state_file_problem(work / "a" / "b" / "c" / "state.sqlite", runs) is None
    assert _state_file_problem(runs / "x" / "y" / "state.sqlite", runs) is None
    assert _state_file_problem(tmp_path / "a" / "b" / "state.sqlite", runs) is not None
    (tmp_path / "dir.sqlite").mkdir()
    assert "is a directory" in (_state_file_problem(tmp_path / "dir.sqlite", runs) or "")


def test_a_bad_config_loses_nothing_already_written(make_config, tmp_path):
    """A valid run, then an invalid config: the run row and files stay exactly as they were."""
    good = make_config()
    assert invoke("run", "-c", str(good)).exit_code == 0
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    before_runs = _runs(url)
    before_files = _files(tmp_path / "runs")
    bad = edit(good, "seed: 42", "seed: 42\n  api_budget_share: 0")
    assert_config_error(invoke("run", "-c", str(bad)), "run.api_budget_share")
    assert _runs(url) == before_runs
    assert _files(tmp_path / "runs") == before_files


def _runs(url: str) -> list[tuple[str, str]]:
    with StateStore.open_readonly(url) as state:
        return [(r.run_id, r.status) for r in state.list_runs()]


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_environment_overrides_are_read_as_strictly(make_config, monkeypatch):
    monkeypatch.setenv("DEMO_GEN_RUN__ANCHOR_DATE", "2026-13-45")
    result = invoke("dry-run", "-c", str(make_config()))
    assert_config_error(result, "DEMO_GEN_RUN__ANCHOR_DATE (environment)", "run.anchor_date")
    monkeypatch.setenv("DEMO_GEN_RUN__ANCHOR_DATE", "[2026")
    assert_config_error(invoke("dry-run", "-c", str(make_config())), "YAML syntax error")


def test_two_variables_for_one_key(make_config, monkeypatch):
    monkeypatch.setenv("DEMO_GEN_RUN__SEED", "1")
    monkeypatch.setenv("DEMO_GEN_RUN__SEED__X", "2")
    assert_config_error(invoke("dry-run", "-c", str(make_config())), "DEMO_GEN_RUN__SEED__X")


def test_the_documented_bounds_hold(example):
    """Every bound the example's comments state is the one the model enforces."""
    text = example.read_text(encoding="utf-8")
    for words in ("at most 200", "1 … 1100", "0 … 365", "0 … 50", "0 … 20", "15 … 480", "0.01 … 1"):
        assert words in text, words
    config = load_config(example)
    assert config.run.api_budget_share >= 0.01


def test_stages_the_org_lacks_are_named_with_the_valid_ones(example, tmp_path):
    edit(example, "stages_allowed: [", "stages_allowed: [Nonexistent Stage, ")
    result = invoke("dry-run", "-c", str(example))
    line = line_of(example, "Nonexistent Stage")
    assert_config_error(result, f"demo.yaml:{line}:", "stages_allowed.0", "'Nonexistent Stage'")
    assert "Closed Won" in result.stderr  # the valid stages are listed
    assert "every planned record already exists" not in result.stderr


def test_stage_names_are_compared_as_soql_does(example):
    edit(example, "stages_allowed: [Qualification,", "stages_allowed: [qualification,")
    assert invoke("dry-run", "-c", str(example), "--max-opps", "1").exit_code == 0


def test_a_config_built_in_code_names_the_key(org_db):
    config = Config.model_validate({"salesforce": {"local": {"db": str(org_db)}}})
    error = config.error(("run", "runs_dir"), "broken")
    assert isinstance(error, ConfigError)
    assert str(error) == "run.runs_dir: broken"
    assert error.key == ("run", "runs_dir")


def test_no_opportunity_selected_says_so(make_config, tmp_path):
    config = make_config(salesforce={"query": {"opportunity_type": "No Such Type"}})
    result = invoke("run", "-c", str(config))
    assert result.exit_code == 0, result.stderr
    assert "no opportunity matched salesforce.query" in result.stderr
    assert "every planned record already exists" not in result.stderr
    preview = invoke("dry-run", "-c", str(config))
    assert "no opportunity matched salesforce.query" in preview.stderr


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("006RM0000000006YAA", True),
        ("006RM0000000006", True),
        ("006RM0000000006YAB", False),  # checksum
        ("001RM0000000006YAA", False),  # an Account
        ("hello", False),
        ("006RM000000000-6Y", False),
    ],
)
def test_opportunity_id_format(text, ok):
    assert (opportunity_id_problem(text) is None) is ok


def test_example_yaml_round_trips_through_the_loader(example):
    """The strict loader reads the example as PyYAML's safe_load does."""
    strict = load_config(example).model_dump(mode="json")
    loose = Config.model_validate(yaml.safe_load(example.read_text())).model_dump(mode="json")
    assert json.dumps(strict, sort_keys=True) == json.dumps(loose, sort_keys=True)


def test_local_org_db_that_is_not_a_database(example, tmp_path):
    (tmp_path / "notes.txt").write_text("not a database\n")
    edit(example, f"db: {tmp_path / 'org.sqlite'}", f"db: {tmp_path / 'notes.txt'}")
    result = invoke("dry-run", "-c", str(example))
    assert_config_error(result, "salesforce.local.db", "not a SQLite database")
    assert (tmp_path / "notes.txt").read_text() == "not a database\n"


def test_stages_the_org_lacks_create_no_run(example, tmp_path):
    edit(example, "stages_allowed: [", "stages_allowed: [Nonexistent Stage, ")
    result = invoke("run", "-c", str(example))
    line = line_of(example, "Nonexistent Stage")
    assert_config_error(result, f"demo.yaml:{line}:", "stages_allowed.0", "Closed Won")
    assert_nothing_created(tmp_path)
    smoke = invoke("smoke", "-c", str(example))
    assert_config_error(smoke, f"demo.yaml:{line}:", "stages_allowed.0")
    assert_nothing_created(tmp_path)
