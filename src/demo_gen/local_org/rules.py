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
messages in `_derive_*` below (wordings of Event duration and EventRelation limits are approximate).

Decisions: an empty string is stored as null (as Salesforce does); restricted picklist values match
case-insensitively and are stored in their canonical spelling; deleting a Task leaves an
EmailMessage that points at it via ActivityId untouched; an update body may repeat the record's
own `Id` (collections carry it); upsert by `Id` only updates (a missing id is NOT_FOUND); a timed
Event's ActivityDate is always re-derived from its start (UTC), whatever the body says.

Child look-ups (cascades, EventRelation limits, primary contact roles) index committed rows once
per transaction: that relies on nothing else committing while it is open (`Store.transaction`
holds the store lock).
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from demo_gen.local_org import ids, schema
from demo_gen.local_org.schema import Field, SObject
from demo_gen.local_org.store import Record, Transaction

NOT_FOUND_MESSAGE = "The requested resource does not exist"
MAX_EVENT_MINUTES = 14 * 24 * 60
MAX_EVENT_CONTACTS = 50
PROBABILITY_BY_STAGE: dict[str, float] = {
    "Prospecting": 10.0,
    "Qualification": 10.0,
    "Needs Analysis": 20.0,
    "Value Proposition": 50.0,
    "Id. Decision Makers": 60.0,
    "Perception Analysis": 70.0,
    "Discovery": 20.0,
    "Evaluation": 40.0,
    "Proposal": 60.0,
    "Proposal/Price Quote": 75.0,
    "Negotiation": 80.0,
    "Negotiation/Review": 90.0,
    "Closed Won": 100.0,
    "Closed Lost": 0.0,
}
_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_JSON_TYPE_NAMES = {
    schema.BOOLEAN: "boolean",
    schema.INT: "int",
    schema.DOUBLE: "double",
    schema.CURRENCY: "double",
    schema.PERCENT: "double",
    schema.DATE: "date",
    schema.DATETIME: "datetime",
}
_LENGTH_TYPES = frozenset(
    {schema.STRING, schema.TEXTAREA, schema.EMAIL, schema.PHONE, schema.URL}
    | {schema.PICKLIST, schema.COMBOBOX}
)


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
    """Who writes, and when."""

    user_id: str  # the session user (CreatedById/LastModifiedById/default OwnerId)
    now: datetime  # aware UTC, milliseconds precision


# --- errors ----------------------------------------------------------------------------------


def _not_found() -> RecordError:
    return RecordError("NOT_FOUND", NOT_FOUND_MESSAGE, (), 404)


def _read_only(name: str) -> RecordError:
    return RecordError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {name}. Please check the security settings of this "
        "field and verify that it is read/write for your profile or permission set.",
        [name],
    )


def _required(names: Sequence[str]) -> RecordError:
    return RecordError(
        "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", names
    )


def _integrity(name: str, message: str) -> RecordError:
    return RecordError("FIELD_INTEGRITY_EXCEPTION", message, [name])


def _duplicate(name: str, owner_id: str) -> RecordError:
    message = f"duplicate value found: {name} duplicates value on record with id: {owner_id[:15]}"
    return RecordError("DUPLICATE_VALUE", message, [name])


def _parser_error(f: Field, raw: Any) -> RecordError:
    if isinstance(raw, bool):
        token, shown = ("VALUE_TRUE" if raw else "VALUE_FALSE"), str(raw).lower()
    elif isinstance(raw, int | float):
        token = "VALUE_NUMBER_INT" if isinstance(raw, int) else "VALUE_NUMBER_FLOAT"
        shown = str(raw)
    elif isinstance(raw, Mapping | list):
        token, shown = ("START_OBJECT", "{") if isinstance(raw, Mapping) else ("START_ARRAY", "[")
    else:
        token, shown = "VALUE_STRING", str(raw)
    type_name = _JSON_TYPE_NAMES.get(f.type, "string")
    return RecordError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {type_name} from {token} value {shown} "
        "or request may be missing a required field",
    )


# --- finding records -------------------------------------------------------------------------

# Committed rows cannot change while a transaction holds the store lock, so their child index
# is built once per transaction (EventRelation inserts come 200 to a call).
_COMMITTED: weakref.WeakKeyDictionary[Transaction, dict[tuple[str, str], dict[str, list[str]]]]
_COMMITTED = weakref.WeakKeyDictionary()


def _index_by(records: Iterable[Record], field_name: str) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for record in records:
        parent = record.get(field_name)
        if parent is not None:
            index.setdefault(parent, []).append(record["Id"])
    return index


class _Children:
    """Live child records by parent id; staged changes are indexed once per call."""

    def __init__(self, txn: Transaction) -> None:
        self.txn = txn
        self._staged: dict[tuple[str, str], dict[str, list[str]]] = {}

    def of(self, child: str, field_name: str, parent_id: str) -> list[Record]:
        """The live *child* records whose *field_name* is *parent_id*, in their current state."""
        key = (child, field_name)
        committed = _COMMITTED.setdefault(self.txn, {})
        if key not in committed:
            committed[key] = _index_by(self.txn.store.rows(child), field_name)
        if key not in self._staged:
            staged = (r for o, r in self.txn.changes.values() if o.name == child)
            self._staged[key] = _index_by(staged, field_name)
        candidates = [*committed[key].get(parent_id, ()), *self._staged[key].get(parent_id, ())]
        out: dict[str, Record] = {}
        for child_id in candidates:
            record = self.txn.live(child_id)
            if record is not None and record.get(field_name) == parent_id:
                out[child_id] = record
        return list(out.values())


def _type_of(record_id: str | None) -> str | None:
    found = schema.sobject_of_id(record_id) if record_id else None
    return None if found is None else found.name


def _sobject(name: str) -> SObject:
    return schema.OBJECTS[name.lower()]


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


def _unique_owner(txn: Transaction, obj: SObject, f: Field, value: str, exclude: Any) -> str | None:
    """The live record other than *exclude* whose unique field *f* equals *value* (any case)."""
    lowered = value.lower()
    for o, record in txn.changes.values():
        v = record.get(f.name)
        if o.name != obj.name or record["Id"] == exclude or record["IsDeleted"]:
            continue
        if isinstance(v, str) and v.lower() == lowered:
            return str(record["Id"])
    found = txn.store.find_unique(obj.name, f.name, value)
    if found is None or found == exclude or found in txn.changes:
        return None
    return found


def _find_external(txn: Transaction, obj: SObject, f: Field, value: str) -> str | None:
    """The live record whose external-id field *f* equals *value*; 300 when several do."""
    if f.unique:
        return _unique_owner(txn, obj, f, value, None)
    staged = {r["Id"]: r for o, r in txn.changes.values() if o.name == obj.name}
    rows = {r["Id"]: r for r in txn.store.rows(obj.name)} | staged
    lowered = value.lower()
    hits = [i for i, r in rows.items() if not r["IsDeleted"] and _lower(r.get(f.name)) == lowered]
    if len(hits) > 1:
        raise RecordError("MULTIPLE_CHOICES", f"More than one record found for {value}", (), 300)
    return hits[0] if hits else None


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


# --- parsing and field checks ----------------------------------------------------------------


def _coerce(f: Field, raw: Any) -> Any:
    try:
        value = schema.from_wire(f, raw)
    except ValueError:
        raise _parser_error(f, raw) from None
    if value is None and f.type == schema.BOOLEAN:
        return False
    if value == "" and f.type in schema.TEXT_TYPES:
        return None
    return value


def _parse(obj: SObject, body: Mapping[str, Any], creating: bool) -> dict[str, Any]:
    """The body's values keyed by canonical field name, after the field and type checks."""
    pairs: list[tuple[Field, Any]] = []
    for key, raw in body.items():
        if key.lower() == "attributes":
            continue
        f = obj.field(key)
        if f is None:
            raise RecordError(
                "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}"
            )
        pairs.append((f, raw))
    for f, _ in pairs:
        if not (f.createable if creating else f.updateable):
            raise _read_only(f.name)
    return {f.name: _coerce(f, raw) for f, raw in pairs}


def _checked_picklist(f: Field, value: Any) -> Any:
    if value is None or not f.restricted:
        return value
    for allowed in f.picklist:
        if allowed.lower() == str(value).lower():
            return allowed
    raise RecordError(
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        f"{f.label}: bad value for restricted picklist field: {value}",
        [f.name],
    )


def _checked_length(f: Field, value: Any) -> Any:
    if isinstance(value, str) and f.type in _LENGTH_TYPES and f.length and len(value) > f.length:
        message = f"{f.label}: data value too large: {value[:40]}... (max length={f.length})"
        raise RecordError("STRING_TOO_LONG", message, [f.name])
    return value


def _checked_email(f: Field, value: Any) -> Any:
    if value is not None and f.type == schema.EMAIL and not _EMAIL_RE.match(str(value)):
        message = f"{f.label}: invalid email address: {value}"
        raise RecordError("INVALID_EMAIL_ADDRESS", message, [f.name])
    return value


def _checked_reference(txn: Transaction, f: Field, value: Any) -> Any:
    """A reference as its canonical 18-character id, once it names a live record of a right type."""
    if value is None or f.type != schema.REFERENCE:
        return value
    message = f"{f.label}: id value of incorrect type: {value}"
    if not ids.is_id(value):
        raise RecordError("MALFORMED_ID", message, [f.name])
    if _type_of(value) not in f.reference_to:
        raise _integrity(f.name, message)
    record_id = ids.to18(value)
    if txn.live(record_id) is None:
        raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    return record_id


# --- the write pipeline ----------------------------------------------------------------------


@dataclass
class _Write:
    """One record being written: its new state, its stored state (None on insert), the body."""

    txn: Transaction
    obj: SObject
    record: Record
    old: Record | None
    given: tuple[str, ...]  # canonical names of the fields in the body, in body order
    actor: Actor
    children: _Children


def _check_values(w: _Write) -> None:
    """Required, picklist, length, email and reference checks; normalises values in place."""
    fields = [f for name in w.given if (f := w.obj.field(name)) is not None]
    if w.old is None:
        required = [f for f in w.obj.fields if f.required and f.createable]
    else:
        required = [f for f in fields if f.required or f.name == "OwnerId"]
    missing = [f.name for f in required if w.record[f.name] is None]
    if missing:
        raise _required(missing)
    for check in (_checked_picklist, _checked_length, _checked_email):
        for f in fields:
            w.record[f.name] = check(f, w.record[f.name])
    for f in fields:
        w.record[f.name] = _checked_reference(w.txn, f, w.record[f.name])


def _check_unique(w: _Write) -> None:
    for f in w.obj.fields:
        value = w.record.get(f.name)
        if not f.unique or f.name not in w.given or not isinstance(value, str):
            continue
        if w.old is not None and _lower(w.old.get(f.name)) == value.lower():
            continue
        owner = _unique_owner(w.txn, w.obj, f, value, w.record.get("Id"))
        if owner is not None:
            raise _duplicate(f.name, owner)


def _validate(w: _Write) -> None:
    _check_values(w)
    for rule in _RULES.get(w.obj.name, ()):
        rule(w)
    _check_unique(w)


def _stamp(record: Record, actor: Actor, creating: bool) -> None:
    if creating:
        record.update(IsDeleted=False, CreatedDate=actor.now, CreatedById=actor.user_id)
    record.update(LastModifiedDate=actor.now, LastModifiedById=actor.user_id)
    record["SystemModstamp"] = actor.now


def _stage(w: _Write) -> None:
    """Compute the side effects (they cannot fail), then stage the record and them."""
    effect = _EFFECTS.get(w.obj.name)
    extra = effect(w) if effect is not None else []
    w.txn.put(w.obj, w.record)
    for obj, record in extra:
        w.txn.put(obj, record)


def _blank(obj: SObject) -> Record:
    return {
        f.name: False if f.type == schema.BOOLEAN and f.default is None else f.default
        for f in obj.fields
    }


def insert(txn: Transaction, obj: SObject, body: Mapping[str, Any], actor: Actor) -> str:
    """Create a record of *obj* from a JSON *body*; return its new 18-character id."""
    values = _parse(obj, body, creating=True)
    record = _blank(obj) | values
    if "OwnerId" in record and record["OwnerId"] is None:
        record["OwnerId"] = actor.user_id
    w = _Write(txn, obj, record, None, tuple(values), actor, _Children(txn))
    _validate(w)
    record["Id"] = txn.new_id(obj)
    _stamp(record, actor, creating=True)
    _stage(w)
    return str(record["Id"])


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
    if _type_of(record_id) != obj.name:
        raise _not_found()
    old = txn.get(record_id)
    assert old is not None  # lookup_id found it
    values = _parse(obj, _without_own_id(body, record_id), creating=False)
    w = _Write(txn, obj, old | values, old, tuple(values), actor, _Children(txn))
    _validate(w)
    _stamp(w.record, actor, creating=False)
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
    native = _coerce(f, value)
    if native is None:
        raise _not_found()
    rest = {k: v for k, v in body.items() if obj.field(k) is not f}
    for key in body.keys() - rest.keys():
        if _lower(_coerce(f, body[key])) != native.lower():
            raise _read_only(f.name)
    existing = _find_external(txn, obj, f, native)
    if existing is not None:
        update(txn, obj, existing, rest, actor)
        return existing, False
    return insert(txn, obj, rest | {f.name: native}, actor), True


# --- object rules (validate and derive; may raise) -------------------------------------------


def _derive_name(w: _Write) -> None:
    parts = (w.record.get("FirstName"), w.record.get("LastName"))
    w.record["Name"] = " ".join(p for p in parts if p) or None


def _derive_opportunity(w: _Write) -> None:
    r = w.record
    stage = r["StageName"]
    r["IsClosed"] = stage in schema.CLOSED_STAGES
    r["IsWon"] = stage == "Closed Won"
    stage_changed = w.old is None or w.old["StageName"] != stage
    if stage_changed and "Probability" not in w.given:
        r["Probability"] = PROBABILITY_BY_STAGE.get(stage)


def _derive_activity(w: _Write) -> None:
    """Event/Task: a Lead WhoId excludes a WhatId; AccountId follows WhatId, then WhoId."""
    r = w.record
    who, what = r["WhoId"], r["WhatId"]
    if what is not None and _type_of(who) == "Lead":
        raise _integrity("WhatId", "Related To ID: an activity on a Lead cannot have a Related To")
    account = None
    if _type_of(what) == "Account":
        account = what
    elif _type_of(what) == "Opportunity":
        account = (w.txn.get(what) or {}).get("AccountId")
    if account is None and _type_of(who) == "Contact":
        account = (w.txn.get(who) or {}).get("AccountId")
    r["AccountId"] = account


def _derive_task(w: _Write) -> None:
    r = w.record
    r["IsClosed"] = r["Status"] == "Completed"
    r["IsHighPriority"] = r["Priority"] == "High"
    r["CompletedDateTime"] = (r["CompletedDateTime"] or w.actor.now) if r["IsClosed"] else None


def _event_start(w: _Write) -> datetime:
    """The start: StartDateTime, or ActivityDateTime when only that was given."""
    start: datetime | None = w.record["StartDateTime"]
    activity: datetime | None = w.record["ActivityDateTime"]
    only_activity = "ActivityDateTime" in w.given and "StartDateTime" not in w.given
    if only_activity or start is None:
        start = activity
    elif "ActivityDateTime" in w.given and activity is not None and activity != start:
        raise _integrity(
            "ActivityDateTime",
            "Activity Date Time: The value for this field and StartDateTime must match, "
            "or one of them must be null",
        )
    if start is None:
        raise _required(["ActivityDateTime"])
    return start


def _given_span(w: _Write) -> tuple[datetime | None, int | None]:
    """EndDateTime and DurationInMinutes as given; on update, the stored duration otherwise."""
    r = w.record
    end = r["EndDateTime"] if "EndDateTime" in w.given else None
    minutes = r["DurationInMinutes"] if "DurationInMinutes" in w.given else None
    untouched = "EndDateTime" not in w.given and "DurationInMinutes" not in w.given
    if untouched and w.old is not None:
        minutes = w.old["DurationInMinutes"]
        end = w.old["EndDateTime"] if minutes is None else None
    return end, minutes


def _event_span(start: datetime, end: datetime | None, minutes: int | None) -> tuple[datetime, int]:
    """The end and duration of an event starting at *start*, checked against each other."""
    if end is None and minutes is None:
        raise _required(["EndDateTime"])
    if end is not None:
        if end < start:
            raise _integrity("EndDateTime", "End Date Time: End time must be after start time")
        span = int((end - start).total_seconds() // 60)
        if minutes is not None and minutes != span:
            raise _integrity(
                "DurationInMinutes",
                "Duration: the duration must match the time between StartDateTime and EndDateTime",
            )
        minutes = span
    assert minutes is not None
    if minutes < 0 or minutes > MAX_EVENT_MINUTES:
        raise _integrity(
            "DurationInMinutes", "Duration: an event must last between 0 minutes and 14 days"
        )
    return (end or start + timedelta(minutes=minutes)), minutes


def _derive_event(w: _Write) -> None:
    """Event timing (§12.2): Start, End, Duration, ActivityDateTime/Date and EndDate agree."""
    r = w.record
    if r["IsAllDayEvent"]:
        start, end, minutes = _all_day_span(w)
    else:
        start = _event_start(w)
        end, minutes = _event_span(start, *_given_span(w))
    r.update(StartDateTime=start, ActivityDateTime=start, EndDateTime=end)
    r.update(ActivityDate=start.date(), DurationInMinutes=minutes, EndDate=end.date())


def _all_day_span(w: _Write) -> tuple[datetime, datetime, int]:
    """All-day events start at midnight UTC of ActivityDate and last whole days (1 by default)."""
    r = w.record
    day: date | None = r["ActivityDate"]
    start_day = None if r["StartDateTime"] is None else r["StartDateTime"].date()
    if day is None or ("StartDateTime" in w.given and "ActivityDate" not in w.given):
        day = start_day or day
    if day is None:
        raise _required(["ActivityDate"])
    start = datetime.combine(day, time(), UTC)
    end, minutes = _given_span(w)
    if minutes is None and end is not None:
        if end.date() < day:
            raise _integrity("EndDateTime", "End Date Time: End time must be after start time")
        minutes = ((end.date() - day).days + 1) * 1440
    days = max(1, math.ceil((minutes if minutes is not None else 1440) / 1440))
    if days * 1440 > MAX_EVENT_MINUTES:
        raise _integrity(
            "DurationInMinutes", "Duration: an event must last between 0 minutes and 14 days"
        )
    return start, start + timedelta(days=days - 1), days * 1440


def _derive_event_relation(w: _Write) -> None:
    """One row per (EventId, RelationId); at most 50 contacts; AccountId from a Contact."""
    r = w.record
    relation_type = _type_of(r["RelationId"])
    contact = w.txn.get(r["RelationId"]) if relation_type == "Contact" else None
    r["AccountId"] = None if contact is None else contact.get("AccountId")
    if w.old is not None and w.old["RelationId"] == r["RelationId"]:
        return
    others = [
        s for s in w.children.of("EventRelation", "EventId", r["EventId"]) if s["Id"] != r.get("Id")
    ]
    for sibling in others:
        if sibling["RelationId"] == r["RelationId"]:
            raise _duplicate("RelationId", sibling["Id"])
    contacts = sum(1 for s in others if _type_of(s["RelationId"]) == "Contact")
    if relation_type == "Contact" and contacts >= MAX_EVENT_CONTACTS:
        raise _integrity(
            "RelationId",
            f"Relation ID: an event can relate to at most {MAX_EVENT_CONTACTS} contacts",
        )


def _derive_email_relation(w: _Write) -> None:
    r = w.record
    relation = w.txn.get(r["RelationId"]) if r["RelationId"] else None
    r["RelationObjectType"] = _type_of(r["RelationId"])
    if r["RelationAddress"] is None and relation is not None:
        r["RelationAddress"] = relation.get("Email")


_RULES: dict[str, tuple[Callable[[_Write], None], ...]] = {
    "User": (_derive_name,),
    "Contact": (_derive_name,),
    "Lead": (_derive_name,),
    "Opportunity": (_derive_opportunity,),
    "Event": (_derive_event, _derive_activity),
    "Task": (_derive_task, _derive_activity),
    "EventRelation": (_derive_event_relation,),
    "EmailMessageRelation": (_derive_email_relation,),
}


# --- side effects (after validation and id assignment; never fail) ---------------------------

Staged = list[tuple[SObject, Record]]


def _group_event(w: _Write) -> Staged:
    """An Event is a group event while any of its relation rows is an invitee."""
    event = w.txn.live(w.record["EventId"])
    if event is None:
        return []
    if w.record["IsInvitee"]:
        grouped = True
    else:
        siblings = w.children.of("EventRelation", "EventId", event["Id"])
        grouped = any(s["IsInvitee"] for s in siblings if s["Id"] != w.record["Id"])
    if event["IsGroupEvent"] == grouped:
        return []
    return [(_sobject("Event"), event | {"IsGroupEvent": grouped, "SystemModstamp": w.actor.now})]


def _one_primary(w: _Write) -> Staged:
    """A primary contact role clears IsPrimary on the opportunity's other roles."""
    if not w.record["IsPrimary"]:
        return []
    roles = w.children.of("OpportunityContactRole", "OpportunityId", w.record["OpportunityId"])
    out: Staged = []
    for role in roles:
        if role["Id"] != w.record["Id"] and role["IsPrimary"]:
            cleared = role | {"IsPrimary": False}
            _stamp(cleared, w.actor, creating=False)
            out.append((w.obj, cleared))
    return out


def _email_task(w: _Write) -> Staged:
    """A sent (non-draft) EmailMessage gets its Email Task, linked through ActivityId."""
    r = w.record
    if w.old is not None or r["Status"] == "5" or r["ActivityId"] is not None:
        return []
    task_obj = _sobject("Task")
    subject_len = _field(task_obj, "Subject").length
    body_len = _field(task_obj, "Description").length
    task = _blank(task_obj) | {
        "Subject": None if r["Subject"] is None else r["Subject"][:subject_len],
        "TaskSubtype": "Email",
        "Type": "Email",
        "Status": "Completed",
        "ActivityDate": (r["MessageDate"] or w.actor.now).date(),
        "WhatId": r["RelatedToId"],
        "Description": None if r["TextBody"] is None else r["TextBody"][:body_len],
        "OwnerId": w.actor.user_id,
    }
    task_write = _Write(w.txn, task_obj, task, None, (), w.actor, w.children)
    for rule in _RULES["Task"]:
        rule(task_write)
    task["Id"] = w.txn.new_id(task_obj)
    _stamp(task, w.actor, creating=True)
    r["ActivityId"] = task["Id"]
    return [(task_obj, task)]


def _field(obj: SObject, name: str) -> Field:
    f = obj.field(name)
    assert f is not None, f"{obj.name}.{name} missing from the schema"
    return f


_EFFECTS: dict[str, Callable[[_Write], Staged]] = {
    "EventRelation": _group_event,
    "OpportunityContactRole": _one_primary,
    "EmailMessage": _email_task,
}


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
    children = _Children(txn)
    results: list[RecordError | None] = []
    events: set[str] = set()
    for raw in record_ids:
        try:
            record_id = lookup_id(txn, raw)
        except RecordError as exc:
            results.append(exc)
            continue
        record = txn.get(record_id)
        if record is not None and _type_of(record_id) == "EventRelation":
            events.add(record["EventId"])
        _delete_tree(txn, record_id, actor, children)
        results.append(None)
    _refresh_group_events(txn, sorted(events), actor, children)
    return results


def _delete_tree(txn: Transaction, record_id: str, actor: Actor, children: _Children) -> None:
    stack = [record_id]
    while stack:
        current = stack.pop()
        record = txn.live(current)
        obj = schema.sobject_of_id(current)
        if record is None or obj is None:
            continue
        deleted = record | {"IsDeleted": True}
        _stamp(deleted, actor, creating=False)
        txn.put(obj, deleted)
        for rel in obj.children:
            if rel.cascade_delete:
                stack.extend(c["Id"] for c in children.of(rel.child, rel.field, current))


def _refresh_group_events(
    txn: Transaction, event_ids: Iterable[str], actor: Actor, children: _Children
) -> None:
    """An Event whose last invitee row was deleted is no longer a group event."""
    for event_id in event_ids:
        event = txn.live(event_id)
        if event is None or not event["IsGroupEvent"]:
            continue
        relations = children.of("EventRelation", "EventId", event_id)
        if not any(r["IsInvitee"] for r in relations):
            txn.put(_sobject("Event"), event | {"IsGroupEvent": False, "SystemModstamp": actor.now})
