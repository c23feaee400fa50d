"""The SOQL syntax tree: what `soql_parse.parse` builds and the evaluator walks.

A `Query` holds its SELECT items (`FieldRef`, `CountAll`, `Aggregate`, `Subquery`), the FROM
object and alias, a WHERE `Condition` (`Compare`, `InList`, `SemiJoin`, `Like`, `Includes`,
`BoolOp`, `Not` over `Literal`s), GROUP BY, ORDER BY, LIMIT and OFFSET. All nodes are frozen
dataclasses. `soql_parse` re-exports every name here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field path as written, e.g. ("o", "Account", "Name")."""

    path: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True, slots=True)
class Literal:
    """A value in a condition. kind: string, number, boolean, null, date, datetime or range.

    For a range (a date literal such as LAST_N_DAYS:3) value is (name, n or None).
    """

    kind: str
    value: Any
    pos: int
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Compare:
    field: FieldRef
    op: str
    value: Literal


@dataclass(frozen=True, slots=True)
class InList:
    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class SemiJoin:
    field: FieldRef
    query: Query
    negated: bool


@dataclass(frozen=True, slots=True)
class Like:
    field: FieldRef
    value: Literal


@dataclass(frozen=True, slots=True)
class Includes:
    field: FieldRef
    values: tuple[Literal, ...]
    excludes: bool


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # AND or OR
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Compare | InList | SemiJoin | Like | Includes | BoolOp | Not


@dataclass(frozen=True, slots=True)
class CountAll:
    """COUNT() with no argument."""

    pos: int


@dataclass(frozen=True, slots=True)
class Aggregate:
    func: str  # COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX
    field: FieldRef
    alias: str | None


@dataclass(frozen=True, slots=True)
class Subquery:
    query: Query


SelectItem = FieldRef | CountAll | Aggregate | Subquery


@dataclass(frozen=True, slots=True)
class OrderItem:
    field: FieldRef
    descending: bool
    nulls_first: bool  # the reference says: NULLS FIRST unless NULLS LAST is given


@dataclass(frozen=True, slots=True)
class Query:
    """One SELECT statement (top-level, child subquery or semi-join)."""

    select: tuple[SelectItem, ...]
    sobject: str
    sobject_pos: int
    alias: str | None
    where: Condition | None
    group_by: tuple[FieldRef, ...]
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    text: str  # the whole query text, for error carets
