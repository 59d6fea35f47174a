"""Plotly figures. Each figure's numbers come from one named function of the data side (here: the goal tree)."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from pipelines.okr import warzone
from pipelines.okr.goaltree import GoalTree
from pipelines.plan.goals import GOAL_METRICS
from ui.figures import HOUSE, figure
from ui.i18n import fmt_count, fmt_day, fmt_pair, fmt_pct, text

COLORS = {"stations": "#1f5fbf", "members": "#d9480f", "pace": "#6b7280", "target": "#111827", "today": "#9333ea"}



def cumulative(tree: GoalTree) -> dict[str, list]:
    """This month's cumulative new stations and members per day, month start to as-of (missing days carry on).

    From `GoalTree.daily` (pipelines.okr.goaltree.goal_flows by day); the last value equals the company's actual."""
    return warzone.cumulative(tree.daily, tree.month_start, min(tree.as_of, tree.month_end))


# The board's chart is drawn at a fixed size that fits its column on a 1280-px laptop, a 390-px phone and A4 paper.
BOARD_CHART = {"width": 300, "height": 275}
# Lines are told apart by dash as well as colour, so a black-and-white print keeps them apart.
DASHES = {"stations": "solid", "members": "dot", "pace": "dash", "as_of": "dashdot"}


def as_of_anchor(tree: GoalTree) -> str:
    """The as-of label sits on the side of its line away from the target label in the top-left corner: to the
    right in the month's first half, to the left after it."""
    return "left" if tree.days_counted <= tree.days_in_month / 2 else "right"


def month_progress(tree: GoalTree, lang: str, height: int = BOARD_CHART["height"],
                   width: int | None = BOARD_CHART["width"]) -> go.Figure:
    """Cumulative new stations and members this month as a share of their targets, against the straight pace
    line from 0 on day 0 to 100% at month end; the target line and the as-of marker. Without targets: counts."""
    data = cumulative(tree)
    fig = figure()
    targets = {m: tree.company.metrics[m].target for m in GOAL_METRICS}
    with_target = [m for m in GOAL_METRICS if targets[m]]
    label = {m: text(f"new_{m}", lang) for m in GOAL_METRICS}
    unit = {m: text(f"unit_{m}", lang) for m in GOAL_METRICS}
    start = tree.month_start - dt.timedelta(days=1)      # day 0: the pace line starts at 0 before the first day
    end = tree.month_end
    band_top = 0.0
    if with_target:
        shaped = tree.basis == "seasonal"
        if shaped:     # the status basis is the month's shape: one pace curve per goal, in its colour, thin
            days = [tree.month_start + dt.timedelta(days=i) for i in range(tree.days_in_month)]
            # named for what it is: a curve, or the straight line where the backtest chose it (issue 35)
            curved = any(getattr(tree.company.metrics[m].choice, "method", "linear") != "linear" for m in with_target)
            for m in with_target:
                curve = tree.curves.get((tree.company.id, m)) or [(i + 1) / len(days) for i in range(len(days))]
                fig.add_trace(go.Scatter(x=[start, *days], y=[0, *curve], mode="lines",
                                         name=text("chart_pace_s", lang, what="") if curved else
                                         text("chart_pace", lang), legendgroup="pace",
                                         showlegend=m == with_target[0],
                                         line={"color": COLORS[m], "dash": DASHES["pace"], "width": 1.2},
                                         opacity=0.6, hoverinfo="skip"))
        else:
            fig.add_trace(go.Scatter(x=[start, end], y=[0, 1], mode="lines", name=text("chart_pace", lang),
                                     line={"color": COLORS["pace"], "dash": DASHES["pace"], "width": 1.5},
                                     hoverinfo="skip"))
        band_top = band(fig, tree, tree.company, with_target, end, lang, scale=targets) if shaped else 0
        for m in with_target:
            shares = [v / targets[m] for v in data[m]]
            hover = [" / ".join(fmt_pair(v, targets[m], lang)) + f" {unit[m]} ({fmt_pct(s)})"
                     for v, s in zip(data[m], shares)]
            fig.add_trace(go.Scatter(x=[start, *data["date"]], y=[0, *shares], mode="lines", name=label[m],
                                     line={"color": COLORS[m], "width": 3, "dash": DASHES[m]}, text=["", *hover],
                                     hovertemplate="%{x|%Y-%m-%d}<br>%{text}<extra>" + label[m] + "</extra>"))
        fig.add_hline(y=1, line={"color": COLORS["target"], "width": 1.5},
                      annotation={"text": text("chart_target", lang), "xanchor": "left", "x": 0, "yanchor": "bottom",
                                  "font": {"size": 12}})
        top = max([1.15, band_top * 1.05] + [v / targets[m] * 1.08 for m in with_target for v in data[m][-1:]])
        fig.update_yaxes(tickformat=".0%", range=[0, top], title=None)
        title = text("chart_title", lang)
        for m in GOAL_METRICS:
            if not targets[m]:
                fig.add_annotation(
                    xref="paper",
                    yref="paper",
                    x=0.01,
                    y=0.88,
                    xanchor="left",
                    showarrow=False,
                    text=text("chart_no_target", lang, what=label[m]),
                    font={"size": 11, "color": "#6b7280"},
                )
    else:
        for m, axis in (("stations", "y"), ("members", "y2")):
            fig.add_trace(go.Scatter(x=data["date"], y=data[m], mode="lines", name=f"{label[m]} ({unit[m]})",
                                     yaxis=axis, line={"color": COLORS[m], "width": 3, "dash": DASHES[m]}))
        fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero"})
        fig.update_yaxes(rangemode="tozero", selector={"anchor": "x"})
        title = text("chart_counts", lang)
    today = min(tree.as_of, tree.month_end)
    fig.add_shape(type="line", x0=today, x1=today, yref="paper", y0=0, y1=1,
                  line={"color": COLORS["today"], "width": 1.5, "dash": DASHES["as_of"]})
    fig.add_annotation(
        x=today,
        yref="paper",
        y=1,
        text=text("chart_today", lang, d=fmt_day(today, lang)),
        showarrow=False,
        xanchor=as_of_anchor(tree),
        yanchor="top",
        font={"size": 12, "color": COLORS["today"]},
    )
    fig.update_xaxes(range=[start, end + dt.timedelta(days=2 if band_top else 0.5)],
                     tickformat="%-d" if lang == "en" else "%-d日", dtick=7 * 86400000, tick0=tree.month_start,
                     title=None)
    fig.update_layout(
        title={"text": title, "font": {"size": 15}, "x": 0, "xanchor": "left", "y": 0.985, "yanchor": "top"},
        height=height, width=width, margin={"l": 8, "r": 14, "t": 30, "b": 8}, font={"size": 13},
        legend={"orientation": "h", "yanchor": "top", "y": -0.16, "x": 0, "font": {"size": 11},
                "itemwidth": 30, "tracegroupgap": 0},
        hovermode="x unified",
    )
    return fig


def band(fig: go.Figure, tree: GoalTree, node: dict, metrics: list[str], end: dt.date, lang: str,
         scale: dict[str, float] | None = None) -> float:
    """The 80 % band of the month-end forecast on the month's shape (GoalTree: forecast_low / forecast_high) as a
    bar at month end, one per metric, divided by `scale` (the board draws shares of the target); the highest value
    drawn (0 when none: a finished month, no band yet)."""
    top = 0.0
    drawn = [m for m in metrics if not tree.finished and node.metrics[m].forecast_low is not None
             and node.metrics[m].forecast is not None]
    for i, m in enumerate(drawn):
        v = node.metrics[m]
        div = (scale or {}).get(m) or 1
        mid, lo, hi = v.forecast / div, v.forecast_low / div, v.forecast_high / div
        shown = " – ".join(fmt_pair(v.forecast_low, v.forecast_high, lang))
        # two bands side by side, each named (issue 36.7: two whiskers drawn over each other, one legend entry)
        x = dt.datetime.combine(end, dt.time(12)) + dt.timedelta(hours=16 * (2 * i - len(drawn) + 1))
        name = (text("chart_band_of", lang, what=text(f"{m}_short", lang)) if len(drawn) > 1
                else text("chart_band", lang))
        fig.add_trace(go.Scatter(
            x=[x], y=[mid], mode="markers", name=name, showlegend=True,
            legendgroup=f"band.{m}", marker={"color": COLORS[m], "size": 7, "symbol": "diamond"},
            error_y={"type": "data", "symmetric": False, "array": [hi - mid], "arrayminus": [mid - lo],
                     "color": COLORS[m], "thickness": 2, "width": 5},
            hovertemplate=f"{text(f'new_{m}', lang)}: {shown}<extra>{text('chart_band', lang)}</extra>"))
        top = max(top, hi)
    return top


def node_month(tree: GoalTree, node: dict, metric: str, this_month: dict[str, list], last_month: dict[str, list],
               lang: str, height: int = 300) -> go.Figure:
    """One node's cumulative actual this month against the pace line to its target, last month's curve (day k of
    last month drawn on day k of this one), the forecast to month end (dashed) and today's marker.

    `this_month` / `last_month`: `pipelines.okr.warzone.cumulative()` of `pipelines.okr.warzone.daily()`."""
    v = node.metrics[metric]
    label, unit = text(f"new_{metric}", lang), text(f"unit_{metric}", lang)
    color = COLORS[metric]
    start, end = tree.month_start - dt.timedelta(days=1), tree.month_end
    fig = figure()
    if last_month["date"]:
        prev = last_month["date"][0]
        days = [tree.month_start + dt.timedelta(days=d.day - 1) for d in last_month["date"]
                if d.day <= tree.days_in_month]
        fig.add_trace(
            go.Scatter(
                x=[start, *days],
                y=[0, *last_month[metric][: len(days)]],
                mode="lines",
                name=text("last_month_curve", lang, m=fmt_month_short(prev, lang)),
                line={"color": "#9ca3af", "width": 2, "dash": "dot"},
                hovertemplate="%{y:,.0f} "
                + unit
                + "<extra>"
                + text("last_month_curve", lang, m=fmt_month_short(prev, lang))
                + "</extra>",
            )
        )
    j = tree.judged(v)
    curve = tree.curves.get((node.id, metric)) if j.seasonal else None
    if v.target and curve:
        days = [tree.month_start + dt.timedelta(days=i) for i in range(tree.days_in_month)]
        fig.add_trace(go.Scatter(x=[start, *days], y=[0, *(c * v.target for c in curve)], mode="lines",
                                 name=text("chart_pace_s", lang, what=""), line={"color": COLORS["pace"],
                                 "dash": DASHES["pace"], "width": 1.5}, hoverinfo="skip"))
    elif v.target:
        fig.add_trace(go.Scatter(x=[start, end], y=[0, v.target], mode="lines", name=text("chart_pace", lang),
                                 line={"color": COLORS["pace"], "dash": DASHES["pace"], "width": 1.5},
                                 hoverinfo="skip"))
        fig.add_hline(y=v.target, line={"color": COLORS["target"], "width": 1.5},
                      annotation={"text": text("target_line", lang, n=fmt_count(v.target, lang)), "x": 0,
                                  "xanchor": "left", "yanchor": "bottom", "font": {"size": 12}})
    fig.add_trace(go.Scatter(x=[start, *this_month["date"]], y=[0, *this_month[metric]], mode="lines",
                             name=text("actual_line", lang), line={"color": color, "width": 3},
                             hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} " + unit + "<extra></extra>"))
    today = min(tree.as_of, tree.month_end)
    if not tree.finished and this_month["date"]:
        fig.add_trace(go.Scatter(x=[today, end], y=[v.actual, j.forecast], mode="lines",
                                 name=text("forecast_line", lang, n=fmt_count(j.forecast, lang)),
                                 line={"color": color, "width": 2, "dash": "dash"},
                                 hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} " + unit + "<extra></extra>"))
    high = band(fig, tree, node, [metric], end, lang) if j.seasonal else 0
    fig.add_shape(type="line", x0=today, x1=today, yref="paper", y0=0, y1=1,
                  line={"color": COLORS["today"], "width": 1.5, "dash": "dot"})
    fig.add_annotation(x=today, yref="paper", y=1, text=text("chart_today", lang, d=fmt_day(today, lang)),
                       showarrow=False, xanchor=as_of_anchor(tree), yanchor="top",
                       font={"size": 12, "color": COLORS["today"]})
    top = max([v.target or 0, j.forecast or 0, high, *this_month[metric], *last_month[metric], 1]) * 1.1
    fig.update_yaxes(range=[0, top], title=None, tickformat=",d")
    fig.update_xaxes(
        range=[start, end + dt.timedelta(days=1.5 if high else 0.5)],
        tickformat="%-d" if lang == "en" else "%-d日",
        dtick=7 * 86400000,
        tick0=tree.month_start,
        title=None,
    )
    title = text("daily_title", lang, what=f"{label}（{unit}）" if lang == "zh" else label)
    fig.update_layout(
        title={"text": title, "font": {"size": 15}, "x": 0, "xanchor": "left", "y": 0.985, "yanchor": "top"},
        height=height, margin={"l": 8, "r": 8, "t": 30, "b": 8}, font={"size": 13},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"size": 12}},
        hovermode="x unified")
    return fig


def fmt_month_short(d: dt.date, lang: str) -> str:
    return f"{d.month}月" if lang == "zh" else d.strftime("%b")


def attainment(rows: list[dict], lang: str, height: int = 320) -> go.Figure:
    """Target against actual per month for stations and members (`pipelines.okr.warzone.attainment`): grey target
    bars, actual bars in their status colour, each labelled with its icon and share (colour plus a sign)."""
    from plotly.subplots import make_subplots

    from pipelines.okr.status import STATUS
    from ui.i18n import status_word
    from ui.style import STATUS_COLORS

    titles = [f"{text(f'new_{m}', lang)}" + (f"（{text(f'unit_{m}', lang)}）" if lang == "zh" else "")
              for m in GOAL_METRICS]
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.06)
    months = month_ticks([r["month"] for r in rows], lang)
    for col, metric in enumerate(GOAL_METRICS, start=1):
        cells = [r[metric] for r in rows]
        fig.add_trace(go.Bar(x=months, y=[c["target"] for c in cells], name=text("bar_target", lang),
                             marker={"color": "#e5e7eb", "line": {"color": "#9ca3af", "width": 1}},
                             showlegend=col == 1, legendgroup="target",
                             hovertemplate="%{x}: %{y:,.0f}<extra>" + text("bar_target", lang) + "</extra>"),
                      row=1, col=col)
        labels = [STATUS[c["status"]].icon for c in cells]
        fig.add_trace(go.Bar(x=months, y=[c["actual"] for c in cells], name=text("bar_actual", lang),
                             marker={"color": [STATUS_COLORS[c["status"]][1] for c in cells]},
                             text=labels, textposition="outside", cliponaxis=False, textfont={"size": 13},
                             customdata=[f"{status_word(c['status'], lang)} {fmt_pct(c['share'])}" for c in cells],
                             showlegend=col == 1, legendgroup="actual",
                             hovertemplate="%{x}: %{y:,.0f} · %{customdata}<extra>" + text("bar_actual", lang)
                                           + "</extra>"),
                      row=1, col=col)
        top = max([c["actual"] or 0 for c in cells] + [c["target"] or 0 for c in cells] + [1]) * 1.18
        fig.update_yaxes(range=[0, top], row=1, col=col, tickformat=",d")
    fig.update_layout(template=HOUSE, barmode="group", bargap=0.25, height=height,
                      margin={"l": 8, "r": 8, "t": 30, "b": 8},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 1, "xanchor": "right"})
    fig.update_xaxes(tickangle=0)
    return fig


def month_ticks(months: list[str], lang: str) -> list[str]:
    """Short month labels that fit 12 bars: the year on a line of its own under January, and under the first month
    unless January comes right after it (two years side by side collide): '12月', '1月<br>2026年', '2月', …;
    'Dec', 'Jan<br>2026', 'Feb', …"""
    out = []
    for i, m in enumerate(months):
        y, mo = int(m[:4]), int(m[5:7])
        name = f"{mo}月" if lang == "zh" else dt.date(y, mo, 1).strftime("%b")
        first = i == 0 and not (len(months) > 1 and months[1].endswith("-01"))
        out.append(f"{name}<br>{y}{'年' if lang == 'zh' else ''}" if mo == 1 or first else name)
    return out
