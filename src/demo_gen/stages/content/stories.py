"""LLM stories for many opportunities: concurrency, cache, accounting, and the heuristic fallback.

`StoryWriter.write_all` asks for each opportunity's whole story in one request (several only for a
large plan), with up to `llm.concurrency` opportunities in flight. It never fails for the
provider's sake: a failed request falls back to heuristic text for its items, an invalid or missing
item falls back alone, and a provider that cannot be reached is reported once (`llm.unavailable`)
and not asked again in that run.

Cache. Each request's answer is stored in the state store's content table under
`llm/<sha256>/<n>`, the hash taken over provider, model, temperature, max_tokens, the exact prompt
and the schema. The table keeps the first value written for a key, so versions are appended
instead of overwritten: a read takes the newest version, `refresh=True` skips the read and appends
a new one, which later runs then read. Only answers that parse are stored, so a rerun asks again
exactly where the last run fell back for a failed or malformed request.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from demo_gen.commands.progress import NULL_PROGRESS, Progress
from demo_gen.config.model import LlmSettings
from demo_gen.stages.content import HeuristicContent, OpportunityContent, Source, item_keys
from demo_gen.stages.content.answer import RESPONSE_SCHEMA, ChunkResult, parse
from demo_gen.stages.content.story import (
    ITEM_TOKENS,
    QUESTION_TOKENS,
    SUMMARY_TOKENS,
    Chunk,
    LlmAnswerData,
    LlmFailure,
    Prompt,
    ScorecardQuestion,
    Story,
    approx_tokens,
    chunks,
    prompt,
)
from demo_gen.stages.facts import build_fact_sheet
from demo_gen.stages.plan import OpportunityPlan

if TYPE_CHECKING:  # openai loads only when the LLM is on (see `StoryWriter._session`)
    import openai

    from demo_gen.stages.content.llm import ChatClient, Completion

__all__ = [
    "ContentCache",
    "LlmAnswerData",
    "LlmStats",
    "ScorecardQuestion",
    "StoryResult",
    "StoryWriter",
    "cache_key",
    "estimate",
]

CACHE_VERSION = 1
"""Bump when the prompt or the parsing changes in a way that old answers must not be reused."""
UNREACHABLE_STREAK = 3
"""Connection failures in a row, after the provider had answered, that end LLM use for the run."""

Answers = dict[str, dict[str, LlmAnswerData]]


class ContentCache(Protocol):
    """Where answers are pinned (the state store); `put_content` keeps a key's first value."""

    def get_content(self, key: str) -> str | None: ...

    def put_content(self, key: str, value: str) -> None: ...


@dataclass
class LlmStats:
    """What the LLM cost and gave, for summary.json and the events."""

    calls: int = 0
    """Requests sent (the openai client's own retries not counted)."""
    tokens_in: int = 0
    tokens_out: int = 0
    cache_hits: int = 0
    fallback_opportunities: int = 0
    """Opportunities with at least one heuristic text."""
    fallback_items: int = 0
    """Items whose text is heuristic."""
    failures: dict[str, int] = field(default_factory=dict)
    """Reason → count: failed requests ("http_500", "timeout", "malformed", "unavailable", …)
    and rejected items ("item_rejected")."""

    def asdict(self) -> dict[str, Any]:
        out = asdict(self)
        out["failures"] = dict(sorted(self.failures.items()))
        return out


@dataclass(frozen=True)
class StoryResult:
    """An opportunity's texts (every item key) and its scorecard answers (template → element)."""

    content: OpportunityContent
    answers: Mapping[str, Mapping[str, LlmAnswerData]]


def cache_key(settings: LlmSettings, request: Prompt) -> str:
    """The cache key of one request (without its version suffix)."""
    material = {
        "v": CACHE_VERSION,
        "provider": settings.provider,
        "model": settings.model,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "system": request.system,
        "user": request.user,
        "schema": RESPONSE_SCHEMA,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
    return f"llm/{hashlib.sha256(blob).hexdigest()}"


class _Gate:
    """Whether to keep asking the provider: closed for the run once it proved unreachable."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answered = False
        self._streak = 0
        self.reason: str | None = None

    def answered(self) -> None:
        with self._lock:
            self._answered, self._streak = True, 0

    def close(self, reason: str) -> bool:
        """Close the gate; True only for the call that closed it."""
        with self._lock:
            if self.reason is not None:
                return False
            self.reason = reason
            return True

    def unreachable(self, reason: str) -> bool:
        """Note a connection failure; True if it closed the gate."""
        with self._lock:
            self._streak += 1
            give_up = not self._answered or self._streak >= UNREACHABLE_STREAK
        return give_up and self.close(reason)


class StoryWriter:
    """Writes every opportunity's texts and scorecard answers with the LLM, heuristics as backup.

    `questions` maps an opportunity id to the scorecard questions to answer for it. `on_event` is
    called as `on_event(name, level=..., **fields)`, e.g. `RunLog.event`. `client` injects an
    openai client (tests); otherwise one is made from `settings` and closed after `write_all`.
    `offline=True` sends no request: cached answers are used, heuristic text fills the rest
    (what `export` uses to give back the texts a run wrote).
    """

    def __init__(
        self,
        settings: LlmSettings,
        api_key: str | None,
        cache: ContentCache,
        *,
        refresh: bool = False,
        on_event: Callable[..., None] | None = None,
        client: openai.OpenAI | None = None,
        seed: int,
        pack: str,
        offline: bool = False,
    ) -> None:
        """`offline` (dry-run): send no request and store nothing; texts and answers come from
        the cache where a run stored them, from the heuristic writer otherwise."""
        self.settings = settings
        self.offline = offline
        self.api_key = api_key
        self.cache = cache
        self.refresh = refresh
        self.on_event = on_event
        self.stats = LlmStats()
        self._fell_back: set[str] = set()  # item keys: a deal written twice counts once
        self._client = client
        self._gate = _Gate()
        self._lock = threading.Lock()  # stats, cache and events: shared by the worker threads
        self._heuristic = HeuristicContent(seed=seed, pack=pack)

    def write_all(
        self,
        plans: Sequence[OpportunityPlan],
        questions: Mapping[str, Sequence[ScorecardQuestion]],
        progress: Progress = NULL_PROGRESS,
    ) -> dict[str, StoryResult]:
        """Opportunity id → its result, in plan order; never raises for provider problems."""
        progress.phase("writing content", len(plans))
        if not self.settings.enabled:
            return {p.opportunity.id: self._heuristic_only(p, progress) for p in plans}
        with self._session() as chat:
            results = self._run_all(plans, questions, chat, progress)
        if self._gate.reason is not None:
            progress.note(f"LLM unavailable, heuristic text used: {self._gate.reason}")
        self._emit("llm.stats", **self.stats.asdict())
        return {p.opportunity.id: results[p.opportunity.id] for p in plans}

    def _heuristic_only(self, plan: OpportunityPlan, progress: Progress) -> StoryResult:
        progress.advance()
        return StoryResult(self._heuristic.write(plan), {})

    def _run_all(
        self,
        plans: Sequence[OpportunityPlan],
        questions: Mapping[str, Sequence[ScorecardQuestion]],
        chat: ChatClient | None,
        progress: Progress,
    ) -> dict[str, StoryResult]:
        results: dict[str, StoryResult] = {}
        workers = max(1, min(self.settings.concurrency, len(plans)))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-gen-llm")
        try:
            futures: dict[Future[StoryResult], str] = {}
            for plan in plans:
                asked = questions.get(plan.opportunity.id, ())
                futures[pool.submit(self._write_one, plan, asked, chat)] = plan.opportunity.id
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                progress.advance()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: don't start the rest
            raise
        pool.shutdown()
        return results

    @contextmanager
    def _session(self) -> Iterator[ChatClient | None]:
        """The chat client for one `write_all`; None when no request may be sent."""
        if self.offline:
            yield None
            return
        from demo_gen.stages.content.llm import ChatClient, make_client, needs_key

        if self._client is not None:
            yield ChatClient(self._client, self.settings)
            return
        if needs_key(self.settings) and not self.api_key:
            self._unavailable("no API key: set OPENAI_API_KEY in .env")
            yield None
            return
        client = make_client(self.settings, self.api_key)
        try:
            yield ChatClient(client, self.settings)
        finally:
            client.close()

    def _write_one(
        self, plan: OpportunityPlan, questions: Sequence[ScorecardQuestion], chat: ChatClient | None
    ) -> StoryResult:
        sheet = self._heuristic.sheet(plan)
        story = Story.of(plan, pseudonymize=self.settings.pseudonymize_names, sheet=sheet)
        texts: dict[str, str] = {}
        answers: Answers = {}
        reasons: list[str] = []
        so_far = ""
        for chunk in chunks(story, questions, self.settings):
            try:
                part = self._answer(story, chunk, so_far, chat)
            except LlmFailure as exc:
                reasons.append(self._failed(exc))
                continue
            texts.update(part.texts)
            for template, by_element in part.answers.items():
                answers.setdefault(template, {}).update(by_element)
            so_far = part.summary or so_far
            if part.rejected:
                self._count("item_rejected", len(part.rejected))
                reasons.append(f"{len(part.rejected)} items invalid or missing in the answer")
        return self._assemble(plan, texts, answers, reasons)

    def _answer(
        self, story: Story, chunk: Chunk, so_far: str, chat: ChatClient | None
    ) -> ChunkResult:
        """One part of the story: from the cache, else from the provider (then cached)."""
        request = prompt(story, chunk, so_far)
        key = cache_key(self.settings, request)
        cached = None if self.refresh else self._cached(key)
        if cached is not None:
            try:
                result = parse(cached, story, chunk)
            except LlmFailure:
                pass  # an answer this version no longer accepts: ask again
            else:
                self._count_hit()
                return result
        if chat is None or self._gate.reason is not None:
            reason = "offline: not in the cache" if self.offline else "the LLM is unavailable"
            raise LlmFailure(reason, reason="unavailable")
        completion = self._call(chat, request, story.plan.opportunity.id, chunk)
        result = parse(completion.text, story, chunk)
        self._store(key, completion.text)
        return result

    def _call(self, chat: ChatClient, request: Prompt, opp_id: str, chunk: Chunk) -> Completion:
        started = time.perf_counter()
        with self._lock:
            self.stats.calls += 1
        completion = chat.complete(request, RESPONSE_SCHEMA)
        self._gate.answered()
        with self._lock:
            self.stats.tokens_in += completion.tokens_in
            self.stats.tokens_out += completion.tokens_out
        self._emit(
            "llm.call",
            level="debug",
            opportunity_id=opp_id,
            part=chunk.index,
            parts=chunk.total,
            tokens_in=completion.tokens_in,
            tokens_out=completion.tokens_out,
            ms=round((time.perf_counter() - started) * 1000),
        )
        return completion

    def _failed(self, exc: LlmFailure) -> str:
        """Count a failed request; the reason to report for it."""
        reason = exc.reason
        if exc.unreachable:
            if self._gate.unreachable(str(exc)):
                self._unavailable(str(exc))
            if self._gate.reason is not None:
                reason = "unavailable"
        self._count(reason)
        return f"{reason}: {exc}"

    def _unavailable(self, reason: str) -> None:
        self._gate.close(reason)
        self._emit("llm.unavailable", level="warning", reason=reason)

    def _assemble(
        self, plan: OpportunityPlan, texts: dict[str, str], answers: Answers, reasons: list[str]
    ) -> StoryResult:
        keys = item_keys(plan)
        missing = tuple(k for k in keys if k not in texts)
        if missing:
            backup = self._heuristic.write(plan).texts
            texts = {**texts, **{k: backup[k] for k in missing}}
            with self._lock:
                self._fell_back.update(f"{plan.opportunity.id}\x00{k}" for k in missing)
                deals = {k.split("\x00")[0] for k in self._fell_back}
                self.stats.fallback_opportunities = len(deals)
                self.stats.fallback_items = len(self._fell_back)
            self._emit(
                "content.fallback",
                level="info" if self._gate.reason else "warning",
                opportunity_id=plan.opportunity.id,
                items=len(missing),
                of=len(keys),
                reason="; ".join(reasons[:3]) or "no answer",
            )
        source: Source = "llm" if len(missing) < len(keys) else "heuristic"
        content = OpportunityContent({k: texts[k] for k in keys}, source, missing)
        return StoryResult(content, answers)

    # -- cache, counts, events --------------------------------------------------------------

    def _cached(self, key: str) -> str | None:
        """The newest stored answer under `key`."""
        latest = None
        with self._lock:
            for version in range(1_000):
                value = self.cache.get_content(f"{key}/{version}")
                if value is None:
                    break
                latest = value
        return latest

    def _store(self, key: str, text: str) -> None:
        """Append `text` as the newest version under `key`."""
        with self._lock:
            version = 0
            while self.cache.get_content(f"{key}/{version}") is not None:
                version += 1
            self.cache.put_content(f"{key}/{version}", text)

    def _count(self, reason: str, n: int = 1) -> None:
        with self._lock:
            self.stats.failures[reason] = self.stats.failures.get(reason, 0) + n

    def _count_hit(self) -> None:
        with self._lock:
            self.stats.cache_hits += 1

    def _emit(self, event: str, *, level: str = "info", **fields: Any) -> None:
        if self.on_event is not None:
            with self._lock:
                self.on_event(event, level=level, **fields)


def estimate(
    plans: Sequence[OpportunityPlan],
    settings: LlmSettings,
    questions: Mapping[str, Sequence[ScorecardQuestion]],
    *,
    seed: int,
    pack: str,
) -> dict[str, Any]:
    """Requests and tokens a run would use with an empty cache, and the cost if priced; offline."""
    requests = tokens_in = tokens_out = 0
    schema = approx_tokens(json.dumps(RESPONSE_SCHEMA))
    summary = "x" * (SUMMARY_TOKENS * 4)  # stands in for the previous part's summary
    for plan in plans:
        sheet = build_fact_sheet(plan, seed=seed, pack=pack)
        story = Story.of(plan, pseudonymize=settings.pseudonymize_names, sheet=sheet)
        for chunk in chunks(story, questions.get(plan.opportunity.id, ()), settings):
            request = prompt(story, chunk, summary)
            requests += 1
            tokens_in += approx_tokens(request.system) + approx_tokens(request.user) + schema
            wanted = ITEM_TOKENS * len(chunk.entries) + QUESTION_TOKENS * len(chunk.questions)
            tokens_out += min(settings.max_tokens, SUMMARY_TOKENS + wanted)
    price = settings.price_per_1k_tokens
    cost = None if price is None else round((tokens_in + tokens_out) / 1000 * price, 4)
    return {"requests": requests, "tokens_in": tokens_in, "tokens_out": tokens_out, "cost": cost}
