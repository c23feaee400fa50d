"""The `stories:` section: scripted stories for the few "hero" deals a demo walks through.

Each entry names one deal (`deal: {id: …}`, `{name: …}` or `{query: {…}}`) and what its story must
contain, in a small vocabulary built on the planner's stage path and the fact sheet:

    stories:
      - deal: {name: "Acme Corp - Platform"}
        pace: {stall_after: proposal}          # or on_track: true, or slipping: true
        people: {champion_quiet_from: {after: demo}, economic_buyer_absent: true}
        competition: {competitor: "Northwind Analytics", enters_at: Negotiation}
        risks: [pricing_objection]
        facts: {metrics: {metric: "forecast accuracy", baseline: "62%", target: "80%"}}

Everything not scripted is drawn from the seed as before. What can be checked without the org is
checked here (names, kinds, stages, one pace); what needs the deal (is it far enough along to
stall after a proposal?) is checked when the deal is planned, naming the same file:line.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from demo_gen.config.types import CalendarDate, Label

MeetingKind = Literal[
    "intro", "discovery", "demo", "technical_deep_dive", "business_case", "proposal",
    "pricing", "negotiation", "legal_review",
]  # fmt: skip
"""The meeting kinds a story can stall after or count from ("pricing" is the proposal meeting)."""
StoryStage = Literal["Qualification", "Discovery", "Evaluation", "Proposal", "Negotiation"]
Risk = Literal["pricing_objection", "security_review_blocked", "legal_delay"]
Text = Annotated[str, Field(min_length=1, max_length=120)]
RISKS: tuple[str, ...] = ("pricing_objection", "security_review_blocked", "legal_delay")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DealQuery(_Strict):
    """The first selected deal (by id) that matches every given field."""

    name_contains: Text | None = None
    account: Text | None = None
    """Part of the account's name."""
    stage: Label | None = None
    min_amount: float | None = Field(default=None, ge=0, strict=False, allow_inf_nan=False)

    @model_validator(mode="after")
    def _something(self) -> DealQuery:
        if not any(v is not None for v in self.__dict__.values()):
            raise ValueError("give at least one of name_contains, account, stage, min_amount")
        return self


class DealRef(_Strict):
    """Which deal: exactly one of its id, its name, or a query."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")] | None = None
    name: Text | None = None
    query: DealQuery | None = None

    @model_validator(mode="after")
    def _one(self) -> DealRef:
        given = [k for k in ("id", "name", "query") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("name the deal by exactly one of id, name or query")
        return self


class Pace(_Strict):
    """How the deal moves: on track, stalled after a meeting kind, or slipping its close date."""

    on_track: bool = False
    stall_after: MeetingKind | None = None
    """No customer meeting after the first meeting of this kind; only unanswered chasers."""
    slipping: bool = False
    """The decision plan's dates have passed: the close date is slipping."""

    @model_validator(mode="after")
    def _one(self) -> Pace:
        chosen = [self.on_track, self.stall_after is not None, self.slipping]
        if sum(chosen) != 1:
            raise ValueError(
                "choose exactly one of on_track: true, stall_after: KIND, slipping: true"
            )
        return self


class QuietFrom(_Strict):
    """The champion goes quiet on a date, or after the first meeting of a kind."""

    on: CalendarDate | None = None
    after: MeetingKind | None = None

    @model_validator(mode="after")
    def _one(self) -> QuietFrom:
        if (self.on is None) == (self.after is None):
            raise ValueError("give exactly one of on: YYYY-MM-DD or after: MEETING_KIND")
        return self


class People(_Strict):
    champion_quiet_from: QuietFrom | None = None
    """From then on the champion attends no meeting and answers no email."""
    new_executive: StoryStage | None = None
    """An executive joins the buying side at this stage: first seen in its meetings."""
    economic_buyer_absent: bool = False
    """The economic buyer never attends a meeting nor sends an email."""


class Competition(_Strict):
    competitor: Text
    """A named competitor; first mentioned from `enters_at` on."""
    enters_at: StoryStage


class PinnedMetrics(_Strict):
    metric: Text
    baseline: Annotated[str, Field(min_length=1, max_length=20)]
    target: Annotated[str, Field(min_length=1, max_length=20)]


class PinnedEvent(_Strict):
    name: Text
    on: CalendarDate


class PinnedFacts(_Strict):
    metrics: PinnedMetrics | None = None
    decision_criteria: list[Text] = Field(default_factory=list, max_length=3)
    """One to three must-haves, said as written."""
    critical_event: PinnedEvent | None = None


class StoryScript(_Strict):
    """One scripted deal."""

    deal: DealRef
    pace: Pace | None = None
    people: People = Field(default_factory=People)
    competition: Competition | None = None
    risks: list[Risk] = Field(default_factory=list, max_length=3)
    facts: PinnedFacts = Field(default_factory=PinnedFacts)

    @model_validator(mode="after")
    def _coherent(self) -> StoryScript:
        if len(set(self.risks)) != len(self.risks):
            raise ValueError("risks: each risk at most once")
        quiet = self.people.champion_quiet_from
        if self.pace is not None and self.pace.on_track and quiet is not None:
            raise ValueError("a deal whose champion goes quiet is not on_track")
        if self.pace is not None and self.pace.on_track and self.risks:
            raise ValueError("a deal with risks is not on_track (drop on_track or the risks)")
        return self


def kind_of(kind: str) -> str:
    """The planner's meeting kind for a script's word ("pricing" is the proposal meeting)."""
    return "proposal" if kind == "pricing" else kind
