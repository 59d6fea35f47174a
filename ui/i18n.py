"""Every label of the app in Chinese and English, and numbers and dates formatted for people.

`t("key")` returns the label in the session's language (`st.session_state["lang_code"]`, "zh" by default);
`t("key", n=3)` fills `{n}` placeholders. Labels live in one table, each with both languages.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

LANGS = {"zh": "中文", "en": "English"}

LABELS: dict[str, tuple[str, str]] = {
    "month": ("月份", "Month"),
    "as_of": ("截至日期", "As of"),
    "as_of_help": ("统计到这一天（含）。默认是数据的最后日期，只能选所选月份内的日期。",
                   "Count up to and including this day. Defaults to the last date in the data; limited to the month."),
    "page_board": ("总览", "Board"),
    "preparing": ("首次启动：正在生成示例数据并构建数据仓库…", "First start: generating the sample data and building the warehouse…"),
    "prepared": ("示例数据已就绪（用时 {s:.0f} 秒）", "Sample data ready (took {s:.0f} s)"),
    "prepare_failed": ("无法准备数据仓库：{err}", "The warehouse could not be prepared: {err}"),
    "prepare_hint": ("请在项目目录运行 `python -m pipelines build` 查看详情，修复后刷新本页。",
                     "Run `python -m pipelines build` in the project folder to see the details, fix it and reload."),
    "warehouse_unreadable": ("数据仓库无法读取：{err}。请重新构建：`python -m pipelines build`。",
                             "The warehouse cannot be read: {err}. Rebuild it: `python -m pipelines build`."),
    "no_dates": ("数据仓库里还没有任何日期的数据：请检查原始数据后重新构建。",
                 "The warehouse holds no dated data yet: check the raw files and build again."),
    "data_through": ("数据截至 {d}", "Data through {d}"),
}


def lang() -> str:
    return st.session_state.get("lang_code", "zh")


def t(key: str, **values) -> str:
    zh, en = LABELS[key]
    text = zh if lang() == "zh" else en
    return text.format(**values) if values else text


def fmt_count(n: float | None, lang_code: str | None = None) -> str:
    """People-friendly counts: 1.2万 / 1,000万 / 1.20亿 in Chinese, 12.3k / 10M in English; digits below 10,000."""
    lang_code = lang_code or lang()
    if n is None or pd.isna(n):
        return "—"
    n = float(n)
    if lang_code == "zh":
        if abs(n) >= 1e8:
            return f"{n / 1e8:.2f}亿"
        if abs(n) >= 1e4:
            v = n / 1e4
            return f"{v:,.0f}万" if v == int(v) else f"{v:,.1f}万"
        return f"{n:,.0f}"
    if abs(n) >= 1e6:
        v = n / 1e6
        return f"{v:,.0f}M" if v == int(v) else f"{v:,.2f}M"
    if abs(n) >= 1e4:
        return f"{n / 1e3:.1f}k"
    return f"{n:,.0f}"


def fmt_month(month: str, lang_code: str | None = None) -> str:
    """'2026-11' → '2026年11月' / 'Nov 2026'."""
    lang_code = lang_code or lang()
    y, m = int(month[:4]), int(month[5:7])
    return f"{y}年{m}月" if lang_code == "zh" else dt.date(y, m, 1).strftime("%b %Y")
