"""The text measures: each counts what it says, and the fixture org's run meets its targets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from test_content import PACK, SEED, golden_plans

from demo_gen.cli import cli
from demo_gen.config.model import Config
from demo_gen.stages.compose import scorecards_for
from demo_gen.stages.content import HeuristicContent
from demo_gen.stages.plan import Plan
from demo_gen.stages.scorecards import load_template, render
from demo_gen.stages.textcounts import Corpus, deal_corpus, mask
from demo_gen.stages.textmetrics import text_report, topic

CONFIG = Config.model_validate({"run": {"name": PACK, "seed": SEED}})


def _texts(op, body: str) -> dict[str, str]:
    return {m.key: body for m in op.meetings} | {e.key: "" for e in op.emails}


def test_repeats_within_and_across_deals_are_counted():
    a, b = golden_plans()[:2]
    corpus = Corpus()
    deal_corpus(corpus, a, _texts(a, "We met the whole team today. Scope is agreed for now."))
    deal_corpus(corpus, b, _texts(b, "We met the whole team today."))
    per_deal = len(a.meetings)
    assert corpus.within_deal == 2 * (per_deal - 1) + (len(b.meetings) - 1)
    assert corpus.cross_deal_share() == round(
        (per_deal + len(b.meetings)) / (2 * per_deal + len(b.meetings)), 4
    )


def test_masking_hides_names_companies_numbers_and_dates():
    masks = [("Acme Corp", "<company>"), ("Ana", "<name>")]
    text = "Ana said Acme Corp saves $240k by March 4, 2027."
    assert mask(text, masks) == "<name> said <company> saves <num> by <date>."
    # a name ending in a full stop ("Inc.", "K.K.") is masked too, mid-sentence or at the end
    dotted = [("Willowby Broadcasting Inc.", "<company>")]
    said = "Nobody from Willowby Broadcasting Inc. procurement; ask Willowby Broadcasting Inc."
    assert mask(said, dotted) == "Nobody from <company> procurement; ask <company>"


def test_slips_are_found():
    op = golden_plans()[1]
    email = next(e for e in op.emails if e.direction == "outbound")
    owner = op.opportunity.owner.name.split()[0]
    texts = {
        email.key: f"Hi {owner},\n\nSee Acme Inc.. and the slides attached. then more.\n\nBest,\nX"
    }
    corpus = Corpus()
    deal_corpus(corpus, op, texts)
    assert (corpus.self_thanks, corpus.double_stops, corpus.attachments) == (1, 1, 1)
    assert corpus.lower_starts == 1


def test_greeting_a_namesake_is_not_self_thanks():
    """A seller writing to a contact with the same first name greets them by it: not a slip."""
    op = golden_plans()[1]
    email = next(e for e in op.emails if e.direction == "outbound")
    owner = op.opportunity.owner.name.split()[0]
    reader = email.to_contact_ids[0]
    contacts = tuple(
        replace(c, first_name=owner) if c.id == reader else c for c in op.opportunity.contacts
    )
    namesake = replace(op, opportunity=replace(op.opportunity, contacts=contacts))
    text = {email.key: f"Hi {owner},\n\nThanks for the call.\n\nBest,\nX"}
    for plan, slips in ((op, 1), (namesake, 0)):
        corpus = Corpus()
        deal_corpus(corpus, plan, text)
        assert corpus.self_thanks == slips


def test_topics_are_told_apart():
    assert topic("Could we speak to a customer in a similar business?") == "reference"
    assert topic("Your data can be hosted in-region.") == "residency"
    assert topic("Pricing is per platform.") == "pricing"
    assert topic("Thanks for the note.") is None


def _report(plans, cards):
    return text_report(Plan(tuple(plans), SEED, PACK), cards)["text"]


def test_heuristic_texts_meet_the_targets_that_do_not_depend_on_volume():
    plans = golden_plans()
    cards = [c for op in plans for c in scorecards_for([load_template("MEDDPICC")], op, CONFIG)]
    text = _report(plans, cards)
    for name in (
        "within_deal_repeated_sentences",
        "evidence_support_rate",
        "named_people_absent",
        "self_thanks",
        "double_stops",
        "lower_case_starts",
        "attachment_claims",
        "won_without_champion_or_eb",
    ):
        assert text[name]["ok"], (name, text[name])


def test_evidence_support_catches_a_claim_not_in_the_cited_record():
    op = golden_plans()[2]
    card = render(load_template("MEDDICC"), op, CONFIG.scorecards, seed=SEED, pack=PACK)
    assert _report([op], [card])["evidence_support_rate"]["value"] == 1.0
    bad = replace(card.answers[0], text=card.answers[0].text + " Saves 37% by March 3, 2027.")
    broken = replace(card, answers=(bad, *card.answers[1:]))
    assert _report([op], [broken])["evidence_support_rate"]["value"] < 1.0


def test_weekend_dates_in_answers_are_counted():
    op = golden_plans()[2]
    card = render(load_template("MEDDICC"), op, CONFIG.scorecards, seed=SEED, pack=PACK)
    bad = replace(card.answers[0], text="Due by March 6, 2027.")  # a Saturday
    assert _report([op], [replace(card, answers=(bad,))])["weekend_dates"]["value"] >= 1


def test_the_fixture_org_meets_its_text_targets(make_config, tmp_path):
    """The fixture org end to end (dry-run: the same texts and scorecards a run writes)."""
    out = tmp_path / "plan.json"
    args = ["dry-run", "-c", str(make_config()), "--json", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    checked = 0
    for deal in json.loads(out.read_text())["opportunities"]:
        sheet = deal["fact_sheet"]
        # what has been said by the day: a meeting still ahead shows its agenda, and the facts
        # the whole story has said in it are said when it happens (refresh writes its notes)
        said_by_now = [i for i in deal["meetings"] if i["status"] != "scheduled"] + deal["emails"]
        texts = {i["key"]: i["text"] for i in said_by_now}
        for fact in sheet["facts"]:
            if fact["said_in"] in texts:
                said = texts[fact["said_in"]].lower()
                assert all(t.lower() in said for t in fact["tokens"]), fact
                checked += 1
    assert checked >= 20  # the facts already said: most of each sheet
    text = json.loads(result.stdout)["realism"]["text"]
    for name in (
        "within_deal_repeated_sentences",
        "qa_agreement",
        "evidence_support_rate",
        "named_people_absent",
        "self_thanks",
        "double_stops",
        "lower_case_starts",
        "attachment_claims",
    ):
        assert text[name]["ok"], (name, text[name])
    assert text["cross_deal_repeated_sentence_share"]["value"] < 0.5
    assert HeuristicContent  # the heuristic writer is what dry-run uses


def test_status_realism_shows_each_text_measure_with_its_target(make_config):
    config = str(make_config())
    run = CliRunner().invoke(cli, ["run", "-c", config, "--json", "--max-opps", "4"])
    assert run.exit_code == 0, run.stderr
    run_id = json.loads(run.stdout)["run_id"]
    text = json.loads(run.stdout)["realism"]["text"]
    assert text["evidence_support_rate"] == {"value": 1.0, "target": "≥ 1.0", "ok": True}
    shown = CliRunner().invoke(cli, ["status", "-c", config, run_id, "--realism"])
    assert shown.exit_code == 0, shown.stderr
    assert "how the texts read" in shown.stderr
    assert "evidence_support_rate" in shown.stderr and "≥ 0.35" in shown.stderr


def test_the_default_run_meets_issue_11s_targets(tmp_path, monkeypatch):
    """`demo-gen org init` + demo.example.yaml, as a new user runs it (dry-run: the same texts and
    scorecards). The masked 3-gram ratio meets issue 11's 0.35 (0.352 measured); name clashes
    come from the local org's fixture names (a seller and a contact both called Marcus) and are
    left to that code."""
    example = Path(__file__).parent.parent / "demo.example.yaml"
    (tmp_path / "demo.yaml").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["org", "init"]).exit_code == 0
    args = ["dry-run", "-c", "demo.yaml", "--json", "--out", str(tmp_path / "plan.json")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    text = json.loads(result.stdout)["realism"]["text"]
    for name in (
        "within_deal_repeated_sentences",
        "cross_deal_repeated_sentence_share",
        "top_email_subject_share",
        "qa_agreement",
        "evidence_support_rate",
        "named_people_absent",
        "weekend_dates",
        "double_stops",
        "lower_case_starts",
        "attachment_claims",
        "won_without_champion_or_eb",
        "self_thanks",
        "masked_distinct_3gram_ratio",
    ):
        assert text[name]["ok"], (name, text[name])
    assert text["masked_distinct_3gram_ratio"]["value"] >= 0.35


def test_the_tally_keeps_counts_not_texts_and_says_what_text_report_says():
    """TextTally (a run adds a chunk of deals at a time) gives text_report's figures; the corpus
    keeps each distinct sentence's deal (MANY once in two) and each distinct 3-gram as a 64-bit
    key in sorted arrays: the figures of the sets of deals and the tuples they replace."""
    from array import array
    from collections import Counter

    from demo_gen.stages.plan import PlannedEmail
    from demo_gen.stages.textcounts import _WORD, _masks, _prose, sentences  # noqa: PLC2701
    from demo_gen.stages.textmetrics import TextTally

    plans = golden_plans()
    cards = [c for op in plans for c in scorecards_for([load_template("MEDDPICC")], op, CONFIG)]
    tally = TextTally()
    for op in plans:
        tally.add([op], [c for c in cards if c.opportunity_id == op.opportunity.id])
        packed = [tally.corpus.sentences, tally.corpus.trigrams, tally.corpus.email_subjects]
        assert all(not part._new for part in packed)  # noqa: SLF001 - each add packs its keys
    assert tally.report() == text_report(Plan(tuple(plans), SEED, PACK), cards)
    deals: dict[str, set[str]] = {}
    counts: Counter[str] = Counter()
    grams: Counter[tuple[str, ...]] = Counter()
    for op in plans:
        texts = cards[[c.opportunity_id for c in cards].index(op.opportunity.id)].texts
        for item in (*op.meetings, *op.emails):
            text = texts.get(item.key, "")
            prose = _prose(text) if isinstance(item, PlannedEmail) else text
            if isinstance(item, PlannedEmail) and item.purpose == "out_of_office":
                prose = text.split("\n\n")[0]
            said = sentences(prose)
            for sentence in (s for s in said if len(s.split()) >= 3):
                counts[sentence] += 1
                deals.setdefault(sentence, set()).add(op.opportunity.id)
            words = _WORD.findall(mask(" ".join(said), _masks(op)).lower())
            grams.update(zip(words, words[1:], words[2:], strict=False))
    shared = sum(n for s, n in counts.items() if len(deals[s]) > 1)
    assert 0 < shared < sum(counts.values())  # some sentences are shared, some are not
    corpus = tally.corpus
    assert corpus.cross_deal_share() == round(shared / sum(counts.values()), 4)
    assert corpus.trigram_ratio() == round(len(grams) / sum(grams.values()), 4)
    assert len(corpus.trigrams) == len(grams) > 100
    # and it holds no text, nor an object per key: a run's sentences, 3-grams and subjects are
    # 64-bit keys in flat arrays, packed after each chunk (`add`)
    assert all(isinstance(part.keys, array) and part.keys.typecode == "Q" for part in packed)
    assert len(corpus.sentences) == len(counts) and len(corpus.email_subjects) > 0
