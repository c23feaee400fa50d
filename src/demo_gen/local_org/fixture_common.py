"""What every stage of the seeded org shares: the spec, the batched writer and small helpers.

`FixtureSpec` says what `org init` seeds; `Writer` adds complete records in store transactions of
a few thousand; `system_fields` fills the audit fields; the rest are small deterministic helpers
over a caller's `random.Random` (times of day, weighted decks, ASCII slugs, phone numbers).
`fixtures` re-exports `FixtureSpec` and `ADMIN_USERNAME`.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType
from typing import Any, TypeVar

from demo_gen.local_org import schema
from demo_gen.local_org.store import Record, Store, Transaction

ADMIN_USERNAME = "admin@demo-gen.local"
_BATCH = 5000  # records per SQLite transaction
_T = TypeVar("_T")


@dataclass(frozen=True)
class FixtureSpec:
    """What `org init` seeds. `anchor` is the day the org is laid around (the CLI passes today)."""

    anchor: date
    seed: int = 42
    opportunities: int = 200
    org_name: str = "demo-gen Local Org"
    username: str = ADMIN_USERNAME
    org_serial: int | None = None
    """The counter part of the Organization Id. None gives serial 1 (the same Organization Id
    for the same database generation, as tests want); `org init` passes a random one, so
    every org it creates has a new Organization Id, as a new org or a sandbox refresh has."""


# --- writing ---------------------------------------------------------------------------------


class Writer:
    """Adds complete records in transactions of `batch` records, taking ids from the open one."""

    def __init__(self, store: Store, batch: int = _BATCH) -> None:
        self._store = store
        self._batch = batch
        self._stack = ExitStack()
        self._tx: Transaction | None = None
        self._staged = 0
        self.counts: dict[str, int] = {}
        self._objects: dict[str, tuple[schema.SObject, frozenset[str]]] = {}

    def add(
        self,
        sobject: str,
        values: dict[str, Any],
        *,
        self_created: bool = False,
        record_id: str | None = None,
    ) -> str:
        """Stage one record (every field: given, else the schema default) and return its id.

        *record_id* overrides the next id from the counter (the Organization's own id).
        """
        obj, names = self._object(sobject)
        if not names.issuperset(values):
            raise KeyError(f"{obj.name} has no fields {sorted(set(values) - names)}")
        if self._tx is None:
            self._tx = self._stack.enter_context(self._store.transaction())
        record_id = record_id or self._tx.new_id(obj)
        record = {f.name: values.get(f.name, f.default) for f in obj.fields}
        record["Id"] = record_id
        if self_created:  # the admin user created itself
            record["CreatedById"] = record["LastModifiedById"] = record_id
        self._tx.put(obj, record)
        self.counts[obj.name] = self.counts.get(obj.name, 0) + 1
        self._staged += 1
        if self._staged >= self._batch:
            self.flush()
        return record_id

    def _object(self, sobject: str) -> tuple[schema.SObject, frozenset[str]]:
        found = self._objects.get(sobject)
        if found is None:
            obj = schema.OBJECTS[sobject.lower()]
            found = self._objects[sobject] = (obj, frozenset(f.name for f in obj.fields))
        return found

    def flush(self) -> None:
        self._stack.close()
        self._tx, self._staged = None, 0

    def __enter__(self) -> Writer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.flush()
        else:  # discard the open batch; the store's transaction re-raises
            self._stack.__exit__(kind, exc, tb)
            self._tx = None


def system_fields(created: datetime, modified: datetime, by: str, owner: str | None) -> Record:
    out: Record = {
        "IsDeleted": False,
        "CreatedDate": created,
        "CreatedById": by,
        "LastModifiedDate": modified,
        "LastModifiedById": by,
        "SystemModstamp": modified,
    }
    if owner is not None:
        out["OwnerId"] = owner
    return out


# --- small helpers ---------------------------------------------------------------------------


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def stamp(rng: random.Random, day: date) -> datetime:
    """A whole-second UTC time during *day* (07:00–23:00 UTC)."""
    return midnight(day) + timedelta(seconds=rng.randrange(7 * 3600, 23 * 3600))


def between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    span = int((hi - lo).total_seconds())
    return lo + timedelta(seconds=rng.randrange(span)) if span > 1 else lo


def draw_deck(rng: random.Random, n: int, weights: dict[_T, int], must: Sequence[_T]) -> list[_T]:
    """*n* weighted draws that contain every item of *must* once *n* allows, shuffled."""
    items = list(weights)
    deck = list(must[:n]) + rng.choices(items, [weights[i] for i in items], k=n - min(n, len(must)))
    rng.shuffle(deck)
    return deck


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slug(text: str) -> str:
    """ASCII, lower case, no spaces: 'Köhler' → 'koehler', 'de Vries' → 'devries'."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in folded.lower() if c.isascii() and (c.isalnum() or c == "-"))


def phone(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randrange(10)) if c == "#" else c for c in pattern)


def round_sig(value: float, digits: int) -> int:
    if value <= 0:
        return 0
    scale = 10 ** max(0, int(math.floor(math.log10(value))) - digits + 1)
    return int(round(value / scale) * scale)
