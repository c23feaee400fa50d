"""demo-gen as a library: one function per command, the command line's twin.

Each function takes its command's options as keyword arguments of the same name (`--max-opps`
is `max_opps`, `reset --dry-run` is `dry_run`), returns the command's result instead of printing
it, and raises the errors of `demo_gen.errors` instead of exiting (their `exit_code` is the
command's). The command line calls these functions, so the two cannot drift. Options that only
choose how a result is shown (`--json`, `status --realism`, `report --open`) stay in the CLI.

`config` is a path to the YAML file (read with `.env` and `DEMO_GEN_*` overrides, as the CLI
does) or a `Config` already loaded; `secrets` defaults to the environment and `.env`. Importing
this module is cheap: the pipeline loads with the first call.

Example:
    from demo_gen import api

    report = api.run("demo.yaml", max_opps=5)          # a RunReport; report.ok, report.run_id
    api.status(report.run_id, config="demo.yaml")      # a RunStatus
    api.reset(report.run_id, config="demo.yaml", yes=True)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from demo_gen.api_org import OrgInit, ServedOrg, org_init, org_serve
from demo_gen.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from demo_gen.commands.doctor import Check
    from demo_gen.commands.dry_run import Preview
    from demo_gen.commands.live_loop import LiveReport, LiveView
    from demo_gen.commands.progress import Progress
    from demo_gen.commands.reset import ResetReport
    from demo_gen.commands.summary import RunReport
    from demo_gen.config.model import Config, Secrets
    from demo_gen.export.run import ExportReport
    from demo_gen.html_report import ReportFile
    from demo_gen.ledger.store import RunRow
    from demo_gen.stages.stories.draft import ScenarioDraft

__all__ = [
    "DEFAULT_CONFIG",
    "ConfigLike",
    "OrgInit",
    "RunListing",
    "RunStatus",
    "ServedOrg",
    "doctor",
    "dry_run",
    "export",
    "org_init",
    "live",
    "org_serve",
    "refresh",
    "report",
    "reset",
    "run",
    "smoke",
    "status",
    "story",
    "write_story",
]

DEFAULT_CONFIG = "demo.yaml"
ConfigLike: TypeAlias = "Config | str | os.PathLike[str]"
"""A configuration: its file's path, or a `Config` already loaded."""


@dataclass(frozen=True)
class RunListing:
    """`status` without a run id: the runs, newest first, and the ledger rows each owns."""

    runs: tuple[RunRow, ...]
    items: dict[str, dict[str, int]] = field(default_factory=dict)  # run id -> status -> rows

    def asdict(self) -> list[dict[str, Any]]:
        return [r.__dict__ | {"items": self.items.get(r.run_id, {})} for r in self.runs]


@dataclass(frozen=True)
class RunStatus:
    """`status RUN_ID`: the run's summary, counts per target, failures and why it stopped."""

    run_id: str
    detail: dict[str, Any]
    scorecards: tuple[dict[str, Any], ...] | None = None  # with scorecards=True

    @property
    def realism(self) -> dict[str, Any] | None:
        """The run's realism report, when it recorded one."""
        value = self.detail.get("realism")
        return value if isinstance(value, dict) else None


def run(
    config: ConfigLike = DEFAULT_CONFIG,
    *,
    run_id: str | None = None,
    max_opps: int | None = None,
    concurrency: int | None = None,
    refresh_content: bool = False,
    today: date | None = None,
    secrets: Secrets | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """`demo-gen run`: create what the plan says and the ledger lacks; `run_id` resumes one
    (`latest` too). A report with `ok` False is a partial run: rerunning resumes it. `today`
    replaces the clock's date (`--today`)."""
    from demo_gen.commands.run import RunOptions
    from demo_gen.commands.run import run as run_pipeline
    from demo_gen.config.preflight import check_org

    _at_least(1, max_opps, "max_opps")
    _within(1, 16, concurrency, "concurrency")
    loaded, secrets = _config(config), _secrets(secrets)
    check_org(loaded, secrets)
    options = RunOptions(
        run_id=None if run_id is None else _resolve(run_id, loaded, loaded.run.name),
        max_opps=max_opps,
        concurrency=concurrency,
        refresh_content=refresh_content,
        today=today,
    )
    return run_pipeline(loaded, secrets, options, _progress(progress))


def refresh(
    config: ConfigLike = DEFAULT_CONFIG,
    *,
    advance_stages: bool = False,
    today: date | None = None,
    secrets: Secrets | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """`demo-gen refresh`: the same deal stories revealed up to `today` (default the clock's):
    what the window now covers is written, passed meetings get their outcome, and with
    `advance_stages` each Opportunity's stage, close date (a slip) and close (Closed Won / Lost)
    move along its story. Updates keep their earlier values in the ledger, so `reset` restores
    them."""
    from demo_gen.commands.refresh import check_refreshable
    from demo_gen.commands.run import RunOptions
    from demo_gen.commands.run import run as run_pipeline
    from demo_gen.config.preflight import check_org

    loaded, secrets = _config(config), _secrets(secrets)
    check_refreshable(loaded)
    check_org(loaded, secrets)
    options = RunOptions(command="refresh", today=today, reveal=True, advance_stages=advance_stages)
    return run_pipeline(loaded, secrets, options, _progress(progress))


def dry_run(
    config: ConfigLike = DEFAULT_CONFIG,
    *,
    max_opps: int | None = None,
    out: str | os.PathLike[str] | None = None,
    today: date | None = None,
    secrets: Secrets | None = None,
) -> Preview:
    """`demo-gen dry-run`: what `run` would create per target (+) and what exists (=); writes
    nothing but, with `out`, the plan (every item with its text) as JSON."""
    from demo_gen.commands.dry_run import dry_run as preview_run

    _at_least(1, max_opps, "max_opps")
    preview = preview_run(_config(config), _secrets(secrets), max_opps=max_opps, today=today)
    if out is not None:
        text = json.dumps(preview.plan, indent=2, sort_keys=True) + "\n"
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write the plan to {out}: {exc.strerror or exc}") from exc
    return preview


def live(
    config: ConfigLike = DEFAULT_CONFIG,
    *,
    speed: float = 1.0,
    until: datetime | None = None,
    advance_stages: bool = False,
    today: date | None = None,
    secrets: Secrets | None = None,
    view: LiveView | None = None,
    stop: Callable[[], bool] | None = None,
) -> LiveReport:
    """`demo-gen live`: write each activity of the stories when its time arrives, `speed`
    times faster than real time, from now (or 00:00 UTC of `today`) until `until` (UTC when
    naive) or until `stop()` says so, within `run.api_budget_share` of the org's daily calls."""
    from datetime import UTC, time

    from demo_gen import clock
    from demo_gen.commands.live_loop import LiveOptions
    from demo_gen.commands.live_loop import live as live_loop
    from demo_gen.commands.refresh import check_refreshable
    from demo_gen.config.preflight import check_org

    if speed < 1:
        raise UsageError(f"speed: {speed} is below 1 (real time)")
    start = None if today is None else datetime.combine(today, time(0), tzinfo=UTC)
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if until is not None and until <= (start or clock.now()):
        raise UsageError(f"--until {until.isoformat()} is not after the clock's start")
    loaded, secrets = _config(config), _secrets(secrets)
    check_refreshable(loaded)
    check_org(loaded, secrets)
    options = LiveOptions(speed=speed, start=start, until=until, advance_stages=advance_stages)
    return live_loop(loaded, secrets, options, view or _NoView(), stop or (lambda: False))


class _NoView:
    """A live view that shows nothing (the api's default)."""

    def show(self, state: object) -> None:
        return None


def smoke(
    config: ConfigLike = DEFAULT_CONFIG,
    *,
    opp_id: str | None = None,
    secrets: Secrets | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """`demo-gen smoke`: one opportunity end to end (the first selected unless `opp_id`)."""
    from demo_gen.commands.run import smoke as smoke_run
    from demo_gen.config.preflight import check_org, opportunity_id_problem

    problem = None if opp_id is None else opportunity_id_problem(opp_id)
    if problem:
        raise UsageError(f"--opp-id: {problem}", hint="copy the id from the opportunity's URL")
    loaded, secrets = _config(config), _secrets(secrets)
    if opp_id is None:
        check_org(loaded, secrets)  # the stages choose the opportunity
    return smoke_run(loaded, secrets, opp_id, _progress(progress))


def status(
    run_id: str | None = None,
    *,
    config: ConfigLike | None = DEFAULT_CONFIG,
    scorecards: bool = False,
) -> RunListing | RunStatus:
    """`demo-gen status`: without `run_id` the runs, newest first (a `RunListing`); with one
    (or `latest`) that run's `RunStatus`, and its scorecards when `scorecards` is set."""
    from demo_gen.commands.summary import list_runs, run_status
    from demo_gen.ledger.store import StateStore

    loaded, pack = _optional(config)
    run_id = None if run_id is None else _resolve(run_id, loaded, pack)
    state = StateStore.open_readonly(loaded.state.url)
    try:
        if run_id is None:
            return RunListing(tuple(list_runs(state)), state.count_by_run())
        detail = run_status(state, run_id, loaded.run.runs_dir)
    finally:
        state.close()
    cards = _read_scorecards(loaded.run.runs_dir / run_id) if scorecards else None
    return RunStatus(run_id, detail, cards)


def reset(
    run_id: str,
    *,
    config: ConfigLike | None = DEFAULT_CONFIG,
    yes: bool = False,
    dry_run: bool = False,
    confirm: Callable[[ResetReport], bool] | None = None,
    secrets: Secrets | None = None,
    progress: Progress | None = None,
) -> ResetReport:
    """`demo-gen reset`: delete exactly what `run_id` (or `latest`) made, each record verified
    first. Deleting needs `yes` or a `confirm` that sees the plan and returns True; `dry_run`
    only lists. A report with `ok` False kept or failed some records: rerunning retries."""
    from demo_gen.commands.reset import reset as reset_run

    if not (yes or dry_run or confirm is not None):
        raise UsageError("refusing to delete without confirmation", hint="pass yes=True")
    loaded, pack = _optional(config)
    run_id = _resolve(run_id, loaded, pack, made=True)
    agreed = confirm if confirm is not None and not yes else (lambda _plan: True)
    return reset_run(
        loaded,
        _secrets(secrets),
        run_id,
        dry_run=dry_run,
        confirm=agreed,
        progress=_progress(progress),
    )


def doctor(config: ConfigLike = DEFAULT_CONFIG, *, secrets: Secrets | None = None) -> list[Check]:
    """`demo-gen doctor`: every check in order, each with `ok`, what it saw and how to fix it."""
    from demo_gen.commands.doctor import diagnose

    return diagnose(_config(config), _secrets(secrets))


def report(
    run_id: str = "latest",
    *,
    config: ConfigLike | None = DEFAULT_CONFIG,
    out: str | os.PathLike[str] | None = None,
    secrets: Secrets | None = None,
) -> ReportFile:
    """`demo-gen report`: draw the run as one offline HTML file (default runs/<id>/report.html)."""
    from demo_gen.html_report import write_report

    loaded, pack = _optional(config)
    resolved = _resolve(run_id, loaded, pack, made=True)
    return write_report(loaded, _secrets(secrets), resolved, None if out is None else Path(out))


def export(
    run_id: str | None = None,
    *,
    config: ConfigLike | None = DEFAULT_CONFIG,
    plan: bool = False,
    format: str,
    out: str | os.PathLike[str],
    max_opps: int | None = None,
    secrets: Secrets | None = None,
) -> ExportReport:
    """`demo-gen export`: the run's records (or with `plan` what a run would write now) as one
    table per kind in `out`, as `format` (jsonl, csv or parquet), with manifest.json."""
    from demo_gen.export.run import export_plan, export_run
    from demo_gen.export.write import check_format

    file_format, where, secrets = check_format(format), Path(out), _secrets(secrets)
    if plan == (run_id is not None):
        raise UsageError(
            "name a RUN_ID or pass --plan (one of the two)",
            hint="`demo-gen status` lists the runs",
        )
    _at_least(1, max_opps, "max_opps")
    if plan:
        if config is None:
            raise UsageError("--plan needs the configuration", hint="pass -c CONFIG")
        loaded = _config(config)
        return export_plan(loaded, secrets, where, file_format, max_opps=max_opps)
    assert run_id is not None
    if max_opps is not None:
        raise UsageError("--max-opps goes with --plan; a run's export holds all its records")
    loaded, pack = _optional(config)
    resolved = _resolve(run_id, loaded, pack, made=True)
    return export_run(loaded, secrets, resolved, where, file_format)


def story(
    sentence: str,
    *,
    config: ConfigLike = DEFAULT_CONFIG,
    write: bool = False,
    secrets: Secrets | None = None,
) -> ScenarioDraft:
    """`demo-gen story`: the scripted story SENTENCE describes, asked of the configured LLM
    (a skeleton to fill in without one); `write` adds it to the configuration file."""
    from demo_gen.stages.stories.draft import draft_scenario

    loaded, secrets = _config(config), _secrets(secrets)
    draft = draft_scenario(sentence, loaded, secrets, _opportunities(loaded, secrets))
    if write:
        write_story(draft, config=config)
    return draft


def write_story(draft: ScenarioDraft, *, config: ConfigLike = DEFAULT_CONFIG) -> Path:
    """Add `draft` (from `story`) to the configuration file's `stories:`; its path."""
    from demo_gen.stages.stories.draft import write_entry

    path = _source_path(config)
    if not draft.writable:
        raise UsageError(
            f"nothing written to {path}: the scenario needs a deal and the LLM's answer",
            hint="edit the YAML above into the file's stories: section by hand",
        )
    write_entry(path, draft.entry)
    return path


# --- the parts every command shares -------------------------------------------------------------


def _config(config: ConfigLike) -> Config:
    """The configuration `config` names (read from its file), or `config` itself."""
    if isinstance(config, str | os.PathLike):
        from demo_gen.config.model import load_config, load_environment

        return load_config(Path(config), env=load_environment())
    return config


def _optional(config: ConfigLike | None) -> tuple[Config, str | None]:
    """The configuration and its pack; defaults and no pack when there is no file (status and
    reset need little). A missing file other than the default one is a usage error."""
    from demo_gen.config.model import Config

    if config is None:
        return Config(), None
    if isinstance(config, str | os.PathLike):
        path = Path(config)
        if not path.is_file() and path == Path(DEFAULT_CONFIG):
            return Config(), None
    loaded = _config(config)
    return loaded, loaded.run.name


def _source_path(config: ConfigLike) -> Path:
    if isinstance(config, str | os.PathLike):
        return Path(config)
    if config.source_path is None:
        raise UsageError("writing a story needs the configuration's file, not a Config object")
    return config.source_path


def _secrets(secrets: Secrets | None) -> Secrets:
    from demo_gen.config.model import Secrets, load_environment

    return Secrets.from_env(load_environment()) if secrets is None else secrets


def _progress(progress: Progress | None) -> Progress:
    from demo_gen.commands.progress import NULL_PROGRESS

    return NULL_PROGRESS if progress is None else progress


def _resolve(ref: str, config: Config, pack: str | None, *, made: bool = False) -> str:
    """The run id `ref` names (`latest`: the newest run of `pack`, of any pack when None; with
    `made`, the newest one that owns records)."""
    from demo_gen.commands.runref import resolve_at

    return resolve_at(config.state.url, ref, pack=pack, made=made)


def _read_scorecards(run_dir: Path) -> tuple[dict[str, Any], ...]:
    from demo_gen.errors import StateError

    path = run_dir / "scorecards.jsonl"
    if not path.is_file():
        raise UsageError(f"no scorecards recorded at {path}", hint="pass the run's -c CONFIG")
    try:
        text = path.read_text(encoding="utf-8")
        return tuple(json.loads(line) for line in text.splitlines() if line)
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, or a line that is not JSON
        raise StateError(f"cannot read the scorecards at {path}: {exc}") from exc


def _opportunities(config: Config, secrets: Secrets) -> tuple[Any, ...]:
    """The selected opportunities a story's deal is matched among (only with the LLM on)."""
    if not config.llm.enabled:
        return ()
    from demo_gen.commands.org_launch import open_crm
    from demo_gen.targets.salesforce.selection import select_opportunities

    with open_crm(config, secrets) as crm:
        return tuple(select_opportunities(crm, config.salesforce.query).snapshot.opportunities)


def _at_least(low: int, value: int | None, name: str) -> None:
    if value is not None and value < low:
        raise UsageError(f"{name} must be at least {low}, not {value}")


def _within(low: int, high: int, value: int | None, name: str) -> None:
    _at_least(low, value, name)
    if value is not None and value > high:
        raise UsageError(f"{name} must be at most {high}, not {value}")
