"""The local org's SOQL engine: run a query over in-memory records, return wire-shaped rows.

`run(text, source, version=..., today=...)` parses (soql_parse) and executes. Execution
resolves names against `schema` (case-insensitive; output uses canonical names), compiles
WHERE into closures once, and walks the rows. Semantics follow reference/salesforce-wire.md
§13.2, with these decisions:

* A null field value is "not equal" to any value: `Field != 'x'` and `Field NOT IN ('x', 'y')`
  (and `NOT IN` a semi-join) return rows where Field is null, as the SOQL reference words them
  ("!= … Expression is true if the value in the specified fieldName does not equal the specified
  value"; "NOT IN … If the value does not equal any of the specified values", Comparison
  Operators, developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/
  sforce_api_calls_soql_select_comparisonoperators.htm; and "Use null in WHERE": `= null` and
  `!= null` are plain comparisons). `NOT IN (…, null)` excludes nulls. Every other comparison
  (`=`, `<`, `>`, LIKE, INCLUDES, EXCLUDES) is false for a null value.
* `What.Type`, `Who.Type`, `Relation.Type`: the object type of the record a polymorphic lookup
  points at (`soql_context.NAME_TYPE`), not a field of one of its targets.
* `''` compared with `=`/`!=` on a text or id field means null (Salesforce stores no empty
  strings).
* A literal that is not an id, compared with an id field, is MALFORMED_QUERY "invalid ID field: x".
* ORDER BY puts nulls first unless NULLS LAST is given, for ASC and DESC alike (the
  reference's rule).
* Aggregates (COUNT/COUNT_DISTINCT/SUM/AVG/MIN/MAX with optional GROUP BY) are supported;
  HAVING, TYPEOF, ORDER BY an aggregate and fiscal date literals are not.

Errors are `SoqlError` (defined in soql_tokens, re-exported by soql_parse and here).

The engine is split by stage: `soql_context` (the execution context and name resolution),
`soql_rows` (WHERE, ORDER BY, LIMIT/OFFSET), `soql_output` (the wire shape of rows, parents and
child subqueries) and `soql_aggregate` (GROUP BY and aggregate functions).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from demo_gen.local_org.soql.aggregate import aggregate
from demo_gen.local_org.soql.context import MAX_HOPS as MAX_HOPS
from demo_gen.local_org.soql.context import Context, RecordSource, query_sobject
from demo_gen.local_org.soql.context import Getter as Getter
from demo_gen.local_org.soql.context import Pred as Pred
from demo_gen.local_org.soql.context import Row as Row
from demo_gen.local_org.soql.output import build_tree, fill_children, render
from demo_gen.local_org.soql.parse import (
    Aggregate,
    CountAll,
    FieldRef,
    Query,
    SoqlError,
    malformed,
    parse,
)
from demo_gen.local_org.soql.rows import iter_rows, select_rows

__all__ = ["QueryOutput", "RecordSource", "SoqlError", "execute", "parse", "run", "stream"]


@dataclass(frozen=True)
class QueryOutput:
    """All rows of a query, wire-shaped; the caller pages them."""

    total_size: int
    records: list[dict[str, Any]]


def run(
    text: str, source: RecordSource, *, version: str, today: date, include_deleted: bool = False
) -> QueryOutput:
    """Parse and execute SOQL *text*; raises SoqlError."""
    query = parse(text)
    return execute(query, source, version=version, today=today, include_deleted=include_deleted)


def execute(
    query: Query,
    source: RecordSource,
    *,
    version: str,
    today: date,
    include_deleted: bool = False,
) -> QueryOutput:
    """Run a parsed *query*; `include_deleted` is queryAll; date literals count from *today*."""
    ctx = Context(source, version, today, include_deleted)
    obj = query_sobject(query)
    if any(isinstance(item, CountAll) for item in query.select):
        if len(query.select) != 1:
            raise malformed("COUNT() cannot be combined with other fields in SELECT")
        return QueryOutput(len(select_rows(query, obj, ctx)), [])
    if query.group_by or any(isinstance(item, Aggregate) for item in query.select):
        records = aggregate(query, obj, ctx)
        return QueryOutput(len(records), records)
    tree = build_tree(query, obj, ctx)
    rows = select_rows(query, obj, ctx)
    fill_children(tree, {r["Id"] for r in rows}, ctx)
    records = [render(tree, row, obj, obj.name, ctx) for row in rows]
    return QueryOutput(len(records), records)


def stream(
    query: Query,
    source: RecordSource,
    *,
    version: str,
    today: date,
    include_deleted: bool = False,
) -> Iterator[dict[str, Any]]:
    """The records `execute` gives, rendered one at a time (for a Bulk query job's spool).

    Without ORDER BY the rows stream from the source, so a query over a table answered from
    disk (`store.disk`) never holds its matching records at once. Aggregates, COUNT() and child
    subqueries (which Bulk API 2.0 refuses) run through `execute`. Errors of the query are
    raised before this returns.
    """
    plain = not query.group_by and all(isinstance(i, FieldRef) for i in query.select)
    if not plain:
        output = execute(
            query, source, version=version, today=today, include_deleted=include_deleted
        )
        return iter(output.records)
    ctx = Context(source, version, today, include_deleted)
    obj = query_sobject(query)
    tree = build_tree(query, obj, ctx)
    rows = iter_rows(query, obj, ctx)
    return (render(tree, row, obj, obj.name, ctx) for row in rows)
