"""Scorecards end to end: stored in the org, evidence-linked, idempotent, removed by reset."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from demo_gen.cli import cli
from demo_gen.local_org.store.core import Store


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(config: Path) -> dict:
    code, out, err = invoke("run", "-c", str(config), "--json")
    assert code == 0, err
    return json.loads(out)


def test_scorecards_are_evidence_linked_idempotent_and_reset(make_config, org_db):
    config = make_config(scorecards={"templates": ["MEDDICC", "BANT"]})
    report = run_json(config)
    created = report["counts"]["scorecard"]["created"]
    assert created == 2 * report["opportunities"]
    assert report["counts"]["answer"]["created"] > created
    assert report["scorecards"]["scorecards"] == created

    store = Store(org_db)
    cards = {c["Id"]: c for c in store.rows("DemoGen_Scorecard__c")}
    answers = store.rows("DemoGen_Scorecard_Answer__c")
    account_of = {o["Id"]: o["AccountId"] for o in store.rows("Opportunity")}
    people_of: dict[str, set[str]] = {}
    for contact in store.rows("Contact"):
        people_of.setdefault(contact["AccountId"], set()).add(contact["Name"])
    activity_ids = {r["Id"] for name in ("Event", "EmailMessage") for r in store.rows(name)}
    store.close()
    run_dir = Path(report["run_dir"])
    created_here = {
        e["remote_id"]: e["opportunity_id"]
        for e in map(json.loads, (run_dir / "events.jsonl").read_text().splitlines())
        if e["event"] == "item.created"
    }
    assert len(cards) == created
    for answer in answers:
        opp = cards[answer["Scorecard__c"]]["Opportunity__c"]
        evidence = [i for i in (answer["Evidence_Ids__c"] or "").split(",") if i]
        assert evidence, answer["Element__c"]
        for record_id in evidence:
            assert created_here.get(record_id) == opp  # made in this run, on this opportunity
            assert record_id in activity_ids
        if answer["Element__c"] in ("economic_buyer", "champion", "authority"):
            people = people_of[account_of[opp]]
            assert any(name in answer["Answer__c"] for name in people), answer["Answer__c"]

    lines = (run_dir / "scorecards.jsonl").read_text().splitlines()
    assert len(lines) == created
    assert {json.loads(line)["sf_id"] for line in lines} == set(cards)

    again = run_json(config)
    assert again["counts"]["scorecard"]["created"] == 0
    assert again["counts"]["answer"]["created"] == 0

    code, _, err = invoke("reset", report["run_id"], "-c", str(config), "--yes")
    assert code == 0, err
    store = Store(org_db)
    assert store.count("DemoGen_Scorecard__c") == 0
    assert store.count("DemoGen_Scorecard_Answer__c") == 0
    store.close()


def test_smoke_prints_the_scorecard_id_and_score(make_config):
    code, out, err = invoke("smoke", "-c", str(make_config()))
    assert code == 0, err
    assert "scorecard MEDDICC a01" in err
    assert "score " in err


def test_status_shows_coverage_and_score_distribution(make_config):
    config = make_config()
    report = run_json(config)
    code, _, err = invoke("status", report["run_id"], "-c", str(config))
    assert code == 0
    assert "mean coverage" in err and "scores 80-100" in err


def test_user_template_errors_name_the_file_and_line(make_config, tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("name: MINE\ntitle: Mine\nelements:\n  - id: pain\n    nonsense: 1\n")
    config = make_config(scorecards={"templates": [str(bad)]})
    code, _, err = invoke("run", "-c", str(config))
    assert code == 3
    assert "mine.yaml:" in err and "Traceback" not in err
