# ruff: noqa: E501  (word banks: one alternative per line reads better than wrapped strings)
"""The heuristic writer's grammar: rules of alternatives, expanded by `grammar.expand`.

Fields (filled per item by `heuristic`): account, account_s, team, lead, lead_full, others,
owner, label, prev, when, system, rule, and the fact fields (pain, hours, staff, metric,
baseline, target, value, amount, fy, line, eb, eb_title, champ, champ_title, tech, tech_title,
incumbent, alt1, alt2, event, event_date, d1, d2, d3, paper, weeks, paper_owner, c1, c2, c3).
A rule name in braces is expanded from RULES; everything else in braces must be a field.
"""

from __future__ import annotations

RULES: dict[str, tuple[str, ...]] = {
    # -- building blocks (plural subjects only, so verbs always agree) -----------------------
    "someone": (
        "two analysts",
        "a couple of people in {team}",
        "the {team} leads",
        "their regional managers",
        "three planners",
        "the shift supervisors",
        "a small reporting team",
        "the people closest to the data",
        "two people in finance",
        "the {team} managers",
    ),
    "often": (
        "every Monday",
        "each week",
        "at month end",
        "before each leadership meeting",
        "twice a week",
        "every quarter",
        "before the weekly review",
        "at the start of each month",
    ),
    "artifact": (
        "the weekly {team} pack",
        "the leadership dashboard",
        "the board deck",
        "the regional scorecards",
        "the Monday numbers",
        "the month-end report",
        "the operations review",
        "the executive summary",
    ),
    "source": (
        "{system}",
        "exports from {system}",
        "a tangle of spreadsheets",
        "a shared drive",
        "copies of old reports",
        "three separate systems",
        "manual extracts",
    ),
    "rebuild": ("rebuild", "assemble", "stitch together", "copy and paste", "recheck", "reconcile"),
    "doubt": (
        "nobody fully trusts the result",
        "leadership questions every figure",
        "the numbers arrive too late to act on",
        "two versions of the truth circulate",
        "errors slip through every few weeks",
        "the definitions drift from report to report",
    ),
    "liked": (
        "the self-service report builder",
        "alerts that go straight to the right people",
        "drill-down from summary to record level",
        "the way definitions are shared across reports",
        "scheduled delivery of {artifact}",
        "mobile access for managers",
        "the audit trail on every metric",
    ),
    "reaction": (
        "got the strongest reaction",
        "landed well",
        "drew the most questions",
        "was what {lead} wanted to see",
        "impressed the room",
        "sparked a long discussion",
    ),
    "worry": (
        "permissions for contractors",
        "how definitions are governed",
        "the effort to migrate old reports",
        "training for occasional users",
        "performance on large data sets",
        "who maintains the connectors",
        "change management in {team}",
    ),
    "tech_topic": (
        "schema changes in {system}",
        "how we handle backups",
        "single sign-on and audit logging",
        "data residency",
        "the penetration test summary",
        "row-level permissions",
        "refresh frequency",
        "sandbox environments",
    ),
    "tech_verdict": (
        "no blockers so far",
        "one open point for our security team",
        "a written answer is owed",
        "they were satisfied",
        "they want to test it themselves",
        "it needs a follow-up with their architect",
    ),
    "case_point": (
        "payback",
        "the cost of the current workaround",
        "adoption assumptions",
        "the one-off migration cost",
        "licence growth over three years",
        "the benefit to {team}",
    ),
    "case_move": (
        "made more conservative",
        "checked line by line",
        "rewritten in their format",
        "cut back to what finance will accept",
        "tested against last year's figures",
        "signed off by {lead}",
    ),
    "ask": (
        "a phased rollout starting with one region",
        "training included rather than priced separately",
        "a price hold for a second year",
        "quarterly payment terms",
        "a shorter initial term",
        "a named customer success manager",
    ),
    "legal_point": (
        "the liability cap",
        "data processing terms",
        "governing law",
        "the sub-processor list",
        "termination for convenience",
        "the service levels",
    ),
    "legal_state": (
        "accepted as proposed",
        "still open",
        "agreed with a small change",
        "with our counsel now",
        "parked for the final call",
        "resolved on the call",
    ),
    "soon": (
        "this week",
        "in the next few days",
        "before the end of the week",
        "early next week",
        "by Thursday",
        "by Friday",
    ),
    "send": ("send", "share", "put together", "write up", "pull together"),
    "tone": (
        "The mood was positive",
        "Energy was good",
        "Good engagement throughout",
        "Plenty of questions from their side",
        "The room was sceptical at first but warmed up",
        "Lots of detail from their side",
        "A businesslike hour",
        "Friendly but demanding",
    ),
    "tone_tail": (
        "",
        " and they want to keep the pace",
        " and nobody pushed back on the scope",
        " and the follow-ups are clear",
        "; they asked sharp questions",
        "; they want to move quickly",
        ", with {lead} leading most of it",
    ),
    # -- meeting openers, by type -------------------------------------------------------------
    "open_intro": (
        "First conversation with {lead_full} at {account}. {tone}{tone_tail}.",
        "Intro call with {lead_full}, who reached out after seeing how other {team} teams use us.",
        "{lead_full} took the call to see whether we are worth a proper look; {others_clause}",
        "Met {lead_full} for a first look at how {account} handles reporting for {team}.",
    ),
    "open_discovery": (
        "Discovery with {lead_full}{others_with}. {tone}{tone_tail}.",
        "{lead_full} walked us through how {team} at {account} works today{others_with}.",
        "Long discovery session{others_with}; {lead} did most of the talking, which is what we wanted.",
        "Mapped the current process with {lead_full}{others_with}, from raw data to {artifact}.",
    ),
    "open_demo": (
        "Demo for {people}, built around the scenarios {lead} sent over after the {prev}.",
        "Showed the workflow to {people}; we kept slides to a minimum and stayed in the product.",
        "Tailored demo with {people}. {tone}{tone_tail}.",
        "{people} joined the demo; we used their own data model rather than the standard script.",
    ),
    "open_technical_deep_dive": (
        "Technical session with {people} on architecture, security and {system}.",
        "{people} went through our architecture line by line, with most questions on {tech_topic}.",
        "Deep dive with {people}. {tone}{tone_tail}.",
        "Integration and security review with {people}; {lead} had a written list of questions.",
    ),
    "open_business_case": (
        "Business case review with {people}. {tone}{tone_tail}.",
        "Went through the value model with {people}; {lead} had already checked most of the inputs.",
        "Sat down with {people} to agree the numbers behind the case.",
        "Worked the ROI model live with {people}, starting from {case_point}.",
    ),
    "open_proposal": (
        "Walked {people} through the proposal and the rollout plan.",
        "Proposal review with {people}; questions were about phasing rather than scope.",
        "Presented the commercial proposal to {people}. {tone}{tone_tail}.",
    ),
    "open_negotiation": (
        "Commercial call with {people} on term, price and payment schedule.",
        "Worked through the open commercial points with {people}. {tone}{tone_tail}.",
        "Negotiation session with {people}; both sides came prepared.",
    ),
    "open_legal_review": (
        "Contract call with {people} to close out the redlines.",
        "Legal review with {people}, starting with {legal_point}.",
        "Went through the markup with {people}, clause by clause.",
    ),
    "open_kickoff": (
        "Kickoff with {people}: owners, milestones and the first thirty days.",
        "Welcomed {people} and agreed the rollout plan. {tone}{tone_tail}.",
        "Project kickoff with {people}, starting with {artifact}.",
    ),
    "open_other": (
        "Call with {people} about {account_s} next steps.",
        "Short session with {people}.",
        "Touched base with {people} on where things stand.",
        "Spoke with {people}; {tone_lc}.",
    ),
    "open_again": (
        "Follow-up {label} with {people}.",
        "Another {label} with {people}; {tone_lc}.",
        "Back with {people} for a further {label}.",
        "{ordinal} {label} with {people}.",
        "Picked up where we left off with {people}.",
    ),
    "ordinal": ("Second", "Another round of the", "One more"),
    "tone_lc": (
        "the mood was positive",
        "nothing new on their side",
        "they are still working through it internally",
        "the next step is on us",
    ),
    # -- facts as meeting notes (every field of the fact must stay in the sentence) -------------
    "note_pain": (
        "The core problem is {pain}; {lead} puts the cost at {hours} across {staff}.",
        "{lead} described {pain}, which eats about {hours} for a team of {staff}.",
        "Biggest pain: {pain}. By {lead_s} count that is {hours} spread over {staff}.",
        "What hurts most is {pain}, roughly {hours} across {staff} in {team}.",
        "{lead} was blunt about {pain}: {hours} lost across {staff}.",
        "Underneath it all is {pain}, costing {hours} over {staff}.",
    ),
    "note_competition": (
        "Today they get by with {incumbent}; {alt1} and {alt2} are also on the list, and staying put is a real option.",
        "They run on {incumbent} now and have looked at {alt1} and {alt2}; doing nothing is still on the table.",
        "Alternatives in play: {alt1}, {alt2}, or sticking with {incumbent}.",
        "{lead} named {alt1} and {alt2} as the other options, next to keeping {incumbent}.",
    ),
    "note_critical_event": (
        "The date that matters is {event} on {event_date}; they want to be live before then.",
        "Everything points at {event} ({event_date}): missing it means another year of workarounds.",
        "{lead} tied the timing to {event} on {event_date}.",
        "Deadline: {event} on {event_date}.",
    ),
    "note_champion": (
        "{champ} ({champ_title}) is pushing for this and offered to take it to leadership.",
        "{champ}, {champ_title}, is clearly the one who wants this fixed and will sell it internally.",
        "{champ} ({champ_title}) asked for material to make the case inside without us in the room.",
        "Strong interest from {champ} ({champ_title}), who wants to own the rollout.",
    ),
    "note_economic_buyer": (
        "{eb} ({eb_title}) joined; the {line} budget is theirs and they sign.",
        "{eb}, {eb_title}, owns the {line} budget and made clear the decision is theirs.",
        "First time with {eb} ({eb_title}), who holds the {line} budget.",
    ),
    "note_technical": (
        "{tech} ({tech_title}) runs the technical evaluation and will write the recommendation.",
        "{tech}, {tech_title}, owns the technical side and had the hardest questions.",
        "{tech} ({tech_title}) will sign off the architecture.",
    ),
    "note_metrics": (
        "Agreed target: {metric} from {baseline} to {target}{value_clause}.",
        "The case rests on {metric}: {baseline} today, {target} as the goal{value_clause}.",
        "{lead} signed up to moving {metric} from {baseline} to {target}{value_clause}.",
        "Success means {metric} at {target}, up from {baseline} today{value_clause}.",
    ),
    "note_criteria": (
        "Must-haves they wrote down: {c1}; {c2}; {c3}.",
        "Their criteria: {c1}, {c2}, and {c3}.",
        "We will be judged on {c1}, {c2} and {c3}.",
        "{lead} listed what we must show: {c1}, {c2}, {c3}.",
    ),
    "note_budget": (
        "{eb} confirmed {amount} in the {fy} {line} budget.",
        "Budget: {amount}, set aside in {fy} under {line}; {eb} confirmed it.",
    ),
    "note_process": (
        "Path to a decision: {s1} by {d1}, {s2} by {d2}, {s3} by {d3}.",
        "We agreed the steps: {s1} by {d1}; {s2} by {d2}; {s3} by {d3}.",
        "{lead} laid out the timeline: {s1} by {d1}, then {s2} by {d2}, and {s3} by {d3}.",
    ),
    "note_paper": (
        "Paperwork runs on {paper}, about {weeks} end to end{paper_clause}.",
        "Contract path: {paper}, roughly {weeks} including security and legal{paper_clause}.",
    ),
    # -- back-references in later notes ------------------------------------------------------
    "ref_pain": (
        "We kept coming back to {pain}.",
        "{lead} tied every question back to {pain}.",
        "Same theme as before: {pain}.",
        "Each scenario was framed around {pain}.",
    ),
    "ref_metrics": (
        "The target is unchanged: {metric} from {baseline} to {target}.",
        "{lead} still anchors on {baseline} to {target} for {metric}.",
    ),
    "ref_critical_event": (
        "{event} on {event_date} is still the deadline.",
        "Timing still hangs on {event} on {event_date}.",
    ),
    "ref_competition": (
        "{alt1} came up again as the comparison.",
        "They are still weighing us against {alt1}.",
    ),
    "ref_budget": (
        "The {amount} in the {fy} budget is still there.",
        "Budget is not the issue; {amount} is allocated for {fy}.",
    ),
    # -- details by type ---------------------------------------------------------------------
    "detail_intro": (
        "Today {someone} {rebuild} {artifact} {often} from {source}, and {doubt}.",
        "They have tried to fix this internally, but {doubt}.",
        "{lead} wants to see the product before bringing in {someone}.",
        "Open to a proper discovery session with {someone}.",
        "They asked how long a rollout takes for {someone}.",
    ),
    "detail_discovery": (
        "Today {someone} {rebuild} {artifact} {often} from {source}; {doubt}.",
        "{lead} says {doubt}, mostly because {someone} {rebuild} everything by hand.",
        "The data for {artifact} comes from {source}, and {doubt}.",
        "{someone_cap} {rebuild} {artifact} {often}.",
        "Nobody owns the definitions behind {artifact}, so {doubt}.",
    ),
    "someone_cap": (
        "Two analysts",
        "The {team} leads",
        "Their regional managers",
        "Three planners",
        "A small reporting team",
        "The shift supervisors",
    ),
    "detail_demo": (
        "{liked_cap} {reaction}.",
        "Questions on {worry} took longer than planned.",
        "{lead} wants to see {liked} with a larger data set.",
        "{liked_cap} {reaction}; {worry} needs another look.",
        "They asked about {worry}.",
    ),
    "liked_cap": (
        "The self-service report builder",
        "Alerts that go straight to the right people",
        "Drill-down from summary to record level",
        "Shared definitions across reports",
        "Mobile access for managers",
        "The audit trail on every metric",
    ),
    "detail_technical_deep_dive": (
        "On {tech_topic}: {tech_verdict}.",
        "Most of the hour went on {tech_topic}; {tech_verdict}.",
        "They want the connection to {system} tested against production volumes.",
        "{tech_topic_cap} came up twice; {tech_verdict}.",
    ),
    "tech_topic_cap": (
        "Single sign-on",
        "Data residency",
        "Backups",
        "Row-level permissions",
        "Refresh frequency",
        "Sandbox environments",
    ),
    "detail_business_case": (
        "{case_point_cap} was {case_move}.",
        "We went through {case_point}; it was {case_move}.",
        "They will present the case internally, with {case_point} up front.",
        "Finance wants {case_point} {case_move}.",
    ),
    "case_point_cap": (
        "Payback",
        "The cost of the current workaround",
        "Each adoption assumption",
        "The one-off migration cost",
        "Licence growth over three years",
    ),
    "detail_proposal": (
        "They asked for {ask}.",
        "Scope is agreed; the discussion now is about {ask}.",
        "{lead} pushed for {ask}.",
        "Questions on {worry} and on {ask}.",
    ),
    "detail_negotiation": (
        "They asked for {ask}.",
        "We traded {ask} for a longer term.",
        "Their procurement team wants {ask}.",
        "{lead} came back to {ask}.",
    ),
    "detail_legal_review": (
        "{legal_point_cap}: {legal_state}.",
        "On {legal_point}, {legal_state}; on {legal_point2}, {legal_state}.",
        "Most redlines are standard; {legal_point} is {legal_state}.",
    ),
    "legal_point_cap": (
        "The liability cap",
        "Data processing terms",
        "Governing law",
        "The sub-processor list",
        "Termination for convenience",
        "Service levels",
    ),
    "legal_point2": (
        "payment terms",
        "the renewal clause",
        "publicity rights",
        "insurance requirements",
    ),
    "detail_kickoff": (
        "First up: {artifact} for {someone}.",
        "Weekly check-ins agreed {often_kick}.",
        "Their admin starts training {soon}.",
        "{lead} wants {liked} live first.",
    ),
    "often_kick": ("for the first two months", "until go-live", "for the first six weeks"),
    "detail_other": (
        "Nothing has changed on their side.",
        "They are waiting on an internal decision.",
        "Next step is on us.",
        "{lead} is out next week, so things slow down.",
    ),
    # -- next steps by type ------------------------------------------------------------------
    "next_intro": (
        "Next: a discovery session with {someone}.",
        "Next: {lead} picks a date for discovery.",
        "Next: we {send} two short customer stories from {team}.",
    ),
    "next_discovery": (
        "Next: a demo for {lead} on their own scenarios.",
        "Next: {lead} sends sample reports so the demo uses real examples.",
        "Next: we {send} a written summary {soon}.",
        "Next: a demo for {someone}.",
    ),
    "next_demo": (
        "Next: a technical session with the {account} IT team.",
        "Next: {lead} gathers feedback from {someone} {soon}.",
        "Next: we set up a trial workspace {soon}.",
        "Next: answers on {worry} {soon}.",
    ),
    "next_technical_deep_dive": (
        "Next: written answers on {tech_topic} {soon}.",
        "Next: a test of the connection to {system} on their data.",
        "Next: {lead} confirms the technical sign-off date.",
    ),
    "next_business_case": (
        "Next: the formal proposal.",
        "Next: {lead} takes the case to the budget owner.",
        "Next: we tighten {case_point} and {send} the model {soon}.",
    ),
    "next_proposal": (
        "Next: commercial terms with {account} procurement.",
        "Next: {lead} confirms the preferred option {soon}.",
        "Next: a revised proposal with {ask}.",
    ),
    "next_negotiation": (
        "Next: the final order form {soon}.",
        "Next: legal review of the {account} MSA.",
        "Next: their procurement team comes back on {ask}.",
        "Next: {lead} confirms {ask} {soon}.",
    ),
    "next_legal_review": (
        "Next: a clean copy for signature {soon}.",
        "Next: our counsel responds on {legal_point} {soon}.",
        "Next: signature once {lead} and our side sign off.",
    ),
    "next_kickoff": (
        "Next: the first check-in {soon}.",
        "Next: admin training.",
        "Next: connect {system}.",
    ),
    "next_other": (
        "Next: follow up {soon}.",
        "Next: wait for their update.",
        "Next: book the next session.",
    ),
    # -- agendas (future meetings) -----------------------------------------------------------
    "goal_intro": (
        "Learn how {team} at {account} reports today and whether a deeper look makes sense.",
        "A first conversation with {lead} about their priorities.",
    ),
    "goal_discovery": (
        "Understand the current process at {account} and who owns it.",
        "Map where {team} loses time and what fixing it is worth.",
        "Find out how {artifact} is built today.",
    ),
    "goal_demo": (
        "Show {lead} and the team their own scenarios in the product.",
        "A demo shaped around what {team} does every week.",
        "Show {liked} on their data.",
    ),
    "goal_technical_deep_dive": (
        "Answer the {account} architecture and security questions in detail.",
        "Walk their IT team through {system} and {tech_topic}.",
        "Settle {tech_topic} with {lead}.",
    ),
    "goal_business_case": (
        "Agree the numbers behind the business case.",
        "Check every assumption in the value model with {lead}, starting with {case_point}.",
    ),
    "goal_proposal": (
        "Walk {lead} through the proposal and the rollout plan.",
        "Present the commercial proposal to {account} and agree the next steps.",
        "Show how the rollout starts with {scope}.",
    ),
    "goal_negotiation": (
        "Close the open commercial points with {lead}.",
        "Agree term, price and payment schedule for {account}.",
        "Settle {ask}.",
    ),
    "goal_legal_review": (
        "Resolve the remaining redlines with {lead}.",
        "Agree contract language so {account} can sign.",
        "Close {legal_point} and {legal_point2}.",
    ),
    "goal_kickoff": (
        "Kick off the rollout: owners, milestones, first month.",
        "Agree the rollout plan and how success is measured.",
    ),
    "goal_other": (
        "Catch up on where things stand.",
        "Agree the next steps.",
        "Check in with {lead}.",
    ),
    "agenda_items": (
        "introductions",
        "their priorities for the year",
        "the current process end to end",
        "where the data comes from",
        "a live walkthrough",
        "reporting and alerts",
        "permissions and admin",
        "the connection to {system}",
        "security and single sign-on",
        "the value model",
        "budget and approvals",
        "phasing and rollout",
        "commercial terms",
        "open redlines",
        "owners and milestones",
        "questions and next steps",
        "{worry}",
        "{tech_topic}",
        "{case_point}",
        "{artifact}",
    ),
    "prep": (
        "{lead} brings two example reports.",
        "We review the notes from the {prev}.",
        "{lead} confirms who else joins.",
        "We prepare a short recap of the {prev} for {lead}.",
        "Send the agenda to {lead} a day ahead.",
        "We bring a draft of {artifact}.",
        "{lead} checks {source} for sample data.",
    ),
}

# -- emails --------------------------------------------------------------------------------

EMAIL_RULES: dict[str, tuple[str, ...]] = {
    "greet": (
        "Hi {to_first},",
        "Hello {to_first},",
        "{to_first},",
        "Hi {to_first}, hope your week is going well.",
        "Good morning {to_first},",
        "Dear {to_first},",
    ),
    "signoff": ("Best,", "Thanks,", "Kind regards,", "Best regards,", "Cheers,", "All the best,"),
    "thanks_for": (
        "Thank you for",
        "Thanks for",
        "Many thanks for",
        "I appreciated",
        "Good to see everyone in",
        "Thanks again for",
    ),
    "follow_tail": (
        "",
        "; a short recap below",
        ", {lead}",
        "; it was {useful}",
        "; here is what I took away",
    ),
    "useful": (
        "useful",
        "productive",
        "focused",
        "worth the time",
        "constructive",
        "a good discussion",
    ),
    "tech_verdict_mail": (
        "our security team will write up an answer",
        "we have no concerns",
        "we'll send the details {soon}",
        "our architect will follow up",
    ),
    "scope": (
        "the {team} team first",
        "one region first and the rest after",
        "all of {team} from day one",
        "the core reports and two integrations",
    ),
    # seller opens a thread
    "open_out_scheduling": (
        "Would {when} work for the {label}?",
        "I'd like to set up the {label}; does {when} suit you?",
        "Can we hold {when} for the {label}?",
        "Are you free {when} for the {label}?",
        "How does {when} look for the {label}?",
    ),
    "open_out_follow_up": ("{thanks_for} the {label}{follow_tail}.",),
    "open_out_proposal": (
        "Here is where we landed on the proposal.",
        "Following the {prev}, here is the proposal in short.",
        "As promised, the outline of our proposal.",
        "The proposal is ready; the main points are below.",
    ),
    "open_out_negotiation": (
        "Picking up the commercial points from our last call.",
        "A short note on where we are with terms.",
        "Coming back on the order form.",
        "Here is our position on the open terms.",
    ),
    "open_out_check_in": (
        "Checking in on where things stand.",
        "A quick check-in before the next step.",
        "Wanted to see how the internal conversations are going.",
        "Just touching base after the {prev}.",
    ),
    "open_out_question": (
        "A couple of questions so we prepare properly.",
        "Two quick questions before the next session.",
    ),
    "open_out_other": (
        "A quick note on next steps.",
        "Following up on our last conversation.",
        "A short update from our side.",
    ),
    "open_in_check_in": (
        "Quick update from our side.",
        "Giving you a short status update.",
        "A short note on where we are internally.",
    ),
    "open_in_follow_up": (
        "Thanks again for the {label}.",
        "A few thoughts after the {label}.",
        "Following up on the {label}.",
    ),
    "open_in_other": (
        "A short note from our side.",
        "Following up on where we are.",
        "A quick update from us.",
    ),
    # the middle of a message, by purpose
    "mid_out_follow_up": (
        "You mentioned that {someone} {rebuild} {artifact} {often}.",
        "It sounded like {liked} matters most to your team.",
        "We noted the questions on {worry} and will come back on them {soon}.",
        "On {tech_topic}, {tech_verdict_mail}.",
        "I'll {send} a note on {case_point} the way your finance team asked.",
        "We'll look into {ask} and confirm {soon}.",
    ),
    "mid_out_scheduling": (
        "It should take about {minutes} minutes.",
        "I'll {send} a short agenda for the {label} beforehand.",
        "Feel free to bring {someone}.",
        "We'll cover {worry} and {tech_topic}.",
        "",
        "",
    ),
    "mid_out_proposal": (
        "It covers {scope}, with {ask} as you asked.",
        "It assumes {scope} and includes {ask}.",
        "Pricing is set out by year, with {ask}.",
        "The rollout starts with {scope}.",
    ),
    "mid_out_negotiation": (
        "On {ask}, we can meet you halfway.",
        "We can accept {ask} with a three-year term.",
        "{legal_point_cap} is {legal_state} on our side.",
        "We can move on {ask} if the start date holds.",
    ),
    "mid_out_check_in": (
        "Is there anything you need from us before the {label}?",
        "Does the timeline still hold on your side?",
        "Happy to help prepare material for {someone}.",
        "",
    ),
    "mid_out_question": (
        "Who besides you should see {artifact}?",
        "How do {someone} use {source} today?",
    ),
    "mid_in_follow_up": (
        "{liked_cap} {reaction} with the team.",
        "The team still has questions on {worry}.",
        "I've shared the recap with {someone}.",
        "We'd like to understand {tech_topic} better.",
    ),
    "mid_in_check_in": (
        "The review with {someone} is scheduled.",
        "We're still collecting feedback from {someone}.",
        "Nothing blocking so far.",
        "{someone_cap} want to see {liked} again.",
    ),
    "mid_in_other": ("Nothing blocking so far.", "We'll come back {soon}."),
    # replies
    "reply_in_scheduling": (
        "{when} works for us.",
        "{when} is in my calendar.",
        "Yes, {when} suits me.",
        "{when} is fine; I'll bring {other_first}.",
        "Works for me, {to_first}; {when} it is.",
    ),
    "reply_out_scheduling": (
        "Great, the invite for {when} is on its way.",
        "Perfect, I've sent the invite for the {label}.",
        "Thanks {to_first}, confirmed for {when}.",
        "Invite sent for {when}.",
    ),
    "reply_in_follow_up": (
        "Thanks for the recap of the {label}; it matches my notes.",
        "Good summary, {to_first}; nothing to add from my side.",
        "Thanks, that captures it; one point on {worry} is still open.",
        "Thanks; I'll circulate this to {someone}.",
        "Thanks {to_first}, I agree with the {label} notes.",
    ),
    "reply_out_follow_up": (
        "Thanks for confirming, {to_first}.",
        "Good to hear the {label} notes match yours.",
        "Noted; we'll cover {worry} next time.",
        "Thanks {to_first}, that helps with {artifact}.",
    ),
    "reply_in_proposal": (
        "Thanks, we're reviewing it internally {soon}.",
        "Got it; I'll come back once our finance team has had a look.",
        "Thanks; {someone} still need to read it.",
        "Received; the question on our side is {ask}.",
    ),
    "reply_out_proposal": (
        "Understood; happy to walk your finance team through it, {to_first}.",
        "Thanks, let me know where {someone} need more detail.",
        "Of course; we can talk through {ask} on a call.",
    ),
    "reply_in_negotiation": (
        "Thanks; procurement will respond {soon}.",
        "Received; our counsel is looking at {legal_point}.",
        "Thanks, we can live with most of this; {ask} is the open point.",
    ),
    "reply_out_negotiation": (
        "Thanks {to_first}, we'll wait for their comments.",
        "Understood; we can turn changes around within a day.",
        "Thanks; our counsel will look at {legal_point} {soon}.",
    ),
    "reply_in_check_in": (
        "Thanks for checking in, {to_first}; we're still on track.",
        "All good here; the review with {someone} is moving.",
        "Thanks; {someone} are looking at it {soon}.",
    ),
    "reply_out_check_in": (
        "Good to hear, thanks for the update on {account}.",
        "Thanks {to_first}, that helps us plan the {label}.",
        "Great; let me know if {someone} need anything.",
    ),
    "reply_in_other": (
        "Thanks, noted.",
        "Understood, thanks {to_first}.",
        "Thanks for the update on the {label}.",
    ),
    "reply_out_other": (
        "Thanks for the note, {to_first}.",
        "Understood, thank you.",
        "Thanks, noted on our side for {account}.",
    ),
    # closing asks
    "ask_out": (
        "Happy to go through any of this on a call, {to_first}.",
        "Let me know if anything is missing from the {label} notes.",
        "Tell me if I got anything wrong about {team}.",
        "Any questions on {worry}, just reply here.",
        "",
        "",
        "",
        "Speak soon, {to_first}.",
    ),
    "ask_in": (
        "Let me know if you need anything else from {account}.",
        "",
        "",
        "",
        "Speak soon, {to_first}.",
        "More after our {team} meeting next week.",
    ),
    # facts in buyer voice (inbound) and seller recap (outbound); every field must stay
    "mail_in_pain": (
        "Our main issue is {pain}; it costs us about {hours} across {staff}.",
        "The problem we need solved is {pain}, roughly {hours} for {staff}.",
        "To be honest, {pain} is hurting us: {hours} across {staff}.",
        "What we want fixed is {pain}. It adds up to {hours} across {staff}.",
    ),
    "mail_out_pain": (
        "You described {pain}, about {hours} across {staff}.",
        "From our call: {pain} costs you {hours} across {staff}.",
        "The starting point is {pain}, which you put at {hours} over {staff}.",
    ),
    "mail_in_competition": (
        "For context, we run on {incumbent} today and have looked at {alt1} and {alt2}; doing nothing is also an option.",
        "We're also talking to {alt1} and {alt2}, and we could keep {incumbent} for another year.",
        "Alongside you we're looking at {alt1} and {alt2}; the fallback is {incumbent}.",
    ),
    "mail_out_competition": (
        "I understand you are comparing us with {alt1} and {alt2}, against staying with {incumbent}.",
        "You mentioned {alt1} and {alt2} as alternatives to keeping {incumbent}.",
        "We know {alt1} and {alt2} are in the mix, next to {incumbent}.",
    ),
    "mail_in_critical_event": (
        "We need to be live before {event} on {event_date}.",
        "The hard date for us is {event} on {event_date}.",
        "Timing matters: {event} is on {event_date}.",
    ),
    "mail_out_critical_event": (
        "We are planning back from {event} on {event_date}.",
        "With {event} on {event_date}, the plan works backwards from there.",
        "Everything is set to land before {event} on {event_date}.",
    ),
    "mail_in_metrics": (
        "We'd measure success as {metric} moving from {baseline} to {target}{value_clause}.",
        "Our target is {metric} at {target}, from {baseline} now{value_clause}.",
        "For us it is about {metric}: {baseline} today, {target} next year{value_clause}.",
    ),
    "mail_out_metrics": (
        "The case rests on {metric} moving from {baseline} to {target}{value_clause}.",
        "In the model, {metric} goes from {baseline} to {target}{value_clause}.",
        "We sized the case on {metric} improving from {baseline} to {target}{value_clause}.",
    ),
    "mail_in_criteria": (
        "Our must-haves are {c1}, {c2} and {c3}.",
        "We'll decide on three things: {c1}, {c2}, and {c3}.",
        "The criteria from our side: {c1}; {c2}; {c3}.",
    ),
    "mail_out_criteria": (
        "Your must-haves, as I understood them: {c1}, {c2} and {c3}.",
        "We'll show {c1}, {c2} and {c3}, as you asked.",
        "Noted your criteria: {c1}; {c2}; {c3}.",
    ),
    "mail_in_budget": (
        "To confirm, {eb} has {amount} in the {fy} {line} budget for this.",
        "{eb} has signed off {amount} from the {fy} {line} budget.",
        "Budget is in place: {amount} in {fy}, {line}, approved by {eb}.",
    ),
    "mail_out_budget": (
        "Thanks for confirming {amount} in the {fy} {line} budget; {eb} is the approver.",
        "Good news on the {amount} in the {fy} {line} budget, with {eb} approving.",
    ),
    "mail_in_process": (
        "Our steps: {s1} by {d1}, {s2} by {d2}, {s3} by {d3}.",
        "Internally it goes {s1} by {d1}, then {s2} by {d2}, then {s3} by {d3}.",
    ),
    "mail_out_process": (
        "The plan we agreed: {s1} by {d1}, {s2} by {d2}, {s3} by {d3}.",
        "To recap the timeline: {s1} by {d1}; {s2} by {d2}; {s3} by {d3}.",
    ),
    "mail_in_paper": (
        "The contract goes on {paper}; expect about {weeks} end to end{paper_clause}.",
        "Paperwork will be {paper}, about {weeks} in total{paper_clause}.",
    ),
    "mail_out_paper": (
        "For the paperwork: {paper}, about {weeks} end to end{paper_clause}.",
        "We can work on {paper}; allow about {weeks}{paper_clause}.",
    ),
    "mail_in_champion": (
        "I'll be driving this on our side.",
        "I'm the one pushing for this internally, so come to me first.",
        "I'll take this to our leadership myself.",
    ),
    "mail_out_champion": (
        "Good to have you driving this on your side, {champ}.",
        "Thanks for carrying this internally, {champ}.",
    ),
    "mail_in_economic_buyer": (
        "The {line} budget for this sits with me.",
        "I own the {line} budget this comes from.",
        "Final approval is mine, from the {line} budget.",
    ),
    "mail_out_economic_buyer": (
        "Glad to have you involved, {eb}, as owner of the {line} budget.",
        "Good to have {eb} on the thread, as the {line} budget owner.",
    ),
    "mail_in_technical": (
        "I'll run the technical evaluation from here.",
        "I'm handling the technical review on our side.",
        "The architecture sign-off is mine.",
    ),
    "mail_out_technical": (
        "Good to meet you, {tech}; your technical evaluation is our priority.",
        "Welcome, {tech}; we'll support the technical review however helps.",
    ),
}

QUESTION_TYPES: tuple[str, ...] = (
    "reference",
    "pricing",
    "security",
    "integration",
    "timeline",
    "residency",
)

QA: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # type: (the buyer's question, the seller's answer, the buyer's acknowledgement)
    "reference": (
        (
            "Could we speak to a customer in a similar business before we go further?",
            "Is there a reference customer we could talk to, ideally one with a {team} team like ours?",
        ),
        (
            "Yes, I can set up a reference call with a customer whose {team} team went live last year.",
            "Happy to arrange a reference call; I'll ask a customer with a similar setup for a slot.",
        ),
        (
            "A reference call would be great, thank you.",
            "Thanks, please send a couple of times for the reference call.",
        ),
    ),
    "pricing": (
        (
            "How does pricing scale if we add more users later?",
            "Is pricing per user or per platform, and what happens when we grow?",
        ),
        (
            "Pricing is per platform with user bands, so adding users within a band costs nothing extra.",
            "We price by platform tier; growing into the next user band is a fixed step, agreed upfront.",
        ),
        (
            "Clear, thanks; that pricing model works for us.",
            "Thanks, that answers the pricing question.",
        ),
    ),
    "security": (
        (
            "Can you share your SOC 2 report and a completed security questionnaire?",
            "Our security team will need your latest audit report before the review.",
        ),
        (
            "Our security team will send the SOC 2 report under NDA and complete your questionnaire.",
            "Yes, the audit report goes out under NDA and our security team fills in the questionnaire.",
        ),
        (
            "Thanks, I'll pass the security material to our team once it arrives.",
            "Great, our security lead will review it as soon as it comes in.",
        ),
    ),
    "integration": (
        (
            "Do you have a native connector to {system}, or would we build one?",
            "How would you pull data from {system}?",
        ),
        (
            "There is a native connector to {system}; it syncs incrementally and needs read-only access.",
            "We connect to {system} out of the box, read-only, with incremental syncs.",
        ),
        (
            "Good to know the connector to {system} exists; that removes a big worry.",
            "Thanks, a native connector is what we hoped for.",
        ),
    ),
    "timeline": (
        (
            "How long does a typical implementation take for a team our size?",
            "What does the rollout timeline usually look like?",
        ),
        (
            "Most teams your size are live in six to ten weeks, with first dashboards in week three.",
            "A typical rollout takes six to ten weeks; the first reports go live in the third week.",
        ),
        (
            "That implementation timeline fits our plans.",
            "Thanks, six to ten weeks is workable for us.",
        ),
    ),
    "residency": (
        ("Where would our data be hosted?", "Can we keep our data in-region?"),
        (
            "Your data can be hosted in-region; we run separate EU, US and APAC regions.",
            "We host in the region you choose and data does not leave it.",
        ),
        (
            "Thanks, in-region hosting settles the data question.",
            "Good, hosting in-region is a requirement for us.",
        ),
    ),
}
"""Each question type has its answer and its acknowledgement: a reply always answers the question asked."""

QA_MARKERS: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "speak to a customer"),
    "pricing": ("pric",),
    "security": ("security", "soc 2", "audit report"),
    "integration": ("connector", "connect", "pull data"),
    "timeline": ("implementation", "rollout", "timeline", "weeks"),
    "residency": ("hosted", "in-region", "region"),
}
"""Words that show which question an answer is about (tests check replies pairwise)."""
