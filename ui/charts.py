"""Plotly figures. Each figure's numbers come from one named function of the data side (here: the goal tree)."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from pipelines.goaltree import GoalTree
from ui.i18n import fmt_count, fmt_day, fmt_pct, text

COLORS = {"stations": "#1f5fbf", "members": "#d9480f", "pace": "#6b7280", "target": "#111827", "today": "#9333ea"}
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, Helvetica, Arial, sans-serif"



def cumulative(tree: GoalTree) -> dict[str, list]:
    """This month's cumulative new stations and members per day, month start to as-of (missing days carry on).

    From `GoalTree.daily` (pipelines.goaltree, SQL_DAILY); the last value equals the company's actual."""
    by_day = {d["date"]: d for d in tree.daily}
    upto = min(tree.as_of, tree.month_end)
    days, stations, members = [], [], []
    s = m = 0
    day = tree.month_start
    while day <= upto:
        row = by_day.get(day)
        if row:
            s += row["stations"]
            m += row["members"]
        days.append(day)
        stations.append(s)
        members.append(m)
        day += dt.timedelta(days=1)
    return {"date": days, "stations": stations, "members": members}


def month_progress(tree: GoalTree, lang: str, height: int = 290) -> go.Figure:
    """Cumulative new stations and members this month as a share of their targets, against the straight pace
    line from 0 on day 0 to 100% at month end; the target line and today's marker. Without targets: counts."""
    data = cumulative(tree)
    fig = go.Figure()
    targets = {m: tree.company["metrics"][m]["target"] for m in ("stations", "members")}
    with_target = [m for m in ("stations", "members") if targets[m]]
    label = {m: text(f"new_{m}", lang) for m in ("stations", "members")}
    unit = {m: text(f"unit_{m}", lang) for m in ("stations", "members")}
    start = tree.month_start - dt.timedelta(days=1)      # day 0: the pace line starts at 0 before the first day
    end = tree.month_end
    if with_target:
        fig.add_trace(go.Scatter(x=[start, end], y=[0, 1], mode="lines", name=text("chart_pace", lang),
                                 line={"color": COLORS["pace"], "dash": "dash", "width": 1.5}, hoverinfo="skip"))
        for m in with_target:
            shares = [v / targets[m] for v in data[m]]
            hover = [f"{fmt_count(v, lang)} / {fmt_count(targets[m], lang)} {unit[m]} ({fmt_pct(s)})"
                    for v, s in zip(data[m], shares)]
            fig.add_trace(go.Scatter(x=[start, *data["date"]], y=[0, *shares], mode="lines", name=label[m],
                                     line={"color": COLORS[m], "width": 3}, text=["", *hover],
                                     hovertemplate="%{x|%Y-%m-%d}<br>%{text}<extra>" + label[m] + "</extra>"))
        fig.add_hline(y=1, line={"color": COLORS["target"], "width": 1.5},
                      annotation={"text": text("chart_target", lang), "xanchor": "left", "x": 0, "yanchor": "bottom",
                                  "font": {"size": 12}})
        top = max([1.15] + [v / targets[m] * 1.08 for m in with_target for v in data[m][-1:]])
        fig.update_yaxes(tickformat=".0%", range=[0, top], title=None)
        title = text("chart_title", lang)
        for m in ("stations", "members"):
            if not targets[m]:
                fig.add_annotation(xref="paper", yref="paper", x=0.01, y=0.88, xanchor="left", showarrow=False,
                                   text=text("chart_no_target", lang, what=label[m]), font={"size": 11, "color": "#6b7280"})
    else:
        for m, axis in (("stations", "y"), ("members", "y2")):
            fig.add_trace(go.Scatter(x=data["date"], y=data[m], mode="lines", name=f"{label[m]} ({unit[m]})",
                                     yaxis=axis, line={"color": COLORS[m], "width": 3}))
        fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero"})
        fig.update_yaxes(rangemode="tozero", selector={"anchor": "x"})
        title = text("chart_counts", lang)
    today = min(tree.as_of, tree.month_end)
    fig.add_shape(type="line", x0=today, x1=today, yref="paper", y0=0, y1=1,
                  line={"color": COLORS["today"], "width": 1.5, "dash": "dot"})
    fig.add_annotation(x=today, yref="paper", y=1, text=text("chart_today", lang, d=fmt_day(today, lang)), showarrow=False,
                       xanchor="right", yanchor="top", font={"size": 12, "color": COLORS["today"]})
    fig.update_xaxes(range=[start, end + dt.timedelta(days=0.5)], tickformat="%-d" if lang == "en" else "%-d日",
                     dtick=7 * 86400000, tick0=tree.month_start, title=None)
    fig.update_layout(
        title={"text": title, "font": {"size": 15}, "x": 0, "xanchor": "left", "y": 0.985, "yanchor": "top"},
        height=height, margin={"l": 8, "r": 8, "t": 30, "b": 8}, font={"family": FONT, "size": 13},
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0, "font": {"size": 12}},
        hovermode="x unified", plot_bgcolor="white", paper_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#e5e7eb")
    return fig
