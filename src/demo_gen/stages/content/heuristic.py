"""The heuristic writer: offline, deterministic, never fails; says each fact where it is planned.

Texts come from the deal's fact sheet (`demo_gen.stages.facts`) and a seeded grammar
(`phrases`): a past meeting gets notes (who, what was said, details, next step), an upcoming
one an agenda, an email a greeting to its reader, a body that fits its purpose and turn, a
sign-off and the sender's signature (name, title, company). A fact's names, numbers and dates
appear verbatim in the activity that first says it, and no earlier. Every draw comes from
`random.Random` seeded by the item's `content_seed`, and no sentence repeats within a deal.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from demo_gen.stages.content import OpportunityContent, extra_kinds
from demo_gen.stages.content.cast import cast, with_line
from demo_gen.stages.content.clauses import widen
from demo_gen.stages.content.grammar import expand, join_names, possessive, split_sentences, tidy
from demo_gen.stages.content.phrases import EMAIL_RULES, RULES
from demo_gen.stages.content.scripted import script_note
from demo_gen.stages.content.wording import extend
from demo_gen.stages.facts import Fact, FactSheet, build_fact_sheet, fmt_day
from demo_gen.stages.facts.claims import found
from demo_gen.stages.facts.timeline import MEETING_LABELS, held, label_of
from demo_gen.stages.facts.vocab import DETAILS, vocab
from demo_gen.stages.model import Contact, Opportunity
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting

ALL_RULES: dict[str, tuple[str, ...]] = extend(widen({**RULES, **EMAIL_RULES}))
LABELS = MEETING_LABELS
_TRIES = 12
_FRESH_TRIES = 40


class HeuristicContent:
    """A ContentSource that writes every text from the fact sheet and the grammar; never raises."""

    def __init__(self, *, seed: int, pack: str) -> None:
        self.seed = seed
        self.pack = pack

    def sheet(self, plan: OpportunityPlan) -> FactSheet:
        """The fact sheet this writer follows for `plan`."""
        return build_fact_sheet(plan, seed=self.seed, pack=self.pack)

    def write(self, plan: OpportunityPlan) -> OpportunityContent:
        """Texts for every meeting and email of one opportunity's plan."""
        from demo_gen.stages.content.mail import email_text

        deal = Deal.of(plan, self.sheet(plan))
        texts: dict[str, str] = {}
        for item in deal.in_order():
            if isinstance(item, PlannedMeeting):
                texts[item.key] = _scripted(deal, item, meeting_text(deal, item))
                deal.nexts[item.key] = next_step(texts[item.key])
            else:
                texts[item.key] = email_text(deal, item)
        return OpportunityContent(texts=texts, source="heuristic")


def next_step(notes: str) -> str:
    """The step a meeting's notes end on ("Next: Manon confirms who joins the demo." gives
    "Manon confirms who joins the demo"; an "Outcome:" line the same); "" when there is none."""
    for label in ("Next: ", "Outcome: "):
        line = next((ln for ln in notes.splitlines() if ln.startswith(label)), "")
        if line:
            return line[len(label) :].strip().rstrip(".")
    return ""


def _scripted(deal: Deal, m: PlannedMeeting, text: str) -> str:
    """The notes with the script's sentence for this meeting, if the script marked it."""
    roles = deal.sheet.roles
    there = [c for c in (roles.economic_buyer, roles.champion) if c and c.id in m.invitee_ids]
    speaker = there[0] if there else next(iter(deal.people(m.invitee_ids)), None)
    note, replaces_next = script_note(deal.plan, deal.sheet, m.key, speaker)
    if not note or not m.past:
        return text
    lines = text.split("\n")
    if replaces_next and len(lines) > 1:
        return "\n".join([*lines[:-1], note])
    return "\n".join([lines[0] + " " + note, *lines[1:]])


@dataclass
class Deal:
    """One deal while it is being written: its plan, facts, people and the sentences used."""

    plan: OpportunityPlan
    sheet: FactSheet
    contacts: dict[str, Contact]
    base: dict[str, str]
    rules: Mapping[str, Sequence[str]] = field(default_factory=lambda: ALL_RULES)
    used: set[str] = field(default_factory=set)
    nexts: dict[str, str] = field(default_factory=dict)  # meeting key -> its notes' next step
    spent: set[str] = field(default_factory=set)  # banks `fresh` found nothing new in

    @classmethod
    def of(cls, plan: OpportunityPlan, sheet: FactSheet) -> Deal:
        contacts = {c.id: c for c in plan.opportunity.contacts}
        rules = industry_rules(plan.opportunity.account.industry)
        return cls(plan, sheet, contacts, deal_fields(sheet, plan), rules)

    @staticmethod
    def label(meeting: PlannedMeeting | None, default: str) -> str:
        """What the deal's people call a meeting: the name in its subject (`label_of`), the
        same in its notes, its emails and the scorecards."""
        return label_of(meeting) if meeting is not None else default

    @property
    def opp(self) -> Opportunity:
        return self.plan.opportunity

    def in_order(self) -> list[PlannedMeeting | PlannedEmail]:
        items: list[PlannedMeeting | PlannedEmail] = [*self.plan.meetings, *self.plan.emails]
        return sorted(items, key=lambda i: (_at(i), i.key))

    def people(self, ids: Sequence[str]) -> list[Contact]:
        return [self.contacts[i] for i in ids if i in self.contacts]

    def previous_label(self, item: PlannedMeeting | PlannedEmail) -> str:
        """The last meeting held with the customer before it (a no-show or an internal review is
        not a conversation to refer back to)."""
        earlier = [m for m in self.plan.meetings if m.start < _at(item) and held(m)]
        return self.label(earlier[-1], "last call") if earlier else "last call"

    def say(self, rule: str, rng: random.Random, fields: Mapping[str, str]) -> str:
        """One expansion of `rule` none of whose sentences this deal has used yet; "" if every
        try repeats one (the item then says less rather than say the same thing twice)."""
        for _ in range(_TRIES):
            text = tidy(expand("{" + rule + "}", rng, fields, self.rules)).strip()
            parts = [_plain(p) for p in split_sentences(text)]
            if not any(p in self.used for p in parts):
                self.used.update(parts)
                return text
        return ""

    def fresh(self, write: Callable[[int], str], seed: int, bank: str) -> str:
        """The first of `write(seed)`, `write(seed + 1)`, … whose sentences this deal has not
        used yet (the last try if every one repeats): for the short banks of `extra_kinds`.

        Once every try of a `bank` repeats, the deal has used that bank up: its later items
        take the last try at once. A weekly status call ahead draws from a dozen objectives,
        so a long stretch of them spent 40 tries on each call after the twelfth: on the
        all-eligible run of a 20,000-opportunity org, 44% of its last chunks' time."""
        if bank in self.spent:
            text = write(seed + _FRESH_TRIES - 1)
        else:
            for n in range(_FRESH_TRIES):
                text = write(seed + n)
                parts = [_plain(p) for p in split_sentences(text)]
                if not any(p in self.used for p in parts):
                    break
            else:
                self.spent.add(bank)
        self.used.update(_plain(p) for p in split_sentences(text))
        return text

    def say_fact(
        self, prefix: str, fact: Fact, rng: random.Random, fields: Mapping[str, str]
    ) -> str:
        """The fact in this item's voice; its statement if a wording ever lost a token."""
        text = self.say(f"{prefix}_{fact.kind}", rng, fields)
        if text and all(found(token, text) for token in fact.tokens):
            return text
        self.used.add(fact.statement)
        return fact.statement


_NAME_TAIL = re.compile(r",\s*[A-Z][\w'-]*(?=[.!?]$)")
_NAME_HEAD = re.compile(r"^[A-Z][\w'-]*, ")


def _plain(sentence: str) -> str:
    """A sentence as the freshness check sees it: without a ", Name" tail or a "Name, " head,
    which the letter may drop (`mail.once_by_name`), leaving two sentences the same."""
    bare = _NAME_TAIL.sub("", _NAME_HEAD.sub("", sentence))
    return bare[:1].upper() + bare[1:]


def industry_rules(industry: str | None) -> Mapping[str, Sequence[str]]:
    """The grammar with the industry's own reports and people in `{artifact}` and `{someone}`."""
    artifacts, people = vocab(industry)
    if not artifacts:
        return ALL_RULES
    own = DETAILS.get((industry or "").strip().lower(), ())
    artifact = (*artifacts, *RULES["artifact"][:2])
    someone = (*people, *RULES["someone"][:3])
    return {
        **ALL_RULES,
        "artifact": artifact,
        "artifact_cap": tuple(a[:1].upper() + a[1:] for a in artifact),
        "someone": someone,
        "someone_cap": tuple(p[:1].upper() + p[1:] for p in someone),
        "detail_discovery": (*RULES["detail_discovery"], *own),
        "detail_intro": (*RULES["detail_intro"], *own),
    }


def _at(item: PlannedMeeting | PlannedEmail) -> datetime:
    return item.start if isinstance(item, PlannedMeeting) else item.sent_at


_STAFF = ("people", "staff", "colleagues", "people", "employees")
_WORTH = (
    ", worth about {value} a year",
    ", roughly {value} annually",
    ", some {value} of value per year",
    ", about {value} a year to the business",
    ", {value} yearly by {their} estimate",
    ", which {they} value at {value} per annum",
)
"""How a deal's people put the metric's yearly value. Whose estimate it is depends on who
speaks: the customer in a note (they), to the customer in the seller's email (you), the
customer in their own email (we) — `value_clause`, `value_clause_you`, `value_clause_we`."""
_VOICES = {"": ("they", "their"), "_you": ("you", "your"), "_we": ("we", "our")}


def deal_fields(sheet: FactSheet, plan: OpportunityPlan) -> dict[str, str]:
    """The fields every text of the deal may use: the account and the fact sheet's values."""
    opp = plan.opportunity
    n, roles = sheet.numbers, sheet.roles
    paper_owner = roles.procurement or roles.legal
    steps = {f"s{i}": s.what for i, s in enumerate(sheet.steps, 1)}
    steps.update({f"d{i}": fmt_day(s.due) for i, s in enumerate(sheet.steps, 1)})
    crit = {f"c{i}": c for i, c in enumerate(sheet.criteria, 1)}
    voice = random.Random(f"{opp.id}/{sheet.pain}/voice")  # how this deal's people say numbers
    return {
        "account": opp.account.name,
        "account_s": possessive(opp.account.name),
        "team": sheet.industry_team,
        "owner": first_of(opp.owner.name),
        "system": sheet.criteria[0].removeprefix("a native connector to "),
        "pain": sheet.pain,
        "hours": f"{n.hours:,} hours a month",
        "staff": f"{n.staff} {voice.choice(_STAFF)}",
        "metric": n.metric,
        "baseline": n.baseline,
        "target": n.target,
        **_value_clauses(voice.choice(_WORTH) if n.value else "", n.value),
        "amount": n.amount or "the agreed amount",
        "fy": sheet.fiscal_year,
        "line": sheet.budget_line,
        "incumbent": sheet.incumbent,
        "alt1": sheet.alternatives[0],
        "alt2": sheet.alternatives[1],
        "event": sheet.critical_event,
        "event_date": fmt_day(sheet.event_date),
        "paper": sheet.paper,
        "paper_cap": sheet.paper[:1].upper() + sheet.paper[1:],
        "weeks": f"{sheet.paper_weeks} weeks",
        "paper_clause": f", run by {paper_owner.name}" if paper_owner else "",
        "useful_adj": "useful",
        **_person_fields("champ", roles.champion),
        **_person_fields("eb", roles.economic_buyer),
        **_person_fields("tech", roles.technical),
        **steps,
        **crit,
    }


def _value_clauses(worth: str, value: str) -> dict[str, str]:
    """The deal's value clause in each voice (`_VOICES`); empty where the deal has no value."""
    return {
        f"value_clause{suffix}": worth.format(value=value, they=they, their=their)
        for suffix, (they, their) in _VOICES.items()
    }


def _person_fields(prefix: str, c: Contact | None) -> dict[str, str]:
    if c is None:
        return {}
    return {prefix: c.name, f"{prefix}_title": c.title or "on their team"}


def first_of(full_name: str) -> str:
    """A seller's first name(s): everything before the last word ("Wei Jie Tan" → "Wei Jie")."""
    parts = full_name.rsplit(" ", 1)
    return parts[0] if len(parts) == 2 else full_name


def first_name(c: Contact | None) -> str:
    if c is None:
        return "there"
    return c.first_name or c.last_name


def meeting_text(deal: Deal, m: PlannedMeeting) -> str:
    """Notes for a past meeting, an agenda for an upcoming one."""
    if extra_kinds.handles_meeting(m):  # internal meetings, signature, onboarding, no-shows
        return _extra_meeting_text(deal, m)
    rng = random.Random(f"{m.content_seed}/{m.key}")
    f = _meeting_fields(deal, m)
    kind = m.meeting_type if m.meeting_type in LABELS else "other"
    if not m.past:
        items = rng.sample(list(RULES["agenda_items"]), 3)
        agenda = "; ".join(expand(i, rng, f, deal.rules) for i in items)
        lines = [
            f"With: {f['people']}",
            f"Goal: {deal.say(f'goal_{kind}', rng, f)}",
            tidy(f"Agenda: {agenda}."),
            f"Prep: {deal.say('prep', rng, f)}",
        ]
        return "\n".join(lines)
    said = deal.sheet.said_in(m.key)
    body = [deal.say(f"open_{kind}", rng, f) or deal.say("open_again", rng, f)]
    body += [deal.say_fact("note", fact, rng, f) for fact in said]
    body += [deal.say(f"ref_{fact.kind}", rng, f) for fact in deal.sheet.referred_in(m.key)]
    # CRM notes are short: a detail or two when nothing new was said, else at most one
    details = (2 if rng.random() < 0.4 else 1) if not said else (1 if rng.random() < 0.35 else 0)
    body += [deal.say(f"detail_{kind}", rng, f) for _ in range(details)]
    body = [b for b in body if b]
    return "\n".join([" ".join(body), deal.say(f"next_{kind}", rng, f)])


def _extra_meeting_text(deal: Deal, m: PlannedMeeting) -> str:
    """A new kind's notes or agenda (`extra_kinds`), redrawn until no sentence repeats in the deal;
    an internal meeting is about the customer's lead (the champion) and lists our side: the seller
    and the colleagues in it (`cast`), with each role word the name of who held it."""
    people = ", ".join(c.name for c in deal.people(m.invitee_ids)) or deal.opp.owner.name
    f = _meeting_fields(deal, m)
    if m.internal:  # about the customer meeting it prepares, or the latest one
        champion = deal.sheet.roles.champion
        f["lead"] = first_name(champion) if champion else "their lead"  # "their lead is engaged"
        later = [x for x in deal.plan.meetings if not x.internal and x.start > m.start]
        f["label"] = deal.label(later[0], "next call") if later else f["prev"]
    notes = deal.fresh(
        lambda seed: tidy(extra_kinds.meeting_text(replace(m, content_seed=seed), f)),
        m.content_seed,
        f"meeting {m.meeting_type} {m.status} {m.past}",
    )
    notes = cast(notes, deal.plan, m)  # "the sales engineer" is whoever held the role there
    if m.internal and deal.plan.team:  # the seller and the colleagues who sat in
        return f"{with_line(deal.plan, m)}\n{notes}"
    return f"With: {people}\n{notes}"


def _meeting_fields(deal: Deal, m: PlannedMeeting) -> dict[str, str]:
    people = deal.people(m.invitee_ids)
    champion = deal.sheet.roles.champion
    lead = champion if champion in people else (people[0] if people else None)
    others = [c for c in people if c != lead]
    f = dict(deal.base)
    lead_first = first_name(lead)
    label = deal.label(m, "meeting")
    f.update(
        lead=lead_first,
        lead_s=possessive(lead_first),
        lead_full=lead.name if lead else f"the {deal.opp.account.name} team",
        people=join_names([c.name for c in people]) or f"the {deal.opp.account.name} team",
        others_with=f" and {join_names([c.name for c in others])}" if others else "",
        others_clause=(
            f"{join_names([c.name for c in others])} listened in."
            if others
            else "nobody else joined this time."
        ),
        prev=deal.previous_label(m),
        label=label,
        label_cap=label[:1].upper() + label[1:],
        eb_arrived=_eb_arrived(deal, m),
        # where the lead takes the case: a lead who owns the budget takes it to finance
        budget_owner="finance"
        if lead and lead == deal.sheet.roles.economic_buyer
        else "the budget owner",
    )
    return f


def _eb_arrived(deal: Deal, m: PlannedMeeting) -> str:
    """How the economic buyer took part: "came in for the last twenty minutes" only when they
    attended and someone else was the meeting's main contact, the one there from the start."""
    eb = deal.sheet.roles.economic_buyer
    declined = {who for who, status in m.responses if status == "Declined"}
    if eb is None or eb.id not in m.invitee_ids or eb.id in declined:
        return "was not on the call, but"
    if eb.id == m.primary_contact_id or len(m.invitee_ids) < 2:
        return "led the conversation;"
    return "came in for the last twenty minutes;"
