"""The seam between demo-gen and the places it writes to: the `Target` protocol.

A target is one destination — a Salesforce org, a seller's CalDAV calendar, a folder of ICS or
JSONL files, the in-process fake of the tests. Everything above it (the runner, the write phase,
reset, status) talks to targets through this protocol only, and the ledger keys every row by
`(target.key, signature)`, so one pack may write the same plan to several targets and reset each
one on its own.

The ledger protocol (docs/architecture.md) is driven by `ledger_writes.LedgerWriter`, never by a
target: the writer records a batch `pending` (commit), calls `Target.send`, and records what came
back `created`/`failed` together with `Target.read_back` (commit). A target therefore only has to

- say what it holds (`capabilities`) and under which key its rows live (`key`);
- `send` one batch and answer per record, in order; raise `TransientError` when the answer cannot
  be trusted (the records may exist: they stay pending), `AuthError`/`LimitError` to stop the run;
- `find` what pending rows became (a write that died between send and commit), never guessing:
  an ambiguous match is reported, not adopted;
- `read_back` created rows: their identity snapshots and the records the destination made for
  them on its own (owned at once, in the same commit);
- `verify` rows against what the destination now holds under their ids, and `delete` ids —
  reset deletes only rows `verify` found to be still ours.

Every value here is target-neutral: ids are the target's own (`remote_id`), `record_type` is the
target's word for what a record is (an sObject, "VEVENT", a file table).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from demo_gen.config.model import MAX_BATCH
from demo_gen.ledger.store import ItemRow
from demo_gen.stages.items import Capabilities, WorkItem

BATCH_LIMIT = MAX_BATCH
"""The most records one `send`, `read_back`, `verify` or `delete` call is given (sObject
Collections take 200; a target with a smaller limit chunks inside)."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The outcome of one record of a batch, in input order."""

    success: bool
    id: str | None
    error_code: str | None = None
    message: str | None = None
    fields: tuple[str, ...] = ()


@dataclass
class ReadBack:
    """What reading created rows back found."""

    identities: dict[str, dict[str, Any]] = field(default_factory=dict)  # signature -> snapshot
    owned: list[ItemRow] = field(default_factory=list)  # records the target made for these
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # signature -> record
    task_relations: bool | None = None  # Salesforce: whether the org made TaskRelation rows


@dataclass
class Reconciliation:
    """What pending rows became: each is found, missing, or (ambiguous) left pending."""

    found: dict[str, str] = field(default_factory=dict)  # signature -> remote id
    missing: list[str] = field(default_factory=list)  # not there: safe to send again
    ambiguous: dict[str, str] = field(default_factory=dict)  # signature -> why (left pending)
    owned_elsewhere: int = 0  # identity matches another ledger row holds (never adopted)
    org_made: list[ItemRow] = field(default_factory=list)  # the adopted records' own records
    identities: dict[str, dict[str, Any]] = field(default_factory=dict)  # of the adopted


@dataclass
class Verdicts:
    """What the target holds under a group of ledger rows' ids."""

    same: list[ItemRow] = field(default_factory=list)  # still the record the row made
    foreign: dict[str, str] = field(default_factory=dict)  # signature -> why it is not
    gone: list[ItemRow] = field(default_factory=list)  # no live record under the id
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # signature -> record
    unstamped: set[str] = field(default_factory=set)  # of `foreign`: the run stamp differs


class LedgerView(Protocol):
    """The read-only part of the ledger a target may consult (the `StateStore` is one)."""

    def items_by_signature(self, target: str, signatures: Sequence[str]) -> dict[str, ItemRow]:
        """The rows of those signatures known under `target`."""
        ...

    def owned_ids(self, target: str) -> dict[str, str]:
        """`remote_id -> signature` of every id any row under `target` holds."""
        ...


@runtime_checkable
class Target(Protocol):
    """A destination demo-gen writes to under the ledger protocol (see the module docstring)."""

    @property
    def name(self) -> str:
        """The kind of destination: "salesforce", "caldav", "ics", "files", "fake"."""
        ...

    @property
    def key(self) -> str:
        """The ledger key of this destination, part of every row's key: "salesforce:<org id>",
        "caldav:<server>", … Stable across runs; another org or server is another key."""
        ...

    @property
    def calls(self) -> int:
        """Requests this target made so far (for the summary)."""
        ...

    def capabilities(self) -> Capabilities:
        """What it can hold (`Capabilities.kinds`) and how; may refuse to start (TargetError)."""
        ...

    def send(
        self, batch: Sequence[WorkItem], parent_ids: Mapping[str, str], run_id: str
    ) -> list[WriteResult]:
        """Create one batch (≤ `BATCH_LIMIT` items of one `record_type`); children take their
        parent's remote id from `parent_ids` (signature -> id). One result per item, in order.

        Raises `TransientError` when it cannot tell what was created, `AuthError`/`LimitError`
        to stop the run; any other `TargetError` fails the whole batch."""
        ...

    def read_back(
        self,
        rows: Sequence[ItemRow],
        *,
        owned_ids: Collection[str] = (),
        verify: bool = False,
        planned: Sequence[ItemRow] = (),
    ) -> ReadBack:
        """Identity snapshots of created `rows` (one record type, each with its remote id) and
        the records the target made for them that no row holds yet (`owned_ids`). `verify`:
        take nothing from a record that is no longer the one its row made. `planned`: rows not
        sent yet; a record the target made itself that is one of them (an invitee the org adds
        with its Event) is owned under that row's signature, so it is never sent twice."""
        ...

    def find(self, pending: Sequence[ItemRow], ledger: LedgerView) -> Reconciliation:
        """What each pending row became, by the target's own identity of a record; ids any
        ledger row holds are never adopted. Records nothing: the caller commits the result."""
        ...

    def adopt_missing(self, created: Sequence[ItemRow], ledger: LedgerView) -> list[ItemRow]:
        """Records the target made for `created` rows that the ledger lacks (a batch whose
        read-back failed), as created rows to own; none where the target makes none."""
        ...

    def verify(
        self, rows: Sequence[ItemRow], ledger: LedgerView, *, stamped: bool = False
    ) -> Verdicts:
        """Read the records under `rows`' remote ids and compare each with its row; `stamped`:
        also check the run stamp the target wrote on them, where it writes one (reset)."""
        ...

    def delete(self, rows: Sequence[ItemRow]) -> list[WriteResult]:
        """Delete the records under `rows`' remote ids; a record already gone is a success.
        Only called with rows `verify` found to be `same`."""
        ...
