"""Bulk API 2.0 jobs that span a streamed run's chunks (docs/adr/0010-bulk-jobs-span-the-run.md).

A job takes one upload, so a run that wrote each 500-deal chunk in its own jobs paid a job per
record type and level per chunk (ADR 0008: about 20 requests per 10,000 records at 9,029 deals).
Instead, once a run chooses Bulk for a Salesforce target (decided once, on the first chunk that
has something to write, for the records the run would write at that chunk's rate), each chunk's
items to send are spooled to disk (`ledger/bulk_spool.py`) and nothing is sent; after the last
chunk the spool is written in one job per record type and level (`ledger/bulk_span.py`). The
ledger is touched only then, so a run killed while spooling has sent and marked nothing.

A run that chooses REST collections, or a target that is not Salesforce, writes each chunk as
before (`writes.create`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from demo_gen.commands.summary import tally
from demo_gen.commands.writes import WritePhase, write_settings
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.bulk_span import SpanWriter, record_columns
from demo_gen.ledger.bulk_spool import BulkSpool
from demo_gen.ledger.store import ItemRow, created_ids
from demo_gen.ledger.writer import WriteOutcome
from demo_gen.stages.items import (
    EMAIL,
    EMAIL_TASK,
    SCORECARD,
    Capabilities,
    WorkItem,
    email_task_signature,
    scorecard_label,
)
from demo_gen.targets.salesforce.bulk import choose
from demo_gen.targets.salesforce.target import SalesforceTarget

Counts = dict[str, dict[str, int]]


class BulkSpan:
    """One target's writes in a run of `chunks` chunks: spooled for run-wide jobs once the run
    chooses Bulk, else left to each chunk (`take` answers None)."""

    def __init__(self, phase: WritePhase, chunks: int) -> None:
        self._phase = phase
        self._chunks = max(chunks, 1)
        self._decided = not isinstance(phase.target, SalesforceTarget)
        self.spool: BulkSpool | None = None
        self._labels: dict[str, str] = {}  # a spooled scorecard's label -> its signature
        self.seen = 0  # chunks taken

    def take(
        self,
        items: Sequence[WorkItem],
        ledger: Mapping[str, ItemRow],
        ambiguous: Collection[str],
        caps: Capabilities,
    ) -> Counts | None:
        """Spool the chunk's items to send and count the rest; None: write the chunk now."""
        self.seen += 1
        done = created_ids(ledger)
        todo = [i for i in items if i.signature not in done and i.signature not in ambiguous]
        if not self._decided and todo:
            self._decide(todo)
        if self.spool is None:
            return None
        target = self._phase.target
        assert isinstance(target, SalesforceTarget)
        run_id = self._phase.run_id
        self.spool.add(todo, lambda item: record_columns(target, item, run_id))
        self._labels.update((i.label, i.signature) for i in todo if i.kind == SCORECARD)
        crash_point("bulk:spooled")
        outcome = WriteOutcome(deferred=sorted(_sigs(items).intersection(ambiguous)))
        counts = tally(items, ledger, outcome)
        if caps.email_messages:
            counts[EMAIL_TASK] = _known_tasks(self._phase, items)
        return counts

    def _decide(self, todo: Sequence[WorkItem]) -> None:
        """Bulk or REST for the whole run, from the first chunk with writes: once, logged."""
        self._decided = True
        phase = self._phase
        assert isinstance(phase.target, SalesforceTarget)
        estimate = len(todo) * self._chunks
        jobs = len({i.record_type for i in todo})
        bulk, why = choose(estimate, phase.target.bulk_settings, phase.max_calls, jobs)
        if not bulk:
            return  # each chunk decides as before (writes.create → write_path.writer_for)
        phase.log.event("write.path", path="bulk", records=estimate, reason=why,
                        chunks=self._chunks, spans_run=True)  # fmt: skip
        many = "" if self._chunks == 1 else f"about {self._chunks} chunks × {len(todo)}, "
        phase.progress.note(
            f"writing {many}{estimate} records through Bulk API 2.0, one job per record type "
            f"for the run: {why}"
        )
        self.spool = BulkSpool()

    def flush(self, max_calls: int | None) -> tuple[Counts, int]:
        """Write the spool in run-wide jobs: (counts by kind, API requests)."""
        if self.spool is None:
            return {}, 0
        phase = replace(self._phase, max_calls=max_calls)
        assert isinstance(phase.target, SalesforceTarget)
        writer = SpanWriter(
            phase.target, phase.state, phase.log, write_settings(phase), phase.progress
        )
        with self.spool as spool:
            phase.log.event("bulk.spooled", records=sum(spool.counts.values()),
                            bytes=spool.bytes_on_disk(), chunks=self.seen)  # fmt: skip
            writer.write(spool)
        self.spool = None
        counts = writer.counts
        made = writer.owned
        if made[EMAIL_TASK]:
            counts[EMAIL_TASK] = {"created": made[EMAIL_TASK], "skipped": 0, "failed": 0,
                                  "deferred": 0}  # fmt: skip
        for kind in ("event_relation", "task_relation"):
            if made[kind]:
                counts[kind] = {"created": made[kind], "skipped": 0, "failed": 0, "deferred": 0}
        self._fill_scorecard_ids()
        return counts, writer.calls

    def close(self) -> None:
        """Drop the spool of a run that stopped before its flush (its files go with it)."""
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def _fill_scorecard_ids(self) -> None:
        """scorecards.jsonl was written chunk by chunk before its cards' records existed: fill
        in the ids of the cards this run created."""
        path = self._phase.log.path / "scorecards.jsonl"
        if not self._labels or not path.exists():
            return
        phase = self._phase
        cards = list(self._labels.values())
        ids = created_ids(phase.state.items_by_signature(phase.target.key, cards))
        filled = path.with_name(path.name + ".filling")
        with path.open(encoding="utf-8") as src, filled.open("w", encoding="utf-8") as out:
            for line in src:
                card = json.loads(line)
                if card.get("sf_id") is None:
                    label = scorecard_label(card["opportunity_id"], card["template"])
                    card["sf_id"] = ids.get(self._labels.get(label, ""))
                    line = json.dumps(card, default=str) + "\n"
                out.write(line)
        filled.replace(path)


def _sigs(items: Sequence[WorkItem]) -> set[str]:
    return {i.signature for i in items}


def _known_tasks(phase: WritePhase, items: Sequence[WorkItem]) -> dict[str, int]:
    """The email Tasks of the chunk's emails the ledger holds already (skipped)."""
    tasks = [email_task_signature(i.signature) for i in items if i.kind == EMAIL]
    known = created_ids(phase.state.items_by_signature(phase.target.key, tasks))
    return {"created": 0, "skipped": len(known), "failed": 0, "deferred": 0}
