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
    """Deals in the order they are added; each read back as it went in. A context manager."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="demo-gen-plan-")  # noqa: SIM115 (closed by close())
        self._ends = array("q")  # where each deal's blob ends; the previous one's end starts it
        self.bytes = 0

    def add(self, day: OpportunityPlan, whole: OpportunityPlan) -> None:
        """Spill one deal (`whole` is `day` for a run that reveals nothing)."""
        blob = zlib.compress(pickle.dumps((day, whole), pickle.HIGHEST_PROTOCOL), _LEVEL)
        self._file.write(blob)
        self.bytes += len(blob)
        self._ends.append(self.bytes)

    def __len__(self) -> int:
        return len(self._ends)

    def chunks(self, size: int) -> Iterator[list[Deal]]:
        """The deals in order, `size` at a time (at least one)."""
        step = max(size, 1)
        for start in range(0, len(self), step):
            yield [self._read(i) for i in range(start, min(start + step, len(self)))]

    def _read(self, index: int) -> Deal:
        begin = self._ends[index - 1] if index else 0
        self._file.seek(begin)
        blob = self._file.read(self._ends[index] - begin)
        self._file.seek(0, 2)  # later adds go on at the end
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
