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


DETAILS: dict[str, tuple[str, ...]] = {
    "technology": (
        "Pipeline numbers differ between the CRM and the board deck by a few percent every month.",
        "{lead} wants renewals flagged ninety days out, not thirty.",
        "Product usage data never reaches the account teams.",
    ),
    "financial services": (
        "Two ledgers still close on different calendars.",
        "{lead} wants exceptions flagged before the controllers start the close.",
        "Audit asks for the same reconciliations every quarter.",
    ),
    "insurance": (
        "Brokers send data in five formats.",
        "{lead} wants the claims backlog visible by adjuster, daily.",
        "Large losses are spotted in the monthly pack, too late to reserve properly.",
    ),
    "healthcare": (
        "Each clinic keeps its own version of the no-show list.",
        "{lead} wants audit evidence collected as work happens, not in a rush before the survey.",
        "Clinicians wait weeks for credentialing status updates.",
    ),
    "manufacturing": (
        "Downtime reasons are typed free-text at shift end.",
        "{lead} wants the line leads to see scrap by hour, not by week.",
        "Supplier delays surface when the line is already waiting.",
    ),
    "retail": (
        "Store managers see sales a day late.",
        "{lead} wants promotion results by store within forty-eight hours.",
        "Online returns never show up in the store numbers.",
    ),
    "logistics": (
        "Late deliveries are explained after the customer calls.",
        "{lead} wants lane-level margins every morning.",
        "Carrier invoices are checked by hand against rate cards.",
    ),
    "energy": (
        "Field crews report inspections in contractors' own formats.",
        "{lead} wants the control room to see feeder status without calling the field.",
        "Every regulatory filing starts from a blank workbook.",
    ),
    "education": (
        "Enrolment counts differ between admissions and the registrar.",
        "{lead} wants at-risk students flagged in week four, not after midterms.",
        "Accreditation evidence sits in individual inboxes.",
    ),
    "media": (
        "Sales sells inventory without a current view of what is left.",
        "{lead} wants campaign reports generated, not assembled.",
        "Audience numbers reach the sales team a week late.",
    ),
    "telecommunications": (
        "Churn shows up in the quarterly review, after the customers have gone.",
        "{lead} wants repeat truck rolls tracked by technician.",
        "Each region builds its incident report differently.",
    ),
    "hospitality": (
        "Rates are set from last week's occupancy.",
        "{lead} wants guest feedback by property every Monday.",
        "Labor schedules ignore the occupancy forecast.",
    ),
    "professional services": (
        "Utilization is known only after the month closes.",
        "{lead} wants project margins while the project is still running.",
        "Staffing and pipeline live in separate spreadsheets.",
    ),
}
"""Discovery details only an account in that industry would say."""
