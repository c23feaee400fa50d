"""Updates are tracked like creations: before-values durable before the update is sent, settled
after a `kill -9`, restored by reset only where the record still holds what demo-gen wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ANCHOR
from refresh_helpers import Pack, restored, story_rows

from demo_gen.ledger.store import StateStore
from demo_gen.ledger.updates import UpdateLedger

DAY = (ANCHOR + timedelta(days=30)).isoformat()  # meetings to finish, stages to move


def _refresh_killed(pack: Pack, point: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_GEN_")}
    env["DEMO_GEN_CRASH_AT"] = point
    return subprocess.run(
        [sys.executable, "-m", "demo_gen", "refresh", "--advance-stages", "--today", DAY,
         "-c", str(pack.config)],
        env=env, capture_output=True, text=True, check=False, cwd=pack.root,
    )  # fmt: skip


def _org(pack: Pack) -> dict[str, Any]:
    """The story records and every Opportunity's stage: what reset must give back."""
    return story_rows(pack)


def _ledger(pack: Pack) -> tuple[StateStore, UpdateLedger]:
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    return state, UpdateLedger(state)


def _runs(pack: Pack) -> list[str]:
    state = StateStore(f"sqlite:///{pack.root / 'state.sqlite'}")
    try:
        return [r.run_id for r in state.list_runs()]  # newest first
    finally:
        state.close()


def _reset(pack: Pack, run_ids: list[str]) -> list[dict[str, Any]]:
    import json

    out = []
    for run_id in run_ids:
        result = pack.cli("reset", run_id, "--yes", "--json")
        assert result.exit_code == 0, result.output[-1500:]
        out.append(json.loads(result.stdout))
    return out


@pytest.fixture(scope="module")
def day_0(seeded_org_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Pack:
    """A pack after its first run on day 0, made once for the module."""
    made = Pack.make(tmp_path_factory.mktemp("updates") / "pack", seeded_org_file)
    made.ok("run", "--today", ANCHOR.isoformat())
    return made


@pytest.fixture
def pack(day_0: Pack) -> Iterator[Pack]:
    """The day-0 pack, put back as it was after the test (`restored`)."""
    with restored(day_0) as made:
        yield made


@pytest.mark.parametrize(
    "point",
    [
        "update:pending:Event",  # before-values committed, nothing sent
        pytest.param("update:sent:Event", marks=pytest.mark.long),  # sent, not marked done
        pytest.param("update:pending:Opportunity", marks=pytest.mark.long),
        "update:sent:Opportunity",  # a stage moved, not recorded as done
        "update:sent:DemoGen_Scorecard_Answer__c",  # answers brought to the day, not marked done
        pytest.param("update:pending:DemoGen_Scorecard__c", marks=pytest.mark.long),
    ],
)
def test_a_kill_during_updates_loses_no_before_value(pack: Pack, point: str) -> None:
    day0 = _org(pack)
    killed = _refresh_killed(pack, point)
    assert killed.returncode == 137, killed.stderr[-2000:]
    again = pack.ok("refresh", "--advance-stages", "--today", DAY)
    assert again["status"] == "completed"
    state, ledger = _ledger(pack)
    try:
        rows = [row for run_id in _runs(pack) for row in ledger.of_run(run_id)]
    finally:
        state.close()
    assert rows and not [r for r in rows if r.status == "pending"]
    events = [r for r in rows if r.record_type == "Event" and r.status == "done"]
    assert events and all("Agenda:" in r.before["Description"] for r in events)
    assert all("Agenda:" not in r.after["Description"] for r in events)
    stages = [r for r in rows if r.record_type == "Opportunity" and r.status == "done"]
    assert stages and all(any(r.before[k] != v for k, v in r.after.items()) for r in stages)
    cards = [r for r in rows if r.record_type.startswith("DemoGen_") and r.status == "done"]
    assert cards and all(r.before != r.after for r in cards)  # refresh_cards.py
    refreshes = _runs(pack)[:-1]  # both refreshes, the killed one included; not day 0's run
    _reset(pack, refreshes)
    assert _org(pack) == day0  # agendas, answers and stages back as day 0 left them


def test_reset_leaves_a_record_changed_since_and_says_so(pack: Pack) -> None:
    from demo_gen.commands.org_launch import open_crm
    from demo_gen.config.model import Secrets, load_config

    refresh = pack.ok("refresh", "--advance-stages", "--today", DAY)
    state, ledger = _ledger(pack)
    try:
        rows = ledger.of_run(refresh["run_id"], ("done",))
    finally:
        state.close()
    edited = next(r for r in rows if r.record_type == "Event")
    staged = next(r for r in rows if r.record_type == "Opportunity" and "StageName" in r.after)
    config = load_config(pack.config, env={})
    with open_crm(config, Secrets()) as crm:  # a user edits the notes and moves the stage on
        results = crm.update([
            {"attributes": {"type": "Event"}, "Id": edited.record_id,
             "Description": "Edited by the seller after the call."},
            {"attributes": {"type": "Opportunity"}, "Id": staged.record_id,
             "StageName": "Closed Won", "Probability": 100},
        ])  # fmt: skip
    assert all(r.success for r in results), results
    (report,) = _reset(pack, [refresh["run_id"]])
    assert report["updates"]["kept"] == 2
    assert report["updates"]["restored"] == len(rows) - 2
    after = {r["Id"]: r for r in pack.rows("Event")}
    assert after[edited.record_id]["Description"] == "Edited by the seller after the call."
    opp = next(r for r in pack.rows("Opportunity") if r["Id"] == staged.record_id)
    assert opp["StageName"] == "Closed Won"
    others = [r for r in rows if r.record_type == "Event" and r.key != edited.key]
    assert others and all(after[r.record_id]["Description"] == r.before["Description"]
                          for r in others)  # fmt: skip


def test_restored_updates_are_made_again_by_the_next_refresh(pack: Pack) -> None:
    first = pack.ok("refresh", "--advance-stages", "--today", DAY)
    done = first["counts"]["update:outcome"]["updated"] + first["counts"]["update:stage"]["updated"]
    assert done > 0
    _reset(pack, [first["run_id"]])
    again = pack.ok("refresh", "--advance-stages", "--today", DAY)
    redo = again["counts"]["update:outcome"]["updated"] + again["counts"]["update:stage"]["updated"]
    assert redo == done
