"""Wording for what only the story ahead has (`planning.ahead`, `planning.revive`): the
customer's word that a timeline moves, a lost deal's decision, the seller's last note on a
stalled deal, a customer's short answer to a nudge, and the notes or agenda of a check-in call
or of a status call (a long Negotiation's regular sync).

Each bank is two parts, one sentence drawn from each (`extra_kinds._two`); the fields are the
deal's (`heuristic.deal_fields`: account, team, owner, fy, line, incumbent, event, …) and the
email's (`to_first`: whom it greets, `back`: a working weekday soon, `new_close`: the close
date a timeline email moves the deal to — the seller's answer always names it, so the email and
the Opportunity's CloseDate agree).
"""

from __future__ import annotations

Bank = tuple[tuple[str, ...], tuple[str, ...]]

_TIMELINE_ANSWER: tuple[str, ...] = (
    "Thanks for the heads-up; I have moved our close date to {new_close}; the work goes on.",
    "Understood. I have updated the timeline on our side: {new_close} is our new target.",
    "Thanks for telling me early; better to move to {new_close} now than to slip at signature.",
    "That makes sense. I will re-plan the next steps around {new_close}.",
    "Appreciate the candour; we can work with {new_close} as the new date.",
    "Thanks. I have noted {new_close}; nothing changes in how we support the {team} team.",
)
_TIMELINE_NEXT: tuple[str, ...] = (
    "Shall we keep our regular call so the evaluation does not stall?",
    "Could we use the extra weeks to finish the technical review?",
    "I will send a revised mutual plan on {back}.",
    "Would a short call on {back} help to agree the new milestones?",
    "Let me know who else should see the revised plan.",
    "I will hold the commercial terms as proposed until the new date.",
)

EMAIL: dict[tuple[str, bool], Bank] = {
    ("timeline_budget", False): (
        (
            "A heads-up: the {fy} {line} budget opens only after the planning cycle.",
            "Finance moved the {fy} budget review, so we cannot sign on the date we set.",
            "Quick update: our {line} budget sign-off slipped to the next cycle.",
            "The budget approval we counted on is now part of the {fy} planning round.",
            "Honest update: the money sits in the {fy} {line} budget, which opens later.",
            "Our CFO wants every new spend in the next budget cycle, ours included.",
        ),
        (
            "The project is still a priority for the {team} team; it is timing, not intent.",
            "We still want to go ahead; it is a question of weeks, not of whether.",
            "Could we move the target date out by a month or so?",
            "Nothing changes on our side apart from the date.",
            "I would rather tell you now than surprise you at the end of the month.",
            "Can we keep working towards it and sign once the budget is released?",
        ),
    ),
    ("timeline_legal", False): (
        (
            "Our legal team has a queue of contracts ahead of yours this month.",
            "Update from our side: legal needs more time with the contract.",
            "Legal came back with more questions on the contract than we expected.",
            "A heads-up: contract review will take a few more weeks here.",
            "Our counsel is out for two weeks, so the contract review slips.",
            "Quick note: procurement added a review step for new vendors.",
        ),
        (
            "We are still committed; the signature date just needs to move.",
            "Could we push the target date by a few weeks?",
            "I will chase them, but I would plan on a later date.",
            "The business side is ready; it is the paperwork that needs time.",
            "Nothing else has changed on our side.",
            "I will share their questions as soon as I have them.",
        ),
    ),
    ("timeline_security", False): (
        (
            "Our security team wants a full review before we commit.",
            "A heads-up: the security questionnaire has to go through a second round.",
            "IT security put the review on their next sprint, not this one.",
            "Update: our CISO asked for a penetration-test report before approval.",
            "The vendor risk review takes longer than the date we set allows.",
            "Quick one: security needs another few weeks with the architecture.",
        ),
        (
            "The {team} team is still keen; it is only the review that takes time.",
            "Could we move the target date out a little?",
            "I will make sure they have everything they need from you.",
            "Once they sign off, the rest should move quickly.",
            "Nothing else is in the way as far as I can tell.",
            "Can your security lead join a call with ours?",
        ),
    ),
    ("timeline_priorities", False): (
        (
            "A reorganisation here has pulled the {team} team onto other work for now.",
            "Honest update: {event} has taken everyone's time this month.",
            "Our leadership reshuffled the quarter's priorities last week.",
            "A heads-up: we have a system migration that has to land first.",
            "Two of the people we need are on another project until next month.",
            "Update from us: the quarter-end push means this waits a few weeks.",
        ),
        (
            "This is still on our list; it is a question of sequencing.",
            "Could we aim for a date a month or so later?",
            "I do not want to lose momentum, just to be realistic about the date.",
            "We still want to get this done this year.",
            "Can we keep a lighter cadence until then?",
            "I will know more after our planning meeting.",
        ),
    ),
    ("decision", False): (
        (
            "Thank you for the time your team put into this evaluation.",
            "I wanted to tell you myself before you heard it elsewhere.",
            "We have made a decision on the {team} project.",
            "Thanks for your patience; we finished our review this week.",
            "I appreciate all the work on the proposal.",
            "We have concluded the evaluation.",
        ),
        (
            "We have decided to stay with {incumbent} for now.",
            "In the end we are going with {alt1}, mostly on price.",
            "The budget went to another project, so we will not go ahead this year.",
            "We will not move forward at this time; the timing is not right for us.",
            "Leadership chose to extend the current contract with {incumbent}.",
            "We picked {alt2}; their roadmap was a closer fit for the {team} team.",
        ),
    ),
    ("decision", True): (
        (
            "Thank you for letting me know, and for being straight with us.",
            "I appreciate you telling me directly.",
            "Thanks for the clear answer; that helps us both.",
            "Understood, and thank you for the time you gave us.",
            "Sorry to hear it, but thanks for the candour.",
            "Thank you; I respect the decision.",
        ),
        (
            "If anything changes, I would be glad to pick it up again.",
            "Would you be open to a short call on what tipped it, for our own learning?",
            "I will check in next quarter to see how things are going.",
            "Good luck with the rollout, and do keep my details.",
            "I will close this on our side and stay in touch.",
            "If the plan changes, we can move quickly.",
        ),
    ),
    ("close_out", False): (
        (
            "No word for a few weeks, so I assume the timing is not right.",
            "As we have not connected in a while, I will close the file for now.",
            "I do not want to fill your inbox, so this is my last note for now.",
            "I take the silence to mean the project is on hold.",
            "It looks like priorities have moved, so I will pause this on my side.",
            "I will stop chasing and mark this as closed for now.",
        ),
        (
            "If things change, reply to this and we can pick it up where we left it.",
            "Everything we prepared stays valid if you want to restart.",
            "I will check back next quarter unless I hear from you sooner.",
            "If I have misread it, just let me know.",
            "All the best to you and the {team} team.",
            "The proposal and notes are on file whenever you need them.",
        ),
    ),
    ("parked", False): (
        (
            "Thanks for being open on our call; I understand the project is on hold.",
            "Thanks for the honest picture on our check-in.",
            "After our call I will close this on my side while the project is parked.",
            "Good to speak, even if the news is that it waits.",
            "Thanks for the time on the call; parking it makes sense given the budget.",
            "As agreed on the call, I will stop the clock on this for now.",
        ),
        (
            "When planning for next year starts, I would be glad to pick it up again.",
            "Everything we prepared stays valid if you want to restart.",
            "I will check back next quarter unless I hear from you sooner.",
            "If the priorities move back, reply to this and we start where we stopped.",
            "Best of luck with the quarter to you and the {team} team.",
            "The proposal and notes are on file whenever you need them.",
        ),
    ),
    ("nudge", True): (
        (
            "Sorry for going quiet; things have been hectic here.",
            "Thanks for the nudge.",
            "Apologies for the slow reply.",
            "Still here, just swamped.",
            "Thanks for your patience.",
            "Good to hear from you.",
        ),
        (
            "Priorities have shifted this quarter; can we revisit in the new year?",
            "It is on hold until our planning is done; I will come back to you.",
            "Nothing has moved since we spoke, honestly.",
            "I need to check where leadership stands before we go further.",
            "A short catch-up could help; I will look at my calendar.",
            "The budget question is still open on our side.",
        ),
    ),
}
EMAIL.update({(f"timeline_{r}", True): (_TIMELINE_ANSWER, _TIMELINE_NEXT)
              for r in ("budget", "legal", "security", "priorities")})  # fmt: skip

MEETING: dict[str, Bank] = {
    "status": (
        (
            "Status call with {account} on the open items and the revised dates.",
            "Working session with {account} to walk the mutual plan line by line.",
            "Regular sync with {account}: what moved since last time and what is stuck.",
            "Check-in with the {team} team on owners and dates for the remaining steps.",
            "Call with {account} to keep the plan moving while the timeline is longer.",
            "Review of the open actions with {account}, one by one.",
            "Short sync with {account} on where each workstream stands.",
            "Touchpoint with {account} to confirm the plan still holds.",
            "Progress call with the {team} team on the remaining approvals.",
            "Call with {account} to line up the next approvals and who signs them.",
        ),
        (
            "The contract is still with their legal team; no new redlines this week.",
            "They confirmed the {fy} {line} budget line is still earmarked for this.",
            "Their IT lead asked for the data-residency note again; we resend it.",
            "{incumbent} renewal terms came up; they want our pricing held until then.",
            "Two actions closed, one new one: a reference call with a similar customer.",
            "Nothing blocking, but the sponsor wants a short update for their leadership.",
        ),
    ),
    "check_in": (
        (
            "Short check-in with {account} to see where the project stands after the quiet weeks.",
            "Catch-up call with {account} on whether the {team} project is still live.",
            "Check-in with {account}: timing, priorities and whether to keep the deal open.",
            "A quick call to hear what changed at {account} since our last conversation.",
            "Check-in on the stalled evaluation at {account}.",
            "Brief call with {account} about timing and who is still involved.",
        ),
        (
            "They said the project is parked until budgets are set.",
            "No decision yet; leadership is focused elsewhere this quarter.",
            "Interest is still there, but nobody owns it right now.",
            "They asked us to check back in a few weeks.",
            "The sponsor has moved roles; the new owner has not picked it up.",
            "They are still comparing against {incumbent} and have no date.",
        ),
    ),
}

AGENDA: dict[str, tuple[str, ...]] = {
    "status": (
        "What moved since the last call",
        "Approvals still open and who owns them",
        "The revised dates in the mutual plan",
        "Anything blocking legal or procurement",
        "Budget confirmation for {account}",
        "Who else at {account} needs an update",
        "Questions from the {team} team",
        "Risks to the new date",
        "The next customer reference, if needed",
        "Agreeing the date of the next call",
    ),
    "check_in": (
        "Whether the project is still a priority this quarter",
        "What changed at {account} since we last spoke",
        "Who owns the decision now",
        "Budget timing for {account}",
        "Whether to keep the deal open or pause it",
        "What would need to be true to restart",
        "A realistic next date, if any",
        "Anything the {team} team needs from us",
    ),
}
"""Agenda items of the meetings only the story ahead has (two are drawn per agenda)."""
