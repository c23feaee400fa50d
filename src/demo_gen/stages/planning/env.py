"""What planning every deal shares (the calendar, windows, colleagues) and one deal's inputs."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from demo_gen.config.model import ActivitySettings
from demo_gen.stages.model import Opportunity, Seller
from demo_gen.stages.planning.book import Book
from demo_gen.stages.planning.existing import Anchor
from demo_gen.stages.planning.slots import Person, Rules
from demo_gen.stages.planning.story import Story
from demo_gen.stages.planning.team import Committee, DealTeam
from demo_gen.stages.planning.timezones import safe_zone, zone_country
from demo_gen.stages.planning.windows import Windows


@dataclass
class Env:
    """Shared across all deals of one plan: everyone's calendar and the org's colleagues."""

    settings: ActivitySettings
    rules: Rules
    book: Book
    windows: Windows
    users: tuple[Seller, ...]
    user_people: dict[str, Person] = field(default_factory=dict)

    def person_of(self, user: Seller) -> Person:
        found = self.user_people.get(user.id)
        if found is None:
            zone = safe_zone(user.time_zone) or safe_zone("UTC")
            assert zone is not None
            found = self.user_people[user.id] = Person(user.id, zone, zone_country(user.time_zone))
        return found

    @property
    def business(self) -> tuple[time, time]:
        return self.rules.business

    @property
    def seller_hours(self) -> tuple[time, time]:
        return self.rules.seller


@dataclass
class Deal:
    """One deal while it is planned: its people, its story and its rng streams."""

    opportunity: Opportunity
    seller: Person
    people: Mapping[str, Person]  # contact id -> Person
    team: DealTeam
    committee: Committee
    story: Story
    anchor_instant: datetime
    stream: str
    anchors: tuple[Anchor, ...] = ()  # the org's own Events on this deal that name a step

    def rng(self, *parts: str) -> random.Random:
        """A private random stream named by `parts` under this deal's stream."""
        return random.Random("/".join((self.stream, *parts)))

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.seller.zone).date()

    def day_start(self, day: date) -> datetime:
        """00:00 of a seller-local day."""
        return datetime.combine(day, time(0), tzinfo=self.seller.zone)

    def close_end(self) -> datetime:
        return self.day_start(self.opportunity.close_date + timedelta(days=1))
