"""The four ways issue 9 found to break "reset and resume touch only what a run made", as tests.

Each runs the real CLI against the local org (kills are real `os._exit(137)` at a named crash
point in a subprocess, see faultpoints.py) and checks the four promises:

- reset deletes 0 records its run did not make;
- resume adopts 0 records another ledger row owns (no id is held by two rows);
- 0 orphans: no record in the org that was not there before and that no ledger row owns;
- the next run exits 0.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from safety_helpers import (
    OBJECTS,
    connect,
    doubly_owned,
    invoke,
    live_owned,
    org_ids,
    orphans,
    run_json,
)
from test_run_status import killed_run

from demo_gen.config.model import load_config
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.local_org.store.core import Store


@pytest.fixture(params=["rest", pytest.param("bulk", marks=pytest.mark.chaos)])
def make_config(request, make_config):
    """Every scenario on the REST path, and (with the long chaos variants) again with every
    write through Bulk API 2.0 jobs."""
    if request.param == "rest":
        return make_config

    def bulk(name: str = "demo.yaml", **sections):
        salesforce = {
            **sections.pop("salesforce", {}),
            "bulk": {"mode": "always", "poll_seconds": 0},
        }
        return make_config(name, salesforce=salesforce, **sections)

    return bulk


def _state_url(config: Path) -> str:
    return load_config(config).state.url


def _run_id_of_last(config: Path) -> str:
    code, out, _ = invoke("status", "-c", str(config), "--json")
    return str(json.loads(out)[0]["run_id"])


def _assert_clean(config: Path, before: dict[str, set[str]], org_db: Path) -> None:
    url = _state_url(config)
    assert doubly_owned(url) == {}
    assert orphans(before, org_ids(org_db), live_owned(url)) == set()


def test_a_recreated_org_under_an_old_ledger(make_config, org_db, seeded_org_file, tmp_path):
    """(a) The org is re-created with the same Organization Id and hands out the same ids again,
    now for other records: the run stops before writing, and the old run's reset deletes none
    of them."""
    config = make_config()
    code, old = run_json(config)
    assert code == 0
    shutil.copy(seeded_org_file, org_db)  # the org re-created: same org id, same id counters
    other = make_config(
        "other.yaml", run={"name": "other-pack"}, state={"url": f"sqlite:///{tmp_path / 'o.db'}"}
    )
    code, made = run_json(other)  # records of another pack now sit under the reused ids
    assert code == 0
    reused = live_owned(_state_url(other)) & set().union(
        *(set(v) for v in _old_ids(config).values())
    )
    assert reused, "the scenario needs ids that the old ledger holds"
    before = org_ids(org_db)

    code, out, err = invoke("run", "-c", str(config))
    assert code == 4, err
    assert "re-created or refreshed" in err and "state.url" in err
    assert org_ids(org_db) == before  # nothing written

    code, out, err = invoke("reset", old["run_id"], "-c", str(config), "--yes", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert org_ids(org_db) == before  # deleted 0 records it did not make
    assert report["skipped_total"] > 0
    # with those rows marked foreign, the old ledger describes this org again
    code, again = run_json(config)
    assert code == 0, again
    code, out, err = invoke("run", "-c", str(other), "--json")
    assert code == 0 and json.loads(out)["totals"]["created"] == 0


def _old_ids(config: Path) -> dict[str, list[str]]:
    with StateStore(_state_url(config)) as state:
        out: dict[str, list[str]] = {}
        for run in state.list_runs():
            for row in state.run_items(run.run_id):
                if row.remote_id:
                    out.setdefault(row.record_type, []).append(row.remote_id)
        return out


def test_two_packs_on_one_org_and_an_interrupted_resume(make_config, org_db):
    """(b) Pack B dies with its meetings sent but not recorded; pack A owns an Event identical
    to one of them. The resume adopts B's own Event, never A's."""
    before = org_ids(org_db)
    config_a = make_config("a.yaml", run={"name": "pack-a"})
    code, a = run_json(config_a)
    assert code == 0
    config_b = make_config("b.yaml", run={"name": "pack-b"})
    assert killed_run(config_b, "sent:meeting").returncode == 137
    url = _state_url(config_b)
    with StateStore(url) as state:
        pending = [
            r
            for r in state.pending_items(f"salesforce:{a['org_id']}", "pack-b")
            if r.kind == "meeting"
        ]
        assert pending
        twin_id = _twin_owned_by_a(state, org_db, pending[0], a["run_id"])
    a_owned = live_owned(url)

    run_id = _run_id_of_last(config_b)
    code, b = run_json(config_b, "--run-id", run_id)
    assert code == 0, b
    with StateStore(url) as state:
        adopted = state.items_by_signature(f"salesforce:{a['org_id']}", [pending[0].signature])
        assert adopted[pending[0].signature].remote_id != twin_id
    assert live_owned(url) >= a_owned  # A still holds every id it held
    _assert_clean(config_b, before, org_db)
    assert run_json(config_a)[0] == 0 and run_json(config_b)[0] == 0
    # resetting B deletes none of A's records
    code, _, err = invoke("reset", run_id, "-c", str(config_b), "--yes")
    assert code == 0, err
    assert a_owned - _ids_of_run(url, run_id) <= set().union(*org_ids(org_db).values())


def _twin_owned_by_a(state: StateStore, org_db: Path, row: ItemRow, run_a: str) -> str:
    """An Event identical to B's pending meeting, created in the org and owned by pack A."""
    from dataclasses import replace

    from demo_gen.local_org.server import LocalOrgServer
    from demo_gen.local_org.store.core import Store

    store = Store(org_db)
    try:
        with LocalOrgServer(store) as server:
            sf = connect(server.url)
            same = (
                f"SELECT Id FROM Event WHERE WhatId = '{row.opportunity_id}' "
                f"AND StartDateTime = {row.planned_start.replace('.000+0000', 'Z')}"
            )
            assert sf.query(same)["totalSize"] == 1  # B's own Event: sent before the kill
            twin = sf.Event.create(
                {
                    "WhatId": row.opportunity_id,
                    "Subject": row.subject,
                    "StartDateTime": row.planned_start,
                    "DurationInMinutes": 30,
                }
            )["id"]
    finally:
        store.close()
    a_row = replace(row, signature="pack-a-twin", run_id=run_a, pack="pack-a", status="pending")
    state.mark_pending([a_row])
    state.mark_created(row.target, {"pack-a-twin": twin})
    return str(twin)


def _ids_of_run(url: str, run_id: str) -> set[str]:
    with StateStore(url) as state:
        return {r.remote_id for r in state.run_items(run_id) if r.remote_id}


def test_reset_after_a_crash_once_emails_exist_leaves_none_of_their_tasks(make_config, org_db):
    """(c) Killed once a batch of emails is created (the org made their Tasks) and before
    anything of it is recorded: reset finds the emails and their Tasks, and deletes them all."""
    before = org_ids(org_db)
    config = make_config()
    assert killed_run(config, "sent:email").returncode == 137
    run_id = _run_id_of_last(config)
    made = org_ids(org_db)
    assert made["Task"] - before["Task"], "the org made the emails' Tasks before the kill"
    code, out, err = invoke("reset", run_id, "-c", str(config), "--yes", "--json")
    assert code == 0, err
    assert org_ids(org_db) == before  # 0 Tasks left, nothing else touched
    assert json.loads(out)["deleted"]["Task"] == len(made["Task"] - before["Task"])
    assert run_json(config)[0] == 0


def test_a_kill_where_the_email_tasks_used_to_be_recorded_leaves_nothing_unowned(
    make_config, org_db
):
    """(d) The emails and their Tasks are now one commit; kill right after it, where the old
    second commit was: every Task is owned by exactly one row, resume and reset stay exact."""
    before = org_ids(org_db)
    config = make_config()
    assert killed_run(config, "created:email").returncode == 137
    url = _state_url(config)
    owned = live_owned(url)
    store = Store(org_db)  # the Tasks of the emails that commit recorded
    new_tasks = {r["ActivityId"] for r in store.rows("EmailMessage") if r["Id"] in owned}
    store.close()
    assert new_tasks and new_tasks <= owned  # every Task the org made for them is owned
    assert doubly_owned(url) == {}  # (other batches in flight are pending: resume settles them)
    run_id = _run_id_of_last(config)
    code, report = run_json(config, "--run-id", run_id)
    assert code == 0, report
    _assert_clean(config, before, org_db)
    events = _created_events(Path(report["run_dir"]))
    grown = {n: len(org_ids(org_db)[n] - before[n]) for n in OBJECTS}
    assert {n: events.get(n, 0) for n in OBJECTS} == grown  # events.jsonl lists every record
    code, _, err = invoke("reset", run_id, "-c", str(config), "--yes")
    assert code == 0, err
    assert org_ids(org_db) == before
    assert run_json(config)[0] == 0


def _created_events(run_dir: Path) -> dict[str, int]:
    from demo_gen.ledger.runlog import read_events

    out: dict[str, int] = {}
    for e in read_events(run_dir):
        if e["event"] == "item.created":
            out[e["sobject"]] = out.get(e["sobject"], 0) + 1
    return out


def test_reset_takes_no_task_from_an_email_id_the_org_reused(
    make_config, org_db, seeded_org_file, tmp_path
):
    """A run whose email Tasks were never recorded (a schema-1 ledger, a failed read-back), then
    the org re-created: reset looks the Tasks up by ActivityId only for emails still its own."""
    import sqlite3

    config = make_config()
    code, old = run_json(config)
    assert code == 0
    with sqlite3.connect(_state_url(config).removeprefix("sqlite:///")) as conn:
        conn.execute("DELETE FROM items WHERE kind = 'email_task'")
    shutil.copy(seeded_org_file, org_db)
    other = make_config(
        "other.yaml", run={"name": "other-pack"}, state={"url": f"sqlite:///{tmp_path / 'o.db'}"}
    )
    assert run_json(other)[0] == 0
    before = org_ids(org_db)
    code, out, err = invoke("reset", old["run_id"], "-c", str(config), "--yes", "--json")
    assert code == 0, err
    assert org_ids(org_db) == before


def test_a_reset_killed_midway_is_finished_by_the_next_reset(make_config, org_db):
    import os
    import subprocess
    import sys

    before = org_ids(org_db)
    config = make_config()
    code, report = run_json(config)
    assert code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_GEN_")}
    env["DEMO_GEN_CRASH_AT"] = "reset:sent:email"
    killed = subprocess.run(
        [sys.executable, "-m", "demo_gen", "reset", report["run_id"], "-c", str(config), "--yes"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == 137, killed.stderr
    assert org_ids(org_db) != before
    code, out, err = invoke("reset", report["run_id"], "-c", str(config), "--yes", "--json")
    assert code == 0, err
    assert json.loads(out)["skipped_total"] == 0  # what the killed reset deleted is just gone
    assert org_ids(org_db) == before
    assert run_json(config)[0] == 0


def test_records_someone_deleted_do_not_stop_the_run(make_config, served_org):
    config = make_config(salesforce={"local": {"url": served_org.url}})
    code, first = run_json(config)
    assert code == 0
    sf = connect(served_org.url)
    with StateStore(_state_url(config)) as state:
        meetings = [r.remote_id for r in state.run_items(first["run_id"]) if r.kind == "meeting"]
    for event_id in meetings[:3]:
        sf.Event.delete(event_id)
    code, again = run_json(config)
    assert code == 0 and again["totals"]["created"] == 0
