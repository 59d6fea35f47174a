"""The session's language, and numbers and dates formatted for people in it.

`t("key")` returns the label in the session's language (`st.session_state["lang_code"]`, "zh" by default);
`t("key", n=3)` fills `{n}` placeholders. The labels live in one table with every other word the product says
(pipelines.base.labels); an error or a report's problem says itself in a language from its code (`error_text`,
`words`).
"""
from __future__ import annotations

import datetime as dt
import re

import streamlit as st

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import LABELS, say
from pipelines.okr import fmt

LANGS = {"zh": "中文", "en": "English"}


def reason_text(code: str | None, values, english: str | None, lang_code: str | None = None) -> str:
    """A rejected row's detail (the field and the value at fault) in the reader's language: worded from its code
    and values (label detail_<code>); a row rejected before details had codes keeps its English sentence."""
    key = f"detail_{code}"
    if code and key in LABELS:
        return say(key, lang_code or lang(), *(values or ()))
    return english or ""


def error_text(exc: BaseException, lang_code: str | None = None) -> str:
    """What went wrong, for a page: a failure the product knows, worded from its code in the reader's language;
    anything else its sentence (the first line; never a traceback)."""
    if isinstance(exc, NorthstarError):
        return exc.words(lang_code or lang()).splitlines()[0]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def reason_word(code: str, lang_code: str | None = None) -> str:
    """'日期无法识别 (bad_date)' / 'Not a date (bad_date)': the code stays, for a search or a ticket."""
    key = f"reason_{code}"
    return f"{say(key, lang_code or lang()) if key in LABELS else code} ({code})"


def lang() -> str:
    return st.session_state.get("lang_code", "zh")


def text(key: str, lang_code: str, **values) -> str:
    """The label `key` in `lang_code`, with `{placeholders}` filled in (pipelines.base.labels)."""
    return say(key, lang_code, **values)


def t(key: str, **values) -> str:
    """The label `key` in the session's language."""
    return text(key, lang(), **values)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md(value) -> str:
    """Any text a person or a file supplied (a title, a name, a file name, a cell), made inert for Streamlit's
    Markdown (st.caption, st.success, expander labels…): every Markdown, HTML, LaTeX and directive character is
    escaped and line breaks become spaces, so `![x](http://…)` shows as those characters and fetches nothing."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(value).splitlines()))


def tm(key: str, **values) -> str:
    """`t()` for a Markdown surface: the label's own Markdown stays, the values filled in are made inert (`md`)."""
    return t(key, **{k: v if isinstance(v, (int, float)) else md(v) for k, v in values.items()})


def fmt_count(n: float | None, lang_code: str | None = None) -> str:
    """People-friendly counts: 1.2万 / 1,000万 / 1.20亿 in Chinese, 12.3k / 10M in English (pipelines.okr.fmt)."""
    return fmt.fmt_count(n, lang_code or lang())


def fmt_pair(actual: float | None, target: float | None, lang_code: str | None = None,
             like: tuple[float, float] | None = None) -> tuple[str, str]:
    """An actual and its target written alike, so the figure never contradicts its status (pipelines.okr.fmt)."""
    return fmt.fmt_pair(actual, target, lang_code or lang(), like)


def status_word(status: str, lang_code: str | None = None) -> str:
    """'▲ 有风险' / '▲ At risk'."""
    return fmt.status_word(status, lang_code or lang())


def fmt_rate(n: float | None, lang_code: str | None = None) -> str:
    """A rate such as 'needed per day': one decimal below 10 (0.8), else like a count."""
    return fmt.fmt_rate(n, lang_code or lang())


fmt_pct = fmt.fmt_pct     # 0.853 → '85%', never rounded onto a mark not reached (no language in it)


def fmt_delta(n: float | None, lang_code: str | None = None) -> str:
    """+9 / −1,200 / +1.2万: a signed change."""
    return fmt.fmt_delta(n, lang_code or lang())


def fmt_money(n: float | None, lang_code: str | None = None) -> str:
    """Yuan: ¥1,234 / ¥12.3万 / ¥1.20亿; English ¥12.3k / ¥1.20M."""
    return fmt.fmt_money(n, lang_code or lang())


COMPANY_TZ = fmt.COMPANY_TZ


def who_word(who: str | None, lang_code: str | None = None) -> str:
    """Who made a change, for a reader: a person's name as kept; the config files' import in the page's language
    (issue 36.10: "config files" on a Chinese page)."""
    from pipelines.plan.store import IMPORTER

    if not who:
        return "—"
    return text("who_config", lang_code or lang()) if who == IMPORTER else who


def fmt_list(items, lang_code: str | None = None) -> str:
    """Names in a sentence: 华东战区、华南战区 / East Zone, South Zone."""
    return ("、" if (lang_code or lang()) == "zh" else ", ").join(items)


def fmt_time(when: dt.datetime | str | None, lang_code: str | None = None, tz: str | None = None) -> str:
    """A moment in the company's time zone, to the minute: '2026-11-30 05:12 北京时间' (pipelines.okr.fmt.fmt_time)."""
    return fmt.fmt_time(when, lang_code or lang(), tz)


def fmt_date(d: dt.date, lang_code: str | None = None) -> str:
    """A date with its weekday, in the reader's language: '2026-11-24 周二' / 'Tue 2026-11-24'."""
    return fmt.fmt_date(d, lang_code or lang())


def fmt_day(d: dt.date, lang_code: str | None = None) -> str:
    """A day without its year: '11月24日' / 'Nov 24'."""
    return fmt.fmt_day(d, lang_code or lang())


def fmt_month(month: str, lang_code: str | None = None) -> str:
    """'2026-11' → '2026年11月' / 'Nov 2026'."""
    return fmt.fmt_month(month, lang_code or lang())
