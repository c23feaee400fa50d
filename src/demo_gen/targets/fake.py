"""An in-process `Target` with fault knobs, for fast tests of the ledger protocol.

It holds records in a dict and identifies each by the signature it was sent with (as tag mode
on an org, or a calendar's UID, would), so `find` is exact: one unclaimed record with the row's
signature is adopted, none is missing, two are ambiguous. Like an org that makes an Event's
relations, it can make a companion record for each parent (`companions`), which `read_back`
reports for the ledger to own in the batch's commit.

The knobs (`Faults`) place a failure at each step of the protocol: refuse a batch before anything
is stored, store a batch and then die before the answer is recorded (`SimulatedCrash`, a
`BaseException` like Ctrl-C, so nothing catches it on the way), store a batch and lose the
answer (`TransientError`), reject some records of a batch, fail a read-back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from demo_gen.errors import TargetError, TransientError
from demo_gen.ledger.store import ItemRow
from demo_gen.stages.items import EVENT_RELATION, PARENT_KINDS, Capabilities, WorkItem
from demo_gen.targets.base import (
    LedgerView,
    ReadBack,
    Reconciliation,
    Target,
    Verdicts,
    WriteResult,
)

COMPANION = EVENT_RELATION
"""Kind of the record the fake makes by itself for each parent when `companions` is on: an
org-made child, like the relation an org makes for an Event (reset deletes it after its parent)."""


class SimulatedCrash(BaseException):
    """The process died here (between the target's answer and the ledger's commit)."""


@dataclass
class Faults:
    """Failures the next calls meet; each counter is spent one call at a time."""

    refuse: int = 0  # sends that fail before anything is stored (TargetError)
    crash_after_send: int = 0  # sends that store the batch, then the process dies
    lose_response: int = 0  # sends that store the batch, then the answer is lost
    reject: dict[str, str] = field(default_factory=dict)  # signature -> error code
    read_back_fails: int = 0  # read-backs that fail (TargetError)

    def spend(self, name: str) -> bool:
        """True (and one fewer left) when a fault of `name` is due."""
        left: int = getattr(self, name)
        if left <= 0:
            return False
        setattr(self, name, left - 1)
        return True


@dataclass
class Stored:
    """One record the fake holds."""

    signature: str
    kind: str
    fields: dict[str, Any]
    made_by_target: bool = False


class FakeTarget:
    """A `Target` in memory (see the module docstring)."""

    name = "fake"

    def __init__(
        self, key: str = "fake:one", *, kinds: Collection[str] = (), companions: bool = False
    ) -> None:
        self._key = key
        self.kinds = frozenset(kinds)
        self.companions = companions
        self.faults = Faults()
        self.records: dict[str, Stored] = {}
        self.calls = 0
        self.sends = 0
        self._next = 0

    @property
    def key(self) -> str:
        return self._key

    def capabilities(self) -> Capabilities:
        return Capabilities(email_messages=True, tag_fields=False, kinds=self.kinds)

    # -- writing ---------------------------------------------------------------------------

    def send(
        self, batch: Sequence[WorkItem], parent_ids: Mapping[str, str], run_id: str
    ) -> list[WriteResult]:
        self.calls += 1
        if self.faults.spend("refuse"):
            raise TargetError(f"{self._key}: refused the batch")
        results = [self._store(item, parent_ids, run_id) for item in batch]
        self.sends += 1
        if self.faults.spend("crash_after_send"):
            raise SimulatedCrash(f"{self._key}: died after sending {len(batch)} records")
        if self.faults.spend("lose_response"):
            raise TransientError(f"{self._key}: the connection dropped before the answer")
        return results

    def _store(self, item: WorkItem, parent_ids: Mapping[str, str], run_id: str) -> WriteResult:
        code = self.faults.reject.get(item.signature)
        if code is not None:
            return WriteResult(False, None, code, f"rejected {item.signature[:8]}", ("Subject",))
        fields = {**item.record, "run": run_id}
        if item.parent is not None:
            fields["parent"] = parent_ids[item.parent]
        remote_id = self._new_id()
        self.records[remote_id] = Stored(item.signature, item.kind, fields)
        if self.companions and item.kind in PARENT_KINDS:
            self.records[self._new_id()] = Stored(
                companion_signature(item.signature), COMPANION, {"parent": remote_id}, True
            )
        return WriteResult(True, remote_id)

    def _new_id(self) -> str:
        self._next += 1
        return f"F{self._next:06d}"

    # -- reading ---------------------------------------------------------------------------

    def read_back(
        self,
        rows: Sequence[ItemRow],
        *,
        owned_ids: Collection[str] = (),
        verify: bool = False,
        planned: Sequence[ItemRow] = (),
    ) -> ReadBack:
        self.calls += 1
        if self.faults.spend("read_back_fails"):
            raise TargetError(f"{self._key}: read-back failed")
        out = ReadBack()
        for row in rows:
            stored = self.records.get(row.remote_id or "")
            if stored is None or (verify and stored.signature != row.signature):
                continue
            out.identities[row.signature] = {"signature": stored.signature}
            out.records[row.signature] = dict(stored.fields)
            out.owned.extend(self._companions_of(row, owned_ids))
        return out

    def _companions_of(self, row: ItemRow, owned_ids: Collection[str]) -> list[ItemRow]:
        out = []
        for remote_id, stored in list(self.records.items()):  # workers may be adding some
            mine = stored.made_by_target and stored.fields.get("parent") == row.remote_id
            if mine and remote_id not in owned_ids:
                out.append(
                    replace(
                        row,
                        signature=stored.signature,
                        kind=COMPANION,
                        record_type=COMPANION,
                        status="created",
                        remote_id=remote_id,
                        parent_signature=row.signature,
                        identity=None,
                    )
                )
        return out

    def find(self, pending: Sequence[ItemRow], ledger: LedgerView) -> Reconciliation:
        self.calls += 1
        taken = set(ledger.owned_ids(self._key))
        out = Reconciliation()
        for row in pending:
            ids = [i for i, s in self.records.items() if s.signature == row.signature]
            out.owned_elsewhere += sum(1 for i in ids if i in taken)
            free = [i for i in ids if i not in taken]
            if not free:
                out.missing.append(row.signature)
            elif len(free) == 1:
                out.found[row.signature] = free[0]
                taken.add(free[0])
            else:
                out.ambiguous[row.signature] = f"{len(free)} records carry this signature"
        adopted = [
            replace(r, remote_id=out.found[r.signature])
            for r in pending
            if r.signature in out.found
        ]
        back = self.read_back(adopted, owned_ids=taken)
        out.identities, out.org_made = back.identities, back.owned
        return out

    def adopt_missing(self, created: Sequence[ItemRow], ledger: LedgerView) -> list[ItemRow]:
        if not self.companions:
            return []
        parents = [r for r in created if r.kind in PARENT_KINDS and r.remote_id]
        return self.read_back(parents, owned_ids=ledger.owned_ids(self._key), verify=True).owned

    def verify(
        self, rows: Sequence[ItemRow], ledger: LedgerView, *, stamped: bool = False
    ) -> Verdicts:
        self.calls += 1
        out = Verdicts()
        for row in rows:
            stored = self.records.get(row.remote_id or "")
            if stored is None:
                out.gone.append(row)
            elif stored.signature != row.signature:
                out.foreign[row.signature] = f"{row.remote_id} now holds {stored.signature[:8]}"
            else:
                out.same.append(row)
                out.records[row.signature] = dict(stored.fields)
        return out

    def delete(self, rows: Sequence[ItemRow]) -> list[WriteResult]:
        self.calls += 1
        out = []
        for row in rows:
            self.records.pop(row.remote_id or "", None)  # already gone: a success
            out.append(WriteResult(True, row.remote_id))
        return out

    # -- for tests -------------------------------------------------------------------------

    def signatures(self) -> list[str]:
        """The signature of every record held, one per record (duplicates show twice)."""
        return sorted(s.signature for s in self.records.values())

    def impostor(self, remote_id: str) -> None:
        """Put someone else's record under `remote_id` (a re-created destination)."""
        self.records[remote_id] = Stored("someone-else", "meeting", {})


def companion_signature(parent_signature: str) -> str:
    """The ledger identity of the companion record the fake makes for a parent."""
    return hashlib.sha256(f"{parent_signature}/companion".encode()).hexdigest()


def as_target(fake: FakeTarget) -> Target:
    """The fake as the protocol: mypy checks here that it satisfies `Target`."""
    return fake
