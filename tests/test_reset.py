"""reset verifies every record before deleting it: the identity snapshot, and in tag mode the tag.

Each test changes a record in the org the way someone else could (through simple-salesforce, on
the served local org) and checks that reset keeps it, says so, and does not try it again.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from safety_helpers import OBJECTS, connect, invoke, org_ids, run_json

from demo_gen.ledger.runlog import read_events
from demo_gen.ledger.store import StateStore


def _served(make_config, served_org, **run):
    return make_config(salesforce={"local": {"url": served_org.url}}, run=run)


def _ledger(config_path: Path, run_id: str):
    from demo_gen.config.model import load_config

    config = load_config(config_path)
    with StateStore(config.state.url) as state:
        return state.run_items(run_id)


def _reset_json(config: Path, run_id: str) -> tuple[int, dict]:
    code, out, err = invoke("reset", run_id, "-c", str(config), "--yes", "--json")
    assert out.strip(), err
    return code, json.loads(out)


def test_every_record_is_read_back_with_its_identity(make_config, served_org, org_db):
    config = _served(make_config, served_org)
    before = org_ids(org_db)
    code, report = run_json(config)
    assert code == 0
    rows = _ledger(config, report["run_id"])
    created = [r for r in rows if r.status == "created"]
    assert created and all(r.identity for r in created)
    snapshot = json.loads(next(r for r in created if r.kind == "meeting").identity)
    assert set(snapshot) == {"WhatId", "Subject", "StartDateTime", "CreatedById", "CreatedDate"}
    assert all(snapshot.values())
    events = read_events(Path(report["run_dir"]))
    assert not [e for e in events if e["event"] == "readback.failed"]
    # events.jsonl lists every record the run made, the org's email Tasks included
    made = Counter(e["sobject"] for e in events if e["event"] == "item.created")
    after = org_ids(org_db)
    assert made == Counter({n: len(after[n] - before[n]) for n in OBJECTS if after[n] - before[n]})
    tasks = [e for e in events if e["event"] == "item.created" and e["kind"] == "email_task"]
    assert tasks and all(e["source"] == "org" for e in tasks)
    assert len(tasks) == report["counts"]["email"]["created"]


def test_reset_keeps_a_record_that_is_no_longer_the_one_it_made(make_config, served_org, org_db):
    config = _served(make_config, served_org)
    _, report = run_json(config)
    run_id = report["run_id"]
    meetings = [r for r in _ledger(config, run_id) if r.kind == "meeting"]
    changed = meetings[0].remote_id
    sf = connect(served_org.url)
    sf.Event.update(changed, {"Subject": "Board meeting (someone else's now)"})

    code, done = _reset_json(config, run_id)
    assert code == 0, done
    assert done["skipped"] == {"Event": 1} and done["skipped_total"] == 1
    assert changed in org_ids(org_db)["Event"]  # kept
    assert done["deleted"]["Event"] == len(meetings) - 1
    skipped = [e for e in read_events(Path(report["run_dir"])) if e["event"] == "reset.skipped"]
    assert [e["remote_id"] for e in skipped] == [changed]
    assert "Subject" in skipped[0]["reason"]
    row = next(r for r in _ledger(config, run_id) if r.remote_id == changed)
    assert row.status == "foreign" and row.error_code == "FOREIGN_RECORD"
    # a later reset neither deletes it nor tries it again
    code, again = _reset_json(config, run_id)
    assert code == 0 and again["skipped"] == {} and again["deleted"] == {}
    assert changed in org_ids(org_db)["Event"]


def test_reset_keeps_a_record_created_again_under_a_reused_id(make_config, served_org, org_db):
    """Same fields, but another creation: the CreatedDate in the snapshot tells them apart."""
    config = _served(make_config, served_org)
    _, report = run_json(config)
    rows = _ledger(config, report["run_id"])
    answer = next(r for r in rows if r.kind == "answer")
    snap = json.loads(answer.identity)
    from demo_gen.config.model import load_config

    with StateStore(load_config(config).state.url) as state:
        changed = {**snap, "CreatedDate": "2020-01-01T00:00:00.000+0000"}
        state.mark_created(
            answer.target, {answer.signature: answer.remote_id}, {answer.signature: changed}
        )
    code, done = _reset_json(config, report["run_id"])
    assert code == 0
    # its scorecard is kept too: deleting it would take the answer along (master-detail)
    assert done["skipped"] == {"DemoGen_Scorecard_Answer__c": 1, "DemoGen_Scorecard__c": 1}
    assert answer.remote_id in org_ids(org_db)["DemoGen_Scorecard_Answer__c"]
    assert answer.parent_signature in {
        r.signature for r in _ledger(config, report["run_id"]) if r.status == "foreign"
    }


def test_tag_mode_reset_checks_the_run_tag_before_deleting(make_config, served_org, org_db):
    """The tag is the only thing changed: only the tag check can keep this record."""
    config = _served(make_config, served_org, idempotency_mode="tag")
    _, report = run_json(config)
    run_id = report["run_id"]
    emails = [r for r in _ledger(config, run_id) if r.kind == "email"]
    other = emails[0].remote_id
    connect(served_org.url).EmailMessage.update(other, {"DemoGen_Run_Id__c": "another-run"})
    code, done = _reset_json(config, run_id)
    assert code == 0
    # its Task is kept with it: the org deletes an email and its Task together
    assert done["skipped"] == {"EmailMessage": 1, "Task": 1} and done["skipped_untagged"] == 1
    assert other in org_ids(org_db)["EmailMessage"]
    assert done["deleted"]["EmailMessage"] == len(emails) - 1


def test_tag_mode_writes_are_upserts_on_the_signature(make_config, served_org, org_db, tmp_path):
    """A second ledger knows nothing, so it sends everything again: the org's external id on
    the signature turns every send into an update of the record already there. (Links carry no
    tag: those the org refuses as duplicates, so that run is partial.)"""
    config = _served(make_config, served_org, idempotency_mode="tag")
    code, first = run_json(config)
    assert code == 0
    after_first = org_ids(org_db)
    fresh = make_config(
        "fresh.yaml",
        salesforce={"local": {"url": served_org.url}},
        run={"idempotency_mode": "tag"},
        state={"url": f"sqlite:///{tmp_path / 'fresh.sqlite'}"},
    )
    code, second = run_json(fresh)
    assert second["counts"]["meeting"]["created"] == first["counts"]["meeting"]["created"]
    after = org_ids(org_db)
    for name in ("Event", "EmailMessage", "DemoGen_Scorecard__c"):
        assert after[name] == after_first[name], name  # upserted, not created again


def test_reset_deletes_the_org_made_email_tasks_and_counts_them(make_config, served_org, org_db):
    config = _served(make_config, served_org)
    before = org_ids(org_db)
    _, report = run_json(config)
    code, done = _reset_json(config, report["run_id"])
    assert code == 0
    assert org_ids(org_db) == before
    tasks = report["counts"]["email_task"]["created"] + report["counts"]["call"]["created"]
    assert done["deleted"]["Task"] == tasks  # the org's email Tasks and our logged calls
    status = json.loads(invoke("status", report["run_id"], "-c", str(config), "--json")[1])
    assert status["run"]["status"] == "reset"
    assert status["summary"]["totals"] == report["totals"]  # the run's summary is kept
    assert status["reset"]["deleted"] == done["deleted"]


def test_an_event_reset_could_not_delete_keeps_its_relations_and_goes_next_time(
    make_config, org_db, monkeypatch
):
    """With Shared Activities an Event's What is an EventRelation the org made. If the Event
    itself cannot be deleted, reset must leave that row alone (deleting it clears the Event's
    WhatId, and the next reset would then keep the Event as no longer ours, forever)."""
    from demo_gen.local_org.settings import OrgSettings
    from demo_gen.local_org.store.core import Store
    from demo_gen.targets.salesforce.client import SalesforceCrm, WriteResult

    store = Store(org_db)
    OrgSettings(shared_activities=True).write(store)
    store.close()
    config = make_config()
    before = org_ids(org_db)
    code, report = run_json(config)
    assert code == 0 and report["counts"]["event_relation"]["created"] > 0
    real = SalesforceCrm.delete

    def events_locked(self, ids):
        keep = [i for i in ids if not i.startswith("00U")]
        done = iter(real(self, keep))
        return [
            WriteResult(False, None, "UNABLE_TO_LOCK_ROW", "locked") if i.startswith("00U")
            else next(done)
            for i in ids
        ]  # fmt: skip

    monkeypatch.setattr(SalesforceCrm, "delete", events_locked)
    code, first = _reset_json(config, report["run_id"])
    assert code == 6 and first["failed"]["Event"] == report["counts"]["meeting"]["created"]
    store = Store(org_db)
    assert all(r["WhatId"] for r in store.rows("Event"))  # no Event lost its deal
    store.close()
    monkeypatch.setattr(SalesforceCrm, "delete", real)
    code, second = _reset_json(config, report["run_id"])
    assert code == 0 and second["skipped_total"] == 0
    assert org_ids(org_db) == before


def _fail_first_delete(monkeypatch, served_org, statuses):
    """The org answers the reset's first delete request with *statuses*, one per attempt."""
    from demo_gen.targets.salesforce.client import SalesforceCrm

    real = SalesforceCrm.delete
    armed = {"done": False}

    def delete(self, ids):
        if not armed["done"] and ids:
            armed["done"] = True
            served_org.app.faults.fail_next = list(statuses)
        return real(self, ids)

    monkeypatch.setattr(SalesforceCrm, "delete", delete)


def test_a_503_during_reset_is_retried_within_the_reset(
    make_config, served_org, org_db, monkeypatch
):
    """The default suite's share of the chaos case `fault-503s` (its seeded 503s on every
    route run under `make chaos`): a delete the org refused with 503 is sent again."""
    config = _served(make_config, served_org)
    before = org_ids(org_db)
    _, report = run_json(config)
    _fail_first_delete(monkeypatch, served_org, [503, 503])
    code, done = _reset_json(config, report["run_id"])
    assert code == 0, done
    assert served_org.app.faults.injected.get("503") == 2
    assert org_ids(org_db) == before


def test_a_reset_stopped_by_503s_is_finished_by_the_next_reset(
    make_config, served_org, org_db, monkeypatch
):
    """503s past the retries stop the reset with exit 5 (the org did not answer) and one line;
    the next reset deletes the rest, the org is back exactly and no ledger row still claims a
    record."""
    config = _served(make_config, served_org)
    before = org_ids(org_db)
    _, report = run_json(config)
    run_id = report["run_id"]
    _fail_first_delete(monkeypatch, served_org, [503, 503, 503])
    code, out, err = invoke("reset", run_id, "-c", str(config), "--yes")
    assert code == 5, (out, err)
    assert "HTTP 503" in err and len(err.strip().splitlines()) == 1
    assert org_ids(org_db) != before
    monkeypatch.undo()
    code, done = _reset_json(config, run_id)
    assert code == 0, done
    assert org_ids(org_db) == before
    assert not [r for r in _ledger(config, run_id) if r.status in ("created", "pending")]
