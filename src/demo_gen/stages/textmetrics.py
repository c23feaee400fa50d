"""How the generated texts read, measured: repetition, subjects, replies, citations, names, dates.

`text_report(plan, cards)` is pure. It reads each deal's texts from its scorecards
(`Scorecard.texts`: the texts as written, LLM or heuristic) and returns one entry per measure,
each with its target:
{"value": …, "target": "≤ 0.2", "ok": bool}. Definitions:

- sentences are the prose of meeting notes and email bodies, split on . ! ? and line breaks; an
  email's greeting line, sign-off and signature are not prose; a sentence needs 3+ words.
- cross_deal_repeated_sentence_share: share of sentence occurrences whose exact text appears in
  more than one deal.
- within_deal_repeated_sentences: occurrences of a sentence its own deal has already used.
- masked_distinct_3gram_ratio: distinct / all word 3-grams over the sentences of every text
  (labels and attendee lines left out), after replacing people's names, company names, numbers
  and dates with placeholders.
- subject_templates: distinct subjects once the account and deal names are masked;
  top_email_subject_share: share of emails carrying the most common subject ("Re: " ignored).
- qa_agreement: share of question threads whose reply's first sentence is about the question
  the first message's first sentence asks (by the question types' marker words).
- evidence_support_rate: share of the dates, numbers and contact names in scorecard answers
  found in a record the answer cites.
- named_people_absent: contacts named in a deal's texts or answers who take part in none of its
  activities.  weekend_dates: dates written in texts and answers that fall on a weekend.
- self_thanks, double_stops ("Inc.."), lower_case_starts, attachment_claims: counts.
- won_without_champion_or_eb: won deals whose scorecards leave Champion or Economic Buyer open.
- name_clashes: contacts of one deal sharing a first name with each other or with the owner.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from demo_gen.stages.content.phrases import QA_MARKERS
from demo_gen.stages.facts.claims import DATE, parse_date
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.scorecards import Scorecard
from demo_gen.stages.scorecards.evidence import Records
from demo_gen.stages.textcounts import Corpus, _prose, deal_corpus, sentences

TARGETS: dict[str, tuple[str, float]] = {
    "cross_deal_repeated_sentence_share": ("<=", 0.20),
    "within_deal_repeated_sentences": ("<=", 0),
    "masked_distinct_3gram_ratio": (">=", 0.35),
    "top_email_subject_share": ("<=", 0.03),
    "qa_agreement": (">=", 1.0),
    "evidence_support_rate": (">=", 1.0),
    "named_people_absent": ("<=", 0),
    "weekend_dates": ("<=", 0),
    "self_thanks": ("<=", 0),
    "double_stops": ("<=", 0),
    "lower_case_starts": ("<=", 0),
    "attachment_claims": ("<=", 0),
    "won_without_champion_or_eb": ("<=", 0),
    "name_clashes": ("<=", 0),
}
_WEEKDAY_DATE = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), ([A-Z][a-z]+) (\d{1,2})\b"
)


def text_report(plan: Plan, cards: Sequence[Scorecard]) -> dict[str, Any]:
    """The measures for a run's texts and scorecards, each with its target (see module doc)."""
    tally = TextTally()
    tally.add(plan.opportunities, cards)
    return tally.report()


class TextTally:
    """`text_report` a chunk of deals at a time: `add` each chunk's deals and scorecards (in
    any order, each deal once), then `report`. It keeps counts, never the texts."""

    def __init__(self) -> None:
        self.corpus = Corpus()
        self.deals = self.supported = self.claims = self.agree = self.asked = 0
        self.weekend = self.won_gaps = self.clashes = 0

    def add(self, plans: Sequence[OpportunityPlan], cards: Sequence[Scorecard]) -> None:
        """Count these deals (those with texts in `cards`) and their scorecards."""
        texts = _texts_by_deal(cards)
        deals = [op for op in plans if op.opportunity.id in texts]
        self.deals += len(deals)
        for op in deals:
            deal_corpus(self.corpus, op, texts[op.opportunity.id])
        supported, claims = _support(deals, cards, texts)
        self.supported += supported
        self.claims += claims
        agree, asked = _qa_counts(deals, texts)
        self.agree += agree
        self.asked += asked
        self.weekend += _weekend_in_answers(cards)
        self.won_gaps += _won_gaps(deals, cards)
        self.clashes += sum(_clashes(op) for op in deals)
        self.corpus.fold()  # the chunk's keys packed before its texts go: no object per key

    def report(self) -> dict[str, Any]:
        """The measures of every deal added so far."""
        if not self.deals:
            return {"text": "no texts recorded (no scorecard templates configured)"}
        corpus = self.corpus
        values: dict[str, float | int] = {
            "cross_deal_repeated_sentence_share": corpus.cross_deal_share(),
            "within_deal_repeated_sentences": corpus.within_deal,
            "masked_distinct_3gram_ratio": corpus.trigram_ratio(),
            "subject_templates": len(corpus.subject_templates),
            "top_email_subject_share": corpus.top_subject_share(),
            "qa_agreement": round(self.agree / self.asked, 4) if self.asked else 1.0,
            "evidence_support_rate": round(self.supported / self.claims, 4) if self.claims else 1.0,
            "named_people_absent": corpus.absent,
            "weekend_dates": corpus.weekend + self.weekend,
            "self_thanks": corpus.self_thanks,
            "double_stops": corpus.double_stops,
            "lower_case_starts": corpus.lower_starts,
            "attachment_claims": corpus.attachments,
            "won_without_champion_or_eb": self.won_gaps,
            "name_clashes": self.clashes,
        }
        return {"text": {k: _judged(k, v) for k, v in values.items()}}


def _judged(name: str, value: float | int) -> dict[str, Any]:
    if name not in TARGETS:
        return {"value": value, "target": None, "ok": None}
    op, bound = TARGETS[name]
    ok = value <= bound if op == "<=" else value >= bound
    return {"value": value, "target": f"{'≤' if op == '<=' else '≥'} {bound}", "ok": ok}


def _texts_by_deal(cards: Sequence[Scorecard]) -> dict[str, Mapping[str, str]]:
    out: dict[str, Mapping[str, str]] = {}
    for card in cards:
        if card.texts:
            out.setdefault(card.opportunity_id, card.texts)
    return out


def _support(
    deals: Sequence[OpportunityPlan],
    cards: Sequence[Scorecard],
    texts: Mapping[str, Mapping[str, str]],
) -> tuple[int, int]:
    from demo_gen.stages.facts.claims import claims, found

    by_id = {op.opportunity.id: op for op in deals}
    supported = total = 0
    records: dict[str, Records] = {}
    for card in cards:
        op = by_id.get(card.opportunity_id)
        if op is None:
            continue
        recs = records.setdefault(
            op.opportunity.id, Records(op, texts[op.opportunity.id], card.until)
        )
        names = [c.name for c in op.opportunity.contacts]
        for answer in card.answers:
            cited = [r for r in recs.items if r.key in answer.evidence_keys]
            for claim in claims(answer.text, names):
                total += 1
                supported += any(found(claim, r.haystack) for r in cited)
    return supported, total


def _qa_counts(
    deals: Sequence[OpportunityPlan], texts: Mapping[str, Mapping[str, str]]
) -> tuple[int, int]:
    """(question threads whose reply agrees, question threads answered)."""
    agree = asked = 0
    for op in deals:
        threads: dict[str, list[str]] = {}
        for e in sorted(op.emails, key=lambda e: (e.sent_at, e.key)):
            if e.purpose == "question":
                body = sentences(_prose(texts[op.opportunity.id].get(e.key, "")))
                threads.setdefault(e.thread_key, []).append(body[0] if body else "")
        for chain in threads.values():
            if len(chain) < 2:
                continue
            asked += 1
            agree += topic(chain[0]) is not None and topic(chain[0]) == topic(chain[1])
    return agree, asked


def topic(text: str) -> str | None:
    """The question type an email's body is about, by its marker words (first match)."""
    body = text.lower()
    hits = [t for t, words in QA_MARKERS.items() if any(w in body for w in words)]
    return hits[0] if len(hits) == 1 else None


def _weekend_in_answers(cards: Sequence[Scorecard]) -> int:
    return sum(
        parse_date(d).weekday() >= 5 for c in cards for a in c.answers for d in DATE.findall(a.text)
    )


def weekday_mismatch(text: str, year: int) -> int:
    """Dates written "Tuesday, April 14" whose weekday is wrong or a weekend (year given)."""
    bad = 0
    for day, month, num in _WEEKDAY_DATE.findall(text):
        try:
            d = datetime.strptime(f"{month} {num} {year}", "%B %d %Y").date()
        except ValueError:
            continue
        bad += d.weekday() >= 5 or f"{d:%A}" != day
    return bad


def _won_gaps(deals: Sequence[OpportunityPlan], cards: Sequence[Scorecard]) -> int:
    won = {op.opportunity.id for op in deals if op.opportunity.is_won}
    gaps = 0
    for card in cards:
        if card.opportunity_id not in won:
            continue
        kinds = {e.id: e.kind for e in card.elements}
        answered = {kinds.get(a.element_id) for a in card.answers}
        wanted = {k for k in kinds.values() if k in ("champion", "economic_buyer")}
        gaps += not wanted <= answered
    return gaps


def _clashes(op: OpportunityPlan) -> int:
    firsts = Counter(c.first_name for c in op.opportunity.contacts if c.first_name)
    owner = op.opportunity.owner.name.rsplit(" ", 1)[0]
    return sum(n - 1 for n in firsts.values() if n > 1) + firsts.get(owner, 0)
