"""The ledger protocol, for any target: record pending (commit) → send → record created or
failed (commit).

Batches of up to `BATCH_LIMIT` records of one record type go to `Target.send`, several at once
(`concurrency` workers). A worker sends its batch, then asks the target once (`Target.read_back`)
for the identity snapshots of what it created and for the records it made itself (on an org: an
EmailMessage's Task by its ActivityId, an Event's relations) — while the other workers keep
writing. Every ledger write goes through one ledger thread (ledger/writer_thread.py), never the
thread
that feeds the pool: a batch is sent only once its `pending` rows are committed (the ledger
thread commits up to `concurrency` batches ahead, so a free worker does not wait), and the
batch's ids, snapshots and org-made records are committed together, in one transaction with the
`pending` of the batches queued by then, so nothing the target made for us is ever unowned, even
for an instant the process can die in. The crash points (faultpoints.py) sit here and in the
ledger thread, with the meaning faultpoints.py gives them, so every target is covered by the
same chaos catalogue.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

from demo_gen.commands.progress import NULL_PROGRESS, Progress
from demo_gen.errors import AuthError, LimitError, TargetError, TransientError
from demo_gen.faultpoints import crash_point
from demo_gen.ledger.runlog import RunLog
from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.ledger.writer_thread import LedgerThread, Step, wait_for
from demo_gen.stages.items import WorkItem
from demo_gen.targets.base import BATCH_LIMIT, ReadBack, Target, WriteResult


@dataclass(frozen=True)
class WriteSettings:
    pack: str
    run_id: str
    batch_size: int = BATCH_LIMIT
    concurrency: int = 4
    max_calls: int | None = None  # the API budget left for writes; None = unlimited


@dataclass
class WriteOutcome:
    created: dict[str, str] = field(default_factory=dict)  # signature -> remote id
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)  # signature -> (code, msg)
    deferred: list[str] = field(default_factory=list)  # not sent: the API budget ran out
    owned: dict[str, ItemRow] = field(default_factory=dict)  # records the target made for us
    calls: int = 0


@dataclass(frozen=True)
class Sent:
    """What a worker brings back for one batch: the target's answer and its read-back."""

    results: list[WriteResult]
    back: ReadBack
    read_error: str | None = None  # the read-back failed: left to the catch-up


@dataclass
class _Flight:
    """The batches of one `send` call on their way: to do, committed (or being committed)
    pending ahead of the pool, and in the pool."""

    todo: deque[list[WorkItem]]
    ready: deque[tuple[list[WorkItem], Future[None]]] = field(default_factory=deque)
    running: dict[Future[Sent], list[WorkItem]] = field(default_factory=dict)


class LedgerWriter:
    """Sends work items in batches and keeps the ledger true at every instant."""

    def __init__(
        self,
        target: Target,
        state: StateStore,
        log: RunLog,
        settings: WriteSettings,
        progress: Progress = NULL_PROGRESS,
        planned: Sequence[WorkItem] = (),
        ledger: Mapping[str, ItemRow] | None = None,
    ) -> None:
        """`planned`: the run's items, so a child the target made itself (an invitee the org adds
        with its Event) is adopted, not sent. `ledger`: the planned items' rows as the caller
        just read them (`items_by_signature`); their states are then never read again."""
        self._target = target
        self._state = state
        self._log = log
        self._s = settings
        self._progress = progress
        self._planned = [self._pending_row(i) for i in planned if i.parent is not None]
        self._known: dict[str, tuple[str, str | None] | None] = {}
        if ledger is not None:
            for item in planned:
                row = ledger.get(item.signature)
                self._known[item.signature] = None if row is None else (row.status, row.remote_id)
        self.calls = 0

    def send(self, items: Sequence[WorkItem], parent_ids: Mapping[str, str]) -> WriteOutcome:
        """Create *items*; children take their parent's id from *parent_ids* (signature → id).

        The ledger thread commits each batch `pending` ahead of the pool, so a free worker does
        not wait on the ledger; a worker sends its batch and reads it back; this thread hands
        the outcome to the ledger thread, which commits it with the next batch's `pending`."""
        outcome = WriteOutcome()
        flight = _Flight(deque(_batches(items, self._s.batch_size)))
        self._ledger = LedgerThread(self._state, self._target.key, self._known)
        self._recording: list[Future[None]] = []
        with self._ledger, ThreadPoolExecutor(max_workers=self._s.concurrency) as pool:
            try:
                while flight.todo or flight.ready or flight.running:
                    self._commit_ahead(flight, outcome)
                    self._feed(pool, flight, parent_ids)
                    self._collect(flight, outcome)
                self._ledger.flush()
                for committed in self._recording:
                    wait_for(committed)
            except BaseException:
                for future in flight.running:
                    future.cancel()
                raise
        outcome.calls = self.calls
        return outcome

    def _budget_spent(self, flight: _Flight) -> bool:
        spent = self.calls + len(flight.ready)
        return self._s.max_calls is not None and spent >= self._s.max_calls

    def _commit_ahead(self, flight: _Flight, outcome: WriteOutcome) -> None:
        """Queue `pending` for the next batches (up to `concurrency + 1` of them not sent yet,
        so the batch a free worker takes is already committed), and commit them together with
        the outcomes queued since the last turn. A failed commit of an outcome stops the run."""
        for committed in [f for f in self._recording if f.done()]:
            wait_for(committed)
            self._recording.remove(committed)
        while flight.todo and len(flight.ready) <= self._s.concurrency:
            batch = flight.todo.popleft()
            if self._budget_spent(flight):
                outcome.deferred.extend(i.signature for i in batch)
                continue
            rows = [self._pending_row(item) for item in batch]
            step = Step(f"pending:{batch[0].kind}", pending=rows)
            flight.ready.append((batch, self._ledger.submit(step)))
        self._ledger.flush()

    def _feed(
        self, pool: ThreadPoolExecutor, flight: _Flight, parent_ids: Mapping[str, str]
    ) -> None:
        """Send every batch whose `pending` is committed while a worker is free; with none in
        the pool, wait for the next commit rather than spin."""
        while flight.ready and len(flight.running) < self._s.concurrency:
            batch, committed = flight.ready[0]
            if flight.running and not committed.done():
                return
            wait_for(committed)  # never send what is not durably pending
            flight.ready.popleft()
            self.calls += 1
            future = pool.submit(self._send_and_read, batch, dict(parent_ids))
            flight.running[future] = batch

    def _send_and_read(self, batch: list[WorkItem], parent_ids: Mapping[str, str]) -> Sent:
        """On a worker: send the batch, then read back what it created (an email's Task by its
        ActivityId, an Event's relations) while the other workers keep writing."""
        results = self._target.send(batch, parent_ids, self._s.run_id)
        created = {
            item.signature: result.id
            for item, result in zip(batch, results, strict=True)
            if result.success and result.id
        }
        try:
            return Sent(results, self._read_back(batch, created))
        except TargetError as exc:
            return Sent(results, ReadBack(), str(exc))

    def _collect(self, flight: _Flight, outcome: WriteOutcome) -> None:
        """Wait for a batch to come back (or for the next `pending` commit) and queue the
        outcome of every batch back."""
        if not flight.running:
            return
        free = len(flight.running) < self._s.concurrency
        waiting: list[Future[Any]] = [*flight.running]
        if flight.ready and free:
            waiting.append(flight.ready[0][1])
        done, _ = wait(waiting, return_when=FIRST_COMPLETED)
        for future in [f for f in flight.running if f in done]:
            batch = flight.running.pop(future)
            try:
                sent = future.result()
            except (AuthError, LimitError):
                raise  # the items stay pending; the next run reconciles them
            except TransientError as exc:
                self._unconfirmed(batch, exc, outcome)
                continue
            except TargetError as exc:
                failed = [WriteResult(False, None, "REQUEST_FAILED", str(exc))] * len(batch)
                sent = Sent(failed, ReadBack())
            crash_point(f"sent:{batch[0].kind}")
            self._record_results(batch, sent, outcome)

    def _unconfirmed(
        self, batch: list[WorkItem], exc: TransientError, outcome: WriteOutcome
    ) -> None:
        """No answer we can trust: the records may exist. They stay pending for the next run,
        which reconciles them against the org before sending anything again."""
        outcome.deferred.extend(i.signature for i in batch)
        self._log.event(
            "batch.unconfirmed",
            level="warning",
            sobject=batch[0].record_type,
            records=len(batch),
            error=str(exc),
        )
        self._progress.advance(len(batch))

    def _record_results(self, batch: list[WorkItem], sent: Sent, outcome: WriteOutcome) -> None:
        """Queue the batch's outcome on the ledger thread: ids, snapshots, failures and what the
        target made for it, in one commit (`created:KIND` once it is committed)."""
        created: dict[str, str] = {}
        failed: dict[str, tuple[str, str]] = {}
        made: list[tuple[WorkItem, str]] = []
        for item, result in zip(batch, sent.results, strict=True):
            if result.success and result.id:
                created[item.signature] = result.id
                made.append((item, result.id))
            else:
                code = result.error_code or "UNKNOWN"
                failed[item.signature] = (code, result.message or "")
                self._log_failure(item, result)
        if sent.read_error is not None:
            self._log.event(
                "readback.failed",
                level="warning",
                sobject=batch[0].record_type,
                error=sent.read_error,
            )
        back = sent.back
        step = Step(f"created:{batch[0].kind}", (), created, failed, back.identities, back.owned)
        committed = self._ledger.submit(step)
        committed.add_done_callback(lambda done: self._log_created(done, made, back.owned))
        self._recording.append(committed)
        for row in back.owned:
            outcome.owned[row.signature] = row
        outcome.created.update(created)
        outcome.failed.update(failed)
        self._progress.advance(len(batch))

    def _log_created(
        self, done: Future[None], made: Sequence[tuple[WorkItem, str]], owned: Sequence[ItemRow]
    ) -> None:
        """`item.created` for a batch once the ledger has it (so a record is listed once: a
        crash before the commit leaves it to the next run's reconcile, which lists it)."""
        if done.cancelled() or done.exception() is not None:
            return
        for item, remote_id in made:
            self._log.created(item, remote_id, "demo-gen", self._target.key)
        for row in owned:
            self._log.created(row, row.remote_id, "org", self._target.key)

    def _read_back(self, batch: list[WorkItem], created: Mapping[str, str]) -> ReadBack:
        """Snapshots and org-made records of a batch; a failed read (`TargetError`) leaves them
        to later (the run's end and reset look the org-made records up again by their link)."""
        rows = [
            replace(self._pending_row(i), remote_id=created[i.signature])
            for i in batch
            if i.signature in created
        ]
        return self._target.read_back(rows, planned=self._planned)

    def _log_failure(self, item: WorkItem, result: WriteResult) -> None:
        fields = {
            "opportunity_id": item.opportunity_id,
            "kind": item.kind,
            "signature": item.signature,
            "target": self._target.key,
            "sobject": item.record_type,
            "error_code": result.error_code,
            "message": result.message,
            "fields": list(result.fields),
        }
        self._log.event("item.failed", level="error", **fields)
        self._log.error(**fields)

    def _pending_row(self, item: WorkItem) -> ItemRow:
        return pending_row(item, self._s, self._target.key)


def _batches(items: Sequence[WorkItem], size: int) -> list[list[WorkItem]]:
    """Items grouped by record type (a target takes one type a call), in chunks of *size*."""
    by_type: dict[str, list[WorkItem]] = {}
    for item in items:
        by_type.setdefault(item.record_type, []).append(item)
    out: list[list[WorkItem]] = []
    for group in by_type.values():
        out.extend(group[i : i + size] for i in range(0, len(group), size))
    return out


def pending_row(item: WorkItem, settings: WriteSettings, target: str) -> ItemRow:
    """The pending ledger row of a work item (the REST and the Bulk writers write it alike)."""
    return ItemRow(
        signature=item.signature,
        run_id=settings.run_id,
        pack=settings.pack,
        target=target,
        opportunity_id=item.opportunity_id,
        kind=item.kind,
        record_type=item.record_type,
        status="pending",
        remote_id=None,
        error_code=None,
        error=None,
        parent_signature=item.parent,
        planned_start=item.planned_start,
        subject=item.match_key,
        updated_at="",
    )
