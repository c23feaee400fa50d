# ruff: noqa: E501  (word banks: one alternative per line reads better than wrapped strings)
"""More alternatives for the building blocks every rule leans on, so the words around the
deal's facts vary from deal to deal.

`MORE` maps a rule of `phrases.RULES` or `clauses.PARTS` to alternatives added to it by
`extend`. Each addition must read right wherever its rule is used: `liked`, `worry`,
`tech_topic`, `case_point` and `ask` are noun phrases, `doubt` is a clause, `soon` and `often`
are time phrases, the `w_*` parts single words or short phrases of the same kind as the rule's
existing ones (see `clauses`).
"""

from __future__ import annotations

from demo_gen.stages.content import mail_wording, note_wording, qa_wording, reply_wording

MORE: dict[str, tuple[str, ...]] = {
    # building blocks (phrases.RULES)
    "often": (
        "every Friday afternoon",
        "after each board meeting",
        "at quarter end",
        "before every planning round",
        "each morning",
        "every other week",
        "ahead of each steering meeting",
        "whenever a region reports late",
    ),
    "source": (
        "emailed spreadsheets",
        "a reporting database nobody owns",
        "CSV exports pasted into workbooks",
        "a patchwork of macros",
        "screenshots from {system}",
        "two overlapping data marts",
        "hand-kept trackers",
    ),
    "rebuild": ("rework", "re-key", "piece together", "patch up", "double-check"),
    "doubt": (
        "every team quotes a different total",
        "the figures change after they are circulated",
        "managers keep their own side spreadsheets",
        "nobody trusts last month's numbers until finance signs them off",
        "the same question gets three different answers",
        "reports go out with known gaps",
        "the latest figures are always a week old",
        "small errors only surface in the board meeting",
    ),
    "liked": (
        "the approval workflow for new metrics",
        "the side-by-side comparison of periods",
        "a daily digest by email",
        "the lineage view behind each number",
        "thresholds that flag outliers automatically",
        "role-based views for each region",
        "the one-click export to slides",
        "targets shown next to actuals",
        "comments that stay with each figure",
    ),
    "reaction": (
        "won over the sceptics",
        "got nods around the table",
        "was the part {lead} asked to see twice",
        "changed the mood of the meeting",
        "got people talking",
        "was what the room remembered",
    ),
    "worry": (
        "the cut-over from the old reports",
        "who signs off new metrics",
        "the time analysts can spare",
        "data quality in the source systems",
        "the licence count for occasional users",
        "how fast support tickets get answered",
        "the security review queue",
        "the workload during month end",
        "keeping two systems running in parallel",
    ),
    "tech_topic": (
        "the data retention settings",
        "how audit logs are exported",
        "the upgrade schedule",
        "SCIM provisioning",
        "how connectors handle outages",
        "key management",
        "uptime reporting",
        "test and production separation",
    ),
    "tech_verdict": (
        "the architect is comfortable so far",
        "two follow-up questions came out of it",
        "they asked for the written security pack",
        "nothing that stops the project",
    ),
    "case_point": (
        "the hours saved each month",
        "the cost of late decisions",
        "the ramp-up in the first year",
        "the cost of keeping the old tools",
        "the internal time for the rollout",
        "the risk of doing nothing",
    ),
    "ask": (
        "a pilot before the full commitment",
        "extra admin training for two people",
        "a cap on the yearly price increase",
        "monthly billing for the first year",
        "a break clause after twelve months",
        "free sandbox seats for testing",
    ),
    "soon": (
        "shortly",
        "in a day or so",
        "as soon as possible",
        "before our next call",
        "this afternoon",
        "tomorrow",
        "within a day or two",
        "before Wednesday",
        "by the end of next week",
        "over the next couple of days",
        "by midweek",
    ),
    "send": ("draft", "circulate", "prepare"),
    # clause parts (clauses.PARTS)
    "w_quality": (
        "constructive",
        "rich",
        "well-run",
        "valuable",
        "insightful",
        "energetic",
        "clear",
        "good",
        "busy",
        "fruitful",
    ),
    "w_short": ("concise", "two-minute", "quick written"),
    "w_recap": ("overview", "round-up"),
    "w_big": ("strongest", "most useful", "headline", "standout"),
    "w_close": (
        "Let me know",
        "Just reply",
        "Give me a shout",
        "Send me a note",
        "Email me",
        "Message me",
        "Just say",
    ),
    "w_what": (
        "the figures need checking",
        "{artifact} changes before then",
        "we should bring anyone else",
        "{someone} have a different view",
        "a call would be quicker",
        "{someone} raise new questions",
        "the timing gets tight",
        "you'd like a shorter version",
        "we've misread anything",
        "the priorities shift",
    ),
    "w_what_in": (
        "we hear from procurement",
        "{someone} have had a look",
        "the budget picture is clearer",
        "we have a date for the next step",
    ),
    "w_next": ("Right away", "As agreed", "To keep things moving", "On our end"),
    "w_sends": ("sends over", "emails", "uploads"),
    "w_sample": ("last month's copy of", "one cycle of", "a redacted copy of"),
    "w_build": ("base", "organise", "structure", "tailor"),
    "w_demo": ("demo script", "session", "demo run", "next demo"),
    "w_checks": ("double-checks", "walks through", "goes over", "tests"),
    "w_numbers": ("the estimates", "the time figures", "our assumptions", "the counts"),
    "w_prio": ("the pressing part", "top of the list", "where it hurts", "the main pain"),
    "w_open": ("pending", "unsettled", "unanswered", "being discussed"),
    "w_again": ("in detail", "on our own data", "with the wider team"),
    "w_read": ("digest", "annotate", "look over", "check"),
    "w_core": ("central", "root", "persistent", "everyday", "biggest single"),
    "w_said": ("came back to", "described in detail", "was blunt about", "put numbers on"),
    "w_lost": ("used up", "absorbed", "soaked up", "tied up"),
    "w_now": ("currently", "these days", "right now"),
    "w_goal": ("as the ambition", "after go-live", "within a year", "as the end state"),
    "w_raised": ("brought up", "circled back to", "stressed", "dwelt on"),
    "w_when_raised": ("Right at the start", "Halfway through", "Towards the end", "Unprompted"),
    "w_sch_share": ("Roughly half", "A large part", "The bulk"),
    "fu_thanks": ("Thanks again for", "Thanks so much for"),
    "fu_recap_head": ("Below you'll find", "Here's", "Writing down"),
    "fu_we_will": ("our product lead will", "we will", "I will", "the two of us will"),
    "fu_heard": (
        "What I heard was that",
        "From what you said,",
        "My takeaway is that",
        "As you put it,",
        "The picture we got is that",
        "Correct me if I'm wrong, but",
    ),
    "in_re_ack": ("Looks right", "Good summary", "Well captured", "Thanks for this", "All correct"),
    "sch_done": ("Sorted", "Locked in", "Great, thanks", "Noted"),
    "sch_why": ("The aim is to", "It gives us a chance to", "We'd like to", "That lets us"),
    # scheduling (clauses.PARTS)
    "sch_slot": (
        "{when} fit your diary for the {label}",
        "{when} be convenient for the {label}",
    ),
    "sch_goal": (
        "agree the next steps",
        "test {liked} against your numbers",
        "cover {tech_topic}",
        "talk through {case_point}",
        "see where {artifact} could improve",
        "answer the open points from the {prev}",
    ),
    "sch_ok": (
        "{when} is fine by me",
        "{when} fits",
        "{when} is no problem",
        "We'll take {when}",
        "Happy with {when}",
        "{when} it is",
    ),
    "sch_then": (
        "I'll ask {someone} to join",
        "{other_first} will join if the timing allows",
        "please send the dial-in",
        "we'll come with questions on {worry}",
        "I'll make sure {someone} have seen {artifact} beforehand",
        "we have a hard stop after the hour",
        "I'll book a room for us",
        "expect {someone} as well",
    ),
    "sch_next": (
        "the {label} is in the diary for {when}",
        "you have the invite for {when}",
        "{when} is locked in",
        "the {label} is set for {when}",
    ),
    "sch_plus": (
        "; I'll bring a short agenda",
        "; {other_first} is on the invite too",
        "; shout if more people should join",
        "; we'll keep it to the hour",
        "; I'll share a couple of slides on screen",
    ),
    "w_in_sch_ask": (
        "Could we schedule",
        "Any chance of a slot for",
        "Can you propose a time for",
        "Could we pencil in",
    ),
    "w_in_sch_pref": (
        "We need about forty-five minutes",
        "Whatever suits your team is fine",
        "{someone_cap} would like to join",
        "We can do video or come to you",
        "Half an hour would do",
    ),
    "w_sch_topic": (
        "the open points from the {prev}",
        "{liked}",
        "{case_point}",
        "how {artifact} would look",
    ),
    # follow-ups (clauses.PARTS)
    "fu_occasion": (
        "the {w_quality} conversation in the {label}",
        "your time in the {label}",
        "the {w_quality} discussion during the {label}",
        "the questions in the {label}",
        "walking us through {artifact} in the {label}",
        "your patience with our questions in the {label}",
    ),
    "fu_aside": (
        "; it moved things forward",
        "; the detail will help us prepare",
        " and for bringing the numbers",
        "; we came away with plenty to work on",
        " and for the honest answers",
    ),
    "fu_recap_tail": (
        " for the wider team",
        " to keep us aligned",
        " before I forget the detail",
        " as a reference for {someone}",
    ),
    "fu_struck_obj": (
        "how many hands {artifact} passes through",
        "how much of the week goes on {artifact}",
        "how little {someone} trust {source}",
        "how {worry} shapes every decision",
        "how clearly {someone} know what they need",
        "the amount of checking behind {artifact}",
    ),
    "fu_action": (
        "{send} a one-page outline of {liked}",
        "bring examples of {liked} from similar teams",
        "check {worry} with our product team",
        "prepare a proposal for {artifact}",
        "set up a sandbox with your data",
        "draft a plan for {tech_topic}",
    ),
    "fu_when": (
        "within the week",
        "in good time before we meet",
        "after a word with our engineers",
    ),
    "fu_heard_obj": (
        "{artifact} takes {someone} longer than it should",
        "{source} is where most of the errors start",
        "{someone} wait on {artifact} {often}",
        "{team} care more about {worry} than about cost",
        "{liked} would save {someone} real time",
    ),
    "in_fu_who": (
        "Our group",
        "The {team} leads",
        "Those of us who joined",
        "My colleagues",
        "The whole team",
    ),
    "in_fu_felt": (
        "got a lot out of the {label}",
        "appreciated the {w_quality} {label}",
        "found the {label} a good use of time",
        "want to build on the {label}",
        "compared notes after the {label}",
    ),
    "in_fu_but": (
        ", and {someone} asked for the slides",
        "; the open point is {worry}",
        ", though {someone} want more on {tech_topic}",
        ", and the examples on {artifact} hit home",
    ),
    "in_re_then": (
        "I'll share it with {someone} {soon}",
        "{someone} may add a few points",
        "the section on {artifact} is exactly right",
        "we'll come back on {worry} separately",
        "{liked} is what we most want to see next",
    ),
}


def extend(rules: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """`rules` with the new parts of the banks (`note_wording`, ...) and each rule of a bank's
    `MORE` given the extra alternatives, its sentence-start twin (`liked_cap` for `liked`) the
    same ones capitalised; KeyError for a rule that does not exist (a typo would otherwise add
    a rule nothing uses) or a new part that shadows one."""
    out = dict(rules)
    for parts in _PARTS:
        for name, options in parts.items():
            if name in out:
                raise KeyError(f"part {name} already exists")
            out[name] = options
    for more in (MORE, *_MORE):
        for name, extra in more.items():
            out[name] = (*out[name], *extra)
            if f"{name}_cap" in out:
                capped = (e[:1].upper() + e[1:] for e in extra)
                out[f"{name}_cap"] = (*out[f"{name}_cap"], *capped)
    return out


_PARTS = (note_wording.PARTS, qa_wording.PARTS, mail_wording.PARTS, reply_wording.PARTS)
_MORE = (note_wording.MORE, mail_wording.MORE, reply_wording.MORE)
