"""Chaos scenarios: kill or fault a run, rerun, reset, and measure (see chaos_figures).

Each scenario gets a fresh `ChaosOrg` (a copy of the seeded org) and returns an `Outcome`: every
command it ran with its exit code and the codes allowed there, the figures against the reference
after the reruns, and the figures after resetting. `Outcome.problems()` is empty when everything
held; tests assert that and print `Outcome.report()` when it does not.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chaos_figures import Figures, Key, Snapshot, compare, made_content, restored
from chaos_harness import ChaosOrg, Done, finish, kill_when

PACK = "chaos-a"
CRASHED = 137  # what faultpoints.crash_point exits with
OK = frozenset({0})
# where a crash point ends a run: the first batch of each kind when it is pending and when the
# org has answered; and once the first emails are recorded (the org made their Tasks by then:
# `sent:email` is the instant those Tasks exist and nothing records them)
RUN_POINTS = (
    *(
        f"{when}:{kind}"
        for kind in ("meeting", "email", "call", "invitee", "email_relation", "scorecard", "answer")
        for when in ("pending", "sent")
    ),
    "created:email",
)
RESET_POINTS = tuple(
    f"reset:sent:{kind}"
    for kind in ("answer", "invitee", "email_relation", "email_task", "scorecard", "email", "call")
) + ("reset:sent:meeting",)
KILL_TIMEOUT = 120.0


def snapshot(org: ChaosOrg) -> Snapshot:
    return Snapshot.of(org.db)


def _count(org: ChaosOrg) -> int:
    return len(snapshot(org).records["Opportunity"])


@dataclass
class Reference:
    """An uninterrupted run of each pack, in order, on a fresh copy of the org."""

    opportunities: int
    packs: tuple[str, ...]
    content: Counter[Key]
    rows: int  # ledger rows after the runs
    seconds: float  # wall time of the first run command

    @classmethod
    def chain(
        cls, root: Path, template: Path, packs: tuple[str, ...], *, regrow: int | None = None
    ) -> list[Reference]:
        """Run each pack in turn on one org: the reference of every prefix of `packs`.

        With `regrow`, the org is first re-created with that many opportunities (`org init
        --force` on the template's copy), as the re-created-org scenario does: record ids may
        depend on how the org was made, and the plan on the ids.
        """
        out = []
        with ChaosOrg(root, template) as org:
            org.serve()
            if regrow:
                org.reinit(regrow)
            opportunities = regrow or _count(org)
            before = snapshot(org)
            for i, pack in enumerate(packs):
                started = time.monotonic()
                done = org.run(pack=pack)
                if done.rc != 0:
                    raise RuntimeError(f"the reference run failed: {done.brief()}")
                seconds = out[0].seconds if out else time.monotonic() - started
                content = made_content(before, snapshot(org))
                out.append(cls(opportunities, packs[: i + 1], content, org.items_count(), seconds))
        return out


@dataclass
class Step:
    what: str
    rc: int
    allowed: frozenset[int]


@dataclass
class Outcome:
    """What one scenario did and measured."""

    name: str
    steps: list[Step] = field(default_factory=list)
    figures: Figures | None = None  # after the reruns, against the reference
    after_reset: Figures = field(default_factory=Figures)  # after resetting what it made
    killed: bool | None = None  # None: the scenario kills nothing
    placed: bool = False  # the kill was a crash point (it must land), not a random instant
    where: str = ""  # the ledger when the kill landed
    notes: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    fault_seeds: list[int] = field(default_factory=list)  # of the servers with random faults
    kept: Path | None = None  # where a failed scenario's directory was kept

    def step(self, what: str, done: Done, allowed: frozenset[int] = OK) -> Done:
        self.steps.append(Step(what, done.rc, allowed))
        if done.rc not in allowed:
            self.logs.append(done.brief())
        return done

    @property
    def exit_codes(self) -> str:
        return " ".join(f"{s.what}={s.rc}" for s in self.steps)

    @property
    def completed(self) -> bool:
        """The last run of the scenario exited 0."""
        runs = [s for s in self.steps if s.what.startswith("run")]
        return bool(runs) and runs[-1].rc == 0

    def problems(self) -> list[str]:
        out = [
            f"{s.what} exited {s.rc} (allowed {sorted(s.allowed)})"
            for s in self.steps
            if s.rc not in s.allowed
        ]
        if self.killed is False and self.placed:
            out.append("the crash point never fired: the command ended without reaching it")
        for label, figures in (("vs reference", self.figures), ("after reset", self.after_reset)):
            if figures is not None and not figures.clean:
                bad = ", ".join(f"{n}={v}" for n, v in figures.counts().items() if v)
                out.append(f"{label}: {bad}")
        return out

    def report(self) -> str:
        lines = [f"scenario {self.name}: {self.exit_codes}"]
        if self.killed is False and not self.placed:
            lines.append("  the random kill missed: the command ended first")
        elif self.where:
            lines.append(f"  kill landed with the ledger at: {self.where}")
        for label, figures in (("vs reference", self.figures), ("after reset", self.after_reset)):
            if figures is not None:
                lines.append(f"  {label}: {figures.describe()}")
        lines += [f"  note: {n}" for n in self.notes]
        if self.fault_seeds:
            seed = self.fault_seeds[0]
            lines.append(
                f"  fault seed {seed} (replay: CHAOS_FAULT_SEED={seed}, or "
                f"bench/chaos_loop.py NAME --seeds {seed})"
            )
        lines += [f"  problem: {p}" for p in self.problems()]
        lines += [f"  log: {log}" for log in self.logs]
        if self.kept is not None:
            lines.append(f"  kept (org, ledger, runs/, org-dump.json): {self.kept}")
        return "\n".join(lines)


# -- kills ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    """Where a kill lands: a crash point, or (SIGKILL from outside) a share of the reference
    run's wall time, a share of its ledger rows (deleted rows for a reset), a pending kind."""

    label: str
    crash_at: str | None = None
    at_time: float | None = None  # share of Reference.seconds since the command started
    at_rows: float | None = None  # share of Reference.rows in the ledger (or deleted)
    pending_kind: str | None = None  # a row of this kind is pending

    def ready(self, org: ChaosOrg, reference: Reference, *, reset: bool) -> Callable[[], bool]:
        started = time.monotonic()
        rows = max(1, round((self.at_rows or 0) * reference.rows))

        def check() -> bool:
            if self.at_time is not None:
                return time.monotonic() - started >= self.at_time * reference.seconds
            if self.pending_kind is not None:
                return org.items_count(status="pending", kind=self.pending_kind) > 0
            return org.items_count(status="deleted" if reset else None) >= rows

        return check


def random_kills(rng: random.Random, n: int, *, reset: bool = False) -> list[Kill]:
    """`n` kills spread over every phase: by time, by ledger size, or at a pending kind."""
    kinds = ("meeting", "email", "invitee", "email_relation", "scorecard", "answer")
    what = "random-reset" if reset else "random"
    kills = []
    for i in range(n):
        mode = rng.choice(("time", "rows") if reset else ("time", "rows", "rows", "pending"))
        share = round(rng.uniform(0.05, 0.95), 2)
        if mode == "time":
            kills.append(Kill(f"{what}#{i}:{share:.0%} of the time", at_time=share + 0.05))
        elif mode == "rows":
            kills.append(Kill(f"{what}#{i}:{share:.0%} of the ledger", at_rows=share))
        else:
            kind = rng.choice(kinds)
            kills.append(Kill(f"{what}#{i}:{kind} pending", pending_kind=kind))
    return kills


def land(
    org: ChaosOrg,
    reference: Reference,
    kill: Kill,
    outcome: Outcome,
    *,
    pack: str = PACK,
    reset_id: str | None = None,
) -> None:
    """Run (or reset `reset_id`) and kill it as `kill` says; records the step and where."""
    what = "reset(killed)" if reset_id else "run(killed)"
    outcome.placed = kill.crash_at is not None
    if kill.crash_at is not None:
        if reset_id:
            done = org.reset(reset_id, pack=pack, crash_at=kill.crash_at)
        else:
            done = org.run(pack=pack, crash_at=kill.crash_at)
        outcome.killed = done.rc == CRASHED
        outcome.step(what, done, frozenset({CRASHED}))
    else:
        proc = org.spawn_reset(reset_id, pack=pack) if reset_id else org.spawn_run(pack=pack)
        outcome.killed = kill_when(
            proc, kill.ready(org, reference, reset=bool(reset_id)), timeout=KILL_TIMEOUT
        )
        done = finish(proc, (what,), KILL_TIMEOUT)
        outcome.step(what, done, frozenset({-9}) if outcome.killed else OK)
    outcome.where = org.ledger_state()


def reset_pack(org: ChaosOrg, outcome: Outcome, pack: str = PACK) -> None:
    """Reset every run of `pack` that owns ledger rows, newest first; each must exit 0."""
    for run_id in org.owning_runs(pack):
        outcome.step(f"reset[{pack}]", org.reset(run_id, pack=pack))


# -- scenarios -----------------------------------------------------------------------------------


def uninterrupted(org: ChaosOrg, reference: Reference) -> Outcome:
    """No kill: run, run again, compare; reset; compare with before (the baseline)."""
    outcome = Outcome("uninterrupted")
    org.serve()
    before = snapshot(org)
    outcome.step("run", org.run())
    outcome.step("run", org.run())
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    reset_pack(org, outcome)
    outcome.after_reset = restored(before, snapshot(org))
    return outcome


def kill_then_resume(org: ChaosOrg, reference: Reference, kill: Kill) -> Outcome:
    """Kill a run; resume it (`--run-id`), run again; compare; reset; compare with before."""
    outcome = Outcome(f"kill-resume {kill.label}")
    org.serve()
    before = snapshot(org)
    land(org, reference, kill, outcome)
    crashed = org.run_ids()
    if crashed:
        outcome.step("run --run-id", org.run("--run-id", crashed[0]))
    outcome.step("run", org.run())
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    reset_pack(org, outcome)
    outcome.after_reset = restored(before, snapshot(org))
    return outcome


def kill_then_reset(org: ChaosOrg, reference: Reference, kill: Kill) -> Outcome:
    """Kill a run; reset it at once (org must be as before); then a full run must match."""
    outcome = Outcome(f"kill-reset {kill.label}")
    org.serve()
    before = snapshot(org)
    land(org, reference, kill, outcome)
    reset_pack(org, outcome)
    outcome.after_reset = restored(before, snapshot(org))
    outcome.step("run", org.run())
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    return outcome


def killed_reset(org: ChaosOrg, reference: Reference, kill: Kill) -> Outcome:
    """A full run; kill its reset mid-way; reset again: the org must be as before the run."""
    outcome = Outcome(f"killed-reset {kill.label}")
    org.serve()
    before = snapshot(org)
    outcome.step("run", org.run())
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    land(org, reference, kill, outcome, reset_id=org.run_ids()[0])
    reset_pack(org, outcome)
    outcome.after_reset = restored(before, snapshot(org))
    return outcome
