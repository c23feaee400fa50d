# ruff: noqa: E501  (word banks: one sentence per line reads better than wrapped strings)
"""Word banks for the heuristic writer: industry pains, meeting agendas and notes, email bodies.

Templates use str.format fields filled by `demo_gen.content.heuristic` (see `_fields` there):
account, industry, pain, metric, amount, stage, meeting, kind, when, prev, names, lead, first,
sender_first, location, next_step, team.
"""

from __future__ import annotations

PAINS: dict[str, tuple[tuple[str, str], ...]] = {
    "manufacturing": (
        ("unplanned downtime on the lines", "overall equipment effectiveness"),
        ("patchy supply-chain visibility", "on-time delivery"),
        ("manual quality reporting", "scrap rate"),
    ),
    "healthcare": (
        ("audit prep that eats weeks every quarter", "time to audit readiness"),
        ("fragmented patient-engagement data", "no-show rate"),
        ("slow credentialing workflows", "days to onboard a clinician"),
    ),
    "financial services": (
        ("manual reconciliation at month end", "days to close"),
        ("risk reporting stitched together in spreadsheets", "time to produce the risk pack"),
        ("a long onboarding process for new clients", "time to first transaction"),
    ),
    "retail": (
        ("stock-outs in the busiest stores", "in-stock rate"),
        ("disconnected online and store data", "repeat-purchase rate"),
        ("slow promotion planning", "promo lift"),
    ),
    "technology": (
        ("reps spending hours on data entry", "selling time per rep"),
        ("forecast calls built on guesswork", "forecast accuracy"),
        ("slow handoffs between sales and success", "time to value"),
    ),
}
GENERIC_PAINS: tuple[tuple[str, str], ...] = (
    ("too much manual work between teams", "hours saved per week"),
    ("little visibility into pipeline health", "forecast accuracy"),
    ("slow decisions because the data lives in five places", "cycle time"),
    ("inconsistent reporting for leadership", "time spent on reporting"),
)
INDUSTRY_ALIASES: dict[str, str] = {
    "banking": "financial services",
    "finance": "financial services",
    "insurance": "financial services",
    "pharmaceuticals": "healthcare",
    "biotechnology": "healthcare",
    "hospitality": "retail",
    "consumer goods": "retail",
    "software": "technology",
    "electronics": "technology",
    "communications": "technology",
    "telecommunications": "technology",
    "energy": "manufacturing",
    "engineering": "manufacturing",
    "transportation": "manufacturing",
}

KIND_LABEL: dict[str, str] = {
    "intro": "intro call",
    "discovery": "discovery session",
    "demo": "demo",
    "technical_deep_dive": "technical deep dive",
    "business_case": "business case review",
    "proposal": "proposal walkthrough",
    "negotiation": "commercial discussion",
    "legal_review": "contract review",
    "kickoff": "kickoff",
}

# --- meetings: objective, agenda items, discussion points, outcomes, next steps -------------

OBJECTIVES: dict[str, tuple[str, ...]] = {
    "intro": (
        "Get to know the {account} team and see whether {pain} is worth a deeper look.",
        "Introductions, and a first read on how {account} handles {pain} today.",
    ),
    "discovery": (
        "Understand how {pain} affects {account} and what moving {metric} would be worth.",
        "Build on the {prev} and map who owns {pain} at {account}.",
        "Dig into the current process at {account} and the cost of {pain}.",
    ),
    "demo": (
        "Show {team} how the workflow addresses {pain}, using {account}'s own scenarios.",
        "Walk through the use cases {lead} raised in the {prev}.",
        "A tailored demo for {team}, focused on {metric}.",
    ),
    "technical_deep_dive": (
        "Answer {account}'s integration, security and data questions in detail.",
        "Go deep on architecture with {team} after the {prev}.",
        "Validate that the platform fits {account}'s stack and security requirements.",
    ),
    "business_case": (
        "Agree the numbers behind the business case: {metric} and the cost of {pain}.",
        "Review the ROI model with {team} ahead of the budget decision.",
    ),
    "proposal": (
        "Walk {team} through the proposal ({amount}) and the rollout plan.",
        "Present the commercial proposal and confirm the decision process after the {prev}.",
    ),
    "negotiation": (
        "Close out open commercial points on the {amount} order form.",
        "Work through pricing, term length and payment schedule with {team}.",
    ),
    "legal_review": (
        "Resolve the remaining MSA and DPA redlines with {team}.",
        "Agree contract language so signature can go ahead this month.",
    ),
    "kickoff": (
        "Kick off the {account} implementation: owners, milestones and the first 30 days.",
        "Welcome {team} and agree the rollout plan and success metrics ({metric}).",
    ),
}
AGENDA: dict[str, tuple[str, ...]] = {
    "intro": (
        "Introductions and roles",
        "{account}'s priorities this year",
        "How we work with teams in {industry}",
        "Whether a discovery session makes sense",
    ),
    "discovery": (
        "Current process and tools",
        "Where {pain} shows up",
        "How {metric} is measured today",
        "Who else should be involved",
        "Timeline and drivers",
    ),
    "demo": (
        "Recap of goals from the {prev}",
        "Live walkthrough of the core workflow",
        "Reporting on {metric}",
        "Admin and permissions",
        "Questions and next steps",
    ),
    "technical_deep_dive": (
        "Architecture overview",
        "Integrations with {account}'s systems",
        "Security, SSO and data residency",
        "Data migration approach",
        "Open technical questions",
    ),
    "business_case": (
        "Baseline for {metric}",
        "Cost of {pain}",
        "ROI model assumptions",
        "Budget and approval path",
        "Timeline to a decision",
    ),
    "proposal": (
        "Scope and packaging",
        "Pricing ({amount})",
        "Implementation plan",
        "Decision process and dates",
        "Mutual action plan",
    ),
    "negotiation": (
        "Open commercial points",
        "Term and payment schedule",
        "Procurement steps",
        "Target signature date",
    ),
    "legal_review": (
        "MSA redlines",
        "DPA and security addendum",
        "Liability and indemnity",
        "Signature logistics",
    ),
    "kickoff": (
        "Introductions across both teams",
        "Project plan and milestones",
        "Success metrics ({metric})",
        "Data and integration setup",
        "Communication cadence",
    ),
}
DISCUSSED: dict[str, tuple[str, ...]] = {
    "intro": (
        "{lead} described {pain} as the main frustration.",
        "{account} is reviewing tools this half.",
        "The team is open to a deeper session.",
    ),
    "discovery": (
        "{pain} costs the team several hours a week.",
        "{metric} is tracked manually today.",
        "{lead} expects leadership to ask for numbers before any purchase.",
        "Two other teams have similar problems.",
    ),
    "demo": (
        "{team} liked the reporting views.",
        "Questions came up about permissions for regional teams.",
        "The workflow maps well to how {account} works today.",
        "{lead} wants to see the integration story next.",
    ),
    "technical_deep_dive": (
        "SSO via their identity provider is a must.",
        "Data residency in-region was confirmed as a requirement.",
        "The API limits are not a concern at their volume.",
        "Security questionnaire to follow.",
    ),
    "business_case": (
        "Agreed the baseline for {metric}.",
        "The ROI case rests on reducing {pain}.",
        "Budget sits with the finance team this quarter.",
        "{lead} will present the case internally.",
    ),
    "proposal": (
        "The scope matched expectations.",
        "Questions on the ramp and multi-year pricing.",
        "The decision goes to the leadership meeting.",
        "Procurement needs the vendor form.",
    ),
    "negotiation": (
        "Payment terms moved to quarterly.",
        "Agreed a two-year term in principle.",
        "Procurement asked for a small discount on year one.",
        "Signature targeted before quarter end.",
    ),
    "legal_review": (
        "Liability cap language agreed.",
        "DPA accepted with one small edit.",
        "Legal will send the final redline this week.",
    ),
    "kickoff": (
        "Owners named on both sides.",
        "First milestone set for thirty days out.",
        "Weekly status call agreed.",
        "Data export from the old system is the first task.",
    ),
}
OUTCOMES: dict[str, tuple[str, ...]] = {
    "intro": (
        "Good fit on the problem; a discovery session is booked.",
        "Interest confirmed; {lead} will pull in the right people.",
    ),
    "discovery": (
        "Pain confirmed and quantified roughly; a tailored demo is next.",
        "Clear problem, clear owner; moving to a demo.",
    ),
    "demo": (
        "Strong reaction; the team asked for a technical deep dive.",
        "Positive; {lead} wants the business case next.",
    ),
    "technical_deep_dive": (
        "No technical blockers found; security review to complete.",
        "Requirements met; open items documented.",
    ),
    "business_case": (
        "Business case agreed in principle; proposal requested.",
        "Numbers accepted; moving to a proposal.",
    ),
    "proposal": (
        "Proposal well received; commercial discussion to follow.",
        "Verbal preference for us, pending procurement.",
    ),
    "negotiation": ("Commercial terms close to final.", "Agreement on price; legal review next."),
    "legal_review": (
        "Contract ready for signature once the final redline lands.",
        "All open legal points closed.",
    ),
    "kickoff": (
        "Project launched; plan and owners agreed.",
        "Kickoff done; first milestone in thirty days.",
    ),
}
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "intro": (
        "Book a discovery session with {lead}'s team.",
        "Send a short overview deck to {lead}.",
    ),
    "discovery": (
        "Prepare a demo around {account}'s scenarios.",
        "Share a short summary of the pains we heard.",
    ),
    "demo": ("Schedule the technical deep dive.", "Send the recording and the slides."),
    "technical_deep_dive": (
        "Return the security questionnaire.",
        "Share the integration guide and sandbox access.",
    ),
    "business_case": (
        "Send the proposal with the agreed numbers.",
        "Refine the ROI model with finance's inputs.",
    ),
    "proposal": (
        "Set up the commercial call with procurement.",
        "Answer the pricing questions in writing.",
    ),
    "negotiation": ("Send the updated order form.", "Loop in legal for the MSA review."),
    "legal_review": ("Send the final contract for signature.", "Confirm the signature date."),
    "kickoff": ("Send the project plan.", "Set up the weekly status call."),
}

# --- emails: (purpose, turn) -> bodies; turn is open_out, open_in, reply_in or reply_out ------

EMAILS: dict[tuple[str, str], tuple[str, ...]] = {
    ("scheduling", "open_out"): (
        "Would {when} work for the {kind}? I'd like to cover {agenda_item} and leave time for questions.",
        "Following our last conversation, I'd suggest {when} for the {kind}. If {names} can join, even better.",
        "I'm putting together the {kind} on {meeting}. Does {when} suit you and {names}?",
        "To keep things moving after the {prev}, could we hold {when} for the {kind}? I'll send an agenda beforehand.",
        "Thanks again for your time so far. I'd propose {when} for the {kind}; happy to adjust if that clashes.",
    ),
    ("scheduling", "reply_in"): (
        "{when} works for me. I've asked {names} to join as well.",
        "That time is fine on our side. Could you include a few minutes on {agenda_item}?",
        "Works for us. I may be a couple of minutes late, so please start without me if needed.",
        "Thanks, {sender_first}. {when} is good; I'll forward the invite to the rest of the team.",
    ),
    ("scheduling", "reply_out"): (
        "Perfect, the invite is on its way ({location}). Talk soon.",
        "Great, I've sent the invite for {when}. I'll share the agenda the day before.",
        "Thanks, {first}. Invite sent; let me know if anyone else should be added.",
    ),
    ("follow_up", "open_out"): (
        "Thanks for the time today. My notes: {discussed} As agreed, the next step is to {next_step_lc}",
        "Great {kind} earlier, thank you and the team. The key takeaway for me was that {pain} is costing real time. Next: {next_step_lc}",
        "Thank you for a useful session on {meeting}. I've summarised what we heard and will {next_step_lc}",
        "Quick recap of today's {kind}: {discussed} I'll follow up on the open questions by the end of the week.",
        "Appreciate everyone joining the {kind}. {outcome} I'll {next_step_lc}",
    ),
    ("follow_up", "reply_in"): (
        "Thanks, {sender_first}, that matches my notes. One thing to add: leadership will want to see the impact on {metric}.",
        "Helpful summary. I've shared it with {names}; we'll come back with questions by Friday.",
        "Thanks for the recap. Could you also send the slides you showed? The team would like to review them.",
        "Agreed on the next steps. I'll check calendars on our side and confirm who should attend.",
    ),
    ("follow_up", "reply_out"): (
        "Of course, slides attached. Shout if anything is unclear.",
        "Thanks, {first}. Good point on {metric}; I'll build that into the next session.",
        "Sounds good. I'll hold the time and wait for your confirmation.",
    ),
    ("question", "open_in"): (
        "A quick question before we go further: how does your platform handle {agenda_item}? It came up in our internal review.",
        "Our team asked whether you support single sign-on and in-region data storage. Could you confirm?",
        "We're comparing options for {pain}. Do you have a customer in {industry} we could speak with?",
        "Could you share how pricing scales if we roll out beyond the first team? {lead} asked me this morning.",
    ),
    ("question", "reply_out"): (
        "Good question. Short answer: yes, and I'll send the documentation so your team can check the details.",
        "Thanks for asking. We work with several {industry} teams on exactly this; I can set up a reference call.",
        "Happy to clarify. Pricing is per user with volume tiers; I'll put the numbers in writing for you.",
    ),
    ("question", "reply_in"): (
        "That helps, thank you. I'll pass it on to {names}.",
        "Perfect, a reference call would be great. Any day next week works.",
        "Thanks, that answers it for now.",
    ),
    ("proposal", "open_out"): (
        "As promised, here is our proposal for {account}: {amount}, covering the scope we discussed. Happy to walk {names} through it.",
        "Attached is the proposal reflecting the business case ({metric}). Total investment is {amount}; let me know what questions come up.",
        "Please find the proposal and draft rollout plan attached. The numbers follow what we agreed in the {prev}.",
    ),
    ("proposal", "reply_in"): (
        "Thanks, received. I'm reviewing it with finance this week and will come back with questions.",
        "Looks in line with what we discussed. Procurement will be in touch about the vendor forms.",
        "Thank you. The ramp in year one is the main question on our side; can we discuss it?",
    ),
    ("proposal", "reply_out"): (
        "Of course. I can offer a phased ramp; let's find thirty minutes to walk through it.",
        "Thanks, {first}. I'll send the vendor forms over to procurement today.",
    ),
    ("negotiation", "open_out"): (
        "Attached is the updated order form reflecting our call: {amount} with quarterly payments. Could you confirm the billing contact?",
        "Following the commercial discussion, I've updated the terms. The only open item on our side is the start date.",
        "Here are the redlines back from our legal team. Most of your comments are accepted as is.",
    ),
    ("negotiation", "reply_in"): (
        "Thanks. Legal has a couple of comments on liability; we'll send them over tomorrow.",
        "Received. Procurement needs one more internal sign-off, then we can move to signature.",
        "This looks good. I'll confirm the billing contact by the end of the day.",
    ),
    ("negotiation", "reply_out"): (
        "Great, thanks for the quick turnaround. I'll have the final version ready as soon as the comments arrive.",
        "Understood. I'll hold the current terms until the sign-off comes through.",
    ),
    ("check_in", "open_out"): (
        "Just checking in on where things stand with {topic}. Is there anything I can help prepare for your internal discussions?",
        "I wanted to see how the review of {topic} is going. Happy to join a call with {names} if useful.",
        "Hope the week is going well. Any update on timing for {topic}? I'd like to make sure we're ready on our side.",
    ),
    ("check_in", "reply_in"): (
        "Thanks for checking in. We're still on track; the team meets on Thursday to discuss it.",
        "No news yet, but it's on the agenda for next week. I'll keep you posted.",
        "We're aligned internally. Expect an update from {lead} shortly.",
    ),
    ("check_in", "reply_out"): (
        "Thanks for the update. I'll keep an eye out for the note from {lead}.",
        "Appreciate it. Let me know if anything is needed before Thursday.",
    ),
}
GREETINGS: tuple[str, ...] = (
    "Hi {first},",
    "Hello {first},",
    "{first},",
    "Hi {first} —",
    "Dear {first},",
)
CLOSINGS: tuple[str, ...] = (
    "Best,",
    "Thanks,",
    "Kind regards,",
    "Best regards,",
    "Cheers,",
    "Many thanks,",
)
EXTRAS: tuple[str, ...] = (
    "Let me know if anything changes on your side.",
    "Happy to adjust if needed.",
    "Thanks again for making the time.",
    "Looking forward to it.",
    "I'll keep the thread updated.",
    "",
    "",
)
ACCOUNT_EXTRAS: tuple[str, ...] = (
    "I'll keep the {account} team posted.",
    "Happy to adjust whatever works best for {account}.",
    "Looking forward to the next step with {account}.",
    "Thanks again for all the time the {account} team has given this.",
    "Anything else {account} needs from us, just say.",
)
