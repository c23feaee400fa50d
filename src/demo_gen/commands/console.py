"""Everything people see: rich output on stderr (stdout carries `--json` results only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:  # the pipeline's modules load only with the commands that use them
    from demo_gen.commands.doctor import Check
    from demo_gen.commands.dry_run import Preview
    from demo_gen.commands.reset import ResetReport
    from demo_gen.commands.summary import RunReport
    from demo_gen.ledger.store import RunRow

# emoji off: a YAML error at line 100 would print "demo.yaml:100:" as an emoji
err_console = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)

NO_OPPORTUNITY = (
    "no opportunity matched salesforce.query: nothing was planned (check its "
    "opportunity_type, stages_allowed, close_date_range and exclude_if_omitted_field)"
)


class RichProgress:
    """A progress bar per phase on stderr; silent when stderr is not a terminal."""

    def __init__(self, console: Console = err_console, *, enabled: bool = True) -> None:
        self._console = console
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not enabled or not console.is_terminal,
        )
        self._task: Any = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.stop()

    def phase(self, name: str, total: int) -> None:
        if self._task is not None:
            self._bar.update(self._task, visible=False)
        self._task = self._bar.add_task(name, total=max(total, 1))

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, steps)

    def note(self, message: str) -> None:
        self._console.print(f"[yellow]note:[/] {message}")


def render_run(report: RunReport, console: Console = err_console) -> None:
    table = Table(title=f"{report.command} {report.run_id}", title_justify="left")
    table.add_column("kind")
    for key in ("created", "skipped", "failed", "deferred"):
        table.add_column(key, justify="right")
    updated = {k: c["updated"] for k, c in report.counts.items() if "updated" in c}
    columns = ("created", "skipped", "failed", "deferred")
    for kind, counts in report.counts.items():
        if kind not in updated:
            table.add_row(kind, *(str(counts[k]) for k in columns))
    console.print(table)
    if updated:  # refresh: what happened since, written into records that exist
        console.print(
            f"updated {updated.get('update:outcome', 0)} records with the outcome of a passed "
            f"meeting, {updated.get('update:reply', 0)} emails answered since, "
            f"{updated.get('update:stage', 0)} opportunities' stages or close dates, "
            f"{updated.get('update:scorecard', 0)} scorecard records to the day's evidence"
        )
    usage = report.api_usage
    usage_text = f", org API usage {usage['used']}/{usage['max']}" if usage else ""
    console.print(
        f"{report.opportunities} opportunities, {report.created} records created, "
        f"{report.api_calls} API calls{usage_text}, {report.duration_s:.1f}s"
    )
    if report.opportunities == 0:
        console.print(f"[yellow]{NO_OPPORTUNITY}[/]")
    elif report.created == 0 and report.ok and not any(updated.values()):
        console.print("[green]nothing to create: every planned record already exists[/]")
    if not report.ok:
        console.print(
            f"[yellow]{report.failed} records were not created; rerun the same command to "
            f"retry them[/] (details: {report.run_dir}/errors.jsonl)"
        )
    _print_scorecards(report.scorecards, console)
    if report.llm:
        llm = report.llm
        console.print(
            f"LLM: {llm['calls']} requests, {llm['tokens_in']} tokens in, {llm['tokens_out']} out, "
            f"{llm['cache_hits']} cache hits, {llm['fallback_opportunities']} opportunities and "
            f"{llm['fallback_items']} items on heuristic text"
        )
    for kind, ids in report.record_ids.items():
        console.print(f"  {kind}: {', '.join(ids)}")
    for card in report.scorecard_details:
        console.print(
            f"  scorecard {card['template']} {card['sf_id'] or '(not in the org)'}: "
            f"score {card['score']:.0f}, {card['answers']} answers, "
            f"coverage {card['coverage']:.0%}"
        )
    console.print(f"[dim]run outputs: {report.run_dir}[/]")


def _print_scorecards(summary: Mapping[str, Any] | None, console: Console) -> None:
    if not summary or not summary.get("scorecards"):
        return
    bands = ", ".join(f"{band}: {n}" for band, n in summary["score_distribution"].items())
    console.print(
        f"{summary['scorecards']} scorecards ({', '.join(summary['templates'])}): "
        f"mean score {summary['mean_score']}, mean coverage {summary['mean_coverage']:.0%} "
        f"of the template, {summary['mean_coverage_of_expected']:.0%} of what the stage "
        f"expects; scores {bands}"
    )


def render_preview(preview: Preview, console: Console = err_console) -> None:
    """Per deal what would be added (deals with nothing to add are only counted), the totals
    per kind, and last one line: the plan, or that nothing would change."""
    for story in preview.scripted:  # the story the user scripted, before everything else
        console.print(f"[bold]scripted story[/]: {escape(story.name)} — {escape(story.summary)}")
        console.print(story.timeline, markup=False)
        for element, answer in story.scorecard:
            console.print(f"  {escape(element)}: {escape(answer)}")
        console.print()
    outline = preview.outline()
    if not preview.opportunities:
        console.print(f"[yellow]{NO_OPPORTUNITY}[/]")
    elif outline["to_add"]:
        _render_preview_deals(preview, console)
    for warning in preview.warnings:
        console.print(f"[yellow]note:[/] {warning}")
    _print_scorecards(preview.scorecards, console)
    if preview.llm:
        cost = preview.llm["cost"]
        console.print(
            f"LLM estimate: {preview.llm['requests']} requests, ~{preview.llm['tokens_in']} "
            f"tokens in, ~{preview.llm['tokens_out']} out"
            + ("" if cost is None else f", ~${cost:.2f}")
        )
    console.print("[dim]dry-run wrote nothing[/]")
    console.print(plan_line(outline))


def _render_preview_deals(preview: Preview, console: Console) -> None:
    """One line per deal and target with something to add, then the totals per target."""
    several = len(preview.targets) > 1
    for op in preview.opportunities:
        for key, counts in op.targets.items():
            if not any(counts["new"].values()):
                continue
            parts = [f"+{n} {k}" for k, n in counts["new"].items()] + [
                f"={n} {k}" for k, n in counts["existing"].items()
            ]
            where = f"  → {key}" if several else ""
            console.print(f"{op.opportunity_id}  {op.name} [{op.stage}]{where}  {'  '.join(parts)}")
    outline = preview.outline()
    quiet = outline["deals"] - outline["deals_changed"]
    if quiet:
        console.print(f"[dim]{_deals(quiet)} with nothing to add not listed[/]")
    table = Table(title="dry-run totals per target (+ would be created, = already exists)")
    table.add_column("target")
    table.add_column("kind")
    table.add_column("+", justify="right")
    table.add_column("=", justify="right")
    for key, kinds in preview.target_totals().items():
        for kind, both in kinds.items():
            table.add_row(key, kind, f"{both['new']:,}", f"{both['existing']:,}")
    console.print(table)


def plan_line(outline: Mapping[str, int]) -> str:
    """dry-run's last line, Terraform-style: `Plan: 1,204 to add, 4,205 unchanged, across 82
    deals`, or `No changes: ...` when every planned record exists."""
    deals = _deals(outline["deals"])
    if outline["deals"] and not outline["to_add"]:
        return (
            f"[bold green]No changes.[/] All {outline['unchanged']:,} planned records of "
            f"{deals} already exist: a run would create nothing."
        )
    return (
        f"[bold]Plan:[/] {outline['to_add']:,} to add, {outline['unchanged']:,} unchanged, "
        f"across {deals}."
    )


def _deals(n: int) -> str:
    return f"{n:,} deal" + ("" if n == 1 else "s")


# the ledger's record statuses, in the order a run's life meets them
_RECORD_STATUSES = ("created", "pending", "failed", "deleted", "foreign")


def render_runs(
    runs: Sequence[RunRow],
    counts: Mapping[str, Mapping[str, int]] | None = None,
    console: Console = err_console,
) -> None:
    """The runs, newest first, each with the records it owns by status (*counts*: run id ->
    status -> n; a column only for the statuses some run has)."""
    if not runs:
        console.print("no runs yet: start one with `demo-gen run -c CONFIG`")
        return
    counts = counts or {}
    seen = {status for by_status in counts.values() for status in by_status}
    statuses = [s for s in _RECORD_STATUSES if s in seen] + sorted(seen - set(_RECORD_STATUSES))
    table = Table(
        title="runs, newest first", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    # a run id starts with its UTC start time: the started column only where there is room
    wide = console.width >= 100
    table.add_column("run id", no_wrap=True)
    table.add_column("command")
    table.add_column("status")
    if wide:
        table.add_column("started (UTC)", no_wrap=True)
    for status in statuses:
        table.add_column(status, justify="right", no_wrap=True)
    for run in runs:
        started = [run.started_at.replace("T", " ")[:16]] if wide else []
        mine = counts.get(run.run_id, {})
        numbers = [f"{mine[s]:,}" if mine.get(s) else "·" for s in statuses]
        table.add_row(run.run_id, run.command, run.status, *started, *numbers)
    console.print(table)
    console.print(
        "[dim]records each run owns in the ledger (a rerun owns only what it created); "
        "`demo-gen status RUN_ID` (or `latest`) shows one run[/]"
    )


def render_status(detail: Mapping[str, Any], console: Console = err_console) -> None:
    run = detail["run"]
    console.print(f"[bold]{run['run_id']}[/] {run['command']} — {run['status']}")
    console.print(f"pack {run['pack']} on org {run['org_id']}, started {run['started_at']}")
    table = Table(title="records owned by this run, per target")
    for column in ("target", "kind", "status"):
        table.add_column(column)
    table.add_column("count", justify="right")
    for target, kinds in detail["targets"].items():
        for kind, statuses in kinds.items():
            for status, n in statuses.items():
                table.add_row(target, kind, status, str(n))
    console.print(table)
    error = detail.get("error")
    if error:
        console.print(f"[red]why it stopped:[/] {error.get('error') or error.get('event')}")
    if run["status"] == "interrupted":
        console.print(f"[dim]`demo-gen run --run-id {run['run_id']} -c CONFIG` resumes it[/]")
    for failure in detail["failures"][:20]:
        label = (
            "[yellow]kept by reset[/]" if failure.get("status") == "foreign" else "[red]failed[/]"
        )
        console.print(f"{label} {failure['kind']} {failure['error_code']}: {failure['error']}")
    summary = detail.get("summary")
    if summary:
        totals = summary.get("totals", {})
        console.print(
            "the run: " + ", ".join(f"{n} {key}" for key, n in totals.items()) + " records"
        )
    _print_scorecards(detail.get("scorecards"), console)
    reset = detail.get("reset")
    if reset:
        kept = reset.get("skipped") or {}
        console.print(
            f"reset at {reset.get('finished_at', '?')}: deleted {_listed(reset['deleted'])}"
            + (f"; kept {_listed(kept)}: no longer this run's records" if kept else "")
        )


def _listed(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {sobject}" for sobject, n in sorted(counts.items())) or "nothing"


def render_realism(realism: Mapping[str, Any], console: Console = err_console) -> None:
    table = Table(title="realism")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target")
    text = realism.get("text")
    for key, value in realism.items():
        if key == "text" and isinstance(text, Mapping):
            continue
        if isinstance(value, Mapping) and {"value", "target", "ok"} <= set(value):
            mark = "[green]ok[/]" if value["ok"] else "[red]off[/]"
            table.add_row(key, str(value["value"]), f"{value['target']} {mark}")
        else:
            table.add_row(key, str(value), "")
    console.print(table)
    if isinstance(text, Mapping):
        _render_text_measures(text, console)


def _render_text_measures(text: Mapping[str, Any], console: Console) -> None:
    """How the texts read: each measure, its value and its target, ok or off."""
    table = Table(title="how the texts read")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    for name, measure in text.items():
        mark = {True: "[green]ok[/]", False: "[red]off[/]"}.get(measure["ok"], "")
        target = f"{measure['target']} {mark}" if measure["target"] else ""
        table.add_row(name, str(measure["value"]), target)
    console.print(table)


def render_reset(report: ResetReport, console: Console = err_console) -> None:
    verb = "would delete" if report.dry_run else "deleted"
    counts = report.planned if report.dry_run else report.deleted
    listed = ", ".join(f"{n} {sobject}" for sobject, n in sorted(counts.items())) or "nothing"
    console.print(f"reset {report.run_id}: {verb} {listed}")
    if report.failed:
        console.print(f"[red]failed to delete:[/] {report.failed}; run the same reset again")
    skipped = sum(report.skipped.values())
    if skipped:
        console.print(
            f"[yellow]kept {skipped} records ({_listed(report.skipped)}) that are no longer the "
            "ones this run made[/] (reset.skipped in events.jsonl says why; they will not be "
            "tried again)"
        )
    _render_restores(report, console)


def _render_restores(report: ResetReport, console: Console) -> None:
    """The updates the run made (refresh): restored, or kept because changed since."""
    u = report.updates
    if report.dry_run and u.get("to_restore"):
        console.print(f"would restore the values before {u['to_restore']} updates")
    elif u.get("restored"):
        console.print(f"restored the values before {u['restored']} updates")
    if u.get("kept"):
        console.print(
            f"[yellow]left {u['kept']} updated records as they are: changed since demo-gen "
            "updated them[/] (reset.update_kept in events.jsonl names them)"
        )
    if u.get("failed"):
        console.print(f"[red]failed to restore:[/] {u['failed']}; run the same reset again")


def render_checks(checks: Sequence[Check], console: Console = err_console) -> None:
    for check in checks:
        mark = "[green]ok[/]  " if check.ok else "[red]FAIL[/]"
        console.print(f"{mark} {check.name}: {check.detail}")
        if check.fix:
            console.print(f"      [dim]fix:[/] {check.fix}")


def render_scorecards(cards: Sequence[Mapping[str, Any]], console: Console = err_console) -> None:
    """Each scorecard as a table: element, answer, confidence and source, evidence count."""
    if not cards:
        console.print("this run recorded no scorecards")
    for card in cards:
        table = Table(
            title=(
                f"{card['template']} · {card['opportunity_name']} [{card['stage']}] · "
                f"score {card['score']:.0f} · {card['answered']}/{card['expected']} expected "
                f"elements · {card['sf_id'] or 'not in the org'}"
            ),
            title_justify="left",
            show_lines=True,
        )
        table.add_column("element")
        table.add_column("answer", ratio=1)
        table.add_column("confidence", justify="right")
        table.add_column("evidence", justify="right")
        for answer in card["answers"]:
            table.add_row(
                answer["element"],
                answer["text"],
                f"{answer['confidence']:.2f} {answer['source']}",
                str(len(answer["evidence_keys"])),
            )
        for element in card["open"]:
            table.add_row(element, "[dim]open: not enough evidence yet[/]", "", "")
        console.print(table)
