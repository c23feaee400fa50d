"""What a Bulk run costs in API requests (docs/adr/0012-bulk-requests-near-the-floor.md).

Every request of a run of several chunks through Bulk API 2.0 is counted by route on the local
org. The test goes red when a request the run no longer needs comes back: a status look before
a query job's results, a failed- or unprocessed-results fetch of a job that has none, a poll of
an ingest job whose close answered its end, a second Organization query, a `limits` request.
And a query job the org has not finished yet (a real org's jobs are asynchronous) is still
polled to its end, and read whole.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bulk_helpers import DEALS, bulk_config
from conftest import ANCHOR
from local_org_fixtures import connect
from safety_helpers import org_ids

from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import BulkSettings, QuerySettings, Secrets, load_config
from demo_gen.local_org import LocalOrgServer, Store
from demo_gen.targets.salesforce import selection_bulk
from demo_gen.targets.salesforce.bulk_query import QueryChannel
from demo_gen.targets.salesforce.client import SalesforceCrm
from demo_gen.targets.salesforce.selection import BulkReads, select_opportunities

CHUNK = 2
INGEST_JOBS = 7  # Event, EmailMessage, Task, scorecards, and the three kinds of links
SELECTION_JOBS = 4  # opportunities, their contact roles, contacts, busy Events
READ_BACK_JOBS = 10  # per ingest job: its object, and an Event's / a Task's relations


def _config(root: Path, url: str) -> Path:
    return bulk_config(root, "calls", url)


def _requests(served_org, before: dict[str, int] | None = None) -> dict[str, int]:
    """The org's requests by route since `before`, logins left out."""
    before = before or {}
    counts = served_org.app.request_counts
    out = {k: n - before.get(k, 0) for k, n in counts.items() if "login" not in k}
    return {k: n for k, n in out.items() if n}


def test_a_bulk_run_of_several_chunks_makes_only_the_requests_it_needs(
    org_db, served_org, tmp_path
):
    config = load_config(_config(tmp_path, served_org.url))
    report = run(config, Secrets(), RunOptions(today=ANCHOR, chunk_deals=CHUNK))
    assert report.opportunities == DEALS  # four chunks
    assert report.counts["email_task"]["created"] > 0
    counts = _requests(served_org)
    queries = counts["POST jobs/query"]
    assert queries <= SELECTION_JOBS + READ_BACK_JOBS
    assert counts == {
        # one ingest job per record type for the whole run: open, upload, close (its answer
        # says the job ended: no poll), the successful results (nothing failed: no other file)
        "POST jobs/ingest": INGEST_JOBS,
        "PUT jobs/ingest/{job}/batches": INGEST_JOBS,
        "PATCH jobs/ingest/{job}": INGEST_JOBS,
        "GET jobs/ingest/{job}/successfulResults": INGEST_JOBS,
        # each query job: created, and its one page of results asked for at once (no status)
        "POST jobs/query": queries,
        "GET jobs/query/{job}/results": queries,
        # the Organization (once), the active Users, the opportunities' first page
        "GET query": 3,
        # the binding check with the org's marks, the describes, the Events' mark at the end
        "POST composite": 3,
    }
    before = served_org.app.request_counts
    again = run(config, Secrets(), RunOptions(today=ANCHOR, chunk_deals=CHUNK))
    assert sum(c["created"] for c in again.counts.values()) == 0
    assert sum(_requests(served_org, before).values()) <= 3  # a rerun near free


def test_a_run_whose_query_jobs_are_still_running_when_first_asked_makes_the_same_records(
    org_db, served_org, seeded_org_file, tmp_path
):
    """An org whose query jobs run on after they are created (a real org's): every selection
    and read-back job is polled to its end, and the run owns what it owns on an org whose jobs
    are done at once — the same counts, kind by kind, the same records in the org."""
    served_org.app.faults.query_job_running = 1
    slow = tmp_path / "slow"
    slow.mkdir()
    report = run(load_config(_config(slow, served_org.url)), Secrets(),
                 RunOptions(today=ANCHOR, chunk_deals=CHUNK))  # fmt: skip
    counts = _requests(served_org)
    jobs = counts["POST jobs/query"]
    assert counts["GET jobs/query/{job}/results"] == 2 * jobs  # refused, then read
    assert counts["GET jobs/query/{job}"] == jobs  # one look, after a wait, finds it done
    fast = tmp_path / "fast"
    fast.mkdir()
    db = fast / "org.sqlite"
    shutil.copy(seeded_org_file, db)
    store = Store(db)
    with LocalOrgServer(store) as other:
        expected = run(load_config(_config(fast, other.url)), Secrets(),
                       RunOptions(today=ANCHOR, chunk_deals=CHUNK))  # fmt: skip
    store.close()
    assert report.counts == expected.counts
    assert report.counts["email_task"]["created"] > 0
    assert {k: len(v) for k, v in org_ids(org_db).items()} == {
        k: len(v) for k, v in org_ids(db).items()
    }


def test_a_query_job_still_running_is_polled_to_its_end_and_read_whole(served_org):
    """The org answers each new query job's first two requests as running (412 on its
    results): the rows are the REST selection's all the same, each job is polled to its end,
    and once the channel has met a running job it waits before asking for results."""
    crm = SalesforceCrm(connect(served_org), label="local org")
    settings = QuerySettings(opportunity_type=None, limit=30)
    rest = select_opportunities(crm, settings)
    served_org.app.faults.query_job_running = 2
    before = served_org.app.request_counts
    channel = QueryChannel(crm, BulkSettings(poll_seconds=0))
    bulk = select_opportunities(crm, settings, bulk=BulkReads(channel, 1))
    assert bulk == rest
    assert channel.wait_first
    counts = _requests(served_org, before)
    jobs = counts["POST jobs/query"]
    assert jobs == SELECTION_JOBS
    # a refused first ask and a good one per job; the status looks until the job is done
    assert counts["GET jobs/query/{job}/results"] == 2 * jobs
    assert counts["GET jobs/query/{job}"] == 2 * jobs


def test_many_accounts_read_their_contacts_in_one_job(served_org, monkeypatch):
    """Past one IN list of accounts, the contacts come in one semi-join job, kept to the
    selected accounts, in the REST order: the selection is the REST one, field by field."""
    crm = SalesforceCrm(connect(served_org), label="local org")
    settings = QuerySettings(opportunity_type=None, limit=30)
    rest = select_opportunities(crm, settings)
    monkeypatch.setattr(selection_bulk, "CONTACTS_IN", 3)
    channel = QueryChannel(crm, BulkSettings(poll_seconds=0))
    bulk = select_opportunities(crm, settings, bulk=BulkReads(channel, 1))
    assert bulk == rest
    accounts = {o.account.id for o in rest.snapshot.opportunities}
    assert len(accounts) > 3  # IN lists of 3 would take several jobs for the contacts
    assert channel.jobs == SELECTION_JOBS  # the contacts in one of them
