"""The selection shares what repeats (an account on each of its deals, a contact on each deal
where it has no role, repeated names and subjects) and changes no value: each deal's contacts
carry exactly the roles the org's OpportunityContactRoles give them on that deal."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from demo_gen.commands.org_launch import open_crm
from demo_gen.config.model import Config, Secrets
from demo_gen.local_org.fixture.build import FixtureSpec, build_org
from demo_gen.local_org.store.core import Store
from demo_gen.targets.salesforce.selection import select_opportunities

ANCHOR = date(2026, 11, 30)


@pytest.fixture(scope="module")
def selected(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("shared") / "org.sqlite"
    store = Store(db)
    build_org(store, FixtureSpec(anchor=ANCHOR, opportunities=200))
    store.close()
    config = Config.model_validate({
        "run": {"name": "p", "seed": 42},
        "salesforce": {"local": {"db": str(db)}, "query": {"limit": 200, "opportunity_type": None}},
    })  # fmt: skip
    with open_crm(config, Secrets()) as crm:
        selection = select_opportunities(crm, config.salesforce.query)
        roles = crm.query(
            "SELECT OpportunityId, ContactId, Role, IsPrimary FROM OpportunityContactRole"
        )
    return selection.snapshot, roles


def test_each_deal_has_its_own_roles(selected):
    snapshot, rows = selected
    roles = {(r["OpportunityId"], r["ContactId"]): r for r in rows}
    with_role = 0
    for opp in snapshot.opportunities:
        for c in opp.contacts:
            row = roles.get((opp.id, c.id))
            assert c.role == (None if row is None else (row["Role"] or "Other")), (opp.id, c.id)
            assert c.is_primary == bool(row and row["IsPrimary"])
            with_role += row is not None
    assert with_role > 50


def test_what_repeats_is_one_object(selected):
    snapshot, _ = selected
    by_account = defaultdict(list)
    for opp in snapshot.opportunities:
        by_account[opp.account.id].append(opp)
    shared = [opps for opps in by_account.values() if len(opps) > 1]
    assert shared, "the fixture has accounts with several deals"
    for opps in shared:
        accounts = {id(o.account) for o in opps if o.account == opps[0].account}
        assert len(accounts) == 1
        plain = defaultdict(set)  # a contact with no role on a deal: the same object on each
        for opp in opps:
            for c in opp.contacts:
                if c.role is None:
                    plain[c.id].add(id(c))
        assert all(len(ids) == 1 for ids in plain.values())
    owners = defaultdict(set)
    for opp in snapshot.opportunities:
        owners[opp.owner.id].add(id(opp.owner))
    assert all(len(ids) == 1 for ids in owners.values())
    titles = defaultdict(set)
    for opp in snapshot.opportunities:
        for c in opp.contacts:
            titles[c.title].add(id(c.title))
    assert all(len(ids) == 1 for title, ids in titles.items() if title is not None)
    subjects = defaultdict(set)
    for event in snapshot.events:
        subjects[event.subject].add(id(event.subject))
        subjects[event.owner_id].add(id(event.owner_id))
    assert snapshot.events and all(len(ids) == 1 for ids in subjects.values())
