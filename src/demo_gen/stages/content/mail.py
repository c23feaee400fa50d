"""Email bodies: greeting to the reader, a body for the purpose and turn, sign-off, signature.

A thread's turn decides the voice: the opener starts it, a reply answers the message before it.
In a question thread the buyer asks one question type, the seller's reply answers that type and
the buyer's next reply acknowledges that answer (`phrases.QA`). The sender never greets or thanks
themselves, no email claims an attachment, and the subject is never pasted into the body.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import datetime

from demo_gen.stages import rx
from demo_gen.stages.content import extra_kinds
from demo_gen.stages.content.grammar import expand, tidy
from demo_gen.stages.content.heuristic import ALL_RULES, Deal, first_name, first_of
from demo_gen.stages.content.mail_wording import BUDGET_RULE
from demo_gen.stages.content.phrases import QA as _QA
from demo_gen.stages.content.phrases import QUESTION_TYPES
from demo_gen.stages.content.qa_wording import wider_qa
from demo_gen.stages.facts import fmt_day
from demo_gen.stages.model import Contact
from demo_gen.stages.plan import PlannedEmail, PlannedMeeting
from demo_gen.stages.planning.timezones import contact_place, owner_zone

QA = wider_qa(_QA)
_KNOWN = ("scheduling", "follow_up", "proposal", "negotiation", "check_in", "question")


def question_type(email: PlannedEmail) -> str:
    """The question a thread is about: one draw per thread, the same for every turn."""
    return random.Random(f"{email.thread_key}/question").choice(QUESTION_TYPES)


def deal_question_type(deal: Deal, email: PlannedEmail) -> str:
    """The thread's question type, moved on to the next type no earlier question thread of the
    deal asked (so a deal never asks, answers or thanks in the same words twice)."""
    firsts: dict[str, PlannedEmail] = {}
    for e in sorted(deal.plan.emails, key=lambda e: (e.sent_at, e.key)):
        if e.purpose == "question":
            firsts.setdefault(e.thread_key, e)
    taken: list[str] = []
    for key, first in firsts.items():
        asked = question_type(first)
        start = QUESTION_TYPES.index(asked)
        for step in range(len(QUESTION_TYPES)):
            candidate = QUESTION_TYPES[(start + step) % len(QUESTION_TYPES)]
            if candidate not in taken:
                asked = candidate
                break
        if key == email.thread_key:
            return asked
        taken.append(asked)
    return question_type(email)


def _thread(deal: Deal, email: PlannedEmail) -> list[PlannedEmail]:
    """The thread's turns: an out-of-office auto-reply sits in a thread but is nobody's turn."""
    same = [
        e
        for e in deal.plan.emails
        if e.thread_key == email.thread_key and e.purpose != "out_of_office"
    ]
    return sorted(same, key=lambda e: (e.sent_at, e.key))


def email_text(deal: Deal, email: PlannedEmail) -> str:
    """The whole body: greeting, message, sign-off, signature."""
    rng = random.Random(f"{email.content_seed}/{email.key}")
    sender, reader = _sender(deal, email), _reader(deal, email)
    f = _fields(deal, email, reader)
    if email.purpose in extra_kinds.EMAIL_PURPOSES:  # an auto-reply, a nudge, a request, ...
        short = deal.fresh(
            lambda seed: tidy(extra_kinds.email_body(replace(email, content_seed=seed), f)),
            email.content_seed,
            f"email {email.purpose}",
        )
        if email.purpose == "out_of_office":  # the mail system's words and a name
            name = [sender.name, f"{sender.title}, {deal.opp.account.name}"] if sender else []
            return "\n".join([short, "", *name])
        return _letter(deal, email, rng, f, [short])
    recap = _recap(deal, email, rng, f)
    body = [_opening(deal, email, rng, f), recap]
    middle = f"mid_{'in' if email.direction == 'inbound' else 'out'}_{email.purpose}"
    # most replies are a line or two (Kooti et al.): a middle for some openers only
    if middle in ALL_RULES and email.in_reply_to is None and rng.random() < 0.6:
        body.append(deal.say(middle, rng, f))
    voice = "mail_in" if email.direction == "inbound" else "mail_out"
    for fact in deal.sheet.said_in(email.key):
        rule = f"{voice}_{fact.kind}"
        if fact.kind in ("budget",) and sender is deal.sheet.roles.economic_buyer:
            said = deal.say(BUDGET_RULE, rng, f)
            body.append(said or tidy(f"{f['amount']} sits in the {f['fy']} {f['line']} budget."))
        elif rule in ALL_RULES:
            body.append(deal.say_fact(voice, fact, rng, f))
    if email.in_reply_to is None and not recap:  # replies and recaps: no closing ask
        body.append(deal.say("ask_in" if email.direction == "inbound" else "ask_out", rng, f))
    return _letter(deal, email, rng, f, body)


_RECAP = (
    "Next steps as I noted them: {step}.",
    "What we agreed: {step}.",
    "For the record, {step}.",
    "Where we left it: {step}.",
    "The action from the call: {step}.",
    "So, to close the loop: {step}.",
    "From here, {step}.",
    "As discussed, {step}.",
    "On actions: {step}.",
    "The plan from today: {step}.",
    "One action came out of it: {step}.",
    "Agreed before we hung up: {step}.",
    "To keep momentum: {step}.",
    "Before the next session, {step}.",
    "The one thing to hold on to: {step}.",
    "Action items, short version: {step}.",
    "We closed on this: {step}.",
    "In terms of follow-up, {step}.",
    "The ball is rolling: {step}.",
    "What happens now: {step}.",
    "Logged as our next move: {step}.",
    "As we wrapped up, {step}.",
)


def _recap(deal: Deal, email: PlannedEmail, rng: random.Random, f: dict[str, str]) -> str:
    """A thank-you recap carries what its meeting settled: a fact said there in the email's
    own words, else the next step its notes end on, else a word to the reader on their role."""
    key = email.meeting_key
    if email.purpose != "follow_up" or email.in_reply_to is not None or not key:
        return ""
    roles = deal.sheet.roles
    reader = _reader(deal, email)
    addressed = {
        "champion": roles.champion,
        "economic_buyer": roles.economic_buyer,
        "technical": roles.technical,
    }
    said = [
        x
        for x in (*deal.sheet.said_in(key), *deal.sheet.referred_in(key))
        if f"mail_out_{x.kind}" in ALL_RULES
    ]
    # a point of substance first; a word to the reader about their role only failing that
    # (those wordings say "you", so never about someone else)
    facts = [x for x in said if x.kind not in addressed]
    step = deal.nexts.get(key, "")
    if not facts and not step:
        facts = [x for x in said if addressed.get(x.kind) is reader]
    if facts:
        return deal.say_fact("mail_out", rng.choice(facts), rng, f)
    if not step:
        return ""
    step = in_person(step, first_of(deal.opp.owner.name), "I")
    step = in_person(step, f["to_first"], "you")
    template = rng.choice(_RECAP)
    if ", {step}" in template:  # the step goes on the sentence: "For the record, a proper …"
        step = mid_sentence(step, deal)
    line = template.format(step=step)
    return line[:1].upper() + line[1:]


def mid_sentence(text: str, deal: Deal) -> str:
    """`text` going on a sentence after a comma: its first letter lowered, unless its first
    word is a name of the deal (a person's, the account's), "I" or an acronym."""
    word = text.split(" ", 1)[0]
    names = {first_name(c) for c in deal.contacts.values()}
    names |= {first_of(deal.opp.owner.name), deal.opp.account.name.split(" ", 1)[0], "I"}
    if word in names or (len(word) > 1 and word.isupper()):
        return text
    return text[:1].lower() + text[1:]


def in_person(step: str, name: str, pronoun: str) -> str:
    """A note's "Camille books the next slot" as its writer or reader says it in a letter:
    "I book the next slot", "you book the next slot"."""
    head = f"{name} "
    if not name or not step.startswith(head):
        return step
    verb, _, rest = step[len(head) :].partition(" ")
    if verb.endswith("ies"):
        verb = verb[:-3] + "y"
    elif verb.endswith(("shes", "ches", "sses", "xes")):
        verb = verb[:-2]
    elif verb.endswith("s") and not verb.endswith("ss"):
        verb = verb[:-1]
    return f"{pronoun} {verb} {rest}".rstrip()


def _letter(
    deal: Deal, email: PlannedEmail, rng: random.Random, f: dict[str, str], body: list[str]
) -> str:
    """Greeting, the body's prose (the reader named at most once), sign-off and signature."""
    greeting = _daypart(expand(rng.choice(deal.rules["greet"]), rng, f, deal.rules), deal, email)
    signoff = rng.choice(ALL_RULES["signoff"])
    prose = " ".join(b for b in body if b)
    if prose.startswith(f"{f['to_first']}, "):  # the greeting has just named them
        rest = prose[len(f["to_first"]) + 2 :]
        prose = rest[:1].upper() + rest[1:]
    reader = _reader(deal, email)
    prose = by_first_name(prose, reader.name if reader else deal.opp.owner.name, f["to_first"])
    prose = once_by_name(prose, f["to_first"])
    prose = to_the_reader(prose, reader.name if reader else deal.opp.owner.name, f["to_first"])
    lines = [greeting, "", prose, "", signoff, *_signature(deal, email)]
    return "\n".join(lines)


_DAYPART = re.compile(r"\bGood (morning|afternoon|evening)\b")


def _daypart(greeting: str, deal: Deal, email: PlannedEmail) -> str:
    """A "Good morning" greeting fits the sender's clock when they send: morning before 12,
    afternoon until 18, evening after."""
    sender = _sender(deal, email)
    zone = contact_place(sender, deal.opp)[1] if sender else owner_zone(deal.opp)
    hour = email.sent_at.astimezone(zone).hour
    part = "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"
    return _DAYPART.sub(f"Good {part}", greeting)


def by_first_name(prose: str, full: str, first: str) -> str:
    """The reader, greeted by first name, is addressed by it in the body too: "Manon Simon,
    thank you" becomes "Manon, thank you" (a sentence about them keeps the full name)."""
    if not full or full == first:
        return prose
    name = re.escape(full)
    prose = rx.built(rf"(?:(?<=^)|(?<=[.!?] )){name}, (?=[a-z])").sub(f"{first}, ", prose)
    prose = rx.built(rf", {name}, (?=[a-z])").sub(f", {first}, ", prose)
    return rx.built(rf", {name}(?=[.!?;])").sub(f", {first}", prose)


_ABOUT = r"\b(with|to|from|for|by) "


def to_the_reader(prose: str, full: str, first: str) -> str:
    """The reader spoken to, not of: "the first call with James" in a letter to James is "the
    first call with you", "back to Léa" is "back to you" (their full name, as a fact states
    it, stays)."""
    if not first or " " not in full:
        return prose
    last = full.rsplit(" ", 1)[1]
    about = rx.built(_ABOUT + rf"{re.escape(first)}\b(?! {re.escape(last)})")
    return about.sub(r"\1 you", prose)


def once_by_name(prose: str, name: str) -> str:
    """The reader addressed by name at most once in the body (the greeting already names them):
    later ", Name" tails go, later "Name, " openings lose the name."""
    tail = rx.built(rf",\s*{re.escape(name)}(?=[.;,!?])")
    head = rx.built(rf"(?:(?<=^)|(?<=[.!?] )){re.escape(name)}, (\w)")
    seen = len(tail.findall(prose)) + len(head.findall(prose))
    while seen > 1:
        last_tail = list(tail.finditer(prose))
        last_head = list(head.finditer(prose))
        spans = [(m.start(), m, "tail") for m in last_tail] + [
            (m.start(), m, "head") for m in last_head
        ]
        _, m, kind = max(spans, key=lambda x: x[0])
        if kind == "tail":
            prose = prose[: m.start()] + prose[m.end() :]
        else:
            prose = prose[: m.start()] + m.group(1).upper() + prose[m.end() :]
        seen -= 1
    return prose


def _opening(deal: Deal, email: PlannedEmail, rng: random.Random, f: dict[str, str]) -> str:
    thread = _thread(deal, email)
    turn = thread.index(email) if email in thread else 0
    purpose = email.purpose if email.purpose in _KNOWN else "other"
    if purpose == "question" and turn < 3:
        asked = QA[deal_question_type(deal, email)][turn]
        text = tidy(expand(rng.choice(asked), rng, f, deal.rules))
        if text in deal.used:  # the same type asked twice in one deal: say it differently
            text = tidy(
                expand(asked[(asked.index(rng.choice(asked)) + 1) % len(asked)], rng, f, deal.rules)
            )
        deal.used.add(text)
        return text
    if turn == 0 and email.direction == "outbound" and email.subject.startswith(INVITATION):
        return _invitation(deal, rng, f)
    direction = "in" if email.direction == "inbound" else "out"
    stem = "open" if turn == 0 else "reply"
    rule = f"{stem}_{direction}_{purpose}"
    if rule not in ALL_RULES:
        rule = f"{stem}_{direction}_other"
    return deal.say(rule, rng, f)


INVITATION = "Invitation: "
"""The subject an organiser's calendar invitation goes out under: the seller's, never a buyer's."""
_INVITE = (  # one sentence each, every one with the time: no two invitations of a deal alike
    "I've sent you a calendar invitation for the {label} on {when}; if the time does not suit, "
    "just propose another.",
    "The invitation for the {label} on {when} is on its way, so feel free to forward it to "
    "anyone who should join.",
    "You should now have the invitation for the {label} on {when}: accept it or suggest a time "
    "that works better.",
    "I've booked {when} for the {label} and sent you the invitation; happy to move it if needed.",
    "Here is the invitation for the {label} on {when}, and do add anyone from {team} who should "
    "be there.",
    "I've put the {label} in the calendar for {when} and sent the invitation to you.",
)


def _invitation(deal: Deal, rng: random.Random, f: dict[str, str]) -> str:
    """The organiser's invitation: the meeting, its time, and room to move it (a wording the
    deal has not used yet, where one is left)."""
    order = rng.sample(range(len(_INVITE)), len(_INVITE))
    texts = [tidy(expand(_INVITE[i], rng, f, deal.rules)) for i in order]
    text = next((t for t in texts if t not in deal.used), texts[0])
    deal.used.add(text)
    return text


def _fields(deal: Deal, email: PlannedEmail, reader: Contact | None) -> dict[str, str]:
    meeting = next((m for m in deal.plan.meetings if m.key == email.meeting_key), None)
    f = dict(deal.base)
    others = [c for c in deal.people(email.to_contact_ids) if c is not reader]
    f.update(
        to_first=first_name(reader) if reader else first_of(deal.opp.owner.name),
        other_first=first_name(others[0]) if others else "a colleague",
        label=deal.label(meeting, "next session"),
        prev=deal.previous_label(email),
        when=_when(deal, email, meeting),
        lead=first_name(reader),
        minutes=str(meeting.duration_minutes) if meeting else "30",
        new_close=_new_close(deal, email),
        # whose estimate the metric's value is: the reader's in ours, the writer's in theirs
        value_clause=f["value_clause_you" if email.direction == "outbound" else "value_clause_we"],
    )
    return f


def _new_close(deal: Deal, email: PlannedEmail) -> str:
    """The close date the slip an email is about moves the deal to: the first slip on or after
    the day its thread began (the customer writes days before the slip; the answer may come
    after it); "the new date" when the deal has none (a plan without its story ahead), or for
    an email that is not about a slip (only the timeline wording names it)."""
    if not email.purpose.startswith("timeline_"):
        return "the new date"
    sent = min(e.sent_at for e in _thread(deal, email) or [email]).date()
    for turn in sorted(deal.plan.turns, key=lambda t: t.day):
        if turn.reason == "slip" and turn.close_date is not None and turn.day >= sent:
            return fmt_day(turn.close_date)
    return "the new date"


def _sender(deal: Deal, email: PlannedEmail) -> Contact | None:
    return deal.contacts.get(email.from_contact_id or "") if email.direction == "inbound" else None


def _reader(deal: Deal, email: PlannedEmail) -> Contact | None:
    """The person greeted: the first recipient of an outbound email; None means the seller."""
    if email.direction == "inbound":
        return None
    people = deal.people(email.to_contact_ids)
    return people[0] if people else None


def _when(deal: Deal, email: PlannedEmail, meeting: PlannedMeeting | None) -> str:
    """The meeting's time as everyone in the thread says it: on the clock of the customer the
    thread was opened with (the seller proposes in their time, the customer accepts the same
    time), e.g. "Tuesday, April 14 at 10:30". A scheduling thread talks about the start the
    meeting had before any move. A customer who opens the thread with a seller in another zone
    says "my time"."""
    if meeting is None:
        return "early next week"
    thread = _thread(deal, email)
    opener = thread[0] if thread else email
    customer = _customer(deal, opener)
    zone = contact_place(customer, deal.opp)[1] if customer else owner_zone(deal.opp)
    start = meeting.start
    if email.purpose in ("scheduling", "request") and meeting.rescheduled_from is not None:
        start = meeting.rescheduled_from
    local: datetime = start.astimezone(zone)
    said = f"{local:%A}, {local:%B} {local.day} at {local:%H:%M}"
    seller = start.astimezone(owner_zone(deal.opp))
    if opener is email and email.direction == "inbound" and seller.utcoffset() != local.utcoffset():
        said += " my time"
    return said


def _customer(deal: Deal, email: PlannedEmail) -> Contact | None:
    """The customer an email is written by (inbound) or to (outbound, the first recipient)."""
    if email.direction == "inbound":
        return deal.contacts.get(email.from_contact_id or "")
    people = deal.people(email.to_contact_ids)
    return people[0] if people else None


def _signature(deal: Deal, email: PlannedEmail) -> list[str]:
    """Name, then title and company."""
    if email.direction == "outbound":
        owner = deal.opp.owner
        company = seller_company(owner.email)
        title = ", ".join(p for p in (owner.title, company) if p)
        return [owner.name, *([title] if title else [])]
    sender = _sender(deal, email)
    account = deal.opp.account.name
    if sender is None:
        return [f"The {account} team"]
    return [sender.name, f"{sender.title}, {account}" if sender.title else account]


def seller_company(email: str) -> str:
    """The seller's company from the owner's mail domain (northwind-analytics.com → Northwind
    Analytics)."""
    domain = email.rsplit("@", 1)[-1].split(".")[0] if "@" in email else ""
    return " ".join(w.capitalize() for w in domain.replace("_", "-").split("-") if w)
