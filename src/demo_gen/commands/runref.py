"""Run references: what a command's RUN_ID argument names.

A run id names itself; `latest` names the newest run (by start time) in the state store, of one
pack (and org) when the caller knows them. For the commands that read or remove what a run made
(report, export, reset) it is the newest run that still owns records: after a rerun that
created nothing, `report latest` draws the run that made the records, not the empty one, and
after `reset latest`, the next `reset latest` names the run before it. Whether a named
run exists is left to the command, which says "unknown run id" in its own words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from demo_gen.errors import UsageError

if TYPE_CHECKING:
    from demo_gen.ledger.store import StateStore

LATEST = "latest"
OWNED = ("created", "pending")
"""Ledger states of a record a run still owns in its target (a reset run owns none)."""


def resolve_run_id(
    state: StateStore,
    ref: str,
    *,
    pack: str | None = None,
    org_id: str | None = None,
    made: bool = False,
) -> str:
    """The run id *ref* names: itself, or for `latest` the newest run of *pack* on *org_id*
    (each filter only when given) — with *made*, the newest that owns records, else the newest;
    UsageError when `latest` finds no run."""
    if ref != LATEST:
        return ref
    runs = [  # newest first
        run.run_id
        for run in state.list_runs()
        if (pack is None or run.pack == pack) and (org_id is None or run.org_id == org_id)
    ]
    if runs and made:
        counts = state.count_by_run()
        owning = {r: sum(n for s, n in counts.get(r, {}).items() if s in OWNED) for r in runs}
        return next((r for r in runs if owning[r]), runs[0])
    if runs:
        return runs[0]
    scope = "".join(
        (f" of pack {pack}" if pack is not None else "", f" on org {org_id}" if org_id else "")
    )
    raise UsageError(
        f"no run{scope} yet: `{LATEST}` names none",
        hint="`demo-gen status` lists the runs; start one with `demo-gen run -c CONFIG`",
    )


def resolve_at(state_url: str, ref: str, *, pack: str | None = None, made: bool = False) -> str:
    """`resolve_run_id` against the state store at *state_url*, opened (read-only) only for
    `latest`."""
    if ref != LATEST:
        return ref
    from demo_gen.ledger.store import StateStore

    with StateStore.open_readonly(state_url) as state:
        return resolve_run_id(state, ref, pack=pack, made=made)
