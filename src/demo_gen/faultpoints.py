"""Named instants where a test may kill the process, to place a crash exactly (never a timer).

`crash_point("pending:meeting")` does nothing unless the environment variable `DEMO_GEN_CRASH_AT`
names that point, optionally with the hit it fires on (`pending:meeting#3` fires on the third
time the point is reached). Then the process ends at once with `os._exit(137)`, as `kill -9`
would end it: no `finally`, no atexit, no flush. Tests of crash safety set it on a subprocess;
nothing in the product sets it.

The points (KIND is a work-item kind, e.g. meeting, email, invitee, email_task, scorecard):

    pending:KIND        a batch of KIND is committed pending; nothing has been sent
    sent:KIND           the org has answered a batch of KIND (and made its email Tasks or Event
                        relations); nothing of it is recorded yet
    created:KIND        the batch's outcome is committed — with its identity snapshots and the
                        records the org made for it (`created:email` is where an email's Task
                        used to be recorded by two later commits: it is now in this one)
    created:email_task  the catch-up commit of email Tasks whose batch read-back failed (or of a
                        schema-1 ledger), at the run's end or in reset; one commit
    reset:sent:KIND     reset: the org has deleted a batch of KIND; the ledger does not know yet

Updates (updates.py, refresh; RECORD_TYPE is e.g. Event, EventRelation, Opportunity):

    update:pending:RECORD_TYPE  a batch's before-values are committed pending; nothing is sent
    update:sent:RECORD_TYPE     the org has taken the batch's updates; they are not marked done
    restore:sent:RECORD_TYPE    reset has written the before-values back; not marked restored

Calendar copies (calendars/sync.py) use the same names with KIND `calendar_event`:
`pending:calendar_event` (a batch of copies committed pending, none sent), `sent:calendar_event`
(reached after each copy the server stored: `#N` kills after the Nth), `created:calendar_event`
(the batch recorded), `reset:sent:calendar_event` (after each copy reset deleted).
"""

from __future__ import annotations

import os
import threading
from collections import Counter

ENV = "DEMO_GEN_CRASH_AT"

_hits: Counter[str] = Counter()
_lock = threading.Lock()


def crash_point(name: str) -> None:
    """End the process now, like `kill -9`, if `DEMO_GEN_CRASH_AT` names this point and hit."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    with _lock:
        _hits[name] += 1
        hit = _hits[name]
    if hit == (int(nth) if nth.isdigit() else 1):
        os._exit(137)
