"""The first reads of a large org through Bulk API 2.0 query jobs (selection.py decides when).

REST pages a query 2,000 rows a request, and selection reads contacts and busy Events in `IN`
lists of 200 accounts or owners: on a 20,000-opportunity org that is hundreds of requests. A
query job reads any number of rows in two or three. A query job takes no child subquery, so the
opportunities' contact roles are a job of their own (a semi-join on the same filter), nested
back under each opportunity as the REST subquery gives them. The rows come back in the order
the REST reads give them (the same ORDER BY; busy Events grouped by the owner chunks REST would
have queried, in a stable sort), so the plan is the same whichever way the org was read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from demo_gen.targets.salesforce.bulk_query import BOOL, NUMBER
from demo_gen.targets.salesforce.client import soql_list

OPP_FIELDS = (
    "Id, Name, StageName, Type, Amount, Probability, CloseDate, CreatedDate, IsClosed, IsWon, "
    "AccountId, Account.Name, Account.Industry, Account.BillingCountry, Account.BillingState, "
    "Account.Website, Account.NumberOfEmployees, "
    "OwnerId, Owner.Name, Owner.Email, Owner.Title, Owner.TimeZoneSidKey"
)
OPP_TYPES: Mapping[str, Callable[[str], Any]] = {
    "Amount": NUMBER,
    "Probability": NUMBER,
    "IsClosed": BOOL,
    "IsWon": BOOL,
    "Account.NumberOfEmployees": NUMBER,
}
MAX_IN = 4_000
"""Ids in one IN list of a query job (a SOQL statement stays under 100,000 characters)."""
CONTACTS_IN = MAX_IN
"""Accounts past which the contacts are read in one semi-join job instead of IN lists."""


class Rows(Protocol):
    def rows(
        self,
        soql: str,
        *,
        include_deleted: bool = False,
        types: Mapping[str, Callable[[str], Any]] | None = None,
    ) -> list[dict[str, Any]]: ...


def opportunities(bulk: Rows, where: Sequence[str], order_limit: str) -> list[dict[str, Any]]:
    """The selected opportunities, each with `OpportunityContactRoles` as REST nests them."""
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    rows = bulk.rows(f"SELECT {OPP_FIELDS} FROM Opportunity{clause} {order_limit}", types=OPP_TYPES)
    semi = f" WHERE OpportunityId IN (SELECT Id FROM Opportunity{clause})" if clause else ""
    soql = (
        "SELECT Id, OpportunityId, ContactId, Role, IsPrimary FROM OpportunityContactRole"
        f"{semi} ORDER BY OpportunityId, Id"
    )
    roles: dict[str, list[dict[str, Any]]] = {}
    for role in bulk.rows(soql, types={"IsPrimary": BOOL}):
        roles.setdefault(role["OpportunityId"], []).append(
            {k: role.get(k) for k in ("ContactId", "Role", "IsPrimary")}
        )
    for row in rows:
        found = roles.get(row["Id"])
        row["OpportunityContactRoles"] = {"records": found} if found else None
    return rows


def contacts(
    bulk: Rows, fields: str, account_ids: Sequence[str], where: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The contacts of these accounts, ordered by account and id (as REST reads them). More
    accounts than one IN list holds: one job for the contacts of every account the selection's
    filter `where` finds an opportunity in (a semi-join), kept to these accounts — one job
    where IN lists would take one per `MAX_IN` accounts (6,000 accounts at 20,000
    opportunities)."""
    if len(account_ids) > CONTACTS_IN:
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        semi = f" WHERE AccountId IN (SELECT AccountId FROM Opportunity{clause})" if clause else ""
        wanted = set(account_ids)
        rows = bulk.rows(f"SELECT {fields} FROM Contact{semi} ORDER BY AccountId, Id")
        return [row for row in rows if row.get("AccountId") in wanted]
    out: list[dict[str, Any]] = []
    for start in range(0, len(account_ids), MAX_IN):
        chunk = list(account_ids[start : start + MAX_IN])
        soql = (
            f"SELECT {fields} FROM Contact WHERE AccountId IN {soql_list(chunk)} "
            "ORDER BY AccountId, Id"
        )
        out.extend(bulk.rows(soql))
    return out


def events(
    bulk: Rows, fields: str, owners: Sequence[str], since: str, rest_chunk: int
) -> list[dict[str, Any]]:
    """The owners' Events from `since` on, in the order REST reads them: by chunk of
    `rest_chunk` owners, then by StartDateTime and Id."""
    chunk_of = {owner: index // rest_chunk for index, owner in enumerate(owners)}
    out: list[dict[str, Any]] = []
    for start in range(0, len(owners), MAX_IN):
        chunk = list(owners[start : start + MAX_IN])
        soql = (
            f"SELECT {fields} FROM Event WHERE OwnerId IN {soql_list(chunk)} "
            f"AND StartDateTime >= {since} ORDER BY StartDateTime, Id"
        )
        out.extend(bulk.rows(soql))
    return sorted(out, key=lambda row: chunk_of.get(row["OwnerId"], 0))
