"""SOQL text to a syntax tree: a hand-written tokenizer and recursive-descent parser.

The grammar is reference/salesforce-wire.md §13.1. Parsing checks syntax only; names are
resolved against the schema when the query runs (`soql.execute`). Everything wrong raises
`SoqlError` with a Salesforce error code and message.

The tokenizer and `SoqlError` live in `soql_tokens`, the syntax tree in `soql_tree` and the date
literals in `soql_dates`; this module holds the parser and re-exports their public names.
"""

from __future__ import annotations

from typing import Any

from demo_gen.local_org.soql.dates import date_range, is_date_literal
from demo_gen.local_org.soql.tokens import (
    DATE,
    DATETIME,
    EOF,
    IDENT,
    NUMBER,
    OP,
    PUNCT,
    STRING,
    SoqlError,
    Token,
    caret,
    malformed,
    tokenize,
)
from demo_gen.local_org.soql.tree import (
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
    SelectItem,
    SemiJoin,
    Subquery,
)

__all__ = [
    "DATE",
    "DATETIME",
    "EOF",
    "IDENT",
    "MAX_OFFSET",
    "NUMBER",
    "OP",
    "PUNCT",
    "STRING",
    "Aggregate",
    "BoolOp",
    "Compare",
    "Condition",
    "CountAll",
    "FieldRef",
    "InList",
    "Includes",
    "Like",
    "Literal",
    "Not",
    "OrderItem",
    "Query",
    "SelectItem",
    "SemiJoin",
    "SoqlError",
    "Subquery",
    "Token",
    "caret",
    "date_range",
    "is_date_literal",
    "malformed",
    "parse",
    "tokenize",
]

# --- parser ----------------------------------------------------------------------------------

_CLAUSES = ("WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FOR", "WITH", "USING")
_AGGREGATES = ("COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX")
MAX_OFFSET = 2000


def parse(text: str) -> Query:
    """The syntax tree of SOQL *text*; raises SoqlError (MALFORMED_QUERY) on bad syntax."""
    parser = _Parser(text)
    query = parser.query()
    if parser.peek.is_kw("FOR"):
        parser.advance()
        parser.keyword("VIEW", "REFERENCE", "UPDATE")
    parser.expect_end()
    return query


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def ahead(self, n: int) -> Token:
        return self.tokens[min(self.index + n, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != EOF:
            self.index += 1
        return token

    def unexpected(self) -> SoqlError:
        return malformed(f"unexpected token: '{self.peek.text}'")

    def keyword(self, *words: str) -> Token:
        if not self.peek.is_kw(*words):
            raise self.unexpected()
        return self.advance()

    def punct(self, ch: str) -> Token:
        if self.peek.kind != PUNCT or self.peek.text != ch:
            raise self.unexpected()
        return self.advance()

    def at_punct(self, ch: str) -> bool:
        return self.peek.kind == PUNCT and self.peek.text == ch

    def ident(self) -> Token:
        if self.peek.kind != IDENT:
            raise self.unexpected()
        return self.advance()

    def expect_end(self) -> None:
        if self.peek.kind != EOF:
            raise self.unexpected()

    # -- statements --

    def query(self) -> Query:
        self.keyword("SELECT")
        select = self.select_list()
        self.keyword("FROM")
        obj = self.ident()
        alias = None
        if self.peek.kind == IDENT and not self.peek.is_kw(*_CLAUSES):
            alias = self.advance().text
        where = self.condition() if self.optional_kw("WHERE") else None
        group_by: tuple[FieldRef, ...] = ()
        if self.optional_kw("GROUP"):
            self.keyword("BY")
            group_by = self.comma_list(self.field_ref)
        if self.peek.is_kw("HAVING"):
            raise malformed("HAVING is not supported by the local org")
        order_by: tuple[OrderItem, ...] = ()
        if self.optional_kw("ORDER"):
            self.keyword("BY")
            order_by = self.comma_list(self.order_item)
        limit = self.integer() if self.optional_kw("LIMIT") else None
        offset = self.integer() if self.optional_kw("OFFSET") else None
        if offset is not None and offset > MAX_OFFSET:
            raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000")
        return Query(
            select, obj.text, obj.pos, alias, where, group_by, order_by, limit, offset, self.text
        )

    def optional_kw(self, word: str) -> bool:
        if self.peek.is_kw(word):
            self.advance()
            return True
        return False

    def comma_list(self, item: Any) -> tuple[Any, ...]:
        items = [item()]
        while self.at_punct(","):
            self.advance()
            items.append(item())
        return tuple(items)

    def integer(self) -> int:
        token = self.peek
        if token.kind != NUMBER or not isinstance(token.value, int) or token.value < 0:
            raise self.unexpected()
        self.advance()
        return int(token.value)

    def select_list(self) -> tuple[SelectItem, ...]:
        items: tuple[SelectItem, ...] = self.comma_list(self.select_item)
        return items

    def select_item(self) -> SelectItem:
        if self.at_punct("("):
            self.advance()
            sub = self.query()
            self.punct(")")
            return Subquery(sub)
        if self.peek.is_kw(*_AGGREGATES) and self.ahead(1).text == "(":
            return self.aggregate()
        return self.field_ref()

    def aggregate(self) -> CountAll | Aggregate:
        func = self.advance()
        self.punct("(")
        if func.is_kw("COUNT") and self.at_punct(")"):
            self.advance()
            return CountAll(func.pos)
        ref = self.field_ref()
        self.punct(")")
        alias = None
        if self.peek.kind == IDENT and not self.peek.is_kw("FROM", *_CLAUSES):
            alias = self.advance().text
        return Aggregate(func.text.upper(), ref, alias)

    def field_ref(self) -> FieldRef:
        first = self.ident()
        path = [first.text]
        while self.at_punct("."):
            self.advance()
            path.append(self.ident().text)
        return FieldRef(tuple(path), first.pos)

    def order_item(self) -> OrderItem:
        ref = self.field_ref()
        descending = False
        if self.peek.is_kw("ASC", "DESC"):
            descending = self.advance().is_kw("DESC")
        nulls_first = True
        if self.optional_kw("NULLS"):
            nulls_first = self.keyword("FIRST", "LAST").is_kw("FIRST")
        return OrderItem(ref, descending, nulls_first)

    # -- conditions: OR binds loosest, then AND, then NOT --

    def condition(self) -> Condition:
        items = [self.conjunction()]
        while self.optional_kw("OR"):
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else BoolOp("OR", tuple(items))

    def conjunction(self) -> Condition:
        items = [self.negation()]
        while self.optional_kw("AND"):
            items.append(self.negation())
        return items[0] if len(items) == 1 else BoolOp("AND", tuple(items))

    def negation(self) -> Condition:
        if self.optional_kw("NOT"):
            return Not(self.negation())
        if self.at_punct("("):
            self.advance()
            inner = self.condition()
            self.punct(")")
            return inner
        return self.predicate(self.field_ref())

    def predicate(self, ref: FieldRef) -> Condition:
        if self.peek.kind == OP:
            op = self.advance().text
            return Compare(ref, "!=" if op == "<>" else op, self.value())
        negated = self.optional_kw("NOT")
        if self.optional_kw("IN"):
            return self.in_predicate(ref, negated)
        if self.optional_kw("LIKE"):
            value = self.value()
            if value.kind != STRING:
                raise malformed(
                    f"LIKE needs a string pattern, not {self.tokens[self.index - 1].text}"
                )
            like = Like(ref, value)
            return Not(like) if negated else like
        if not negated and self.peek.is_kw("INCLUDES", "EXCLUDES"):
            excludes = self.advance().is_kw("EXCLUDES")
            self.punct("(")
            values = self.comma_list(self.value)
            self.punct(")")
            return Includes(ref, values, excludes)
        raise self.unexpected()

    def in_predicate(self, ref: FieldRef, negated: bool) -> Condition:
        self.punct("(")
        if self.peek.is_kw("SELECT"):
            inner = self.query()
            self.punct(")")
            return SemiJoin(ref, inner, negated)
        values = self.comma_list(self.value)
        self.punct(")")
        return InList(ref, values, negated)

    def value(self) -> Literal:
        token = self.peek
        if token.kind in (STRING, NUMBER, DATE, DATETIME):
            self.advance()
            return Literal(token.kind, token.value, token.pos, token.pattern)
        if token.is_kw("TRUE", "FALSE"):
            self.advance()
            return Literal("boolean", token.is_kw("TRUE"), token.pos)
        if token.is_kw("NULL"):
            self.advance()
            return Literal("null", None, token.pos)
        if token.kind == IDENT:
            return self.date_literal()
        raise self.unexpected()

    def date_literal(self) -> Literal:
        token = self.peek
        parameterised = self.ahead(1).kind == PUNCT and self.ahead(1).text == ":"
        if not is_date_literal(token.text, parameterised):
            raise self.unexpected()
        self.advance()
        n = None
        if parameterised:
            self.advance()
            n = self.integer()
        return Literal("range", (token.text.upper(), n), token.pos)
