"""The org's change marks, read with the run-start binding check in one request (rerun.py).

A mark is COUNT and MAX(SystemModstamp) of all Opportunities, all Contacts, the active Users
and all Events: any change in the org, selected or not, moves one. `verify_with_marks` answers
the binding check's queries (`identity.verify`) and the marks from one `composite` request;
`event_mark` reads the Events' mark again after a run wrote its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from demo_gen.ledger.store import ItemRow, StateStore
from demo_gen.targets.base import Verdicts
from demo_gen.targets.salesforce.identity import verify
from demo_gen.targets.salesforce.target import SalesforceTarget

MARKS = (
    "SELECT COUNT(Id) n, MAX(SystemModstamp) m FROM Opportunity",
    "SELECT COUNT(Id) n, MAX(SystemModstamp) m FROM Contact",
    "SELECT COUNT(Id) n, MAX(SystemModstamp) m FROM User WHERE IsActive = true",
    EVENT_MARK := "SELECT COUNT(Id) n, MAX(SystemModstamp) m FROM Event",
)

Marks = tuple[tuple[Any, ...], ...]
"""(count, latest SystemModstamp) of each query of `MARKS`."""


def verify_with_marks(
    source: SalesforceTarget, state: StateStore, rows: Sequence[ItemRow]
) -> tuple[Verdicts, Marks]:
    """`identity.verify` of `rows`, and the org's marks, from one request."""
    recorder = _Recorder()
    verify(recorder, state, source.key, rows)
    answers = source.crm.query_many([*MARKS, *recorder.soqls])
    marks = tuple(_mark(found) for found in answers[: len(MARKS)])
    asked = dict(zip(recorder.soqls, answers[len(MARKS) :], strict=True))
    return verify(_Answers(asked), state, source.key, rows), marks


def event_mark(source: SalesforceTarget, marks: Marks) -> Marks:
    """`marks` with the Events' mark read again (one call)."""
    [events] = source.crm.query_many([EVENT_MARK])
    return tuple(_mark(events) if q == EVENT_MARK else m for q, m in zip(MARKS, marks, strict=True))


def _mark(rows: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
    row = rows[0] if rows else {}
    return (row.get("n"), row.get("m"))


class _Recorder:
    """A reader that answers nothing and keeps the queries asked (they do not depend on
    earlier answers: `identity.verify` reads each sObject's ids once)."""

    def __init__(self) -> None:
        self.soqls: list[str] = []

    def query(self, soql: str) -> list[dict[str, Any]]:
        self.soqls.append(soql)
        return []


class _Answers:
    """A reader that answers the recorded queries from one composite response."""

    def __init__(self, answers: dict[str, list[dict[str, Any]]]) -> None:
        self._answers = answers

    def query(self, soql: str) -> list[dict[str, Any]]:
        return self._answers[soql]
