"""SQL text where a parameter cannot go: a file path in a table function or an ATTACH, a setting's value."""
from __future__ import annotations

from pathlib import Path


def sql_str(value: str | Path) -> str:
    """A SQL string literal (file paths cannot be bound as parameters in table functions' DDL)."""
    return "'" + str(value).replace("'", "''") + "'"
