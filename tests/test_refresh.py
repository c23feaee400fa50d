"""refresh: the same deal story, revealed day by day (issue 14 items 1, 3, 5).

One simulated series runs once for the module: a first run on day 0, a refresh every day to day
10, then on days 14, 21 and 30 (a weekly refresh), all with `--advance-stages` and `--today`.
Each day's org is read back as a VP would read it; then a fresh org refreshed once on day 30
for the same window must hold the same records, and resetting every run of the series, newest
first, must give back the org exactly as it was, stage values included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ANCHOR
from refresh_helpers import DayFigures, Pack, day_figures, story_rows, written

from demo_gen.ledger.store import StateStore

DAYS = (*range(1, 11), 14, 21, 30)


@dataclass
class Series:
    pack: Pack
    before: dict[str, Any]  # the org before the first run
    opportunities_before: list[dict[str, Any]]
    figures: list[DayFigures]
    reports: list[dict[str, Any]]
    rerun: dict[str, Any]  # a second refresh on day 5
    deals: set[str]


def _opportunity_fields(pack: Pack) -> list[dict[str, Any]]:
    stamps = {"LastModifiedDate", "SystemModstamp", "LastModifiedById"}
    return sorted(
        ({k: v for k, v in r.items() if k not in stamps} for r in pack.rows("Opportunity")),
        key=lambda r: r["Id"],
    )


@pytest.fixture(scope="module")
def series(seeded_org_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Series:
    pack = Pack.make(tmp_path_factory.mktemp("series"), seeded_org_file)
    before = story_rows(pack)
    opportunities = _opportunity_fields(pack)
    first = pack.ok("run", "--today", ANCHOR.isoformat())
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    deals = set(state.run_opportunities(first["run_id"]))
    state.close()
    figures = [day_figures(pack, ANCHOR, deals)]
    reports, rerun = [first], {}
    for n in DAYS:
        day = (ANCHOR + timedelta(days=n)).isoformat()
        reports.append(pack.ok("refresh", "--advance-stages", "--today", day))
        if n == 5:
            rerun = pack.ok("refresh", "--advance-stages", "--today", day)
            reports.append(rerun)
        figures.append(day_figures(pack, ANCHOR + timedelta(days=n), deals))
    return Series(pack, before, opportunities, figures, reports, rerun, deals)


def test_every_active_deal_has_a_meeting_ahead_every_day(series: Series) -> None:
    for day in series.figures:
        assert day.active_covered == day.active, day
        assert day.active > 0, day


def test_no_past_meeting_keeps_its_agenda_and_nothing_is_duplicated(series: Series) -> None:
    for day in series.figures:
        assert day.past_with_agenda == 0, day
        assert day.duplicates == 0, day


def test_the_days_reveal_new_activity_and_outcomes(series: Series) -> None:
    refreshes = series.reports[1:]
    created = sum(r["counts"]["email"]["created"] for r in refreshes)
    outcomes = sum(r["counts"]["update:outcome"]["updated"] for r in refreshes)
    stages = sum(r["counts"]["update:stage"]["updated"] for r in refreshes)
    assert created > 0 and outcomes > 0 and stages > 0, (created, outcomes, stages)
    assert all(r["status"] == "completed" for r in series.reports)


def test_a_same_day_rerun_writes_nothing(series: Series) -> None:
    assert written(series.rerun) == 0, series.rerun["counts"]


def test_realism_figures_that_hold_on_day_0_hold_every_day(series: Series) -> None:
    def failing(report: dict[str, Any]) -> set[str]:
        return {
            k for k, v in report["realism"].items() if isinstance(v, dict) and v.get("ok") is False
        }

    first = failing(series.reports[0])
    for report in series.reports[1:]:
        assert failing(report) <= first, (report["run_id"], failing(report) - first)


def test_day_30_equals_a_first_refresh_for_the_same_window(
    series: Series, seeded_org_file: Path, tmp_path: Path
) -> None:
    fresh = Pack.make(tmp_path / "fresh", seeded_org_file)
    org_id = fresh.rows("Organization")[0]["Id"]
    state = StateStore(f"sqlite:///{fresh.root / 'state.sqlite'}")
    state.set_anchors("test-pack", org_id, dict.fromkeys(series.deals, ANCHOR))  # the same window
    state.close()
    day = (ANCHOR + timedelta(days=DAYS[-1])).isoformat()
    fresh.ok("refresh", "--advance-stages", "--today", day)
    assert story_rows(fresh) == story_rows(series.pack)


def test_resetting_every_run_newest_first_gives_the_org_back(series: Series) -> None:
    # runs last in this module: it takes the series' records away
    for report in reversed(series.reports):
        result = series.pack.cli("reset", report["run_id"], "--yes", "--json")
        assert result.exit_code == 0, result.output[-1500:]
    assert story_rows(series.pack) == series.before
    assert _opportunity_fields(series.pack) == series.opportunities_before


def test_a_pinned_anchor_date_refreshes_nothing_and_says_why(make_config) -> None:
    from click.testing import CliRunner

    from demo_gen.cli import cli

    config = make_config(run={"anchor_date": "2026-11-02"})
    result = CliRunner().invoke(cli, ["refresh", "-c", str(config)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "run.anchor_date" in lines[0], result.stderr


@pytest.mark.parametrize("command", ["run", "dry-run", "refresh"])
@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_bad_today_is_one_line_and_exit_2(make_config, command: str, how: str) -> None:
    from click.testing import CliRunner

    from demo_gen.cli import cli

    config = make_config()
    args = [command, "-c", str(config)]
    env = {}
    if how == "option":
        args += ["--today", "2026-02-30"]
    else:
        env["DEMO_GEN_TODAY"] = "next tuesday"
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    said = result.stderr.strip().splitlines()
    assert said[0].startswith("error: ") and "YYYY-MM-DD" in said[0], said
    assert ("--today" if how == "option" else "DEMO_GEN_TODAY") in said[0]


def test_today_from_the_environment_sets_the_first_anchor(make_config) -> None:
    from click.testing import CliRunner

    from demo_gen.cli import cli

    config = make_config()
    result = CliRunner().invoke(
        cli, ["dry-run", "-c", str(config), "--json"], env={"DEMO_GEN_TODAY": "2026-11-09"}
    )
    assert result.exit_code == 0, result.output
    shifted = CliRunner().invoke(cli, ["dry-run", "-c", str(config), "--json", "--today",
                                       "2026-11-02"])  # fmt: skip
    assert shifted.exit_code == 0
    assert result.stdout != shifted.stdout  # another day, another window


def test_refresh_before_any_run_is_a_first_run(make_config) -> None:
    """A fresh pack refreshed on day 0 writes what `run` would, and a rerun writes nothing."""
    from click.testing import CliRunner

    from demo_gen.cli import cli

    config = make_config()
    runner = CliRunner()
    today = ["--today", ANCHOR.isoformat(), "--json"]
    first = runner.invoke(cli, ["refresh", "-c", str(config), *today])
    assert first.exit_code == 0, first.output
    again = runner.invoke(cli, ["run", "-c", str(config), *today])
    assert again.exit_code == 0, again.output
    import json

    assert written(json.loads(again.stdout)) == 0
