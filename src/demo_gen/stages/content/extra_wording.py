# ruff: noqa: E501  (word banks: one alternative per line reads better than wrapped strings)
"""Slot-built sentences for the internal notes and short emails of `extra_banks` (deal reviews,
internal prep, outcomes, out-of-office replies, first requests), which the default run writes
for nearly every deal.

`WORDS`, `MEETING`, `OUTCOME`, `OOO` and `EMAIL` are `extra_banks`' own, each widened here;
`extra_kinds` draws from these. Fields are those of `extra_banks` ({account}, {lead}, {owner},
{label}, {prev}, {team}, {back}, {to_first}).
"""

from __future__ import annotations

from demo_gen.stages.content import extra_banks as base

_PARTS: dict[str, tuple[str, ...]] = {
    "w_rev_with": (
        "with the manager",
        "with the sales director",
        "in the team meeting",
        "at the Monday pipeline call",
        "with the regional lead",
        "one to one with the manager",
    ),
    "w_rev_state": (
        "on track",
        "real but slow",
        "ahead of plan",
        "at risk",
        "moving",
        "healthy",
        "behind plan",
    ),
    "w_rev_but": (
        "but we still lack a date from {lead}",
        "though the paper process is unknown",
        "and {lead} is engaged",
        "but nobody above {lead} has joined yet",
        "provided the follow-up to the {prev} lands",
        "but the close date looks optimistic",
        "and the next step is dated",
    ),
    "w_rev_who": ("the manager", "our sales director", "the team", "the regional lead"),
    "w_rev_asked": (
        "pushed on",
        "asked about",
        "challenged us on",
        "wanted detail on",
        "spent most of the time on",
    ),
    "w_risk_head": ("Risk", "Main risk", "Watch item", "Concern", "Open question"),
    "w_risk": (
        "{lead} may not have the authority to sign",
        "a competitor is still in the picture",
        "the budget is not confirmed in writing",
        "procurement has not been engaged",
        "the close date depends on their legal team",
        "{account} could decide to wait a quarter",
        "we only talk to one person at {account}",
    ),
    "w_fc": ("best case", "pipeline", "upside", "held at best case"),
    "w_fc_why": (
        "until {lead} confirms the dates",
        "given what we heard in the {prev}",
        "pending a meeting with the budget holder",
        "because the paper process is still unclear",
        "with a second look on {back}",
    ),
    "w_prep_before": ("before", "ahead of", "for"),
    "w_prep_did": ("agreed", "rehearsed", "settled", "checked", "wrote down"),
    "w_prep_obj": (
        "the opening",
        "who answers which questions",
        "the demo path",
        "the three points to land",
        "what we ask {lead} for",
        "the time split",
        "the proof points for the {team} team",
    ),
    "w_if_raise": ("raises", "asks about", "pushes on", "brings up"),
    "w_if_topic": (
        "pricing",
        "timing",
        "the competition",
        "security",
        "the rollout effort",
        "references",
    ),
    "w_prep_answer": (
        "point to the plan from the {prev}",
        "keep it short and offer a follow-up",
        "hand over to the sales engineer",
        "park it for a separate call",
        "answer with a customer story",
        "ask what is behind the question",
    ),
    "o_away": (
        "I am out of the office",
        "I am on leave",
        "I am away",
        "I am on annual leave",
        "I am at a conference",
        "I am off on a training course",
    ),
    "o_access": (
        "",
        " with limited access to email",
        " and checking email only occasionally",
        " without regular access to email",
        ", reading email once a day",
    ),
    "o_urgent": (
        "For anything urgent",
        "If it cannot wait",
        "For urgent matters",
        "If your message is urgent",
    ),
    "o_contact": ("contact", "write to", "call", "reach out to"),
    "o_who": (
        "the {team} team",
        "my colleagues in {team}",
        "the {account} main office",
        "my deputy",
    ),
    "o_reply": ("reply", "respond", "get back to you", "pick this up", "answer"),
    "o_when": ("when I am back", "on my return", "after {back}", "on {back}", "as soon as I can"),
    "r_thanks": ("Thanks", "Thank you", "Many thanks", "Thanks a lot"),
    "r_for": (
        "for reaching out",
        "for getting in touch",
        "for the note",
        "for thinking of us",
        "for the kind words",
    ),
    "r_offer": ("I will send times for", "Let me propose", "I'll put in", "I can offer"),
    "r_call": (
        "a short intro call",
        "a first conversation",
        "a thirty-minute call",
        "an introductory call",
    ),
    "r_when": ("for {back}", "early next week", "this week", "with two options"),
    "x_we": ("We", "My team", "A few of us", "The {team} leads"),
    "x_looking": ("are looking at", "are exploring", "have started to review", "are comparing"),
    "x_what": (
        "better reporting for {team}",
        "how we build our weekly reports",
        "tools for {team} reporting",
        "options to cut manual reporting",
    ),
    "x_why": (
        "a colleague mentioned you",
        "your name keeps coming up",
        "I saw one of your case studies",
        "a peer at another company recommended you",
    ),
    "x_lead": ("work with", "support", "speak for", "sit close to"),
    "x_ask": ("Could we have", "Would you have time for", "Can we set up", "Is there room for"),
    "x_slot": (
        "a short call next week",
        "thirty minutes in the coming days",
        "an intro call on {back}",
        "a first conversation soon",
    ),
    "y_checked": ("checked", "tested", "weighed", "compared"),
    "y_need": ("need to meet", "have to reach", "haven't met", "must win over"),
    "y_mgr": ("the manager", "our sales director", "the regional lead", "the team"),
    "y_period": ("this month", "over the next two weeks", "before quarter end", "this week"),
    "y_updated": ("updated", "refreshed", "rewritten", "revised"),
    "y_shared": (
        "shared with the team",
        "posted in the deal channel",
        "logged on the opportunity",
        "sent round",
    ),
    "y_dept": ("procurement", "finance", "legal", "IT"),
    "y_away": ("out of the office", "away", "on leave", "travelling"),
    "y_slower": ("slower", "later", "shorter", "less frequent"),
    "w_rev_open": ("Went through", "Reviewed", "Walked through", "Talked through", "Looked at"),
    "w_rev_what": (
        "the {account} deal",
        "{account} and its next steps",
        "where {account} stands",
        "the {account} close plan",
        "the {account} opportunity",
    ),
    "w_rev_mood": (
        "the manager is {w_rev_conf} about the close date",
        "we agreed the evidence is {w_rev_evid}",
        "the forecast stays where it is",
        "the next step needs a firmer date",
        "the question is who else at {account} must say yes",
    ),
    "w_rev_conf": ("fairly confident", "unsure", "cautious", "comfortable", "not yet convinced"),
    "w_rev_evid": ("thin", "solid", "mixed", "better than last week", "mostly from {lead}"),
    "w_ns_wait": ("we waited", "I stayed on", "we held the line", "I waited"),
    "w_ns_mins": ("ten minutes", "a quarter of an hour", "fifteen minutes", "twenty minutes"),
    "w_ns_who": (
        "nobody from {account} joined",
        "{lead} did not appear",
        "the {account} side never dialled in",
        "no one from the {team} team came",
    ),
    "w_rb_do": (
        "offered two new times",
        "asked {lead} for a new slot",
        "sent a short note and new times",
        "suggested {back} instead",
    ),
    "w_rs_sorry": ("Apologies", "Sorry", "My apologies", "Sorry for the short notice"),
    "w_rs_why": (
        "a client escalation landed on that slot",
        "I'm needed at an internal planning session",
        "travel plans changed",
        "a board preparation meeting moved onto that time",
        "I have a clash I can't move",
    ),
    "w_rs_alt": (
        "Would {back} work instead",
        "Could we try {back}",
        "Is {back} any better",
        "Could we find a slot later this week",
    ),
    "w_ns_miss": (
        "We missed you at the {label} today",
        "Sorry we didn't connect for the {label}",
        "The {label} didn't happen today",
    ),
    "w_ns_next": (
        "Shall I send new times",
        "Would {back} work",
        "Could we try again next week",
        "Happy to rebook whenever suits",
    ),
    "w_ng_open": (
        "Checking in after the {prev}",
        "A quick nudge after the {prev}",
        "Following up on my last note",
        "Circling back after the {prev}",
    ),
    "w_ng_ask": (
        "is this still a priority for {account}",
        "would a short call help",
        "should I speak to someone else at {account}",
        "is the timing still right",
        "has anything changed on your side",
    ),
}
_MORE: dict[str, tuple[str, ...]] = {
    "w_out_who": ("Our manager", "The solutions engineer", "Our specialist"),
    "w_out_does": (
        "confirms the dates with {lead}",
        "drafts the mutual plan",
        "books the next meeting",
        "updates the forecast",
        "sends the notes to {lead}",
        "checks who signs",
    ),
    "w_out_when": ("this afternoon", "first thing tomorrow", "by {back}", "before the next call"),
    "w_review_focus": (
        "what changed since the {prev}",
        "whether {lead} can get a decision",
        "the competition",
        "the next two weeks",
    ),
    "w_prep_focus": ("the time split", "what {lead} needs to hear", "the demo path"),
    "w_action_lead": ("Follow-up", "Owner {owner}", "Before next week"),
    "w_action": (
        "get the paper process in writing",
        "confirm the budget with {lead}",
        "put a date on the next meeting",
        "meet someone above {lead}",
    ),
}

WORDS: dict[str, tuple[str, ...]] = {
    **base.WORDS,
    **_PARTS,
    **{k: (*base.WORDS[k], *v) for k, v in _MORE.items()},
}

MEETING: dict[str, base.Bank] = {
    **base.MEETING,
    "deal_review": (
        (
            *base.MEETING["deal_review"][0],
            "{w_review} of {account} {w_rev_with}: the deal is {w_rev_state}, {w_rev_but}.",
            "{w_review} of {account} {w_rev_with}: the deal is {w_rev_state}, {w_rev_but}.",
            "{w_review} of {account} {w_rev_with}: the deal is {w_rev_state}, {w_rev_but}.",
            "{w_review} of {account}: {w_rev_who} {w_rev_asked} {w_review_focus}.",
            "{w_review} of {account}: {w_rev_who} {w_rev_asked} {w_review_focus}.",
            "{w_rev_open} {w_rev_what} {w_rev_with}; {w_rev_mood}.",
            "{w_rev_open} {w_rev_what} {w_rev_with}; {w_rev_mood}.",
            "{w_rev_open} {w_rev_what} {w_rev_with}; {w_rev_mood}.",
        ),
        (
            *base.MEETING["deal_review"][1],
            "{w_action_lead}: {w_action} {w_out_when}.",
            "{w_action_lead}: {w_action} {w_out_when}.",
            "{w_risk_head}: {w_risk}.",
            "{w_risk_head}: {w_risk}.",
            "{w_risk_head}: {w_risk}.",
            "Forecast: {w_fc}, {w_fc_why}.",
            "Forecast: {w_fc}, {w_fc_why}.",
        ),
    ),
    "internal_prep": (
        (
            *base.MEETING["internal_prep"][0],
            "{w_prep} {w_prep_before} the {label} with {account}: we {w_prep_did} {w_prep_obj}.",
            "{w_prep} {w_prep_before} the {label} with {account}: we {w_prep_did} {w_prep_obj}.",
            "{w_prep} {w_prep_before} the {label} with {account}: we {w_prep_did} {w_prep_obj}.",
        ),
        (
            *base.MEETING["internal_prep"][1],
            "If {lead} {w_if_raise} {w_if_topic}, we {w_prep_answer}.",
            "If {lead} {w_if_raise} {w_if_topic}, we {w_prep_answer}.",
            "If {lead} {w_if_raise} {w_if_topic}, we {w_prep_answer}.",
        ),
    ),
}
OUTCOME: tuple[str, ...] = (
    *base.OUTCOME,
    "{w_out_who} {w_out_does} {w_out_when}.",
    "{w_out_who} {w_out_does} {w_out_when}.",
    "{w_out_who} {w_out_does} {w_out_when}.",
)
_REQUEST = (
    *("{x_we} at {account} {x_looking} {x_what}, and {x_why}.",) * 4,
    *("I {x_lead} the {team} team at {account}; we {x_looking} {x_what}.",) * 3,
)
OOO: base.Bank = (
    (*base.OOO[0], *("{o_away} until {back}{o_access}.",) * 6),
    (*base.OOO[1], *("{o_urgent}, please {o_contact} {o_who}.", "I will {o_reply} {o_when}.") * 3),
)
NO_SHOW: base.Bank = (
    (*base.NO_SHOW[0], *("No-show: {w_ns_who}; {w_ns_wait} {w_ns_mins}.",) * 4),
    (*base.NO_SHOW[1], *("To rebook: {owner} {w_rb_do}.",) * 4),
)
EMAIL: dict[tuple[str, bool], base.Bank] = {
    **base.EMAIL,
    ("request", False): (
        (*base.EMAIL[("request", False)][0], *_REQUEST),
        (*base.EMAIL[("request", False)][1], *("{x_ask} {x_slot}?",) * 4),
    ),
    ("reschedule", False): (
        (*base.EMAIL[("reschedule", False)][0], *("{w_rs_sorry}, {to_first}: {w_rs_why}.",) * 4),
        (*base.EMAIL[("reschedule", False)][1], *("{w_rs_alt}?",) * 3),
    ),
    ("no_show", False): (
        (*base.EMAIL[("no_show", False)][0], *("{w_ns_miss}, {to_first}.",) * 3),
        (*base.EMAIL[("no_show", False)][1], *("{w_ns_next}?",) * 3),
    ),
    ("nudge", False): (
        (*base.EMAIL[("nudge", False)][0], *("{w_ng_open}, {to_first}.",) * 3),
        (*base.EMAIL[("nudge", False)][1], *("{w_ng_ask}?",) * 3),
    ),
    ("request", True): (
        (*base.EMAIL[("request", True)][0], *("{r_thanks} {r_for}, {to_first}.",) * 4),
        (*base.EMAIL[("request", True)][1], *("{r_offer} {r_call} {r_when}.",) * 4),
    ),
}
