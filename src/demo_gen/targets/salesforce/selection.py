"""Which opportunities a run works on, read in a handful of queries (never one per opportunity)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar

from demo_gen.config.model import QuerySettings
from demo_gen.errors import ConfigError, UsageError
from demo_gen.ledger.runlog import is_run_of
from demo_gen.stages.model import Account, BusyEvent, Contact, Opportunity, OrgSnapshot, Seller
from demo_gen.targets.salesforce import selection_bulk
from demo_gen.targets.salesforce.client import soql_list, soql_quote
from demo_gen.targets.salesforce.identity import READ_CHUNK

_OPP_FIELDS = (
    "Id, Name, StageName, Type, Amount, Probability, CloseDate, CreatedDate, IsClosed, IsWon, "
    "AccountId, Account.Name, Account.Industry, Account.BillingCountry, Account.BillingState, "
    "Account.Website, Account.NumberOfEmployees, "
    "OwnerId, Owner.Name, Owner.Email, Owner.Title, Owner.TimeZoneSidKey, "
    "(SELECT ContactId, Role, IsPrimary FROM OpportunityContactRoles)"
)
_CONTACT_FIELDS = (
    "Id, AccountId, FirstName, LastName, Email, Title, Phone, MailingCountry, MailingState"
)
_USER_FIELDS = "Id, Name, Email, Title, TimeZoneSidKey"
_EVENT_FIELDS = "Id, OwnerId, WhoId, WhatId, Subject, StartDateTime, EndDateTime"
_IN_CHUNK = READ_CHUNK  # ids in one SOQL IN list, as read-back uses
_ID = re.compile(r"[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?")
_T = TypeVar("_T")


class _Pool:
    """One object for every value the selection reads many times: an account's and an owner's
    fields on each of their opportunities, a contact on each opportunity of its account, the
    names, titles, countries and subjects that repeat from row to row. Rows parse every cell
    into a string of its own (52,661 contacts and 9,353 deals on a 20,000-opportunity org:
    tens of megabytes, held through planning); equal values are frozen, so sharing them
    changes nothing but the memory."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def __call__(self, value: _T) -> _T:
        if value is None:
            return value
        shared: _T = self._seen.setdefault(value, value)
        return shared


class Reader(Protocol):
    def query(self, soql: str) -> list[dict[str, Any]]: ...
    def query_unless_larger(self, soql: str, threshold: int) -> list[dict[str, Any]] | None: ...
    def describe(self, sobject: str) -> dict[str, Any] | None: ...
    def fields_of(self, sobject: str) -> frozenset[str] | None: ...
    def org_id(self) -> str: ...


@dataclass(frozen=True)
class BulkReads:
    """Read a large org through Bulk API 2.0 query jobs: when the opportunities' query has at
    least `threshold` rows (its first REST page says so), they, their contact roles, contacts
    and busy Events are read in query jobs instead (selection_bulk.py)."""

    rows: selection_bulk.Rows
    threshold: int


@dataclass(frozen=True)
class Selection:
    snapshot: OrgSnapshot
    soql: str
    warnings: tuple[str, ...]


def select_opportunities(
    crm: Reader,
    settings: QuerySettings,
    *,
    max_opps: int | None = None,
    only_ids: Sequence[str] | None = None,
    exclude_event_ids: Collection[str] = (),
    own_tag: tuple[str, str] | None = None,
    bulk: BulkReads | None = None,
) -> Selection:
    """The opportunities the query settings select, with accounts, owners and contacts, the
    org's active Users and its own Events (minus `exclude_event_ids`: the ids, or the
    "Subject|start" keys of pending rows, of Events demo-gen made; and, in tag mode, minus the
    Events whose run tag `own_tag = (field, pack)` says a run of this pack made them, so a lost
    ledger plans the same story again and the upserts on the signature find their records)."""
    for opp_id in only_ids or ():
        if not _ID.fullmatch(opp_id):
            raise UsageError(f"not a Salesforce opportunity id: {opp_id!r}")
    warnings: list[str] = []
    if only_ids is None:
        check_stages(crm, settings.stages_allowed)
    opp_fields = crm.fields_of("Opportunity") or frozenset()
    where = _where(settings, opp_fields, warnings)
    if only_ids is not None:
        where = [f"Id IN {soql_list(list(only_ids))}"]
    limit = min(settings.limit, max_opps) if max_opps is not None else settings.limit
    order_limit = f"ORDER BY CloseDate ASC, Id ASC LIMIT {limit}"
    soql = f"SELECT {_OPP_FIELDS} FROM Opportunity"
    if where:
        soql += " WHERE " + " AND ".join(where)
    soql += f" {order_limit}"
    rows = _opportunity_rows(crm, soql, bulk if only_ids is None else None, limit)
    large = rows is None
    if rows is None:
        assert bulk is not None
        rows = selection_bulk.opportunities(bulk.rows, where, order_limit)
    org_id = crm.org_id()
    if only_ids is not None and not rows:
        raise UsageError(f"no opportunity with id {', '.join(only_ids)} in org {org_id}")
    accounts = sorted({r["AccountId"] for r in rows if r["AccountId"]})
    reads = bulk.rows if large and bulk is not None else None
    one = _Pool()
    bare = [(_opportunity(row, one), _roles(row, one)) for row in rows if row["AccountId"]]
    skipped = len(rows) - len(bare)
    del rows  # the rows as parsed: gone before the contacts' rows come
    contacts = _contacts_by_account(crm, accounts, reads, where, one)
    opportunities = tuple(
        replace(opp, contacts=_ordered_contacts(roles, contacts.get(opp.account.id, [])))
        for opp, roles in bare
    )
    del bare, contacts  # and these before the Events' rows come
    if skipped:
        warnings.append(f"{skipped} selected opportunities have no account and were skipped")
    users = active_users(crm)
    events = _events(crm, opportunities, frozenset(exclude_event_ids), own_tag, reads, one)
    return Selection(OrgSnapshot(org_id, opportunities, users, events), soql, tuple(warnings))


def _opportunity_rows(
    crm: Reader, soql: str, bulk: BulkReads | None, limit: int
) -> list[dict[str, Any]] | None:
    """The rows through REST, or None when the org is large enough for query jobs."""
    if bulk is None or limit < bulk.threshold:
        return crm.query(soql)
    return crm.query_unless_larger(soql, bulk.threshold)


def active_users(crm: Reader) -> tuple[Seller, ...]:
    """The org's active Users, as the planner and the calendar checks see them."""
    rows = crm.query(f"SELECT {_USER_FIELDS} FROM User WHERE IsActive = true ORDER BY Id")
    return tuple(
        Seller(
            id=r["Id"],
            name=r.get("Name") or "Colleague",
            email=r.get("Email") or "",
            title=r.get("Title"),
            time_zone=r.get("TimeZoneSidKey") or "America/Los_Angeles",
        )
        for r in rows
    )


def _events(
    crm: Reader,
    opportunities: Sequence[Opportunity],
    exclude: frozenset[str],
    own_tag: tuple[str, str] | None,
    bulk: selection_bulk.Rows | None = None,
    one: _Pool | None = None,
) -> tuple[BusyEvent, ...]:
    """Events owned by the deals' owners from the earliest CreatedDate on (busy time)."""
    if not opportunities:
        return ()
    one = one or _Pool()
    fields = _EVENT_FIELDS + (f", {own_tag[0]}" if own_tag else "")
    owners = sorted({o.owner.id for o in opportunities})
    since = min(o.created_date for o in opportunities).strftime("%Y-%m-%dT%H:%M:%SZ")
    out: list[BusyEvent] = []
    if bulk is not None:
        found = selection_bulk.events(bulk, fields, owners, since, _IN_CHUNK)
    else:
        found = []
        for start in range(0, len(owners), _IN_CHUNK):
            chunk = owners[start : start + _IN_CHUNK]
            soql = (
                f"SELECT {fields} FROM Event WHERE OwnerId IN {soql_list(chunk)} "
                f"AND StartDateTime >= {since} ORDER BY StartDateTime, Id"
            )
            found.extend(crm.query(soql))
    for row in found:
        if not row.get("StartDateTime") or not row.get("EndDateTime"):
            continue
        key = f"{row.get('Subject') or ''}|{row['StartDateTime'][:19]}"
        if row["Id"] in exclude or key in exclude:
            continue
        if own_tag and is_run_of(row.get(own_tag[0]) or "", own_tag[1]):
            continue
        out.append(
            BusyEvent(
                id=row["Id"],
                owner_id=one(row["OwnerId"]),
                who_id=one(row.get("WhoId")),
                what_id=one(row.get("WhatId")),
                subject=one(row.get("Subject") or ""),
                start=one(_parse_dt(row["StartDateTime"])),
                end=one(_parse_dt(row["EndDateTime"])),
            )
        )
    return tuple(out)


def check_stages(crm: Reader, stages: Sequence[str]) -> None:
    """ConfigError naming the key of a configured stage that the org's StageName picklist lacks.

    A stage that is not in the picklist selects nothing; without this check a run would plan
    nothing and report that every record already exists.
    """
    described = crm.describe("Opportunity") or {}
    fields: list[dict[str, Any]] = described.get("fields", [])
    field = next((f for f in fields if f.get("name") == "StageName"), {})
    values = [v["value"] for v in field.get("picklistValues") or [] if v.get("active", True)]
    if not values:
        return  # the org does not say: the query decides
    known = {v.casefold() for v in values}  # SOQL compares picklist values case-insensitively
    for i, stage in enumerate(stages):
        if stage.casefold() not in known:
            raise ConfigError(
                f"salesforce.query.stages_allowed.{i}: {stage!r} is not a stage of this org's "
                f"Opportunity StageName picklist ({', '.join(values)})",
                hint="use the stage names exactly as the org spells them",
                key=("salesforce", "query", "stages_allowed", str(i)),
            )


def _where(settings: QuerySettings, opp_fields: frozenset[str], warnings: list[str]) -> list[str]:
    where: list[str] = []
    if settings.opportunity_type:
        where.append(f"Type = {soql_quote(settings.opportunity_type)}")
    if settings.stages_allowed:
        where.append(f"StageName IN {soql_list(settings.stages_allowed)}")
    omitted = settings.exclude_if_omitted_field
    if omitted:
        if omitted in opp_fields:
            where.append(f"{omitted} = false")
        else:
            warnings.append(f"Opportunity has no field {omitted}; nothing is excluded by it")
    if settings.close_date_range is not None:
        r = settings.close_date_range
        where.append(f"CloseDate >= {r.start.isoformat()} AND CloseDate <= {r.end.isoformat()}")
    return where


def _contacts_by_account(
    crm: Reader,
    account_ids: Sequence[str],
    bulk: selection_bulk.Rows | None = None,
    where: Sequence[str] = (),
    one: _Pool | None = None,
) -> dict[str, list[Contact]]:
    """Each account's contacts, without a role on any deal yet (`_ordered_contacts` gives
    them theirs), ordered by account and id."""
    one = one or _Pool()
    out: dict[str, list[Contact]] = {}
    if bulk is not None:
        for row in selection_bulk.contacts(bulk, _CONTACT_FIELDS, account_ids, where):
            out.setdefault(row["AccountId"], []).append(_contact(row, one))
        return out
    for start in range(0, len(account_ids), _IN_CHUNK):
        chunk = account_ids[start : start + _IN_CHUNK]
        soql = (
            f"SELECT {_CONTACT_FIELDS} FROM Contact WHERE AccountId IN {soql_list(chunk)} "
            "ORDER BY AccountId, Id"
        )
        for row in crm.query(soql):
            out.setdefault(row["AccountId"], []).append(_contact(row, one))
    return out


def _opportunity(row: Mapping[str, Any], one: _Pool) -> Opportunity:
    """The deal of an Opportunity row, without its contacts yet (`_ordered_contacts`)."""
    account_row = row.get("Account") or {}
    owner_row = row.get("Owner") or {}
    account = Account(
        id=row["AccountId"],
        name=account_row.get("Name") or "Unknown account",
        industry=account_row.get("Industry"),
        billing_country=account_row.get("BillingCountry"),
        billing_state=account_row.get("BillingState"),
        website=account_row.get("Website"),
        employees=account_row.get("NumberOfEmployees"),
    )
    owner = Seller(
        id=row["OwnerId"],
        name=owner_row.get("Name") or "Account Executive",
        email=owner_row.get("Email") or "",
        title=owner_row.get("Title"),
        time_zone=owner_row.get("TimeZoneSidKey") or "America/Los_Angeles",
    )
    return Opportunity(
        id=row["Id"],
        name=row["Name"],
        stage=one(row["StageName"]),
        type=one(row.get("Type")),
        amount=row.get("Amount"),
        probability=row.get("Probability"),
        close_date=date.fromisoformat(row["CloseDate"]),
        created_date=_parse_dt(row["CreatedDate"]),
        is_closed=bool(row.get("IsClosed")),
        is_won=bool(row.get("IsWon")),
        account=one(account),
        owner=one(owner),
        contacts=(),
    )


_Role = tuple[str, str, bool]  # contact id, role, primary


def _roles(row: Mapping[str, Any], one: _Pool) -> tuple[_Role, ...]:
    """The deal's OpportunityContactRoles, as `_ordered_contacts` takes them."""
    roles_block = row.get("OpportunityContactRoles") or {}
    return tuple(
        (r["ContactId"], one(r.get("Role") or "Other"), bool(r.get("IsPrimary")))
        for r in roles_block.get("records", [])
    )


def _ordered_contacts(
    deal_roles: Sequence[_Role], account_contacts: Sequence[Contact]
) -> tuple[Contact, ...]:
    roles = {contact_id: (role, primary) for contact_id, role, primary in deal_roles}
    people = [_with_role(c, roles.get(c.id)) for c in account_contacts]
    # contact roles first, the primary first of all; then the account's others, in id order
    return tuple(sorted(people, key=lambda c: (not c.is_primary, c.role is None, c.id)))


def _contact(c: Mapping[str, Any], one: _Pool) -> Contact:
    """A contact row as a Contact without a role (the same object on every deal it has none)."""
    return Contact(
        id=c["Id"],
        first_name=one(c.get("FirstName")),
        last_name=one(c.get("LastName") or ""),
        email=c.get("Email"),
        title=one(c.get("Title")),
        phone=c.get("Phone"),
        mailing_country=one(c.get("MailingCountry")),
        mailing_state=one(c.get("MailingState")),
        role=None,
    )


def _with_role(contact: Contact, role: tuple[str, bool] | None) -> Contact:
    if role is None:
        return contact
    return replace(contact, role=role[0], is_primary=role[1])


def _parse_dt(text: str) -> datetime:
    value = datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
    return value.replace(tzinfo=UTC)
