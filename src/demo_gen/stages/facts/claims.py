"""What in a sentence is a checkable claim: dates, numbers and people's names.

`claims(text, names)` lists them; `found(claim, haystack)` says whether a record carries one
verbatim but for case (so a phrase may start a sentence), numbers on word boundaries ("3 weeks"
is not found in "13 weeks"). The scorecards
use these to cite, and the run's text metrics to check the citations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from demo_gen.stages import rx

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"\b(?:{_MONTHS}) \d{{1,2}}, \d{{4}}\b")
_NUMBER = re.compile(r"FY\d{2}\b|\$\d[\d,]*(?:\.\d+)?[kM]?|(?<![\w.])\d[\d,]*(?:\.\d+)?%?")


def parse_date(text: str) -> date:
    """A date written by `fmt_day`."""
    return datetime.strptime(text, "%B %d, %Y").date()


def claims(text: str, names: Iterable[str]) -> list[str]:
    """Dates, then numbers (outside the dates), then the given names that occur in `text`."""
    dates = DATE.findall(text)
    rest = DATE.sub(" ", text)
    numbers = [n.rstrip(",") for n in _NUMBER.findall(rest)]
    people = [n for n in names if n and n in text]
    return [*dates, *[n for n in numbers if n], *people]


def found(claim: str, haystack: str) -> bool:
    """Whether `haystack` carries `claim` verbatim (as a whole number where it is one)."""
    return rx.claim(claim).search(haystack) is not None
