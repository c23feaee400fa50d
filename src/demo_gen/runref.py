"""Naming a run on the command line: a run id, or `latest` for the newest run in the ledger.

`report` uses it; `status` and `reset` can take the same words through `resolve_run_id`.
"""

from __future__ import annotations

from typing import Protocol

from demo_gen.errors import UsageError
from demo_gen.state import RunRow

LATEST = "latest"


class RunLedger(Protocol):
    """The two reads this needs (StateStore has them)."""

    def get_run(self, run_id: str) -> RunRow | None: ...

    def list_runs(self) -> list[RunRow]: ...


def resolve_run_id(state: RunLedger, ref: str) -> str:
    """The run id `ref` names: `latest` is the newest run; any other word must be a known run.

    An empty ledger or an unknown id is a UsageError (exit 2) with a hint.
    """
    if ref == LATEST:
        runs = state.list_runs()
        if not runs:
            raise UsageError("no runs recorded yet", hint="`demo-gen run -c CONFIG` makes one")
        return runs[0].run_id
    if state.get_run(ref) is None:
        raise UsageError(f"unknown run id: {ref}", hint="`demo-gen status` lists the runs")
    return ref
