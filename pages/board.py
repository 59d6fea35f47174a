"""The one-page OKR board for leadership: the north star, this month, the war zones, the centers, the paths.

Every number comes from the goal tree (pipelines.goaltree) for the sidebar's month and as-of date.
"""
import streamlit as st

from ui import board, charts
from ui.i18n import t
from ui.setup import open_page

tree, code, db = open_page()

title = tree.north_star_title[0 if code == "zh" else 1] if tree.north_star_title else t("north_star")
st.markdown(f'<div class="ns-head"><h1>★ {board.esc(title)}</h1>'
            f'<span class="ns-period" data-k="period">{board.esc(board.period_line(tree, code))}</span></div>',
            unsafe_allow_html=True)

north, this_month = st.columns([1.05, 1], gap="medium", wrap=False)
with north:
    st.markdown(f'<div class="ns-section">{board.esc(t("north_star"))}</div>' + board.north_star_block(tree, code),
                unsafe_allow_html=True)
with this_month:
    company = board.name_of(tree.company, code)
    st.markdown(f'<div class="ns-section">{board.esc(t("this_month"))}<span>{board.esc(company)}</span></div>',
                unsafe_allow_html=True)
    for metric, col in zip(board.METRICS, st.columns(2, gap="small", wrap=False)):
        col.markdown(board.month_tile(tree, metric, code), unsafe_allow_html=True)

zones_col, chart_col = st.columns([2.1, 1], gap="medium", wrap=False)
with zones_col:
    zones = board.zone_order(tree)
    st.markdown(f'<div class="ns-section">{board.esc(t("war_zones"))}<span>{board.esc(t("wz_order"))}</span></div>',
                unsafe_allow_html=True)
    if zones:
        for zone, col in zip(zones, st.columns(len(zones), gap="small", wrap=False)):
            col.markdown(board.zone_card(tree, zone, code), unsafe_allow_html=True)
    else:
        st.markdown(f'<div class="ns-empty">{board.esc(t("no_zones"))}</div>', unsafe_allow_html=True)
    note = board.unassigned_note(tree, code)
    if note:
        st.markdown(note, unsafe_allow_html=True)
with chart_col:
    st.plotly_chart(charts.month_progress(tree, code), config={"displayModeBar": False, "responsive": True},
                    key="board_chart")

centers = board.centers(tree)
st.markdown(f'<div class="ns-section">{board.esc(t("centers"))}</div>', unsafe_allow_html=True)
if centers:
    for center, col in zip(centers, st.columns(len(centers), gap="small", wrap=False)):
        col.markdown(board.center_card(tree, center, code), unsafe_allow_html=True)
else:
    st.markdown(f'<div class="ns-empty">{board.esc(t("no_centers"))}</div>', unsafe_allow_html=True)
st.markdown(board.drivers_strip(tree, code), unsafe_allow_html=True)
