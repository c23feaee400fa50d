"""Word banks for the heuristic scorecard answers (no vendor or person names: only the deal's)."""

from __future__ import annotations

from demo_gen.content.phrases import INDUSTRY_ALIASES as INDUSTRY_ALIASES

# metric (as the content writer names it) -> (sentence, baseline low/high, change low/high);
# a sentence starting "Lift" adds the change, any other subtracts it.
Scale = tuple[str, int, int, int, int]
METRIC_SCALES: dict[str, Scale] = {
    "overall equipment effectiveness": ("Lift {metric} from {a}% to {b}%", 61, 70, 6, 11),
    "on-time delivery": ("Lift {metric} from {a}% to {b}%", 78, 88, 5, 9),
    "scrap rate": ("Cut {metric} from {a}% to {b}%", 5, 8, 1, 3),
    "time to audit readiness": ("Cut {metric} from {a} to {b} weeks", 6, 10, 3, 4),
    "no-show rate": ("Cut {metric} from {a}% to {b}%", 12, 19, 3, 6),
    "days to onboard a clinician": ("Cut {metric} from {a} to {b}", 60, 95, 20, 35),
    "days to close": ("Cut month-end close from {a} to {b} days", 8, 12, 3, 5),
    "time to produce the risk pack": ("Cut {metric} from {a} to {b} days", 5, 9, 2, 4),
    "time to first transaction": ("Cut {metric} from {a} to {b} days", 12, 21, 5, 9),
    "in-stock rate": ("Lift {metric} from {a}% to {b}%", 88, 93, 3, 5),
    "repeat-purchase rate": ("Lift {metric} from {a}% to {b}%", 18, 26, 3, 6),
    "promo lift": ("Lift {metric} from {a}% to {b}%", 4, 7, 2, 4),
    "selling time per rep": ("Lift {metric} from {a}% to {b}% of the week", 28, 36, 8, 12),
    "forecast accuracy": ("Lift {metric} from {a}% to {b}%", 68, 78, 8, 14),
    "time to value": ("Cut {metric} from {a} to {b} weeks", 10, 16, 4, 7),
    "hours saved per week": (
        "Cut manual work from {a} to {b} hours per person a week",
        10,
        14,
        4,
        7,
    ),
    "cycle time": ("Cut {metric} from {a} to {b} days", 30, 45, 8, 15),
    "time spent on reporting": ("Cut {metric} from {a} to {b} hours a week", 8, 12, 3, 6),
}
GENERIC_SCALE: Scale = ("Lift {metric} by {d}% (baseline {a})", 40, 80, 15, 30)

TEAMS: dict[str, str] = {
    "manufacturing": "operations",
    "healthcare": "clinical operations",
    "financial services": "finance",
    "retail": "merchandising",
    "technology": "revenue",
}
SYSTEMS: dict[str, str] = {
    "manufacturing": "ERP and MES",
    "healthcare": "EHR",
    "financial services": "general ledger",
    "retail": "POS and e-commerce stack",
    "technology": "CRM and data warehouse",
}
COMPLIANCE: dict[str, str] = {
    "healthcare": "HIPAA",
    "financial services": "SOC 2 Type II and 7-year retention",
}
MEETING_LABEL: dict[str, str] = {
    "intro": "intro call",
    "discovery": "discovery call",
    "demo": "demo",
    "technical_deep_dive": "technical deep dive",
    "business_case": "business case review",
    "proposal": "proposal walkthrough",
    "negotiation": "negotiation call",
    "legal_review": "legal review",
    "kickoff": "kickoff",
}
PRIORITIES = ("the top {team} priority", "a board-level priority", "a must-fix")
MOTIVES = (
    "owns {metric} and is measured on it",
    "sponsored the project to leadership and wants the win for the {team} team",
    "will present our case internally and gains the team's time back",
)
CURRENT_TOOLS: dict[str, tuple[str, ...]] = {
    "smb": ("spreadsheets and email", "a starter tool the team has outgrown"),
    "mid": ("a homegrown tool plus spreadsheets", "two disconnected point tools"),
    "enterprise": (
        "a legacy on-premise system with spreadsheet workarounds",
        "a suite module that was never fully rolled out",
    ),
}
TRIGGERS = (
    "a new head of {team} wants it fixed this year",
    "a reorganisation merged two {team} teams",
    "last year's growth broke the old process",
)
PAPER: dict[str, tuple[str, int, int, int]] = {
    "smb": ("our order form and standard terms", 1, 1, 1),
    "mid": ("our MSA with their redlines", 2, 2, 2),
    "enterprise": ("their MSA and DPA", 3, 3, 4),
}
COMPETITORS: dict[str, tuple[str, ...]] = {
    "smb": (
        "spreadsheets (do nothing)",
        "a low-cost point tool they trialled last year",
        "a freelancer-built workaround",
    ),
    "mid": (
        "an add-on module from their current suite vendor",
        "a best-of-breed point solution",
        "an internal build by their own team",
    ),
    "enterprise": (
        "the incumbent suite vendor's add-on",
        "an internal build on their data platform",
        "a systems-integrator-led custom project",
    ),
}
EDGES = (
    "a faster time to value on {metric}",
    "no engineering needed to run it",
    "proof from similar customers on {metric}",
)
FUNDING = (
    "the {year} {team} budget",
    "a {year} transformation fund",
    "unspent {year} {team} tooling budget",
)
EVENTS: dict[str, tuple[str, ...]] = {
    "healthcare": ("the accreditation survey window", "the EHR upgrade cut-over"),
    "financial services": ("the quarterly regulatory filing", "the year-end audit"),
    "manufacturing": ("the new line coming online", "the annual supplier contract renewals"),
    "retail": ("the holiday peak season", "the spring range launch"),
    "technology": ("the sales kickoff of the new fiscal year", "the current tool's renewal date"),
}
GENERIC_EVENTS = ("the current tool's renewal date", "the start of the new fiscal year")
