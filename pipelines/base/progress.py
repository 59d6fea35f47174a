"""Progress lines for long work on the command line: what is running, then how long it took."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator


class Progress:
    """Prints `[i/n] step … 1.2 s` lines to stderr; `quiet` turns it off (tests, the app)."""

    def __init__(self, total: int = 0, quiet: bool = False, sink: Callable[[str], None] | None = None):
        self.total = total
        self.done = 0
        self.quiet = quiet
        self.sink = sink

    def _emit(self, text: str, end: str = "\n") -> None:
        if self.sink is not None:
            self.sink(text)
        elif not self.quiet:
            print(text, end=end, file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        self._emit(f"      {text}")

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        self.done += 1
        prefix = f"[{self.done}/{self.total}]" if self.total else "[*]"
        start = time.perf_counter()
        live = self.sink is None and not self.quiet and sys.stderr.isatty()
        if live:
            self._emit(f"{prefix} {label} …", end="\r")
        yield
        self._emit(f"{prefix} {label}: {time.perf_counter() - start:.1f} s")
