"""Chaos scenarios beyond a single kill (faults, two packs, a re-created org, two runs at once),
and the catalogue of every scenario the long variant runs (tests and bench/bench_chaos.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from chaos_figures import Snapshot, compare, restored
from chaos_harness import (
    LOCK_EXIT,
    ChaosOrg,
    Done,
    finish,
    init_org_db,
    keep,
    scenario_seed,
    seed_override,
)
from chaos_scenarios import (
    OK,
    PACK,
    RESET_POINTS,
    RUN_POINTS,
    Kill,
    Outcome,
    Reference,
    Step,
    kill_then_reset,
    kill_then_resume,
    killed_reset,
    land,
    random_kills,
    reset_pack,
    snapshot,
    uninterrupted,
)

PACK_B = "chaos-b"
LIMITED = frozenset({0, 5, 6})  # a run under a fault may stop (5) or leave records to retry (6)
RESUMES = 4  # runs under a fault before it is removed


@dataclass(frozen=True)
class Fault:
    """A fault of the served org, and how a run under it must end."""

    label: str
    options: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)  # config sections for this case
    first: frozenset[int] = LIMITED  # exit codes the first run may give
    runs: int = RESUMES  # runs under the fault before it is lifted


FAULTS = (
    # seeded faults (each route and each kind of row write has its own stream of the seed);
    # `_injected` checks each fired. A fault that names no seed is seeded from the scenario's
    # name (`chaos_harness.scenario_seed`); CHAOS_FAULT_SEED (or `play(..., fault_seed=)`)
    # replaces every seed
    Fault("503s", {"error_rate": 0.2, "error_status": 503, "fault_seed": 7}),
    Fault("session-expiry", {"session_ttl": 5}),
    Fault("row-errors", {"row_error_rate": 0.03}),
    # the whole share of a small daily limit: the run stops with 5 mid-way; only a new day (a
    # server without the limit) lets the resume finish
    Fault(
        "daily-limit",
        {"daily_limit": 12},
        {"run": {"api_budget_share": 1.0}},
        first=frozenset({5}),
        runs=1,
    ),
)
LONG_FAULTS = (
    *FAULTS,
    Fault("500s", {"error_rate": 0.2, "error_status": 500, "fault_seed": 9}),
    Fault("403s", {"error_rate": 0.1, "error_status": 403, "fault_seed": 7}),
    Fault("row-errors-10%", {"row_error_rate": 0.1, "fault_seed": 3}),
    Fault("503s+row-errors", {"error_rate": 0.15, "row_error_rate": 0.05, "fault_seed": 7}),
)


def faulted(org: ChaosOrg, reference: Reference, fault: Fault) -> Outcome:
    """Run under the fault until it completes (or `fault.runs` runs), then without it."""
    outcome = Outcome(f"fault {fault.label}")
    org.config(PACK, **fault.settings)
    org.serve(**fault.options)
    before = snapshot(org)
    done = outcome.step("run", org.run(), fault.first)
    for _ in range(fault.runs - 1):
        if done.rc == 0:
            break
        done = outcome.step("run(again)", _rerun(org, done), LIMITED)
    _injected(org, outcome, fault)
    if done.rc != 0:
        outcome.notes.append("completed only once the fault was lifted")
        org.serve()
        done = outcome.step("run --run-id(no fault)", _rerun(org, done), OK)
    _run_again(org, outcome, fault)
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    for run_id in org.owning_runs():
        _reset_under(org, outcome, fault, run_id)
    outcome.after_reset = restored(before, snapshot(org))
    _ledger_settled(org, outcome)
    return outcome


def _ledger_settled(org: ChaosOrg, outcome: Outcome) -> None:
    """After every run was reset, no ledger row may still claim a record (created, pending) or
    say reset kept one (foreign): the org can look restored while the ledger disagrees."""
    rows = org.ledger(
        "SELECT kind, status, count(*) AS n FROM items "
        "WHERE status IN ('created', 'pending', 'foreign') GROUP BY kind, status ORDER BY 1, 2"
    )
    if rows:
        left = ", ".join(f"{r['kind']}:{r['status']}={r['n']}" for r in rows)
        outcome.notes.append(f"ledger rows not settled by the resets: {left}")
        outcome.steps.append(Step("every ledger row settled by the resets", 1, OK))


def _run_again(org: ChaosOrg, outcome: Outcome, fault: Fault) -> None:
    """The next run after a complete one has nothing to write and exits 0. Under a fault that
    is still on it only reads, and a read may still fail past its retries (three 503s in a row:
    exit 5, as documented), never 6: it has nothing to retry. Then it must exit 0 once the
    fault is lifted, and the resets run under the fault again (a seeded server starts its
    streams afresh)."""
    assert org.server is not None
    faulty = any(name != "latency_ms" for name in org.server.faults)
    done = outcome.step("run", org.run(), frozenset({0, 5}) if faulty else OK)
    if done.rc != 0:
        outcome.notes.append(f"the run after completion stopped under the fault: {done.brief()}")
        org.serve()
        outcome.step("run(no fault)", org.run())
        org.serve(**fault.options)


def _injected(org: ChaosOrg, outcome: Outcome, fault: Fault) -> None:
    """Say which faults the runs met; a case whose fault never fired proves nothing.

    An expired session is not counted by the org; it shows as more logins than commands.
    """
    assert org.server is not None
    stats = org.server.stats()
    fired = {k: n for k, n in stats["faults"]["injected"].items() if k != "latency"}
    logins = sum(n for key, n in stats["requests"].items() if "login" in key or "oauth" in key)
    if "session_ttl" in fault.options and logins > len(outcome.steps):
        fired["re-login"] = logins - len(outcome.steps)
    outcome.notes.append(f"faults fired during the runs: {fired or 'none'}")
    if not fired and fault.first != frozenset({5}):  # the daily limit shows as exit 5
        outcome.steps.append(Step("the fault fired", 1, OK))


def _reset_under(org: ChaosOrg, outcome: Outcome, fault: Fault, run_id: str) -> None:
    """Reset under the fault (if it is still on), again while it fails, then without it."""
    done = outcome.step("reset", org.reset(run_id), LIMITED)
    for _ in range(fault.runs - 1):
        if done.rc == 0:
            return
        done = outcome.step("reset(again)", org.reset(run_id), LIMITED)
    if done.rc != 0:
        outcome.notes.append("a reset completed only once the fault was lifted")
        org.serve()
        outcome.step("reset(no fault)", org.reset(run_id))


def _rerun(org: ChaosOrg, last: Done) -> Done:
    """After exit 6 the same command again (as its message says); otherwise resume the run."""
    runs = org.run_ids()
    if last.rc == 6 or not runs:
        return org.run()
    return org.run("--run-id", runs[0])


def two_packs(org: ChaosOrg, reference: Reference, kill: Kill) -> Outcome:
    """Pack A, then pack B (same seed) killed and resumed: nothing shared, nothing adopted."""
    outcome = Outcome(f"two-packs B {kill.label}")
    org.config(PACK)
    org.config(PACK_B)
    org.serve()
    before = snapshot(org)
    outcome.step("run[A]", org.run(pack=PACK))
    after_a = snapshot(org)
    land(org, reference, kill, outcome, pack=PACK_B)
    crashed = org.run_ids(PACK_B)
    if crashed:
        outcome.step("run[B] --run-id", org.run("--run-id", crashed[0], pack=PACK_B))
    outcome.step("run[B]", org.run(pack=PACK_B))
    outcome.step("run[A]", org.run(pack=PACK))
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    reset_pack(org, outcome, PACK_B)
    outcome.after_reset = restored(after_a, snapshot(org))  # A's records untouched
    reset_pack(org, outcome, PACK)
    outcome.after_reset += restored(before, snapshot(org))
    return outcome


def recreated_org(org: ChaosOrg, reference: Reference) -> Outcome:
    """Run; `org init --force` (another size) under the same ledger; run; reset the old run.

    The run on the re-created org either sees a new org (a new Organization Id: exit 0), or
    refuses the old ledger (exit 4 or 5 with a hint) having changed nothing, and then runs with
    a fresh ledger as the hint says. Either way the org ends as the reference, and resetting the
    old run (with the old ledger) deletes nothing of the new org.
    """
    outcome = Outcome(f"re-created org ({reference.opportunities} opportunities)")
    org.serve()
    outcome.step("run(old org)", org.run())
    old_run, old_ledger = org.run_ids()[0], org.state
    org.reinit(reference.opportunities)
    before = snapshot(org)
    done = outcome.step("run(new org)", org.run(), frozenset({0, 4, 5}))
    if done.rc != 0:
        _refused_cleanly(org, outcome, before, done)
        org.use_ledger(org.root / "state-fresh.sqlite")
        outcome.step("run(fresh ledger)", org.run())
    outcome.step("run", org.run())
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    untouched, new_ledger = snapshot(org), org.state
    org.use_ledger(old_ledger)
    # the old run's records went with the old org: resetting it may refuse (2, 4, 5) or find
    # nothing, but it must not delete a single record of the new org
    outcome.step("reset(old run)", org.reset(old_run), frozenset({0, 2, 4, 5}))
    outcome.after_reset += restored(untouched, snapshot(org))
    org.use_ledger(new_ledger)
    for run_id in org.owning_runs():
        if run_id != old_run:
            outcome.step("reset(new runs)", org.reset(run_id))
    outcome.after_reset += restored(before, snapshot(org))
    return outcome


def _refused_cleanly(org: ChaosOrg, outcome: Outcome, before: Snapshot, done: Done) -> None:
    """A refused run must say what to do (a hint) and must not have touched the org."""
    outcome.notes.append(f"the run refused the old ledger: {done.brief()}")
    if "hint:" not in done.stderr:
        outcome.steps.append(Step("the refusal gives a hint", 1, OK))
    outcome.after_reset += restored(before, snapshot(org))


def simultaneous(org: ChaosOrg, reference: Reference) -> Outcome:
    """Two runs of one pack started at once: one is refused with the lock error, or both are
    consistent; then a plain run exits 0 and the org matches the reference."""
    outcome = Outcome("two runs at once")
    org.serve()
    before = snapshot(org)
    first, second = org.spawn_run(), org.spawn_run()
    results = [finish(proc, ("run",), 240.0) for proc in (first, second)]
    for done in results:
        outcome.step("run(racing)", done, frozenset({0, LOCK_EXIT}))
    codes = sorted(d.rc for d in results)
    if codes == [LOCK_EXIT, LOCK_EXIT]:
        outcome.steps.append(Step("both refused", 1, OK))
    refused = [d for d in results if d.rc == LOCK_EXIT]
    if refused and "lock" not in refused[0].stderr.lower():
        outcome.logs.append(refused[0].brief())
        outcome.steps.append(Step("exit 4 names the lock", 1, OK))
    outcome.notes.append(f"racing runs exited {codes}")
    outcome.step("run", org.run())
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    reset_pack(org, outcome)
    outcome.after_reset = restored(before, snapshot(org))
    return outcome


# -- the catalogue -------------------------------------------------------------------------------

Scenario = Callable[[ChaosOrg, "References"], Outcome]


@dataclass
class References:
    """The uninterrupted runs scenarios are compared with, built on first use."""

    root: Path
    opportunities: int
    regrown: int  # the size `org init --force` re-creates the org with
    _template: Path | None = None
    _made: dict[tuple[int, tuple[str, ...]], Reference] = field(default_factory=dict)

    def template(self) -> Path:
        """The seeded org every scenario starts from a copy of (`org init`, once)."""
        if self._template is None:
            path = self.root / "template" / "org.sqlite"
            path.parent.mkdir(parents=True, exist_ok=True)
            init_org_db(path, self.opportunities)
            self._template = path
        return self._template

    def get(self, packs: tuple[str, ...] = (PACK,), opportunities: int | None = None) -> Reference:
        """The reference of `packs`; with `opportunities`, on the template re-created that big."""
        key = (opportunities or 0, packs)
        if key not in self._made:
            # pack A's reference is the first half of the two-pack one: one org, two runs
            chain = (PACK, PACK_B) if packs in ((PACK,), (PACK, PACK_B)) else packs
            root = self.root / f"reference-{len(self._made)}"
            for ref in Reference.chain(root, self.template(), chain, regrow=opportunities):
                self._made[(opportunities or 0, ref.packs)] = ref
        return self._made[key]


def catalogue(*, random_kills_count: int, seed: int) -> dict[str, Scenario]:
    """Every scenario of the long variant, by name: placed kills of runs and resets, random
    kills of both, faults, two packs, the re-created org, the race, and tag mode."""
    out: dict[str, Scenario] = {}
    for point in RUN_POINTS:
        out[f"kill-resume@{point}"] = _kill(kill_then_resume, Kill(point, crash_at=point))
        out[f"kill-reset@{point}"] = _kill(kill_then_reset, Kill(point, crash_at=point))
    for point in RESET_POINTS:
        out[f"killed-reset@{point}"] = _kill(killed_reset, Kill(point, crash_at=point))
    rng = random.Random(seed)
    for i, kill in enumerate(random_kills(rng, random_kills_count)):
        flow = kill_then_resume if i % 2 == 0 else kill_then_reset
        out[f"{flow.__name__.replace('_then_', '-')}@{kill.label}"] = _kill(flow, kill)
    for kill in random_kills(rng, 4, reset=True):
        out[f"killed-reset@{kill.label}"] = _kill(killed_reset, kill)
    for fault in LONG_FAULTS:
        out[f"fault-{fault.label}"] = _fault(fault)
    for point in ("pending:meeting", "sent:meeting", "sent:scorecard", "sent:answer"):
        out[f"two-packs@{point}"] = _two_packs(Kill(point, crash_at=point))
    out["re-created-org"] = lambda org, refs: recreated_org(
        org, refs.get(opportunities=refs.regrown)
    )
    out["simultaneous"] = lambda org, refs: simultaneous(org, refs.get())
    out["tag-mode uninterrupted"] = _tagged(uninterrupted)
    for point in ("sent:meeting", "sent:email", "sent:answer"):
        kill = Kill(point, crash_at=point)
        out[f"tag-mode kill-resume@{point}"] = _tagged(partial(kill_then_resume, kill=kill))
        out[f"tag-mode kill-reset@{point}"] = _tagged(partial(kill_then_reset, kill=kill))
    return out


BULK = {"salesforce": {"bulk": {"mode": "always", "poll_seconds": 0, "query_min_records": 1}}}
"""The sections that send every write of a run through Bulk API 2.0 jobs, each job read back
through Bulk API 2.0 query jobs (targets/salesforce/bulk_readback.py), and the first reads too."""
BULK_POINTS = ("bulk:job", "bulk:uploaded", "bulk:results")
"""The crash points only the Bulk path has (per kind), besides pending/sent/created."""


def bulk_catalogue(*, random_kills_count: int, seed: int) -> dict[str, Scenario]:
    """The whole catalogue again with every write through Bulk API 2.0 (`bulk ` + its name),
    plus kills at the Bulk path's own points for every kind, and a job the org forgot."""
    out = {
        f"bulk {name}": _bulk(scenario)
        for name, scenario in catalogue(random_kills_count=random_kills_count, seed=seed).items()
    }
    for kind in ("meeting", "email", "call", "invitee", "email_relation", "scorecard", "answer"):
        for point in (f"{p}:{kind}" for p in BULK_POINTS):
            kill = Kill(point, crash_at=point)
            out[f"bulk kill-resume@{point}"] = _bulk(_kill(kill_then_resume, kill))
            out[f"bulk kill-reset@{point}"] = _bulk(_kill(kill_then_reset, kill))
    for point in ("bulk:uploaded:email", "sent:email", "bulk:uploaded:invitee"):
        kill = Kill(point, crash_at=point)
        out[f"bulk job-forgotten@{point}"] = _bulk(_kill(job_forgotten, kill))
    return out


def job_forgotten(org: ChaosOrg, reference: Reference, kill: Kill) -> Outcome:
    """Kill a Bulk run; restart the org (it forgets its jobs) before resuming: the rows the
    ledger ties to the lost job are settled by `find`, by what they are."""
    outcome = Outcome(f"job-forgotten {kill.label}")
    org.serve()
    before = snapshot(org)
    land(org, reference, kill, outcome)
    org.serve()  # a new server process: no job survives
    crashed = org.run_ids()
    if crashed:
        outcome.step("run --run-id", org.run("--run-id", crashed[0]))
    outcome.step("run", org.run())
    outcome.figures = compare(before, snapshot(org), reference.content, org.ledger_rows())
    reset_pack(org, outcome)
    outcome.after_reset = restored(before, snapshot(org))
    return outcome


def _bulk(scenario: Scenario) -> Scenario:
    """`scenario` with every write of every pack through Bulk API 2.0."""

    def bulk(org: ChaosOrg, refs: References) -> Outcome:
        org.base = BULK
        outcome = scenario(org, refs)
        outcome.name = f"bulk {outcome.name}"
        return outcome

    return bulk


def _tagged(flow: Callable[[ChaosOrg, Reference], Outcome]) -> Scenario:
    """The flow with `run.idempotency_mode: tag` (records stamped, writes upserted)."""

    def scenario(org: ChaosOrg, refs: References) -> Outcome:
        org.config(PACK, run={"idempotency_mode": "tag"})
        outcome = flow(org, refs.get())
        outcome.name = f"tag-mode {outcome.name}"
        return outcome

    return scenario


def _kill(flow: Callable[[ChaosOrg, Reference, Kill], Outcome], kill: Kill) -> Scenario:
    return lambda org, refs: flow(org, refs.get(), kill)


def _fault(fault: Fault) -> Scenario:
    return lambda org, refs: faulted(org, refs.get(), fault)


def _two_packs(kill: Kill) -> Scenario:
    return lambda org, refs: two_packs(org, refs.get((PACK, PACK_B)), kill)


def play(
    name: str, scenario: Scenario, refs: References, root: Path, fault_seed: int | None = None
) -> Outcome:
    """Run one scenario on a fresh copy of the org under `root`; the servers always stop.

    Random faults are seeded with `fault_seed`, else CHAOS_FAULT_SEED, else the fault's own
    seed, else one drawn from the name. A scenario with problems is kept (`chaos_harness.keep`).
    """
    forced = fault_seed if fault_seed is not None else seed_override()
    org = ChaosOrg(root / _slug(name), refs.template(), default_seed=scenario_seed(name))
    org.forced_seed = forced
    with org:
        outcome = scenario(org, refs)
    outcome.fault_seeds = list(dict.fromkeys(org.seeds))
    if outcome.problems():
        outcome.kept = keep(org.root, _slug(name), outcome.report())
    return outcome


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80]
