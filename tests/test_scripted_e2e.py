"""The example's three scripted deals written to the local org (the `make demo` org) and read back:
Events, EmailMessages, Tasks and scorecard answers tell exactly those stories."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from click.testing import CliRunner
from test_scripted_stories import ANCHOR, LATE, QUIET, STALL, example_stories, seeded  # noqa: F401

from demo_gen.cli import cli
from demo_gen.local_org.store.core import Store


def _config(tmp_path: Path, db: Path) -> Path:
    data = {
        "run": {"name": "se-demo-pack", "seed": 42, "anchor_date": str(ANCHOR),
                "runs_dir": str(tmp_path / "runs")},
        "salesforce": {"local": {"db": str(db)}, "query": {
            "opportunity_type": "New Business", "stages_allowed": ["Proposal", "Negotiation"],
            "limit": 100}},
        "state": {"url": f"sqlite:///{tmp_path / 'state.sqlite'}"},
        "stories": example_stories(),
    }  # fmt: skip
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _at(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace("+0000", "+00:00"))


def test_the_org_read_back_tells_the_three_scripted_stories(seeded, tmp_path):  # noqa: F811
    db = tmp_path / "org.sqlite"
    shutil.copy(seeded[0], db)
    config = _config(tmp_path, db)
    result = CliRunner().invoke(cli, ["run", "-c", str(config), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["opportunities"] > 3
    again = CliRunner().invoke(cli, ["run", "-c", str(config), "--json"])
    assert again.exit_code == 0, again.stderr
    counts = json.loads(again.stdout)["counts"]
    assert sum(c.get("created", 0) for c in counts.values()) == 0, counts
    store = Store(db)
    try:
        opp = {o["Name"]: o["Id"] for o in store.rows("Opportunity")}
        contacts = {c["Id"]: c["Name"] for c in store.rows("Contact")}
        mine = {r["remote_id"] for r in _created(tmp_path)}
        events = [e for e in store.rows("Event") if e["Id"] in mine]
        mails = [m for m in store.rows("EmailMessage") if m["Id"] in mine]
        relations = store.rows("EventRelation")
        cards = {c["Id"]: c["Opportunity__c"] for c in store.rows("DemoGen_Scorecard__c")}
        answers = {
            (cards[a["Scorecard__c"]], a["Element__c"]): a
            for a in store.rows("DemoGen_Scorecard_Answer__c")
        }
    finally:
        store.close()

    # stall after pricing: the proposal Event is the last customer meeting; later mail is ours
    stall = [e for e in events if e["WhatId"] == opp[STALL]]
    proposal = max(
        (e for e in stall if "without a date for the next" in (e["Description"] or "")
         or "No next step was agreed" in (e["Description"] or "")
         or "did not commit to a next" in (e["Description"] or "")),
        key=lambda e: e["StartDateTime"],
    )  # fmt: skip
    day = _at(proposal["StartDateTime"]).date()
    assert "pric" in proposal["Description"].lower()
    later = [e for e in stall if _at(e["StartDateTime"]).date() > day and e["WhoId"]]
    assert later == []
    after = [m for m in mails if m["RelatedToId"] == opp[STALL]]
    after = [m for m in after if _at(m["MessageDate"]).date() > day]
    assert after and not any(m["Incoming"] for m in after)

    # a late competitor: never said before the Negotiation meeting that brings it in
    late = sorted(
        [*(e for e in events if e["WhatId"] == opp[LATE])],
        key=lambda e: e["StartDateTime"],
    )
    enters = next(e for e in late if "ThoughtSpot" in (e["Description"] or ""))
    texts_before = [
        m["TextBody"] or ""
        for m in mails
        if m["RelatedToId"] == opp[LATE] and _at(m["MessageDate"]) < _at(enters["StartDateTime"])
    ] + [e["Description"] or "" for e in late if e["StartDateTime"] < enters["StartDateTime"]]
    assert not any("ThoughtSpot" in t for t in texts_before)
    competition = answers[(opp[LATE], "competition")]
    assert "ThoughtSpot entered late, in Negotiation" in competition["Answer__c"]
    assert enters["Id"] in competition["Evidence_Ids__c"].split(",")

    # a quiet champion: the answer names the last Event they attended; nothing of theirs after
    champion = answers[(opp[QUIET], "champion")]
    assert "has gone quiet" in champion["Answer__c"]
    (cited,) = champion["Evidence_Ids__c"].split(",")
    last = next(e for e in events if e["Id"] == cited)
    name = next(n for n in contacts.values() if champion["Answer__c"].startswith(n))
    who = next(i for i, n in contacts.items() if n == name)
    quiet = _at(last["StartDateTime"]) + timedelta(days=1)
    attended = {r["EventId"] for r in relations if r["RelationId"] == who}
    assert cited in attended
    for e in events:
        if e["WhatId"] == opp[QUIET] and _at(e["StartDateTime"]) > quiet:
            assert e["Id"] not in attended and e["WhoId"] != who
    for m in mails:
        if m["RelatedToId"] == opp[QUIET] and _at(m["MessageDate"]) > quiet and m["Incoming"]:
            assert name not in (m["FromName"] or ""), m["Subject"]


def _created(tmp_path: Path) -> list[dict]:
    out = []
    for run in (tmp_path / "runs").iterdir():
        lines = (run / "events.jsonl").read_text(encoding="utf-8").splitlines()
        out += [e for e in map(json.loads, lines) if e["event"] == "item.created"]
    return out
