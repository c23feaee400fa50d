"""What a report shows, read back: the run's files, its ledger rows, the org, the pinned plans.

The only module of the package with I/O. A run's plan is not stored whole: each deal's plan is
pinned in the ledger when a run is about to write it (`ledger/pinning.py`), so the report reads the
run's opportunities from the org (names, contacts, titles, owners), loads their pins under the
run's own configuration (`runs/<id>/config.resolved.yaml`), and writes the texts again exactly as
the run did: heuristic text is a pure function of the seed; LLM text comes from the ledger's
content cache, never from a new request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openai

from demo_gen.commands.prepare import own_record_ids
from demo_gen.commands.progress import NULL_PROGRESS
from demo_gen.config.model import Config, Secrets, load_config
from demo_gen.errors import StateError
from demo_gen.ledger.pinning import load_pins
from demo_gen.ledger.store import RunRow, StateStore
from demo_gen.stages.compose import load_templates, scorecard_questions
from demo_gen.stages.content.stories import StoryWriter
from demo_gen.stages.model import BusyEvent, Seller
from demo_gen.stages.plan import OpportunityPlan, Plan
from demo_gen.stages.storyline import on_day, story_texts, whole_story
from demo_gen.targets.open import open_targets

_NO_SERVER = "http://127.0.0.1:9/v1"  # the discard port: a cache miss fails at once, offline


@dataclass(frozen=True)
class RunStory:
    """Everything the page draws for one run."""

    run: RunRow
    run_json: dict[str, Any]
    summary: dict[str, Any]
    errors: tuple[dict[str, Any], ...]
    plan: Plan
    users: tuple[Seller, ...]
    texts: Mapping[str, str]  # plan item key -> note or body as written
    scorecards: tuple[dict[str, Any], ...]  # scorecards.jsonl lines
    unpinned: tuple[str, ...]  # the run's opportunities with no pinned plan (nothing to draw)


def load_story(config: Config, secrets: Secrets, state: StateStore, run_id: str) -> RunStory:
    """Read one run back (the org is read, never written; no LLM request is made)."""
    run = state.get_run(run_id)
    if run is None:
        raise StateError(f"run {run_id} vanished from the ledger")
    run_dir = config.run.runs_dir / run_id
    used = _run_config(run_dir, config)
    opp_ids = state.run_opportunities(run_id)
    plans, users, events = _pinned_plans(used, secrets, state, run, opp_ids)
    pinned = Plan(tuple(plans), seed=used.run.seed, pack=used.run.name, events=events)
    run_json = _json_file(run_dir / "run.json") or {}
    whole = whole_story(state, used, run.org_id, pinned, users=users, events=events, write=False)
    day = run_json.get("today") if run.command == "refresh" else None
    plan = on_day(whole, date.fromisoformat(day) if day else None, used)
    return RunStory(
        run=run,
        run_json=run_json,
        summary=json.loads(run.summary_json) if run.summary_json else {},
        errors=tuple(_jsonl(run_dir / "errors.jsonl")),
        plan=plan,
        users=users,
        texts=_texts(used, secrets, state, plan, whole),
        scorecards=tuple(_jsonl(run_dir / "scorecards.jsonl")),
        unpinned=tuple(i for i in opp_ids if i not in {p.opportunity.id for p in plans}),
    )


def _run_config(run_dir: Path, config: Config) -> Config:
    """The configuration the run used (its resolved copy), else the one given."""
    resolved = run_dir / "config.resolved.yaml"
    return load_config(resolved, env={}) if resolved.is_file() else config


def _pinned_plans(
    config: Config, secrets: Secrets, state: StateStore, run: RunRow, opp_ids: Sequence[str]
) -> tuple[list[OpportunityPlan], tuple[Seller, ...], tuple[BusyEvent, ...]]:
    if not opp_ids:
        return [], (), ()
    with open_targets(config, secrets) as opened:
        source = opened.source
        selection = source.select(
            config.salesforce.query,
            only_ids=opp_ids,
            exclude_event_ids=own_record_ids(state, run.pack, source),
        )
    opps = selection.snapshot.opportunities
    if config.run.anchor_date is not None:
        anchors = dict.fromkeys((o.id for o in opps), config.run.anchor_date)
    else:
        anchors = state.anchors(run.pack, run.org_id, [o.id for o in opps])
    found = [o for o in opps if o.id in anchors]
    pins = load_pins(state, config, run.org_id, found, anchors)
    order = {opp_id: n for n, opp_id in enumerate(opp_ids)}
    plans = sorted(pins.values(), key=lambda p: order.get(p.opportunity.id, len(order)))
    snapshot = selection.snapshot
    return plans, snapshot.users, snapshot.events


def _texts(
    config: Config, secrets: Secrets, state: StateStore, plan: Plan, whole: Plan
) -> dict[str, str]:
    """The texts as the run wrote them (from the whole story, `storyline.story_texts`): the
    LLM's from the cache, the heuristic writer's else."""
    texts: dict[str, str] = {}
    questions = scorecard_questions(load_templates(config), plan.opportunities, config)
    if not config.llm.enabled:
        writer = StoryWriter(config.llm, None, _ReadOnlyCache(state), seed=config.run.seed,
                             pack=config.run.name)  # fmt: skip
        for story in story_texts(writer, plan, whole, questions, NULL_PROGRESS, config).values():
            texts.update(story.content.texts)
        return texts
    # A cache miss means the run fell back to heuristic text for that deal: the client below
    # cannot reach anything, so the writer falls back the same way, and nothing is stored.
    client = openai.OpenAI(api_key="unused", base_url=_NO_SERVER, max_retries=0, timeout=1.0)
    story_writer = StoryWriter(
        config.llm,
        secrets.openai_api_key,
        _ReadOnlyCache(state),
        client=client,
        seed=config.run.seed,
        pack=config.run.name,
    )
    try:
        stories = story_texts(story_writer, plan, whole, questions, NULL_PROGRESS, config)
    finally:
        client.close()
    for story in stories.values():
        texts.update(story.content.texts)
    return texts


class _ReadOnlyCache:
    def __init__(self, state: StateStore) -> None:
        self._state = state

    def get_content(self, key: str) -> str | None:
        return self._state.get_content(key)

    def put_content(self, key: str, value: str) -> None:
        """Only a successful LLM answer is stored, and the report's client reaches nothing."""
        raise StateError(f"the report does not write the ledger (content {key})")


def _json_file(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StateError(f"cannot read {path}: {exc}") from exc
    return data if isinstance(data, dict) else None


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise StateError(f"cannot read {path}: {exc}") from exc
