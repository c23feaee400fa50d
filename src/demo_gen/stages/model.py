"""What demo-gen reads from the org: plain frozen values, no I/O.

`crm` builds these from query results; the planner, content and scorecards only ever see these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Seller:
    """A User on the selling side: the opportunity owner and meeting organiser."""

    id: str
    name: str
    email: str
    title: str | None
    time_zone: str  # IANA zone from User.TimeZoneSidKey
    role: str = "ae"  # ae | sales_engineer | manager | executive (from the User's title)


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    industry: str | None
    billing_country: str | None
    billing_state: str | None
    website: str | None
    employees: int | None


@dataclass(frozen=True, slots=True)
class Contact:
    """A person at the buying account, with their role on this opportunity if they have one."""

    id: str
    first_name: str | None
    last_name: str
    email: str | None
    title: str | None
    phone: str | None
    mailing_country: str | None
    mailing_state: str | None
    role: str | None  # OpportunityContactRole.Role, None when the contact has no role here
    is_primary: bool = False

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.first_name else self.last_name


@dataclass(frozen=True, slots=True)
class Opportunity:
    """One deal and everything the planner needs to know about it."""

    id: str
    name: str
    stage: str
    type: str | None
    amount: float | None
    probability: float | None
    close_date: date
    created_date: datetime  # aware UTC
    is_closed: bool
    is_won: bool
    account: Account
    owner: Seller
    contacts: tuple[
        Contact, ...
    ]  # contact-role contacts first (primary first), then the account's others


@dataclass(frozen=True, slots=True)
class BusyEvent:
    """An Event already in the org: busy time for its owner and its WhoId."""

    id: str
    owner_id: str
    who_id: str | None
    what_id: str | None
    subject: str
    start: datetime  # aware UTC
    end: datetime  # aware UTC


@dataclass(frozen=True, slots=True)
class OrgSnapshot:
    """The opportunities selected for a run, read in a handful of queries.

    `users` are the org's active selling-side Users (owners and their colleagues); `events` are
    the org's own Events around the selected deals (never ones demo-gen created).
    """

    org_id: str
    opportunities: tuple[Opportunity, ...]
    users: tuple[Seller, ...] = ()
    events: tuple[BusyEvent, ...] = ()
