"""The ledger protocol, for any target: record pending (commit) → send → record created or
failed (commit).

Batches of up to `BATCH_LIMIT` records of one record type go to `Target.send`, several at once;
the ledger is only ever written from the calling thread. After each batch the target is asked once
(`Target.read_back`) for the identity snapshots of what it created and for the records it made
itself (on an org: an EmailMessage's Task, an Event's relations); the batch's ids, snapshots and
those records are committed together, so nothing the target made for us is ever unowned, even
for an instant the process can die in. The crash points (faultpoints.py) sit here, so every
target is covered by the same chaos catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace

from demo_gen.errors import AuthError, LimitError, TargetError, TransientError
from demo_gen.faultpoints import crash_point
from demo_gen.items import WorkItem
from demo_gen.progress import NULL_PROGRESS, Progress
from demo_gen.runlog import RunLog
from demo_gen.state import ItemRow, StateStore
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
    ) -> None:
        """`planned`: the run's items, so a child the target made itself (an invitee the org adds
        with its Event) is adopted, not sent."""
        self._target = target
        self._state = state
        self._log = log
        self._s = settings
        self._progress = progress
        self._planned = [self._pending_row(i) for i in planned if i.parent is not None]
        self.calls = 0

    def send(self, items: Sequence[WorkItem], parent_ids: Mapping[str, str]) -> WriteOutcome:
        """Create *items*; children take their parent's id from *parent_ids* (signature → id)."""
        outcome = WriteOutcome()
        batches = _batches(items, self._s.batch_size)
        with ThreadPoolExecutor(max_workers=self._s.concurrency) as pool:
            running: dict[Future[list[WriteResult]], list[WorkItem]] = {}
            try:
                for batch in batches:
                    if self._budget_spent():
                        outcome.deferred.extend(i.signature for i in batch)
                        continue
                    while len(running) >= self._s.concurrency:
                        self._collect(running, outcome)
                    running[self._submit(pool, batch, parent_ids)] = batch
                while running:
                    self._collect(running, outcome)
            except BaseException:
                for future in running:
                    future.cancel()
                raise
        outcome.calls = self.calls
        return outcome

    def _budget_spent(self) -> bool:
        return self._s.max_calls is not None and self.calls >= self._s.max_calls

    def _submit(
        self, pool: ThreadPoolExecutor, batch: list[WorkItem], parent_ids: Mapping[str, str]
    ) -> Future[list[WriteResult]]:
        self._state.mark_pending([self._pending_row(item) for item in batch])
        crash_point(f"pending:{batch[0].kind}")
        self.calls += 1
        return pool.submit(self._target.send, batch, dict(parent_ids), self._s.run_id)

    def _collect(
        self,
        running: dict[Future[list[WriteResult]], list[WorkItem]],
        outcome: WriteOutcome,
    ) -> None:
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in done:
            batch = running.pop(future)
            try:
                results = future.result()
            except (AuthError, LimitError):
                raise  # the items stay pending; the next run reconciles them
            except TransientError as exc:
                self._unconfirmed(batch, exc, outcome)
                continue
            except TargetError as exc:
                results = [WriteResult(False, None, "REQUEST_FAILED", str(exc))] * len(batch)
            crash_point(f"sent:{batch[0].kind}")
            self._record_results(batch, results, outcome)
            crash_point(f"created:{batch[0].kind}")

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

    def _record_results(
        self, batch: list[WorkItem], results: list[WriteResult], outcome: WriteOutcome
    ) -> None:
        created: dict[str, str] = {}
        failed: dict[str, tuple[str, str]] = {}
        for item, result in zip(batch, results, strict=True):
            if result.success and result.id:
                created[item.signature] = result.id
                self._log.created(item, result.id, "demo-gen", self._target.key)
            else:
                code = result.error_code or "UNKNOWN"
                failed[item.signature] = (code, result.message or "")
                self._log_failure(item, result)
        back = self._read_back(batch, created)
        self._state.record_batch(self._target.key, created, failed, back.identities, back.owned)
        for row in back.owned:
            self._log.created(row, row.remote_id, "org", self._target.key)
            outcome.owned[row.signature] = row
        outcome.created.update(created)
        outcome.failed.update(failed)
        self._progress.advance(len(batch))

    def _read_back(self, batch: list[WorkItem], created: Mapping[str, str]) -> ReadBack:
        """Snapshots and org-made records of a batch; a failed read leaves them to later
        (the run's end and reset look the org-made records up again by their link)."""
        rows = [
            replace(self._pending_row(i), remote_id=created[i.signature])
            for i in batch
            if i.signature in created
        ]
        try:
            return self._target.read_back(rows, planned=self._planned)
        except TargetError as exc:
            self._log.event(
                "readback.failed", level="warning", sobject=batch[0].record_type, error=str(exc)
            )
            return ReadBack()

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
        return ItemRow(
            signature=item.signature,
            run_id=self._s.run_id,
            pack=self._s.pack,
            target=self._target.key,
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


def _batches(items: Sequence[WorkItem], size: int) -> list[list[WorkItem]]:
    """Items grouped by record type (a target takes one type a call), in chunks of *size*."""
    by_type: dict[str, list[WorkItem]] = {}
    for item in items:
        by_type.setdefault(item.record_type, []).append(item)
    out: list[list[WorkItem]] = []
    for group in by_type.values():
        out.extend(group[i : i + size] for i in range(0, len(group), size))
    return out
