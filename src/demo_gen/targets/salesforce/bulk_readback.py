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

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from demo_gen.scratch import Scratch
from demo_gen.targets.salesforce.bulk_query import BOOL, QueryChannel
from demo_gen.targets.salesforce.identity import identity_fields

_BOOLEANS = ("IsParent", "IsInvitee", "IsWhat", "IsDeleted")
_LOOKUP = 500
"""Keys looked up in the spool per statement (under SQLite's bound-parameter limit)."""


def since_literal(created_date: str) -> str:
    """A job's `createdDate` (`2026-11-02T10:00:00.000+0000`) as a SOQL datetime literal, to the
    second below (SOQL literals carry no fraction)."""
    return f"{created_date[:19]}Z"


class WindowFetch(Scratch):
    """`orgmade.Fetch` through query jobs over `SystemModstamp >= since`.

    One fetch serves a whole ingest job, read back a block of rows at a time: each window is
    asked for once, at the first block that needs it, and its rows go to a private SQLite file
    on disk as the query job's pages arrive (a page's text at a time in memory); every block then
    looks up its own keys there. So what the client holds follows the block, not the job: a
    run-wide job of 400,000 email relations is never in memory whole. Close it (or use it as a
    context manager) to delete the file."""

    def __init__(self, channel: QueryChannel, since: str) -> None:
        super().__init__()
        self._channel = channel
        self._since = since
        self._queries: dict[str, str] = {}  # SOQL -> the spool's table of its rows

    def _window(
        self, sobject: str, fields: Sequence[str], key: str, wanted: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Rows of `sobject` modified in the window whose `key` is one of `wanted`, in the order
        the query job gave them."""
        keep = list(dict.fromkeys(wanted))
        if not keep:
            return []
        names = ", ".join(dict.fromkeys(("Id", key, *fields)))
        soql = f"SELECT {names} FROM {sobject} WHERE SystemModstamp >= {self._since}"
        table = self._queries.get(soql)
        if table is None:
            table = self._queries[soql] = f"window_{len(self._queries)}"
            self._load(table, soql, key)
        found: list[tuple[int, str]] = []
        for start in range(0, len(keep), _LOOKUP):
            part = keep[start : start + _LOOKUP]
            marks = ", ".join("?" * len(part))
            sql = f"SELECT rowid, body FROM {table} WHERE key IN ({marks})"
            found += self.db.execute(sql, part).fetchall()
        return [json.loads(body) for _, body in sorted(found)]

    def _load(self, table: str, soql: str, key: str) -> None:
        """Spool every row of the window in `table`, keyed by `key`, then index it by key."""
        types: Mapping[str, Callable[[str], Any]] = {b: BOOL for b in _BOOLEANS}
        self.db.execute(f"CREATE TABLE {table} (key TEXT, body TEXT)")

        def put(rows: Iterator[dict[str, Any]]) -> None:
            insert = f"INSERT INTO {table} VALUES (?, ?)"
            self.db.executemany(insert, ((r.get(key), json.dumps(r)) for r in rows))

        def restart() -> None:  # a job the org lost: its rows go, the new job's come
            self.db.execute(f"DELETE FROM {table}")

        self._channel.each(put, soql, types=types, restart=restart)
        self.db.execute(f"CREATE INDEX {table}_key ON {table} (key)")

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
