"""Updates of records demo-gen did not create in this run, tracked as creations are.

A refresh changes records that exist: a passed meeting gets its outcome (its Description, its
invitees' answers) and, with `--advance-stages`, an Opportunity its StageName and Probability.
Each change goes through the same protocol as a creation (DESIGN.md §3):
1. read the fields' current values from the target — the before-values;
2. commit them, with the after-values, as `pending` rows (`state_updates`);
3. send the update; 4. mark the rows `done`.
A crash anywhere leaves either no row (nothing was sent) or a pending row holding the true
before-values; `settle` reads such a record on the next start: holding the after-values, the
row is done; still the before-values, the update never landed and the row is dropped (the run
makes it afresh). A record that already holds the after-values gets a `same` row: nothing is
sent and reset has nothing to restore.

`restore` (reset) puts the before-values back only where the record still holds exactly what
demo-gen wrote; a record changed since is reported and left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from demo_gen.faultpoints import crash_point
from demo_gen.ledger.updates import UpdateLedger, UpdateRow
from demo_gen.targets.base import BATCH_LIMIT, WriteResult

_BATCH = BATCH_LIMIT


class Updatable(Protocol):
    """What a target offers for updates (targets/salesforce/target.py)."""

    @property
    def key(self) -> str: ...

    def read_fields(
        self, record_type: str, ids: Sequence[str], names: Sequence[str]
    ) -> dict[str, dict[str, Any]]: ...

    def update_fields(
        self, record_type: str, changes: Mapping[str, Mapping[str, Any]]
    ) -> list[WriteResult]: ...


@dataclass(frozen=True)
class Change:
    """One update to make: `fields` are the after-values; `key` names it for good."""

    key: str
    record_type: str
    record_id: str
    fields: Mapping[str, Any]


@dataclass
class UpdateCounts:
    done: int = 0
    same: int = 0
    failed: int = 0
    missing: int = 0  # the record is no longer in the target
    restored: int = 0
    kept: int = 0  # reset: changed since demo-gen wrote it, left as it is
    gone: int = 0
    errors: list[str] = field(default_factory=list)

    def asdict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k != "errors" and v}


Event = Callable[..., None]


def _norm(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def same(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether `current` holds every value of `wanted` (numbers and empty text compared loosely)."""
    return all(_norm(current.get(k)) == _norm(v) for k, v in wanted.items())


def apply(
    target: Updatable, ledger: UpdateLedger, run_id: str, changes: Sequence[Change], event: Event
) -> UpdateCounts:
    """Make the `changes` no run has made yet, before-values committed before each batch."""
    counts = UpdateCounts()
    settle(target, ledger, event)
    known = ledger.known(target.key, [c.key for c in changes])
    undone = [k for k, r in known.items() if r.status in ("restored", "gone")]
    ledger.forget(target.key, undone)  # reset took it back: due again, made afresh
    todo = [c for c in changes if c.key not in known or c.key in undone]
    for record_type in sorted({c.record_type for c in todo}):
        group = [c for c in todo if c.record_type == record_type]
        for start in range(0, len(group), _BATCH):
            _batch(target, ledger, run_id, record_type, group[start : start + _BATCH], counts)
    for error in counts.errors:
        event("update.failed", level="error", error=error)
    return counts


def _batch(
    target: Updatable,
    ledger: UpdateLedger,
    run_id: str,
    record_type: str,
    batch: Sequence[Change],
    counts: UpdateCounts,
) -> None:
    names = sorted({name for c in batch for name in c.fields})
    current = target.read_fields(record_type, [c.record_id for c in batch], names)
    rows: list[UpdateRow] = []
    send: dict[str, Mapping[str, Any]] = {}
    keys: dict[str, str] = {}
    for c in batch:
        now = current.get(c.record_id)
        if now is None or c.record_id in send:  # gone, or a second change of it: next run
            counts.missing += now is None
            continue
        before = {name: now.get(name) for name in c.fields}
        status = "same" if same(before, c.fields) else "pending"
        rows.append(UpdateRow(target.key, c.key, run_id, record_type, c.record_id, before,
                              dict(c.fields), status))  # fmt: skip
        counts.same += status == "same"
        if status == "pending":
            send[c.record_id] = c.fields
            keys[c.record_id] = c.key
    ledger.record(rows)  # the before-values are durable before anything is sent
    crash_point(f"update:pending:{record_type}")
    if not send:
        return
    results = target.update_fields(record_type, send)
    crash_point(f"update:sent:{record_type}")
    ok = {keys[rid]: "done" for rid, r in zip(send, results, strict=True) if r.success}
    failed = [(keys[rid], r) for rid, r in zip(send, results, strict=True) if not r.success]
    ledger.mark(target.key, ok)
    ledger.forget(target.key, [key for key, _ in failed])  # not changed: made again next run
    counts.done += len(ok)
    counts.failed += len(failed)
    counts.errors += [f"{key}: {r.error_code} {r.message}" for key, r in failed]


def settle(target: Updatable, ledger: UpdateLedger, event: Event) -> int:
    """Settle pending rows left by a crash (module docstring); how many."""
    rows = ledger.pending(target.key)
    for record_type in sorted({r.record_type for r in rows}):
        group = [r for r in rows if r.record_type == record_type]
        names = sorted({name for r in group for name in r.after})
        current = target.read_fields(record_type, [r.record_id for r in group], names)
        done = {r.key: "done" for r in group if same(current.get(r.record_id) or {}, r.after)}
        dropped = [r.key for r in group if r.key not in done]
        ledger.mark(target.key, done)
        ledger.forget(target.key, dropped)
        event("updates.settled", record_type=record_type, done=len(done), dropped=len(dropped))
    return len(rows)


def restore(target: Updatable, ledger: UpdateLedger, run_id: str, event: Event) -> UpdateCounts:
    """Put back the before-values of the run's updates where the record still holds the
    after-values; report and keep the others. A record the run updated more than once (a
    scorecard over the passes of `live`) walks back through them, newest first, to the values
    it had before the run."""
    counts = UpdateCounts()
    settle(target, ledger, event)
    rows = [r for r in reversed(ledger.of_run(run_id, ("done",))) if r.target == target.key]
    for record_type in sorted({r.record_type for r in rows}):
        group = [r for r in rows if r.record_type == record_type]
        names = sorted({name for r in group for name in r.after})
        current = target.read_fields(record_type, [r.record_id for r in group], names)
        marks, back = _walk_back(group, current, event)
        results = target.update_fields(record_type, back) if back else []
        crash_point(f"restore:sent:{record_type}")
        for (rid, _), result in zip(back.items(), results, strict=True):
            if not result.success:
                for key in [r.key for r in group if r.record_id == rid and r.key in marks]:
                    marks.pop(key)
                counts.failed += 1
                counts.errors.append(f"{rid}: {result.error_code} {result.message}")
        ledger.mark(target.key, marks)
        for status in marks.values():
            setattr(counts, status, getattr(counts, status) + 1)
    return counts


def _walk_back(
    group: Sequence[UpdateRow], current: dict[str, dict[str, Any]], event: Event
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Each row's mark and each record's values to send, the rows taken newest first: a record
    holding a row's after-values takes its before-values, and the next older row of the same
    record is judged against those."""
    origin: dict[str, dict[str, Any]] = {}  # record id -> its values before the run
    for r in group:
        origin.setdefault(r.record_id, {}).update(r.before)  # older rows override newer ones
    marks: dict[str, str] = {}
    back: dict[str, dict[str, Any]] = {}
    for r in group:
        now = current.get(r.record_id)
        if now is None:
            marks[r.key] = "gone"
        elif same(now, r.after):
            back.setdefault(r.record_id, {}).update(r.before)
            current[r.record_id] = {**now, **r.before}
            marks[r.key] = "restored"
        elif same(now, r.before) or same(now, origin[r.record_id]):
            marks[r.key] = "restored"  # an earlier reset restored it and then stopped
        else:
            marks[r.key] = "kept"
            event("reset.update_kept", level="warning", key=r.key, record_id=r.record_id,
                  reason="changed since demo-gen updated it")  # fmt: skip
    return marks, back
