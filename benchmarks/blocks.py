"""The blocks benchmarks write into RESULTS.md between their own markers (the forecast backtest, the many-readers
load, the pull): each replaces its previous block in place, or goes at the end; `make bench`'s rewrite keeps them
(run.keep_blocks)."""
from __future__ import annotations

import re
from pathlib import Path


def found(text: str, start: str, end: str) -> re.Match | None:
    """The block between `start` and `end` in `text` (markers and the newline after it included)."""
    return re.search(re.escape(start) + ".*?" + re.escape(end) + "\n?", text, re.S)


def put(out: Path, start: str, end: str, body: str) -> None:
    """`body` between the markers in `out`, in place of the previous block or at the end."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    block = f"{start}\n{body}\n{end}\n"
    at = found(old, start, end)
    out.write_text(old[:at.start()] + block + old[at.end():] if at else old.rstrip("\n") + "\n\n" + block,
                   encoding="utf-8")
