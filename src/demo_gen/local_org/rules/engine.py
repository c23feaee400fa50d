"""What a real org enforces and derives when records are created, updated, upserted and deleted.

The HTTP layer parses JSON and calls `insert`, `update`, `upsert`, `delete`/`delete_many` and
`lookup_id` inside a store transaction. Each call validates everything before it stages anything,
so a failure leaves the transaction exactly as it was (changes and id counters), and raises the
first `RecordError` found, checking in this order: unknown field → read-only field → value type →
required → restricted picklist → length → email format → references → object rules → uniqueness.

Errors (http 400 unless noted; `{Label}` is `Field.label`, `{Field}` the API name; fields in []):

    INVALID_FIELD                     No such column 'Foo' on sobject of type Contact  []
    INVALID_FIELD_FOR_INSERT_UPDATE   Unable to create/update fields: X. Please check the security
                                      settings of this field and verify ...  [X]
    JSON_PARSER_ERROR                 Cannot deserialize instance of boolean from VALUE_STRING value
      (any value of the wrong type)   x or request may be missing a required field  []
    REQUIRED_FIELD_MISSING            Required fields are missing: [A, B]  [A, B]
    INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST  {Label}: bad value for restricted picklist field: X
    STRING_TOO_LONG                   {Label}: data value too large: {X[:40]}... (max length=n)
    INVALID_EMAIL_ADDRESS             {Label}: invalid email address: X  [Field]
    MALFORMED_ID (reference field)    {Label}: id value of incorrect type: X  [Field]
    MALFORMED_ID (id in a URL)        malformed id X  []
    FIELD_INTEGRITY_EXCEPTION         {Label}: id value of incorrect type: X  [Field]
    INVALID_CROSS_REFERENCE_KEY       invalid cross reference id  []
    DUPLICATE_VALUE                   duplicate value found: {Field} duplicates value on record
                                      with id: {id15}  [Field]
    NOT_FOUND (404)                   The requested resource does not exist  []
    ENTITY_IS_DELETED (404)           entity is deleted  []

Object rules raise FIELD_INTEGRITY_EXCEPTION / REQUIRED_FIELD_MISSING / DUPLICATE_VALUE with the
messages in `rules_objects` (wordings of Event duration and EventRelation limits are approximate).

Decisions: an empty string is stored as null (as Salesforce does); restricted picklist values match
case-insensitively and are stored in their canonical spelling; deleting an EmailMessage deletes
its Task (ActivityId) and deleting that Task deletes the EmailMessage (`_email_activity`); an
update body may repeat the record's own `Id` (collections carry it); upsert by `Id` only updates
(a missing id is NOT_FOUND); a timed Event's ActivityDate is always re-derived from its start
(UTC), whatever the body says.

Child look-ups (cascades, EventRelation limits, primary contact roles) read the store's lookup
index for committed rows and the transaction's keys for staged ones (`Children`): that relies on
nothing else committing while it is open (`Store.transaction` holds the store's write lock).

The work is split by responsibility: `rules_base` (the shared error type, `Actor` and helpers),
`rules_fields` (generic field validation) and `rules_objects` (per-object rules and side
effects); this module is the entry point and the write pipeline that ties them together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from demo_gen.local_org import ids
from demo_gen.local_org.rules import audit as rules_audit
from demo_gen.local_org.rules import relations as rules_relations
from demo_gen.local_org.rules.base import (
    Actor,
    Children,
    RecordError,
    Write,
    blank,
    read_only_error,
    sobject_named,
    stamp,
    type_of,
)
from demo_gen.local_org.rules.fields import (
    check_unique,
    check_values,
    checked_reference,
    coerce,
    find_external,
    lower,
    parse_body,
)
from demo_gen.local_org.rules.objects import (
    EFFECTS,
    MAX_EVENT_CONTACTS,
    MAX_EVENT_MINUTES,
    PROBABILITY_BY_STAGE,
    RULES,
    Staged,
)
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.store.core import Transaction, View

__all__ = [
    "MAX_EVENT_CONTACTS",
    "MAX_EVENT_MINUTES",
    "NOT_FOUND_MESSAGE",
    "PROBABILITY_BY_STAGE",
    "Actor",
    "RecordError",
    "Staged",
    "delete",
    "delete_many",
    "insert",
    "lookup_id",
    "update",
    "upsert",
]

NOT_FOUND_MESSAGE = "The requested resource does not exist"


def _not_found() -> RecordError:
    return RecordError("NOT_FOUND", NOT_FOUND_MESSAGE, (), 404)


def lookup_id(txn: Transaction, raw: str) -> str:
    """The canonical 18-character id of the live record *raw* (15 or 18 characters) names."""
    if not isinstance(raw, str) or not ids.is_id(raw):
        raise RecordError("MALFORMED_ID", f"malformed id {raw}")
    record_id = ids.to18(raw)
    record = txn.get(record_id)
    if record is None:
        raise _not_found()
    if record["IsDeleted"]:
        raise RecordError("ENTITY_IS_DELETED", "entity is deleted", (), 404)
    return record_id


# --- the write pipeline ----------------------------------------------------------------------


def _validate(w: Write) -> None:
    check_values(w)
    for rule in RULES.get(w.obj.name, ()):
        rule(w)
    check_unique(w)


def _stage(w: Write) -> None:
    """Compute the side effects (they cannot fail), then stage the record and them."""
    effect = EFFECTS.get(w.obj.name)
    extra = effect(w) if effect is not None else []
    w.txn.put(w.obj, w.record)
    for obj, record in extra:
        w.txn.put(obj, record)


def insert(
    txn: Transaction,
    obj: SObject,
    body: Mapping[str, Any],
    actor: Actor,
    *,
    audit: bool = True,
) -> str:
    """Create a record of *obj* from a JSON *body*; return its new 18-character id.

    With *audit* (an insert, not an upsert) and the org's "Set Audit Fields upon Record
    Creation", the body may give the audit fields (`rules_audit`).
    """
    values = parse_body(obj, body, creating=True, also=rules_audit.settable(obj, audit and actor))
    given = rules_audit.split(values)
    for name in ("CreatedById", "LastModifiedById"):
        if name in given:
            given[name] = checked_reference(txn, _field_of(obj, name), given[name])
    rules_audit.check(given, actor)
    record = blank(obj) | values
    if "OwnerId" in record and record["OwnerId"] is None:
        record["OwnerId"] = actor.user_id
    w = Write(txn, obj, record, None, tuple(values), actor, Children(txn))
    _validate(w)
    record["Id"] = txn.new_id(obj)
    stamp(record, actor, creating=True)
    rules_audit.apply(record, given, obj)
    _stage(w)
    return str(record["Id"])


def _field_of(obj: SObject, name: str) -> Field:
    found = obj.field(name)
    assert found is not None, f"{obj.name}.{name} missing from the schema"
    return found


def _without_own_id(body: Mapping[str, Any], record_id: str) -> dict[str, Any]:
    """The body minus an `Id` key that repeats *record_id* (collections send it)."""
    out = dict(body)
    for key in [k for k in out if k.lower() == "id"]:
        raw = out[key]
        if isinstance(raw, str) and ids.is_id(raw) and ids.to18(raw) == record_id:
            del out[key]
    return out


def update(
    txn: Transaction, obj: SObject, record_id: str, body: Mapping[str, Any], actor: Actor
) -> None:
    """Apply a JSON *body* to the live *obj* record *record_id* (15 or 18 characters)."""
    record_id = lookup_id(txn, record_id)
    if type_of(record_id) != obj.name:
        raise _not_found()
    old = txn.get(record_id)
    assert old is not None  # lookup_id found it
    values = parse_body(obj, _without_own_id(body, record_id), creating=False)
    w = Write(txn, obj, {**old, **values}, old, tuple(values), actor, Children(txn))
    _validate(w)
    stamp(w.record, actor, creating=False)
    _stage(w)


def upsert(
    txn: Transaction,
    obj: SObject,
    external_field: str,
    value: str,
    body: Mapping[str, Any],
    actor: Actor,
) -> tuple[str, bool]:
    """Update the live record whose *external_field* equals *value*, or insert one: (id, created).

    *external_field* must be an external-id field of *obj* or `Id`, else 404 NOT_FOUND.
    """
    f = obj.field(external_field)
    if f is None or not (f.external_id or f.name == "Id"):
        raise _not_found()
    if f.name == "Id":
        update(txn, obj, value, body, actor)
        return ids.to18(value), False
    native = coerce(f, value)
    if native is None:
        raise _not_found()
    rest = {k: v for k, v in body.items() if obj.field(k) is not f}
    for key in body.keys() - rest.keys():
        if lower(coerce(f, body[key])) != native.lower():
            raise read_only_error(f.name)
    existing = find_external(txn, obj, f, native)
    if existing is not None:
        update(txn, obj, existing, rest, actor)
        return existing, False
    return insert(txn, obj, rest | {f.name: native}, actor, audit=False), True


# --- delete ----------------------------------------------------------------------------------


def delete(txn: Transaction, record_id: str, actor: Actor) -> None:
    """Soft-delete one record (15 or 18 characters) and its cascade-delete children."""
    (error,) = delete_many(txn, [record_id], actor)
    if error is not None:
        raise error


def delete_many(
    txn: Transaction, record_ids: Sequence[str], actor: Actor
) -> list[RecordError | None]:
    """Soft-delete each id with its cascade children; one result per id, in order.

    A failed id (malformed, unknown, already deleted) stages nothing and does not stop the others.
    """
    children = Children(txn)
    results: list[RecordError | None] = []
    relations: list[View] = []
    for raw in record_ids:
        try:
            record_id = lookup_id(txn, raw)
        except RecordError as exc:
            results.append(exc)
            continue
        record = txn.get(record_id)
        if record is not None and type_of(record_id) == "EventRelation":
            relations.append(record)
        _delete_tree(txn, record_id, actor, children)
        results.append(None)
    _refresh_group_events(txn, sorted({r["EventId"] for r in relations}), actor, children)
    rules_relations.release_parents(txn, relations, actor, children)
    return results


def _delete_tree(txn: Transaction, record_id: str, actor: Actor, children: Children) -> None:
    stack = [record_id]
    while stack:
        current = stack.pop()
        record = txn.live(current)
        obj = schema.sobject_of_id(current)
        if record is None or obj is None:
            continue
        deleted = {**record, "IsDeleted": True}
        stamp(deleted, actor, creating=False)
        txn.put(obj, deleted)
        for rel in obj.children:
            if rel.cascade_delete:
                stack.extend(c["Id"] for c in children.of(rel.child, rel.field, current))
        stack.extend(_email_activity(record, obj.name, children))


def _email_activity(record: View, sobject: str, children: Children) -> list[str]:
    """The other half of an email: an EmailMessage's Task (ActivityId), a Task's EmailMessages.

    With Enhanced Email a sent email is one EmailMessage plus the Task the org creates for it
    ("When enhanced email is enabled, task records are generated for each EmailMessage record",
    help.salesforce.com "Considerations for Using Enhanced Email"; EmailMessage.ActivityId is
    "auto-created for other entities" than cases, object reference "EmailMessage"). The two are
    one activity in the UI, and deleting either removes both: the EmailMessage's Task goes with
    it, and deleting the Task deletes its EmailMessage. The object reference itself does not
    word the cascade; this is how Lightning's activity timeline behaves (documented as [I]
    in docs/design-departures.md).
    """
    if sobject == "EmailMessage":
        task = record.get("ActivityId")
        return [task] if isinstance(task, str) else []
    if sobject == "Task":
        return [m["Id"] for m in children.of("EmailMessage", "ActivityId", record["Id"])]
    return []


def _refresh_group_events(
    txn: Transaction, event_ids: Iterable[str], actor: Actor, children: Children
) -> None:
    """An Event whose last invitee row was deleted is no longer a group event."""
    for event_id in event_ids:
        event = txn.live(event_id)
        if event is None or not event["IsGroupEvent"]:
            continue
        relations = children.of("EventRelation", "EventId", event_id)
        if not any(r["IsInvitee"] for r in relations):
            txn.put(
                sobject_named("Event"),
                {**event, "IsGroupEvent": False, "SystemModstamp": actor.now},
            )
