"""The LLM client: the only module that talks to an OpenAI-compatible chat API.

It builds the official openai client for `llm.provider` (`openai`, `azure_openai`, or any
`openai_compatible` server through `llm.base_url`: vLLM, Ollama, DeepSeek, …), with the configured
timeout and retry budget; the openai client retries 408/409/429/5xx and connection errors with
exponential backoff and honours `Retry-After`. Every `openai.OpenAIError` becomes an `LlmFailure`
(a `ContentError`) with a short reason, so the caller can fall back to heuristic text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import openai
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)
from openai.types.shared_params import ResponseFormatJSONObject, ResponseFormatJSONSchema

from demo_gen.config.model import LlmSettings
from demo_gen.errors import ContentError
from demo_gen.stages.content.story import LlmFailure, Prompt, approx_tokens

NO_KEY_NEEDED = "not-needed"
"""What an openai_compatible server gets as the key when none is configured (Ollama, vLLM)."""


@dataclass(frozen=True)
class Completion:
    text: str
    tokens_in: int
    tokens_out: int


def needs_key(settings: LlmSettings) -> bool:
    """OpenAI and Azure refuse requests without a key; local compatible servers usually don't."""
    return settings.provider != "openai_compatible"


def make_client(settings: LlmSettings, api_key: str | None) -> openai.OpenAI:
    """The openai client for the configured provider, with its timeout and retry budget."""
    common: dict[str, Any] = {
        "api_key": api_key or NO_KEY_NEEDED,
        "timeout": settings.timeout_s,
        "max_retries": settings.max_retries,
    }
    if settings.provider == "azure_openai":
        return openai.AzureOpenAI(
            azure_endpoint=settings.base_url or "", api_version=settings.api_version, **common
        )
    return openai.OpenAI(base_url=settings.base_url, **common)


def uses_json_schema(settings: LlmSettings) -> bool:
    """JSON-schema structured output where the provider has it: OpenAI and compatible servers,
    and Azure from api-version 2024-08-01 on; otherwise JSON mode."""
    if not settings.structured_output:
        return False
    if settings.provider == "azure_openai":
        return (settings.api_version or "") >= "2024-08-01"
    return True


class ChatClient:
    """Sends one prompt, returns the text of the answer; thread-safe like the openai client."""

    def __init__(self, client: openai.OpenAI, settings: LlmSettings) -> None:
        self._client = client
        self._settings = settings
        self._json_schema = uses_json_schema(settings)
        self._lock = threading.Lock()

    def complete(self, prompt: Prompt, schema: dict[str, Any]) -> Completion:
        """The model's answer to `prompt`; `LlmFailure` when there is no usable one."""
        messages: list[ChatCompletionMessageParam] = [
            ChatCompletionSystemMessageParam(role="system", content=prompt.system),
            ChatCompletionUserMessageParam(role="user", content=prompt.user),
        ]
        if not self._json_schema:
            return self._create(messages, ResponseFormatJSONObject(type="json_object"))
        try:
            return self._create(messages, _schema_format(schema))
        except LlmFailure as exc:
            if exc.reason != "http_400":
                raise
        # The server refused the request as such: most likely it has no json_schema support
        # (older vLLM / Ollama). If JSON mode works, keep to it; the answer is validated anyway.
        completion = self._create(messages, ResponseFormatJSONObject(type="json_object"))
        with self._lock:
            self._json_schema = False
        return completion

    def _create(
        self,
        messages: list[ChatCompletionMessageParam],
        response_format: ResponseFormatJSONSchema | ResponseFormatJSONObject,
    ) -> Completion:
        s = self._settings
        # OpenAI's newer models only take max_completion_tokens; other servers know max_tokens.
        modern = s.provider == "openai"
        try:
            response = self._client.chat.completions.create(
                model=s.model,
                messages=messages,
                temperature=s.temperature,
                response_format=response_format,
                max_completion_tokens=s.max_tokens if modern else openai.omit,
                max_tokens=openai.omit if modern else s.max_tokens,
            )
        except openai.OpenAIError as exc:
            raise _failure(exc) from exc
        return _completion(response, messages)


def _schema_format(schema: dict[str, Any]) -> ResponseFormatJSONSchema:
    return ResponseFormatJSONSchema(
        type="json_schema",
        json_schema={"name": "deal_story", "schema": schema, "strict": True},
    )


def _failure(exc: openai.OpenAIError) -> LlmFailure:
    """The one place that knows openai's exceptions (timeouts are connection errors there)."""
    if isinstance(exc, openai.APITimeoutError):
        return LlmFailure("the LLM request timed out", reason="timeout")
    if isinstance(exc, openai.APIConnectionError):
        return LlmFailure(f"the LLM endpoint is unreachable: {exc}", reason="connection",
                          unreachable=True)  # fmt: skip
    if isinstance(exc, openai.APIStatusError):
        return LlmFailure(
            f"the LLM endpoint answered HTTP {exc.status_code}", reason=f"http_{exc.status_code}"
        )
    return LlmFailure(f"the LLM request failed: {type(exc).__name__}", reason="api_error")


def _completion(response: ChatCompletion, messages: list[ChatCompletionMessageParam]) -> Completion:
    if not response.choices:
        raise LlmFailure("the LLM answered with no choices", reason="empty")
    choice = response.choices[0]
    text = choice.message.content or ""
    if choice.finish_reason == "length":
        raise LlmFailure("the answer was cut off at max_tokens", reason="truncated")
    if not text.strip():
        raise LlmFailure("the LLM answered with no text", reason="empty")
    usage = response.usage
    if usage is not None:
        return Completion(text, usage.prompt_tokens, usage.completion_tokens)
    sent = sum(approx_tokens(str(m.get("content", ""))) for m in messages)
    return Completion(text, sent, approx_tokens(text))


def check_provider(settings: LlmSettings, api_key: str | None) -> str:
    """One cheap call (the model list) proving endpoint, key and model; ContentError if not."""
    if needs_key(settings) and not api_key:
        raise ContentError("OPENAI_API_KEY is not set", hint="put it in .env (see .env.example)")
    client = make_client(settings, api_key)
    try:
        offered = [model.id for model in client.models.list().data]
    except openai.OpenAIError as exc:
        raise ContentError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        client.close()
    where = settings.base_url or "api.openai.com"
    if settings.provider != "azure_openai" and settings.model not in offered:
        shown = ", ".join(offered[:8]) or "none"
        raise ContentError(
            f"{where} does not offer model {settings.model}", hint=f"it offers: {shown}"
        )
    return f"{where} answers; model {settings.model} is available"
