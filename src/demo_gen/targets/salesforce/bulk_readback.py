"""Read-back of a Bulk ingest job through Bulk API 2.0 query jobs: a few requests per job.

The REST read-back (`orgmade.SoqlFetch`) asks for records by id, 200 ids a query. A job of
100,000 rows would cost 500 queries, and more for what the org made (an Event's relations, a
Task's TaskRelations). `WindowFetch` asks instead for everything of an object modified since the
ingest job was created — `WHERE SystemModstamp >= <the job's createdDate>`, the org's own clock,
so no clock skew — one query job per object, and keeps only what belongs to the job:

- our records: the rows whose `Id` is one the job's results gave us;
- an Event's relations: the EventRelation rows whose `EventId` is one of those Events;
- a Task's TaskRelations: the rows whose `TaskId` is one of our Tasks, or the Task the org made
  for one of our EmailMessages (found by the EmailMessage's `ActivityId`, never by subject).

A record the window brings that is tied to none of those ids (another user's, another job's) is
dropped, so the read-back claims exactly what the REST read-back would. Every record our job
made has a SystemModstamp at or after the job's creation (the org stamps it when it writes it,
and a later edit only moves it on), so none is missed. `CreatedDate` cannot serve: demo-gen
backdates it where the org allows. A query job costs two or three requests whatever its size
(`bulk_query.REQUESTS_PER_QUERY`), so this is used for a job of at least
`salesforce.bulk.query_min_records` rows (1,000 by default: five REST queries of Events, ten of
EmailMessages with their TaskRelations, against two query jobs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from demo_gen.targets.salesforce.bulk_query import BOOL, QueryChannel
from demo_gen.targets.salesforce.identity import identity_fields

_BOOLEANS = ("IsParent", "IsInvitee", "IsWhat", "IsDeleted")


def since_literal(created_date: str) -> str:
    """A job's `createdDate` (`2026-11-02T10:00:00.000+0000`) as a SOQL datetime literal, to the
    second below (SOQL literals carry no fraction)."""
    return f"{created_date[:19]}Z"


class WindowFetch:
    """`orgmade.Fetch` through query jobs over `SystemModstamp >= since`."""

    def __init__(self, channel: QueryChannel, since: str) -> None:
        self._channel = channel
        self._since = since

    def _window(
        self, sobject: str, fields: Sequence[str], key: str, wanted: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Rows of `sobject` modified in the window whose `key` is one of `wanted`."""
        keep = set(wanted)
        if not keep:
            return []
        names = ", ".join(dict.fromkeys(("Id", key, *fields)))
        soql = f"SELECT {names} FROM {sobject} WHERE SystemModstamp >= {self._since}"
        types: Mapping[str, Callable[[str], Any]] = {b: BOOL for b in _BOOLEANS}
        return [r for r in self._channel.rows(soql, types=types) if r.get(key) in keep]

    def records(
        self, sobject: str, ids: Sequence[str], extra: Sequence[str], relations: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        fields = (*identity_fields(sobject), *extra)
        found = {r["Id"]: r for r in self._window(sobject, fields, "Id", ids)}
        if relations:
            nested: dict[str, list[dict[str, Any]]] = {}
            for rel in self._window("EventRelation", relations, "EventId", list(found)):
                nested.setdefault(rel["EventId"], []).append(rel)
            for event_id, record in found.items():
                record["EventRelations"] = {"records": nested.get(event_id, [])}
        return found

    def task_relations(
        self, task_ids: Sequence[str], fields: Sequence[str]
    ) -> list[dict[str, Any]]:
        return self._window("TaskRelation", fields, "TaskId", task_ids)
