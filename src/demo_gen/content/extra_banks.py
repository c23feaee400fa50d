"""The word banks behind `extra_kinds`: two or three parts per kind, drawn apart, nearly every
sentence carrying the deal's own account, people or meeting so that no two deals share it.

Fields: {account}, {label} (the meeting it is about), {prev} (the last meeting before it),
{team} (the buyer's team), {back} (a working weekday to come back
on); meeting notes also {lead} (the customer's first name) and {owner} (the seller's), emails
{to_first} (the reader's first name) since either side may write them.
"""

from __future__ import annotations

Bank = tuple[tuple[str, ...], ...]

MEETING: dict[str, Bank] = {
    "signature": (
        (
            "Walked through the final order form with {lead}; signatures went out that day.",
            "Final sign-off call with {account}: open points closed, the form goes to sign.",
            "Signature call with {lead}: last redlines accepted, the envelope is out.",
            "Closed the last two contract questions with {account}; the order form is out.",
            "Went through the signing order with {lead}; legal and finance sign in turn.",
            "Confirmed the start date and the invoicing contact with {account} before signing.",
            "Today's call with {lead} settled the last wording in the order form.",
            "Read the order form through with {lead} line by line; nothing left open.",
        ),
        (
            "{lead} expects the countersigned copy within the week.",
            "Their signatory is back on {back}; we chase then if nothing comes in.",
            "Kickoff pencilled in for the week after {account} signs.",
            "Finance at {account} has the purchase order number.",
            "No open points left on the {account} paper.",
            "{lead} agreed to keep the rollout plan as proposed.",
            "{owner} sends the welcome pack the day it is signed.",
            "The {team} team is told to expect the kickoff invite.",
        ),
    ),
    "onboarding": (
        (
            "Onboarding session with the {account} admins: workspace set up, first users invited.",
            "Training for the {team} team at {account}; agreed the rollout order.",
            "First onboarding call with {lead}: single sign-on tested, roles mapped.",
            "Walked the {account} admins through permissions and the first data load.",
            "Set up the first dashboards with {lead}; the pilot group starts on {back}.",
            "Onboarding with {account}: import checked, naming agreed, a training date set.",
            "Today's onboarding with {lead} covered access, data and the first reports.",
            "Hands-on session with the {team} team at {account}: everyone logged in.",
        ),
        (
            "{lead} owns the rollout on the {account} side.",
            "Support contacts shared with {lead}; the success manager takes over.",
            "Two admin questions from {account} went to our support team.",
            "Weekly check-ins with {lead} for the first month.",
            "Usage review with {account} after the first thirty days.",
            "The {team} team asked for a short guide for new users; {owner} sends it.",
            "{lead} will invite the rest of the {team} team once the pilot settles.",
            "Next session with {account} on {back}.",
        ),
    ),
    "internal_prep": (
        (
            "Internal prep for the {label} with {account}: who covers what, likely objections.",
            "Dry run of the {account} story and the questions we expect from {lead}.",
            "Prepared the {label}: the demo path, the proof points, who speaks when.",
            "Internal huddle before {account}: agreed the one outcome we want from the {label}.",
            "Went over who joins from {account} and what each of them cares about.",
            "Prep for the {label}: rehearsed the opening and checked the demo data.",
            "{owner} walked the team through the {account} notes from the {prev}.",
            "Lined up the {label} for {account}: timings, owners, the ask at the end.",
        ),
        (
            "The sales engineer takes the technical questions from the {team} team.",
            "We lead with the {team} team's problem, not the product tour.",
            "Pricing stays out of the {label} unless {lead} asks.",
            "We close the {label} by asking {lead} for a dated next step.",
            "Two customer stories ready in case {account} asks for proof.",
            "Open risk at {account}: we have not met the budget holder yet.",
            "{owner} opens; the specialist covers the questions from the {prev}.",
            "If {lead} raises timing, we point to the plan from the {prev}.",
        ),
    ),
    "deal_review": (
        (
            "Deal review for {account}: risks, the dated next step, who we still need to meet.",
            "Reviewed {account} with the manager: stage {stage}, what moves it, what stalls it.",
            "Pipeline review of {account}: forecast category checked against the evidence.",
            "Walked the manager through {account}: the champion, the process and the gaps.",
            "Deal review of {account}: close date tested against their paper process.",
            "Manager review of {account}: agreed where to spend time this month.",
            "{owner} presented {account} at the weekly review: what we know since the {prev}.",
            "Forecast call on {account}: {stage} stage, evidence from the {prev}.",
        ),
        (
            "Action for {owner}: confirm the {account} decision date in writing.",
            "Action: meet the {account} economic buyer before the proposal.",
            "The {account} close date holds for now.",
            "Risk flagged: a competitor is still in the picture at {account}.",
            "We revisit the {account} forecast category next week.",
            "Action: map who signs at {account} and how long legal takes.",
            "{lead} is our best route in; {owner} to ask for an introduction upward.",
            "The {prev} moved {account} forward; the next step needs a date.",
            "Mutual plan with {account} to be shared and signed off by {lead}.",
            "Coverage gap: nobody from {account} procurement has joined yet.",
            "Upside case only if {account} brings the decision forward.",
            "Watch item: how quickly {lead} answers after the {prev}.",
        ),
    ),
}
OUTCOME = (
    "Next step with {account} agreed, with an owner and a date.",
    "Notes shared with the team; {lead} to be updated.",
    "Owners and dates for {account} are in the opportunity's next step.",
    "{owner} sends the follow-up to {lead} today.",
    "Nothing blocking at {account}; the plan stands.",
    "Two actions for us, one for {lead}.",
    "{owner} to check in with {lead} on {back}.",
    "Summary posted on the {account} opportunity.",
    "Close plan updated; {lead} sees the next dates in writing.",
    "Forecast unchanged until we hear back from {lead}.",
    "One question parked for the next call with {account}.",
    "{owner} books the next slot before the week is out.",
)
AGENDA = (
    "Open points from {lead} and the {account} team",
    "Who does what before the next {account} touchpoint",
    "Dates and owners for the step after the {label}",
    "What we heard from {account} since the {prev}",
    "Questions {lead} is likely to ask",
    "The one outcome we want from {account}",
)
NO_SHOW: Bank = (
    (
        "No-show: nobody from {account} joined the {label}; we waited 10 minutes and sent a note.",
        "No-show: the {account} side did not join the {label}.",
        "No-show: {lead} did not join and did not reply in the chat.",
        "No-show: the line stayed empty; nobody from {account} dialled in.",
        "No-show today: {account} missed the {label} without notice.",
        "No-show: we waited a quarter of an hour for {lead}.",
        "No-show: {lead} and the {team} team did not make the {label}.",
        "No-show: the {label} with {account} did not happen; no word from {lead}.",
    ),
    (
        "To rebook: a note went to {lead} with two new times.",
        "To rebook: we asked {account} for a slot later this week.",
        "To rebook once {lead} replies; the agenda stays the same.",
        "To rebook: proposed moving the {label} to a morning slot.",
        "To rebook: {owner} calls {lead} if the note gets no answer.",
        "To rebook: new invitation to {account} once they confirm.",
        "To rebook: {owner} offered {back} instead.",
        "To rebook: {lead} gets a shorter slot and the same agenda.",
    ),
)
EMAIL: dict[tuple[str, bool], Bank] = {
    ("request", False): (
        (
            "At {account} we have been looking at options for this and would like a short call.",
            "A colleague recommended you; the {team} team at {account} would like to hear more.",
            "We are reviewing how {account} handles this today and your name came up.",
            "The {team} team at {account} is starting to look at tools in this area.",
            "I saw your session at a recent event and would like to talk about {account}.",
            "{account} is planning a change here this year and I want to understand the options.",
            "Our {team} team keeps hitting the same problem, {to_first}; you were recommended.",
            "I lead the {team} work at {account} and we are reviewing how we do this.",
        ),
        (
            "Could you suggest a time next week, {to_first}?",
            "Could we set up a conversation with the {team} team?",
            "Would you have thirty minutes in the coming days for {account}?",
            "Who on your side would be the right person for {account} to speak to?",
            "Could you send a couple of times that work, {to_first}?",
            "Is there a slot on {back}?",
            "Would a first call with two of us from {account} work?",
            "What would you need from {account} before a first call?",
        ),
    ),
    ("request", True): (
        (
            "Thanks for reaching out, {to_first}.",
            "Good to hear from {account}, {to_first}.",
            "Thank you for thinking of us, {to_first}.",
            "Glad you got in touch, {to_first}.",
            "Thanks for the note about {account}, {to_first}.",
            "Happy to help the {team} team at {account}.",
        ),
        (
            "I will send an invitation for a first call.",
            "A first conversation with the {team} team would be a good start.",
            "I will put a short intro call in the calendar for {back}.",
            "Let me send a couple of times for an intro call.",
            "An intro call is the easiest start; I will propose a time.",
            "I will bring a colleague who knows teams like {account} well.",
        ),
    ),
    ("reschedule", False): (
        (
            "Something came up on my side; could we move the {label}?",
            "Apologies, {to_first}, I need to move the {label}.",
            "A conflict has come up for the time we agreed for the {label}.",
            "I am sorry to do this, but I have to move the {label}.",
            "A planning meeting has moved onto the {label} slot.",
            "I need to shift the {label}, my apologies.",
            "A deadline landed on that day, so the {label} needs a new time.",
            "Could we push the {label} back a little, {to_first}?",
        ),
        (
            "Would {back} work instead?",
            "Any slot later this week works for me.",
            "Could you send me two or three alternatives for the {label}?",
            "The same time on {back} would be ideal.",
            "Early mornings are easiest for me this week.",
            "Happy to keep the agenda from the {prev} as it is.",
            "Sorry again for the shuffle, {to_first}.",
            "I will make sure everyone can still join the {label}.",
        ),
    ),
    ("reschedule", True): (
        (
            "No problem at all, {to_first}.",
            "Of course, that is fine for the {label}.",
            "Not a problem; the new slot is fine.",
            "That works, {to_first}.",
            "Thanks for letting me know about the {label}.",
            "Understood, no trouble moving the {label}.",
        ),
        (
            "The new time works; I have updated the {label} invitation.",
            "I moved the {label} invite to the new slot.",
            "The updated {label} invitation is in your calendar.",
            "I sent a new invite for the {label}.",
            "You should see the moved {label} now, {to_first}.",
            "The agenda for the {label} stays as planned.",
        ),
    ),
    ("no_show", False): (
        (
            "We missed you on the {label} today, {to_first}.",
            "Sorry we could not connect for the {label} today.",
            "Looks like the {label} did not work out today.",
            "I waited on the line for the {label} for a few minutes.",
            "I think we crossed wires on the time for the {label}.",
            "We did not manage to connect on today's {label}.",
        ),
        (
            "Happy to find another time that suits you and the {team} team.",
            "Shall I send a couple of new times for the {label}?",
            "When would suit {account} instead?",
            "Shall we try again on {back}?",
            "Would the same time next week work for {account}?",
            "Let me know what works and I will resend the {label} invite.",
        ),
    ),
    ("no_show", True): (
        (
            "Apologies, {to_first}, I was pulled into something.",
            "So sorry about the {label} today.",
            "My apologies for missing the {label}.",
            "Sorry, an urgent issue took my morning.",
            "Apologies, the {label} invite did not make it into my calendar.",
            "I am sorry I missed our {label}, {to_first}.",
        ),
        (
            "Could we try again on {back}?",
            "Please send new times for the {label}.",
            "Any slot on {back} works for me.",
            "Could we pick the {label} up early next week?",
            "I will make sure the new time sticks on my side.",
            "Happy to take the next slot you have for the {label}.",
        ),
    ),
    ("nudge", False): (
        (
            "Just checking in: is this still a priority for {account} this quarter?",
            "Following up on my last note after the {prev}, {to_first}.",
            "I wanted to bring the {account} conversation back to the top of your inbox.",
            "Checking in on where things stand at {account}.",
            "Circling back on my note after the {prev}.",
            "I have not heard back since the {prev}, so a quick follow-up.",
        ),
        (
            "Is there a better time to pick this up with the {team} team?",
            "Happy to pause if the timing is wrong for {account}.",
            "A one-line reply either way would help me plan, {to_first}.",
            "Should someone else at {account} be my contact?",
            "If priorities at {account} have changed, just let me know.",
            "Would a short call on {back} be useful?",
        ),
    ),
}
GENERIC: Bank = (
    (
        "Following up on the {label} with {account}.",
        "A quick note on the {label}, {to_first}.",
        "Picking up the {label} from our side.",
        "One more note on the {label} for {account}.",
    ),
    (
        "Happy to pick a time that suits the {team} team.",
        "Let us know what would help {account} next.",
        "Tell us what you need from us, {to_first}.",
        "We can adapt to your calendar on {back}.",
    ),
)
OOO: Bank = (
    (
        "I am out of the office with limited access to email until {back}.",
        "Thank you for your message; I am away from {account} until {back}.",
        "I am travelling this week with patchy access to email.",
        "Thanks for your email; I am on leave until {back}.",
        "Auto-reply: I am at an {account} offsite today and tomorrow.",
        "I am out of the office until {back}.",
        "I am away on a site visit and reading email only in the evenings.",
        "I am on holiday and back at {account} on {back}.",
    ),
    (
        "I will reply when I am back.",
        "For urgent matters please contact the {team} team at {account}.",
        "I will respond on my return on {back}.",
        "Replies may be slower than usual.",
        "I will get back to you after {back}.",
        "Your message has not been forwarded.",
        "For anything urgent, please call the {account} main office.",
        "I will work through my inbox when I return.",
    ),
)
