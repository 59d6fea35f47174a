"""The house Plotly template: every chart of the product starts from `figure()` (or applies `HOUSE` to subplots),
so fonts that render Chinese, white backgrounds, light grid lines and a horizontal legend are set in one place and
each chart's own layout says only what is its own (height, margins, axis formats). (`ui.data.shared_figure` builds a
page's chart once per warehouse version and view and hands the same figure to every session.)"""
from __future__ import annotations

import plotly.graph_objects as go

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
