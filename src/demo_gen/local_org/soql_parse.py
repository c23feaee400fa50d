"""SOQL text to a syntax tree: a hand-written tokenizer and recursive-descent parser.

The grammar is reference/salesforce-wire.md §13.1. Parsing checks syntax only; names are
resolved against the schema when the query runs (`soql.execute`). Everything wrong raises
`SoqlError` with a Salesforce error code and message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from demo_gen.local_org import schema


class SoqlError(Exception):
    """A query the org refuses: `error_code` is the Salesforce code, `message` its text."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message


def malformed(message: str) -> SoqlError:
    return SoqlError("MALFORMED_QUERY", message)


def caret(text: str, pos: int, message: str) -> str:
    """*message* in Salesforce's layout: the query line, a caret under *pos*, Row and Column."""
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    col = pos - line_start + 1
    return f"\n{line}\n{' ' * (col - 1)}^\nERROR at Row:{row}:Column:{col}\n{message}"


# --- tokens ----------------------------------------------------------------------------------

IDENT, STRING, NUMBER, DATE, DATETIME, OP, PUNCT, EOF = (
    "ident",
    "string",
    "number",
    "date",
    "datetime",
    "op",
    "punct",
    "eof",
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str  # the source text (for a string: the decoded value)
    pos: int  # offset in the query text
    value: Any = None  # the native value of a literal
    pattern: str | None = None  # for strings: the value as a LIKE regex

    def is_kw(self, *words: str) -> bool:
        return self.kind == IDENT and self.text.upper() in words


_SPACE_RE = re.compile(r"\s+")
_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:?\d{2})?(?![\w:])"
)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:.])")
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?(?![\w.])")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCT = "(),.:"
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def tokenize(text: str) -> list[Token]:
    """The tokens of *text*, ending with an EOF token."""
    out: list[Token] = []
    pos = 0
    while True:
        space = _SPACE_RE.match(text, pos)
        if space:
            pos = space.end()
        if pos >= len(text):
            out.append(Token(EOF, "<EOF>", pos))
            return out
        token = _next_token(text, pos)
        out.append(token)
        pos = token.pos + len(token.text) if token.kind != STRING else _string_end(text, pos)


def _next_token(text: str, pos: int) -> Token:
    ch = text[pos]
    if ch == "'":
        return _string(text, pos)
    if m := _DATETIME_RE.match(text, pos):
        return Token(DATETIME, m.group(), pos, _literal(schema.parse_datetime, m.group()))
    if m := _DATE_RE.match(text, pos):
        return Token(DATE, m.group(), pos, _literal(schema.parse_date, m.group()))
    if m := _NUMBER_RE.match(text, pos):
        number = m.group()
        return Token(NUMBER, number, pos, float(number) if "." in number else int(number))
    if m := _IDENT_RE.match(text, pos):
        return Token(IDENT, m.group(), pos)
    for op in _OPS:
        if text.startswith(op, pos):
            return Token(OP, op, pos)
    if ch in _PUNCT:
        return Token(PUNCT, ch, pos)
    bad = re.match(r"\S+", text[pos:])
    raise malformed(f"unexpected token: '{bad.group() if bad else ch}'")


def _literal(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        raise malformed(f"invalid date/time literal: '{text}'") from None


def _string(text: str, start: int) -> Token:
    """The string literal opening at *start*, decoded, with its LIKE pattern."""
    chars: list[str] = []
    regex: list[str] = []
    pos = start + 1
    while pos < len(text):
        ch = text[pos]
        if ch == "'":
            return Token(STRING, "".join(chars), start, "".join(chars), "".join(regex))
        if ch == "\\":
            pos += 1
            esc = text[pos] if pos < len(text) else ""
            if esc in ("%", "_"):
                chars.append(esc)
                regex.append(re.escape(esc))
            elif esc in _ESCAPES:
                chars.append(_ESCAPES[esc])
                regex.append(re.escape(_ESCAPES[esc]))
            else:
                raise malformed(f"Invalid string literal '{text[start : pos + 1]}'. Illegal escape")
        else:
            chars.append(ch)
            regex.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        pos += 1
    raise malformed(f"unterminated string literal: {text[start:]}")


def _string_end(text: str, start: int) -> int:
    """The offset just past the string literal opening at *start* (already validated)."""
    pos = start + 1
    while text[pos] != "'":
        pos += 2 if text[pos] == "\\" else 1
    return pos + 1


# --- date literals ---------------------------------------------------------------------------

# name -> (unit, start offset, length); n in the offsets stands for the literal's parameter.
_UNITS = {"DAY": 0, "WEEK": 0, "MONTH": 1, "QUARTER": 3, "YEAR": 12}
_FIXED_LITERALS = {
    "TODAY": ("DAY", 0, 1),
    "YESTERDAY": ("DAY", -1, 1),
    "TOMORROW": ("DAY", 1, 1),
    "LAST_90_DAYS": ("DAY", -90, 91),
    "NEXT_90_DAYS": ("DAY", 1, 90),
}
_N_LITERALS = {
    "LAST_N_DAYS": ("DAY", "-n", "n+1"),
    "NEXT_N_DAYS": ("DAY", "1", "n"),
    "N_DAYS_AGO": ("DAY", "-n", "1"),
}
for _unit in ("WEEK", "MONTH", "QUARTER", "YEAR"):
    _FIXED_LITERALS[f"THIS_{_unit}"] = (_unit, 0, 1)
    _FIXED_LITERALS[f"LAST_{_unit}"] = (_unit, -1, 1)
    _FIXED_LITERALS[f"NEXT_{_unit}"] = (_unit, 1, 1)
    _N_LITERALS[f"LAST_N_{_unit}S"] = (_unit, "-n", "n")
    _N_LITERALS[f"NEXT_N_{_unit}S"] = (_unit, "1", "n")
    _N_LITERALS[f"N_{_unit}S_AGO"] = (_unit, "-n", "1")


def is_date_literal(name: str, parameterised: bool) -> bool:
    return name.upper() in (_N_LITERALS if parameterised else _FIXED_LITERALS)


def date_range(name: str, n: int | None, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) that date literal *name* (with *n*) covers.

    Weeks start on Sunday (en_US); months, quarters and years are calendar periods.
    `date_range("LAST_N_DAYS", 2, date(2024, 5, 10))` is `(date(2024, 5, 8), date(2024, 5, 10))`.
    """
    upper = name.upper()
    if n is None:
        unit, start, length = _FIXED_LITERALS[upper]
    else:
        unit, start_expr, length_expr = _N_LITERALS[upper]
        start, length = _eval_offset(start_expr, n), _eval_offset(length_expr, n)
    if unit == "DAY":
        first = today + timedelta(days=start)
        return first, first + timedelta(days=length - 1)
    if unit == "WEEK":
        week = today - timedelta(days=(today.weekday() + 1) % 7)
        first = week + timedelta(days=7 * start)
        return first, first + timedelta(days=7 * length - 1)
    months = _UNITS[unit]
    period = date(today.year, today.month - (today.month - 1) % months, 1)
    first = _add_months(period, months * start)
    return first, _add_months(first, months * length) - timedelta(days=1)


def _eval_offset(expr: str, n: int) -> int:
    return {"-n": -n, "n": n, "n+1": n + 1}.get(expr, 1)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- syntax tree -----------------------------------------------------------------------------


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
