"""The backtest report (issue 22): how far the month-end forecast made on day N missed, by the straight line and by
the month's shape (pipelines/okr/seasonal.py), and how often the truth fell inside the 80 % band — over the months
`replay.replay` replays (its docstring says how each figure is made).

`summary(rows)` gives the mean absolute percentage error of each method (months with a truth of 0 are left out: a
percentage of nothing is not defined) and the band's coverage; `table` prints it.
"""
from __future__ import annotations

import numpy as np

from pipelines.okr.candidates import METHODS
from pipelines.okr.replay import Replayed, months_to_replay, replay  # noqa: F401 - the report's rows, from one place
from pipelines.plan.goals import GOAL_METRICS


def _pct(values: list[float]) -> float | None:
    return round(100 * float(np.mean(values)), 1) if values else None


def _figures(rows: list[Replayed]) -> dict:
    judged = [r for r in rows if r.truth > 0]
    banded = [r for r in judged if r.low is not None]
    out = {"months": len(judged),
           "linear_mae_pct": _pct([abs(r.linear - r.truth) / r.truth for r in judged]),
           "seasonal_mae_pct": _pct([abs(r.seasonal - r.truth) / r.truth for r in judged if r.seasonal is not None]),
           "band_coverage_pct": _pct([1.0 if r.low <= r.truth <= r.high else 0.0 for r in banded]),
           "band_months": len(banded)}
    # issue 35: each candidate's error over the months it forecast, and the one chosen month by month
    out["methods_mae_pct"] = {m: _pct([abs(r.forecast(m) - r.truth) / r.truth for r in judged
                                       if dict(r.forecasts).get(m) is not None]) for m in METHODS}
    out["chosen_mae_pct"] = _pct([abs(r.forecast() - r.truth) / r.truth for r in judged])
    return out


def _rows(rows: list[Replayed]) -> list[dict]:
    """One row per replayed month: the actual on day N, the month's truth, each candidate's forecast, the one
    chosen, and the band."""
    def r1(v):
        return None if v is None else round(float(v), 1)

    return [{"month": r.month, "day": r.day, "actual": r.actual, "truth": r.truth,
             "forecasts": {m: r1(v) for m, v in r.forecasts}, "chosen": r.chosen, "forecast": r1(r.forecast()),
             "band": None if r.low is None else [r1(r.low), r1(r.high)]} for r in rows]


def summary(rows: list[Replayed], day: int, company: str) -> dict:
    """The JSON of `backtest`: the company's figures per goal at the top, each war zone's under `war_zones`."""
    out: dict = {"day": day}
    for metric in GOAL_METRICS:
        mine = [r for r in rows if r.node == company and r.metric == metric]
        out[metric] = {**_figures(mine), "rows": _rows(mine)}
    zones = sorted({r.node for r in rows if r.node != company})
    out["war_zones"] = {z: {m: {**_figures(mine), "rows": _rows(mine)}
                            for m in GOAL_METRICS
                            for mine in [[r for r in rows if r.node == z and r.metric == m]]}
                        for z in zones}
    return out


def table(doc: dict, company: str) -> str:
    """The summary as a text table: one line per node and goal."""
    def fmt(v, unit="%"):
        return "—" if v is None else f"{v:.1f}{unit}"

    lines = [f"forecast made on day {doc['day']} of each month, against the month's actual", "",
             f"{'node':<14}{'goal':<10}{'months':>7}{'linear MAPE':>13}{'seasonal MAPE':>15}{'ratio':>7}"
             f"{'80% band holds':>16}"]
    entries = [(company, doc)] + sorted(doc["war_zones"].items())
    for node, figures in entries:
        for metric in GOAL_METRICS:
            f = figures[metric]
            ratio = (f"{f['seasonal_mae_pct'] / f['linear_mae_pct']:.2f}" if f["linear_mae_pct"] and
                     f["seasonal_mae_pct"] is not None else "—")
            band = (f"{fmt(f['band_coverage_pct'])} of {f['band_months']}" if f["band_months"] else "—")
            lines.append(f"{node:<14}{metric:<10}{f['months']:>7}{fmt(f['linear_mae_pct']):>13}"
                         f"{fmt(f['seasonal_mae_pct']):>15}{ratio:>7}{band:>16}")
    if not any(doc[m]["months"] for m in GOAL_METRICS):
        lines.append("\nno month to replay: it takes a complete month whose same month a year earlier is in the data")
    return "\n".join(lines)
