"""Bounded memory: the deals go through text → items → writes in chunks, after one plan.

The plan is made whole first (`prepare.plan_step`): deals share one calendar, planned in
CreatedDate-then-id order, so the plan never depends on the chunking. Then, `chunk` deals at a
time in plan order, their text, scorecards and work items are built (`prepare.build`) and
written to every target; the chunk's items, texts and ledger rows are dropped before the next
chunk, so what a run holds grows with the plan, not with its records and their text. Interrupted
writes are settled once, before the first chunk (the ledger protocol, unchanged); each chunk's
writes are the same `writes.create` as an unchunked run's, parents then their links, and a
deal's links only ever hang on its own parents, so a chunk never waits for another.

The API budget is one for the whole run: each chunk may spend what the chunks before it left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from demo_gen.commands.prepare import Planned, Prepared, build
from demo_gen.commands.progress import Progress
from demo_gen.commands.summary import tally
from demo_gen.commands.writes import WritePhase, create, org_made_counts, reconciled_ledger
from demo_gen.stages.plan import OpportunityPlan

CHUNK_DEALS = 500
"""Deals per chunk: large enough that a chunk's last batches are a small share of its calls."""


@dataclass
class Streamed:
    """What the chunks leave: the counts, and each chunk handed to `on_chunk` as it is done."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    chunks: int = 0


def write_in_chunks(
    planned: Planned,
    phases: Sequence[WritePhase],
    chunk: int,
    progress: Progress,
    on_chunk: Callable[[Prepared], None],
) -> Streamed:
    """Build and write the plan's deals `chunk` at a time, to every target of `phases`."""
    ambiguous = {phase.target.key: _settle(phase) for phase in phases}
    budgets = {phase.target.key: phase.max_calls for phase in phases}
    out = Streamed()
    for deals in _chunks(planned.plan.opportunities, chunk):
        part = build(planned, deals, progress)
        for phase in phases:
            key = phase.target.key
            items = part.items[key]
            sigs = [i.signature for i in items]
            ledger = phase.state.items_by_signature(key, sigs)
            step = replace(phase, max_calls=budgets[key])
            outcome = create(step, items, ledger, ambiguous[key].intersection(sigs))
            remaining = budgets[key]
            if remaining is not None:
                budgets[key] = max(remaining - outcome.calls, 0)
            _add(out.counts, tally(items, ledger, outcome))
            _add(out.counts, org_made_counts(step, items, outcome, part.caps[key]))
        on_chunk(part)
        out.chunks += 1
    return out


def _settle(phase: WritePhase) -> set[str]:
    """Settle the target's pending rows once, before anything is sent; the ambiguous ones."""
    _, ambiguous = reconciled_ledger(phase, ())
    return ambiguous


def _chunks(deals: Sequence[OpportunityPlan], size: int) -> Iterator[Sequence[OpportunityPlan]]:
    step = max(size, 1)
    for start in range(0, len(deals), step):
        yield deals[start : start + step]


def _add(total: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for kind, counts in more.items():
        bucket = total.setdefault(kind, {})
        for name, n in counts.items():
            bucket[name] = bucket.get(name, 0) + n
