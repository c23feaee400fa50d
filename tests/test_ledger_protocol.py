"""The ledger protocol (pending → send → created) against the in-process fake target.

One failure point per test, each followed by the rerun that must settle it: nothing twice in the
target, nothing lost, nothing unowned. Fast (no server, no subprocess); the same protocol over
the real wire is tested end to end in test_e2e.py, test_safety_scenarios.py and the chaos suite.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from demo_gen.commands.progress import NULL_PROGRESS
from demo_gen.commands.reset import reset_targets, targets_of_run
from demo_gen.commands.summary import tally
from demo_gen.commands.writes import WritePhase, create, org_made_counts, reconciled_ledger
from demo_gen.config.model import Config
from demo_gen.errors import StateError, UsageError
from demo_gen.ledger.protocol import check_binding
from demo_gen.ledger.runlog import RunLog, read_events
from demo_gen.ledger.store import RunRow, StateStore
from demo_gen.stages.items import INVITEE, MEETING, WorkItem, signature
from demo_gen.targets.base import Target
from demo_gen.targets.fake import COMPANION, FakeTarget, SimulatedCrash, companion_signature

ORG = "00D000000000001AAA"
PACK = "fake-pack"
MEETINGS = 7
INVITEES = 2  # per meeting


def _items() -> list[WorkItem]:
    items = []
    for n in range(MEETINGS):
        start = f"2026-11-{n + 2:02d}T10:00:00.000+0000"
        sig = signature(ORG, PACK, "006A", MEETING, seq=n, start=start, subject=f"Call {n}")
        items.append(
            WorkItem(sig, MEETING, "Event", "006A", {"Subject": f"Call {n}"}, start, f"Call {n}")
        )
        for person in range(INVITEES):
            items.append(
                WorkItem(
                    signature(ORG, PACK, "006A", INVITEE, parent=sig, person=f"003{person}"),
                    INVITEE,
                    "EventRelation",
                    "006A",
                    {"RelationId": f"003{person}"},
                    start,
                    f"003{person}",
                    parent=sig,
                    parent_field="EventId",
                )
            )
    return items


class Rig:
    """One ledger and one fake target; `run()` is one run of the write phase (a fresh process)."""

    def __init__(self, tmp_path: Path, target: FakeTarget, *, batch_size: int = 3) -> None:
        self.tmp_path = tmp_path
        self.target = target
        self.state = StateStore(f"sqlite:///{tmp_path / 'state.sqlite'}")
        self.config = Config.model_validate(
            {"run": {"name": PACK, "runs_dir": str(tmp_path / "runs")},
             "salesforce": {"batch_size": batch_size, "concurrency": 2}}
        )  # fmt: skip
        self.items = _items()
        self.runs = 0
        self.warnings: list[str] = []

    def run(self) -> dict[str, dict[str, int]]:
        self.runs += 1
        run_id = f"run-{self.runs}"
        self.state.start_run(
            RunRow(
                run_id,
                PACK,
                ORG,
                "run",
                "running",
                f"2026-11-30T10:0{self.runs}:00Z",
                None,
                "c",
                None,
            )
        )
        with RunLog(self.config.run.runs_dir, run_id) as log:
            phase = WritePhase(
                self.target,
                self.state,
                log,
                self.config,
                run_id,
                NULL_PROGRESS,
                self.warnings.append,
            )
            ledger, ambiguous = reconciled_ledger(phase, self.items)
            outcome = create(phase, self.items, ledger, ambiguous)
            counts = tally(self.items, ledger, outcome)
            counts.update(org_made_counts(phase, self.items, outcome, self.target.capabilities()))
        return counts

    def statuses(self) -> Counter[str]:
        rows = self.state.items_by_signature(self.target.key, [i.signature for i in self.items])
        return Counter(r.status for r in rows.values())

    def events(self, run: int) -> list[dict]:
        return read_events(Path(self.config.run.runs_dir) / f"run-{run}" / "events.jsonl")

    def assert_exactly_once(self) -> None:
        """Every planned record is in the target exactly once, and the ledger holds its id."""
        held = Counter(self.target.signatures())
        planned = [i.signature for i in self.items]
        assert {s: held[s] for s in planned} == dict.fromkeys(planned, 1)
        rows = self.state.items_by_signature(self.target.key, planned)
        assert all(r.status == "created" for r in rows.values()) and len(rows) == len(planned)
        for row in rows.values():
            assert self.target.records[row.remote_id or ""].signature == row.signature


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path, FakeTarget(companions=True))
    yield r
    r.state.close()


def test_the_fake_is_a_target():
    assert isinstance(FakeTarget(), Target)


def test_a_clean_run_then_a_rerun_that_sends_nothing(rig):
    counts = rig.run()
    assert (
        counts[MEETING]["created"] == MEETINGS and counts[INVITEE]["created"] == MEETINGS * INVITEES
    )
    rig.assert_exactly_once()
    # each meeting's companion (what the target made itself) is owned by the batch's commit
    companions = rig.state.items_by_signature(
        rig.target.key, [companion_signature(i.signature) for i in rig.items if i.kind == MEETING]
    )
    assert len(companions) == MEETINGS and {r.kind for r in companions.values()} == {COMPANION}
    sends = rig.target.sends
    again = rig.run()
    assert rig.target.sends == sends  # nothing sent
    assert again[MEETING] == {"created": 0, "skipped": MEETINGS, "failed": 0, "deferred": 0}


def test_a_batch_refused_before_it_was_sent_fails_and_is_sent_again(rig):
    rig.target.faults.refuse = 1
    first = rig.run()
    assert first[MEETING]["failed"] == 3  # the first batch of 3
    assert rig.statuses() == {"failed": 3, "created": MEETINGS - 3 + (MEETINGS - 3) * INVITEES}
    assert first[INVITEE]["deferred"] == 3 * INVITEES  # not sent: their parents do not exist
    rig.run()
    rig.assert_exactly_once()


def test_a_crash_after_send_before_commit_is_adopted_not_sent_again(rig):
    rig.target.faults.crash_after_send = 1
    with pytest.raises(SimulatedCrash):
        rig.run()
    assert rig.statuses()["pending"] >= 3  # the batch that was sent, never recorded
    held_before = len(rig.target.records)
    assert held_before >= 3
    second = rig.run()
    rig.assert_exactly_once()
    settled = [e for e in rig.events(2) if e["event"] == "reconcile.done"]
    assert settled and settled[0]["found"] >= 3 and settled[0]["ambiguous"] == 0
    adopted = [
        e for e in rig.events(2) if e["event"] == "item.created" and e["source"] == "reconcile"
    ]
    assert len(adopted) == settled[0]["found"]
    assert second[MEETING]["failed"] == 0
    # the adopted meetings' companions were owned with them
    companions = [companion_signature(i.signature) for i in rig.items if i.kind == MEETING]
    assert len(rig.state.items_by_signature(rig.target.key, companions)) == MEETINGS


def test_a_partial_batch_records_each_failure_and_the_rerun_sends_only_those(rig):
    rejected = [i.signature for i in rig.items if i.kind == MEETING][1]
    rig.target.faults.reject = {rejected: "FIELD_CUSTOM_VALIDATION_EXCEPTION"}
    first = rig.run()
    assert first[MEETING]["failed"] == 1 and first[MEETING]["created"] == MEETINGS - 1
    row = rig.state.items_by_signature(rig.target.key, [rejected])[rejected]
    assert row.status == "failed" and row.error_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    children = [i for i in rig.items if i.parent == rejected]
    assert first[INVITEE]["deferred"] == len(children)  # waiting for their parent
    rig.target.faults.reject = {}
    sends = rig.target.sends
    second = rig.run()
    assert second[MEETING]["created"] == 1
    assert rig.target.sends - sends == 2  # the meeting, then its invitees
    rig.assert_exactly_once()


def test_a_lost_response_leaves_the_batch_pending_and_the_rerun_settles_it(rig):
    rig.target.faults.lose_response = 1
    first = rig.run()
    assert first[MEETING]["deferred"] == 3
    assert [e for e in rig.events(1) if e["event"] == "batch.unconfirmed"]
    assert rig.statuses()["pending"] == 3
    rig.run()
    rig.assert_exactly_once()


def test_two_records_for_one_pending_row_are_never_a_guess(rig):
    rig.target.faults.crash_after_send = 1
    with pytest.raises(SimulatedCrash):
        rig.run()
    pending = [r for r in rig.state.pending_items(rig.target.key, PACK)]
    twin = pending[0]
    rig.target.records["F999999"] = rig.target.records[
        next(i for i, s in rig.target.records.items() if s.signature == twin.signature)
    ]
    second = rig.run()
    assert (
        rig.state.items_by_signature(rig.target.key, [twin.signature])[twin.signature].status
        == "pending"
    )
    assert second[MEETING]["deferred"] >= 1
    assert any("ambiguous" in w for w in rig.warnings)
    assert Counter(rig.target.signatures())[twin.signature] == 2  # not sent a third time


def test_a_failed_read_back_is_caught_up_before_the_run_ends(rig):
    rig.target.faults.read_back_fails = 1
    rig.run()
    assert [e for e in rig.events(1) if e["event"] == "readback.failed"]
    companions = [companion_signature(i.signature) for i in rig.items if i.kind == MEETING]
    owned = rig.state.items_by_signature(rig.target.key, companions)
    assert len(owned) == MEETINGS  # the first batch's were owned by the catch-up
    rig.assert_exactly_once()


def test_reset_deletes_what_it_verifies_and_keeps_an_impostor(rig):
    rig.run()
    meeting = next(r for r in rig.state.run_items("run-1") if r.kind == MEETING and r.remote_id)
    rig.target.impostor(meeting.remote_id or "")
    report = reset_targets([rig.target], rig.state, rig.config, "run-1", ORG)
    assert report.skipped == {"Event": 1}
    # left: the impostor, and the companion of the kept meeting (it goes with its parent only)
    assert rig.target.signatures() == sorted(
        ["someone-else", companion_signature(meeting.signature)]
    )
    deleted = {"Event": MEETINGS - 1, "EventRelation": MEETINGS * INVITEES, COMPANION: MEETINGS - 1}
    assert report.deleted == deleted and report.targets == {rig.target.key: deleted}
    rows = rig.state.run_items("run-1")
    kept = {meeting.signature, companion_signature(meeting.signature)}
    assert {r.status for r in rows if r.signature not in kept} == {"deleted"}
    assert (
        rig.state.items_by_signature(rig.target.key, [meeting.signature])[meeting.signature].status
        == "foreign"
    )


def test_the_run_start_check_stops_on_a_recreated_target(rig):
    rig.run()
    assert check_binding(rig.target, rig.state, PACK) == MEETINGS
    meeting = next(r for r in rig.state.run_items("run-1") if r.kind == MEETING)
    rig.target.impostor(meeting.remote_id or "")
    with pytest.raises(StateError, match="holds other records"):
        check_binding(rig.target, rig.state, PACK)


def test_two_targets_keep_their_own_rows(tmp_path):
    """The same plan in two targets: one ledger, two rows per signature, each its own id."""
    rig = Rig(tmp_path, FakeTarget("fake:one"))
    rig.run()
    rig.target = FakeTarget("fake:two", kinds=(MEETING,))
    rig.items = [i for i in rig.items if rig.target.capabilities().holds(i.kind)]
    rig.run()
    counts = rig.state.count_by_target("run-1") | rig.state.count_by_target("run-2")
    assert counts == {
        "fake:one": {MEETING: {"created": MEETINGS}, INVITEE: {"created": MEETINGS * INVITEES}},
        "fake:two": {MEETING: {"created": MEETINGS}},
    }
    rig.state.close()


def test_reset_refuses_a_run_whose_target_the_configuration_does_not_open(rig):
    rig.run()
    assert targets_of_run(rig.state, "run-1", [rig.target]) == [rig.target]
    with pytest.raises(UsageError, match="wrote to fake:one, which the configuration"):
        targets_of_run(rig.state, "run-1", [FakeTarget("fake:two")])
