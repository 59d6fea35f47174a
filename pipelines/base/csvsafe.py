"""Spreadsheet-safe CSV: a text cell that a spreadsheet would run as a formula is written as text.

A station named `=HYPERLINK("http://…","点我")` would otherwise become a live link (or worse) in whoever opens the
export in Excel or WPS. Every CSV the product writes passes its cells through `cell()`; numbers are left alone.
"""
from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A text starting like a formula gets a leading apostrophe (shown as text, not run); anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def row(values) -> list:
    return [cell(v) for v in values]
