"""The people of the seeded org: the admin and sales team, Accounts and their buying groups.

`add_users` creates the admin and one User per rep (account executives grouped by region);
`add_accounts` creates the Accounts, each from its own random stream, with 3–10 Contacts whose
personas always include a champion, an economic buyer and a technical buyer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from demo_gen.local_org import fixture_data as data
from demo_gen.local_org.fixture_common import (
    FixtureSpec,
    Writer,
    between,
    draw_deck,
    midnight,
    phone,
    round_sig,
    slug,
    stamp,
    system_fields,
)
from demo_gen.local_org.store import Record

# --- the team --------------------------------------------------------------------------------


@dataclass
class Team:
    admin_id: str
    by_region: dict[str, list[str]] = field(default_factory=dict)  # account executives
    names: set[tuple[str, str]] = field(default_factory=set)  # every User's (first, last)


def add_users(out: Writer, spec: FixtureSpec, since: datetime) -> Team:
    admin = {
        "Username": spec.username,
        "FirstName": "Demo",
        "LastName": "Admin",
        "Name": "Demo Admin",
        "Email": spec.username,
        "Alias": "dadmin",
        "Title": "System Administrator",
        "Country": "United States",
        **system_fields(since, since, "", None),
    }
    admin_id = out.add("User", admin, self_created=True)
    team = Team(admin_id)
    for n, rep in enumerate(data.REPS + extra_reps(spec)):
        email = f"{slug(rep.first)}.{slug(rep.last)}@{data.SELLER_DOMAIN}"
        created = since + timedelta(days=1 + n, hours=2)
        user_id = out.add("User", _rep_record(rep, email, created, admin_id))
        team.names.add((rep.first, rep.last))
        if rep.owns_deals:
            team.by_region.setdefault(rep.region, []).append(user_id)
    return team


def extra_reps(spec: FixtureSpec) -> tuple[data.Rep, ...]:
    """More account executives (and a sales engineer per four) for a large org, by region."""
    owners = sum(r.owns_deals for r in data.REPS)
    wanted = max(0, math.ceil(spec.opportunities / data.DEALS_PER_REP) - owners)
    rng = random.Random(f"{spec.seed}/reps")
    taken = {(r.first, r.last) for r in data.REPS}
    weight = {r: sum(c.weight for c in data.COUNTRIES if c.region == r) for r in data.REP_HOMES}
    count = {r: sum(1 for p in data.REPS if p.region == r and p.owns_deals) for r in weight}
    out: list[data.Rep] = []
    for n in range(wanted + wanted // 4):
        total = sum(count.values()) + 1
        region = max(weight, key=lambda r: weight[r] / sum(weight.values()) * total - count[r])
        count[region] += 1
        country, tz, locale, label = data.REP_HOMES[region][count[region] % 3]
        names = data.COUNTRY_BY_NAME[country]
        first, last = rng.choice(names.first_names), rng.choice(names.last_names)
        while (first, last) in taken or first == last:
            first, last = rng.choice(names.first_names), rng.choice(names.last_names)
        taken.add((first, last))
        seller = n < wanted
        title = rng.choice(_AE_TITLES) if seller else "Solutions Engineer"
        out.append(data.Rep(first, last, title, tz, locale, label, region, seller))
    return tuple(out)


_AE_TITLES = ("Account Executive", "Senior Account Executive", "Enterprise Account Executive")


def _rep_record(rep: data.Rep, email: str, created: datetime, admin_id: str) -> Record:
    return {
        "Username": email,
        "FirstName": rep.first,
        "LastName": rep.last,
        "Name": f"{rep.first} {rep.last}",
        "Email": email,
        "Alias": (slug(rep.first)[:1] + slug(rep.last))[:8],
        "Title": rep.title,
        "Department": "Sales",
        "TimeZoneSidKey": rep.tz,
        "LocaleSidKey": rep.locale,
        "Country": rep.country,
        **system_fields(created, created, admin_id, None),
    }


# --- accounts and their buying groups ---------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: str
    role: str
    tz: str
    workdays: tuple[int, ...]


@dataclass
class Account:
    id: str
    name: str
    domain: str
    hq: str  # the city of the head office
    owner_id: str
    region: str
    created: datetime
    is_customer: bool
    employees: int
    people: list[Person] = field(default_factory=list)


def account_count(opportunities: int) -> int:
    return max(1, round(opportunities / 2.5))


def add_accounts(
    out: Writer, spec: FixtureSpec, team: Team, deals: list[tuple[int, str]]
) -> list[Account]:
    n = account_count(spec.opportunities)
    weights = {c.name: c.weight for c in data.COUNTRIES}
    countries = draw_deck(random.Random(f"{spec.seed}/countries"), n, weights, list(weights))
    won = {a for a, stage in deals if stage == "Closed Won"}
    used: set[str] = set()
    accounts = []
    for i, country_name in enumerate(countries):
        rng = random.Random(f"{spec.seed}/account/{i}")
        country = data.COUNTRY_BY_NAME[country_name]
        account = _add_account(out, spec, rng, team, country, used, i in won)
        sellers = {f"{first} {last}" for first, last in team.names}
        _add_contacts(out, spec, rng, account, country, sellers)
        accounts.append(account)
    return accounts


def _company(rng: random.Random, country: data.Country, used: set[str]) -> tuple[str, str, str]:
    """A fictional company not used yet: (Name, domain, Industry)."""
    industries = list(data.INDUSTRIES)
    attempt = 0
    while True:
        industry = rng.choice(industries)
        base = f"{rng.choice(data.COMPANY_WORDS)} {rng.choice(data.INDUSTRIES[industry])}"
        if attempt >= 20:
            base += " " + rng.choice(data.COMPANY_QUALIFIERS)
        if attempt >= 60:
            base += f" {attempt}"
        key = slug(base)
        attempt += 1
        if key not in used:
            used.add(key)
            legal = country.legal and rng.random() < 0.3
            return (f"{base} {country.legal}" if legal else base), f"{key}.{country.tld}", industry


def _add_account(
    out: Writer,
    spec: FixtureSpec,
    rng: random.Random,
    team: Team,
    country: data.Country,
    used: set[str],
    won: bool,
) -> Account:
    name, domain, industry = _company(rng, country, used)
    place = rng.choice(country.places)
    employees = min(250_000, max(20, round_sig(rng.lognormvariate(math.log(1200), 1.4), 2)))
    is_customer = rng.random() < 0.4
    kind = "Prospect"
    if is_customer or won:
        kind = "Customer - Channel" if rng.random() < 0.1 else "Customer - Direct"
    owner = rng.choice(team.by_region[country.region])
    horizon = midnight(spec.anchor)
    created = stamp(rng, spec.anchor - timedelta(days=rng.randint(330, 700)))
    record = {
        "Name": name,
        "Type": kind,
        "Industry": industry,
        "Website": f"https://www.{domain}",
        "Phone": phone(rng, place.phone),
        "NumberOfEmployees": employees,
        "AnnualRevenue": float(round_sig(employees * rng.uniform(120_000, 450_000), 2)),
        "BillingCity": place.city,
        "BillingState": place.state,
        "BillingCountry": country.name,
        "Description": f"{industry} company headquartered in {place.city}, {country.name}.",
        **system_fields(created, between(rng, created, horizon), owner, owner),
    }
    account_id = out.add("Account", record)
    return Account(
        account_id, name, domain, place.city, owner, country.region, created, is_customer, employees
    )


def _buying_group(rng: random.Random, employees: int) -> list[data.Persona]:
    """3–10 distinct personas: always a champion, an economic buyer and a technical buyer;
    6–10 at companies of 1,000 people or more (a real buying group, reference §3.1)."""
    if employees >= 1000:
        count = rng.randint(6, 10)
    else:
        count = min(10, 3 + (employees >= 200) + rng.randrange(3))
    core = [
        rng.choice(data.CHAMPIONS),
        rng.choice(data.ECONOMIC_BUYERS),
        rng.choice(data.TECHNICAL_BUYERS),
    ]
    pool = [p for p in (*data.TECHNICAL_BUYERS, *data.OTHER_PERSONAS) if p not in core]
    return core + rng.sample(pool, count - 3)


def _contact_place(
    rng: random.Random, country: data.Country, hq: str, employees: int
) -> tuple[data.Country, data.Place]:
    """Mostly the account's head office; big companies have staff abroad too."""
    roll = rng.random()
    if roll < 0.12 and employees >= 1000:
        country = rng.choice([c for c in data.COUNTRIES if c.name != country.name])
        return country, rng.choice(country.places)
    if roll < 0.35:
        return country, rng.choice(country.places)
    return country, next(p for p in country.places if p.city == hq)


def _person_name(
    rng: random.Random, home: data.Country, taken: set[tuple[str, str]], sellers: set[str]
) -> tuple[str, str]:
    """A name whose first name no one else at the account and no seller has (a reader tells
    people apart by first name: "Laurent" must be one person), never "Thomas Thomas"; the last
    name is unique too while the country's bank allows it."""
    firsts = {f for f, _ in taken} | {name.split(" ")[0] for name in sellers}
    lasts = {last for _, last in taken}
    fresh = [f for f in home.first_names if f not in firsts] or [  # a big team: colleagues
        f
        for c in data.COUNTRIES
        for f in c.first_names
        if f not in firsts  # from abroad
    ]
    first = rng.choice(fresh)
    options = [n for n in home.last_names if n not in lasts and n != first]
    last = rng.choice(options or [n for n in home.last_names if n != first])
    taken.add((first, last))
    return first, last


def _add_contacts(
    out: Writer,
    spec: FixtureSpec,
    rng: random.Random,
    account: Account,
    country: data.Country,
    sellers: set[str] | None = None,
) -> None:
    emails: set[str] = set()
    taken: set[tuple[str, str]] = set()
    horizon = midnight(spec.anchor)
    for persona in _buying_group(rng, account.employees):
        home, place = _contact_place(rng, country, account.hq, account.employees)
        first, last = _person_name(rng, home, taken, sellers or set())
        local = base = f"{slug(first)}.{slug(last)}"
        for n in range(2, 99):
            if local not in emails:
                break
            local = f"{base}{n}"
        emails.add(local)
        created = between(rng, account.created, horizon - timedelta(days=325))
        record = {
            "AccountId": account.id,
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}",
            "Title": persona.title,
            "Department": persona.department,
            "Email": f"{local}@{account.domain}",
            "Phone": phone(rng, place.phone),
            "MailingCity": place.city,
            "MailingState": place.state,
            "MailingCountry": home.name,
            **system_fields(
                created, between(rng, created, horizon), account.owner_id, account.owner_id
            ),
        }
        contact_id = out.add("Contact", record)
        account.people.append(Person(contact_id, persona.role, place.tz, home.workdays))
