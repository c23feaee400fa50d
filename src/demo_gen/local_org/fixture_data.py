"""Word lists for the seeded local org: places, names, companies, titles and deal wording.

Small, curated and fixed, so `org init` is deterministic without a faker dependency. Phone
patterns use `#` for a random digit and stay inside ranges reserved for fiction where a
country has one (US 555-01xx, UK Ofcom drama numbers, AU 5550).
"""

from __future__ import annotations

from dataclasses import dataclass

# Every one of these appears once an org has this many opportunities.
MAIN_STAGES = (
    "Prospecting",
    "Qualification",
    "Discovery",
    "Evaluation",
    "Proposal",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
)
STAGE_WEIGHTS = {
    "Prospecting": 9,
    "Qualification": 11,
    "Needs Analysis": 2,
    "Discovery": 11,
    "Value Proposition": 2,
    "Evaluation": 10,
    "Id. Decision Makers": 1,
    "Proposal": 9,
    "Proposal/Price Quote": 1,
    "Negotiation": 7,
    "Closed Won": 19,
    "Closed Lost": 18,
}
FORECAST = {"Closed Won": "Closed", "Closed Lost": "Omitted", "Negotiation": "Commit"}

SELLER_NAME = "Northwind Analytics"
SELLER_DOMAIN = "northwind-analytics.com"


@dataclass(frozen=True)
class Place:
    city: str
    state: str | None  # US/CA/AU: postal codes; BR: state codes; others: region or None
    tz: str  # IANA zone, used to put meetings in local business hours
    phone: str  # pattern; '#' is a random digit


@dataclass(frozen=True)
class Country:
    name: str
    region: str  # AMER, EMEA or APAC: which reps cover it
    weight: int  # share of accounts, relative
    tld: str
    places: tuple[Place, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    legal: str = ""  # legal-form suffix some companies carry ("GmbH")
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday=0


def _p(city: str, state: str | None, tz: str, phone: str) -> Place:
    return Place(city, state, tz, phone)


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


_NY, _CHI, _DEN, _PHX, _LA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)

COUNTRIES: tuple[Country, ...] = (
    Country(
        "United States",
        "AMER",
        34,
        "com",
        (
            _p("New York", "NY", _NY, "+1 (212) 555-01##"),
            _p("Boston", "MA", _NY, "+1 (617) 555-01##"),
            _p("Atlanta", "GA", _NY, "+1 (404) 555-01##"),
            _p("Miami", "FL", _NY, "+1 (305) 555-01##"),
            _p("Charlotte", "NC", _NY, "+1 (704) 555-01##"),
            _p("Chicago", "IL", _CHI, "+1 (312) 555-01##"),
            _p("Austin", "TX", _CHI, "+1 (512) 555-01##"),
            _p("Dallas", "TX", _CHI, "+1 (214) 555-01##"),
            _p("Minneapolis", "MN", _CHI, "+1 (612) 555-01##"),
            _p("Denver", "CO", _DEN, "+1 (303) 555-01##"),
            _p("Salt Lake City", "UT", _DEN, "+1 (801) 555-01##"),
            _p("Phoenix", "AZ", _PHX, "+1 (602) 555-01##"),
            _p("San Francisco", "CA", _LA, "+1 (415) 555-01##"),
            _p("San Jose", "CA", _LA, "+1 (408) 555-01##"),
            _p("Los Angeles", "CA", _LA, "+1 (213) 555-01##"),
            _p("Seattle", "WA", _LA, "+1 (206) 555-01##"),
            _p("Portland", "OR", _LA, "+1 (503) 555-01##"),
        ),
        _names(
            "James, Mary, Michael, Jennifer, David, Sarah, Robert, Jessica, Daniel, Emily,"
            "Christopher, Ashley, Kevin, Megan, Brian, Lauren, Marcus, Priya, Carlos, Grace"
        ),
        _names(
            "Smith, Johnson, Williams, Brown, Garcia, Miller, Davis, Rodriguez, Martinez,"
            "Anderson, Taylor, Thomas, Moore, Jackson, Lee, Patel, Nguyen, Kim, Clark, Walker"
        ),
        legal="Inc.",
    ),
    Country(
        "Canada",
        "AMER",
        5,
        "ca",
        (
            _p("Toronto", "ON", "America/Toronto", "+1 (416) 555-01##"),
            _p("Ottawa", "ON", "America/Toronto", "+1 (613) 555-01##"),
            _p("Montreal", "QC", "America/Toronto", "+1 (514) 555-01##"),
            _p("Vancouver", "BC", "America/Vancouver", "+1 (604) 555-01##"),
            _p("Calgary", "AB", "America/Edmonton", "+1 (403) 555-01##"),
        ),
        _names(
            "Liam, Olivia, Noah, Emma, Ethan, Chloé, Lucas, Sophie, Owen, Amélie, Jacob, Maya,"
            "Mathieu, Isabelle"
        ),
        _names(
            "Tremblay, Roy, Gagnon, Côté, Martin, MacDonald, Campbell, Wilson, Stewart, Chen,"
            "Singh, Bouchard, Fraser, Morin"
        ),
        legal="Inc.",
    ),
    Country(
        "United Kingdom",
        "EMEA",
        10,
        "co.uk",
        (
            _p("London", None, "Europe/London", "+44 20 7946 0###"),
            _p("Manchester", None, "Europe/London", "+44 161 496 0###"),
            _p("Edinburgh", None, "Europe/London", "+44 131 496 0###"),
            _p("Bristol", None, "Europe/London", "+44 117 496 0###"),
        ),
        _names(
            "Oliver, Amelia, Harry, Isla, George, Sophie, Thomas, Charlotte, Jack, Emily,"
            "William, Hannah, James, Lucy, Rhys, Fiona"
        ),
        _names(
            "Smith, Jones, Taylor, Brown, Davies, Evans, Wilson, Thomas, Roberts, Walker,"
            "Wright, Hughes, Edwards, Green, Hall, Clarke"
        ),
        legal="Ltd",
    ),
    Country(
        "Germany",
        "EMEA",
        8,
        "de",
        (
            _p("Berlin", "Berlin", "Europe/Berlin", "+49 30 #######"),
            _p("Munich", "Bavaria", "Europe/Berlin", "+49 89 #######"),
            _p("Hamburg", "Hamburg", "Europe/Berlin", "+49 40 #######"),
            _p("Frankfurt", "Hesse", "Europe/Berlin", "+49 69 #######"),
        ),
        _names(
            "Lukas, Anna, Felix, Lea, Jonas, Laura, Maximilian, Sophie, Tobias, Julia, Florian,"
            "Katharina, Stefan, Sabine, Matthias, Claudia"
        ),
        _names(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz,"
            "Hoffmann, Koch, Richter, Klein, Wolf, Schröder, Neumann"
        ),
        legal="GmbH",
    ),
    Country(
        "France",
        "EMEA",
        5,
        "fr",
        (
            _p("Paris", None, "Europe/Paris", "+33 1 ## ## ## ##"),
            _p("Lyon", None, "Europe/Paris", "+33 4 ## ## ## ##"),
            _p("Toulouse", None, "Europe/Paris", "+33 5 ## ## ## ##"),
        ),
        _names(
            "Louis, Camille, Hugo, Léa, Jules, Manon, Antoine, Chloé, Nicolas, Julie, Thomas,"
            "Claire, Mathieu, Élodie, Pierre, Sophie"
        ),
        _names(
            "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau,"
            "Simon, Laurent, Lefebvre, Michel, Girard, Fournier"
        ),
        legal="SAS",
    ),
    Country(
        "Netherlands",
        "EMEA",
        4,
        "nl",
        (
            _p("Amsterdam", None, "Europe/Amsterdam", "+31 20 ### ####"),
            _p("Rotterdam", None, "Europe/Amsterdam", "+31 10 ### ####"),
            _p("Utrecht", None, "Europe/Amsterdam", "+31 30 ### ####"),
        ),
        _names("Daan, Emma, Sem, Julia, Lucas, Sophie, Bram, Lotte, Jesse, Anouk, Thijs, Sanne"),
        _names(
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Visser, Smit, Meijer,"
            "de Boer, Mulder, Bos"
        ),
        legal="B.V.",
    ),
    Country(
        "Spain",
        "EMEA",
        3,
        "es",
        (
            _p("Madrid", None, "Europe/Madrid", "+34 91 ### ## ##"),
            _p("Barcelona", None, "Europe/Madrid", "+34 93 ### ## ##"),
            _p("Valencia", None, "Europe/Madrid", "+34 96 ### ## ##"),
        ),
        _names(
            "Hugo, Lucía, Martín, Sofía, Pablo, María, Alejandro, Paula, Daniel, Carmen,"
            "Javier, Laura, Sergio, Elena"
        ),
        _names(
            "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez,"
            "Jiménez, Ruiz, Hernández, Díaz, Moreno"
        ),
        legal="S.L.",
    ),
    Country(
        "Australia",
        "APAC",
        5,
        "com.au",
        (
            _p("Sydney", "NSW", "Australia/Sydney", "+61 2 5550 ####"),
            _p("Melbourne", "VIC", "Australia/Melbourne", "+61 3 5550 ####"),
            _p("Brisbane", "QLD", "Australia/Brisbane", "+61 7 5550 ####"),
            _p("Perth", "WA", "Australia/Perth", "+61 8 5550 ####"),
        ),
        _names(
            "Jack, Charlotte, William, Olivia, Lachlan, Mia, Cooper, Chloe, Riley, Isla,"
            "Mitchell, Zoe, Hamish, Grace"
        ),
        _names(
            "Smith, Jones, Williams, Brown, Wilson, Taylor, Johnson, White, Martin, Anderson,"
            "Thompson, Nguyen, Kelly, Ryan"
        ),
        legal="Pty Ltd",
    ),
    Country(
        "Singapore",
        "APAC",
        3,
        "com.sg",
        (_p("Singapore", None, "Asia/Singapore", "+65 6### ####"),),
        _names(
            "Wei Ling, Jun Jie, Hui Min, Zhi Hao, Mei Ling, Kai Wen, Jia Hui, Wei Ming, Rachel,"
            "Daniel, Joanne, Marcus"
        ),
        _names("Tan, Lim, Lee, Ng, Ong, Wong, Goh, Chua, Koh, Teo, Chan, Yeo"),
        legal="Pte Ltd",
    ),
    Country(
        "Japan",
        "APAC",
        3,
        "co.jp",
        (
            _p("Tokyo", None, "Asia/Tokyo", "+81 3-####-####"),
            _p("Osaka", None, "Asia/Tokyo", "+81 6-####-####"),
            _p("Nagoya", None, "Asia/Tokyo", "+81 52-###-####"),
        ),
        _names(
            "Haruto, Yui, Sota, Hina, Yuto, Aoi, Takashi, Yuki, Kenji, Akiko, Hiroshi, Naoko,"
            "Daisuke, Emi"
        ),
        _names(
            "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi,"
            "Kato, Yoshida, Yamada, Sasaki, Matsumoto"
        ),
        legal="K.K.",
    ),
    Country(
        "India",
        "APAC",
        5,
        "in",
        (
            _p("Mumbai", "Maharashtra", "Asia/Kolkata", "+91 22 #### ####"),
            _p("Bengaluru", "Karnataka", "Asia/Kolkata", "+91 80 #### ####"),
            _p("New Delhi", "Delhi", "Asia/Kolkata", "+91 11 #### ####"),
            _p("Hyderabad", "Telangana", "Asia/Kolkata", "+91 40 #### ####"),
        ),
        _names(
            "Aarav, Ananya, Vivaan, Diya, Arjun, Priya, Rohan, Kavya, Rahul, Neha, Vikram,"
            "Pooja, Sanjay, Deepa, Karthik, Lakshmi"
        ),
        _names(
            "Sharma, Patel, Iyer, Reddy, Nair, Gupta, Kumar, Singh, Mehta, Rao, Joshi, Desai,"
            "Menon, Agarwal, Kapoor, Banerjee"
        ),
        legal="Pvt Ltd",
    ),
    Country(
        "United Arab Emirates",
        "EMEA",
        4,
        "ae",
        (
            _p("Dubai", None, "Asia/Dubai", "+971 4 ### ####"),
            _p("Abu Dhabi", None, "Asia/Dubai", "+971 2 ### ####"),
        ),
        _names(
            "Mohammed, Fatima, Ahmed, Aisha, Omar, Mariam, Khalid, Noura, Rashid, Layla,"
            "Yousef, Hessa, Saeed, Amna"
        ),
        _names(
            "Al Mansouri, Al Hashimi, Al Nuaimi, Al Suwaidi, Al Zaabi, Al Shamsi, Al Ketbi,"
            "Al Marzouqi, Al Falasi, Haddad, Khoury, Saleh"
        ),
        legal="LLC",
        # Fri–Sat weekend before 2022, Sat–Sun since: Mon–Thu is a working day either way.
        workdays=(0, 1, 2, 3),
    ),
    Country(
        "Israel",
        "EMEA",
        3,
        "co.il",
        (
            _p("Tel Aviv", None, "Asia/Jerusalem", "+972 3-###-####"),
            _p("Haifa", None, "Asia/Jerusalem", "+972 4-###-####"),
            _p("Jerusalem", None, "Asia/Jerusalem", "+972 2-###-####"),
        ),
        _names(
            "Noam, Noa, Itai, Tamar, Yonatan, Maya, Omer, Shira, Eitan, Yael, Amit, Michal,"
            "Ariel, Dana"
        ),
        _names(
            "Cohen, Levi, Mizrahi, Peretz, Biton, Friedman, Katz, Avraham, Ben-David, Shapiro,"
            "Goldberg, Rosen, Azoulay, Segal"
        ),
        legal="Ltd.",
        workdays=(6, 0, 1, 2, 3),  # Sunday–Thursday
    ),
    Country(
        "Brazil",
        "AMER",
        4,
        "com.br",
        (
            _p("São Paulo", "SP", "America/Sao_Paulo", "+55 11 ####-####"),
            _p("Rio de Janeiro", "RJ", "America/Sao_Paulo", "+55 21 ####-####"),
            _p("Belo Horizonte", "MG", "America/Sao_Paulo", "+55 31 ####-####"),
            _p("Curitiba", "PR", "America/Sao_Paulo", "+55 41 ####-####"),
        ),
        _names(
            "Miguel, Sofia, Arthur, Alice, Gabriel, Laura, Lucas, Helena, Rafael, Beatriz,"
            "Pedro, Mariana, Thiago, Camila, Bruno, Fernanda"
        ),
        _names(
            "Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes,"
            "Costa, Ribeiro, Martins, Carvalho, Almeida, Barbosa"
        ),
        legal="Ltda.",
    ),
)
COUNTRY_BY_NAME = {c.name: c for c in COUNTRIES}


@dataclass(frozen=True)
class Rep:
    first: str
    last: str
    title: str
    tz: str
    locale: str
    country: str
    region: str
    owns_deals: bool = True


REPS: tuple[Rep, ...] = (
    Rep("Rachel", "Morgan", "Enterprise Account Executive", _NY, "en_US", "United States", "AMER"),
    Rep("Marcus", "Bell", "Senior Account Executive", _CHI, "en_US", "United States", "AMER"),
    Rep("Elena", "Ruiz", "Account Executive", _LA, "en_US", "United States", "AMER"),
    Rep("Tom", "Hargreaves", "Enterprise Account Executive", "Europe/London", "en_GB",
        "United Kingdom", "EMEA"),
    Rep("Jana", "Köhler", "Senior Account Executive", "Europe/Berlin", "de_DE", "Germany", "EMEA"),
    Rep("Camille", "Laurent", "Account Executive", "Europe/Paris", "fr_FR", "France", "EMEA"),
    Rep("Wei Jie", "Tan", "Account Executive", "Asia/Singapore", "en_SG", "Singapore", "APAC"),
    Rep("Olivia", "Grant", "Senior Account Executive", "Australia/Sydney", "en_AU", "Australia",
        "APAC"),
    Rep("Kenji", "Mori", "Account Executive", "Asia/Tokyo", "ja_JP", "Japan", "APAC"),
    Rep("Priya", "Raman", "Sales Engineer", _LA, "en_US", "United States", "AMER", False),
    Rep("Daniel", "Okafor", "Solutions Engineer", _NY, "en_US", "United States", "AMER", False),
    Rep("Sophie", "Brandt", "Solutions Engineer", "Europe/London", "en_GB", "United Kingdom",
        "EMEA", False),
    Rep("Lukas", "Weber", "Sales Engineer", "Europe/Berlin", "de_DE", "Germany", "EMEA", False),
    Rep("Mei Lin", "Chua", "Solutions Engineer", "Asia/Singapore", "en_SG", "Singapore", "APAC",
        False),
    Rep("Grace", "Whitfield", "Regional Sales Director", _NY, "en_US", "United States", "AMER",
        False),
    Rep("Henrik", "Larsen", "Sales Director EMEA", "Europe/London", "en_GB", "United Kingdom",
        "EMEA", False),
    Rep("Aiko", "Tanaka", "Sales Director APAC", "Asia/Singapore", "en_SG", "Singapore", "APAC",
        False),
    Rep("Victor", "Hale", "VP Sales", _NY, "en_US", "United States", "AMER", False),
)  # fmt: skip
DEALS_PER_REP = 22
"""A larger org gets more account executives (and a sales engineer per four), so that no seller
carries more deals than a real one could meet."""
REP_HOMES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "AMER": (("United States", _NY, "en_US", "United States"),
             ("United States", _CHI, "en_US", "United States"),
             ("United States", _LA, "en_US", "United States")),
    "EMEA": (("United Kingdom", "Europe/London", "en_GB", "United Kingdom"),
             ("Germany", "Europe/Berlin", "de_DE", "Germany"),
             ("France", "Europe/Paris", "fr_FR", "France")),
    "APAC": (("Singapore", "Asia/Singapore", "en_SG", "Singapore"),
             ("Australia", "Australia/Sydney", "en_AU", "Australia"),
             ("Japan", "Asia/Tokyo", "ja_JP", "Japan")),
}  # fmt: skip

COMPANY_WORDS = _names(
    "Brightwater, Kestrel, Northgate, Silverline, Bluepeak, Redwood, Ironbridge, Clearwater,"
    "Summitview, Harborline, Granite, Evergreen, Falconer, Orion, Meridian, Cobalt, Juniper,"
    "Sterling, Aurora, Cedarbrook, Pinnacle, Horizon, Lumen, Vantage, Atlas, Beacon, Crescent,"
    "Driftwood, Emberly, Foxglove, Goldcrest, Hawthorne, Ivorygate, Keystone, Larkspur,"
    "Maplewood, Nimbus, Oakridge, Pioneer, Quarrystone, Riverstone, Sapphire, Tidewater, Upland,"
    "Vireo, Westbrook, Zephyr, Ashford, Bramble, Copperfield, Dunmore, Elmstead, Fairhaven,"
    "Glenmore, Highmark, Inkwell, Kingsley, Lakeshore, Moorland, Northstar, Oxbow, Pebblebrook,"
    "Rosewood, Saltmarsh, Thornbury, Valemont, Windmere, Alderpoint, Basalt, Cinderhill,"
    "Fjordline, Gable, Heron, Indigo, Jetstream, Kinetic, Lodestar, Mosaic, Novalis, Optima,"
    "Paragon, Radiant, Solstice, Trident, Vector, Wavecrest, Yardley, Zenith, Arbor,"
    "Bellwether, Caldera, Dovetail, Everwood, Greystone, Halcyon, Ironwood, Kelvin, Lattice,"
    "Marlow, Obsidian, Prairie, Ridgeway, Stonegate, Tamarack, Verdant, Willowby, Amberley,"
    "Blackthorn, Corvid, Eastwind, Fernhill, Galeford, Hollis, Lindenhall, Quayside, Sandpiper"
)
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Technology": _names("Systems, Software, Labs, Digital, Networks, Cloud, Data, Technologies"),
    "Financial Services": _names("Capital, Financial, Bancorp, Payments, Securities, Wealth"),
    "Insurance": _names("Insurance, Assurance, Mutual, Underwriters"),
    "Healthcare": _names("Health, Medical, Diagnostics, Care, Therapeutics, Biosciences"),
    "Manufacturing": _names("Manufacturing, Industries, Components, Materials, Precision"),
    "Retail": _names("Retail, Outfitters, Markets, Home, Foods, Apparel, Brands"),
    "Logistics": _names("Logistics, Freight, Shipping, Transport, Cargo, Distribution"),
    "Energy": _names("Energy, Power, Renewables, Solar, Utilities, Grid"),
    "Education": _names("Learning, Education, Academy, Institute, Publishing"),
    "Media": _names("Media, Studios, Broadcasting, Entertainment, Press, Creative"),
    "Telecommunications": _names("Telecom, Communications, Wireless, Broadband, Fiber"),
    "Hospitality": _names("Hotels, Hospitality, Resorts, Travel"),
    "Professional Services": _names("Consulting, Advisory, Partners"),
}
COMPANY_QUALIFIERS = _names("Group, Holdings, International, Global, Solutions, Worldwide")


@dataclass(frozen=True)
class Persona:
    title: str
    department: str
    role: str  # OpportunityContactRole.Role


def _personas(role: str, pairs: str) -> tuple[Persona, ...]:
    out = []
    for pair in pairs.split(";"):
        title, dept = pair.split("|")
        out.append(Persona(title.strip(), dept.strip(), role))
    return tuple(out)


# The buying group (realism-and-scorecards.md §3.1); every account gets the first three kinds.
CHAMPIONS = _personas(
    "Champion",
    "Director of Operations|Operations; Head of Data|Data & Analytics;"
    "Head of Revenue Operations|Sales; Director of Analytics|Data & Analytics;"
    "Head of Business Intelligence|Data & Analytics; Director of Supply Chain|Operations;"
    "Director of FP&A|Finance",
)
ECONOMIC_BUYERS = _personas(
    "Economic Buyer",
    "Chief Financial Officer|Finance; VP Finance|Finance; Chief Information Officer|IT;"
    "Chief Operating Officer|Operations; Chief Revenue Officer|Sales; VP Operations|Operations",
)
TECHNICAL_BUYERS = _personas(
    "Technical Buyer",
    "Chief Technology Officer|Engineering; VP Engineering|Engineering; IT Director|IT;"
    "Solutions Architect|IT; Enterprise Architect|IT; Security Engineer|Security;"
    "Information Security Manager|Security; Data Engineering Manager|Engineering",
)
OTHER_PERSONAS = (
    *_personas(
        "Procurement", "Procurement Manager|Procurement; Strategic Sourcing Lead|Procurement"
    ),
    *_personas("Legal", "Legal Counsel|Legal; Senior Corporate Counsel|Legal"),
    *_personas(
        "Business User",
        "Business Analyst|Operations; Data Analyst|Data & Analytics;"
        "Operations Manager|Operations; Financial Analyst|Finance; Sales Operations Analyst|Sales",
    ),
    *_personas(
        "Influencer",
        "Finance Manager|Finance; Marketing Manager|Marketing; Product Manager|Product;"
        "Program Manager|PMO",
    ),
    *_personas("Evaluator", "Analytics Manager|Data & Analytics; BI Developer|Data & Analytics"),
    *_personas("Executive Sponsor", "Chief Executive Officer|Executive; Chief Digital Officer|IT"),
)

NEW_BUSINESS = _names(
    "Analytics Platform, Revenue Intelligence Rollout, Data Warehouse Modernization,"
    "Self-Service BI, Customer 360, Forecasting Suite, Embedded Analytics,"
    "Supply Chain Visibility, Finance Reporting Automation, Data Governance Program,"
    "Real-Time Dashboards, Operations Analytics Pilot"
)
EXISTING_BUSINESS = _names(
    "Renewal, Multi-year Renewal, Seat Expansion, Advanced Analytics Upsell,"
    "Data Connectors Add-on, Finance Team Expansion, Regional Offices Expansion"
)
LEAD_SOURCES = _names("Web, Phone Inquiry, Partner Referral, Trade Show, Employee Referral, Other")
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "Prospecting": _names("Book intro call, Send case study, Follow up on LinkedIn message"),
    "Qualification": _names("Confirm budget and timeline, Schedule discovery call"),
    "Needs Analysis": _names("Map current reporting process, Gather requirements"),
    "Discovery": _names("Discovery follow-up with ops team, Identify economic buyer"),
    "Value Proposition": _names("Present value hypothesis, Share ROI model"),
    "Evaluation": _names("Technical deep dive, POC check-in, Send security questionnaire"),
    "Proposal": _names("Proposal walkthrough with CFO, Send pricing options"),
    "Negotiation": _names("Redlines back from legal, Procurement call, Finalize order form"),
    "Closed Won": _names("Kickoff scheduled, Hand off to customer success"),
    "Closed Lost": _names("Revisit next fiscal year, Send loss survey"),
}
MEETING_SUBJECTS: dict[str, tuple[str, ...]] = {
    "early": _names("Intro call, Discovery call, Discovery follow-up"),
    "middle": _names("Product demo, Technical deep dive, POC check-in, Security review"),
    "late": _names("Business case review, Proposal walkthrough, Pricing discussion, Legal review"),
}
TASK_SUBJECTS = _names("Call, Send follow-up, Send proposal, Follow up on pricing, Send recap")
MEETING_LOCATIONS = _names("Zoom, Microsoft Teams, Google Meet, Zoom, Microsoft Teams, On site")
