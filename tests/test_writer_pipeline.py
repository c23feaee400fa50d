"""The write phase's pipeline (writer.py, writer_ledger.py): the ledger off the feeding thread,
a batch sent only once it is durably pending, one commit per batch, what is known never read
again — and an email recorded without its Task (a failed read-back) killed there, then reset.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

from safety_helpers import invoke, org_ids
from test_ledger_protocol import Rig
from test_safety_scenarios import _run_id_of_last, _state_url

from demo_gen.config.model import Config
from demo_gen.ledger import items as state_items
from demo_gen.ledger.store import StateStore
from demo_gen.stages.items import WorkItem
from demo_gen.targets.base import WriteResult
from demo_gen.targets.fake import FakeTarget


class CheckingTarget(FakeTarget):
    """A fake that, on every send, reads the ledger through a connection of its own (what is
    committed, nothing else) and notes each record of the batch that is not `pending` there."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.not_pending: list[str] = []

    def send(
        self, batch: Sequence[WorkItem], parent_ids: Mapping[str, str], run_id: str
    ) -> list[WriteResult]:
        with StateStore(self.url) as other:
            rows = other.items_by_signature(self.key, [i.signature for i in batch])
        self.not_pending += [
            i.signature
            for i in batch
            if i.signature not in rows or rows[i.signature].status != "pending"
        ]
        return super().send(batch, parent_ids, run_id)


def _slow_commits(monkeypatch, seconds: float = 0.02) -> list[str]:
    """Make every ledger write of the writer slower (so a send that did not wait for its commit
    would overtake it), and note the thread each one runs on."""
    threads: list[str] = []
    for name in ("mark_pending", "record_batch"):
        real = getattr(StateStore, name)

        def slow(self, *args, _real=real, **kwargs):
            threads.append(threading.current_thread().name)
            time.sleep(seconds)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(StateStore, name, slow)
    return threads


def test_a_batch_is_sent_only_once_its_rows_are_committed_pending(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    rig = Rig(tmp_path, CheckingTarget(url), batch_size=2)
    threads = _slow_commits(monkeypatch)
    try:
        rig.run()
        assert rig.target.not_pending == []
        rig.assert_exactly_once()
        assert threads and "MainThread" not in threads  # the ledger is off the feeding thread
    finally:
        rig.state.close()


def _with_concurrency(rig: Rig, concurrency: int) -> None:
    data = rig.config.model_dump()
    data["salesforce"]["concurrency"] = concurrency
    rig.config = Config.model_validate(data)


def test_each_batch_costs_one_commit_and_no_read_of_what_is_known(tmp_path, monkeypatch):
    """A batch's outcome and the next batch's pending are one commit (before: two commits a
    batch); the rows the run read once at its start are never read again to move them."""
    rig = Rig(tmp_path, FakeTarget(), batch_size=2)
    _with_concurrency(rig, 1)
    commits = _slow_commits(monkeypatch, 0)
    read: list[str] = []
    real_states = state_items._read_states  # every read of item states (ledger/items.py)

    def spy(conn, target, sigs):
        read.extend(sigs)
        return real_states(conn, target, sigs)

    monkeypatch.setattr(state_items, "_read_states", spy)
    try:
        rig.run()
        rig.assert_exactly_once()
        parents = sum(1 for i in rig.items if i.parent is None)
        children = len(rig.items) - parents
        batches = -(-parents // 2) + -(-children // 2)
        # at most one commit a batch, + the first pending of each of the two sends (outcomes
        # that come back together are committed together)
        assert len(commits) <= batches + 2
        assert read == []
    finally:
        rig.state.close()


# --- an email recorded without its Task, killed there: reset still removes the Task ----------

_FAILING_READ_BACK = """
import sys
from demo_gen.errors import TargetError
from demo_gen.targets.salesforce import target as salesforce

real = salesforce.SalesforceTarget.read_back

def read_back(self, rows, **kwargs):
    if rows and rows[0].record_type == "EmailMessage" and not kwargs.get("verify"):
        raise TargetError("injected: the read-back of a batch of emails failed")
    return real(self, rows, **kwargs)

salesforce.SalesforceTarget.read_back = read_back
from demo_gen.cli import main
sys.argv = ["demo-gen", *sys.argv[1:]]
main()
"""


def test_a_kill_after_an_email_is_recorded_without_its_task_then_reset_removes_it(
    make_config, org_db
):
    """The read-back of the first batch of emails fails, so the batch is recorded without the
    Tasks the org made for it (left to the catch-up at the run's end), and the process is killed
    right after that commit: the org holds Tasks no ledger row owns. Reset finds them by their
    email's ActivityId and deletes them with everything else."""
    before = org_ids(org_db)
    config = make_config()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_GEN_")}
    env["DEMO_GEN_CRASH_AT"] = "created:email"
    killed = subprocess.run(
        [sys.executable, "-c", _FAILING_READ_BACK, "run", "-c", str(config)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == 137, killed.stderr
    path = _state_url(config).removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        emails = conn.execute(
            "SELECT count(*) FROM items WHERE kind = 'email' AND status = 'created'"
        ).fetchone()[0]
        tasks = conn.execute("SELECT count(*) FROM items WHERE kind = 'email_task'").fetchone()[0]
    assert emails > 0 and tasks == 0  # the window: emails recorded, their Tasks not
    made = org_ids(org_db)["Task"] - before["Task"]
    assert made, "the org made the emails' Tasks"
    code, out, err = invoke("reset", _run_id_of_last(config), "-c", str(config), "--yes", "--json")
    assert code == 0, err
    assert org_ids(org_db) == before
    # owned, verified and deleted as ours (not merely gone with their email: the local org,
    # like Lightning, deletes an email's Task with it)
    assert json.loads(out)["deleted"]["Task"] == len(made)
