"""The live view of `demo-gen live` (rich, on stderr): the simulated clock, the API budget, the
passes just made and what falls due next. Silent when stderr is not a terminal; `frame` is the
same picture as text, for the docs and the tests."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from demo_gen.commands.console import err_console
from demo_gen.commands.live_loop import LiveState


def frame(state: LiveState) -> Group:
    """One picture of the loop: header, the last passes, the next moments due."""
    head = Text.assemble(
        ("live ", "bold"), (f"{state.sim_now:%a %Y-%m-%d %H:%M:%S} UTC", "bold cyan"),
        f"  x{state.speed:g}  ", (state.status, "yellow"),
        f"  API {state.spent} spent, {state.tokens:.0f} in the bucket "
        f"(budget {state.budget}/day)  run {state.run_id or '-'}",
    )  # fmt: skip
    wrote = Table(title="just written", title_justify="left", expand=True)
    for name in ("revealed up to", "done", "created", "updated", "calls", "what"):
        wrote.add_column(name)
    for p in reversed(state.passes):
        what = ", ".join(f"{n} {k}" for k, n in sorted(p.kinds.items())) or "nothing new"
        wrote.add_row(f"{p.reveal:%m-%d %H:%M}", f"{p.done:%H:%M}", str(p.created),
                      str(p.updated), str(p.calls), what)  # fmt: skip
    nxt = Table(title="due next", title_justify="left", expand=True)
    for name in ("at", "in", "what", "deal", "subject"):
        nxt.add_column(name)
    for d in state.upcoming:
        wait = d.at - state.sim_now
        nxt.add_row(f"{d.at:%m-%d %H:%M}", _span(wait.total_seconds()), d.what, d.deal, d.label)
    return Group(head, wrote, nxt)


def _span(seconds: float) -> str:
    minutes = int(max(seconds, 0) // 60)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes}m"


class RichLiveView:
    """The live view in a rich `Live` display; use it as a context manager."""

    def __init__(self, console: Console = err_console, *, enabled: bool = True) -> None:
        self._enabled = enabled and console.is_terminal
        self._live = Live(console=console, auto_refresh=False, transient=False)

    def show(self, state: LiveState) -> None:
        if self._enabled:
            self._live.update(frame(state), refresh=True)

    def __enter__(self) -> RichLiveView:
        if self._enabled:
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._enabled:
            self._live.stop()
