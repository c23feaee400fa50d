# ruff: noqa: E501  (word banks: one entry per line reads better than wrapped strings)
"""What a deal in each industry is about: pains, metrics, systems, rules, events, alternatives.

The seller (the fixture's Northwind Analytics) sells an analytics platform, so every pain is a
reporting, data or visibility problem as that industry lives it: a grid operator does not lose
"line downtime", a hotel group has no "stock-outs in stores". Keys are lower-case industry names
as the org stores them; `industry_bank` maps anything else to the generic bank.

A pain is (what hurts, the metric it moves, the metric's unit). Units: "days" and "hours" go down,
"pct_down" is a rate that goes down, "pct_up" one that goes up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bank:
    team: str  # who feels the pain
    pains: tuple[tuple[str, str, str], ...]
    systems: tuple[str, ...]  # what the platform must connect to
    rules: tuple[str, ...]  # compliance the buyer names
    events: tuple[str, ...]  # critical events, "ahead of {event}"
    homegrown: tuple[str, ...]  # the incumbent way of working


BANKS: dict[str, Bank] = {
    "technology": Bank(
        "revenue operations",
        (
            (
                "forecast calls built on spreadsheets pulled from three systems",
                "forecast accuracy",
                "pct_up",
            ),
            (
                "churn signals that surface only after the renewal is lost",
                "gross revenue churn",
                "pct_down",
            ),
            (
                "a week of manual work to close each month's SaaS metrics",
                "days to publish board metrics",
                "days",
            ),
        ),
        ("Salesforce", "Snowflake", "the product usage database"),
        ("SOC 2 Type II", "ISO 27001"),
        ("the fiscal-year planning cycle", "the next board meeting", "the Series D diligence"),
        (
            "a spreadsheet pack the ops team rebuilds every Monday",
            "an in-house dashboard one engineer maintains",
        ),
    ),
    "financial services": Bank(
        "finance",
        (
            ("month-end reconciliation done by hand across four ledgers", "days to close", "days"),
            (
                "a risk pack stitched together in spreadsheets every week",
                "hours to produce the risk pack",
                "hours",
            ),
            (
                "client onboarding data that sits in email threads",
                "days to onboard a client",
                "days",
            ),
        ),
        ("the general ledger", "the core banking platform", "the CRM"),
        ("SOX controls", "SOC 2 Type II"),
        (
            "the year-end audit",
            "the regulator's review in the spring",
            "the quarterly earnings call",
        ),
        ("an Excel model owned by two analysts", "a legacy reporting server nobody wants to touch"),
    ),
    "insurance": Bank(
        "claims",
        (
            (
                "claims backlogs that nobody can see until they breach the service level",
                "claims cycle time in days",
                "days",
            ),
            (
                "loss-ratio reports that arrive three weeks after the quarter ends",
                "days to a loss-ratio view",
                "days",
            ),
            (
                "underwriters rekeying broker data into two systems",
                "quote turnaround in hours",
                "hours",
            ),
        ),
        ("the policy administration system", "the claims platform", "Guidewire"),
        ("Solvency II reporting", "SOC 2 Type II"),
        (
            "the renewal season",
            "the reinsurance renewal",
            "the annual regulatory filing",
        ),
        ("a weekly Access database export", "hand-built pivot tables in the actuarial team"),
    ),
    "healthcare": Bank(
        "clinical operations",
        (
            (
                "audit preparation that eats three weeks every quarter",
                "days to audit readiness",
                "days",
            ),
            ("patient no-shows nobody can predict by clinic", "no-show rate", "pct_down"),
            (
                "credentialing status tracked in shared spreadsheets",
                "days to credential a clinician",
                "days",
            ),
        ),
        ("the EHR", "the scheduling system", "the billing platform"),
        ("HIPAA", "HITRUST"),
        (
            "the Joint Commission survey",
            "the start of the new fiscal year",
            "the payer contract renewals",
        ),
        (
            "reports the analysts build by hand from EHR extracts",
            "a BI server that refreshes once a week",
        ),
    ),
    "manufacturing": Bank(
        "plant operations",
        (
            (
                "unplanned downtime that shows up in reports a week late",
                "overall equipment effectiveness",
                "pct_up",
            ),
            ("scrap and rework counted by hand at shift end", "scrap rate", "pct_down"),
            (
                "supplier delays spotted only when a line is already waiting",
                "on-time delivery",
                "pct_up",
            ),
        ),
        ("the MES", "SAP", "the plant historians"),
        ("ISO 9001", "SOC 2 Type II"),
        ("the new line coming online", "the annual supplier review", "the peak production season"),
        ("shift reports typed into Excel", "a reporting tool bolted onto the ERP"),
    ),
    "retail": Bank(
        "merchandising",
        (
            (
                "stock-outs in the busiest stores found only at the weekly review",
                "in-stock rate",
                "pct_up",
            ),
            ("promotion results that take two weeks to read", "days to read a promotion", "days"),
            (
                "online and store sales kept in separate reports",
                "hours spent reconciling channels each week",
                "hours",
            ),
        ),
        ("the POS system", "Shopify", "the merchandising system"),
        ("PCI DSS", "SOC 2 Type II"),
        (
            "the next seasonal range launch",
            "the loyalty programme relaunch",
            "the store refit programme",
        ),
        ("a weekly trading pack built in Excel", "vendor portals checked one by one"),
    ),
    "logistics": Bank(
        "network operations",
        (
            (
                "late deliveries explained only after the customer complains",
                "on-time delivery",
                "pct_up",
            ),
            (
                "carrier invoices checked by hand against rate cards",
                "hours auditing freight invoices",
                "hours",
            ),
            ("empty miles nobody can see lane by lane", "empty-mile rate", "pct_down"),
        ),
        ("the TMS", "the WMS", "telematics feeds"),
        ("ISO 27001", "SOC 2 Type II"),
        (
            "the next peak season",
            "the carrier contract renewals",
            "the new distribution center opening",
        ),
        ("a dispatcher's spreadsheet", "TMS reports exported every morning"),
    ),
    "energy": Bank(
        "grid operations",
        (
            (
                "outage reports assembled by hand from three field systems",
                "hours to publish the outage report",
                "hours",
            ),
            (
                "asset inspection data that lives in contractors' spreadsheets",
                "days to a complete inspection view",
                "days",
            ),
            (
                "regulatory filings rebuilt from scratch every quarter",
                "days to prepare a rate filing",
                "days",
            ),
        ),
        ("the outage management system", "the SCADA historian", "the GIS"),
        ("NERC CIP", "SOC 2 Type II"),
        ("the rate case filing", "the peak-demand season", "the regulator's reliability review"),
        ("SCADA exports pasted into Excel", "a reporting tool built by a contractor years ago"),
    ),
    "education": Bank(
        "student services",
        (
            (
                "enrolment numbers that differ in every report",
                "hours reconciling enrolment counts",
                "hours",
            ),
            ("at-risk students flagged only after midterms", "first-year retention", "pct_up"),
            (
                "accreditation evidence collected by email",
                "days to assemble accreditation evidence",
                "days",
            ),
        ),
        ("the student information system", "the LMS", "the finance system"),
        ("FERPA", "SOC 2 Type II"),
        ("the next intake", "the accreditation visit", "the board's budget session"),
        ("a census-day spreadsheet", "reports the registrar's office builds each term"),
    ),
    "media": Bank(
        "audience and ad sales",
        (
            (
                "ad inventory sold without a current view of what is left",
                "sell-through rate",
                "pct_up",
            ),
            (
                "audience numbers that take a week to reach the sales team",
                "days to audience reporting",
                "days",
            ),
            (
                "campaign reports assembled by hand for every advertiser",
                "hours per campaign report",
                "hours",
            ),
        ),
        ("the ad server", "the subscription platform", "Google Analytics"),
        ("GDPR", "SOC 2 Type II"),
        ("the upfronts", "the new season launch", "the subscription price change"),
        ("a shared drive of weekly exports", "an agency that builds the reports"),
    ),
    "telecommunications": Bank(
        "network and customer operations",
        (
            ("churn hot spots found a quarter too late", "monthly churn", "pct_down"),
            (
                "network incident reports compiled by hand for each region",
                "hours to compile incident reports",
                "hours",
            ),
            (
                "truck rolls scheduled without the ticket history",
                "repeat truck-roll rate",
                "pct_down",
            ),
        ),
        ("the OSS/BSS stack", "the billing system", "the ticketing system"),
        ("GDPR", "SOC 2 Type II"),
        ("the fiber build-out milestone", "the spectrum auction", "the price change next quarter"),
        ("regional Excel packs", "a data warehouse only two people can query"),
    ),
    "hospitality": Bank(
        "revenue management",
        (
            ("room rates set from last week's numbers", "revenue per available room", "pct_up"),
            (
                "guest feedback read property by property, weeks late",
                "days to act on guest feedback",
                "days",
            ),
            (
                "labor schedules built without occupancy forecasts",
                "labor cost as a share of revenue",
                "pct_down",
            ),
        ),
        ("the property management system", "the booking engine", "the payroll system"),
        ("PCI DSS", "GDPR"),
        ("the new booking season", "the group-sales season", "the new property openings"),
        ("property reports emailed as spreadsheets", "a revenue tool each hotel uses differently"),
    ),
    "professional services": Bank(
        "delivery",
        (
            (
                "utilization numbers that arrive after the month is over",
                "billable utilization",
                "pct_up",
            ),
            ("project margins known only when the project closes", "days to a margin view", "days"),
            (
                "pipeline and staffing planned in separate spreadsheets",
                "hours spent on weekly staffing",
                "hours",
            ),
        ),
        ("the PSA tool", "the timesheet system", "the CRM"),
        ("SOC 2 Type II", "ISO 27001"),
        ("the partner meeting", "the fiscal-year planning", "the new practice launch"),
        ("a staffing spreadsheet per practice", "timesheet exports reconciled by finance"),
    ),
}

GENERIC = Bank(
    "operations",
    (
        (
            "manual reporting that takes days every month",
            "days to produce the monthly report",
            "days",
        ),
        (
            "data in five places and no single view of it",
            "hours spent reconciling data each week",
            "hours",
        ),
        ("decisions made on numbers that are weeks old", "forecast accuracy", "pct_up"),
    ),
    ("the ERP", "the CRM", "the data warehouse"),
    ("SOC 2 Type II",),
    ("the fiscal-year planning cycle", "the next board meeting"),
    ("spreadsheets emailed around", "an ageing reporting server"),
)

ALTERNATIVES: tuple[str, ...] = (
    "Tableau",
    "Power BI",
    "Looker",
    "Qlik",
    "Domo",
    "Sigma",
    "ThoughtSpot",
)
"""Named alternatives a buyer compares against."""

BUDGET_LINES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("chief financial", "cfo", "finance"), "finance"),
    (("chief revenue", "cro", "sales"), "sales"),
    (("chief information", "cio", " it ", "technology", "cto", "digital"), "IT"),
    (("engineering",), "engineering"),
    (("chief operating", "coo", "operations"), "operations"),
    (("chief executive", "ceo", "president"), "company-wide"),
)
"""A budget owner's title → the budget line they own (first match wins)."""

PAPER: dict[str, tuple[str, int, int, int]] = {
    "smb": ("our standard order form", 1, 1, 1),
    "mid": ("our MSA with their DPA", 2, 1, 2),
    "enterprise": ("their master services agreement", 3, 2, 3),
}
"""Segment → (paper, security review weeks, vendor onboarding weeks, legal weeks)."""


def industry_bank(industry: str | None) -> Bank:
    """The bank for an industry name (any case); the generic bank for anything unknown."""
    return BANKS.get((industry or "").strip().lower(), GENERIC)


def budget_line(title: str | None) -> str:
    """The budget a person with this title plausibly owns ('finance', 'IT', ...)."""
    padded = f" {(title or '').lower()} "
    for needles, line in BUDGET_LINES:
        if any(n in padded for n in needles):
            return line
    return "department"
