"""Reruns near free (rerun.py): a rerun of a settled run selects and plans nothing, makes at most
three API calls, and still notices what changed — a new opportunity, a new contact, another
seed or day, a change in the ledger, a re-created org."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ANCHOR

from demo_gen.cli import cli
from demo_gen.commands.org_launch import open_crm
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Config, Secrets, load_config
from demo_gen.errors import StateError
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.local_org.rules.base import sobject_named
from demo_gen.local_org.store.core import Store
from demo_gen.targets.salesforce.target import target_key


def _run(config: Config, **options: object) -> object:
    return run(config, Secrets(), RunOptions(today=ANCHOR, **options))  # type: ignore[arg-type]


def _events(run_dir: str) -> list[str]:
    lines = (Path(run_dir) / "events.jsonl").read_text().splitlines()
    return [json.loads(line)["event"] for line in lines]


@pytest.fixture
def settled(make_config):
    """A config and the report of its first, complete run."""
    config = load_config(make_config())
    first = _run(config)
    assert first.created > 0 and first.ok
    return config, first


def test_a_settled_rerun_plans_nothing_and_makes_at_most_three_calls(settled, org_counts):
    config, first = settled
    counts = org_counts()
    again = _run(config)
    assert again.created == 0
    assert again.api_calls <= 3, again.api_calls
    events = _events(again.run_dir)
    assert "rerun.settled" in events
    assert "opportunities.selected" not in events and "plan.built" not in events
    assert org_counts() == counts
    # the rerun reports what a full rerun reports: everything exists
    assert again.opportunities == first.opportunities
    for kind, c in first.counts.items():
        assert again.counts[kind]["skipped"] == c["created"] + c["skipped"], kind
    assert again.realism == first.realism
    assert again.scorecards == first.scorecards
    cards = Path(again.run_dir) / "scorecards.jsonl"
    assert cards.read_text() == (Path(first.run_dir) / "scorecards.jsonl").read_text()
    assert _selected(config, again.run_id) == _selected(config, first.run_id)


def test_a_full_rerun_reports_the_same_as_a_settled_one(settled, make_config):
    config, first = settled
    fast = _run(config)
    slow = _run(config, max_opps=config.salesforce.query.limit)  # another key: a full rerun
    assert "rerun.settled" in _events(fast.run_dir)
    assert "plan.built" in _events(slow.run_dir)
    assert slow.created == fast.created == 0
    assert slow.counts == fast.counts
    assert slow.realism == fast.realism
    assert slow.opportunities == fast.opportunities


def test_a_new_opportunity_is_noticed_and_planned(settled):
    config, first = settled
    new_id = _create(config, "Opportunity", _new_deal(config))
    again = _run(config)
    assert "rerun.settled" not in _events(again.run_dir)
    assert "plan.built" in _events(again.run_dir)
    assert new_id in _selected(config, again.run_id)  # closes first: it enters the selection
    assert new_id not in _selected(config, first.run_id)


def test_a_new_contact_is_noticed(settled):
    config, first = settled
    account = _first_opportunity(config)["AccountId"]
    _create(config, "Contact", {"LastName": "Newcomer", "AccountId": account})
    again = _run(config)
    assert "rerun.settled" not in _events(again.run_dir)
    assert again.created == 0  # the deals are pinned: a new contact changes no plan


def test_another_seed_is_a_full_run(settled):
    config, _ = settled
    reseeded = config.model_copy(update={"run": config.run.model_copy(update={"seed": 7})})
    other_seed = _run(reseeded)
    assert "rerun.settled" not in _events(other_seed.run_dir)
    assert other_seed.created > 0  # a new seed: new plans, new records


def test_another_day_is_a_full_run(settled):
    config, _ = settled
    later = run(config, Secrets(), RunOptions(today=ANCHOR + timedelta(days=1)))
    assert "rerun.settled" not in _events(later.run_dir)
    assert later.created == 0
    again = run(config, Secrets(), RunOptions(today=ANCHOR + timedelta(days=1)))
    assert "rerun.settled" in _events(again.run_dir)  # that day is settled now


def test_a_change_in_the_ledger_is_a_full_run(settled, org_counts, tmp_path):
    """A reset changes the ledger: the rerun after it is a full one, and creates it all again."""
    config, first = settled
    counts = org_counts()
    result = CliRunner().invoke(
        cli, ["reset", first.run_id, "-c", str(tmp_path / "demo.yaml"), "--yes"]
    )
    assert result.exit_code == 0, result.output
    again = _run(config)
    assert "rerun.settled" not in _events(again.run_dir)
    assert again.created == first.created
    assert org_counts() == counts


def test_a_recreated_org_is_still_refused(settled, org_db):
    """The binding check travels with the marks: a settled rerun still refuses a ledger whose
    ids now name other records."""
    config, first = settled
    row = _created_row(config, first.org_id, "meeting")
    store = Store(org_db)
    try:
        event = store.get(row.remote_id or "")
        assert event is not None
        with store.transaction() as txn:
            txn.put(sobject_named("Event"), event | {"Subject": "Someone else's meeting"})
    finally:
        store.close()
    with pytest.raises(StateError, match="re-created or refreshed"):
        _run(config)


def _created_row(config: Config, org_id: str, kind: str) -> ItemRow:
    state = StateStore(config.state.url)
    try:
        return state.created_sample(target_key(org_id), config.run.name, 1, (kind,))[0]
    finally:
        state.close()


def _selected(config: Config, run_id: str) -> list[str]:
    state = StateStore(config.state.url)
    try:
        return state.run_opportunities(run_id)
    finally:
        state.close()


def _first_opportunity(config: Config) -> dict[str, Any]:
    with open_crm(config, Secrets()) as crm:
        return crm.query("SELECT Id, AccountId, OwnerId FROM Opportunity ORDER BY Id LIMIT 1")[0]


def _new_deal(config: Config) -> dict[str, Any]:
    template = _first_opportunity(config)
    return {
        "Name": "Brand new deal",
        "StageName": "Discovery",
        "CloseDate": "2020-01-01",
        "AccountId": template["AccountId"],
        "OwnerId": template["OwnerId"],
    }


def _create(config: Config, sobject: str, fields: dict[str, Any]) -> str:
    """A record made through the API, as a user of the org would."""
    with open_crm(config, Secrets()) as crm:
        [result] = crm.create([{"attributes": {"type": sobject}, **fields}])
    assert result.success, result
    return str(result.id)


def test_a_deleted_record_is_noticed_and_not_sent_again(settled, org_counts):
    """Someone deleted one of our meetings: the Events' mark changed, so the rerun is a full
    one, which (as before) does not send it again: the ledger says it was made, and the binding
    check counts it gone. The run after that is settled again."""
    config, first = settled
    row = _created_row(config, first.org_id, "meeting")
    with open_crm(config, Secrets()) as crm:
        assert crm.delete([row.remote_id or ""])[0].success
    counts = org_counts()
    again = _run(config)
    assert "plan.built" in _events(again.run_dir)
    assert again.created == 0
    settled_again = _run(config)
    assert "rerun.settled" in _events(settled_again.run_dir)
    assert settled_again.counts == again.counts
    assert org_counts() == counts


def test_only_a_run_that_left_nothing_to_do_settles():
    from dataclasses import replace as with_

    from test_planner import golden_opportunities

    from demo_gen.commands.rerun import settles
    from demo_gen.stages.plan import OpportunityPlan, Plan

    opps, anchors = golden_opportunities()
    deal = opps[0]
    assert deal.contacts

    def plan_of(*ops: OpportunityPlan) -> Plan:
        return Plan(opportunities=ops, seed=42, pack="p", notes=(), events=(), caps=(5, 18))

    ok = {"meeting": {"created": 3, "skipped": 1, "failed": 0, "deferred": 0}}
    empty = OpportunityPlan(deal, anchors[deal.id], (), ())
    lonely = OpportunityPlan(with_(deal, contacts=()), anchors[deal.id], (), ())
    assert settles(plan_of(lonely), ok)  # no contacts: it can have no records
    assert not settles(plan_of(empty), ok)  # contacts but no records: not pinned, replanned
    assert not settles(plan_of(), {"meeting": {**ok["meeting"], "failed": 1}})
    assert not settles(plan_of(), {"meeting": {**ok["meeting"], "deferred": 1}})
