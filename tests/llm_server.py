"""An OpenAI-compatible chat server on loopback for tests: deterministic answers, fault knobs.

`POST /v1/chat/completions` reads the fenced ```json block of the last user message (the prompt's
machine-readable part: `timeline` items and `questions`) and answers every item and question, as a
structured-output model would. Knobs are plain attributes, changeable while it runs:

    latency_ms        added to every answer
    error_rate        share of requests answered `error_status` (500)
    rate_limit_next   the next N requests get 429 with `Retry-After: retry_after`
    timeout_next      the next N requests hang `hang_s` (longer than the client's timeout)
    malformed_rate    share of answers whose content is not JSON
    drop_keys_rate    share of items left out of an answer
    leak_rate         share of item texts that carry an email address and a phone number
    reject_json_schema  answer 400 to `response_format: json_schema` (an older server)
    skip_facts_rate   share of items that leave out the facts the prompt says they must say
    invent_numbers    scorecard answers carry a figure no record says ("saves 37% of costs")
    scenario_answer   the exact content answered to a `scenario_request` (None: read the sentence)

Like a model that follows the prompt, each item's text says the facts its timeline entry lists
(`say`), and a scorecard answer for an element with a matching fact quotes the fact and cites the
item where the fact sheet says it is first said.

A `scenario_request` (from `demo-gen story`) is answered by reading its sentence with a few
keyword rules, as a model filling the scenario schema would: the deal before the colon, "stalls
after the demo", "champion goes quiet after the pricing call", "X shows up in negotiation", …

Random faults come from `random.Random(seed)`. `requests` logs every request body, `count` counts
them.
"""

from __future__ import annotations

import json
import random
import re
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

_BLOCK = re.compile(r"```json\s*(.*?)\s*```", re.DOTALL)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class LlmServer:
    def __init__(self, *, seed: int = 7, model: str = "test-model") -> None:
        self.model = model
        self.latency_ms = 0
        self.error_rate = 0.0
        self.error_status = 500
        self.rate_limit_next = 0
        self.retry_after = "0"
        self.timeout_next = 0
        self.hang_s = 2.0
        self.malformed_rate = 0.0
        self.drop_keys_rate = 0.0
        self.leak_rate = 0.0
        self.reject_json_schema = False
        self.skip_facts_rate = 0.0
        self.invent_numbers = False
        self.scenario_answer: str | None = None
        self.prefix = "LLM"
        self.paths: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_port}/v1"

    @property
    def count(self) -> int:
        return len(self.requests)

    def start(self) -> LlmServer:
        self._server = make_server(
            "127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # hanging requests end now
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LlmServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the app ------------------------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method == "GET" and request.path.endswith("/models"):
            return self._models()(environ, start_response)
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            return _error(404, "not found")(environ, start_response)
        body = json.loads(request.get_data(as_text=True))
        with self._lock:
            self.paths.append(request.full_path)
        response = self._answer(body)
        with self._lock:
            self.statuses.append(response.status_code)
        return response(environ, start_response)

    def _models(self) -> Response:
        listing = {"object": "list", "data": [{"id": self.model, "object": "model", "created": 0}]}
        return Response(json.dumps(listing), status=200, content_type="application/json")

    def _answer(self, body: dict[str, Any]) -> Response:
        with self._lock:
            self.requests.append(body)
            fault = self._fault(body)
            malformed = self._rng.random() < self.malformed_rate
        if self.latency_ms:
            self._stop.wait(self.latency_ms / 1000)
        if fault == "hang":
            self._stop.wait(self.hang_s)  # the client has given up by now
            return _error(504, "too late")
        if isinstance(fault, Response):
            return fault
        payload = _payload(body)
        content = "{" + '"items": [{"key": "M1", "te' if malformed else self._content(payload)
        return self._completion(body, content)

    def _fault(self, body: dict[str, Any]) -> Response | str | None:
        """Called under the lock: the fault this request gets, if any."""
        if self.timeout_next > 0:
            self.timeout_next -= 1
            return "hang"
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return _error(429, "rate limited", {"Retry-After": self.retry_after})
        if self._rng.random() < self.error_rate:
            return _error(self.error_status, "server error")
        response_format = body.get("response_format") or {}
        if self.reject_json_schema and response_format.get("type") == "json_schema":
            return _error(400, "response_format json_schema is not supported")
        return None

    def _content(self, payload: dict[str, Any]) -> str:
        if "scenario_request" in payload:  # `demo-gen story`: fill the scenario schema
            if self.scenario_answer is not None:
                return self.scenario_answer
            return json.dumps(_scenario(payload["scenario_request"]["sentence"]))
        account = payload.get("account", {}).get("name", "the account")
        items = []
        for item in payload.get("timeline", []):
            with self._lock:
                drop = self._rng.random() < self.drop_keys_rate
                leak = self._rng.random() < self.leak_rate
                skip = self._rng.random() < self.skip_facts_rate
            if drop:
                continue
            text = f"{self.prefix}: {_text(item, account)}"
            if item.get("say") and not skip:
                text += " " + " ".join(item["say"])
            if leak:
                text += " Reach me at jo.doe@example.com or +1 415 555 0199."
            items.append({"key": item["key"], "text": text})
        keys = [i["key"] for i in payload.get("timeline", [])][:2]
        facts = {f["kind"]: f for f in payload.get("fact_sheet", [])}
        scorecard = []
        for q in payload.get("questions", []):
            fact = facts.get(_FACT_OF.get(q["element_id"], ""))
            answer = f"LLM answer on {q['element']} for {account}."
            cited = keys
            if fact is not None:
                answer, cited = f"LLM: {fact['says']}", [fact["first_said_in"]]
            if self.invent_numbers:
                answer += " It saves 37% of costs."
            scorecard.append(
                {
                    "template": q["template"],
                    "element_id": q["element_id"],
                    "answer": answer,
                    "confidence": 0.8,
                    "evidence_keys": cited,
                }
            )
        part = payload.get("part", {}).get("number", 1)
        summary = f"LLM story of {account} up to part {part}."
        return json.dumps({"summary": summary, "items": items, "scorecard": scorecard})

    def _completion(self, body: dict[str, Any], content: str) -> Response:
        words_in = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
        words_out = len(content.split())
        data = {
            "id": f"chatcmpl-{self.count}",
            "object": "chat.completion",
            "created": 1_760_000_000,
            "model": body.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": words_in,
                "completion_tokens": words_out,
                "total_tokens": words_in + words_out,
            },
        }
        return Response(json.dumps(data), status=200, mimetype="application/json")


_FACT_OF = {
    "metrics": "metrics",
    "pain": "pain",
    "identify_pain": "pain",
    "champion": "champion",
    "economic_buyer": "economic_buyer",
    "decision_criteria": "criteria",
    "decision_process": "process",
    "paper_process": "paper",
    "competition": "competition",
}
"""Scorecard element id → the fact kind that answers it."""


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    match = _BLOCK.search(str(users[-1].get("content", ""))) if users else None
    return json.loads(match.group(1)) if match else {}


def _text(item: dict[str, Any], account: str) -> str:
    people = item.get("attendees") or [item.get("from", "")] + list(item.get("to", []))
    with_ = ", ".join(p for p in people if p)
    if item.get("kind") == "meeting":
        what = "notes" if item.get("when") == "past" else "agenda"
    else:
        what = "email"
    return f"{what} for {item['key']} ({item.get('type')}) at {account} with {with_}."


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"message": message, "type": "test_error", "code": str(status)}}
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


_KIND_WORDS = {
    "pricing": "pricing", "price": "pricing", "proposal": "proposal", "demo": "demo",
    "discovery": "discovery", "intro": "intro", "business case": "business_case",
    "deep dive": "technical_deep_dive", "negotiation": "negotiation", "legal": "legal_review",
}  # fmt: skip
_STAGE_WORDS = ("Qualification", "Discovery", "Evaluation", "Proposal", "Negotiation")


def _after(text: str, marker: str) -> str | None:
    """The meeting kind named after `marker` in `text`."""
    if marker not in text:
        return None
    rest = text.split(marker, 1)[1][:40]
    found = [(rest.find(w), kind) for w, kind in _KIND_WORDS.items() if w in rest]
    return min(found)[1] if found else None


def _scenario(sentence: str) -> dict[str, Any]:
    deal, _, story = sentence.partition(":")
    text = story.lower() or sentence.lower()
    answer: dict[str, Any] = {
        "deal_name": deal.strip() if story else "", "pace": None, "stall_after": None,
        "champion_quiet_after": None, "champion_quiet_on": None, "economic_buyer_absent": False,
        "new_executive_stage": None, "competitor": None, "competitor_enters_at": None,
        "risks": [], "metrics": None, "decision_criteria": [], "critical_event": None,
    }  # fmt: skip
    stall = _after(text, "stall")
    if stall:
        answer["pace"], answer["stall_after"] = "stall", stall
    elif "slip" in text:
        answer["pace"] = "slipping"
    elif "on track" in text:
        answer["pace"] = "on_track"
    if "quiet" in text:
        answer["champion_quiet_after"] = _after(text, "quiet")
    found = re.search(r"competitor,? ([A-Z][\w]+(?: [A-Z][\w]+)*)", story or sentence)
    named = re.search(r"([A-Z][\w]+(?: [A-Z][\w]+)*) (?:shows up|enters|comes in)", story)
    if found or named or "competitor" in text:
        answer["competitor"] = (found or named).group(1) if (found or named) else "a competitor"
        stages = [s for s in _STAGE_WORDS if s.lower() in text.split("competitor")[-1] + text]
        answer["competitor_enters_at"] = stages[-1] if stages else "Negotiation"
    answer["economic_buyer_absent"] = "economic buyer" in text and "never" in text
    if "new executive" in text or "new vp" in text or "new cfo" in text:
        stages = [s for s in _STAGE_WORDS if s.lower() in text]
        answer["new_executive_stage"] = stages[0] if stages else "Proposal"
    risks = {"pricing objection": "pricing_objection", "security review": "security_review_blocked",
             "legal": "legal_delay"}  # fmt: skip
    answer["risks"] = [r for w, r in risks.items() if w in text and not (r == "legal_delay" and
                       answer["stall_after"] == "legal_review")]  # fmt: skip
    return answer
