"""`demo-gen story`: a sentence → a `stories:` entry, its deal matched in the org, its YAML, and
(with --write) the entry added to the configuration file with the rest of the file untouched.

`draft_scenario` asks the configured LLM (`scenario_llm`); without an LLM, or when its answer is
unusable, the draft is the skeleton to write by hand and says why. The deal name is matched
against the opportunities the configuration selects: one match names the deal exactly, several
are listed (nothing is written), none is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from demo_gen.config.model import Config, Secrets, load_config
from demo_gen.errors import ContentError, UsageError
from demo_gen.stages.content.story import LlmFailure
from demo_gen.stages.model import Opportunity
from demo_gen.stages.stories.llm import ask_scenario, skeleton


@dataclass(frozen=True)
class ScenarioDraft:
    entry: dict[str, Any]
    source: str  # "llm" | "skeleton"
    reason: str = ""  # why it is the skeleton
    matches: tuple[tuple[str, str, str], ...] = field(default=())  # (id, name, stage)

    @property
    def yaml(self) -> str:
        return render_entry(self.entry)

    @property
    def writable(self) -> bool:
        return self.source == "llm" and len(self.matches) == 1


def render_entry(entry: dict[str, Any], indent: str = "  ") -> str:
    """The entry as it reads under `stories:` ("  - deal: …"), flow style for small mappings."""
    text = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, default_flow_style=None)
    return "".join(indent + line + "\n" for line in text.splitlines())


def draft_scenario(
    sentence: str, config: Config, secrets: Secrets, opportunities: Sequence[Opportunity]
) -> ScenarioDraft:
    """The scenario `sentence` describes, its deal matched among `opportunities`."""
    if not sentence.strip():
        raise UsageError(
            "the sentence is empty", hint='demo-gen story "Acme: stalls after pricing"'
        )
    if not config.llm.enabled:
        return ScenarioDraft(skeleton(sentence), "skeleton", "no LLM is configured (llm.enabled)")
    try:
        entry = ask_scenario(sentence, _client(config, secrets))
    except ContentError as exc:  # LlmFailure, or no key
        return ScenarioDraft(skeleton(sentence), "skeleton", str(exc))
    matches = match_deal(entry["deal"]["name"], opportunities)
    if len(matches) == 1:
        entry = {**entry, "deal": {"name": matches[0].name}}
    found = tuple((o.id, o.name, o.stage) for o in matches)
    return ScenarioDraft(entry, "llm", matches=found)


def _client(config: Config, secrets: Secrets) -> Any:
    from demo_gen.stages.content.llm import ChatClient, make_client, needs_key

    if needs_key(config.llm) and not secrets.openai_api_key:
        raise LlmFailure("OPENAI_API_KEY is not set", reason="no_key")
    return ChatClient(make_client(config.llm, secrets.openai_api_key), config.llm)


def match_deal(name: str, opportunities: Sequence[Opportunity]) -> list[Opportunity]:
    """Deals named exactly so; else deals whose name or account contains every word of it."""
    wanted = name.strip().lower()
    if not wanted:
        return []
    exact = [o for o in opportunities if o.name.lower() == wanted]
    if exact:
        return exact
    words = [w for w in wanted.replace("–", " ").split() if w not in ("-", "the")]
    return [
        o for o in opportunities if all(w in f"{o.name} {o.account.name}".lower() for w in words)
    ]


def write_entry(path: Path, entry: dict[str, Any]) -> None:
    """Add `entry` under `stories:` in the file at `path` (the section is created at the end if
    missing); every other line stays as written. The result is loaded before it is kept."""
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines()
    start = next(
        (n for n, line in enumerate(lines) if line.split("#", 1)[0].rstrip() in ("stories:",)),
        None,
    )
    if start is None:
        empty = next(
            (n for n, line in enumerate(lines) if line.replace(" ", "").startswith("stories:[]")),
            None,
        )
        if empty is not None:
            lines[empty] = "stories:"
            start = empty
    if start is None:
        lines += ["", "stories:", *render_entry(entry).splitlines()]
    else:
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "#", "-")):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        items = [x for x in lines[start + 1 : end] if x.lstrip().startswith("- ")]
        indent = items[0][: len(items[0]) - len(items[0].lstrip())] if items else "  "
        lines[end:end] = render_entry(entry, indent).splitlines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        load_config(path)
    except Exception:
        path.write_text(original, encoding="utf-8")
        raise
