"""The shared vocabulary of the write rules (see `rules`): the record-level error and who writes.

`RecordError` and `Actor` are re-exported by `rules`, the public entry point. Besides them this
module holds the error builders several rule modules raise, the per-transaction index of child
records (`Children`), the `Write` being validated, and the small record helpers (`type_of`,
`stamp`, `blank`) that field checks, object rules and the write pipeline all use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.settings import OrgSettings
from demo_gen.local_org.store.core import Record, Transaction, View


class RecordError(Exception):
    """One record-level failure, as Salesforce reports it."""

    def __init__(
        self, status_code: str, message: str, fields: Sequence[str] = (), http_status: int = 400
    ) -> None:
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.fields = list(fields)
        self.http_status = http_status

    def as_error(self) -> dict[str, Any]:
        """The entry of a REST error array: `{"message", "errorCode", "fields"}`."""
        return {"message": self.message, "errorCode": self.status_code, "fields": list(self.fields)}

    def as_result_error(self) -> dict[str, Any]:
        """The entry of a collection result's `errors`: `{"statusCode", "message", "fields"}`."""
        return {
            "statusCode": self.status_code,
            "message": self.message,
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class Actor:
    """Who writes, when, and under which org settings."""

    user_id: str  # the session user (CreatedById/LastModifiedById/default OwnerId)
    now: datetime  # aware UTC, milliseconds precision
    settings: OrgSettings = OrgSettings()


# --- errors ----------------------------------------------------------------------------------


def read_only_error(name: str) -> RecordError:
    return RecordError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {name}. Please check the security settings of this "
        "field and verify that it is read/write for your profile or permission set.",
        [name],
    )


def required_error(names: Sequence[str]) -> RecordError:
    return RecordError(
        "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", names
    )


def integrity_error(name: str, message: str) -> RecordError:
    return RecordError("FIELD_INTEGRITY_EXCEPTION", message, [name])


def duplicate_error(name: str, owner_id: str) -> RecordError:
    message = f"duplicate value found: {name} duplicates value on record with id: {owner_id[:15]}"
    return RecordError("DUPLICATE_VALUE", message, [name])


# --- finding records -------------------------------------------------------------------------


class Children:
    """Live child records by parent id: committed ones from the store's index, staged ones from
    the transaction's keys (`Transaction.staged`).

    Committed rows cannot change while the transaction is open (`Store.transaction` holds the
    store's write lock), and the index is maintained by each commit, so nothing is rebuilt here.
    """

    def __init__(self, txn: Transaction) -> None:
        self.txn = txn

    def of(self, child: str, field_name: str, parent_id: str) -> list[View]:
        """The live *child* records whose *field_name* is *parent_id*, in their current state."""
        committed = self.txn.store.ids_by_key(child, field_name, parent_id)
        staged = [r["Id"] for r in self.txn.staged(child, field_name, parent_id)]
        out: dict[str, View] = {}
        for child_id in [*committed, *staged]:
            record = self.txn.live(child_id)
            if record is not None and record.get(field_name) == parent_id:
                out[child_id] = record
        return list(out.values())


def type_of(record_id: str | None) -> str | None:
    found = schema.sobject_of_id(record_id) if record_id else None
    return None if found is None else found.name


def sobject_named(name: str) -> SObject:
    return schema.OBJECTS[name.lower()]


# --- the record being written ----------------------------------------------------------------


@dataclass
class Write:
    """One record being written: its new state, its stored state (None on insert), the body."""

    txn: Transaction
    obj: SObject
    record: Record
    old: View | None
    given: tuple[str, ...]  # canonical names of the fields in the body, in body order
    actor: Actor
    children: Children


def stamp(record: Record, actor: Actor, creating: bool) -> None:
    if creating:
        record.update(IsDeleted=False, CreatedDate=actor.now, CreatedById=actor.user_id)
    record.update(LastModifiedDate=actor.now, LastModifiedById=actor.user_id)
    record["SystemModstamp"] = actor.now


def blank(obj: SObject) -> Record:
    return {
        f.name: False if f.type == schema.BOOLEAN and f.default is None else f.default
        for f in obj.fields
    }
