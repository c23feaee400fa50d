# ruff: noqa: E501  (word banks: one alternative per line reads better than wrapped strings)
"""Slot-built sentences for the meeting notes the default run writes most (discovery notes and
the facts they state), as in `clauses`: a sentence of short slots multiplies where a list of
whole sentences repeats across deals.

`PARTS` are new rules (single words or short phrases); `MORE` adds sentences to existing rules.
Facts keep their fields verbatim ({pain}, {hours}, {metric}, ...), only the words around vary.
"""

from __future__ import annotations

PARTS: dict[str, tuple[str, ...]] = {
    "n_hour": (
        "An hour",
        "Ninety minutes",
        "Forty minutes",
        "A long session",
        "A working hour",
        "A focused hour",
        "Most of the morning",
    ),
    "n_showed": ("showed us", "opened up", "shared", "talked us through", "took us through"),
    "n_live": (
        "live",
        "on screen",
        "line by line",
        "from start to finish",
        "tab by tab",
        "in detail",
    ),
    "n_mapped": ("mapped", "traced", "walked through", "unpicked", "followed", "sketched"),
    "n_flow": ("the steps", "the process", "the data flow", "every handoff", "the weekly routine"),
    "n_prepare": ("prepare", "draft", "build", "put together", "script"),
    "n_around": ("around", "built on", "based on", "that starts from", "centred on"),
    "n_intro": (
        "introduces us to",
        "puts us in touch with",
        "sets up a call with",
        "books time with",
        "brings in",
    ),
    "n_reason": (
        "so we hear the detail first-hand",
        "before the demo",
        "to check the volumes",
        "to fill in the gaps",
        "so the demo answers their questions",
        "to confirm how the data flows",
    ),
    "n_pain_head": (
        "The sore point is",
        "Top of {lead_s} list is",
        "The first complaint was",
        "What {team} fight most is",
        "What keeps {lead} up at night is",
        "The recurring headache is",
    ),
    "n_costs": ("costs", "eats", "takes", "swallows", "absorbs", "adds up to"),
    "n_sized": ("put numbers on it", "did the maths", "sized it", "had the figures ready"),
    "n_costs_them": ("costs them", "takes", "eats up", "burns"),
    "n_wants": ("wants", "needs", "would like", "expects to see"),
    "n_moved": ("moved", "brought", "taken", "pushed"),
    "n_by_when": (
        "within a year",
        "in the first year",
        "after rollout",
        "once live",
        "by the next budget round",
    ),
    "n_tied": ("tied", "linked", "pinned", "anchored"),
    "n_timing": ("the timing", "the go-live", "the whole plan", "the rollout", "the start date"),
    "n_while": ("while", "and", "though"),
    "n_stays": (
        "remains the fallback",
        "is what they use today",
        "stays if nothing changes",
        "is the default",
        "is hard to dislodge",
    ),
    "n_spend": ("spend", "lose", "sink", "put"),
    "n_time": (
        "a day a week",
        "most Mondays",
        "two evenings a month",
        "half of month end",
        "hours each week",
    ),
    "n_on_task": ("on", "rebuilding", "checking", "chasing inputs for", "formatting", "correcting"),
    "n_late": (
        "two days late",
        "after the meeting it was meant for",
        "a week after month end",
        "with gaps",
        "only on request",
        "in a different format each time",
    ),
    "n_admits": ("admits", "says openly", "concedes", "told us", "worries", "suspects"),
    "n_example": (
        "One example",
        "A typical case",
        "Case in point",
        "For instance",
        "To give a flavour",
    ),
}

MORE: dict[str, tuple[str, ...]] = {
    "open_discovery": (
        "{w_disc} with {lead_full}{others_with}; we {n_mapped} {n_flow} behind {artifact}.",
        "{n_hour} with {lead_full}{others_with} on {w_focus}.",
        "{n_hour} with {lead_full}{others_with} on {w_focus}.",
        "{lead_full}{others_with} {n_showed} {artifact} {n_live}.",
    ),
    "next_discovery": (
        "Next: {lead} {w_sends} {w_sample} {artifact} {w_before} the demo.",
        "Next: {fu_we_will} {n_prepare} a {w_demo} {n_around} {artifact} {soon}.",
        "Next: {lead} {n_intro} {someone} {n_reason}.",
        "Next: {lead} {n_intro} {someone} {n_reason}.",
    ),
    "note_pain": (
        "{n_pain_head} {pain}; it {n_costs} {hours} {w_across} {staff}.",
        "{n_pain_head} {pain}; it {n_costs} {hours} {w_across} {staff}.",
        "{lead} {n_sized}: {pain} {n_costs_them} {hours} {w_across} {staff}.",
    ),
    "note_metrics": (
        "{lead} {n_wants} {metric} {n_moved} from {baseline} to {target} {n_by_when}{value_clause}.",
        "{lead} {n_wants} {metric} {n_moved} from {baseline} to {target} {n_by_when}{value_clause}.",
    ),
    "note_critical_event": (
        "{lead} {n_tied} {n_timing} to {event} on {event_date}{w_deadline_tail}.",
        "{lead} {n_tied} {n_timing} to {event} on {event_date}{w_deadline_tail}.",
    ),
    "note_competition": (
        "{w_rivals} {alt1} and {alt2}, {n_while} {incumbent} {n_stays}.",
        "{w_rivals} {alt1} and {alt2}, {n_while} {incumbent} {n_stays}.",
    ),
    "detail_discovery": (
        "{someone_cap} {n_spend} {n_time} {n_on_task} {artifact}.",
        "{someone_cap} {n_spend} {n_time} {n_on_task} {artifact}.",
        "{artifact_cap} reaches {someone} {n_late}; {doubt}.",
        "{artifact_cap} reaches {someone} {n_late}; {doubt}.",
        "{lead} {n_admits} that {doubt}.",
        "{n_example}: {someone} {rebuild} {artifact} from {source} {often}.",
        "{n_example}: {someone} {rebuild} {artifact} from {source} {often}.",
    ),
}
