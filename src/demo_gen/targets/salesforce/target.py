"""The Salesforce org as a `Target`: the only way the runner, the write phase and reset reach it.

Every SOQL string demo-gen sends is behind this class, in the Salesforce-specific modules it
owns: `crm` (the client), `selection` (the opportunities, users and busy time the plan reads),
`reconcile` (what pending rows became), `orgmade` (read-back: snapshots and what the org made
for our records), `identity` (verification before reset). Tag mode (`run.idempotency_mode:
tag`) stamps the run id and signature on the objects in `TAGGED_OBJECTS` and upserts on the
signature, so the org itself refuses duplicates.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from demo_gen import clock
from demo_gen.commands.org_launch import open_crm
from demo_gen.config.model import BulkSettings, Config, QuerySettings, Secrets
from demo_gen.errors import TargetError
from demo_gen.ledger.migrations import SALESFORCE_PREFIX
from demo_gen.ledger.store import ItemRow, created_ids
from demo_gen.stages.items import (
    ANSWER,
    ANSWER_OBJECT,
    EMAIL,
    EMAIL_TASK,
    INVITEE,
    MEETING,
    PARENT_KINDS,
    SCORECARD,
    SCORECARD_OBJECT,
    TASK_RELATION,
    Capabilities,
    WorkItem,
    email_task_signature,
    sf_datetime,
)
from demo_gen.targets.base import (
    BATCH_LIMIT,
    LedgerView,
    ReadBack,
    Reconciliation,
    Verdicts,
    WriteResult,
)
from demo_gen.targets.salesforce.bulk import BulkChannel, Csv, to_csv
from demo_gen.targets.salesforce.bulk_query import QueryChannel
from demo_gen.targets.salesforce.bulk_readback import WindowFetch, since_literal
from demo_gen.targets.salesforce.client import SalesforceCrm, soql_list
from demo_gen.targets.salesforce.identity import verify
from demo_gen.targets.salesforce.orgmade import read_back
from demo_gen.targets.salesforce.reconcile import find_pending
from demo_gen.targets.salesforce.selection import BulkReads, Selection, select_opportunities

TAGGED_OBJECTS = ("Event", "Task", "EmailMessage")
"""The activity objects that carry the tag fields in tag mode (the scorecard objects, custom,
carry them too); links (EventRelation, EmailMessageRelation) never do."""

STAMPED_KINDS = (MEETING, EMAIL, SCORECARD, ANSWER)
"""The kinds whose records tag mode stamps with the run id and signature (reset checks them)."""

DESCRIBED = ("Opportunity", *TAGGED_OBJECTS, SCORECARD_OBJECT, ANSWER_OBJECT)
"""The objects a run describes (selection, capabilities): asked for in one composite request."""

GONE = ("ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY")
"""Delete error codes that mean the record is already gone: a success for reset."""

_OPTIONAL_FIELDS = (
    ("Event", "CreatedDate"),
    ("Task", "CreatedDate"),
    ("EmailMessage", "CreatedDate"),
    ("Task", "CompletedDateTime"),
    ("Task", "CallDisposition"),
)


def taggable(record_type: str) -> bool:
    """Whether records of `record_type` carry the tag fields in tag mode."""
    return record_type in TAGGED_OBJECTS or record_type.endswith("__c")


def tagged_objects(crm: SalesforceCrm, config: Config) -> tuple[str, ...]:
    """The objects this configuration stamps in tag mode on this org (EmailMessage only where
    emails are written as EmailMessage): each must have both tag fields."""
    messages = config.activity.email_messages and crm.fields_of("EmailMessage") is not None
    return tuple(o for o in TAGGED_OBJECTS if o != "EmailMessage" or messages)


def missing_tag_fields(crm: SalesforceCrm, config: Config, sobject: str) -> list[str]:
    """The tag fields (signature, run tag) `sobject` lacks on this org."""
    have = crm.fields_of(sobject) or frozenset()
    return [f for f in (config.run.signature_field, config.run.run_tag_field) if f not in have]


def target_key(org_id: str) -> str:
    """The ledger key of an org: "salesforce:<Organization Id>"."""
    return f"{SALESFORCE_PREFIX}{org_id}"


@dataclass(frozen=True)
class TagCheck:
    """Tag mode: the records demo-gen stamped must still carry the row's run tag and signature."""

    run_field: str
    signature_field: str

    @property
    def fields(self) -> tuple[str, str]:
        return (self.run_field, self.signature_field)

    def __call__(self, row: ItemRow, record: Mapping[str, Any]) -> str | None:
        """Why the record's stamp says it is not this row's, or None."""
        if row.kind not in STAMPED_KINDS:
            return None
        if record.get(self.run_field) != row.run_id:
            return f"{self.run_field} is {record.get(self.run_field)!r}, not this run"
        if record.get(self.signature_field) != row.signature:
            return f"{self.signature_field} is {record.get(self.signature_field)!r}, not the row's"
        return None


class SalesforceTarget:
    """One org, as a target (and as the source the plan is read from)."""

    name = "salesforce"

    def __init__(self, crm: SalesforceCrm, config: Config, now: datetime | None = None) -> None:
        """`now`: the run's clock, which bounds backdating (nothing gets a later CreatedDate)."""
        self._crm = crm
        self._config = config
        self._now = now or clock.now()
        self.org_id = crm.org_id()
        self._caps: Capabilities | None = None
        self._task_relations = True  # until a batch shows the org makes none
        self._bulk: BulkChannel | None = None
        self._queries: QueryChannel | None = None

    @property
    def key(self) -> str:
        return target_key(self.org_id)

    @property
    def calls(self) -> int:
        return self._crm.calls

    @property
    def crm(self) -> SalesforceCrm:
        """The org's client, for reads batched in one request (commands/rerun.py)."""
        return self._crm

    @property
    def tag_mode(self) -> bool:
        return self._config.run.idempotency_mode == "tag"

    # -- the source ------------------------------------------------------------------------

    def select(
        self,
        query: QuerySettings,
        *,
        max_opps: int | None = None,
        only_ids: Sequence[str] | None = None,
        exclude_event_ids: frozenset[str] = frozenset(),
    ) -> Selection:
        """The opportunities the plan is for, with the users and the busy time it reads
        (through Bulk query jobs when the org is large: selection.BulkReads)."""
        own = (self._config.run.run_tag_field, self._config.run.name) if self.tag_mode else None
        self._crm.describe_many(DESCRIBED)
        settings = self._config.salesforce.bulk
        bulk = None
        if settings.mode != "never":
            bulk = BulkReads(self.queries(), settings.query_min_records)
        return select_opportunities(
            self._crm,
            query,
            max_opps=max_opps,
            only_ids=only_ids,
            exclude_event_ids=exclude_event_ids,
            own_tag=own,
            bulk=bulk,
        )

    def cap_calls(self, ceiling: int | None) -> None:
        """Make no more than `ceiling` API calls in all (those made so far included): the next
        one raises `CeilingReached` (live's reservation for a pass)."""
        self._crm.ceiling = ceiling

    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) of the org's daily API requests, as last reported."""
        return self._crm.api_usage()

    def api_budget(self, share: float) -> tuple[int | None, int | None]:
        """(calls the writes may spend: `share` of what the org has left today, remaining).

        What is left comes from the `Sforce-Limit-Info` header of the client's last answer
        (every REST answer carries it; `limits` agrees with it), else from one `limits` request."""
        usage = self._crm.api_usage()
        if usage is not None:
            remaining: Any = max(usage[1] - usage[0], 0)
        else:
            remaining = (self._crm.limits().get("DailyApiRequests") or {}).get("Remaining")
        if remaining is None:
            return None, None
        return max(int(int(remaining) * share), 0), int(remaining)

    # -- the Target protocol ---------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        """What the org can hold; tag mode refuses to start without its fields (cached)."""
        if self._caps is None:
            self._caps = self._capabilities()
        return self._caps

    def _capabilities(self) -> Capabilities:
        crm, cfg = self._crm, self._config
        email_messages = cfg.activity.email_messages and crm.fields_of("EmailMessage") is not None
        objects = (SCORECARD_OBJECT, ANSWER_OBJECT)
        scorecards = all(crm.describe(name) is not None for name in objects)
        if self.tag_mode:
            for sobject in tagged_objects(crm, cfg):
                missing = missing_tag_fields(crm, cfg, sobject)
                if missing:
                    raise TargetError(
                        f"tag mode needs {', '.join(missing)} on {sobject}, and the org lacks it",
                        hint="`demo-gen doctor -c CONFIG` says how to add the fields",
                    )
        settable = self._settable()
        if self.tag_mode:  # tag mode upserts, and an org takes audit fields on plain inserts only
            settable = frozenset(f for f in settable if not f.endswith(".CreatedDate"))
        return Capabilities(
            email_messages=email_messages,
            tag_fields=self.tag_mode,
            scorecards=scorecards,
            settable=settable,
            backdate_before=sf_datetime(self._now),
        )

    def _settable(self) -> frozenset[str]:
        """The optional fields describe says we may set on create ("Set Audit Fields")."""
        out = set()
        for sobject, name in _OPTIONAL_FIELDS:
            described = self._crm.describe(sobject) or {}
            for f in described.get("fields", []):
                if f.get("name") == name and f.get("createable"):
                    out.add(f"{sobject}.{name}")
        return frozenset(out)

    def send(
        self, batch: Sequence[WorkItem], parent_ids: Mapping[str, str], run_id: str
    ) -> list[WriteResult]:
        """Create one batch through sObject Collections; tag mode upserts on the signature."""
        records = [self._record(item, parent_ids, run_id) for item in batch]
        record_type = batch[0].record_type
        if self.tag_mode and taggable(record_type):
            field = self._config.run.signature_field
            return self._crm.upsert(record_type, field, records)
        return self._crm.create(records)

    # -- Bulk API 2.0 (ledger/bulk_writer.py drives the jobs) --------------------------------------

    def bulk(self) -> BulkChannel:
        """The org's Bulk API 2.0 ingest jobs."""
        if self._bulk is None:
            self._bulk = BulkChannel(self._crm, self._config.salesforce.bulk)
        return self._bulk

    def queries(self) -> QueryChannel:
        """The org's Bulk API 2.0 query jobs."""
        if self._queries is None:
            self._queries = QueryChannel(self._crm, self._config.salesforce.bulk)
        return self._queries

    @property
    def bulk_settings(self) -> BulkSettings:
        return self._config.salesforce.bulk

    def records(
        self, batch: Sequence[WorkItem], parent_ids: Mapping[str, str], run_id: str
    ) -> list[dict[str, Any]]:
        """The records `send` would write for `batch` (tag fields and parent ids filled in)."""
        return [self._record(item, parent_ids, run_id) for item in batch]

    def upsert_field(self, record_type: str) -> str | None:
        """The external-id field writes of `record_type` upsert on (tag mode), or None: insert."""
        return self._config.run.signature_field if self.tag_mode and taggable(record_type) else None

    def bulk_csv(self, records: Sequence[Mapping[str, Any]]) -> Csv:
        """`records` as one job's CSV upload."""
        return to_csv(records)

    def window(self, job_created: str) -> WindowFetch:
        """A read-back through query jobs over what changed since a Bulk ingest job was created
        (its `createdDate`); close it when the job is recorded."""
        return WindowFetch(self.queries(), since_literal(job_created))

    def settle_jobs(self, pending: Sequence[ItemRow], state: Any, log: Any) -> list[ItemRow]:
        """Settle the pending rows a recorded bulk job holds by its id (ledger/bulk_writer.py); the
        rest are left for `find`."""
        from demo_gen.ledger.bulk_settle import settle_jobs

        return settle_jobs(self, state, log, pending)

    def _record(self, item: WorkItem, parent_ids: Mapping[str, str], run_id: str) -> dict[str, Any]:
        record: dict[str, Any] = {"attributes": {"type": item.record_type}, **item.record}
        if item.parent is not None and item.parent_field is not None:
            record[item.parent_field] = parent_ids[item.parent]
        if item.evidence:
            record["Evidence_Ids__c"] = ",".join(
                parent_ids[s] for s in item.evidence if s in parent_ids
            )
        if self.tag_mode and taggable(item.record_type):
            record[self._config.run.signature_field] = item.signature
            record[self._config.run.run_tag_field] = run_id
        return record

    def read_back(
        self,
        rows: Sequence[ItemRow],
        *,
        owned_ids: Collection[str] = (),
        verify: bool = False,
        planned: Sequence[ItemRow] = (),
        window: WindowFetch | None = None,
    ) -> ReadBack:
        """Snapshots, an EmailMessage's Task, an Event's relations (a planned invitee the org
        made itself is adopted under the invitee's signature), a Task's TaskRelations.

        `window`: the rows were made by a Bulk ingest job: read them back through its query
        jobs over what changed since it was created (`window`, bulk_readback.py), not per 200
        ids."""
        invitees = {
            (r.parent_signature, r.subject): r
            for r in planned
            if r.kind == INVITEE and r.parent_signature and r.subject
        }
        back = read_back(
            self._crm,
            rows,
            invitees=invitees,
            owned_ids=owned_ids,
            verify=verify,
            task_relations=self._task_relations,
            fetch=window,
        )
        if back.task_relations is False:
            self._task_relations = False  # no TaskRelation here: stop asking
        return back

    def find(self, pending: Sequence[ItemRow], ledger: LedgerView) -> Reconciliation:
        tag = self._config.run.signature_field if self.tag_mode else None
        return find_pending(self._crm, ledger, self.key, pending, tag_field=tag)

    def adopt_missing(self, created: Sequence[ItemRow], ledger: LedgerView) -> list[ItemRow]:
        """What the org made for `created` rows and no ledger row holds, found by its link (never
        by subject and day): the Task behind each created EmailMessage that has none recorded,
        with that Task's TaskRelations; and the relations of each Event or Task whose batch was
        never read back (its row has no identity snapshot: the read-back failed)."""
        emails = [
            r
            for r in created
            if r.kind == EMAIL and r.record_type == "EmailMessage" and r.remote_id
        ]
        sigs = [email_task_signature(r.signature) for r in emails]
        known = created_ids(ledger.items_by_signature(self.key, sigs)) if emails else {}
        missing = [r for r in emails if email_task_signature(r.signature) not in known]
        unread = [
            r
            for r in created
            if r.kind in PARENT_KINDS
            and r.record_type in ("Event", "Task")
            and r.identity is None
            and r.remote_id
        ]
        if not (missing or unread):
            return []
        owned = ledger.owned_ids(self.key)
        out: list[ItemRow] = []
        for group in ([r for r in unread if r.record_type == t] for t in ("Event", "Task")):
            out += self.read_back(group, owned_ids=owned, verify=True).owned
        back = self.read_back(missing, owned_ids=owned, verify=True)
        return out + [r for r in back.owned if r.kind in (EMAIL_TASK, TASK_RELATION)]

    def verify(
        self, rows: Sequence[ItemRow], ledger: LedgerView, *, stamped: bool = False
    ) -> Verdicts:
        """One query per 200 records of an sObject; in tag mode, with `stamped`, the run tag
        and signature too, where demo-gen stamped them."""
        check = None
        if stamped and self.tag_mode:
            check = TagCheck(self._config.run.run_tag_field, self._config.run.signature_field)
        out = Verdicts()
        for record_type in sorted({r.record_type for r in rows}):
            group = [r for r in rows if r.record_type == record_type and r.remote_id]
            marked = any(r.kind in STAMPED_KINDS for r in group)
            extra = check.fields if check is not None and marked else ()
            found = verify(self._crm, ledger, self.key, group, check, extra)
            out.same.extend(found.same)
            out.gone.extend(found.gone)
            out.foreign.update(found.foreign)
            out.records.update(found.records)
            if check is not None:
                out.unstamped.update(s for s, why in found.foreign.items() if why.startswith(extra))
        return out

    def read_fields(
        self, record_type: str, ids: Sequence[str], names: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """The current values of `names` on each of `ids` still in the org
        (ledger/update_protocol.py)."""
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), BATCH_LIMIT):
            chunk = list(ids[start : start + BATCH_LIMIT])
            soql = (
                f"SELECT Id, {', '.join(names)} FROM {record_type} WHERE Id IN {soql_list(chunk)}"
            )
            for row in self._crm.query(soql):
                out[row["Id"]] = {name: row.get(name) for name in names}
        return out

    def update_fields(
        self, record_type: str, changes: Mapping[str, Mapping[str, Any]]
    ) -> list[WriteResult]:
        """Set fields on existing records (id -> fields), in input order
        (ledger/update_protocol.py)."""
        records = [
            {"attributes": {"type": record_type}, "Id": rid, **fields}
            for rid, fields in changes.items()
        ]
        return self._crm.update(records)

    def delete(self, rows: Sequence[ItemRow]) -> list[WriteResult]:
        results = self._crm.delete([r.remote_id or "" for r in rows])
        return [
            replace(r, success=True) if not r.success and r.error_code in GONE else r
            for r in results
        ]


@contextmanager
def open_salesforce(
    config: Config, secrets: Secrets, now: datetime | None = None
) -> Iterator[SalesforceTarget]:
    """The configured org (a real one, or the local org: embedded or served) as a target."""
    with open_crm(config, secrets) as crm:
        yield SalesforceTarget(crm, config, now)
