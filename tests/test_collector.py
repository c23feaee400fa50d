"""A run collects cycles less often (commands/collector.py), and gives the thresholds back."""

from __future__ import annotations

import gc

from conftest import ANCHOR

from demo_gen.commands.collector import YOUNG
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config


class _Thresholds:
    """A progress sink that notes the collector's thresholds as each phase of the run begins."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int, int]] = []

    def phase(self, name: str, total: int) -> None:
        self.seen.append(gc.get_threshold())

    def advance(self, steps: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        pass


def test_a_run_collects_the_youngest_generation_less_often_and_restores_it(make_config):
    before = gc.get_threshold()
    assert before[0] < YOUNG  # CPython's default (700): the run has something to change
    progress = _Thresholds()
    report = run(load_config(make_config()), Secrets(), RunOptions(today=ANCHOR), progress)
    assert report.created > 0 and progress.seen
    assert {t[0] for t in progress.seen} == {YOUNG}
    assert {t[1:] for t in progress.seen} == {before[1:]}  # the older generations as they were
    assert gc.get_threshold() == before
