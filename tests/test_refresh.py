"""refresh: the same deal story, revealed day by day (issue 14 items 1, 3, 5).

The session's refresh series (tests/refresh_refresh_series.py) runs once: a first run on day 0, a
refresh every day to day 10, then on days 14, 21 and 30 (a weekly refresh), all with
`--advance-stages` and `--today`. Each day's org is read back as a VP would read it; then a
fresh org refreshed once on day 30 for the same window must hold the same records, and resetting
every run of the series, newest first, must give back each day's org in turn, and at the end the
org exactly as it was, stage values included.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ANCHOR
from refresh_helpers import Pack, card_rows, story_rows, written
from refresh_series import DAYS, Series, opportunity_fields, scratch

from demo_gen.ledger.store import StateStore


def test_every_active_deal_has_a_meeting_ahead_every_day(refresh_series: Series) -> None:
    for day in refresh_series.figures:
        assert day.active_covered == day.active, day
        assert day.active > 0, day


def test_no_past_meeting_keeps_its_agenda_and_nothing_is_duplicated(refresh_series: Series) -> None:
    for day in refresh_series.figures:
        assert day.past_with_agenda == 0, day
        assert day.duplicates == 0, day


def test_the_days_reveal_new_activity_and_outcomes(refresh_series: Series) -> None:
    refreshes = refresh_series.reports[1:]
    created = sum(r["counts"]["email"]["created"] for r in refreshes)
    outcomes = sum(r["counts"]["update:outcome"]["updated"] for r in refreshes)
    stages = sum(r["counts"]["update:stage"]["updated"] for r in refreshes)
    assert created > 0 and outcomes > 0 and stages > 0, (created, outcomes, stages)
    assert all(r["status"] == "completed" for r in refresh_series.reports)


def test_a_same_day_rerun_writes_nothing(refresh_series: Series) -> None:
    assert written(refresh_series.rerun) == 0, refresh_series.rerun["counts"]


def test_realism_figures_that_hold_on_day_0_hold_every_day(refresh_series: Series) -> None:
    def failing(report: dict[str, Any]) -> set[str]:
        return {
            k for k, v in report["realism"].items() if isinstance(v, dict) and v.get("ok") is False
        }

    first = failing(refresh_series.reports[0])
    for report in refresh_series.reports[1:]:
        assert failing(report) <= first, (report["run_id"], failing(report) - first)


def test_day_30_equals_a_first_refresh_for_the_same_window(
    refresh_series: Series, seeded_org_file: Path, tmp_path: Path
) -> None:
    fresh = Pack.make(tmp_path / "fresh", seeded_org_file)
    org_id = fresh.rows("Organization")[0]["Id"]
    state = StateStore(f"sqlite:///{fresh.root / 'state.sqlite'}")
    # the same window
    state.set_anchors("test-pack", org_id, dict.fromkeys(refresh_series.deals, ANCHOR))
    state.close()
    day = (ANCHOR + timedelta(days=DAYS[-1])).isoformat()
    fresh.ok("refresh", "--advance-stages", "--today", day)
    assert story_rows(fresh) == story_rows(refresh_series.pack)


def test_resetting_every_run_newest_first_walks_back_through_the_days(
    refresh_series: Series,
) -> None:
    """Each reset gives back exactly the org of the report before it (the stories, stages and
    scorecards, each card and answer the same record with the same values), and the last one
    the org as it was before the first run."""
    series = refresh_series
    newest_first = list(reversed(range(len(series.reports))))
    with scratch(series) as pack:
        for newer, older in zip(newest_first, newest_first[1:], strict=False):
            result = pack.cli("reset", series.reports[newer]["run_id"], "--yes", "--json")
            assert result.exit_code == 0, result.output[-1500:]
            got, want = _stories_and_cards(pack), _stories_and_cards(series.org_after(older))
            assert got == want, (newer, series.days[newer])
        result = pack.cli("reset", series.reports[0]["run_id"], "--yes", "--json")
        assert result.exit_code == 0, result.output[-1500:]
        assert story_rows(pack) == series.before
        assert opportunity_fields(pack) == series.opportunities_before


def _stories_and_cards(pack: Pack) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stories and stages, and every scorecard and answer with its own record id."""
    with pack.reading():
        return story_rows(pack), card_rows(pack, ids=True)


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
