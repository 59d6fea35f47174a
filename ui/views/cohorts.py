"""The Cohorts page's pieces: the retention / LTV heatmap with its weighted average row, the breakdown and
"M1 and M3 over time" lines, the station cohort curves, and the drill-down table. Numbers are pipelines.okr.cohorts'.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from pipelines.base.months import month_of
from pipelines.okr import cohorts
from ui.figures import figure
from ui.i18n import fmt_count, fmt_money, fmt_pct, text

PALETTE = ["#1f77b4", "#d9342b", "#2f9e44", "#f5a300", "#6b5fa8", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]


def month_label(month: dt.date) -> str:
    return month_of(month)


def value_of(row: dict, measure: str, unit: str) -> float | None:
    """The cell's number: a rate or a count of `measure` (active / active_or_after), or the LTV (gmv)."""
    if measure == "ltv":
        return row["gmv_per_member_cum"]
    return row[f"{measure}_rate"] if unit == "rate" else row[measure]


def heatmap(rows: list[dict], measure: str, unit: str, lang: str) -> go.Figure:
    """Cohort rows (newest at the bottom, with their size) × month index columns, the weighted average row on top;
    the partial month's cells marked with *."""
    rows = [r for r in rows if r["group"] == ""]
    months = sorted({r["cohort_month"] for r in rows})
    width = max((r["month_index"] for r in rows), default=0) + 1
    sizes = {r["cohort_month"]: r["cohort_size"] for r in rows}
    grid = {(r["cohort_month"], r["month_index"]): r for r in rows}
    z, labels, notes = [], [], []
    if measure == "ltv":
        avg = cohorts.average(rows, count="gmv_cum")
    else:
        avg = cohorts.average(rows, count=measure) if unit == "rate" else {}
    if avg:
        z.append([avg.get(k) for k in range(width)])
        notes.append([_fmt(avg.get(k), measure, unit, lang) for k in range(width)])
        labels.append(text("avg_row", lang))
    for m in months:
        line, note = [], []
        for k in range(width):
            r = grid.get((m, k))
            v = value_of(r, measure, unit) if r else None
            line.append(v)
            note.append("" if r is None else _fmt(v, measure, unit, lang) + ("" if r["complete"] else "*"))
        z.append(line)
        notes.append(note)
        labels.append(f"{month_label(m)} ({fmt_count(sizes[m], lang)})")
    fig = figure(go.Heatmap(
        z=z, x=[f"M{k}" for k in range(width)], y=labels, text=notes, texttemplate="%{text}",
        colorscale="Blues", hoverongaps=False, showscale=False, xgap=1, ygap=1,
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    fig.update_layout(height=max(260, 26 * len(labels) + 70), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      yaxis={"autorange": "reversed", "type": "category"},
                      xaxis={"side": "top", "type": "category"})
    return fig


def _fmt(v: float | None, measure: str, unit: str, lang: str) -> str:
    if v is None:
        return ""
    if measure == "ltv":
        return fmt_money(v, lang) if v >= 100 else f"¥{v:,.1f}"
    return fmt_pct(v) if unit == "rate" else fmt_count(v, lang)


def breakdown_lines(rows: list[dict], measure: str, names: dict[str, str], lang: str) -> go.Figure:
    """Per group, the weighted average curve over month indexes (complete cohorts only)."""
    fig = figure()
    for i, group in enumerate(sorted({r["group"] for r in rows})):
        part = [r for r in rows if r["group"] == group]
        avg = cohorts.average(part, count="gmv_cum" if measure == "ltv" else measure)
        ks = [k for k, v in avg.items() if v is not None]
        fig.add_trace(go.Scatter(x=[f"M{k}" for k in ks], y=[avg[k] for k in ks], mode="lines+markers",
                                 name=names.get(group, group) or text("unknown", lang),
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 2}))
    _axes(fig, measure, lang)
    return fig


def over_time(rows: list[dict], measure: str, lang: str, indexes: tuple[int, ...] = (1, 3)) -> go.Figure:
    """M1 and M3 (by default) across cohorts: each cohort's rate at that index, completed cohorts only."""
    rows = [r for r in rows if r["group"] == ""]
    fig = figure()
    for i, k in enumerate(indexes):
        pts = sorted((r["cohort_month"], r[f"{measure}_rate"]) for r in rows if r["month_index"] == k and r["complete"])
        fig.add_trace(go.Scatter(x=[month_label(m) for m, _ in pts], y=[v for _, v in pts], mode="lines+markers",
                                 name=f"M{k}", line={"color": PALETTE[i], "width": 2}))
    fig.update_layout(height=280, margin={"l": 50, "r": 10, "t": 10, "b": 40},
                      legend={"orientation": "h", "y": -0.2}, yaxis={"tickformat": ".0%",
                                                                       "rangemode": "tozero"},
                      xaxis={"type": "category"})
    return fig


def station_curves(rows: list[dict], field: str, names: dict[str, str], lang: str) -> go.Figure:
    """Per group, the stations-weighted curve of `field` (survival, members_per_station, gmv_per_station) by age,
    over complete cohort-ages only."""
    fig = figure()
    count = {"survival": "open", "members_per_station": "members", "gmv_per_station": "gmv"}[field]
    for i, group in enumerate(sorted({r["group"] for r in rows})):
        sums: dict[int, list[float]] = {}
        for r in rows:
            if r["group"] != group or not r["complete"]:
                continue
            pair = sums.setdefault(r["age"], [0.0, 0.0])
            pair[0] += (r[field] or 0) * r["stations"] if count != "open" else r["open"]
            pair[1] += r["stations"]
        ages = sorted(sums)
        fig.add_trace(go.Scatter(x=ages, y=[sums[a][0] / sums[a][1] if sums[a][1] else None for a in ages],
                                 mode="lines+markers", name=names.get(group, group) or text("all_groups", lang),
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 2}))
    fig.update_layout(height=260, margin={"l": 50, "r": 10, "t": 30, "b": 40},
                      title={"text": text(f"st_{field}", lang), "font": {"size": 13}},
                      legend={"orientation": "h", "y": -0.25},
                      yaxis={"tickformat": ".0%" if field == "survival" else ",.1f",
                             "rangemode": "tozero"},
                      xaxis={"title": text("age_months", lang), "dtick": 1})
    return fig


def _axes(fig: go.Figure, measure: str, lang: str) -> None:
    fig.update_layout(height=280, margin={"l": 50, "r": 10, "t": 10, "b": 40},
                      legend={"orientation": "h", "y": -0.2},
                      yaxis={"tickformat": ",.0f" if measure == "ltv" else ".0%",
                             "rangemode": "tozero"},
                      xaxis={"type": "category"})


DRILL_LIMIT = 5000   # members listed on the page; the CSV download holds every member of the cell


def behind_frame(rows: list[dict], names: dict[str, str], lang: str) -> pd.DataFrame:
    """The members behind a cell, for people: masked phones only."""
    return pd.DataFrame([{
        text("col_member", lang): r["member_id"], text("col_station", lang): r.get("station_name") or "—",
        text("col_station_id", lang): r["station_id"],
        text("zone", lang): names.get(r["war_zone"], r["war_zone"]),
        text("col_joined", lang): r["joined_on"].isoformat(), text("orders", lang): r["orders"],
        text("gmv", lang): round(r["gmv"], 2), text("col_phone", lang): r["phone"],
    } for r in rows])
