"""The house Plotly template: every chart of the product starts from `figure()` (or applies `HOUSE` to subplots),
so fonts that render Chinese, white backgrounds, light grid lines and a horizontal legend are set in one place and
each chart's own layout says only what is its own (height, margins, axis formats). `shared()` builds a page's chart
once per warehouse version and view and hands the same figure to every session."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, Helvetica, Arial, sans-serif"
GRID = "#e5e7eb"

HOUSE = go.layout.Template(layout=go.Layout(
    font={"family": FONT, "size": 12},
    plot_bgcolor="white", paper_bgcolor="white",
    xaxis={"gridcolor": GRID, "zerolinecolor": GRID},
    yaxis={"gridcolor": GRID, "zerolinecolor": GRID},
    legend={"orientation": "h"},
    hoverlabel={"font": {"family": FONT}},
))
CONFIG = {"displayModeBar": False, "responsive": True}     # st.plotly_chart's config: no toolbar on a board


def figure(*traces) -> go.Figure:
    """A figure in the house template."""
    return go.Figure(data=list(traces), layout={"template": HOUSE})


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _drawn(key: tuple, _build):
    return _build()


def shared(db: str, tree, kind: str, parts: tuple, build) -> go.Figure:
    """The chart `build()` draws, built once per warehouse and plan version, month, as-of, targets read (the 1st's
    or today's), reader's scope, `kind` and `parts` (the node, the metric, the language…), and shared by every
    session: building Plotly figures was half of a war-zone page switch's CPU (150 of 250 ms on the small sample,
    benchmarks/NOTES.md). Nothing changes a figure once built (st.plotly_chart only reads it)."""
    from ui.auth import viewer
    from ui.data import versions

    who = viewer()
    return _drawn((kind, db, versions(db), tree.month, tree.as_of, tree.planned,
                   (who.role, who.war_zone, who.center), *parts), build)
