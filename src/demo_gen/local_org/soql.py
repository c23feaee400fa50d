"""The local org's SOQL engine: run a query over in-memory records, return wire-shaped rows.

`run(text, source, version=..., today=...)` parses (soql_parse) and executes. Execution
resolves names against `schema` (case-insensitive; output uses canonical names), compiles
WHERE into closures once, and walks the rows. Semantics follow reference/salesforce-wire.md
§13.2, with these decisions:

* A null field value fails every comparison except `= null` (also `!=`, `NOT IN`, EXCLUDES).
* `''` compared with `=`/`!=` on a text or id field means null (Salesforce stores no empty
  strings).
* A literal that is not an id, compared with an id field, is MALFORMED_QUERY "invalid ID field: x".
* ORDER BY puts nulls first unless NULLS LAST is given, for ASC and DESC alike (the
  reference's rule).
* Aggregates (COUNT/COUNT_DISTINCT/SUM/AVG/MIN/MAX with optional GROUP BY) are supported;
  HAVING, TYPEOF, ORDER BY an aggregate and fiscal date literals are not.

Errors are `SoqlError` (defined in soql_parse, re-exported here).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from demo_gen.local_org import ids, schema
from demo_gen.local_org.schema import Field, SObject
from demo_gen.local_org.soql_parse import (
    Aggregate,
    BoolOp,
    Compare,
    Condition,
    CountAll,
    FieldRef,
    Includes,
    InList,
    Like,
    Literal,
    Not,
    OrderItem,
    Query,
    SemiJoin,
    SoqlError,
    Subquery,
    caret,
    date_range,
    malformed,
    parse,
)

__all__ = ["QueryOutput", "RecordSource", "SoqlError", "execute", "parse", "run"]

Row = Mapping[str, Any]
Pred = Callable[[Row], bool]
Getter = Callable[[Row], Any]

MAX_HOPS = 5
_NO_FIELD = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
_NO_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in {where}. If you are attempting to use a custom "
    "relationship, be sure to append the '__r' after the custom relationship name. Please "
    "reference your WSDL or the describe call for the appropriate names."
)
_NO_SOBJECT = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be "
    "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
    "call for the appropriate names."
)


class RecordSource(Protocol):
    """Where the engine reads records from (the store, or a dict in tests)."""

    def rows(self, sobject: str, include_deleted: bool) -> Iterable[Mapping[str, Any]]:
        """The records of *sobject* (canonical name) in insertion order; a snapshot."""
        ...

    def get(self, record_id: str) -> Mapping[str, Any] | None:
        """The record with 18-character *record_id*, of any object, deleted ones included."""
        ...


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
    ctx = _Context(source, version, today, include_deleted)
    obj = _sobject(query)
    if any(isinstance(item, CountAll) for item in query.select):
        if len(query.select) != 1:
            raise malformed("COUNT() cannot be combined with other fields in SELECT")
        return QueryOutput(len(_select_rows(query, obj, ctx)), [])
    if query.group_by or any(isinstance(item, Aggregate) for item in query.select):
        records = _aggregate(query, obj, ctx)
        return QueryOutput(len(records), records)
    tree = _build_tree(query, obj, ctx)
    rows = _select_rows(query, obj, ctx)
    _fill_children(tree, {r["Id"] for r in rows}, ctx)
    records = [_render(tree, row, obj, obj.name, ctx) for row in rows]
    return QueryOutput(len(records), records)


# --- context and name resolution -------------------------------------------------------------


class _Context:
    """Per-execution state: the source, the options, and a cache of parent lookups."""

    def __init__(self, source: RecordSource, version: str, today: date, deleted: bool) -> None:
        self.source = source
        self.version = version
        self.today = today
        self.include_deleted = deleted
        self._parents: dict[str, Row | None] = {}

    def rows(self, sobject: str) -> Iterable[Row]:
        for row in self.source.rows(sobject, self.include_deleted):
            if self.include_deleted or not row.get("IsDeleted"):
                yield row

    def parent(self, record_id: str) -> Row | None:
        """The visible record with *record_id*, or None (missing, or deleted outside queryAll)."""
        if record_id not in self._parents:
            record = self.source.get(record_id)
            if record is not None and record.get("IsDeleted") and not self.include_deleted:
                record = None
            self._parents[record_id] = record
        return self._parents[record_id]


@dataclass(frozen=True, slots=True)
class _Hop:
    field: str  # the lookup field, e.g. "AccountId"
    name: str  # the relationship, e.g. "Account"
    targets: tuple[str, ...]

    @property
    def polymorphic(self) -> bool:
        return len(self.targets) > 1


@dataclass(frozen=True, slots=True)
class _Path:
    hops: tuple[_Hop, ...]
    leaf: Field


def _sobject(query: Query) -> SObject:
    obj = schema.sobject(query.sobject)
    if obj is None:
        message = _NO_SOBJECT.format(name=query.sobject)
        raise SoqlError("INVALID_TYPE", caret(query.text, query.sobject_pos, message))
    return obj


def _resolve(query: Query, obj: SObject, ref: FieldRef) -> _Path:
    """The hops and leaf field of *ref* from *obj*; an alias prefix is dropped."""
    path = ref.path
    if query.alias and len(path) > 1 and path[0].lower() == query.alias.lower():
        path = path[1:]
    if len(path) - 1 > MAX_HOPS:
        raise malformed(f"relationship path is more than {MAX_HOPS} levels deep: {ref.text}")
    candidates: tuple[SObject, ...] = (obj,)
    hops: list[_Hop] = []
    for name in path[:-1]:
        lookup = next((f for o in candidates if (f := o.relationship(name))), None)
        if lookup is None or lookup.relationship_name is None:
            message = _NO_RELATIONSHIP.format(name=name, where="field path")
            raise SoqlError("INVALID_FIELD", caret(query.text, ref.pos, message))
        hops.append(_Hop(lookup.name, lookup.relationship_name, lookup.reference_to))
        candidates = tuple(o for n in lookup.reference_to if (o := schema.sobject(n)))
    leaf = next((f for o in candidates if (f := o.field(path[-1]))), None)
    if leaf is None:
        entity = "Name" if hops and hops[-1].polymorphic else candidates[0].name
        message = _NO_FIELD.format(name=path[-1], entity=entity)
        raise SoqlError("INVALID_FIELD", caret(query.text, ref.pos, message))
    return _Path(tuple(hops), leaf)


def _getter(path: _Path, ctx: _Context) -> Getter:
    """A function from a row to the native value at *path* (None through a null parent)."""
    name = path.leaf.name
    if not path.hops:
        return lambda row: row.get(name)
    lookups = [hop.field for hop in path.hops]

    def get(row: Row) -> Any:
        record: Row | None = row
        for lookup in lookups:
            parent_id = record.get(lookup) if record is not None else None
            record = ctx.parent(parent_id) if parent_id else None
        return record.get(name) if record is not None else None

    return get


# --- rows: WHERE, ORDER BY, LIMIT/OFFSET ----------------------------------------------------


def _select_rows(query: Query, obj: SObject, ctx: _Context) -> list[Row]:
    """The rows of *query*'s object that pass WHERE, in ORDER BY order, after OFFSET and LIMIT."""
    where = _compile(query.where, query, obj, ctx) if query.where else None
    rows = [row for row in ctx.rows(obj.name) if where is None or where(row)]
    _sort(rows, query, obj, ctx)
    return _page(rows, query)


def _page(rows: list[Row], query: Query) -> list[Row]:
    start = query.offset or 0
    return rows[start : None if query.limit is None else start + query.limit]


def _sort(rows: list[Row], query: Query, obj: SObject, ctx: _Context) -> None:
    """Sort *rows* in place by ORDER BY: one stable pass per key, last key first."""
    for item in reversed(query.order_by):
        path = _resolve(query, obj, item.field)
        rows.sort(key=_sort_key(item, path, ctx), reverse=item.descending)


def _sort_key(item: OrderItem, path: _Path, ctx: _Context) -> Callable[[Row], tuple[Any, ...]]:
    get = _getter(path, ctx)
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


def _compile(cond: Condition, query: Query, obj: SObject, ctx: _Context) -> Pred:
    """*cond* as a predicate over rows; names and literal types are checked here, once."""
    if isinstance(cond, BoolOp):
        preds = [_compile(item, query, obj, ctx) for item in cond.items]
        if cond.op == "AND":
            return lambda row: all(p(row) for p in preds)
        return lambda row: any(p(row) for p in preds)
    if isinstance(cond, Not):
        inner = _compile(cond.item, query, obj, ctx)
        return lambda row: not inner(row)
    path = _resolve(query, obj, cond.field)
    get = _getter(path, ctx)
    if isinstance(cond, Compare):
        return _compare(get, path.leaf, cond.op, cond.value, ctx)
    if isinstance(cond, InList):
        return _in_list(get, path.leaf, cond, ctx)
    if isinstance(cond, SemiJoin):
        return _semi_join(get, path.leaf, cond, ctx)
    if isinstance(cond, Like):
        return _like(get, path.leaf, cond)
    return _includes(get, path.leaf, cond)


def _category(f: Field) -> str:
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
    category = _category(f)
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
    category = _category(f)
    if category == "text":
        return lambda v: str(v).casefold()
    if category == "boolean":
        return bool
    return lambda v: v


def _is_null(lit: Literal, f: Field) -> bool:
    empty = lit.kind == "string" and lit.value == "" and _category(f) in ("id", "text")
    return lit.kind == "null" or empty


def _compare(get: Getter, f: Field, op: str, lit: Literal, ctx: _Context) -> Pred:
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

    def pred(row: Row) -> bool:
        value = get(row)
        return value is not None and test(norm(value), want)

    return pred


def _in_range(get: Getter, f: Field, op: str, lit: Literal, ctx: _Context) -> Pred:
    """A date literal such as THIS_MONTH: a range [lo, hi) of dates or of UTC instants."""
    category = _category(f)
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

    def pred(row: Row) -> bool:
        value = get(row)
        return value is not None and test(value)

    return pred


def _in_list(get: Getter, f: Field, cond: InList, ctx: _Context) -> Pred:
    """IN / NOT IN a literal list: a set lookup (equality per item for date ranges)."""
    if any(lit.kind == "range" for lit in cond.values):
        preds = [_compare(get, f, "=", lit, ctx) for lit in cond.values]
        if cond.negated:
            return lambda row: get(row) is not None and not any(p(row) for p in preds)
        return lambda row: any(p(row) for p in preds)
    has_null = any(_is_null(lit, f) for lit in cond.values)
    wanted = frozenset(_coerce(lit, f) for lit in cond.values if not _is_null(lit, f))
    norm = _normaliser(f)
    negated = cond.negated

    def pred(row: Row) -> bool:
        value = get(row)
        if value is None:
            return has_null and not negated
        return (norm(value) in wanted) != negated

    return pred


def _semi_join(get: Getter, f: Field, cond: SemiJoin, ctx: _Context) -> Pred:
    """`field [NOT] IN (SELECT idField FROM ...)`: the inner query runs once, into a set."""
    inner = cond.query
    if _category(f) != "id":
        raise malformed(
            f"semi join sub-selects are only allowed on Id or reference fields: {f.name}"
        )
    if len(inner.select) != 1 or not isinstance(inner.select[0], FieldRef) or inner.group_by:
        raise malformed("a semi join sub-select must select exactly one Id or reference field")
    inner_obj = _sobject(inner)
    path = _resolve(inner, inner_obj, inner.select[0])
    if _category(path.leaf) != "id":
        raise malformed(f"semi join sub-select field must be an Id or reference: {path.leaf.name}")
    inner_get = _getter(path, ctx)
    found = {v for row in _select_rows(inner, inner_obj, ctx) if (v := inner_get(row))}
    negated = cond.negated

    def pred(row: Row) -> bool:
        value = get(row)
        return value is not None and (value in found) != negated

    return pred


def _like(get: Getter, f: Field, cond: Like) -> Pred:
    if _category(f) not in ("text", "id"):
        raise malformed(f"invalid operator on field '{f.name}': LIKE works only on strings")
    regex = re.compile(cond.value.pattern or "", re.IGNORECASE | re.DOTALL)

    def pred(row: Row) -> bool:
        value = get(row)
        return value is not None and regex.fullmatch(str(value)) is not None

    return pred


def _includes(get: Getter, f: Field, cond: Includes) -> Pred:
    """INCLUDES/EXCLUDES on ';'-separated values: a term 'a;b' needs both a and b."""
    if _category(f) != "text":
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


# --- SELECT: the output tree and its rendering ---------------------------------------------


@dataclass
class _Node:
    """A parent relationship in the output (or the row itself): ordered keys to render."""

    name: str = ""
    lookup: str = ""
    hop: _Hop | None = None
    items: dict[str, _Node | Field | _Child] = field(default_factory=dict)


@dataclass
class _Child:
    """A child subquery; `results` maps a parent id to its nested QueryResult."""

    name: str
    query: Query
    obj: SObject
    lookup: str
    tree: _Node
    results: dict[str, dict[str, Any]] = field(default_factory=dict)


def _build_tree(query: Query, obj: SObject, ctx: _Context) -> _Node:
    """The SELECT list as a tree: paths through one parent share one node, in SELECT order."""
    root = _Node()
    for item in query.select:
        if isinstance(item, FieldRef):
            _insert(root, _resolve(query, obj, item), item)
        elif isinstance(item, Subquery):
            child = _child(query, obj, item.query, ctx)
            if child.name.lower() in root.items:
                raise malformed(f"duplicate field selected: {child.name}")
            root.items[child.name.lower()] = child
        else:
            raise malformed("aggregate functions cannot be used in a child subquery")
    return root


def _insert(root: _Node, path: _Path, ref: FieldRef) -> None:
    node = root
    for hop in path.hops:
        existing = node.items.setdefault(hop.name.lower(), _Node(hop.name, hop.field, hop))
        if not isinstance(existing, _Node):
            raise malformed(f"duplicate field selected: {hop.name}")
        node = existing
    if path.leaf.name.lower() in node.items:
        raise malformed(f"duplicate field selected: {ref.text}")
    node.items[path.leaf.name.lower()] = path.leaf


def _child(parent: Query, obj: SObject, query: Query, ctx: _Context) -> _Child:
    relationship = obj.child_relationship(query.sobject)
    if relationship is None:
        message = _NO_RELATIONSHIP.format(name=query.sobject, where="FROM part of query call")
        raise SoqlError("INVALID_TYPE", caret(parent.text, query.sobject_pos, message))
    child_obj = schema.sobject(relationship.child)
    if child_obj is None or query.group_by:
        raise malformed(f"unsupported child relationship query: {query.sobject}")
    if not all(isinstance(item, FieldRef) for item in query.select):
        raise malformed("a child subquery may select only fields")
    tree = _build_tree(query, child_obj, ctx)
    return _Child(relationship.name, query, child_obj, relationship.field, tree)


def _fill_children(tree: _Node, parent_ids: set[str], ctx: _Context) -> None:
    """Run each child subquery of *tree* in one pass over the child rows, grouped by parent."""
    for child in tree.items.values():
        if not isinstance(child, _Child):
            continue
        query, obj = child.query, child.obj
        where = _compile(query.where, query, obj, ctx) if query.where else None
        groups: dict[str, list[Row]] = {}
        for row in ctx.rows(obj.name):
            parent_id = row.get(child.lookup)
            if parent_id in parent_ids and (where is None or where(row)):
                groups.setdefault(parent_id, []).append(row)
        for parent_id, rows in groups.items():
            _sort(rows, query, obj, ctx)
            page = _page(rows, query)
            _fill_children(child.tree, {r["Id"] for r in page}, ctx)
            records = [_render(child.tree, r, obj, obj.name, ctx) for r in page]
            if records:
                child.results[parent_id] = {
                    "totalSize": len(records),
                    "done": True,
                    "records": records,
                }


def _render(
    node: _Node, record: Row, obj: SObject, type_name: str, ctx: _Context
) -> dict[str, Any]:
    """*record* as the wire dict of *node*'s keys; *type_name* goes into `attributes.type`."""
    attributes = schema.attributes(obj.name, record.get("Id"), ctx.version)
    attributes["type"] = type_name
    out: dict[str, Any] = {"attributes": attributes}
    polymorphic = node.hop is not None and node.hop.polymorphic
    for item in node.items.values():
        if isinstance(item, Field):
            # under a polymorphic parent the leaf was resolved on one of several objects
            f = (obj.field(item.name) or item) if polymorphic else item
            out[f.name] = schema.to_wire(f, record.get(f.name))
        elif isinstance(item, _Child):
            out[item.name] = item.results.get(record.get("Id") or "")
        else:
            out[item.name] = _render_parent(item, record, ctx)
    return out


def _render_parent(node: _Node, record: Row, ctx: _Context) -> dict[str, Any] | None:
    parent_id = record.get(node.lookup)
    parent = ctx.parent(parent_id) if parent_id else None
    if parent is None or node.hop is None:
        return None
    obj = schema.sobject_of_id(str(parent.get("Id"))) or schema.sobject(node.hop.targets[0])
    if obj is None:
        return None
    return _render(node, parent, obj, "Name" if node.hop.polymorphic else obj.name, ctx)


# --- aggregates ------------------------------------------------------------------------------


def _aggregate(query: Query, obj: SObject, ctx: _Context) -> list[dict[str, Any]]:
    """GROUP BY and aggregate functions: one AggregateResult row per group."""
    groups_by = [_resolve(query, obj, ref) for ref in query.group_by]
    grouped = {_path_key(p) for p in groups_by}
    for order in query.order_by:
        if _path_key(_resolve(query, obj, order.field)) not in grouped:
            raise malformed(
                f"ORDER BY in an aggregate query must use a GROUP BY field: {order.field.text}"
            )
    columns = _agg_columns(query, obj, grouped)
    where = _compile(query.where, query, obj, ctx) if query.where else None
    rows = [row for row in ctx.rows(obj.name) if where is None or where(row)]
    getters = [_getter(p, ctx) for p in groups_by]
    groups: dict[tuple[Any, ...], list[Row]] = {} if getters else {(): []}
    for row in rows:
        groups.setdefault(tuple(g(row) for g in getters), []).append(row)
    firsts = [members[0] if members else {} for members in groups.values()]
    members_of = {id(first): rows for first, rows in zip(firsts, groups.values(), strict=True)}
    _sort(firsts, query, obj, ctx)
    return [_agg_row(columns, members_of[id(first)], ctx) for first in _page(firsts, query)]


def _path_key(path: _Path) -> tuple[str, ...]:
    return (*(hop.field for hop in path.hops), path.leaf.name)


_Column = tuple[str, str, _Path]  # output key, function ("" for a grouped field), path


def _agg_columns(query: Query, obj: SObject, grouped: set[tuple[str, ...]]) -> list[_Column]:
    columns: list[_Column] = []
    unnamed = 0
    for item in query.select:
        if isinstance(item, FieldRef):
            path = _resolve(query, obj, item)
            if _path_key(path) not in grouped:
                raise malformed(f"Field must be grouped or aggregated: {path.leaf.name}")
            columns.append((path.leaf.name, "", path))
        elif isinstance(item, Aggregate):
            path = _resolve(query, obj, item.field)
            if item.func in ("SUM", "AVG") and _category(path.leaf) != "number":
                raise malformed(
                    f"field {path.leaf.name} does not support aggregate operator {item.func}"
                )
            columns.append((item.alias or f"expr{unnamed}", item.func, path))
            unnamed += item.alias is None
        else:
            raise malformed("subqueries cannot be used in an aggregate query")
    return columns


def _agg_row(columns: list[_Column], rows: list[Row], ctx: _Context) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
    for key, func, path in columns:
        get = _getter(path, ctx)
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
