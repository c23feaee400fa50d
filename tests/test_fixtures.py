"""The seeded local org: deterministic, consistent and believable."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from demo_gen.local_org import ids
from demo_gen.local_org.fixture.build import (
    ADMIN_USERNAME,
    MAIN_STAGES,
    FixtureSpec,
    build_org,
)
from demo_gen.local_org.rules.engine import PROBABILITY_BY_STAGE
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.store.core import Store

ANCHOR = date(2025, 6, 2)
HORIZON = datetime(2025, 6, 2, tzinfo=UTC)
# Organization has no IsDeleted column, so Store.rows() cannot list it; it is checked via meta.
OBJECTS = (
    "User",
    "Account",
    "Contact",
    "Opportunity",
    "OpportunityContactRole",
    "Event",
    "Task",
)


def _build(opportunities: int = 200, seed: int = 42, path=None) -> tuple[Store, dict[str, int]]:
    store = Store(path)
    report = build_org(store, FixtureSpec(anchor=ANCHOR, seed=seed, opportunities=opportunities))
    return store, report.counts


@pytest.fixture(scope="module")
def org() -> Store:
    return _build()[0]


def _by_id(store: Store, sobject: str) -> dict[str, dict]:
    return {r["Id"]: r for r in store.rows(sobject)}


def test_counts_for_a_small_spec() -> None:
    store, counts = _build(40)
    assert counts["Organization"] == 1
    assert counts["User"] == 19  # the admin, 9 account executives, 5 sales engineers, 4 leaders
    assert counts["Account"] == 16
    assert counts["Opportunity"] == 40
    assert 3 * 16 <= counts["Contact"] <= 10 * 16
    assert 2 * 40 <= counts["OpportunityContactRole"] <= 5 * 40
    assert counts["Event"] > 0 and counts["Task"] > 0
    for sobject in OBJECTS:
        assert store.count(sobject) == counts[sobject]
    assert ids.prefix_of(store.meta("org_id") or "") == "00D"


def test_zero_opportunities_still_gives_an_account() -> None:
    store, counts = _build(0)
    assert counts["Account"] == 1 and store.count("Opportunity") == 0


def test_same_spec_same_records_and_ids() -> None:
    first, _ = _build(60)
    second, _ = _build(60)
    for sobject in OBJECTS:
        assert first.rows(sobject) == second.rows(sobject), sobject
    assert first.meta("org_id") == second.meta("org_id")


def test_another_seed_gives_another_org() -> None:
    first, _ = _build(60, seed=1)
    second, _ = _build(60, seed=2)
    names = [sorted(r["Name"] for r in s.rows("Account")) for s in (first, second)]
    assert names[0] != names[1]
    assert first.rows("Opportunity") != second.rows("Opportunity")


def test_ids_have_the_right_prefix_and_checksum(org: Store) -> None:
    for sobject in OBJECTS:
        prefix = schema.OBJECTS[sobject.lower()].key_prefix
        for record in org.rows(sobject):
            assert ids.is_id(record["Id"]) and len(record["Id"]) == 18
            assert ids.prefix_of(record["Id"]) == prefix


def test_every_reference_points_at_a_record_of_an_allowed_type(org: Store) -> None:
    for sobject in OBJECTS:
        obj = schema.OBJECTS[sobject.lower()]
        refs = [f for f in obj.fields if f.type == schema.REFERENCE]
        for record in org.rows(sobject):
            for f in refs:
                value = record[f.name]
                if value is None:
                    continue
                target = org.get(value)
                assert target is not None, (sobject, f.name, value)
                assert schema.sobject_of_id(value).name in f.reference_to, (sobject, f.name)


def test_contact_roles_belong_to_the_account_and_have_one_primary(org: Store) -> None:
    contacts = _by_id(org, "Contact")
    opps = _by_id(org, "Opportunity")
    roles = defaultdict(list)
    for ocr in org.rows("OpportunityContactRole"):
        roles[ocr["OpportunityId"]].append(ocr)
        opp = opps[ocr["OpportunityId"]]
        assert contacts[ocr["ContactId"]]["AccountId"] == opp["AccountId"]
        assert ocr["Role"] in schema.CONTACT_ROLES
    assert set(roles) == set(opps)
    for opp_roles in roles.values():
        assert 2 <= len(opp_roles) <= 5
        assert sum(r["IsPrimary"] for r in opp_roles) == 1
        assert len({r["ContactId"] for r in opp_roles}) == len(opp_roles)
    primaries = Counter(r["Role"] for rs in roles.values() for r in rs if r["IsPrimary"])
    assert primaries.most_common(1)[0][0] in ("Champion", "Economic Buyer")


def test_opportunities_cover_stages_types_and_omissions(org: Store) -> None:
    opps = org.rows("Opportunity")
    stages = Counter(o["StageName"] for o in opps)
    assert set(MAIN_STAGES) <= set(stages)
    assert set(stages) <= set(schema.STAGES)
    types = Counter(o["Type"] for o in opps)
    assert set(types) == {"New Business", "Existing Business"}
    assert types["New Business"] > types["Existing Business"]
    omitted = sum(o["Omitted_from_Demo__c"] for o in opps)
    assert 0 < omitted < len(opps) * 0.1
    accounts = _by_id(org, "Account")
    for o in opps:
        assert o["AccountId"] in accounts
        assert o["IsClosed"] == (o["StageName"] in schema.CLOSED_STAGES)
        assert o["IsWon"] == (o["StageName"] == "Closed Won")
        assert o["Probability"] == PROBABILITY_BY_STAGE[o["StageName"]]
        assert 5_000 <= o["Amount"] <= 750_000
        assert o["Name"].startswith(accounts[o["AccountId"]]["Name"] + " – ")


def test_close_and_created_dates_follow_the_rules(org: Store) -> None:
    for o in org.rows("Opportunity"):
        close, created = o["CloseDate"], o["CreatedDate"]
        assert created < HORIZON
        assert 30 <= (close - created.date()).days <= 200
        if o["IsClosed"]:
            assert ANCHOR - timedelta(days=120) <= close <= ANCHOR - timedelta(days=1)
        else:
            assert ANCHOR - timedelta(days=10) <= close <= ANCHOR + timedelta(days=150)
            assert 20 <= (ANCHOR - created.date()).days <= 180


def test_timestamps_are_aware_utc_whole_milliseconds_and_in_order(org: Store) -> None:
    for sobject in OBJECTS:
        for record in org.rows(sobject):
            for value in record.values():
                if isinstance(value, datetime):
                    assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
                    assert value.microsecond % 1000 == 0
            assert record["CreatedDate"] <= record["LastModifiedDate"] < HORIZON
            assert record["SystemModstamp"] == record["LastModifiedDate"]
    accounts = _by_id(org, "Account")
    contacts = _by_id(org, "Contact")
    first_deal: dict[str, datetime] = {}
    for o in org.rows("Opportunity"):
        assert accounts[o["AccountId"]]["CreatedDate"] < o["CreatedDate"]
        first_deal[o["Id"]] = o["CreatedDate"]
    for ocr in org.rows("OpportunityContactRole"):
        assert contacts[ocr["ContactId"]]["CreatedDate"] < first_deal[ocr["OpportunityId"]]


def test_accounts_look_like_companies_around_the_world(org: Store) -> None:
    accounts = org.rows("Account")
    assert len(accounts) == 80
    assert len({a["Name"] for a in accounts}) == len(accounts)
    countries = Counter(a["BillingCountry"] for a in accounts)
    assert countries["United Arab Emirates"] >= 1 and countries["Israel"] >= 1
    assert countries.most_common(1)[0][0] == "United States"
    us_states = {a["BillingState"] for a in accounts if a["BillingCountry"] == "United States"}
    assert len(us_states) >= 5
    for a in accounts:
        assert a["Website"].startswith("https://www.") and ".example." not in a["Website"]
        assert a["Type"] in ("Prospect", "Customer - Direct", "Customer - Channel")
        assert a["Industry"] and a["NumberOfEmployees"] > 0 and a["AnnualRevenue"] > 0
        assert a["OwnerId"] != _admin(org)["Id"]


def test_contacts_form_buying_groups_with_corporate_emails(org: Store) -> None:
    accounts = _by_id(org, "Account")
    per_account = Counter(c["AccountId"] for c in org.rows("Contact"))
    assert set(per_account) == set(accounts)
    assert all(3 <= n <= 10 for n in per_account.values())
    emails = [c["Email"].lower() for c in org.rows("Contact")]
    assert len(set(emails)) == len(emails)
    for c in org.rows("Contact"):
        account = accounts[c["AccountId"]]
        assert c["Email"].endswith("@" + account["Website"].removeprefix("https://www."))
        assert c["Email"].isascii() and " " not in c["Email"]
        assert c["Name"] == f"{c['FirstName']} {c['LastName']}"
        assert c["OwnerId"] == account["OwnerId"]
        assert c["Title"] and c["Department"] and c["Phone"].startswith("+")
        if c["MailingCountry"] in ("United States", "Canada", "Australia", "Brazil"):
            assert c["MailingState"]
    abroad = [
        c
        for c in org.rows("Contact")
        if c["MailingCountry"] != accounts[c["AccountId"]]["BillingCountry"]
    ]
    assert abroad, "multinationals have staff in other countries"


def _admin(org: Store) -> dict:
    return next(u for u in org.rows("User") if u["Username"] == ADMIN_USERNAME)


def test_users_are_an_admin_and_a_team_across_regions(org: Store) -> None:
    admin = _admin(org)
    assert (admin["FirstName"], admin["LastName"], admin["Email"]) == (
        "Demo",
        "Admin",
        ADMIN_USERNAME,
    )
    assert admin["TimeZoneSidKey"] == "America/Los_Angeles"
    reps = [u for u in org.rows("User") if u["Id"] != admin["Id"]]
    assert 18 <= len(reps) <= 19
    titles = " ".join(u["Title"] for u in reps)
    assert "Sales Engineer" in titles and "Solutions Engineer" in titles
    assert "Director" in titles and "VP Sales" in titles
    zones = {u["TimeZoneSidKey"].split("/")[0] for u in reps}
    assert {"America", "Europe", "Asia", "Australia"} <= zones
    domains = {u["Email"].split("@")[1] for u in reps}
    assert len(domains) == 1
    owners = {o["OwnerId"] for o in org.rows("Opportunity")}
    assert owners <= {u["Id"] for u in reps}


def test_a_large_org_has_more_sellers_and_sales_engineers() -> None:
    store, counts = _build(2000)
    users = store.rows("User")
    owners = Counter(o["OwnerId"] for o in store.rows("Opportunity"))
    assert len(owners) >= 80
    assert max(owners.values()) <= 3 * len(store.rows("Opportunity")) / len(owners)
    engineers = [u for u in users if "Engineer" in (u["Title"] or "")]
    assert len(engineers) >= len(owners) // 5
    names = [(u["FirstName"], u["LastName"]) for u in users]
    assert len(set(names)) == len(names)


def test_contact_names_are_unique_in_an_account_and_unlike_sellers(org: Store) -> None:
    sellers = {u["Name"] for u in org.rows("User")}
    by_account = defaultdict(list)
    for c in org.rows("Contact"):
        by_account[c["AccountId"]].append(c)
        assert c["FirstName"] != c["LastName"], c["Name"]
        assert c["Name"] not in sellers
    seller_firsts = {u["FirstName"] for u in org.rows("User")}
    for people in by_account.values():
        assert len({c["Name"] for c in people}) == len(people)
        # a reader tells people apart by first name: one "Laurent" per account, no seller's
        assert len({c["FirstName"] for c in people}) == len(people), [c["Name"] for c in people]
        assert not {c["FirstName"] for c in people} & seller_firsts
    accounts = _by_id(org, "Account")
    big = [a for a in accounts if accounts[a]["NumberOfEmployees"] >= 1000]
    assert big and all(6 <= len(by_account[a]) <= 10 for a in big)


def test_existing_activity_is_past_related_and_consistent(org: Store) -> None:
    opps = _by_id(org, "Opportunity")
    roles = defaultdict(set)
    for ocr in org.rows("OpportunityContactRole"):
        roles[ocr["OpportunityId"]].add(ocr["ContactId"])
    with_activity = {e["WhatId"] for e in org.rows("Event")} | {
        t["WhatId"] for t in org.rows("Task")
    }
    assert 0.25 < len(with_activity) / len(opps) < 0.55
    for e in org.rows("Event"):
        assert e["WhoId"] in roles[e["WhatId"]]
        assert e["AccountId"] == opps[e["WhatId"]]["AccountId"]
        assert e["StartDateTime"] == e["ActivityDateTime"] and e["EndDateTime"] < HORIZON
        assert e["EndDateTime"] - e["StartDateTime"] == timedelta(minutes=e["DurationInMinutes"])
        assert e["DurationInMinutes"] in (30, 60) and e["Type"] == "Meeting"
        assert e["ActivityDate"] == e["StartDateTime"].date()
        assert e["StartDateTime"] > opps[e["WhatId"]]["CreatedDate"]
        assert e["DemoGen_Run_Id__c"] is None and e["DemoGen_Signature__c"] is None
    for t in org.rows("Task"):
        assert t["WhoId"] in roles[t["WhatId"]]
        assert t["AccountId"] == opps[t["WhatId"]]["AccountId"]
        assert t["Status"] in ("Completed", "Not Started")
        assert t["IsClosed"] == (t["Status"] == "Completed") == (t["CompletedDateTime"] is not None)
        assert t["IsHighPriority"] == (t["Priority"] == "High")
        assert t["TaskSubtype"] in ("Task", "Call")
        assert t["DemoGen_Signature__c"] is None


def test_building_into_an_org_with_opportunities_is_refused(org: Store) -> None:
    with pytest.raises(ValueError, match="already has opportunities"):
        build_org(org, FixtureSpec(anchor=ANCHOR, opportunities=5))


def test_a_persisted_org_reloads_with_the_same_records(tmp_path) -> None:
    path = tmp_path / "org.sqlite"
    store, counts = _build(50, path=path)
    before = {s: store.rows(s) for s in OBJECTS}
    org_id = store.meta("org_id")
    store.close()
    reloaded = Store(path)
    for sobject in OBJECTS:
        assert reloaded.count(sobject) == counts[sobject]
        assert reloaded.rows(sobject) == before[sobject]
    assert reloaded.meta("org_id") == org_id
