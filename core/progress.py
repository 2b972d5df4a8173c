"""The one way library code reports progress on long work: `progress(label, done, total, note="")`.

Library functions take an optional `Progress` and call it; who shows it decides how: the CLI a terminal
bar (`TerminalProgress`), the app a Streamlit bar, W-BERT's background run a status file. Library code
never imports a front end.
"""
from __future__ import annotations

import sys
from typing import Protocol


class Progress(Protocol):
    def __call__(self, label: str, done: int, total: int, note: str = "") -> None: ...


def report(progress: Progress | None, label: str, done: int, total: int, note: str = "") -> None:
    """Call `progress` when there is one (saves an `if` at every call site)."""
    if progress is not None:
        progress(label, done, total, note)


class TerminalProgress:
    """One tqdm bar per label, throttled as tqdm throttles: at most every 0.5 s on a terminal, every 30 s
    when output goes to a file or CI log (so 5,000 items make a handful of lines, not 5,000)."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.bars: dict = {}

    def __call__(self, label: str, done: int, total: int, note: str = "") -> None:
        from tqdm import tqdm

        bar = self.bars.get(label)
        if bar is None:
            tty = self.stream.isatty()
            bar = self.bars[label] = tqdm(total=total, desc=label, unit="건", file=self.stream, leave=True,
                                          mininterval=0.5 if tty else 30)
        bar.total = total
        if note:
            bar.set_postfix_str(note, refresh=False)
        bar.update(done - bar.n)  # update() honours mininterval; refresh() would print every call
        if done >= total:
            bar.close()
            del self.bars[label]
