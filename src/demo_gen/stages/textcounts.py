"""The counting behind `textmetrics`: sentences, masked 3-grams, subjects and slips per deal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from hashlib import blake2b

from demo_gen.stages import rx
from demo_gen.stages.content.grammar import split_sentences
from demo_gen.stages.content.mail import seller_company
from demo_gen.stages.facts.claims import DATE, parse_date
from demo_gen.stages.facts.timeline import involved_ids
from demo_gen.stages.plan import OpportunityPlan, PlannedEmail, PlannedMeeting
from demo_gen.stages.textkeys import KeyCounts, KeySet

_LABEL = re.compile(r"^(Goal|Agenda|Prep|Next|Summary|Outcome|Next steps|Discussed):\s*")
_SIGNOFF = re.compile(r"^[A-Z][A-Za-z ]{0,20},$")
_GREETING = re.compile(
    r"^(Hi|Hello|Dear|Good (?:morning|afternoon|evening)|Hey)\b|^[^\W\d][\w' -]{0,40},$"
)
_WHEN = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),? (?:January|February|March|"
    r"April|May|June|July|August|September|October|November|December) \d{1,2}"
    r"(?: at \d{1,2}:\d{2})?"
)
_WEEKEND_NAME = re.compile(r"\b(Saturday|Sunday)\b")
_NUMBER = re.compile(r"\$?\d[\d,.]*[%kM]?")
_WORD = re.compile(r"<\w+>|[a-z][a-z'-]*")
_DOUBLE = re.compile(r"(?<!\.)\.\.(?!\.)")
_ATTACH = re.compile(r"\battach", re.IGNORECASE)
_RE = re.compile(r"^(re:\s*)+", re.IGNORECASE)


def text_key(text: str) -> int:
    """A text as the corpus keeps it: a 64-bit hash (a run's distinct sentences and 3-grams
    are millions, most of them seen once; as strings they grew the run by 10 KB a deal). Two
    texts share a key with odds of one in 2**64 per pair: no count moves by it in practice."""
    return int.from_bytes(blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass
class Corpus:
    """Counts over every deal's texts; `deal_corpus` adds one deal, `fold` packs what was added
    (`textkeys`: sorted arrays, no object per key). Sentences, 3-grams and subjects are counted
    by `text_key`, never kept."""

    sentences: KeyCounts = field(default_factory=KeyCounts)  # with each one's deal, or MANY
    within_deal: int = 0
    trigrams: KeySet = field(default_factory=KeySet)  # of "w1 w2 w3": words hold no space
    trigram_total: int = 0
    subject_templates: set[str] = field(default_factory=set)
    email_subjects: KeyCounts = field(default_factory=KeyCounts)
    deals: int = 0  # added so far: the next deal's ordinal
    absent: int = 0
    weekend: int = 0
    self_thanks: int = 0
    double_stops: int = 0
    lower_starts: int = 0
    attachments: int = 0

    def fold(self) -> None:
        """Pack the keys added since the last fold (a run folds after each chunk)."""
        self.sentences.fold()
        self.trigrams.fold()
        self.email_subjects.fold()

    def cross_deal_share(self) -> float:
        total = self.sentences.total()
        return round(self.sentences.shared() / total, 4) if total else 0.0

    def trigram_ratio(self) -> float:
        total = self.trigram_total
        return round(len(self.trigrams) / total, 4) if total else 0.0

    def top_subject_share(self) -> float:
        total = self.email_subjects.total()
        return round(self.email_subjects.most() / total, 4) if total else 0.0


def deal_corpus(corpus: Corpus, op: OpportunityPlan, texts: Mapping[str, str]) -> None:
    """Add one deal's texts and subjects to the counts."""
    opp = op.opportunity
    masks = _masks(op)
    deal = corpus.deals
    corpus.deals += 1
    seen: set[int] = set()
    items: list[PlannedMeeting | PlannedEmail] = [*op.meetings, *op.emails]
    for item in items:
        text = texts.get(item.key, "")
        prose = _prose(text) if isinstance(item, PlannedEmail) else text
        if isinstance(item, PlannedEmail) and item.purpose == "out_of_office":
            prose = text.split("\n\n")[0]  # an auto-reply: its message, not the signature
        said = sentences(prose)
        for sentence in said:
            corpus.lower_starts += sentence[:1].islower()
            if len(sentence.split()) < 3:
                continue
            key = text_key(sentence)
            corpus.sentences.add(key, deal)
            corpus.within_deal += key in seen
            seen.add(key)
        words = _WORD.findall(mask(" ".join(said), masks).lower())
        grams = [" ".join(t) for t in zip(words, words[1:], words[2:], strict=False)]
        corpus.trigrams.update(map(text_key, grams))  # distinct ones: a run's are many
        corpus.trigram_total += len(grams)
        corpus.weekend += sum(parse_date(d).weekday() >= 5 for d in DATE.findall(text))
        corpus.weekend += len(_WEEKEND_NAME.findall(text))
        corpus.double_stops += len(_DOUBLE.findall(text))
        corpus.attachments += len(_ATTACH.findall(text))
        subject = _RE.sub("", item.subject)
        corpus.subject_templates.add(mask(subject, masks[:1] + [(opp.name, "<topic>")]))
        if isinstance(item, PlannedEmail):
            corpus.email_subjects.add(text_key(subject), deal)
            corpus.self_thanks += _thanks_self(op, item, text)
    involved = set(involved_ids(op))
    named = " ".join(texts.get(k, "") for k in texts)
    corpus.absent += sum(
        1 for c in opp.contacts if c.id not in involved and c.first_name and c.name in named
    )


def sentences(prose: str) -> list[str]:
    """Prose split into sentences, labels ("Next:") and attendee lines ("With: …") dropped."""
    out = []
    for part in split_sentences(prose):
        if part.startswith("With: "):
            continue  # an agenda's attendee line, not a sentence
        part = _LABEL.sub("", part.strip())
        if part:
            out.append(part)
    return out


def _prose(email: str) -> str:
    """An email without its greeting line, sign-off and signature."""
    lines = email.splitlines()
    if lines and _GREETING.match(lines[0].strip()):
        lines = lines[1:]
    for i in range(len(lines) - 1, -1, -1):
        if _SIGNOFF.match(lines[i].strip()):
            lines = lines[:i]
            break
    return "\n".join(lines)


def _masks(op: OpportunityPlan) -> list[tuple[str, str]]:
    opp = op.opportunity
    seller = seller_company(opp.owner.email)
    words: list[tuple[str, str]] = [(opp.account.name, "<company>")]
    words += [(seller, "<company>")] if seller else []
    owner = [first_of(opp.owner.name), opp.owner.name.rsplit(" ", 1)[-1]]
    people = [w for c in opp.contacts for w in (c.first_name, c.last_name) if w] + owner
    full = [c.name for c in opp.contacts] + [opp.owner.name]
    # a full name is one name: masked to one placeholder, before its parts
    words += [(w, "<name>") for w in sorted(set(full) | set(people), key=len, reverse=True)]
    return words


def mask(text: str, masks: list[tuple[str, str]]) -> str:
    """Dates, numbers, then the given names replaced by placeholders."""
    text = DATE.sub("<date>", text)
    text = _WHEN.sub("<date>", text)
    text = _NUMBER.sub("<num>", text)
    for word, placeholder in masks:
        if word in text:  # most of a deal's names are not in a given text: no scan for them
            text = rx.whole_word(word).sub(placeholder, text)
    return text


def first_of(full_name: str) -> str:
    """A seller's first name(s): everything before the last word ("Wei Jie Tan" → "Wei Jie")."""
    parts = full_name.rsplit(" ", 1)
    return parts[0] if len(parts) == 2 else full_name


def _thanks_self(op: OpportunityPlan, email: PlannedEmail, text: str) -> int:
    """1 if the sender greets, thanks or shares with their own first name; not counted when the
    reader has the same first name (that greeting is right, and the clash is `name_clashes`)."""
    contacts = {c.id: c.first_name or c.last_name for c in op.opportunity.contacts}
    owner = first_of(op.opportunity.owner.name)
    if email.direction == "outbound":
        sender, readers = owner, {contacts.get(i, "") for i in email.to_contact_ids}
    else:
        sender, readers = contacts.get(email.from_contact_id or "", ""), {owner}
    if not sender or sender in readers:
        return 0
    pattern = (
        rf"(?im)^(thanks|thank you|cheers|many thanks)[,!]?[ \t]+{re.escape(sender)}\b"
        rf"|shared (it|this) with {re.escape(sender)}\b|^(hi|hello|dear)\s+{re.escape(sender)}\b"
    )
    return 1 if rx.built(pattern).search(text) else 0
