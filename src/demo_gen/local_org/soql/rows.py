"""Which rows a SOQL query returns: WHERE compiled to closures, ORDER BY, LIMIT and OFFSET.

`select_rows` filters, sorts and pages one object's rows. `compile_where` turns a condition into
a predicate once, checking field names and literal types as it goes (the null and empty-string
rules are in the `soql` docstring); a semi-join runs its inner query once into a set.
`field_category` groups field types as the comparisons see them (id, text, number …).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from itertools import islice
from typing import Any

from demo_gen.local_org import ids
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.soql.context import (
    Context,
    Getter,
    Path,
    Pred,
    Row,
    getter,
    query_sobject,
    resolve,
)
from demo_gen.local_org.soql.dates import date_range
from demo_gen.local_org.soql.plan import candidate_rows
from demo_gen.local_org.soql.tokens import SoqlError, malformed
from demo_gen.local_org.soql.tree import (
    BoolOp,
    Compare,
    Condition,
    FieldRef,
    Includes,
    InList,
    Like,
    Literal,
    Not,
    OrderItem,
    Query,
    SemiJoin,
)

# --- rows: WHERE, ORDER BY, LIMIT/OFFSET ----------------------------------------------------


def select_rows(query: Query, obj: SObject, ctx: Context) -> list[Row]:
    """The rows of *query*'s object that pass WHERE, in ORDER BY order, after OFFSET and LIMIT."""
    where = compile_where(query.where, query, obj, ctx) if query.where else None
    rows = [row for row in candidate_rows(query, obj, ctx) if where is None or where(row)]
    sort_rows(rows, query, obj, ctx)
    return page_rows(rows, query)


def iter_rows(query: Query, obj: SObject, ctx: Context) -> Iterator[Row]:
    """`select_rows` one row at a time: streamed from the source when there is no ORDER BY.

    WHERE is compiled (and its errors raised) before this returns.
    """
    if query.order_by:
        return iter(select_rows(query, obj, ctx))
    where = compile_where(query.where, query, obj, ctx) if query.where else None
    rows = (row for row in candidate_rows(query, obj, ctx) if where is None or where(row))
    start = query.offset or 0
    return islice(rows, start, None if query.limit is None else start + query.limit)


def page_rows(rows: list[Row], query: Query) -> list[Row]:
    start = query.offset or 0
    return rows[start : None if query.limit is None else start + query.limit]


def sort_rows(rows: list[Row], query: Query, obj: SObject, ctx: Context) -> None:
    """Sort *rows* in place by ORDER BY: one stable pass per key, last key first."""
    for item in reversed(query.order_by):
        path = resolve(query, obj, item.field)
        rows.sort(key=_sort_key(item, path, ctx), reverse=item.descending)


def _sort_key(item: OrderItem, path: Path, ctx: Context) -> Callable[[Row], tuple[Any, ...]]:
    get = getter(path, ctx)
    text = path.leaf.type in schema.TEXT_TYPES
    # with reverse=True the largest key comes first, so nulls-first needs the largest rank then
    null_key = (2,) if item.nulls_first == item.descending else (0,)

    def key(row: Row) -> tuple[Any, ...]:
        value = get(row)
        if value is None:
            return null_key
        return (1, value.casefold() if text and isinstance(value, str) else value)

    return key


# --- WHERE compiled to closures ----------------------------------------------------------------


def compile_where(cond: Condition, query: Query, obj: SObject, ctx: Context) -> Pred:
    """*cond* as a predicate over rows; names and literal types are checked here, once."""
    if isinstance(cond, BoolOp):
        preds = [compile_where(item, query, obj, ctx) for item in cond.items]
        if cond.op == "AND":
            return lambda row: all(p(row) for p in preds)
        return lambda row: any(p(row) for p in preds)
    if isinstance(cond, Not):
        inner = compile_where(cond.item, query, obj, ctx)
        return lambda row: not inner(row)
    path = resolve(query, obj, cond.field)
    get = getter(path, ctx)
    if isinstance(cond, Compare):
        return _compare(get, path.leaf, cond.op, cond.value, ctx)
    if isinstance(cond, InList):
        return _in_list(get, path.leaf, cond, ctx)
    if isinstance(cond, SemiJoin):
        return _semi_join(get, path.leaf, cond, ctx)
    if isinstance(cond, Like):
        return _like(get, path.leaf, cond)
    return _includes(get, path.leaf, cond)


def field_category(f: Field) -> str:
    if f.type in (schema.ID, schema.REFERENCE):
        return "id"
    if f.type in schema.TEXT_TYPES:
        return "text"
    if f.type in schema.NUMBER_TYPES:
        return "number"
    return f.type  # boolean, date, datetime


_LITERAL_KIND = {
    "id": "string",
    "text": "string",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}
_TYPE_WORDS = {"id": "id", "text": "string", "date": "date", "datetime": "dateTime"}
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _type_error(f: Field, category: str) -> SoqlError:
    """Salesforce's message for a literal of the wrong type, e.g. `Amount = '5'`."""
    word = _TYPE_WORDS.get(category, category)
    if category == "number":
        word = "int" if f.type == schema.INT else "double"
    quoted = "should be" if category in ("id", "text") else "should not be"
    return malformed(
        f"value of filter criterion for field '{f.name}' must be of type {word} "
        f"and {quoted} enclosed in quotes"
    )


def _coerce(lit: Literal, f: Field) -> Any:
    """The literal as a value comparable with *f*'s normalised values."""
    category = field_category(f)
    if lit.kind != _LITERAL_KIND[category]:
        raise _type_error(f, category)
    if category == "text":
        return str(lit.value).casefold()
    if category == "id":
        try:
            return ids.to18(lit.value)
        except ValueError:
            raise malformed(f"invalid ID field: {lit.value}") from None
    return lit.value


def _normaliser(f: Field) -> Callable[[Any], Any]:
    category = field_category(f)
    if category == "text":
        return lambda v: str(v).casefold()
    if category == "boolean":
        return bool
    return lambda v: v


def _is_null(lit: Literal, f: Field) -> bool:
    empty = lit.kind == "string" and lit.value == "" and field_category(f) in ("id", "text")
    return lit.kind == "null" or empty


def _compare(get: Getter, f: Field, op: str, lit: Literal, ctx: Context) -> Pred:
    if lit.kind == "range":
        return _in_range(get, f, op, lit, ctx)
    if _is_null(lit, f):
        if op == "=":
            return lambda row: get(row) is None
        if op == "!=":
            return lambda row: get(row) is not None
        return lambda row: False
    if f.type == schema.BOOLEAN:
        if op not in ("=", "!="):
            raise malformed(f"invalid operator on boolean field '{f.name}': {op}")
        want = _coerce(lit, f)
        return lambda row: (bool(get(row)) == want) == (op == "=")
    want = _coerce(lit, f)
    norm = _normaliser(f)
    test = _OPERATORS[op]
    null_passes = op == "!="  # see the `soql` docstring: a null is "not equal" to a value

    def pred(row: Row) -> bool:
        value = get(row)
        return null_passes if value is None else test(norm(value), want)

    return pred


def _in_range(get: Getter, f: Field, op: str, lit: Literal, ctx: Context) -> Pred:
    """A date literal such as THIS_MONTH: a range [lo, hi) of dates or of UTC instants."""
    category = field_category(f)
    if category not in ("date", "datetime"):
        raise malformed(f"date literal {lit.value[0]} cannot be compared with field '{f.name}'")
    first, last = date_range(lit.value[0], lit.value[1], ctx.today)
    lo: Any = first
    hi: Any = last + timedelta(days=1)
    if category == "datetime":
        lo, hi = datetime.combine(lo, time(), UTC), datetime.combine(hi, time(), UTC)
    tests: dict[str, Callable[[Any], bool]] = {
        "=": lambda v: lo <= v < hi,
        "!=": lambda v: not lo <= v < hi,
        "<": lambda v: v < lo,
        "<=": lambda v: v < hi,
        ">": lambda v: v >= hi,
        ">=": lambda v: v >= lo,
    }
    test = tests[op]
    null_passes = op == "!="

    def pred(row: Row) -> bool:
        value = get(row)
        return null_passes if value is None else test(value)

    return pred


def _in_list(get: Getter, f: Field, cond: InList, ctx: Context) -> Pred:
    """IN / NOT IN a literal list: a set lookup (equality per item for date ranges)."""
    if any(lit.kind == "range" for lit in cond.values):
        preds = [_compare(get, f, "=", lit, ctx) for lit in cond.values]
        if cond.negated:
            return lambda row: get(row) is None or not any(p(row) for p in preds)
        return lambda row: any(p(row) for p in preds)
    has_null = any(_is_null(lit, f) for lit in cond.values)
    wanted = frozenset(_coerce(lit, f) for lit in cond.values if not _is_null(lit, f))
    norm = _normaliser(f)
    negated = cond.negated

    def pred(row: Row) -> bool:
        value = get(row)
        if value is None:
            return has_null != negated
        return (norm(value) in wanted) != negated

    return pred


def _semi_join(get: Getter, f: Field, cond: SemiJoin, ctx: Context) -> Pred:
    """`field [NOT] IN (SELECT idField FROM ...)`: the inner query runs once, into a set."""
    inner = cond.query
    if field_category(f) != "id":
        raise malformed(
            f"semi join sub-selects are only allowed on Id or reference fields: {f.name}"
        )
    if len(inner.select) != 1 or not isinstance(inner.select[0], FieldRef) or inner.group_by:
        raise malformed("a semi join sub-select must select exactly one Id or reference field")
    inner_obj = query_sobject(inner)
    path = resolve(inner, inner_obj, inner.select[0])
    if field_category(path.leaf) != "id":
        raise malformed(f"semi join sub-select field must be an Id or reference: {path.leaf.name}")
    inner_get = getter(path, ctx)
    found = {v for row in select_rows(inner, inner_obj, ctx) if (v := inner_get(row))}
    negated = cond.negated

    def pred(row: Row) -> bool:
        value = get(row)
        return negated if value is None else (value in found) != negated

    return pred


def _like(get: Getter, f: Field, cond: Like) -> Pred:
    if field_category(f) not in ("text", "id"):
        raise malformed(f"invalid operator on field '{f.name}': LIKE works only on strings")
    regex = re.compile(cond.value.pattern or "", re.IGNORECASE | re.DOTALL)

    def pred(row: Row) -> bool:
        value = get(row)
        return value is not None and regex.fullmatch(str(value)) is not None

    return pred


def _includes(get: Getter, f: Field, cond: Includes) -> Pred:
    """INCLUDES/EXCLUDES on ';'-separated values: a term 'a;b' needs both a and b."""
    if field_category(f) != "text":
        raise malformed(f"INCLUDES/EXCLUDES works only on picklist fields: {f.name}")
    terms = [frozenset(_split(_coerce(lit, f))) for lit in cond.values]
    excludes = cond.excludes

    def pred(row: Row) -> bool:
        value = get(row)
        if value is None:
            return False
        have = set(_split(str(value).casefold()))
        return any(term <= have for term in terms) != excludes

    return pred


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]
