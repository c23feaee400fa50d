"""The write phase's ledger thread: every ledger write of a `LedgerWriter`, off the thread that
feeds the request pool, with what is already known never read again.

The feeding thread queues steps — a batch to record `pending`, or a batch's outcome to record —
gets a future for each, and flushes once per turn of its loop. One thread commits whatever was
flushed in ONE transaction (`StateStore.record_batch`): in a steady run, the outcome of the batch
that came back with the `pending` of the batch that takes its place ahead of the pool. Only
after that commit does it fire the steps' crash points (`pending:KIND`, `created:KIND`) and
resolve their futures, so a batch is sent only once its `pending` is durable, and its outcome
counts as recorded only once committed. The states it commits are kept in memory
(`state_items.Known`): a row this writer made pending is known to be pending, and is not read
again to move it to created.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Self

from demo_gen.faultpoints import crash_point
from demo_gen.ledger.store import ItemRow, StateStore


@dataclass(frozen=True)
class Step:
    """One batch's ledger transition: its rows `pending`, or its outcome."""

    point: str  # the crash point reached once the step is committed
    pending: Sequence[ItemRow] = ()
    created: Mapping[str, str] = field(default_factory=dict)  # signature -> remote id
    failed: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # signature -> (code, msg)
    identities: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    owned: Sequence[ItemRow] = ()  # records the target made for the batch's records


class LedgerThread:
    """One thread that commits queued steps of one target, several per transaction."""

    def __init__(
        self, state: StateStore, target: str, known: dict[str, tuple[str, str | None] | None]
    ) -> None:
        """`known`: what the caller knows of rows (`signature -> (status, remote_id)`, None: no
        row); updated in place after each commit, and read only by this thread meanwhile."""
        self._state = state
        self._target = target
        self._known = known
        self._queue: list[tuple[Step, Future[None]]] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-gen-ledger")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        """Commit what is still queued (the outcomes of batches that came back), then stop."""
        self.flush()
        self._pool.shutdown(wait=True)

    def submit(self, step: Step) -> Future[None]:
        """Queue `step` for the next `flush`; its future resolves once it is committed (or holds
        the error)."""
        done: Future[None] = Future()
        with self._lock:
            self._queue.append((step, done))
        return done

    def flush(self) -> None:
        """Commit every step queued so far, together, on the ledger thread."""
        with self._lock:
            if not self._queue:
                return
        self._pool.submit(self._commit_queued)

    def _commit_queued(self) -> None:
        with self._lock:
            steps, self._queue = self._queue, []
        if not steps:
            return  # an earlier call committed them
        try:
            self._commit([s for s, _ in steps])
        except BaseException as exc:  # handed to the feeding thread, which raises it
            for _, done in steps:
                done.set_exception(exc)
            return
        for _, done in steps:  # first what waits on the commit (the run log's created events)
            done.set_result(None)
        for step, _ in steps:
            crash_point(step.point)

    def _commit(self, steps: Sequence[Step]) -> None:
        pending = [r for s in steps for r in s.pending]
        created = {k: v for s in steps for k, v in s.created.items()}
        failed = {k: v for s in steps for k, v in s.failed.items()}
        identities = {k: v for s in steps for k, v in s.identities.items()}
        owned = [r for s in steps for r in s.owned]
        if created or failed or owned:
            self._state.record_batch(
                self._target, created, failed, identities, owned, pending, self._known
            )
        else:
            self._state.mark_pending(pending, self._known)
        self._known.update({r.signature: ("pending", None) for r in pending})
        self._known.update({s: ("created", i) for s, i in created.items()})
        self._known.update({s: ("failed", None) for s in failed})
        self._known.update({r.signature: ("created", r.remote_id) for r in owned})


def wait_for(committed: Future[None]) -> None:
    """Block until a step is committed; raise what its commit raised."""
    committed.result()
