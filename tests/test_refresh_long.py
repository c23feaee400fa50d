"""refresh over many days on the org itself (issue 14's first Done-when; `long` marker).

A first run on day 0, then `refresh --advance-stages` every day for `DEMO_GEN_LONG_DAYS` days
(90 by default) over the fixture pack. Each day: every active deal (neither stalling nor
slipping, from its pinned course) has a customer meeting in the next 14 days, no past meeting
still shows its agenda, nothing is duplicated, and every realism figure that held on day 0
holds; the last day's org equals a first refresh made that day for the same window.
`bench/bench_refresh.py` runs the same on the default org and prints the figures.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ANCHOR
from refresh_helpers import Pack, day_figures, story_rows

from demo_gen.ledger.store import StateStore

pytestmark = pytest.mark.long


def _failing(report: dict[str, Any]) -> set[str]:
    return {k for k, v in report["realism"].items() if isinstance(v, dict) and v.get("ok") is False}


def test_daily_refreshes_keep_every_active_deal_busy_and_the_org_a_first_run(
    seeded_org_file: Path, tmp_path: Path
) -> None:
    days = int(os.environ.get("DEMO_GEN_LONG_DAYS", "90"))
    pack = Pack.make(tmp_path / "series", seeded_org_file, limit=12)
    first = pack.ok("run", "--today", ANCHOR.isoformat())
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    deals = set(state.run_opportunities(first["run_id"]))
    state.close()
    held = _failing(first)
    for n in range(days + 1):
        day = ANCHOR + timedelta(days=n)
        report = first if n == 0 else pack.ok("refresh", "--advance-stages", "--today",
                                              day.isoformat())  # fmt: skip
        figures = day_figures(pack, day, deals)
        assert figures.active_covered == figures.active, figures
        assert figures.past_with_agenda == 0 and figures.duplicates == 0, figures
        assert _failing(report) <= held, (day, _failing(report) - held)
    fresh = Pack.make(tmp_path / "fresh", seeded_org_file, limit=12)
    state = StateStore(f"sqlite:///{fresh.root / 'state.sqlite'}")
    org_id = fresh.rows("Organization")[0]["Id"]
    state.set_anchors("test-pack", org_id, dict.fromkeys(deals, ANCHOR))  # the same window
    state.close()
    fresh.ok("refresh", "--advance-stages", "--today", (ANCHOR + timedelta(days=days)).isoformat())
    assert story_rows(fresh) == story_rows(pack)
