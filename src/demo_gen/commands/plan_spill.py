"""A run's plan on disk: each deal's plans, pickled and compressed as soon as they are made, read
back a chunk of deals at a time (commands/stream.py).

Planning books every deal into one shared calendar (stages/planner.py), so the plan is made
whole, in one pass, and chunking it would change it; but once a deal's plans are made nothing
else needs them until its chunk is built. `PlanSpill` keeps them in an anonymous temporary file
(gone when the spill is closed or the process ends): per deal, one zlib-compressed pickle of its
plan on the day and its whole story (`prepare.Planned.plan` and `.whole`), which share their
Opportunity and most items, so a deal costs a few kilobytes of disk and a few bytes of memory.
A deal read back is equal to the one spilled (`test_plan_spill.py`).
"""

from __future__ import annotations

import pickle
import tempfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import replace
from typing import IO

from demo_gen.commands.prepare import Planned
from demo_gen.stages.plan import OpportunityPlan

Deal = tuple[OpportunityPlan, OpportunityPlan]
"""One deal's plan on the day and its whole story."""

_LEVEL = 1  # zlib: the fastest level already takes a deal's pickle to about a fifth


class PlanSpill:
    """Deals by place (added at the end, or `put` in a place `slots` made ready); each read
    back as it went in, in place order. A context manager."""

    def __init__(self, slots: int = 0) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="demo-gen-plan-")  # noqa: SIM115 (closed by close())
        self._start = array("q", [0]) * slots  # where each deal's blob begins in the file
        self._size = array("q", [-1]) * slots  # and how long it is (-1: a place not filled yet)
        self.bytes = 0

    def add(self, day: OpportunityPlan, whole: OpportunityPlan) -> None:
        """Spill one deal in a new last place (`whole` is `day` for a run that reveals nothing)."""
        self._start.append(0)
        self._size.append(-1)
        self.put(len(self) - 1, day, whole)

    def put(self, place: int, day: OpportunityPlan, whole: OpportunityPlan) -> None:
        """Spill one deal in `place` (one of the `slots`, or one `add` made)."""
        blob = zlib.compress(pickle.dumps((day, whole), pickle.HIGHEST_PROTOCOL), _LEVEL)
        self._file.seek(0, 2)  # blobs go on at the end, whatever was read since
        self._start[place], self._size[place] = self.bytes, len(blob)
        self._file.write(blob)
        self.bytes += len(blob)

    def __len__(self) -> int:
        return len(self._size)

    def chunks(self, size: int) -> Iterator[list[Deal]]:
        """The deals in place order, `size` at a time (at least one)."""
        step = max(size, 1)
        for start in range(0, len(self), step):
            yield [self.get(i) for i in range(start, min(start + step, len(self)))]

    def get(self, place: int) -> Deal:
        """The deal in `place`, as it went in."""
        if self._size[place] < 0:
            raise IndexError(f"no deal was spilled in place {place}")
        self._file.seek(self._start[place])
        blob = self._file.read(self._size[place])
        deal: Deal = pickle.loads(zlib.decompress(blob))  # our own file, written above
        return deal

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PlanSpill:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def spill_plan(planned: Planned) -> tuple[Planned, PlanSpill]:
    """Every deal of `planned` spilled, in plan order; and `planned` without its deals and the
    org's Events (what only the realism figures read, computed before)."""
    spill = PlanSpill()
    wholes = {op.opportunity.id: op for op in planned.whole.opportunities}
    for op in planned.plan.opportunities:
        spill.add(op, wholes.pop(op.opportunity.id))
    plan = replace(planned.plan, opportunities=(), events=())
    whole = replace(planned.whole, opportunities=(), events=())
    return replace(planned, plan=plan, whole=whole), spill
