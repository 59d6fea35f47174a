"""The Growth page's figures and tables: monthly flows (new vs closed / refunded, net line), the member lifecycle
(PostHog's stacked bars, dormant below zero), and the referral network. Numbers are pipelines.okr.growth's."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from pipelines.base.months import last_day, month_of
from ui.figures import figure
from ui.i18n import fmt_count, fmt_pct, text

LIFE_COLORS = {"new": "#2f9e44", "returning": "#1f77b4", "resurrecting": "#f5a300", "dormant": "#d9342b"}


def _month(m) -> str:
    return month_of(m)


def _layout(fig: go.Figure, height: int = 280, pct: bool = False) -> go.Figure:
    # automargin and room on the right: the first and last slanted month labels are drawn whole
    # the legend above the plot: below it, it covered the slanted month labels
    fig.update_layout(height=height, margin={"l": 60, "r": 30, "t": 30, "b": 60},
                      barmode="relative", legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                      yaxis={"tickformat": ".0%" if pct else ",d", "zeroline": True,
                             "zerolinecolor": "#9ca3af"},
                      xaxis={"type": "category", "tickangle": -45, "nticks": 13, "automargin": True})
    return fig


def number_columns(frame: pd.DataFrame) -> dict:
    """Counts with thousands separators in the table (the CSV keeps plain numbers)."""
    import streamlit as st

    return {c: st.column_config.NumberColumn(format="localized") for c in frame.columns
            if pd.api.types.is_integer_dtype(frame[c])}


def flow_figure(rows: list[dict], kind: str, lang: str) -> go.Figure:
    """Stations (new vs closed) or members (new vs refunded) per month: bars up and down, the net as a line."""
    plus, minus, net = (("new_stations", "closed_stations", "net_stations") if kind == "stations" else
                        ("new_members", "refunded_members", "net_members"))
    x = [_month(r["month"]) + ("" if r["complete"] else "*") for r in rows]
    fig = figure()
    fig.add_trace(go.Bar(x=x, y=[r[plus] for r in rows], name=text(f"g_{plus}", lang), marker_color="#2f9e44"))
    fig.add_trace(go.Bar(x=x, y=[-r[minus] for r in rows], name=text(f"g_{minus}", lang), marker_color="#d9342b",
                         customdata=[r[minus] for r in rows], hovertemplate="%{x}: %{customdata}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=[r[net] for r in rows], name=text(f"g_{net}", lang), mode="lines+markers",
                             line={"color": "#111827", "width": 2}))
    return _layout(fig)


STATION_FLOWS = ("new_stations", "closed_stations", "net_stations", "active_stations")
MEMBER_FLOWS = ("new_members", "refunded_members", "net_members", "members_served")


def flow_table(rows: list[dict], zone_names: dict[str, str], lang: str) -> pd.DataFrame:
    """Month by month: the month as YYYY-MM (a spreadsheet reads it as a month), the day it is counted through (D
    for the month not over yet), the zone when split, then the station and the member flows with MoM / YoY."""
    out = []
    for r in rows:
        end = _month_end(r["month"])
        item = {text("month", lang): _month(r["month"]),
                text("g_through", lang): (end if r["complete"] else r.get("as_of") or end).isoformat()}
        if r["war_zone"]:
            item[text("zone", lang)] = zone_names.get(r["war_zone"], r["war_zone"])
        for key in STATION_FLOWS:
            item[text(f"g_{key}", lang)] = r[key]
        item[text("g_mom", lang, what=text("g_active_stations", lang))] = fmt_pct(r["active_stations_mom"], 1)
        item[text("g_yoy", lang, what=text("g_active_stations", lang))] = fmt_pct(r["active_stations_yoy"], 1)
        for key in MEMBER_FLOWS:
            item[text(f"g_{key}", lang)] = r[key]
        item[text("g_mom", lang, what=text("g_members_served", lang))] = fmt_pct(r["members_served_mom"], 1)
        item[text("g_yoy", lang, what=text("g_members_served", lang))] = fmt_pct(r["members_served_yoy"], 1)
        out.append(item)
    return pd.DataFrame(out)


def flow_views(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table split for the screen, stations then members, so neither needs a sideways scroll (the CSV keeps
    one table)."""
    keys = [text("month", lang), text("g_through", lang)] + (
        [text("zone", lang)] if text("zone", lang) in frame else []
    )
    stations = [text(f"g_{k}", lang) for k in STATION_FLOWS] + [
        text(g, lang, what=text("g_active_stations", lang)) for g in ("g_mom", "g_yoy")]
    members = [text(f"g_{k}", lang) for k in MEMBER_FLOWS] + [
        text(g, lang, what=text("g_members_served", lang)) for g in ("g_mom", "g_yoy")]
    return frame[keys + stations], frame[keys + members]


def _month_end(m):
    return last_day(m.replace(day=1))


def lifecycle_figure(rows: list[dict], lang: str) -> go.Figure:
    x = [_month(r["month"]) for r in rows]
    fig = figure()
    for state in ("new", "returning", "resurrecting", "dormant"):
        sign = -1 if state == "dormant" else 1
        fig.add_trace(go.Bar(x=x, y=[sign * r[state] for r in rows], name=text(f"life_{state}", lang),
                             marker_color=LIFE_COLORS[state], customdata=[r[state] for r in rows],
                             hovertemplate="%{x}: %{customdata:,}<extra>%{fullData.name}</extra>"))
    return _layout(fig, height=300)


def referral_share_figure(monthly: list[dict], lang: str) -> go.Figure:
    fig = figure(go.Scatter(x=[_month(r["month"]) for r in monthly], y=[r["share"] for r in monthly],
                               mode="lines+markers", name=text("ref_share", lang), line={"color": "#6b5fa8"}))
    fig = _layout(fig, height=260, pct=True)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")    # from 0: a 29.5–31 % axis made noise look like news
    return fig


def k_factor_figure(cohorts: list[dict], lang: str) -> go.Figure:
    fig = figure(go.Bar(x=[_month(r["cohort_month"]) for r in cohorts], y=[r["k_factor"] for r in cohorts],
                           name=text("ref_k", lang), marker_color="#1f77b4",
                           customdata=[[r["referrals"], r["cohort_size"], r["referrers"]] for r in cohorts],
                           hovertemplate="%{x}: K = %{y:.3f}<br>%{customdata[0]:,} / %{customdata[1]:,}"
                                         "<extra></extra>"))
    fig = _layout(fig, height=240)
    fig.update_yaxes(tickformat=".2f")
    return fig


def depth_figure(depth: dict, lang: str) -> go.Figure:
    keys = [k for k in depth if k is not None]
    fig = figure(go.Bar(x=[str(k) for k in keys], y=[depth[k] for k in keys], marker_color="#8c564b",
                           name=text("ref_depth", lang)))
    fig = _layout(fig, height=240)
    fig.update_xaxes(title=text("ref_depth_axis", lang))
    return fig


def top_frame(top: list[dict], zone_names: dict[str, str], lang: str) -> pd.DataFrame:
    return pd.DataFrame([{text("col_member", lang): r["member_id"], text("ref_count", lang): r["referrals"],
                          text("col_station", lang): r.get("station_name") or "—",
                          text("col_station_id", lang): r["station_id"],
                          text("zone", lang): zone_names.get(r["war_zone"], r["war_zone"]),
                          text("col_phone", lang): r["phone"]} for r in top])


def k_line(cohorts: list[dict], lang: str) -> str:
    """'K = 0.21 over the last 12 complete cohorts' style summary: referrals ÷ members, and per referrer."""
    size = sum(r["cohort_size"] for r in cohorts)
    refs = sum(r["referrals"] for r in cohorts)
    referrers = sum(r["referrers"] for r in cohorts)
    return text("ref_summary", lang, k=f"{refs / size:.3f}" if size else "—",
                per=f"{refs / referrers:.2f}" if referrers else "—", n=fmt_count(refs, lang))
