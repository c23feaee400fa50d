"""Checks of a configuration against the machine, before anything is created.

`load_config` calls `check_config` once the values are valid, so a directory that cannot be
made, a state store URL that cannot work, or a scorecard template that does not load is a
configuration error (exit 3, naming file:line and key) before any run row, `runs/<id>/` or
state file exists. Nothing here creates or changes a file. Before `run` and `smoke`, the command
line also calls `check_org` (the configured stages against the org's picklist) and checks an
`--opp-id` with `opportunity_id_problem`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from demo_gen.errors import ConfigError

if TYPE_CHECKING:
    from demo_gen.config.model import Config, Secrets

_SF_ID = re.compile(r"[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?")
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
OPPORTUNITY_PREFIX = "006"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_config(config: Config) -> None:
    """Raise the first ConfigError a run would otherwise meet on this machine."""
    _check_runs_dir(config)
    _check_state_url(config)
    _check_local_db(config)
    _check_templates(config)
    _check_calendar_mode(config)


def _check_calendar_mode(config: Config) -> None:
    """`peopleai.ingestion_mode: calendar` reads meetings from calendars: they must be written."""
    if config.peopleai.ingestion_mode == "calendar" and not config.calendar.enabled:
        raise config.error(
            ("peopleai", "ingestion_mode"),
            "calendar needs calendar.enabled: true (meetings go to the calendars, and the org)",
        )


def check_org(config: Config, secrets: Secrets) -> None:
    """What only the org can say, checked before a run row or `runs/<id>/` exists.

    Today: every `salesforce.query.stages_allowed` is in the org's StageName picklist. Costs a
    login and one describe; an unreachable org or refused login fails here too (exit 5).
    """
    from demo_gen.commands.org_launch import open_crm
    from demo_gen.targets.salesforce.selection import check_stages

    with open_crm(config, secrets) as crm:
        try:
            check_stages(crm, config.salesforce.query.stages_allowed)
        except ConfigError as exc:
            where = config.locate(exc.key) if exc.key else None
            if where is None:
                raise
            raise ConfigError(f"{where}: {exc}", hint=exc.hint) from None


def opportunity_id_problem(text: str) -> str | None:
    """Why *text* is not a Salesforce Opportunity id (15 or 18 characters), or None."""
    if not _SF_ID.fullmatch(text):
        return f"{text!r} is not a Salesforce id (15 or 18 letters and digits)"
    if not text.startswith(OPPORTUNITY_PREFIX):
        return f"{text!r} is not an Opportunity id (those start with {OPPORTUNITY_PREFIX})"
    if len(text) == 18 and text[15:] != _checksum(text[:15]):
        return f"{text!r} is not a valid 18-character id (its last 3 characters do not match)"
    return None


def _checksum(id15: str) -> str:
    """The 3 characters Salesforce appends to a 15-character id to make it case-insensitive."""
    out = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, ch in enumerate(id15[start : start + 5]) if ch.isupper())
        out += _CHECKSUM_ALPHABET[bits]
    return out


def _check_runs_dir(config: Config) -> None:
    problem = _directory_problem(config.run.runs_dir)
    if problem:
        raise config.error(("run", "runs_dir"), problem)


def _directory_problem(path: Path) -> str | None:
    """Why *path* can neither be used nor created as a directory, or None."""
    if path.exists():
        if not path.is_dir():
            return f"{path} exists and is not a directory"
        return None if os.access(path, os.W_OK | os.X_OK) else f"{path} is not writable"
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        return f"{path} cannot be created: {ancestor} is not a directory"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"{path} cannot be created: {ancestor} is not writable"
    return None


def _existing_ancestor(path: Path) -> Path:
    for parent in path.absolute().parents:
        if parent.exists():
            return parent
    return Path(path.absolute().anchor)


def _check_state_url(config: Config) -> None:
    key = ("state", "url")
    try:
        url = make_url(config.state.url)
        url.get_dialect()
    except NoSuchModuleError:  # a subclass of ArgumentError: catch it first
        raise config.error(
            key, f"unknown database kind {config.state.url.split(':', 1)[0]!r}"
        ) from None
    except ArgumentError:
        raise config.error(key, "not a SQLAlchemy URL, e.g. sqlite:///runs/state.sqlite") from None
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:"):
        return  # a SQLite URI: the user spelled out exactly what they want
    problem = _state_file_problem(Path(database), config.run.runs_dir)
    if problem:
        raise config.error(key, problem)


def _state_file_problem(path: Path, runs_dir: Path) -> str | None:
    """Why the SQLite file *path* should not be used or created, or None.

    Its directory is created only where the user can be expected to mean it: the directory's
    own parent exists, or it lies under the working directory or `runs_dir`. So a mistyped
    `sqlite:////nonexistent/dir/state.sqlite` is refused instead of creating /nonexistent.
    """
    if path.is_dir():
        return f"{path} is a directory, not a SQLite file"
    parent = path.absolute().parent
    if parent.exists():
        return _directory_problem(parent)
    mine = (Path.cwd().absolute(), runs_dir.absolute())
    meant = parent.parent.is_dir() or any(parent.is_relative_to(root) for root in mine)
    if not meant:
        return (
            f"the directory {parent} does not exist, and neither does {parent.parent}; create it "
            "first, or put the state store under the project (sqlite:///runs/state.sqlite)"
        )
    return _directory_problem(parent)


def _check_local_db(config: Config) -> None:
    settings = config.salesforce
    if settings.target != "local" or settings.local.url is not None:
        return
    db = settings.local.db
    if db.exists() and not db.is_file():
        raise config.error(("salesforce", "local", "db"), f"{db} is not a file")
    if db.is_file() and _header(db) not in (b"", _SQLITE_MAGIC):
        raise config.error(
            ("salesforce", "local", "db"),
            f"{db} is not a SQLite database (the local org's storage)",
            hint="point it at the file `demo-gen org init --db PATH` created",
        )


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(len(_SQLITE_MAGIC))
    except OSError:
        return b""  # unreadable: opening it will say so


def _check_templates(config: Config) -> None:
    from demo_gen.stages.scorecards import load_template

    for i, name in enumerate(config.scorecards.templates):
        try:
            load_template(name)
        except ConfigError as exc:
            raise config.error(("scorecards", "templates", str(i)), str(exc)) from None
