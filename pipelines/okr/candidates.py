"""The month-end forecasts a month's pace can be judged by (issue 35), each the month's actual so far over the
share of the month a method expects by then:

- `linear`: every day weighs the same (day N of 30: 1/3 done);
- `weekday`: each day weighs its weekday factor (pipelines/okr/seasonal.py), no events;
- `seasonal`: weekday × the calendar's events (Double 11, Chinese New Year …), today's shape;
- `last_year`: the same month a year earlier, date by date, its calendar (weekdays, events) taken out and this
  month's put back (see `last_year_share`): what that month had done by the same date, over its whole;
- `blend`: the mean of the seasonal and last year's forecasts, when both exist.

Which one a node's month is judged by is chosen by backtest (`choose`): the method with the smallest mean error over
the node's earlier replayed months, and only if that error is MARGIN below the straight line's; before there are
MIN_CHOICE_MONTHS of them, the blend (what knows most about the month), else the straight line. The goal tree judges
by the choice (pipelines/okr/shapes.py draws each node's month on it); `backtest` reports it month by month.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pipelines.base.months import month_bounds, month_of, shift_month
from pipelines.base.records import Record, frozen_map
from pipelines.okr.seasonal import Profile

METHODS = ("linear", "weekday", "seasonal", "last_year", "blend")
MIN_LAST_YEAR = 100         # a year-ago month with fewer events is noise, not a shape (seasonal's MIN_COUNT)
MIN_CHOICE_MONTHS = 3       # earlier replayed months before a method other than the straight line may be chosen
SMOOTH = 7                  # days a year-ago month's level is smoothed over (a week: no weekday left in it)
START_UP_DAYS, START_UP_GROWTH = 90, 1.5   # a node's first months, growing this fast: its start-up, not a shape
MARGIN = 0.1                # a method replaces the straight line only when its backtest error is this much lower
# With too few earlier months to judge by: the forecast that knows most about this month — last year's month and
# the calendar together, else last year's alone, else the calendar's shape — else the straight line
PRIOR = ("blend", "last_year", "seasonal", "linear")


def last_year_weights(series: np.ndarray | None, first: dt.date, start: dt.date, end: dt.date,
                      profile) -> np.ndarray | None:
    """Each day's weight in the month [start, end] by the same month a year earlier: that month's days, date by
    date, with its calendar taken out (each day over its weekday × event weight, `profile`, smoothed over a week)
    and this month's calendar put back. So December's pre-Christmas run stays on its dates, while a Saturday that
    was a Monday last year weighs as a Saturday and a new year that moved from January to February moves with it.
    `series` is the node's daily counts from `first`. None when that month is not in the series, too thin (fewer
    than MIN_LAST_YEAR events), or the node's start-up: a month in its first START_UP_DAYS followed by one
    START_UP_GROWTH times as busy a day (it rose with the network's growth, not with how a month runs; a business's
    autumn surge, later in its life, is a shape)."""
    if series is None:
        return None
    ly_start, ly_end = month_bounds(shift_month(month_of(start), -12))
    a, b = (ly_start - first).days, (ly_end - first).days + 1
    if a < 0 or b > len(series):
        return None
    month = np.asarray(series[a:b], dtype=float)
    if month.sum() < MIN_LAST_YEAR:
        return None
    began = np.flatnonzero(np.asarray(series) > 0)
    if len(began) and a - began[0] < START_UP_DAYS:
        after = np.asarray(series[b:b + (month_bounds(shift_month(month_of(ly_start), 1))[1] - ly_end).days],
                           dtype=float)
        if len(after) and after.mean() > START_UP_GROWTH * month.mean():
            return None
    then = profile.weights(ly_start, ly_end)
    level = month / np.maximum(then, 1e-9)
    level = np.convolve(np.pad(level, SMOOTH // 2, mode="edge"), np.ones(SMOOTH) / SMOOTH, mode="valid")
    days = (end - start).days + 1
    level = np.concatenate([level, np.full(max(0, days - len(level)), level.mean())])[:days]
    weights = profile.weights(start, end) * level
    return weights if weights.sum() > 0 else None


def last_year_share(series: np.ndarray | None, first: dt.date, start: dt.date, end: dt.date, upto: dt.date,
                    profile) -> float | None:
    """The share of the month [start, end] done by `upto`, by the same month a year earlier (`last_year_weights`)."""
    weights = last_year_weights(series, first, start, end, profile)
    if weights is None:
        return None
    return float(weights[: (upto - start).days + 1].sum() / weights.sum())


def _cumulative(weights: np.ndarray) -> np.ndarray:
    total = weights.sum()
    return np.cumsum(weights) / total if total > 0 else np.arange(1, len(weights) + 1) / len(weights)


def curves(start: dt.date, end: dt.date, profile, series, first, methods=METHODS) -> dict[str, np.ndarray | None]:
    """Each method's expected share of the month [start, end] by the end of each of its days (the last is 1), or
    None where the method cannot shape this month (no year-ago month worth the name). The blend's share is the
    harmonic mean of the seasonal and last year's, so that its forecast, actual ÷ share, is the mean of theirs."""
    days = (end - start).days + 1
    out: dict[str, np.ndarray | None] = {}
    if "linear" in methods:
        out["linear"] = np.arange(1, days + 1) / days
    if "weekday" in methods:
        out["weekday"] = _cumulative(Profile(weekday=profile.weekday).weights(start, end))
    if {"seasonal", "blend"} & set(methods):
        out["seasonal"] = _cumulative(profile.weights(start, end))
    if {"last_year", "blend"} & set(methods):
        weights = last_year_weights(series, first, start, end, profile)
        out["last_year"] = None if weights is None else _cumulative(weights)
    if "blend" in methods:
        s, ly = out["seasonal"], out["last_year"]
        out["blend"] = None if ly is None else np.where((s > 0) & (ly > 0), 2 / (1 / np.maximum(s, 1e-12) +
                                                                                1 / np.maximum(ly, 1e-12)), 0.0)
    return {m: out[m] for m in methods}


@dataclass(frozen=True, eq=False)
class Choice(Record):
    """Which method a node's month is judged by, and why (the words under the pace say it):
    `why` is "backtest" (the smallest error over `months` earlier replayed months, `errors` each method's mean
    absolute error, a share), "prior" (fewer than MIN_CHOICE_MONTHS to judge by: PRIOR's first that can shape
    this month), "parent" (a thin node, or a team, a person, a center: the choice of `parent`), "history" (less
    than a year of data: the straight line) or "finished" (the month is over: judged on its result). `reference`
    is the year-ago month a last-year shape comes from."""
    method: str
    why: str
    months: int = 0
    errors: Mapping | None = None
    parent: str | None = None
    reference: str | None = None

    def __post_init__(self):
        if self.errors is not None:
            object.__setattr__(self, "errors", frozen_map(self.errors))

    def error(self, method: str | None = None) -> float | None:
        """The backtest error of `method` (the chosen one by default), when it was judged."""
        return None if self.errors is None else self.errors.get(method or self.method)


@dataclass(frozen=True)
class MonthShape:
    """A node's month on its chosen method: the expected share by the end of each day (`cumulative`), `source` the
    node whose history made it ("linear": none, the straight line), `choice` why this method."""
    start: dt.date
    end: dt.date
    cumulative: tuple[float, ...]
    source: str
    choice: Choice

    def share(self, start: dt.date, end: dt.date, upto: dt.date) -> float:
        """The expected share of the month by `upto` (1 once it is over; `start`, `end` are the month's)."""
        if upto >= self.end:
            return 1.0
        if upto < self.start:
            return 0.0
        return float(self.cumulative[(upto - self.start).days])


def forecasts(actual: float, start: dt.date, end: dt.date, upto: dt.date, profile, series, first
              ) -> dict[str, float | None]:
    """Each method's month-end forecast from `actual` (the month's result by `upto`): actual ÷ its share by then."""
    i = (upto - start).days
    out = {}
    for m, curve in curves(start, end, profile, series, first).items():
        share = float(curve[i]) if curve is not None else 0.0
        out[m] = actual / share if share > 0 else None
    return out


def paired(history: list[tuple[float, dict[str, float | None]]]) -> dict[str, tuple[float, float, int]]:
    """Each method against the straight line on the same months — the earlier months (truth above 0) the method
    forecast: (its mean absolute percentage error, the straight line's on those months, how many months)."""
    judged = [(t, f) for t, f in history if t > 0 and f.get("linear") is not None]
    out = {}
    for m in METHODS:
        both = [(abs(f[m] - t) / t, abs(f["linear"] - t) / t) for t, f in judged if f.get(m) is not None]
        if both:
            out[m] = (float(np.mean([a for a, _ in both])), float(np.mean([b for _, b in both])), len(both))
    return out


def choose(history: list[tuple[float, dict[str, float | None]]], now: dict[str, float | None],
           sparse: bool = False) -> tuple[str, dict]:
    """The method a month is judged by, from the node's earlier months (`history`): among the methods that can
    forecast this month and forecast at least MIN_CHOICE_MONTHS of those, the one whose error is lowest against
    the straight line's on the same months, if MARGIN below it; else the straight line. With fewer than
    MIN_CHOICE_MONTHS earlier months there is nothing to judge by yet: the first of PRIOR that can forecast this
    month (for a `sparse` count, whose shape was learned from fewer than MIN_LAST_YEAR events a month, not that
    shape). Returns (method, each method's backtest error over the months it forecast)."""
    pairs = paired(history)
    errs = {m: e for m, (e, _, _) in pairs.items()}
    if len([t for t, _ in history if t > 0]) < MIN_CHOICE_MONTHS or "linear" not in pairs:
        prior = [m for m in PRIOR if not (sparse and m == "seasonal")]
        return next(m for m in prior if m == "linear" or now.get(m) is not None), errs
    usable = {m: e / lin if lin > 0 else (1.0 if e == 0 else 9e9) for m, (e, lin, n) in pairs.items()
              if now.get(m) is not None and n >= MIN_CHOICE_MONTHS}
    best = min(usable, key=lambda m: (usable[m], METHODS.index(m)))
    return (best if usable[best] < 1 - MARGIN else "linear"), errs
