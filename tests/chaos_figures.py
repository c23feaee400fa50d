"""What the chaos suite measures: the org read through simple-salesforce, compared by content.

A `Snapshot` holds every record of the objects demo-gen writes and of the objects they point at.
Records are compared by what they are, never by Id (two orgs hand out different ids):

    Event                 (What, Subject, StartDateTime)
    Task                  (What, Subject, ActivityDate, TaskSubtype)
    EmailMessage          (RelatedTo, Subject, MessageDate)
    EventRelation         (its Event's key, Relation)
    TaskRelation          (its Task's key, Relation)
    EmailMessageRelation  (its EmailMessage's key, Relation, RelationType)
    DemoGen_Scorecard__c  (Opportunity, Template)
    ..._Answer__c         (its scorecard's key, Element)

where What/Relation/Opportunity are named by the record they point at (an Opportunity's Name, a
Contact's Email, a User's Username), so the same fixture seeded twice gives the same keys.

Figures, for one org after a scenario, against an uninterrupted reference run on an identical org:
duplicates (a key more often than in the reference), lost (less often), orphans (made during the
scenario, owned by no `created` ledger row of this org; an invitee or recipient of an owned
parent is owned through it), double claims (an id held by two ledger rows), dangling rows (a
`created` row whose record is not in the org), foreign deletions and changes (a record that was
there before the scenario and is gone or different), and after a reset, leftovers (records the
scenario made that are still there).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simple_salesforce import Salesforce

from demo_gen.local_org import LocalOrgServer, Store
from demo_gen.targets.salesforce.transport import local_session

MADE_OBJECTS = (
    "Event",
    "Task",
    "EmailMessage",
    "EventRelation",
    "TaskRelation",
    "EmailMessageRelation",
    "DemoGen_Scorecard__c",
    "DemoGen_Scorecard_Answer__c",
)
CONTEXT_OBJECTS = ("User", "Account", "Contact", "Opportunity", "OpportunityContactRole")
# fields an org may change on a record that nobody edited (activity roll-ups, views)
VOLATILE = frozenset(
    {
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
        "LastActivityDate",
        "LastViewedDate",
        "LastReferencedDate",
    }
)
_PARENT = {
    "EventRelation": "EventId",
    "TaskRelation": "TaskId",
    "EmailMessageRelation": "EmailMessageId",
}
_NAME_FIELD = {"Opportunity": "Name", "Contact": "Email", "User": "Username", "Account": "Name"}
EXAMPLES = 5

Key = tuple[Any, ...]


def connect(url: str) -> Salesforce:
    """simple-salesforce, logged in to the local org at `url` (README: local_session)."""
    return Salesforce(
        username="admin@demo-gen.local",
        password="demo-gen",
        security_token="",
        session=local_session(url),
    )


@contextmanager
def reader(db: Path) -> Iterator[str]:
    """The URL of a second server on the org's database, in this process, without faults.

    It loads what the org has committed when it starts, so each snapshot starts its own; the
    served org (with its latency and faults) is left alone.
    """
    store = Store(db)
    try:
        with LocalOrgServer(store) as server:
            yield server.url
    finally:
        store.close()


@dataclass
class Snapshot:
    """Every record of MADE_OBJECTS and CONTEXT_OBJECTS: sobject -> id -> fields."""

    org_id: str
    records: dict[str, dict[str, dict[str, Any]]]

    @classmethod
    def of(cls, db: Path) -> Snapshot:
        """Every record of the org in `db`, read through simple-salesforce."""
        with reader(db) as url:
            return cls.read(url)

    @classmethod
    def read(cls, url: str) -> Snapshot:
        sf = connect(url)
        records: dict[str, dict[str, dict[str, Any]]] = {}
        described = {o["name"] for o in sf.describe()["sobjects"]}
        for sobject in (*CONTEXT_OBJECTS, *MADE_OBJECTS):
            if sobject not in described:  # e.g. an org without Shared Activities: no TaskRelation
                continue
            fields = [f["name"] for f in getattr(sf, sobject).describe()["fields"]]
            rows = sf.query_all(f"SELECT {', '.join(fields)} FROM {sobject}")["records"]
            records[sobject] = {
                r["Id"]: {k: v for k, v in r.items() if k != "attributes"} for r in rows
            }
        org_id = sf.query("SELECT Id FROM Organization")["records"][0]["Id"]
        return cls(org_id, records)

    def ids(self, sobjects: tuple[str, ...] = MADE_OBJECTS) -> dict[str, str]:
        """id -> sobject of every record of these objects."""
        return {i: s for s in sobjects for i in self.records.get(s, {})}

    def name(self, record_id: str | None) -> str:
        """A stable name for a record another points at; its id when it is not a known kind."""
        if not record_id:
            return ""
        for sobject, name_field in _NAME_FIELD.items():
            rec = self.records.get(sobject, {}).get(record_id)
            if rec is not None:
                return f"{sobject}:{rec.get(name_field)}"
        return record_id

    def key(self, sobject: str, record_id: str) -> Key:
        """The content key of a record (see the module docstring)."""
        r = self.records[sobject][record_id]
        if sobject == "Event":
            return (sobject, self.name(r["WhatId"]), r["Subject"], _moment(r["StartDateTime"]))
        if sobject == "Task":
            what = self.name(r["WhatId"])
            return (sobject, what, r["Subject"], r["ActivityDate"], r.get("TaskSubtype"))
        if sobject == "EmailMessage":
            what = self.name(r["RelatedToId"])
            return (sobject, what, r["Subject"], _moment(r["MessageDate"]))
        if sobject == "EventRelation":
            return (sobject, self._parent_key("Event", r["EventId"]), self.name(r["RelationId"]))
        if sobject == "TaskRelation":
            return (sobject, self._parent_key("Task", r["TaskId"]), self.name(r["RelationId"]))
        if sobject == "EmailMessageRelation":
            parent = self._parent_key("EmailMessage", r["EmailMessageId"])
            return (sobject, parent, self.name(r["RelationId"]), r.get("RelationType"))
        if sobject == "DemoGen_Scorecard__c":
            return (sobject, self.name(r["Opportunity__c"]), r["Template__c"])
        parent = self._parent_key("DemoGen_Scorecard__c", r["Scorecard__c"])
        return (sobject, parent, r["Element__c"])

    def _parent_key(self, sobject: str, record_id: str | None) -> Key:
        if record_id and record_id in self.records.get(sobject, {}):
            return self.key(sobject, record_id)
        return ("missing parent", record_id)

    def made_since(self, before: Snapshot) -> dict[str, str]:
        """id -> sobject of the records of MADE_OBJECTS that were not in `before`."""
        old = before.ids()
        return {i: s for i, s in self.ids().items() if i not in old}

    def content(self, made: dict[str, str]) -> Counter[Key]:
        """The content keys of these records, counted."""
        return Counter(self.key(s, i) for i, s in made.items())


def dump(db: Path) -> dict[str, Any]:
    """Every record of MADE_OBJECTS in the org at `db` (sobject -> id -> fields), for keeping."""
    snap = Snapshot.of(db)
    return {"org_id": snap.org_id, **{s: snap.records.get(s, {}) for s in MADE_OBJECTS}}


def made_content(before: Snapshot, after: Snapshot) -> Counter[Key]:
    """The content of what a run made: the reference a scenario is compared with."""
    return after.content(after.made_since(before))


@dataclass
class Figures:
    """The counts one scenario is judged by, with a few example records for each."""

    duplicates: int = 0
    lost: int = 0
    orphans: int = 0
    double_claimed: int = 0
    dangling: int = 0
    foreign_deleted: int = 0
    foreign_changed: int = 0
    leftover: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    COUNTS = (
        "duplicates",
        "lost",
        "orphans",
        "double_claimed",
        "dangling",
        "foreign_deleted",
        "foreign_changed",
        "leftover",
    )

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNTS}

    @property
    def clean(self) -> bool:
        return not any(self.counts().values())

    def note(self, figure: str, examples: list[str]) -> None:
        if examples:
            self.examples.setdefault(figure, []).extend(examples[:EXAMPLES])

    def __add__(self, other: Figures) -> Figures:
        total = Figures(**{n: getattr(self, n) + getattr(other, n) for n in self.COUNTS})
        for figure, lines in (*self.examples.items(), *other.examples.items()):
            total.note(figure, lines)
        return total

    def describe(self) -> str:
        """One line of counts, then up to EXAMPLES example records per non-zero figure."""
        line = ", ".join(f"{n}={v}" for n, v in self.counts().items())
        lines = [line]
        for figure, examples in self.examples.items():
            lines += [f"  {figure}: {e}" for e in examples[:EXAMPLES]]
        return "\n".join(lines)


def compare(
    before: Snapshot,
    after: Snapshot,
    reference: Counter[Key],
    ledger: list[dict[str, Any]],
) -> Figures:
    """Figures of an org after a scenario: against the reference, the ledger and `before`."""
    figures = Figures()
    made = after.made_since(before)
    got = after.content(made)
    extra, missing = got - reference, reference - got
    figures.duplicates, figures.lost = sum(extra.values()), sum(missing.values())
    figures.note("duplicates", [f"{n}x extra {k}" for k, n in extra.items()])
    figures.note("lost", [f"{n}x missing {k}" for k, n in missing.items()])
    _ownership(figures, after, made, ledger)
    _foreign(figures, before, after)
    return figures


def restored(before: Snapshot, after: Snapshot) -> Figures:
    """Figures of an org after a reset: is it exactly `before` again?"""
    figures = Figures()
    left = after.made_since(before)
    figures.leftover = len(left)
    figures.note("leftover", [f"{s} {i} {after.key(s, i)}" for i, s in left.items()])
    _foreign(figures, before, after)
    return figures


def _ownership(
    figures: Figures, after: Snapshot, made: dict[str, str], ledger: list[dict[str, Any]]
) -> None:
    target = f"salesforce:{after.org_id}"
    rows = [r for r in ledger if r["target"] == target and r["status"] == "created"]
    claims = Counter(r["remote_id"] for r in rows if r["remote_id"])
    owned = set(claims)
    orphans = [
        (i, s)
        for i, s in made.items()
        if i not in owned and after.records[s][i].get(_PARENT.get(s, "")) not in owned
    ]
    figures.orphans = len(orphans)
    figures.note("orphans", [f"{s} {i} {after.key(s, i)}" for i, s in orphans])
    shared = {i: n for i, n in claims.items() if n > 1}
    figures.double_claimed = len(shared)
    figures.note("double_claimed", [f"{i} held by {n} ledger rows" for i, n in shared.items()])
    present = after.ids()
    dangling = [r for r in rows if r["remote_id"] and r["remote_id"] not in present]
    figures.dangling = len(dangling)
    figures.note(
        "dangling",
        [f"{r['kind']} {r['remote_id']} (run {r['run_id']}) not in org" for r in dangling],
    )


def _foreign(figures: Figures, before: Snapshot, after: Snapshot) -> None:
    """Records of `before` that are gone from `after`, or changed (ignoring VOLATILE fields)."""
    deleted: list[str] = []
    changed: list[str] = []
    for sobject, records in before.records.items():
        now = after.records.get(sobject, {})
        for record_id, fields in records.items():
            if record_id not in now:
                deleted.append(f"{sobject} {record_id} {_label(before, sobject, record_id)}")
                continue
            diff = sorted(
                k for k, v in fields.items() if k not in VOLATILE and now[record_id].get(k) != v
            )
            if diff:
                changed.append(f"{sobject} {record_id}: {', '.join(diff)}")
    figures.foreign_deleted, figures.foreign_changed = len(deleted), len(changed)
    figures.note("foreign_deleted", deleted)
    figures.note("foreign_changed", changed)


def _label(snapshot: Snapshot, sobject: str, record_id: str) -> Any:
    return snapshot.key(sobject, record_id) if sobject in MADE_OBJECTS else sobject


def _moment(value: str | None) -> str:
    """A datetime as text comparable across `…Z`, `….000+0000` and `+00:00` forms."""
    return (value or "")[:19]
