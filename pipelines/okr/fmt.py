"""Numbers and dates written for people, in Chinese or English: the one place these rules live. The pages call
them through ui.i18n (which passes the session's language); the command line and the morning brief call them
directly. Pure functions: no Streamlit, no session.

- counts: every digit below 100,000 ("46,021"), then three significant digits: 48万 / 1,000万 / 1.2亿 in Chinese,
  480k / 10M / 120M in English (`count`, `pair`);
- shares: 85%, never rounded onto a mark not reached (`pct`); rates, signed changes, yuan;
- dates: '2026-11-24 周二' / 'Tue 2026-11-24', '11月24日' / 'Nov 24', '2026年11月' / 'Nov 2026';
- moments: '2026-11-30 05:12 北京时间' / '… Beijing time', in the company's time zone, never the server's.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from pipelines.base.labels import LABELS, say
from pipelines.okr.candidates import MIN_CHOICE_MONTHS
from pipelines.okr.status import STATUS

SHORT_FROM = 100_000    # a count below this is written out in full, in both languages (docs/product.md §8.1)


def _scale(n: float, lang_code: str) -> tuple[float, str, int]:
    """The unit a count is written in: (divisor, suffix, default decimals). Below SHORT_FROM every digit
    ("46,021"); from it the decimals that give three significant digits in the language's unit — 万 / 亿 in Chinese,
    k / M in English — so both languages say a figure as precisely (48.1万 / 481k; fmt_count drops a trailing .0)."""
    a = abs(n)
    if a < SHORT_FROM:
        return 1, "", 0
    if lang_code == "zh":
        div, suffix = (1e8, "亿") if a >= 1e8 else (1e4, "万")
    else:
        div, suffix = (1e6, "M") if a >= 1e6 else (1e3, "k")
    digits = len(str(int(round(a / div, 2))))
    return div, suffix, max(0, 3 - digits)


def _in_unit(n: float, unit: tuple[float, str, int], decimals: int, trim: bool) -> str:
    div, suffix, _ = unit
    v = n / div
    if trim and round(v, decimals) == int(round(v, decimals)):   # 2万 rather than 2.0万
        decimals = 0
    return f"{v:,.{decimals}f}{suffix}"


def fmt_count(n: float | None, lang_code: str) -> str:
    """People-friendly counts: every digit below 100,000 ("46,021"); then three significant digits, trailing zeros
    trimmed: 48.1万 / 1,000万 / 1.2亿 in Chinese, 481k / 10M / 120M in English."""
    if n is None or pd.isna(n):
        return "—"
    n = float(n)
    unit = _scale(n, lang_code)
    return _in_unit(n, unit, unit[2], trim=True)


def fmt_pair(actual: float | None, target: float | None, lang_code: str,
             like: tuple[float, float] | None = None) -> tuple[str, str]:
    """An actual and its target written alike, so that the figure never contradicts its status.

    - A short actual never rounds onto its target: a decimal is added until the two differ (16,922 / 17,192 →
      "1.69万 / 1.72万", not "1.7万 / 1.7万"); if one more is not enough both are written out ("16,999 / 17,000").
    - Numbers of the same size share one unit: below 1,000,000 both are written out ("4,467 / 10,400", never
      "4,467 / 1.0万"); above it the smaller takes the larger's unit ("0.90M / 1.20M"). A number far smaller than
      its target (under a tenth) keeps its own, as a goal's progress reads best ("2,799 / 1,000万").
    - `like`: the smallest and largest number of the figures shown beside this one (the war-zone cards, the
      centers): below 1,000,000 a row of figures that would mix units is written out in full, so "6,329 / 7,509"
      never stands beside "14k / 16.6k".
    """
    if actual is None or pd.isna(actual) or target is None or pd.isna(target):
        return fmt_count(actual, lang_code), fmt_count(target, lang_code)
    a, t = float(actual), float(target)
    ua, ut = _scale(a, lang_code), _scale(t, lang_code)
    if like is not None:
        lo, hi = min(like[0], abs(a), abs(t)), max(like[1], abs(a), abs(t))
        if hi < 1e6 and _scale(lo, lang_code) != _scale(hi, lang_code):
            return f"{a:,.0f}", f"{t:,.0f}"
    small, large = sorted((abs(a), abs(t)))
    if ua != ut:
        if small < large / 10:
            return fmt_count(a, lang_code), fmt_count(t, lang_code)
        if large < 1e6:
            return f"{a:,.0f}", f"{t:,.0f}"
    unit = max(ua, ut)
    for extra in range(2):
        trim = extra == 0
        shown = _in_unit(a, unit, unit[2] + extra, trim), _in_unit(t, unit, unit[2] + extra, trim)
        if a == t or shown[0] != shown[1]:
            return shown
    return f"{a:,.0f}", f"{t:,.0f}"


def fmt_rate(n: float | None, lang_code: str) -> str:
    """A rate such as 'needed per day': one decimal below 10 (0.8), else like a count."""
    if n is None or pd.isna(n):
        return "—"
    return f"{n:.1f}" if abs(n) < 10 else fmt_count(n, lang_code)


def fmt_pct(x: float | None, digits: int = 0, marks: tuple[float, ...] = (1.0,)) -> str:
    """0.853 → '85%'; None → '—'. Small shares keep a decimal when asked (10.7%).

    A share never rounds onto a mark it has not reached (100%, or a threshold such as the at-risk pace passed in
    `marks`): 0.998 → '99.8%', 0.8496 against 0.85 → '84.96%'; past two extra decimals it is floored.
    """
    if x is None or pd.isna(x):
        return "—"
    x = float(x)
    below = [m for m in marks if x < m - 1e-9]
    for d in range(digits, digits + 3):
        shown = round(x * 100, d)
        if not any(shown >= m * 100 for m in below):
            return f"{shown:.{d}f}%"
    d = digits + 2
    return f"{math.floor(x * 100 * 10 ** d) / 10 ** d:.{d}f}%"


def pace_digits(values, marks: tuple[float, ...] = (1.0,), digits: int = 0) -> int:
    """How many decimals a column of paces needs (0, 1 or 2 beyond `digits`) so that none of them rounds onto a
    mark it has not reached (100 %, the at-risk threshold): one precision for the whole column, not one per cell."""
    need = digits
    for x in values:
        if x is None or pd.isna(x):
            continue
        shown = fmt_pct(x, digits, marks)
        if "." in shown:
            need = max(need, len(shown.rstrip("%").split(".")[1]))
    return min(need, digits + 2)


def fmt_delta(n: float | None, lang_code: str) -> str:
    """+9 / −1,200 / +1.2万: a signed change."""
    if n is None or pd.isna(n):
        return "—"
    sign = "+" if n >= 0 else "−"
    return sign + fmt_count(abs(n), lang_code)


def fmt_gap(n: float | None) -> str:
    """A gap or one of its parts, whole and written out in full (+457 / −3,647 / −12,345): the parts of a gap line
    add up to its total as written, which a rounded unit (1.2万) would break. The same in both languages."""
    if n is None or pd.isna(n):
        return "—"
    n = round(float(n))
    return ("+" if n >= 0 else "−") + f"{abs(n):,}"


def fmt_money(n: float | None, lang_code: str) -> str:
    """Yuan: ¥1,234 / ¥12.3万 / ¥1.20亿; English ¥12.3k / ¥1.20M."""
    if n is None or pd.isna(n):
        return "—"
    return "¥" + fmt_count(n, lang_code)


WEEKDAYS_ZH = "一二三四五六日"


def fmt_date(d: dt.date, lang_code: str) -> str:
    """A date with its weekday, in the reader's language: '2026-11-24 周二' / 'Tue 2026-11-24'."""
    if lang_code == "zh":
        return f"{d.isoformat()} 周{WEEKDAYS_ZH[d.weekday()]}"
    return f"{d:%a} {d.isoformat()}"


def fmt_day(d: dt.date, lang_code: str) -> str:
    """A day without its year: '11月24日' / 'Nov 24'."""
    return f"{d.month}月{d.day}日" if lang_code == "zh" else d.strftime("%b %-d")


def fmt_month(month: str, lang_code: str) -> str:
    """'2026-11' → '2026年11月' / 'Nov 2026'."""
    y, m = int(month[:4]), int(month[5:7])
    return f"{y}年{m}月" if lang_code == "zh" else dt.date(y, m, 1).strftime("%b %Y")


def status_word(status: str, lang_code: str) -> str:
    """'▲ 有风险' / '▲ At risk'."""
    s = STATUS[status]
    return f"{s.icon} {s.word(lang_code)}"


def names(items, lang_code: str) -> str:
    """Names in a sentence: 华东战区、华南战区 / East Zone, South Zone."""
    return ("、" if lang_code == "zh" else ", ").join(items)


COMPANY_TZ = "Asia/Shanghai"   # times are shown in the company's zone, never the server's


def fmt_time(when: dt.datetime | str | None, lang_code: str, tz: str | None = None) -> str:
    """A moment in the company's time zone `tz` (default Asia/Shanghai), to the minute: '2026-11-30 05:12 北京时间' /
    '… Beijing time'; another zone is named ('… Europe/Berlin'). A naive time (or ISO text without a zone) is taken
    as UTC, as the build and the plan store record it."""
    from zoneinfo import ZoneInfo

    if when is None or when == "":
        return "—"
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    zone = tz or COMPANY_TZ
    local = when.astimezone(ZoneInfo(zone))
    key = f"tz_{zone}"       # the zone's name (label tz_<zone>), else the zone as it is written
    return f"{local:%Y-%m-%d %H:%M} " + (say(key, lang_code) if key in LABELS else zone)


def _error(e: float | None) -> str:
    """A backtest error: 9% from 10 % up, 1.2% below (a share the reader compares with the straight line's)."""
    return fmt_pct(e, 0 if e is not None and e >= 0.095 else 1, marks=())


def fmt_choice(choice, lang_code: str, parent_name: str | None = None, short: bool = False) -> str:
    """Which curve a pace is judged by, and why (candidates.Choice): "按去年11月的曲线（回测误差 9%，直线 12%）" /
    "By last year's Nov curve (backtest error 9%, straight line 12%)"; a team or person names the node whose
    choice it follows (`parent_name`). `short`: the board tile's line, "去年11月曲线 · 误差9%（直线12%）"."""
    if choice is None:
        return ""
    ref = choice.reference
    month = "" if ref is None else (str(int(ref[5:7])) if lang_code == "zh" else
                                    dt.date(int(ref[:4]), int(ref[5:7]), 1).strftime("%b"))
    pre = "short_" if short else ""
    curve = say(f"curve_{pre}{choice.method}", lang_code, **({"m": month} if choice.method in ("last_year", "blend")
                                                             else {}))
    e, line = _error(choice.error()), _error(choice.error("linear"))
    if choice.why == "history":
        return say(f"choice_{pre}history", lang_code)
    if choice.why == "prior":
        return say(f"choice_{pre}prior", lang_code, curve=curve, n=MIN_CHOICE_MONTHS)
    if choice.why == "parent":
        name = parent_name or choice.parent or ""
        if short:
            return say("choice_short_parent", lang_code, curve=curve, parent=name)
        if choice.method == "linear" or choice.error() is None or choice.error("linear") is None:
            return say("choice_parent_prior", lang_code, curve=curve, parent=name)
        return say("choice_parent", lang_code, curve=curve, parent=name, e=e, l=line)
    if choice.method == "linear":
        return say(f"choice_{pre}backtest_linear", lang_code, l=line)
    return say(f"choice_{pre}backtest", lang_code, curve=curve, e=e, l=line)
