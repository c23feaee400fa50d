"""One seeded series of daily refreshes for the session, shared by the refresh and scorecard
tests (tests/test_refresh.py, tests/test_refresh_scorecards.py): they used to build the same
series each, with the same pack config and `--advance-stages`.

A first run on day 0, a refresh every day to day 10, then on days 14, 21 and 30, all with
`--advance-stages` and `--today`, and a second refresh on day 5 (it must write nothing). After
each command the org is copied aside, so a test can read the org of any day; the pack itself is
the org of day 30. A test that changes the pack does so inside `scratch`, which puts it back
byte for byte afterwards: every test reads the series as built, in any order.
"""

from __future__ import annotations

import shutil
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from refresh_helpers import DayFigures, Pack, day_figures, restored, story_rows

DAYS = (*range(1, 11), 14, 21, 30)
RERUN_DAY = 5


@dataclass
class Series:
    pack: Pack
    before: dict[str, Any]  # story_rows of the org before the first run
    opportunities_before: list[dict[str, Any]]
    reports: list[dict[str, Any]]  # day 0's run, then each refresh (the rerun included)
    days: list[date]  # the day of each report
    orgs: list[Path]  # a copy of the org after each report
    figures: list[DayFigures]  # day 0, then each day of DAYS
    rerun: dict[str, Any]  # the second refresh on RERUN_DAY
    deals: set[str]

    def org_after(self, index: int) -> Pack:
        """The pack as it read after report `index` (read only: its ledger is today's)."""
        return replace(self.pack, org=self.orgs[index])


def opportunity_fields(pack: Pack) -> list[dict[str, Any]]:
    stamps = {"LastModifiedDate", "SystemModstamp", "LastModifiedById"}
    return sorted(
        ({k: v for k, v in r.items() if k not in stamps} for r in pack.rows("Opportunity")),
        key=lambda r: r["Id"],
    )


@pytest.fixture(scope="session")
def refresh_series(seeded_org_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Series:
    from conftest import ANCHOR  # (conftest imports this module for the fixture)

    from demo_gen.ledger.store import StateStore

    root = tmp_path_factory.mktemp("refresh-series")
    pack = Pack.make(root / "pack", seeded_org_file)
    (root / "orgs").mkdir()
    series = Series(pack, story_rows(pack), opportunity_fields(pack), [], [], [], [], {}, set())

    def record(day: date, report: dict[str, Any]) -> None:
        copy = root / "orgs" / f"{len(series.reports):02d}-{day}.sqlite"
        shutil.copy(pack.org, copy)
        series.reports.append(report)
        series.days.append(day)
        series.orgs.append(copy)

    record(ANCHOR, pack.ok("run", "--today", ANCHOR.isoformat()))
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    series.deals = set(state.run_opportunities(series.reports[0]["run_id"]))
    state.close()
    series.figures.append(day_figures(pack, ANCHOR, series.deals))
    for n in DAYS:
        day = ANCHOR + timedelta(days=n)
        record(day, pack.ok("refresh", "--advance-stages", "--today", day.isoformat()))
        if n == RERUN_DAY:
            series.rerun = pack.ok("refresh", "--advance-stages", "--today", day.isoformat())
            record(day, series.rerun)
        series.figures.append(day_figures(pack, day, series.deals))
    return series


def scratch(series: Series) -> AbstractContextManager[Pack]:
    """The series' pack, for a test that changes it; put back as built afterwards."""
    return restored(series.pack)
