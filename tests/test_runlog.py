import json
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from demo_gen.ledger.runlog import RunLog, new_run_id, read_events

RUN = "20261122T081500Z-se-demo-pack-3f9a1c"


@pytest.fixture
def log(tmp_path):
    with RunLog(tmp_path / "runs", RUN) as run_log:
        yield run_log


def test_creates_the_run_directory(tmp_path):
    with RunLog(tmp_path / "runs", RUN) as log:
        assert log.path == tmp_path / "runs" / RUN
        assert log.path.is_dir()


def test_every_event_line_is_a_flat_json_object_with_the_required_keys(log):
    log.event("run.started", pack="se-demo-pack")
    log.event("item.created", opportunity_id="006A", kind="meeting", day=date(2026, 11, 2))
    log.event("item.failed", level="error", signature="abc", note="line\nbreak")
    log.close()
    lines = (log.path / "events.jsonl").read_text().splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    for record in records:
        assert {"ts", "run_id", "event", "level"} <= record.keys()
        assert record["run_id"] == RUN
        assert record["ts"].endswith("Z")
        datetime.fromisoformat(record["ts"].replace("Z", "+00:00"))
    assert list(records[0])[:4] == ["ts", "run_id", "event", "level"]
    assert records[1]["day"] == "2026-11-02"
    assert records[2]["level"] == "error"
    assert records[2]["note"] == "line\nbreak"
    assert read_events(log.path) == records


def test_reserved_field_names_are_refused(log):
    with pytest.raises(ValueError, match="ts"):
        log.event("x", ts="yesterday")
    with pytest.raises(ValueError, match="run_id"):
        log.error(run_id="other")


def test_errors_go_to_errors_jsonl(log):
    log.error(
        opportunity_id="006A", kind="email", error_code="REQUIRED_FIELD_MISSING", fields=["X"]
    )
    errors = read_events(log.path / "errors.jsonl")
    assert errors == [
        {
            "ts": errors[0]["ts"],
            "run_id": RUN,
            "opportunity_id": "006A",
            "kind": "email",
            "error_code": "REQUIRED_FIELD_MISSING",
            "fields": ["X"],
        }
    ]
    assert read_events(log.path) == []


def test_concurrent_appends_from_eight_threads_stay_intact(log):
    per_thread = 200
    payload = "x" * 500

    def work(n):
        for i in range(per_thread):
            log.event("item.created", thread=n, i=i, payload=payload)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = (log.path / "events.jsonl").read_text().splitlines()
    assert len(lines) == 8 * per_thread
    seen = {(r["thread"], r["i"]) for r in map(json.loads, lines)}
    assert seen == {(n, i) for n in range(8) for i in range(per_thread)}


def test_write_json_is_atomic_ordered_and_ends_with_a_newline(log):
    log.write_json("run.json", {"z": 1, "a": {"when": date(2026, 1, 2)}})
    log.write_json("run.json", {"status": "completed", "b": 2})
    text = (log.path / "run.json").read_text()
    assert text == '{\n  "status": "completed",\n  "b": 2\n}\n'
    assert sorted(p.name for p in log.path.iterdir()) == [
        "errors.jsonl",
        "events.jsonl",
        "run.json",
    ]


def test_write_json_failure_leaves_the_old_file_and_no_temp(log):
    log.write_json("summary.json", {"ok": True})

    class Unserialisable:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        log.write_json("summary.json", {"bad": Unserialisable()})
    assert json.loads((log.path / "summary.json").read_text()) == {"ok": True}
    assert not [p for p in log.path.iterdir() if p.name.endswith(".tmp")]


def test_write_text_and_refuses_paths(log):
    log.write_text("config.resolved.yaml", "run:\n  name: x\n")
    assert (log.path / "config.resolved.yaml").read_text() == "run:\n  name: x\n"
    with pytest.raises(ValueError):
        log.write_text("../escape.txt", "no")


def test_resumed_run_appends(tmp_path):
    with RunLog(tmp_path, RUN) as log:
        log.event("run.started")
    with RunLog(tmp_path, RUN) as log:
        log.event("run.resumed")
    assert [e["event"] for e in read_events(tmp_path / RUN)] == ["run.started", "run.resumed"]


def test_read_events_skips_a_torn_last_line_only(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text('{"event": "a"}\n{"event": "b"}\n{"event": "c", "trunc')
    assert [e["event"] for e in read_events(path)] == ["a", "b"]
    path.write_text('{"event": "a"}\nnot json\n')
    with pytest.raises(ValueError, match=":2:"):
        read_events(path)


def test_new_run_id_shape_sort_and_uniqueness():
    start = datetime(2026, 11, 22, 8, 15, tzinfo=UTC)
    run_id = new_run_id(start, "SE Demo Pack!")
    assert run_id.startswith("20261122T081500Z-se-demo-pack-")
    assert len(run_id.rsplit("-", 1)[1]) == 6
    times = [start + timedelta(seconds=s) for s in (0, 1, 59, 3600, 86400 * 40)]
    ids = [new_run_id(t, "se-demo-pack") for t in times]
    assert sorted(ids) == ids
    same_second = {new_run_id(start, "se-demo-pack") for _ in range(50)}
    assert len(same_second) == 50


def test_new_run_id_uses_utc_and_needs_a_zone():
    local = datetime(2026, 11, 22, 9, 15, tzinfo=timezone(timedelta(hours=1)))
    assert new_run_id(local, "p").startswith("20261122T081500Z-p-")
    with pytest.raises(ValueError):
        new_run_id(datetime(2026, 11, 22), "p")


def test_is_run_of_knows_a_packs_run_ids():
    from datetime import UTC, datetime

    from demo_gen.ledger.runlog import is_run_of, new_run_id

    run_id = new_run_id(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), "se-demo-pack")
    assert is_run_of(run_id, "se-demo-pack")
    assert not is_run_of(run_id, "se-demo")
    assert not is_run_of(run_id, "pack")
    assert not is_run_of("", "se-demo-pack")


def test_created_many_writes_the_lines_created_writes(log):
    """A Bulk job logs its records in one write: the same lines, key for key, as one by one."""
    from demo_gen.stages.items import WorkItem

    made = [WorkItem(f"s{n}", "email", "EmailMessage", "006A", {}, "", "") for n in range(3)]
    for n, item in enumerate(made):
        log.created(item, f"02s{n}", "demo-gen", "salesforce:00D")
    pairs = [(item, f"02s{n}") for n, item in enumerate(made)]
    log.created_many(pairs, "demo-gen", "salesforce:00D")
    log.created_many([], "org", "salesforce:00D")  # nothing: no line
    log.close()
    records = [json.loads(line) for line in (log.path / "events.jsonl").read_text().splitlines()]
    assert len(records) == 6
    one, many = records[:3], records[3:]
    assert [list(r) for r in many] == [list(r) for r in one]  # the same keys, in order
    assert [r | {"ts": ""} for r in many] == [r | {"ts": ""} for r in one]
