"""Cached, read-only reads of the warehouse for the pages. One short-lived read-only connection per read."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipelines import paths


class WarehouseMissing(Exception):
    """No warehouse at the configured path."""


def db_file() -> str:
    return str(paths.db_path())


@st.cache_data(ttl=300, max_entries=16, show_spinner=False)
def read(sql: str, db: str) -> pd.DataFrame:
    """Runs one fixed query against the warehouse (read-only) and returns a DataFrame."""
    if not Path(db).exists():
        raise WarehouseMissing(db)
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(sql).df()


def fmt_count(n: float, lang: str = "zh") -> str:
    """People-friendly counts: 1.2万 / 12.3k style for large numbers, digits with separators below."""
    if n is None or pd.isna(n):
        return "—"
    n = float(n)
    if lang == "zh":
        if abs(n) >= 1e8:
            return f"{n / 1e8:.2f}亿"
        if abs(n) >= 1e4:
            return f"{n / 1e4:.1f}万"
        return f"{n:,.0f}"
    if abs(n) >= 1e6:
        return f"{n / 1e6:.2f}M"
    if abs(n) >= 1e4:
        return f"{n / 1e3:.1f}k"
    return f"{n:,.0f}"
