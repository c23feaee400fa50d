"""The chaos harness: a local org served as a subprocess, `demo-gen` commands run and killed.

`ChaosOrg` owns one working directory: a copy of a seeded org database, the ledger (state.sqlite),
runs/, one config per pack, and at most one `demo-gen org serve` process on 127.0.0.1. Everything
the product does happens in real subprocesses (`python -m demo_gen ...`), so a kill is a real
`kill -9` and a crash point (DEMO_GEN_CRASH_AT) really ends the process. Every subprocess has a
timeout and every server is stopped by `close()` (tests use it as a context manager).

The figures (duplicates, lost, orphans, ...) are computed in `chaos_figures`; the scenarios that
combine kills, reruns, resets and comparisons are in `chaos_scenarios`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

ANCHOR = "2026-11-02"
SEED = 42
LATENCY_MS = 20
COMMAND_TIMEOUT = 240.0  # seconds for any one demo-gen command
CRASH_ENV = "DEMO_GEN_CRASH_AT"
LOCK_EXIT = 4  # another run holds the lock of this pack (StateError)
_CLEAN_PREFIXES = ("DEMO_GEN_", "SF_", "OPENAI_", "CALDAV_")
SEED_ENV = "CHAOS_FAULT_SEED"  # replays every random fault of a scenario with this seed
KEEP_ENV = "CHAOS_KEEP_DIR"  # where a failed scenario's directory is kept (default: tmp)
RANDOM_FAULTS = ("error_rate", "row_error_rate")


def scenario_seed(name: str) -> int:
    """The fault seed of a scenario that names none: stable per name, on every machine."""
    return zlib.crc32(name.encode()) % 1_000_000


def seed_override() -> int | None:
    """The fault seed `CHAOS_FAULT_SEED` imposes on every scenario, if set."""
    raw = os.environ.get(SEED_ENV, "").strip()
    return int(raw) if raw else None


@dataclass
class Done:
    """A finished `demo-gen` command."""

    args: tuple[str, ...]
    rc: int
    stdout: str = ""
    stderr: str = ""

    def brief(self) -> str:
        """The command, its exit code and the last lines of its stderr, for failure messages."""
        tail = " | ".join(line for line in self.stderr.strip().splitlines()[-4:] if line.strip())
        return f"`demo-gen {' '.join(self.args)}` -> exit {self.rc}: {tail[:600]}"


def child_env(crash_at: str | None = None) -> dict[str, str]:
    """The environment of a demo-gen subprocess: none of the developer's demo-gen settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEAN_PREFIXES)}
    env["PYTHONUNBUFFERED"] = "1"
    if crash_at:
        env[CRASH_ENV] = crash_at
    return env


def demo_gen(
    *args: str, cwd: Path, crash_at: str | None = None, timeout: float = COMMAND_TIMEOUT
) -> Done:
    """Run `demo-gen ARGS` to the end (or its timeout, which fails the test)."""
    done = subprocess.run(
        [sys.executable, "-m", "demo_gen", *args],
        cwd=cwd,
        env=child_env(crash_at),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Done(tuple(args), done.returncode, done.stdout, done.stderr)


def spawn(*args: str, cwd: Path, crash_at: str | None = None) -> subprocess.Popen[str]:
    """Start `demo-gen ARGS` and return at once (to kill it, or to race it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "demo_gen", *args],
        cwd=cwd,
        env=child_env(crash_at),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], args: tuple[str, ...], timeout: float) -> Done:
    """Wait for a spawned command; kill it if it outlives `timeout` (and say so)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=30)
        err += f"\n[chaos] killed after its {timeout:.0f}s timeout"
    return Done(args, proc.returncode, out, err)


def kill_when(
    proc: subprocess.Popen[str], ready: Callable[[], bool], *, timeout: float, poll_s: float = 0.005
) -> bool:
    """SIGKILL `proc` as soon as `ready()` is true; False if it ended (or timed out) first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                return False
            proc.wait(timeout=30)
            return True
        time.sleep(poll_s)
    return False


def init_org_db(db: Path, opportunities: int, *, seed: int = SEED, force: bool = False) -> Done:
    """`demo-gen org init` for a seeded org laid around ANCHOR; raises if it fails."""
    args = ["org", "init", "--db", str(db), "--opportunities", str(opportunities)]
    args += ["--seed", str(seed), "--anchor-date", ANCHOR, *(["--force"] if force else [])]
    done = demo_gen(*args, cwd=db.parent, timeout=120)
    if done.rc != 0:
        raise RuntimeError(done.brief())
    return done


class OrgServer:
    """`demo-gen org serve` on a free loopback port, with fault options; `stop()` always works."""

    def __init__(self, db: Path, log: Path, faults: dict[str, Any]) -> None:
        args = ["org", "serve", "--db", str(db), "--port", "0"]
        for name, value in faults.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        self.faults = dict(faults)
        self._log = log
        with log.open("w", encoding="utf-8") as sink:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "demo_gen", *args],
                cwd=db.parent,
                env=child_env(),
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
        try:
            self.url = self._wait_for_url(timeout=60)
        except BaseException:
            self.stop()
            raise

    def _wait_for_url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"org serve exited {self.proc.returncode}: {self._text()}")
            found = re.search(r"http://127\.0\.0\.1:\d+", self._text())
            if found and _answers(found.group(0)):
                return found.group(0)
            time.sleep(0.05)
        raise RuntimeError(f"org serve did not start within {timeout}s: {self._text()}")

    def _text(self) -> str:
        return self._log.read_text(encoding="utf-8", errors="replace")

    def stats(self) -> dict[str, Any]:
        """`GET /_local/stats`: requests per endpoint, API usage, the faults and what fired."""
        with requests.Session() as session:
            session.trust_env = False
            return dict(session.get(f"{self.url}/_local/stats", timeout=10).json())

    def stop(self) -> None:
        """Ctrl-C the server, then SIGKILL it if it does not stop within 10 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with requests.Session() as session:
            session.trust_env = False
            return session.get(f"{url}/_local/stats", timeout=2).ok
    except requests.RequestException:
        return False


@dataclass
class ChaosOrg:
    """One org database, its ledger, configs per pack, and its server. Use as a context manager."""

    root: Path
    template: Path
    server: OrgServer | None = None
    packs: dict[str, dict[str, Any]] = field(default_factory=dict)
    default_seed: int = 0  # the fault seed of a server whose faults name none (`scenario_seed`)
    forced_seed: int | None = None  # the fault seed of every server with random faults
    seeds: list[int] = field(default_factory=list)  # the fault seeds the servers were given
    base: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Config sections every pack gets, under its own (the Bulk variants: salesforce.bulk)."""

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.db = self.root / "org.sqlite"
        self.state = self.root / "state.sqlite"
        self.runs_dir = self.root / "runs"
        shutil.copy(self.template, self.db)

    def __enter__(self) -> ChaosOrg:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    # -- the server -----------------------------------------------------------------------------

    def serve(self, **faults: Any) -> None:
        """(Re)start the server with these fault options (latency included); rewrite configs."""
        self.close()
        faults.setdefault("latency_ms", LATENCY_MS)
        if any(faults.get(name) for name in RANDOM_FAULTS):
            if self.forced_seed is not None:
                faults["fault_seed"] = self.forced_seed
            faults.setdefault("fault_seed", self.default_seed)
            self.seeds.append(int(faults["fault_seed"]))
        self.server = OrgServer(self.db, self.root / "serve.log", faults)
        for pack in self.packs:
            self._write_config(pack)

    @property
    def url(self) -> str:
        assert self.server is not None, "serve() the org first"
        return self.server.url

    def use_ledger(self, path: Path) -> None:
        """Point every pack's state.url at another ledger file (and read that one from now)."""
        self.state = path
        if self.server is not None:
            for pack in self.packs:
                self._write_config(pack)

    def reinit(self, opportunities: int) -> Done:
        """Stop the server, `org init --force` on the same database (the ledger stays), serve."""
        faults = dict(self.server.faults) if self.server else {}
        self.close()
        done = init_org_db(self.db, opportunities, force=True)
        self.serve(**faults)
        return done

    # -- configs and commands -------------------------------------------------------------------

    def config(self, pack: str = "chaos-a", **sections: dict[str, Any]) -> Path:
        """The config file of `pack`: written when the org is served, again whenever it moves."""
        self.packs[pack] = sections
        if self.server is not None:
            self._write_config(pack)
        return self.root / f"{pack}.yaml"

    def _write_config(self, pack: str) -> Path:
        data: dict[str, Any] = {
            "run": {
                "name": pack,
                "seed": SEED,
                "anchor_date": ANCHOR,
                "runs_dir": str(self.runs_dir),
            },
            "salesforce": {
                "local": {"db": str(self.db), "url": self.url},
                "query": {"opportunity_type": None, "limit": 100},
            },
            "state": {"url": f"sqlite:///{self.state}"},
        }
        for sections in (self.base, self.packs[pack]):
            for section, values in sections.items():
                data[section] = {**data.get(section, {}), **values}
        path = self.root / f"{pack}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    def _config_path(self, pack: str) -> Path:
        if pack not in self.packs:
            self.config(pack)
        return self.root / f"{pack}.yaml"

    def run(self, *args: str, pack: str = "chaos-a", crash_at: str | None = None) -> Done:
        """`demo-gen run -c PACK.yaml ARGS`."""
        return demo_gen(
            "run", "-c", str(self._config_path(pack)), *args, cwd=self.root, crash_at=crash_at
        )

    def spawn_run(self, *args: str, pack: str = "chaos-a") -> subprocess.Popen[str]:
        return spawn("run", "-c", str(self._config_path(pack)), *args, cwd=self.root)

    def reset(self, run_id: str, *, pack: str = "chaos-a", crash_at: str | None = None) -> Done:
        """`demo-gen reset RUN_ID --yes -c PACK.yaml`."""
        args = ("reset", run_id, "--yes", "-c", str(self._config_path(pack)))
        return demo_gen(*args, cwd=self.root, crash_at=crash_at)

    def spawn_reset(self, run_id: str, *, pack: str = "chaos-a") -> subprocess.Popen[str]:
        return spawn("reset", run_id, "--yes", "-c", str(self._config_path(pack)), cwd=self.root)

    # -- the ledger, read directly --------------------------------------------------------------

    def ledger(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Rows of a query on the ledger's SQLite file ([] while the file or table is missing)."""
        if not self.state.exists():
            return []
        conn = sqlite3.connect(self.state, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            return list(conn.execute(sql, params))
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
        finally:
            conn.close()

    def run_ids(self, pack: str = "chaos-a") -> list[str]:
        """The pack's runs, newest first."""
        rows = self.ledger(
            "SELECT run_id FROM runs WHERE pack = ? ORDER BY started_at DESC, run_id DESC", (pack,)
        )
        return [r["run_id"] for r in rows]

    def owning_runs(self, pack: str = "chaos-a") -> list[str]:
        """The pack's runs that own at least one ledger row, newest first."""
        owning = {r["run_id"] for r in self.ledger("SELECT DISTINCT run_id FROM items")}
        return [run_id for run_id in self.run_ids(pack) if run_id in owning]

    def items_count(self, status: str | None = None, kind: str | None = None) -> int:
        where, params = _filters(status=status, kind=kind)
        rows = self.ledger(f"SELECT count(*) AS n FROM items{where}", params)
        return int(rows[0]["n"]) if rows else 0

    def ledger_rows(self) -> list[dict[str, Any]]:
        """Every item row: target, signature, run_id, pack, kind, record_type, status, remote_id."""
        sql = (
            "SELECT target, signature, run_id, pack, kind, record_type, status, remote_id "
            "FROM items"
        )
        return [dict(r) for r in self.ledger(sql)]

    def ledger_state(self) -> str:
        """`kind:status=n` of every item, for saying where a kill landed."""
        rows = self.ledger(
            "SELECT kind, status, count(*) AS n FROM items GROUP BY kind, status ORDER BY 1, 2"
        )
        return ", ".join(f"{r['kind']}:{r['status']}={r['n']}" for r in rows) or "empty"


def keep(root: Path, name: str, report: str) -> Path:
    """Copy a failed scenario's directory (org, ledger, runs/, server log, configs) where it
    survives the test's tmp_path, with its report and a JSON dump of the org's made records."""
    from chaos_figures import dump  # the figures import this module

    base = Path(os.environ.get(KEEP_ENV) or Path(tempfile.gettempdir()) / "demo-gen-chaos-kept")
    base.mkdir(parents=True, exist_ok=True)
    kept = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=base))
    shutil.copytree(root, kept, dirs_exist_ok=True)
    (kept / "report.txt").write_text(report + "\n", encoding="utf-8")
    db = root / "org.sqlite"
    if db.exists():
        text = json.dumps(dump(db), indent=1, sort_keys=True, default=str)
        (kept / "org-dump.json").write_text(text, encoding="utf-8")
    return kept


def _filters(**conditions: str | None) -> tuple[str, tuple[str, ...]]:
    used = {k: v for k, v in conditions.items() if v is not None}
    if not used:
        return "", ()
    return " WHERE " + " AND ".join(f"{k} = ?" for k in used), tuple(used.values())
