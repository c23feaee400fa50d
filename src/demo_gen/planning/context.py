"""What every planning step of one opportunity shares: people, rules, windows and rng streams."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from demo_gen.config import ActivitySettings, Config
from demo_gen.model import Contact, Opportunity
from demo_gen.planning.cadence import rank_contacts
from demo_gen.planning.slots import Bounds, Person, Rules
from demo_gen.planning.timezones import contact_place, owner_zone, zone_country


@dataclass(frozen=True)
class Context:
    """One opportunity's planning inputs. Every rng is `Random(f"{seed}/{pack}/{opp id}/...")`."""

    opportunity: Opportunity
    settings: ActivitySettings
    rules: Rules
    seller: Person
    people: Mapping[str, Person]  # contact id -> Person
    ranked: tuple[Contact, ...]
    anchor_instant: datetime
    stream: str

    def rng(self, *parts: str) -> random.Random:
        """A private random stream named by `parts` under this opportunity's stream."""
        return random.Random("/".join((self.stream, *parts)))

    def past_bounds(self) -> Bounds:
        """[max(end − past_days, created), end), end = the anchor, or the close for closed deals.

        A deal that closed before the anchor keeps the history that led to its close: a won
        deal with no activity at all would look dead in a demo.
        """
        high = self.history_end()
        low = max(high - timedelta(days=self.settings.past_days), self._created())
        return Bounds(low, max(low, high))

    def history_end(self) -> datetime:
        """The end of the past window: the anchor, or the end of the close date if earlier."""
        if self.opportunity.is_closed:
            return min(self.anchor_instant, self._close_end())
        return self.anchor_instant

    def future_bounds(self) -> Bounds:
        """[anchor + 1 day, anchor + 1 + future_days days): the anchor day itself stays empty."""
        low = max(self.anchor_instant + timedelta(days=1), self._created())
        high = self.anchor_instant + timedelta(days=1 + self.settings.future_days)
        if self.opportunity.is_closed:
            high = min(high, self._close_end())
        return Bounds(low, max(low, high))

    def _created(self) -> datetime:
        return self.opportunity.created_date

    def _close_end(self) -> datetime:
        next_day = self.opportunity.close_date + timedelta(days=1)
        return datetime.combine(next_day, time(0), tzinfo=self.seller.zone)


def anchor_instant(opportunity: Opportunity, anchor: date) -> datetime:
    """The past/future boundary: 00:00 of the anchor date in the owner's time zone."""
    return datetime.combine(anchor, time(0), tzinfo=owner_zone(opportunity))


def build_context(opportunity: Opportunity, config: Config, anchor: date) -> Context:
    """Resolve zones, countries and rules for one opportunity."""
    settings = config.activity
    zone = owner_zone(opportunity)
    seller = Person(opportunity.owner.id, zone, zone_country(opportunity.owner.time_zone))
    people = {}
    for contact in opportunity.contacts:
        country, contact_zone = contact_place(contact, opportunity)
        people[contact.id] = Person(contact.id, contact_zone, country)
    rules = Rules(
        business=(settings.business_hours.start, settings.business_hours.end),
        seller=(settings.seller_hours.start, settings.seller_hours.end),
        level=settings.realism_level,
    )
    return Context(
        opportunity=opportunity,
        settings=settings,
        rules=rules,
        seller=seller,
        people=people,
        ranked=tuple(rank_contacts(opportunity.contacts, settings.participant_roles)),
        anchor_instant=anchor_instant(opportunity, anchor),
        stream=f"{config.run.seed}/{config.run.name}/{opportunity.id}",
    )
