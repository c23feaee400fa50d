"""SOQL text to tokens, and the error every SOQL stage raises.

`SoqlError` carries a Salesforce error code and message (`malformed` builds the usual
MALFORMED_QUERY one; `caret` lays a message out under the offending query line). `tokenize` turns
query text into `Token`s: identifiers, string/number/date/datetime literals (decoded, strings with
their LIKE regex), operators and punctuation, ending with EOF. `soql_parse` re-exports all of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from demo_gen.local_org.schema import core as schema


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
