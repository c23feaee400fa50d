# ruff: noqa: E501  (word banks: one alternative per line reads better than wrapped strings)
"""Slot-built questions, answers and acknowledgements for the customer question threads.

`MORE_QA` adds to `phrases.QA`, type by type and turn by turn, so an answer still answers the
question asked: every alternative of every slot keeps its type's marker words
(`phrases.QA_MARKERS`) and no other type's (a test expands them all). `PARTS` are the slots.
"""

from __future__ import annotations

PARTS: dict[str, tuple[str, ...]] = {
    "q_before": (
        "Before we go further,",
        "Before the {team} team commits,",
        "Ahead of our internal review,",
        "For our steering group:",
        "One question from our side:",
        "A practical question:",
    ),
    "q_could": ("could we", "would it be possible to", "can we"),
    "q_talk": ("talk to", "speak with", "get on a call with", "hear from"),
    "q_like_us": (
        "in our sector",
        "of similar size",
        "with a {team} team like ours",
        "who went through the same change",
        "in our line of business",
    ),
    "a_yes": ("Yes,", "Certainly,", "Of course,", "Absolutely,", "Gladly;"),
    "a_ref_do": ("I'll set up", "I'll arrange", "I'll line up", "let me organise", "I can book"),
    "a_ref_who": (
        "whose {team} team went live {a_ago}",
        "of a similar size",
        "in your sector",
        "that replaced a spreadsheet process like yours",
        "whose set-up looked a lot like yours",
    ),
    "a_ago": ("last year", "this spring", "a few months ago", "in the last quarter"),
    "k_thanks": ("Thanks", "Great, thank you", "Much appreciated", "Perfect", "Thank you"),
    "k_would": ("would", "will"),
    "k_help": (
        "help the {team} team a lot",
        "settle a few nerves here",
        "go a long way with our steering group",
        "be the right next step",
        "answer most of our doubts",
    ),
    "q_price_work": (
        "scale as we add users",
        "work for a team of our size",
        "handle occasional users",
        "look over three years",
        "change if more teams join later",
    ),
    "a_price_lead": (
        "In short,",
        "For {account},",
        "Good question:",
        "To answer directly,",
        "Simply put,",
    ),
    "a_price_model": (
        "per platform with user bands",
        "one platform fee plus user bands",
        "by platform tier, not by seat",
        "a yearly platform fee with bands for users",
    ),
    "a_price_effect": (
        "adding users within a band costs nothing extra",
        "growth is a fixed step agreed upfront",
        "occasional users don't add cost",
        "you know the three-year cost on day one",
        "finance sees no surprises as usage grows",
    ),
    "k_price_ok": (
        "works for us",
        "is easy to explain to finance",
        "fits how we budget",
        "answers the question",
        "is simpler than we feared",
        "makes the budget case easier",
    ),
    "q_sec_who": (
        "our security team",
        "our CISO's office",
        "the security review board",
        "our information security team",
    ),
    "q_sec_doc": (
        "SOC 2 report",
        "latest audit report",
        "SOC 2 report and a completed questionnaire",
        "audit report and penetration test summary",
    ),
    "a_sec_do": (
        "our security team sends the SOC 2 report under NDA {soon}",
        "the audit report goes out under NDA {soon}",
        "I'll have our security team send the SOC 2 report {soon}",
    ),
    "a_sec_more": (
        "we complete your questionnaire in the same week",
        "our security lead can join a call to walk through it",
        "the penetration test summary comes with it",
        "we'll answer the questionnaire line by line",
    ),
    "k_sec_who": ("team", "lead", "reviewers", "architect"),
    "k_sec_do": ("review it", "go through it", "look at it", "start on it"),
    "k_when": (
        "as soon as it arrives",
        "straight away",
        "before the review board meets",
        "the day it lands",
    ),
    "q_int_do": (
        "connect to",
        "pull data from",
        "connect securely to",
        "keep a connector running against",
    ),
    "a_int_lead": ("Yes:", "Good news:", "In short,", "Simply put,"),
    "a_int_how": (
        "natively",
        "out of the box",
        "with a native connector",
        "through a standard connector",
    ),
    "a_int_more": (
        "it needs only read-only access",
        "syncs are incremental",
        "there is nothing to build on your side",
        "setup takes an afternoon with your admin",
        "your IT team only grants a service account",
    ),
    "k_int": (
        "a ready connector to {system} removes a big worry",
        "that connector means no build for the {team} team",
        "our IT team will be relieved about the connector",
        "the connector was our biggest question",
    ),
    "q_tl_ask": (
        "how long does implementation usually take",
        "what rollout timeline should we plan for",
        "how many weeks does a typical rollout take",
        "what does the implementation timeline look like for a team our size",
    ),
    "a_tl_lead": ("Typically,", "In our experience,", "From recent projects,", "Realistically,"),
    "a_tl_size": ("your size", "like yours", "with a similar setup", "in your sector"),
    "a_tl_more": (
        "first reports go live in week three",
        "the first dashboards arrive in the third week",
        "most of the effort sits with us, not your team",
        "your team needs a few hours a week",
        "we agree the plan at the kickoff",
    ),
    "k_tl": (
        "six to ten weeks fits our plans",
        "that rollout timeline works for us",
        "that implementation timeline is realistic for the {team} team",
        "six to ten weeks is workable",
    ),
    "q_res_ask": (
        "where would our data be hosted",
        "can our data stay in-region",
        "which region would host our data",
        "can you guarantee our data stays in its region",
    ),
    "a_res_do": (
        "your data is hosted in the region you choose",
        "we host in-region",
        "hosting stays in your region",
        "the data is hosted in-region and never leaves it",
    ),
    "a_res_more": (
        "we run separate EU, US and APAC regions",
        "backups stay in the same region",
        "support staff access is logged",
        "the region is fixed in the contract",
    ),
    "k_res": (
        "in-region hosting settles the data question",
        "hosting in-region was a must for us",
        "that answers where the data will be hosted",
        "keeping data in the region satisfies our compliance team",
    ),
    # second sentence shapes
    "a_ref_lead": ("Good news:", "Yes;", "Happy to help:", "Certainly:"),
    "a_ref_agreed": ("has agreed to", "is open to", "has offered", "would welcome"),
    "a_ref_tail": (
        "",
        " next week",
        "; I'll send times",
        " with your {team} team",
        "; I'll make the introduction",
    ),
    "a_price_model2": (
        "one platform fee with user bands",
        "a platform tier sized to your users",
        "a yearly fee by platform tier",
        "a fixed platform price plus user bands",
    ),
    "a_sec_lead2": ("Happy to:", "No problem:", "Of course:", "Sure:"),
    "a_sec_doc2": (
        "our SOC 2 report",
        "the latest audit report",
        "our SOC 2 Type II report",
        "the security pack with our SOC 2 report",
    ),
    "a_sec_goes": (
        "goes to your security team",
        "will be with your security team",
        "is on its way to your security team",
    ),
    "a_sec_tail": (
        "",
        " {soon}",
        ", questionnaire included",
        " along with the penetration test summary",
    ),
    "a_int_sure": ("Yes:", "No build needed:", "Good question:", "Straightforward:"),
    "a_int_verb": (
        "is standard",
        "ships with the product",
        "is already in production at other customers",
        "is maintained by us",
    ),
    "a_tl_plan": ("Plan on", "Expect", "Budget for", "Count on"),
    "a_tl_for": (
        "for the rollout",
        "from kickoff to go-live",
        "for an implementation like yours",
        "for a team your size",
    ),
    "a_res_lead": ("On hosting:", "Good question:", "Yes:", "Simply put,"),
    "q_price_when": (
        "for {account}",
        "for our first year",
        "if we start with one team",
        "as we grow",
        "over a three-year term",
    ),
    "q_sec_who2": (
        "our security review",
        "the security team",
        "our information security review",
        "the security board",
    ),
    "q_int_q": (
        "Is there a native connector to",
        "How do you connect to",
        "Can you pull data from",
    ),
    "q_int_tail": ("", " without us building anything", " with read-only access", " at {account}"),
    "q_tl_lead": ("Realistically,", "Roughly,", "For planning,", "In your experience,"),
    "q_tl_would": ("would", "does", "will"),
    "q_tl_tail": ("", " for a team like ours", " at {account}", " from signature"),
    "q_res_lead": ("For compliance,", "For our legal team,", "Important for us:", "One must-have:"),
    "q_res_ask2": (
        "where is the data hosted",
        "does our data stay in-region",
        "which region hosts the data",
        "can hosting stay in our region",
    ),
    "k_ref_lead": ("Thank you", "Great", "Much appreciated", "Perfect"),
    "k_ref_will": (
        "is exactly what we need",
        "will reassure {someone}",
        "will help our internal case",
        "can happen any day next week",
    ),
    "k_price_lead": ("Thanks; that", "Good; that", "Clear, thanks; that", "Helpful; that"),
    "k_price_ok2": (
        "is what finance hoped for",
        "makes budgeting simple",
        "works for a team our size",
        "is easy to defend internally",
    ),
    "k_sec_who2": (
        "our security team",
        "the security reviewers",
        "our security architect",
        "the security office",
    ),
    "k_int2": (
        "answers IT's main question",
        "saves us a build project",
        "to {system} was the key point",
        "makes the pilot much easier",
    ),
    "k_tl2": (
        "a rollout in six to ten weeks fits",
        "six to ten weeks lines up with our plan",
        "the implementation plan sounds realistic",
    ),
    "k_res2": (
        "in-region hosting ticks our compliance box",
        "our legal team wanted data hosted locally",
        "data staying in-region was the key point",
        "hosting in our region was non-negotiable",
    ),
}

MORE_QA: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "reference": (
        (
            *("{q_before} {q_could} {q_talk} a reference customer {q_like_us}?",) * 3,
            *("Is there a customer {q_like_us} we could {q_talk} as a reference?",) * 2,
        ),
        (
            *("{a_yes} {a_ref_do} a reference call with a customer {a_ref_who}.",) * 3,
            *("{a_ref_lead} a customer {a_ref_who} {a_ref_agreed} a reference call{a_ref_tail}.",)
            * 2,
        ),
        (
            *("{k_thanks}; a reference call {k_would} {k_help}.",) * 3,
            *("{k_ref_lead}, {to_first}; the reference call {k_ref_will}.",) * 2,
        ),
    ),
    "pricing": (
        (
            *("{q_before} how does pricing {q_price_work}?",) * 3,
            *("What would pricing look like {q_price_when}?",) * 2,
        ),
        (
            *("{a_price_lead} pricing is {a_price_model}, so {a_price_effect}.",) * 3,
            *("Pricing for {account} would be {a_price_model2}; {a_price_effect}.",) * 2,
        ),
        (
            *("{k_thanks}; that pricing {k_price_ok}.",) * 3,
            *("{k_price_lead} pricing model {k_price_ok2}.",) * 2,
        ),
    ),
    "security": (
        (
            *("{q_before} {q_sec_who} needs your {q_sec_doc}; could you send it?",) * 3,
            *("Could you send your {q_sec_doc} for {q_sec_who2}?",) * 2,
        ),
        (
            *("{a_yes} {a_sec_do}, and {a_sec_more}.",) * 3,
            *("{a_sec_lead2} {a_sec_doc2} {a_sec_goes} under NDA{a_sec_tail}.",) * 2,
        ),
        (
            *("{k_thanks}; our security {k_sec_who} will {k_sec_do} {k_when}.",) * 3,
            *("{k_thanks}; {k_sec_who2} will {k_sec_do} {k_when}.",) * 2,
        ),
    ),
    "integration": (
        (
            "{q_before} how would you {q_int_do} {system}?",
            "{q_before} is there a native connector to {system}?",
            *("{q_int_q} {system}{q_int_tail}?",) * 2,
        ),
        (
            *("{a_int_lead} we connect to {system} {a_int_how}; {a_int_more}.",) * 3,
            *("{a_int_sure} the connector to {system} {a_int_verb}; {a_int_more}.",) * 2,
        ),
        (
            *("{k_thanks}; {k_int}.",) * 3,
            *("{k_thanks}; the connector {k_int2}.",) * 2,
        ),
    ),
    "timeline": (
        (
            *("{q_before} {q_tl_ask}?",) * 3,
            *("{q_tl_lead} how long {q_tl_would} the rollout take{q_tl_tail}?",) * 2,
        ),
        (
            *("{a_tl_lead} most teams {a_tl_size} are live in six to ten weeks; {a_tl_more}.",) * 3,
            *("{a_tl_plan} six to ten weeks {a_tl_for}; {a_tl_more}.",) * 2,
        ),
        (
            *("{k_thanks}; {k_tl}.",) * 3,
            *("{k_thanks}; {k_tl2}.",) * 2,
        ),
    ),
    "residency": (
        (
            *("{q_before} {q_res_ask}?",) * 3,
            *("{q_res_lead} {q_res_ask2}?",) * 2,
        ),
        (
            *("{a_yes} {a_res_do}; {a_res_more}.",) * 3,
            *("{a_res_lead} {a_res_do}, and {a_res_more}.",) * 2,
        ),
        (
            *("{k_thanks}; {k_res}.",) * 3,
            *("{k_thanks}; {k_res2}.",) * 2,
        ),
    ),
}


def wider_qa(
    qa: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]],
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """`qa` with each type's turns given the slot-built alternatives."""
    return {
        kind: (
            (*turns[0], *MORE_QA[kind][0]),
            (*turns[1], *MORE_QA[kind][1]),
            (*turns[2], *MORE_QA[kind][2]),
        )
        for kind, turns in qa.items()
    }
