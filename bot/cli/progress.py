"""Progress bars for long commands: click's bar on standard error, only when a person watches.

Output that is piped, logged by cron or a timer, or asked for as ``--json`` gets no bar and no
label, so standard output stays the command's result alone. The core reports progress through a
plain ``progress(done, total)`` callback (or a ``track(items, label)`` wrapper), so it needs no click.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import click

T = TypeVar("T")
Progress = Callable[[int, int], None]


def on_terminal() -> bool:
    """Whether a person is watching standard error (where the bar goes)."""
    return sys.stderr.isatty()


@contextlib.contextmanager
def progress_bar(label: str, quiet: bool = False) -> Iterator[Progress | None]:
    """A ``progress(done, total)`` callback that draws the bar, or None when nobody would see it."""
    if quiet or not on_terminal():
        yield None
        return
    with contextlib.ExitStack() as stack:
        bars: list[click._termui_impl.ProgressBar[int]] = []

        def advance(done: int, total: int) -> None:
            if not bars:  # the total is known only once the work has started
                bars.append(stack.enter_context(click.progressbar(length=max(total, 1), label=label,
                                                                  file=sys.stderr)))
            bar = bars[0]
            bar.length = max(total, 1)
            bar.update(max(0, min(done, total) - bar.pos))

        yield advance


def track(items: Sequence[T], label: str, quiet: bool = False) -> Iterator[T]:
    """Iterate ``items`` with a bar on a terminal; nothing extra in a pipe, a log or a test."""
    if quiet or not on_terminal():
        yield from items
        return
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar
