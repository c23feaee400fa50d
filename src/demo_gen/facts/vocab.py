# ruff: noqa: E501  (word banks: one entry per line reads better than wrapped strings)
"""Who and what each industry talks about: the reports it builds and the people who build them.

The heuristic writer fills its `{artifact}` and `{someone}` slots from these, so a grid operator's
notes talk about the outage summary and the control-room leads, a hotel group's about the weekly
revenue meeting and its revenue managers. Plural people only (the grammar's verbs agree).
"""

from __future__ import annotations

VOCAB: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # industry: (artifacts, people)
    "technology": (
        (
            "the weekly pipeline review",
            "the board metrics pack",
            "the ARR bridge",
            "the renewal forecast",
            "the churn watchlist",
            "the quarterly business review deck",
        ),
        (
            "the RevOps analysts",
            "two sales operations analysts",
            "the regional sales directors",
            "the customer success leads",
            "the deal desk",
            "the finance business partners",
        ),
    ),
    "financial services": (
        (
            "the month-end close pack",
            "the weekly liquidity report",
            "the risk committee pack",
            "the client onboarding tracker",
            "the regulatory returns",
            "the branch scorecards",
        ),
        (
            "the controllers",
            "two reconciliation analysts",
            "the risk managers",
            "the onboarding team leads",
            "the treasury analysts",
            "the branch managers",
        ),
    ),
    "insurance": (
        (
            "the claims backlog report",
            "the loss-ratio pack",
            "the broker scorecards",
            "the underwriting dashboard",
            "the reserving summary",
            "the renewal pipeline",
        ),
        (
            "the claims handlers",
            "two actuarial analysts",
            "the underwriting managers",
            "the broker relationship leads",
            "the claims team leaders",
            "the reserving team",
        ),
    ),
    "healthcare": (
        (
            "the clinic scorecards",
            "the quality and safety report",
            "the bed occupancy view",
            "the audit evidence binder",
            "the no-show tracker",
            "the credentialing log",
        ),
        (
            "the clinic managers",
            "two quality analysts",
            "the charge nurses",
            "the scheduling coordinators",
            "the medical staff office",
            "the revenue cycle analysts",
        ),
    ),
    "manufacturing": (
        (
            "the shift report",
            "the OEE dashboard",
            "the scrap and rework log",
            "the supplier scorecards",
            "the daily production meeting pack",
            "the maintenance backlog",
        ),
        (
            "the plant managers",
            "two production planners",
            "the shift supervisors",
            "the quality engineers",
            "the maintenance leads",
            "the supplier quality team",
        ),
    ),
    "retail": (
        (
            "the weekly trading pack",
            "the store scorecards",
            "the promotion post-mortems",
            "the replenishment report",
            "the category reviews",
            "the Monday sales flash",
        ),
        (
            "the category managers",
            "two merchandise planners",
            "the regional store managers",
            "the replenishment analysts",
            "the ecommerce team",
            "the trading team",
        ),
    ),
    "logistics": (
        (
            "the on-time delivery report",
            "the lane profitability view",
            "the carrier scorecards",
            "the freight audit log",
            "the daily dispatch board",
            "the warehouse productivity report",
        ),
        (
            "the dispatchers",
            "two transport planners",
            "the depot managers",
            "the freight auditors",
            "the customer service leads",
            "the warehouse supervisors",
        ),
    ),
    "energy": (
        (
            "the outage summary",
            "the reliability report",
            "the feeder dashboard",
            "the inspection tracker",
            "the rate filing workbook",
            "the control-room handover notes",
        ),
        (
            "the control-room leads",
            "two grid analysts",
            "the field supervisors",
            "the asset engineers",
            "the regulatory affairs team",
            "the outage coordinators",
        ),
    ),
    "education": (
        (
            "the census-day report",
            "the retention dashboard",
            "the accreditation evidence folder",
            "the enrolment funnel",
            "the course completion report",
            "the budget pack for the board",
        ),
        (
            "the registrar's team",
            "two institutional research analysts",
            "the student advisers",
            "the deans' offices",
            "the admissions officers",
            "the finance office",
        ),
    ),
    "media": (
        (
            "the ad inventory report",
            "the audience dashboard",
            "the campaign wrap-up reports",
            "the subscription funnel",
            "the weekly revenue flash",
            "the programming performance review",
        ),
        (
            "the ad operations team",
            "two audience analysts",
            "the sales planners",
            "the subscription marketers",
            "the editors",
            "the campaign managers",
        ),
    ),
    "telecommunications": (
        (
            "the churn heat map",
            "the network incident report",
            "the truck-roll tracker",
            "the regional performance packs",
            "the customer care dashboard",
            "the fiber build tracker",
        ),
        (
            "the network operations leads",
            "two churn analysts",
            "the field service managers",
            "the care team leaders",
            "the regional directors",
            "the retention team",
        ),
    ),
    "hospitality": (
        (
            "the weekly revenue meeting pack",
            "the guest feedback digest",
            "the occupancy forecast",
            "the property scorecards",
            "the labor schedule",
            "the pickup report",
        ),
        (
            "the revenue managers",
            "two property analysts",
            "the general managers",
            "the front-office leads",
            "the guest experience team",
            "the area directors",
        ),
    ),
    "professional services": (
        (
            "the utilization report",
            "the project margin view",
            "the staffing plan",
            "the pipeline-to-capacity view",
            "the partner pack",
            "the timesheet compliance report",
        ),
        (
            "the practice leads",
            "two resource managers",
            "the engagement managers",
            "the finance partners",
            "the staffing coordinators",
            "the delivery directors",
        ),
    ),
}


def vocab(industry: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(artifacts, people) for an industry name; empty tuples for an unknown industry."""
    return VOCAB.get((industry or "").strip().lower(), ((), ()))
