"""The targets a configuration names, opened for one command.

The org is both the source the plan is read from and the first target. A new destination is
opened here, from its configuration section, and appended to `OpenTargets.targets`; the runner,
dry-run and reset then treat it like the org (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from demo_gen.config import Config, Secrets
from demo_gen.targets.base import Target
from demo_gen.targets.salesforce import SalesforceTarget, open_salesforce


@dataclass(frozen=True)
class OpenTargets:
    """The org the opportunities come from, and every target the run writes to, in order."""

    source: SalesforceTarget
    targets: tuple[Target, ...]


@contextmanager
def open_targets(
    config: Config, secrets: Secrets, now: datetime | None = None
) -> Iterator[OpenTargets]:
    """Open the configured org (and, as they are added, the other targets) for one command."""
    with open_salesforce(config, secrets, now) as org:
        yield OpenTargets(source=org, targets=(org,))
