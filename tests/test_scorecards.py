"""Scorecards: templates as data, stage-gated answers with evidence, golden Markdown."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo_gen.config.model import Config, ScorecardSettings
from demo_gen.errors import ConfigError
from demo_gen.local_org.schema.core import STAGES
from demo_gen.stages.facts.claims import claims, found
from demo_gen.stages.model import Account, Contact, Opportunity, Seller
from demo_gen.stages.plan import OpportunityPlan
from demo_gen.stages.planner import plan_opportunity
from demo_gen.stages.scorecards import (
    BUILTIN,
    LlmAnswer,
    Template,
    expected_elements,
    load_template,
    render,
    validate_llm_answer,
)
from demo_gen.stages.scorecards.evidence import Records
from demo_gen.stages.scorecards.scoring import past_keys

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("DEMO_GEN_UPDATE_GOLDEN") == "1"  # read before env cleanup
ANCHOR = date(2026, 11, 2)
GOLDEN_STAGES = [
    "Qualification",
    "Discovery",
    "Evaluation",
    "Proposal",
    "Negotiation",
    "Closed Won",
]
ROLES = ["Champion", "Economic Buyer", "Technical Buyer", "Procurement", "Business User", None]
TITLES = ["VP Operations", "CFO", "Solutions Architect", "Procurement Manager", "Analyst", "COO"]
FIRST = ["Ana", "Raj", "Mei", "Tom", "Lea", "Omar"]
PLACES = [("United States", "NY"), ("United States", "CA"), ("United Kingdom", None)]
NAME = re.compile(r"\b(?:" + "|".join(FIRST) + r") Person\d+\b")
DEFAULT = ScorecardSettings()


def make_opportunity(
    stage: str,
    roles: list[str | None] | None = None,
    *,
    idx: int = 7,
    close: date | None = None,
    amount: float | None = 185_000.0,
    industry: str | None = "Financial Services",
    employees: int | None = 2400,
) -> Opportunity:
    opp_id = f"006S{idx:05d}"
    roles = ROLES if roles is None else roles
    contacts = tuple(
        Contact(
            id=f"003{opp_id}{i:02d}",
            first_name=FIRST[i % len(FIRST)],
            last_name=f"Person{i}",
            email=f"p{i}@bank.example",
            title=TITLES[i % len(TITLES)],
            phone=None,
            mailing_country=PLACES[i % len(PLACES)][0],
            mailing_state=PLACES[i % len(PLACES)][1],
            role=role,
            is_primary=i == 0,
        )
        for i, role in enumerate(roles)
    )
    closed = stage.startswith("Closed")
    return Opportunity(
        id=opp_id,
        name=f"Northwind {idx} - Close Automation",
        stage=stage,
        type="New Business",
        amount=amount,
        probability=50.0,
        close_date=close or (ANCHOR - timedelta(days=12) if closed else date(2026, 12, 18)),
        created_date=datetime(2026, 3, 2, 15, tzinfo=UTC),
        is_closed=closed,
        is_won=stage == "Closed Won",
        account=Account(
            f"001S{idx:05d}", f"Northwind {idx}", industry, "United States", "NY", None, employees
        ),
        owner=Seller("005S1", "Sam Rivera", "sam@vendor.example", "AE", "America/New_York"),
        contacts=contacts,
    )


def make_plan(opp: Opportunity, anchor: date = ANCHOR) -> OpportunityPlan:
    config = Config.model_validate({"run": {"name": "test-pack", "seed": 42}})
    return plan_opportunity(opp, config, anchor)


def slug(stage: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", stage.lower()).strip("_")


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_templates_load(name: str) -> None:
    template = load_template(name)
    assert template.name == name
    assert all(2 <= len(e.questions) <= 4 for e in template.elements)
    assert set(template.stage_gates["closed"]) == {e.id for e in template.elements}
    previous: set[str] = set()
    for position in ("qualification", "discovery", "evaluation", "proposal", "negotiation"):
        now = set(template.stage_gates[position])
        assert previous <= now  # cumulative
        previous = now


def test_stage_gates_follow_the_reference_order() -> None:
    t = load_template("MEDDPICC")

    def ids(stage: str) -> set[str]:
        return {e.id for e in expected_elements(t, stage)}

    assert ids("Qualification") == {"pain", "champion"}
    assert "paper_process" not in ids("Proposal")
    assert "paper_process" in ids("Negotiation/Review")
    assert ids("Closed Won") == {e.id for e in t.elements}
    assert ids("Something Custom") == ids("Prospecting")  # unknown → earliest
    for stage in STAGES:
        assert expected_elements(t, stage)


def test_unknown_template_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="MEDDICC, MEDDPICC, BANT, SPICED"):
        load_template("NOPE")


def _user_template(tmp_path: Path, edit: str, new: str) -> Path:
    text = (resources.files("demo_gen.stages.scorecards") / "templates" / "BANT.yaml").read_text()
    assert edit in text
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace(edit, new, 1))
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_user_template_loads(tmp_path: Path) -> None:
    path = _user_template(tmp_path, "name: BANT", "name: OurBANT")
    assert load_template(str(path)).name == "OurBANT"


def test_user_template_missing_questions(tmp_path: Path) -> None:
    path = _user_template(
        tmp_path,
        "    questions:\n      - Who makes the final decision?\n      - Who else gets involved?\n",
        "",
    )
    line = _line_of(path, "- id: authority")
    with pytest.raises(ConfigError) as exc:
        load_template(str(path))
    assert str(exc.value) == f"{path}:{line}: elements.1.questions: Field required"


def test_user_template_unknown_key(tmp_path: Path) -> None:
    path = _user_template(tmp_path, "    kind: need\n", "    kind: need\n    weight: 3\n")
    line = _line_of(path, "weight: 3")
    with pytest.raises(
        ConfigError, match=rf"^{re.escape(str(path))}:{line}: elements\.2\.weight: "
    ):
        load_template(str(path))


def test_user_template_unknown_kind(tmp_path: Path) -> None:
    path = _user_template(tmp_path, "kind: timeline", "kind: vibes")
    line = _line_of(path, "kind: vibes")
    with pytest.raises(ConfigError) as exc:
        load_template(str(path))
    message = str(exc.value)
    assert message.startswith(f"{path}:{line}: elements.3.kind: Input should be")
    assert "'timeline'" in message


def test_user_template_gate_errors(tmp_path: Path) -> None:
    path = _user_template(tmp_path, "evaluation: [budget, authority]", "evaluation: [budget, boss]")
    line = _line_of(path, "evaluation: [budget, boss]")
    with pytest.raises(ConfigError, match=rf":{line}: stage_gates\.evaluation\.1: unknown element"):
        load_template(str(path))
    path = _user_template(tmp_path, "evaluation: [budget, authority]", "evaluation: [budget]")
    with pytest.raises(ConfigError, match="no stage expects authority"):
        load_template(str(path))


def test_user_template_yaml_syntax_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: X\nelements: [\n")
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}:\d+: YAML syntax error"):
        load_template(str(path))
    with pytest.raises(ConfigError, match="not found"):
        load_template(str(tmp_path / "absent.yaml"))


# --- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize("stage", GOLDEN_STAGES)
@pytest.mark.parametrize("name", BUILTIN)
def test_golden_scorecard(name: str, stage: str) -> None:
    card = render(
        load_template(name), make_plan(make_opportunity(stage)), DEFAULT, seed=42, pack="test-pack"
    )
    path = GOLDEN / f"scorecard_{name.lower()}_{slug(stage)}.md"
    text = card.to_markdown()
    if UPDATE_GOLDEN:
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.read_text(encoding="utf-8") == text


def test_heuristic_answers_are_specific() -> None:
    from demo_gen.stages.facts import build_fact_sheet

    plan = make_plan(make_opportunity("Negotiation"))
    card = render(load_template("MEDDPICC"), plan, DEFAULT, seed=42, pack="test-pack")
    sheet = build_fact_sheet(plan, seed=42, pack="test-pack")
    by_id = {a.element_id: a for a in card.answers}
    eb = by_id["economic_buyer"]
    assert "Raj Person1 (CFO) owns the finance budget" in eb.text  # a CFO owns finance
    meetings = {m.key: m for m in plan.meetings}
    assert any(
        k in meetings and "003006S0000701" in meetings[k].invitee_ids for k in eb.evidence_keys
    )
    assert "Ana Person0" in by_id["champion"].text
    n = sheet.numbers
    assert all(x in by_id["metrics"].text for x in (n.baseline, n.target, n.value))
    assert by_id["metrics"].evidence_keys[0] == sheet.facts["metrics"].said_in
    assert card.to_json()["answered"] == len(card.answers)


def _supported(plan: OpportunityPlan, card) -> None:
    records = Records(plan, card.texts)
    names = [c.name for c in plan.opportunity.contacts]
    for answer in card.answers:
        cited = [r for r in records.items if r.key in answer.evidence_keys]
        assert cited, answer
        for claim in claims(answer.text, names):
            assert any(found(claim, r.haystack) for r in cited), (claim, answer.text)
        said_on = re.search(r" on ((?:[A-Z][a-z]+) \d{1,2}, \d{4})\.$", answer.text)
        if " in the " in answer.text and said_on:  # "raised in the X on D": D is the first record
            assert said_on.group(1) == cited[0].day, answer.text


@pytest.mark.parametrize("stage", GOLDEN_STAGES)
def test_every_claim_in_an_answer_is_in_a_cited_record(stage: str) -> None:
    plan = make_plan(make_opportunity(stage))
    for name in BUILTIN:
        _supported(plan, render(load_template(name), plan, DEFAULT, seed=42, pack="p"))


def test_a_won_deal_answers_champion_economic_buyer_budget_and_paper() -> None:
    plan = make_plan(make_opportunity("Closed Won"))
    meddpicc = render(load_template("MEDDPICC"), plan, DEFAULT, seed=42, pack="p")
    answered = {a.element_id for a in meddpicc.answers}
    assert {"champion", "economic_buyer", "paper_process"} <= answered
    bant = render(load_template("BANT"), plan, DEFAULT, seed=42, pack="p")
    assert "budget" in {a.element_id for a in bant.answers}


def test_an_open_deal_past_its_date_says_so() -> None:
    opp = make_opportunity("Proposal", close=ANCHOR - timedelta(days=20))
    card = render(load_template("MEDDPICC"), make_plan(opp), DEFAULT, seed=42, pack="p")
    process = next(a for a in card.answers if a.element_id == "decision_process")
    assert "has passed unsigned" in process.text
    assert "(date passed, not confirmed done)" in process.text


def test_an_answer_whose_figure_no_record_says_is_dropped() -> None:
    from demo_gen.stages.scorecards import heuristic as H

    plan = make_plan(make_opportunity("Negotiation"))
    template = load_template("MEDDPICC")
    original = H.WRITERS["metrics"]

    def inventing(ctx, rng):
        draft = original(ctx, rng)
        return None if draft is None else H.Draft(draft.text + " Saves 37%.", draft.cited)

    H.WRITERS["metrics"] = inventing
    try:
        card = render(template, plan, DEFAULT, seed=42, pack="p")
    finally:
        H.WRITERS["metrics"] = original
    assert "metrics" not in {a.element_id for a in card.answers}


def test_no_economic_buyer_role_lowers_or_drops_the_answer() -> None:
    roles: list[str | None] = [
        "Champion",
        "Business User",
        "Influencer",
    ]  # nobody with EB role/title
    opp = make_opportunity("Proposal", roles)
    opp = replace(opp, contacts=tuple(replace(c, title="Analyst") for c in opp.contacts))
    card = render(load_template("MEDDICC"), make_plan(opp), DEFAULT, seed=42, pack="p")
    assert "economic_buyer" not in {a.element_id for a in card.answers}
    assert "economic_buyer" in card.to_json()["open"]


def test_confidence_floor_drops_answers() -> None:
    plan = make_plan(make_opportunity("Negotiation"))
    low = render(
        load_template("MEDDPICC"), plan, ScorecardSettings(confidence_floor=0.0), seed=1, pack="p"
    )
    high = render(
        load_template("MEDDPICC"), plan, ScorecardSettings(confidence_floor=0.8), seed=1, pack="p"
    )
    assert all(a.confidence >= 0.8 for a in high.answers)
    assert len(high.answers) < len(low.answers)
    assert high.coverage < low.coverage


def test_score_formula() -> None:
    card = render(
        load_template("SPICED"), make_plan(make_opportunity("Proposal")), DEFAULT, seed=3, pack="p"
    )
    credit = min(1.0, card.coverage_of_expected / DEFAULT.coverage_target)
    assert card.score == round(100 * credit * card.confidence)
    assert 0 <= card.score <= 100


# --- LLM answers ----------------------------------------------------------------------------


def _llm_case() -> tuple[Template, OpportunityPlan, str, str]:
    template = load_template("MEDDICC")
    plan = make_plan(make_opportunity("Negotiation"))
    eb_id = "003006S0000701"
    attended = next(
        m.key for m in plan.meetings if m.status == "held" and m.past and eb_id in m.invitee_ids
    )  # a meeting the economic buyer really joined (a no-show carries nobody's name)
    return template, plan, eb_id, attended


def test_hybrid_uses_a_valid_llm_answer() -> None:
    template, plan, _, attended = _llm_case()
    good = LlmAnswer("economic_buyer", "Raj Person1 owns the finance budget.", 0.8, (attended,))
    card = render(template, plan, DEFAULT, seed=42, pack="p", llm_answers={"economic_buyer": good})
    answer = next(a for a in card.answers if a.element_id == "economic_buyer")
    assert (answer.source, answer.text, answer.evidence_keys) == ("llm", good.text, (attended,))
    others = [a for a in card.answers if a.element_id != "economic_buyer"]
    assert others and all(a.source == "heuristic" for a in others)


@pytest.mark.parametrize(
    "text, confidence, keys",
    [
        ("Jordan Blake, the CFO, owns the budget.", 0.8, None),  # not a contact
        ("Raj Person1 owns the finance budget.", 0.8, ("006S00007/meeting/999",)),  # bad key
        ("Raj Person1 owns the finance budget.", 1.7, None),  # confidence out of range
        ("   ", 0.8, None),  # empty
        ("Raj Person1 owns the finance budget.", 0.8, ()),  # no evidence
    ],
)
def test_hybrid_falls_back_on_an_invalid_llm_answer(
    text: str, confidence: float, keys: tuple[str, ...] | None
) -> None:
    template, plan, _, attended = _llm_case()
    bad = LlmAnswer("economic_buyer", text, confidence, (attended,) if keys is None else keys)
    element = next(e for e in template.elements if e.id == "economic_buyer")
    assert not validate_llm_answer(bad, element, plan)
    card = render(template, plan, DEFAULT, seed=42, pack="p", llm_answers={"economic_buyer": bad})
    answer = next(a for a in card.answers if a.element_id == "economic_buyer")
    assert answer.source == "heuristic" and "Raj Person1" in answer.text
    llm_only = render(
        template,
        plan,
        ScorecardSettings(mode="llm"),
        seed=42,
        pack="p",
        llm_answers={"economic_buyer": bad},
    )
    assert llm_only.answers == ()


def test_llm_answer_must_cite_an_item_the_person_was_in() -> None:
    template, plan, eb_id, _ = _llm_case()
    elsewhere = next(m.key for m in plan.meetings if m.past and eb_id not in m.invitee_ids)
    element = next(e for e in template.elements if e.id == "economic_buyer")
    answer = LlmAnswer("economic_buyer", "Raj Person1 owns the finance budget.", 0.8, (elsewhere,))
    assert not validate_llm_answer(answer, element, plan)


def test_heuristic_mode_ignores_llm_answers() -> None:
    template, plan, _, attended = _llm_case()
    good = LlmAnswer("economic_buyer", "Raj Person1 owns the finance budget.", 0.8, (attended,))
    card = render(
        template,
        plan,
        ScorecardSettings(mode="heuristic"),
        seed=42,
        pack="p",
        llm_answers={"economic_buyer": good},
    )
    assert all(a.source == "heuristic" for a in card.answers)


# --- properties -----------------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[OpportunityPlan, ScorecardSettings, str]:
    stage = draw(st.sampled_from([*STAGES, "Custom Stage"]))
    roles = draw(st.lists(st.sampled_from([*ROLES, "Decision Maker", "Legal"]), max_size=6))
    anchor = draw(st.dates(date(2026, 3, 20), date(2027, 3, 1)))
    opp = make_opportunity(
        stage,
        roles,
        idx=draw(st.integers(0, 99999)),
        close=anchor + timedelta(days=draw(st.integers(-60, 120))),
        amount=draw(st.sampled_from([None, 9_000.0, 85_000.0, 1_250_000.0])),
        industry=draw(st.sampled_from([None, "Healthcare", "Retail", "Banking", "Agriculture"])),
        employees=draw(st.sampled_from([None, 40, 900, 25_000])),
    )
    knobs = ScorecardSettings(
        coverage_target=draw(st.sampled_from([0.0, 0.5, 0.8, 1.0])),
        confidence_floor=draw(st.sampled_from([0.0, 0.3, 0.55, 0.9])),
        mode=draw(st.sampled_from(["heuristic", "llm", "hybrid"])),
    )
    return make_plan(opp, anchor), knobs, draw(st.sampled_from(BUILTIN))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_scorecard_invariants(case: tuple[OpportunityPlan, ScorecardSettings, str]) -> None:
    plan, knobs, name = case
    template = load_template(name)
    card = render(template, plan, knobs, seed=5, pack="p")
    expected = {e.id for e in expected_elements(template, plan.opportunity.stage)}
    answered = {a.element_id for a in card.answers}
    assert answered <= expected  # no answer for an element the stage does not reach
    assert card.coverage <= len(expected) / len(template.elements)
    assert card.expected == len(expected)
    allowed = past_keys(plan)
    contacts = {c.name for c in plan.opportunity.contacts}
    for answer in card.answers:
        assert set(answer.evidence_keys) <= allowed
        assert 0 <= answer.confidence <= 1 and answer.confidence >= knobs.confidence_floor
        assert set(NAME.findall(answer.text)) <= contacts
    assert 0 <= card.score <= 100
    assert render(template, plan, knobs, seed=5, pack="p") == card  # deterministic
    if knobs.mode != "llm":
        _supported(plan, card)


def test_an_answer_never_writes_a_weekend_date() -> None:
    from demo_gen.stages.scorecards.evidence import Record

    saturday = Record("k", "October 24, 2026", "email", False, frozenset(), "")
    friday = Record("k", "October 23, 2026", "email", False, frozenset(), "")
    assert saturday.where() == "an email sent over a weekend"
    assert friday.where() == "an email on October 23, 2026"
