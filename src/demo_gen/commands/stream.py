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

from demo_gen.commands.plan_spill import PlanSpill
from demo_gen.commands.prepare import Planned, Prepared, build
from demo_gen.commands.progress import Progress
from demo_gen.commands.stream_bulk import BulkSpan
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
    spill: PlanSpill | None = None,
) -> Streamed:
    """Build and write the plan's deals `chunk` at a time, to every target of `phases` (read
    back from `spill` when the plan was spilled: `planned` then holds no deal)."""
    ambiguous = {phase.target.key: _settle(phase) for phase in phases}
    budgets = {phase.target.key: phase.max_calls for phase in phases}
    total = _count_chunks(planned, spill, chunk)
    spans = {phase.target.key: BulkSpan(phase, total) for phase in phases}
    out = Streamed()
    try:
        _stream(planned, phases, chunk, progress, on_chunk, spill, ambiguous, budgets, spans, out)
        for phase in phases:  # the spooled Bulk writes: one job per record type and level
            counts, _ = spans[phase.target.key].flush(budgets[phase.target.key])
            _add(out.counts, counts)
    finally:
        for span in spans.values():
            span.close()
    return out


def _stream(
    planned: Planned,
    phases: Sequence[WritePhase],
    chunk: int,
    progress: Progress,
    on_chunk: Callable[[Prepared], None],
    spill: PlanSpill | None,
    ambiguous: dict[str, set[str]],
    budgets: dict[str, int | None],
    spans: dict[str, BulkSpan],
    out: Streamed,
) -> None:
    """The chunks, each built, written or spooled to every target, then handed to `on_chunk`."""
    for deals, wholes in _chunks(planned, spill, chunk):
        part = build(planned, deals, progress, wholes)
        del deals, wholes  # the chunk's plans live in `part` only, and go with it
        for phase in phases:
            key = phase.target.key
            remaining = budgets[key]
            step = replace(phase, max_calls=remaining)
            counts = _write(step, part, ambiguous[key], spans[key])
            calls = counts.pop(_CALLS)["n"]
            if remaining is not None:
                budgets[key] = max(remaining - calls, 0)
            _add(out.counts, counts)
        on_chunk(part)
        del part  # before the next chunk is built: one chunk's texts and items at a time
        out.chunks += 1


_CALLS = "_calls"


def _write(
    step: WritePhase, part: Prepared, ambiguous: set[str], span: BulkSpan
) -> dict[str, dict[str, int]]:
    """One chunk written to one target (or spooled for the run's Bulk jobs): its counts, and
    the calls it made under `_CALLS`."""
    key = step.target.key
    items = part.items[key]
    sigs = [i.signature for i in items]
    ledger = step.state.items_by_signature(key, sigs)
    spooled = span.take(items, ledger, ambiguous, part.caps[key])
    if spooled is not None:
        spooled[_CALLS] = {"n": 0}
        return spooled
    outcome = create(step, items, ledger, ambiguous.intersection(sigs))
    counts: dict[str, dict[str, int]] = {}
    _add(counts, tally(items, ledger, outcome))
    _add(counts, org_made_counts(step, items, outcome, part.caps[key]))
    counts[_CALLS] = {"n": outcome.calls}
    return counts


def _settle(phase: WritePhase) -> set[str]:
    """Settle the target's pending rows once, before anything is sent; the ambiguous ones."""
    _, ambiguous = reconciled_ledger(phase, ())
    return ambiguous


def _count_chunks(planned: Planned, spill: PlanSpill | None, size: int) -> int:
    deals = len(spill) if spill is not None else len(planned.plan.opportunities)
    return max(-(-deals // max(size, 1)), 1)


def _chunks(
    planned: Planned, spill: PlanSpill | None, size: int
) -> Iterator[tuple[Sequence[OpportunityPlan], Sequence[OpportunityPlan] | None]]:
    """(plans on the day, whole stories or None: look them up in `planned.whole`), a chunk at
    a time, in plan order."""
    if spill is not None:
        for pairs in spill.chunks(size):
            yield [day for day, _ in pairs], [whole for _, whole in pairs]
        return
    deals = planned.plan.opportunities
    step = max(size, 1)
    for start in range(0, len(deals), step):
        yield deals[start : start + step], None


def _add(total: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for kind, counts in more.items():
        bucket = total.setdefault(kind, {})
        for name, n in counts.items():
            bucket[name] = bucket.get(name, 0) + n
