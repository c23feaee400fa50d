"""The seeded local org behind `demo-gen org init`: a deterministic, believable B2B org.

`build_org(store, FixtureSpec(anchor=today))` fills an empty store with one Organization, an admin
and a sales team of Users, Accounts with buying groups of Contacts, Opportunities across the
stages with their contact roles, and the Events and Tasks a real org already has. The same spec
always gives the same records and ids. Every entity draws from its own `random.Random` stream
(`"{seed}/account/{i}"`), so a change to one list does not reshuffle the rest.

Times are laid around `spec.anchor`: every timestamp lies before midnight UTC that starts it.

Identity: record ids carry the database's generation (`Store.generation`, bumped by every
`org init --force`), so a re-created org never reuses an id; the Organization Id is serial
`spec.org_serial` in that generation, and `org init` draws the serial at random, so every org it
creates (also into a new file) has an Organization Id no ledger has seen. Everything else is a
function of the spec and the generation.

The work is split by stage: `fixture_common` (the spec, the batched writer, helpers),
`fixture_accounts` (users, accounts, contacts) and `fixture_deals` (opportunities, contact roles,
events and tasks); the word lists are in `fixture_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from demo_gen.local_org import ids, rules_relations
from demo_gen.local_org.fixture_accounts import account_count, add_accounts, add_users
from demo_gen.local_org.fixture_common import ADMIN_USERNAME, FixtureSpec, Writer, midnight
from demo_gen.local_org.fixture_data import MAIN_STAGES
from demo_gen.local_org.fixture_deals import add_activity, add_deal, plan_deals
from demo_gen.local_org.rules_base import Actor
from demo_gen.local_org.settings import OrgSettings
from demo_gen.local_org.store import Record, Store, now_utc

__all__ = [
    "ADMIN_USERNAME",
    "MAIN_STAGES",
    "FixtureReport",
    "FixtureSpec",
    "backfill_relations",
    "build_org",
]


@dataclass(frozen=True)
class FixtureReport:
    counts: dict[str, int]
    """records created per sObject (canonical name)"""


# --- the entry point -------------------------------------------------------------------------


def build_org(store: Store, spec: FixtureSpec) -> FixtureReport:
    """Fill an EMPTY store with the seeded org; ValueError if it already has Opportunities.

    Records are committed in batches of a few thousand: if this fails midway, the finished batches
    stay, so start again from a cleared store (`org init --force`).
    """
    if spec.opportunities < 0:
        raise ValueError(f"opportunities must be >= 0, not {spec.opportunities}")
    if store.count("Opportunity", include_deleted=True):
        raise ValueError("the local org already has opportunities; clear it first (--force)")
    deals = plan_deals(spec, account_count(spec.opportunities))
    since = midnight(spec.anchor - timedelta(days=760))
    with Writer(store) as out:
        org_id = out.add("Organization", _org_record(spec), record_id=_org_id(store, spec))
        team = add_users(out, spec, since)
        accounts = add_accounts(out, spec, team, deals)
        busy: dict[str, list[tuple[datetime, datetime]]] = {}
        for index, (account, stage) in enumerate(deals):
            deal = add_deal(out, spec, team, accounts[account], index, stage)
            add_activity(out, spec, index, deal, busy)
    store.set_meta("org_id", org_id)
    seeded = f"seed={spec.seed} opportunities={spec.opportunities} anchor={spec.anchor}"
    store.set_meta("fixture", seeded)
    return FixtureReport(dict(out.counts))


def _org_id(store: Store, spec: FixtureSpec) -> str:
    """The Organization Id: serial `spec.org_serial` (1 by default) in the store's generation."""
    return ids.make_id("00D", spec.org_serial or 1, store.generation)


def _org_record(spec: FixtureSpec) -> Record:
    return {
        "Name": spec.org_name,
        "IsSandbox": True,
        "OrganizationType": "Developer Edition",
        "TimeZoneSidKey": "America/Los_Angeles",
        "InstanceName": "LOCAL",
    }


def backfill_relations(store: Store, settings: OrgSettings) -> int:
    """With Shared Activities on, give the seeded Events their Who/What relation rows.

    Returns how many EventRelation rows were added (by the admin user, now).
    """
    if not settings.shared_activities:
        return 0
    admin = store.find_unique("User", "Username", ADMIN_USERNAME)
    if admin is None:
        raise ValueError("the local org has no admin user to enable Shared Activities as")
    return rules_relations.backfill(store, Actor(admin, now_utc(), settings))
