"""Which rows a query has to look at: an index probe when WHERE allows one, else every row.

`candidate_rows` reads WHERE for a condition that bounds the result by an indexed field of the
queried object (`store_index.is_indexed`, or `Id`): `field = 'x'` or `field IN ('x', 'y')` on the
field itself (not through a relationship), or a range of an audit stamp (`store_index.is_ordered`:
`SystemModstamp >= 2024-05-01T00:00:00Z`, `<`, `<=`, `>`, `=`, against a datetime or a date
literal such as LAST_N_DAYS:3) as a `Span`. An AND needs one such item (ranges of one field are
met into one span; the probe the source can answer and estimates smallest is used); an OR
needs one in every branch (their probes are unioned). Anything else, including a null in the
list, NOT, negation or `!=`, scans; so does a span the source declines (an in-memory table).

The probe only narrows the rows: the whole compiled WHERE still runs on every candidate, so a
probe may return more than matches but never less, and the rows come in the order a scan gives
(insertion order), so ORDER BY, LIMIT and OFFSET see the same sequence either way.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from demo_gen.local_org import ids
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.soql.context import Context, Row, resolve
from demo_gen.local_org.soql.dates import date_range
from demo_gen.local_org.soql.tree import BoolOp, Compare, Condition, InList, Literal, Query
from demo_gen.local_org.store.index import Span, index_key, is_indexed, is_ordered

Probe = tuple[str, frozenset[Hashable] | Span]
_RANGE_OPS = frozenset({"=", "<", "<=", ">", ">="})


def candidate_rows(query: Query, obj: SObject, ctx: Context) -> Iterable[Row]:
    """The rows that may pass *query*'s WHERE, in scan order; all visible rows if no probe fits."""
    if query.where is None or getattr(ctx.source, "lookup", None) is None:
        return ctx.rows(obj.name)
    return probed_rows(obj, _probes(query.where, query, obj, ctx), ctx)


def probed_rows(obj: SObject, probes: Sequence[Probe] | None, ctx: Context) -> Iterable[Row]:
    """The visible rows of *obj* matching any of *probes*, in scan order (all rows if None).

    A superset at worst: the source scans when it cannot answer from its indexes.
    """
    lookup = getattr(ctx.source, "lookup", None)
    found = (
        None if probes is None or lookup is None else lookup(obj.name, probes, ctx.include_deleted)
    )
    return ctx.rows(obj.name) if found is None else found


def children_probe(
    obj: SObject, lookup_field: str, parent_ids: Iterable[str]
) -> list[Probe] | None:
    """The probe for the *obj* rows whose *lookup_field* points at one of *parent_ids*."""
    if not is_indexed(obj, lookup_field):
        return None
    return [(lookup_field, frozenset(parent_ids))]


def _probes(cond: Condition, query: Query, obj: SObject, ctx: Context) -> list[Probe] | None:
    """Probes whose union holds every row *cond* accepts; None when no index bounds it."""
    if isinstance(cond, BoolOp) and cond.op == "OR":
        union: list[Probe] = []
        for item in cond.items:
            found = _probes(item, query, obj, ctx)
            if found is None:
                return None
            union.extend(found)
        return union
    if isinstance(cond, BoolOp):
        options = _met([p for item in cond.items if (p := _probes(item, query, obj, ctx))])
        can = getattr(ctx.source, "can_lookup", None)
        options = [p for p in options if can is None or can(obj.name, p)]
        if not options:
            return None
        return min(options, key=lambda probes: _estimate(ctx.source, obj, probes))
    return _leaf_probe(cond, query, obj, ctx.today)


def _met(options: list[list[Probe]]) -> list[list[Probe]]:
    """*options* (each bounds an AND) with the single spans of one field met into one."""
    spans: dict[str, Span] = {}
    out: list[list[Probe]] = []
    for probes in options:
        if len(probes) == 1 and isinstance(span := probes[0][1], Span):
            name = probes[0][0]
            spans[name] = span if name not in spans else spans[name].meet(span)
        else:
            out.append(probes)
    return out + [[(name, span)] for name, span in spans.items()]


def _estimate(source: Any, obj: SObject, probes: list[Probe]) -> int:
    estimate = getattr(source, "estimate", None)
    return len(probes) if estimate is None else sum(estimate(obj.name, p) for p in probes)


def _leaf_probe(cond: Condition, query: Query, obj: SObject, today: date) -> list[Probe] | None:
    if isinstance(cond, Compare) and cond.op in _RANGE_OPS:
        path = resolve(query, obj, cond.field)
        if not path.hops and is_ordered(obj, path.leaf.name):
            span = _span(cond.op, cond.value, today)
            return None if span is None else [(path.leaf.name, span)]
    if isinstance(cond, Compare) and cond.op == "=":
        values: tuple[Literal, ...] = (cond.value,)
    elif isinstance(cond, InList) and not cond.negated:
        values = cond.values
    else:
        return None
    path = resolve(query, obj, cond.field)
    if path.hops or not is_indexed(obj, path.leaf.name):
        return None
    keys = [_key(path.leaf, lit) for lit in values]
    if any(k is None for k in keys):
        return None
    return [(path.leaf.name, frozenset(k for k in keys if k is not None))]


def _span(op: str, lit: Literal, today: date) -> Span | None:
    """The span holding every value `field <op> lit` accepts (field a datetime); None for a
    null or a literal of another kind (WHERE refuses those as it compiles)."""
    if lit.kind == "datetime":
        low = high = lit.value
    elif lit.kind == "range":  # the instants [low, high) of the days a date literal covers
        first, last = date_range(lit.value[0], lit.value[1], today)
        low = datetime.combine(first, time(), UTC)
        high = datetime.combine(last + timedelta(days=1), time(), UTC)
    else:
        return None
    bounds = {"=": (low, high), ">=": (low, None), ">": (high, None)}
    bounds |= {"<": (None, low), "<=": (None, high)}
    return Span(*bounds[op])


def _key(f: schema.Field, lit: Literal) -> Hashable | None:
    """The index key a literal matches; None for a null, '' or a non-string (no probe then).

    Literals of the wrong type never reach here: compiling WHERE has refused them already.
    """
    if lit.kind != "string" or lit.value == "":
        return None
    if f.type in (schema.ID, schema.REFERENCE):
        return ids.to18(lit.value)
    return index_key(f, lit.value)
