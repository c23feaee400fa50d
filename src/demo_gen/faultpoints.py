"""Named instants where a test may kill the process, to place a crash exactly (never a timer).

`crash_point("pending:meeting")` does nothing unless the environment variable `DEMO_GEN_CRASH_AT`
names that point, optionally with the hit it fires on (`pending:meeting#3` fires on the third
time the point is reached). Then the process ends at once with `os._exit(137)`, as `kill -9`
would end it: no `finally`, no atexit, no flush. Tests of crash safety set it on a subprocess;
nothing in the product sets it.

The points (KIND is a work-item kind, e.g. meeting, email, invitee, email_task, scorecard):

    pending:KIND        a batch of KIND is committed pending; nothing of it has been sent
                        (the write phase's ledger thread, ledger/writer_thread.py, fires it after
                        the
                        commit and before the batch may be handed to a worker)
    sent:KIND           the org has answered a batch of KIND (and made its email Tasks or Event
                        relations), and the batch was read back; nothing of it is recorded yet
    created:KIND        the batch's outcome is committed — with its identity snapshots and the
                        records the org made for it (`created:email` is where an email's Task
                        used to be recorded by two later commits: it is now in this one); fired
                        by the ledger thread after that commit
    created:email_task  the catch-up commit of email Tasks whose batch read-back failed (or of a
                        schema-1 ledger), at the run's end or in reset; one commit
    reset:sent:KIND     reset: the org has deleted a batch of KIND; the ledger does not know yet

On the Bulk API 2.0 path (ledger/bulk_writer.py) a batch is one ingest job: `pending:KIND` (its
rows are
pending; no job exists yet), then

    bulk:job:KIND       the job is open and its id and rows are committed; nothing uploaded
    bulk:uploaded:KIND  the CSV is in the Open job, which was never closed (nothing processed)
    sent:KIND           the job has ended (the org made its rows and their Tasks/relations)
    bulk:results:KIND   its results are read and mapped to rows; nothing of them recorded
    created:KIND        every row of the job is recorded and the job forgotten
    bulk:spooled        a chunk's items to send are spooled to disk for the run's jobs
                        (commands/stream_bulk.py; `bulk:spooled#2`: after the second chunk);
                        nothing of the run is pending or sent yet. The jobs, one per record
                        type and level for the whole run, follow the last chunk (the points
                        above, once per job: ledger/bulk_span.py)

Calendar copies (targets/caldav.py, targets/ics.py) go through the same writer and resetter, so
the same names hold with KIND `calendar_event`; the CalDAV target also reaches
`sent:calendar_event` after each copy the server stored (`#N` kills after the Nth, mid-batch) and
`reset:sent:calendar_event` after each copy it deleted, besides the writer's and the resetter's
once per batch.

Updates (ledger/update_protocol.py, refresh; RECORD_TYPE is e.g. Event, EventRelation, Opportunity):

    update:pending:RECORD_TYPE  a batch's before-values are committed pending; nothing is sent
    update:sent:RECORD_TYPE     the org has taken the batch's updates; they are not marked done
    restore:sent:RECORD_TYPE    reset has written the before-values back; not marked restored

A calendar's updates (a passed meeting's outcome in its copies) have RECORD_TYPE `VEVENT`; the
CalDAV target also reaches `update:copy:calendar_event` after each copy it wrote (`#N`: mid-batch).
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
