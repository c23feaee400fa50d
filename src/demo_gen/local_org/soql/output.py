"""How a SOQL query's rows are shaped for the wire: the SELECT tree, parents and child subqueries.

`build_tree` turns the SELECT list into a tree of output keys (paths through one parent share a
node; child subqueries become nested results), `fill_children` runs each child subquery in one
pass grouped by parent, and `render` writes one row as the REST API returns it, `attributes` first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.soql.context import (
    NAME_TYPE,
    NO_RELATIONSHIP,
    Context,
    Hop,
    Path,
    Row,
    resolve,
)
from demo_gen.local_org.soql.plan import children_probe, probed_rows
from demo_gen.local_org.soql.rows import compile_where, page_rows, sort_rows
from demo_gen.local_org.soql.tokens import SoqlError, caret, malformed
from demo_gen.local_org.soql.tree import FieldRef, Query, Subquery

# --- SELECT: the output tree and its rendering ---------------------------------------------


@dataclass
class _Node:
    """A parent relationship in the output (or the row itself): ordered keys to render."""

    name: str = ""
    lookup: str = ""
    hop: Hop | None = None
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


def build_tree(query: Query, obj: SObject, ctx: Context) -> _Node:
    """The SELECT list as a tree: paths through one parent share one node, in SELECT order."""
    root = _Node()
    for item in query.select:
        if isinstance(item, FieldRef):
            _insert(root, resolve(query, obj, item), item)
        elif isinstance(item, Subquery):
            child = _child(query, obj, item.query, ctx)
            if child.name.lower() in root.items:
                raise malformed(f"duplicate field selected: {child.name}")
            root.items[child.name.lower()] = child
        else:
            raise malformed("aggregate functions cannot be used in a child subquery")
    return root


def _insert(root: _Node, path: Path, ref: FieldRef) -> None:
    node = root
    for hop in path.hops:
        existing = node.items.setdefault(hop.name.lower(), _Node(hop.name, hop.field, hop))
        if not isinstance(existing, _Node):
            raise malformed(f"duplicate field selected: {hop.name}")
        node = existing
    if path.leaf.name.lower() in node.items:
        raise malformed(f"duplicate field selected: {ref.text}")
    node.items[path.leaf.name.lower()] = path.leaf


def _child(parent: Query, obj: SObject, query: Query, ctx: Context) -> _Child:
    relationship = obj.child_relationship(query.sobject)
    if relationship is None:
        message = NO_RELATIONSHIP.format(name=query.sobject, where="FROM part of query call")
        raise SoqlError("INVALID_TYPE", caret(parent.text, query.sobject_pos, message))
    child_obj = schema.sobject(relationship.child)
    if child_obj is None or query.group_by:
        raise malformed(f"unsupported child relationship query: {query.sobject}")
    if not all(isinstance(item, FieldRef) for item in query.select):
        raise malformed("a child subquery may select only fields")
    tree = build_tree(query, child_obj, ctx)
    return _Child(relationship.name, query, child_obj, relationship.field, tree)


def fill_children(tree: _Node, parent_ids: set[str], ctx: Context) -> None:
    """Run each child subquery of *tree* in one pass over the child rows, grouped by parent."""
    for child in tree.items.values():
        if not isinstance(child, _Child):
            continue
        query, obj = child.query, child.obj
        where = compile_where(query.where, query, obj, ctx) if query.where else None
        groups: dict[str, list[Row]] = {}
        probe = children_probe(obj, child.lookup, parent_ids)
        for row in probed_rows(obj, probe, ctx):
            parent_id = row.get(child.lookup)
            if parent_id in parent_ids and (where is None or where(row)):
                groups.setdefault(parent_id, []).append(row)
        for parent_id, rows in groups.items():
            sort_rows(rows, query, obj, ctx)
            page = page_rows(rows, query)
            fill_children(child.tree, {r["Id"] for r in page}, ctx)
            records = [render(child.tree, r, obj, obj.name, ctx) for r in page]
            if records:
                child.results[parent_id] = {
                    "totalSize": len(records),
                    "done": True,
                    "records": records,
                }


def render(node: _Node, record: Row, obj: SObject, type_name: str, ctx: Context) -> dict[str, Any]:
    """*record* as the wire dict of *node*'s keys; *type_name* goes into `attributes.type`."""
    attributes = schema.attributes(obj.name, record.get("Id"), ctx.version)
    attributes["type"] = type_name
    out: dict[str, Any] = {"attributes": attributes}
    polymorphic = node.hop is not None and node.hop.polymorphic
    for item in node.items.values():
        if item is NAME_TYPE:
            out["Type"] = obj.name
        elif isinstance(item, Field):
            # under a polymorphic parent the leaf was resolved on one of several objects
            f = (obj.field(item.name) or item) if polymorphic else item
            out[f.name] = schema.to_wire(f, record.get(f.name))
        elif isinstance(item, _Child):
            out[item.name] = item.results.get(record.get("Id") or "")
        else:
            out[item.name] = _render_parent(item, record, ctx)
    return out


def _render_parent(node: _Node, record: Row, ctx: Context) -> dict[str, Any] | None:
    parent_id = record.get(node.lookup)
    parent = ctx.parent(parent_id) if parent_id else None
    if parent is None or node.hop is None:
        return None
    obj = schema.sobject_of_id(str(parent.get("Id"))) or schema.sobject(node.hop.targets[0])
    if obj is None:
        return None
    return render(node, parent, obj, "Name" if node.hop.polymorphic else obj.name, ctx)
