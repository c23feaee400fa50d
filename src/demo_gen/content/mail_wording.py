# ruff: noqa: E501  (word banks: one alternative per line reads better than wrapped strings)
"""Slot-built sentences for the emails' closing asks and the facts emails and notes state
(criteria, decision steps, budget), as in `clauses`.

`PARTS` are new rules; `MORE` adds alternatives to existing ones (`wording.extend` merges both).
A fact's fields ({c1}, {d1}, {amount}, ...) stay verbatim; only the words around them vary.
"""

from __future__ import annotations

PARTS: dict[str, tuple[str, ...]] = {
    "m_happy": ("Happy to", "Glad to", "I'm happy to", "Always happy to"),
    "m_go": ("go through", "talk through", "walk through", "expand on", "revisit"),
    "m_any": ("any of this", "the open points", "the numbers", "the detail", "any part of it"),
    "m_on": (
        "on a call",
        "in ten minutes on the phone",
        "with {someone}",
        "before the next session",
        "in person",
    ),
    "m_keep": (
        "I'll keep you posted on",
        "You'll hear from me on",
        "I'll update you on",
        "More soon on",
    ),
    "m_topic": (
        "{artifact}",
        "{worry}",
        "how {team} reacts",
        "the internal review",
        "our side of the plan",
    ),
    "m_crit_head": (
        "We will judge vendors on",
        "Our shortlist comes down to",
        "What we need to see:",
        "The non-negotiables for {team}:",
        "Our scoring covers",
        "We'll score everyone on",
    ),
    "m_crit_verb": (
        "will score vendors on",
        "put three things first:",
        "listed the must-haves:",
        "needs to see",
        "boiled it down to",
    ),
    "m_crit_out": (
        "We'll build the next session around",
        "Our proposal will answer",
        "We've noted your three tests:",
        "You'll see us address",
    ),
    "m_plan_head": (
        "Our internal steps:",
        "The path on our side:",
        "Here is how we get to a decision:",
        "What has to happen:",
        "Our sequence is",
        "Planning-wise:",
    ),
    "m_plan_out": (
        "The dates we're working to:",
        "Our shared plan:",
        "As I have it:",
        "The milestones, as agreed:",
        "The steps we noted:",
    ),
    "m_laid": ("laid out", "walked us through", "confirmed", "wrote down", "shared"),
    "m_confirm_head": (
        "To confirm:",
        "For the record,",
        "Confirming that",
        "I can confirm",
        "Good news:",
        "As promised:",
    ),
    "m_sits": ("sits", "is set aside", "is reserved", "is approved", "is held"),
    # scheduling, second shapes
    "m_sch_propose": (
        "Proposing",
        "Pencilling in",
        "I'd suggest",
        "My suggestion is",
        "Suggesting",
    ),
    "m_sch_flex": (
        "; happy to move it",
        ", or any time that week",
        "; another day works too",
        " if that suits {someone}",
        ", give or take an hour",
        "; tell me if it clashes",
    ),
    "m_sch_need": ("We'll need", "Plan for", "It should take", "Allow"),
    "m_sch_len": ("about an hour", "forty-five minutes", "an hour at most", "the full hour"),
    "m_sch_with": (
        "with {someone}",
        "with you and {other_first}",
        "with whoever owns {artifact}",
        "with the {team} team",
    ),
    "m_in_ok": ("Good for us", "Fine by us", "Suits us", "Works on our side", "No objection here"),
    "m_in_who": (
        "I'll bring {other_first}",
        "{someone} will come too",
        "it'll be just me",
        "{other_first} may join late",
    ),
    "m_in_ask": ("Could you send", "Please send", "Can you share", "Would you send"),
    "m_in_what": (
        "a short agenda",
        "the dial-in",
        "the list of attendees",
        "a few lines on what to prepare",
    ),
    "m_in_when": ("beforehand", "a day ahead", "before then", "{soon}"),
    # words inside the follow-ups' whole sentences (phrases.EMAIL_RULES)
    "f_good": ("good", "useful", "helpful", "interesting", "eye-opening", "valuable"),
    "f_works": (
        "works",
        "runs its week",
        "handles {artifact}",
        "gets {artifact} out",
        "deals with {worry}",
    ),
    "f_noted": ("noted", "wrote down", "took away", "logged", "captured"),
    "f_come_back": (
        "come back on them",
        "answer them",
        "reply in writing",
        "follow up",
        "get you answers",
    ),
    "f_few": ("A few", "Some", "Brief", "Short", "My", "Our"),
    "f_many": ("Many thanks", "Thanks", "Special thanks", "Big thanks"),
    "f_joining": ("joining", "sitting in on", "making time for", "their questions in"),
    "f_quick": ("Quick", "Short", "Brief", "A quick", "My"),
    "f_fresh": (
        "while it's fresh",
        "before the detail fades",
        "for the record",
        "so we're aligned",
    ),
    "f_recap": ("Recap", "Summary", "Notes", "A round-up", "Key points"),
    "f_missing": ("missing", "wrong", "unclear", "off", "incomplete"),
    "f_misread": (
        "misread",
        "got anything wrong about",
        "misunderstood",
        "oversimplified",
        "left anything out about",
    ),
    "f_next": (
        "the next step",
        "the next session",
        "working together",
        "the follow-up",
        "hearing back",
    ),
    "f_fix": ("fix", "tackle", "address", "solve", "look at"),
    "f_follow": ("follow up on", "come back on", "write to you about", "pick up"),
    "f_writing": ("Writing up", "Summarising", "Putting down", "Notes on"),
    "f_prepare": ("prepare", "write", "put together", "draft"),
    "f_answer": ("an answer", "a short note", "a proper answer", "a written answer"),
    "f_much": ("much", "heavily", "often"),
    "f_rely": ("rely on", "depend on", "fall back on", "work around"),
    "f_cover": (
        "cover it properly",
        "answer it in full",
        "bring the detail",
        "come prepared on it",
    ),
    "f_next_time": ("next time", "in the next session", "before we meet again", "{soon}"),
    "f_easiest": ("easiest", "best", "most natural", "quickest", "simplest"),
    "f_tailor": ("tailor", "shape", "adapt", "pitch", "gear"),
    "f_hosting": ("hosting", "organising", "running", "setting up", "chairing"),
    "f_heard": ("heard", "learned", "took away", "noted", "understood"),
    # agendas of upcoming meetings
    "m_goal_verb": ("Agree", "Settle", "Understand", "Check", "Confirm", "Clarify"),
    "m_goal_obj": (
        "what {someone} need from {artifact}",
        "how {team} would measure success",
        "the open points on {worry}",
        "who signs off {case_point}",
        "where {liked} fits in",
        "the next step after the {label}",
    ),
    "m_prep_who": ("Our specialist", "{owner}", "Our solutions engineer", "Our account team"),
    "m_prep_do": ("brings", "prepares", "drafts", "checks", "sends {lead}"),
    "m_prep_obj": (
        "a one-page view of {artifact}",
        "two customer examples",
        "answers on {worry}",
        "a short demo of {liked}",
        "the notes from the {prev}",
        "a draft timeline",
    ),
}

MORE: dict[str, tuple[str, ...]] = {
    "ask_out": (
        "{m_happy} {m_go} {m_any} {m_on}, {to_first}.",
        "{m_happy} {m_go} {m_any} {m_on}.",
        "{w_close} {w_cond} {w_what}.",
        "{w_close} {w_cond} {w_what}.",
    ),
    "ask_in": (
        "{m_keep} {m_topic}.",
        "{m_keep} {m_topic}, {to_first}.",
        "I'll write {w_cond} {w_what_in}.",
    ),
    "mail_in_criteria": (
        "{m_crit_head} {c1}, {c2} and {c3}.",
        "{m_crit_head} {c1}, {c2} and {c3}.",
        "{m_crit_head} {c1}; {c2}; {c3}.",
    ),
    "mail_out_criteria": (
        "{m_crit_out} {c1}, {c2} and {c3}.",
        "{m_crit_out} {c1}; {c2}; {c3}.",
    ),
    "note_criteria": (
        "{lead} {m_crit_verb} {c1}, {c2} and {c3}.",
        "{lead} {m_crit_verb} {c1}; {c2}; {c3}.",
    ),
    "mail_in_process": (
        "{m_plan_head} {s1} by {d1}, {s2} by {d2} and {s3} by {d3}.",
        "{m_plan_head} {s1} by {d1}; {s2} by {d2}; {s3} by {d3}.",
    ),
    "mail_out_process": (
        "{m_plan_out} {s1} by {d1}, {s2} by {d2} and {s3} by {d3}.",
        "{m_plan_out} {s1} by {d1}; {s2} by {d2}; {s3} by {d3}.",
    ),
    "note_process": (
        "{lead} {m_laid} the steps: {s1} by {d1}, {s2} by {d2}, {s3} by {d3}.",
        "{lead} {m_laid} the steps: {s1} by {d1}; then {s2} by {d2}; then {s3} by {d3}.",
    ),
    "open_out_scheduling": (
        "{m_sch_propose} {when} for the {label}{m_sch_flex}.",
        "{m_sch_propose} {when} for the {label}{m_sch_flex}.",
        "{m_sch_propose} {when} for the {label} {m_sch_with}{m_sch_flex}.",
    ),
    "mid_out_scheduling": (
        "{m_sch_need} {m_sch_len} {m_sch_with}.",
        "{m_sch_need} {m_sch_len} {m_sch_with}.",
    ),
    "reply_in_scheduling": (
        "{m_in_ok}; {m_in_who}.",
        "{m_in_ok}; {m_in_ask} {m_in_what} {m_in_when}?",
        "{sch_ok}; {m_in_ask} {m_in_what} {m_in_when}?",
    ),
    "goal_discovery": ("{m_goal_verb} {m_goal_obj}.", "{m_goal_verb} {m_goal_obj}."),
    "goal_demo": ("{m_goal_verb} {m_goal_obj}.",),
    "goal_proposal": ("{m_goal_verb} {m_goal_obj}.",),
    "goal_negotiation": ("{m_goal_verb} {m_goal_obj}.",),
    "goal_intro": ("{m_goal_verb} {m_goal_obj}.",),
    "goal_business_case": ("{m_goal_verb} {m_goal_obj}.",),
    "prep": ("{m_prep_who} {m_prep_do} {m_prep_obj}.",) * 4,
}

BUDGET_RULE = "eb_budget"
"""The economic buyer confirming their own budget in an email (`mail.email_text`)."""
PARTS[BUDGET_RULE] = ("{m_confirm_head} {amount} {m_sits} in the {fy} {line} budget.",)
