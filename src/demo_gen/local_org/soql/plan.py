"""Which rows a query has to look at: an index probe when WHERE allows one, else every row.

`candidate_rows` reads WHERE for a condition that bounds the result by an indexed field of the
queried object (`store_index.is_indexed`, or `Id`): `field = 'x'` or `field IN ('x', 'y')` on the
field itself (not through a relationship). An AND needs one such item (the one the source
estimates smallest is probed); an OR needs one in every branch (their probes are unioned).
Anything else, including a null in the list, NOT, negation or a date literal, scans.

The probe only narrows the rows: the whole compiled WHERE still runs on every candidate, so a
probe may return more than matches but never less, and the rows come in the order a scan gives
(insertion order), so ORDER BY, LIMIT and OFFSET see the same sequence either way.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from demo_gen.local_org import ids
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import SObject
from demo_gen.local_org.soql.context import Context, Row, resolve
from demo_gen.local_org.soql.tree import BoolOp, Compare, Condition, InList, Literal, Query
from demo_gen.local_org.store.index import index_key, is_indexed

Probe = tuple[str, frozenset[Hashable]]


def candidate_rows(query: Query, obj: SObject, ctx: Context) -> Iterable[Row]:
    """The rows that may pass *query*'s WHERE, in scan order; all visible rows if no probe fits."""
    if query.where is None or getattr(ctx.source, "lookup", None) is None:
        return ctx.rows(obj.name)
    return probed_rows(obj, _probes(query.where, query, obj, ctx.source), ctx)


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


def _probes(cond: Condition, query: Query, obj: SObject, source: Any) -> list[Probe] | None:
    """Probes whose union holds every row *cond* accepts; None when no index bounds it."""
    if isinstance(cond, BoolOp) and cond.op == "OR":
        union: list[Probe] = []
        for item in cond.items:
            found = _probes(item, query, obj, source)
            if found is None:
                return None
            union.extend(found)
        return union
    if isinstance(cond, BoolOp):
        options = [p for item in cond.items if (p := _probes(item, query, obj, source))]
        if not options:
            return None
        return min(options, key=lambda probes: _estimate(source, obj, probes))
    return _leaf_probe(cond, query, obj)


def _estimate(source: Any, obj: SObject, probes: list[Probe]) -> int:
    estimate = getattr(source, "estimate", None)
    return len(probes) if estimate is None else sum(estimate(obj.name, p) for p in probes)


def _leaf_probe(cond: Condition, query: Query, obj: SObject) -> list[Probe] | None:
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


def _key(f: schema.Field, lit: Literal) -> Hashable | None:
    """The index key a literal matches; None for a null, '' or a non-string (no probe then).

    Literals of the wrong type never reach here: compiling WHERE has refused them already.
    """
    if lit.kind != "string" or lit.value == "":
        return None
    if f.type in (schema.ID, schema.REFERENCE):
        return ids.to18(lit.value)
    return index_key(f, lit.value)
