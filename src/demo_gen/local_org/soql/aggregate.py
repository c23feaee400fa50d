"""SOQL aggregate queries: GROUP BY with COUNT, COUNT_DISTINCT, SUM, AVG, MIN and MAX.

`aggregate` returns one AggregateResult row per group (a single group without GROUP BY); an
unaliased aggregate is named `expr0`, `expr1` … as Salesforce does. HAVING and ORDER BY an
aggregate are not supported.
"""

from __future__ import annotations

from typing import Any

from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.soql.context import Context, Getter, Path, Row, getter, resolve
from demo_gen.local_org.soql.plan import candidate_rows
from demo_gen.local_org.soql.rows import compile_where, field_category, page_rows, sort_rows
from demo_gen.local_org.soql.tokens import malformed
from demo_gen.local_org.soql.tree import Aggregate, FieldRef, Query

# --- aggregates ------------------------------------------------------------------------------


def aggregate(query: Query, obj: SObject, ctx: Context) -> list[dict[str, Any]]:
    """GROUP BY and aggregate functions: one AggregateResult row per group."""
    groups_by = [resolve(query, obj, ref) for ref in query.group_by]
    grouped = {_path_key(p) for p in groups_by}
    for order in query.order_by:
        if _path_key(resolve(query, obj, order.field)) not in grouped:
            raise malformed(
                f"ORDER BY in an aggregate query must use a GROUP BY field: {order.field.text}"
            )
    columns = _agg_columns(query, obj, grouped)
    where = compile_where(query.where, query, obj, ctx) if query.where else None
    rows = [row for row in candidate_rows(query, obj, ctx) if where is None or where(row)]
    getters = [getter(p, ctx) for p in groups_by]
    groups: dict[tuple[Any, ...], list[Row]] = {} if getters else {(): []}
    for row in rows:
        groups.setdefault(tuple(g(row) for g in getters), []).append(row)
    firsts = [members[0] if members else {} for members in groups.values()]
    members_of = {id(first): rows for first, rows in zip(firsts, groups.values(), strict=True)}
    sort_rows(firsts, query, obj, ctx)
    return [_agg_row(columns, members_of[id(first)], ctx) for first in page_rows(firsts, query)]


def _path_key(path: Path) -> tuple[str, ...]:
    return (*(hop.field for hop in path.hops), path.leaf.name)


_Column = tuple[str, str, Path]  # output key, function ("" for a grouped field), path


def _agg_columns(query: Query, obj: SObject, grouped: set[tuple[str, ...]]) -> list[_Column]:
    columns: list[_Column] = []
    unnamed = 0
    for item in query.select:
        if isinstance(item, FieldRef):
            path = resolve(query, obj, item)
            if _path_key(path) not in grouped:
                raise malformed(f"Field must be grouped or aggregated: {path.leaf.name}")
            columns.append((path.leaf.name, "", path))
        elif isinstance(item, Aggregate):
            path = resolve(query, obj, item.field)
            if item.func in ("SUM", "AVG") and field_category(path.leaf) != "number":
                raise malformed(
                    f"field {path.leaf.name} does not support aggregate operator {item.func}"
                )
            columns.append((item.alias or f"expr{unnamed}", item.func, path))
            unnamed += item.alias is None
        else:
            raise malformed("subqueries cannot be used in an aggregate query")
    return columns


def _agg_row(columns: list[_Column], rows: list[Row], ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
    for key, func, path in columns:
        get = getter(path, ctx)
        values = [v for v in map(get, rows) if v is not None]
        out[key] = _agg_value(func, path.leaf, values, rows, get)
    return out


def _agg_value(func: str, f: Field, values: list[Any], rows: list[Row], get: Getter) -> Any:
    if func == "":
        return schema.to_wire(f, get(rows[0]) if rows else None)
    if func == "COUNT":
        return len(values)
    if func == "COUNT_DISTINCT":
        return len(set(values))
    if not values:
        return None
    if func == "SUM":
        return float(sum(values))
    if func == "AVG":
        return float(sum(values)) / len(values)
    return schema.to_wire(f, min(values) if func == "MIN" else max(values))
