"""Clause-built wordings for the emails the default run writes most (follow-ups and scheduling).

Whole sentences repeat across deals however many are added; a sentence built from an opener, a
verb phrase, an object and a tail (each a rule with several alternatives) multiplies instead.
`WIDER` adds such sentences to the existing rules of `phrases`; `PARTS` are their clauses.
Fields and building blocks are those of `phrases` ({label}, {when}, {someone}, {artifact}, ...);
`{someone}` is always plural, so verbs after it agree.
"""

from __future__ import annotations

PARTS: dict[str, tuple[str, ...]] = {
    # seller, after a meeting
    "fu_thanks": (
        "Thanks for",
        "Thank you for",
        "Many thanks for",
        "I appreciated",
        "Grateful for",
        "Really glad we had",
        "Thanks a lot for",
    ),
    "fu_occasion": (
        "the time in the {label}",
        "the hour in the {label}",
        "an open {label}",
        "a frank {label}",
        "the {label} this week",
        "the detail you gave in the {label}",
        "the candour in the {label}",
        "making room for the {label} in a busy week",
        "bringing {someone} to the {label}",
        "the straight answers in the {label}",
    ),
    "fu_aside": (
        "",
        "; it helped us a lot",
        "; we learned a great deal",
        "; it gave us a clear picture",
        " and for the follow-up questions",
        "; the examples were exactly what we needed",
        "; it saved us weeks of guessing",
    ),
    "fu_recap_head": (
        "Below is",
        "Here is",
        "Sending over",
        "As promised, here is",
        "Putting down",
        "Jotting down",
        "Sharing",
    ),
    "fu_recap_what": (
        "a short recap of the {label}",
        "what I took from the {label}",
        "my read of the {label}",
        "a summary of where the {label} left us",
        "the gist of the {label}",
        "the outline of the {label} as I saw it",
        "the short version of the {label}",
        "how I understood the {label}",
    ),
    "fu_recap_tail": (
        "",
        " while it's fresh",
        " so we're working from the same page",
        " for you and {someone}",
        ", so correct me where I'm off",
        " before the detail fades",
        " in case it's useful for {someone}",
        " so nothing gets lost",
    ),
    "fu_struck": (
        "What stayed with me from the {label} was",
        "The point I keep coming back to from the {label} is",
        "What struck me most in the {label} was",
        "If I had to pick one thing from the {label}, it would be",
        "The biggest lesson for us from the {label} was",
        "Listening back over my notes from the {label}, the theme is",
    ),
    "fu_struck_obj": (
        "how much time {artifact} takes",
        "how much {someone} depend on {source}",
        "the pressure {artifact} puts on {team}",
        "how often {worry} came up",
        "how keen {someone} are on {liked}",
        "how much manual work sits behind {artifact}",
        "the gap between {source} and what {team} need",
        "how late {artifact} reaches the people who use it",
    ),
    "fu_we_will": (
        "we'll",
        "our team will",
        "I'll",
        "my colleagues and I will",
        "our solutions engineer will",
    ),
    "fu_action": (
        "come back with a clear answer on {worry}",
        "build the next session around {artifact}",
        "show {liked} with your own numbers",
        "check how {tech_topic} works in your set-up",
        "{send} a short note on {case_point}",
        "map out how {someone} would use {liked}",
        "prepare a worked example from {source}",
        "look into {ask}",
    ),
    "fu_when": (
        "{soon}",
        "before we next speak",
        "ahead of the next session",
        "once we've checked with our product team",
        "so you have it before the {team} review",
        "while the {label} is still fresh",
    ),
    "fu_heard": (
        "You said",
        "We heard that",
        "It came through clearly that",
        "I noted that",
        "It sounded as if",
        "If I understood you right,",
    ),
    "fu_heard_obj": (
        "{someone} {rebuild} {artifact} {often}",
        "{someone} spend too long on {artifact}",
        "{doubt}",
        "{someone} would rather rely on {liked} than on {source}",
        "{worry} is the first thing {team} will ask about",
        "{artifact} is built from {source} {often}",
    ),
    # buyer, after a meeting
    "in_fu_who": (
        "The {team} team",
        "Most of us",
        "Everyone who joined",
        "{someone_cap}",
        "Our side",
        "The people in the room",
    ),
    "in_fu_felt": (
        "found the {label} useful",
        "came away from the {label} with a better picture",
        "talked the {label} over afterwards",
        "liked the pace of the {label}",
        "left the {label} with a few open questions",
        "were more positive after the {label} than before it",
    ),
    "in_fu_but": (
        "",
        ", though {worry} still needs an answer",
        ", and {liked} got the most attention",
        ", especially the part on {artifact}",
        ", but {tech_topic} will need more detail",
        "; {doubt} remains the real problem",
        ", and they want to see {liked} again",
    ),
    # scheduling, both sides
    "sch_ask": (
        "Would",
        "Could",
        "Will",
    ),
    "sch_slot": (
        "{when} work for the {label}",
        "{when} suit you for the {label}",
        "{when} be a good time for the {label}",
        "{when} be too soon for the {label}",
    ),
    "sch_why": (
        "It would let us",
        "That gives us time to",
        "It leaves room to",
        "The idea is to",
        "We'd use it to",
        "It's a chance to",
    ),
    "sch_goal": (
        "go through {artifact} together",
        "look at {tech_topic} properly",
        "pick up the questions on {worry}",
        "show {liked} to {someone}",
        "hear from {someone} first-hand",
        "agree what a first phase covers",
        "walk through {liked} with your data",
    ),
    "sch_ok": (
        "{when} works",
        "{when} is fine",
        "{when} suits us",
        "{when} is free on our side",
        "We can make {when}",
        "{when} is good",
    ),
    "sch_then": (
        "I'll bring {other_first}",
        "{someone} will join for the first half",
        "I'll have {artifact} open to show",
        "we'd like to start with {worry}",
        "I'll block the hour and tell {team}",
        "{someone} may dial in from another site",
        "we'll keep it to the time booked",
        "I'll send the invite on to {someone}",
    ),
    "sch_done": (
        "Booked",
        "Done",
        "Great",
        "Perfect",
        "Confirmed",
        "All set",
    ),
    "sch_next": (
        "the invite for {when} is on its way",
        "I've put the {label} in for {when}",
        "you'll see an invite for {when} shortly",
        "{when} is held for the {label}",
        "the calendar hold for {when} is out",
    ),
    "sch_plus": (
        "",
        "; I'll open with {worry}",
        "; our solutions engineer joins for {tech_topic}",
        "; add {someone} if they'd like to come",
        "; I'll keep ten minutes for questions on {artifact}",
        "; an agenda follows {soon}",
        "; we'll pick up where the {prev} ended",
    ),
}

WIDER: dict[str, tuple[str, ...]] = {
    "open_out_follow_up": (
        "{fu_thanks} {fu_occasion}{fu_aside}.",
        "{fu_thanks} {fu_occasion}{fu_aside}.",
        "{fu_recap_head} {fu_recap_what}{fu_recap_tail}.",
        "{fu_recap_head} {fu_recap_what}{fu_recap_tail}.",
        "{fu_struck} {fu_struck_obj}.",
        "{fu_struck} {fu_struck_obj}.",
    ),
    "mid_out_follow_up": (
        "{fu_heard} {fu_heard_obj}; {fu_we_will} {fu_action} {fu_when}.",
        "{fu_heard} {fu_heard_obj}; {fu_we_will} {fu_action} {fu_when}.",
        "{fu_heard} {fu_heard_obj}; {fu_we_will} {fu_action} {fu_when}.",
        "As a next step, {fu_we_will} {fu_action} {fu_when}.",
        "As a next step, {fu_we_will} {fu_action} {fu_when}.",
        "{fu_struck} {fu_struck_obj}, so {fu_we_will} {fu_action} {fu_when}.",
        "{fu_struck} {fu_struck_obj}, so {fu_we_will} {fu_action} {fu_when}.",
    ),
    "open_in_follow_up": (
        "{in_fu_who} {in_fu_felt}{in_fu_but}.",
        "{in_fu_who} {in_fu_felt}{in_fu_but}.",
        "{in_fu_who} {in_fu_felt}{in_fu_but}.",
        "{in_fu_who} {in_fu_felt}{in_fu_but}.",
    ),
    "open_out_scheduling": (
        "{sch_ask} {sch_slot}? {sch_why} {sch_goal}.",
        "{sch_ask} {sch_slot}? {sch_why} {sch_goal}.",
        "{sch_ask} {sch_slot}? {sch_why} {sch_goal}.",
        "{sch_ask} {sch_slot}? {sch_why} {sch_goal}.",
        "{sch_ask} {sch_slot}? {sch_why} {sch_goal}.",
    ),
    "reply_in_scheduling": (
        "{sch_ok}; {sch_then}.",
        "{sch_ok}; {sch_then}.",
        "{sch_ok}; {sch_then}.",
        "{sch_ok}; {sch_then}.",
        "{sch_ok}; {sch_then}.",
    ),
    "reply_out_scheduling": (
        "{sch_done}: {sch_next}{sch_plus}.",
        "{sch_done}: {sch_next}{sch_plus}.",
        "{sch_done}: {sch_next}{sch_plus}.",
        "{sch_done}: {sch_next}{sch_plus}.",
    ),
}


def widen(base: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """`base` with the clause parts added and each widened rule's alternatives extended."""
    out = {**base, **PARTS}
    for name, extra in WIDER.items():
        out[name] = (*base[name], *extra)
    return out
