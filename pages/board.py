"""The one-page OKR board for leadership: the north star, this month, the war zones, the centers, the paths.

Every number comes from the goal tree (pipelines.okr.goaltree) for the sidebar's month and as-of date.
"""
import streamlit as st

from ui.components import note, page_head, section, section_html
from ui.data import data_age, shared_figure, versions
from ui.i18n import t
from ui.links import View
from ui.sections.exports import board_files_buttons, tree_xlsx_button
from ui.setup import open_page, today
from ui.views import board, charts

tree, code, db, reader = open_page()
tree_xlsx_button(tree, code, db, reader)
board_files_buttons(tree, code, db, reader)
view = View(st.session_state.get("view") or {"lang": code}, reader)   # language, period and reader, for every link

title = tree.north_star_title[0 if code == "zh" else 1] if tree.north_star_title else t("north_star")
page_head(title, board.period_line(tree, code), icon="★",
          after=board.age_chip(data_age(db, today(), versions(db)), code))

north, this_month = st.columns([1.05, 1], gap="medium")
with north:
    st.markdown(section_html(t("north_star")) + board.north_star_block(tree, code), unsafe_allow_html=True)
    # are we on track this month, and who is behind (issue 36.9): in the first screen of a laptop and of a phone
    # (where this column comes first), in the room the north star leaves beside this month's tiles
    answer = board.behind_line(tree, code, view)
    if answer:
        st.markdown(answer, unsafe_allow_html=True)
with this_month:
    company = board.name_of(tree.company, code)
    section(t("this_month"), f"{company} · {board.basis_note(tree, code)}", board.basis_help(tree, code))
    for metric, col in zip(board.METRICS, st.columns(2, gap="small")):
        col.markdown(board.month_tile(tree, metric, code), unsafe_allow_html=True)
    why = "".join(board.gap_line(tree, tree.company, m, code, view, brief=True) for m in board.METRICS)
    if why:
        st.markdown(why, unsafe_allow_html=True)

zones_col, chart_col = st.columns([2.1, 1], gap="medium")
with zones_col:
    zones = board.zone_order(tree)
    note = board.unassigned_note(tree, code, view)
    section(t("war_zones"), t("wz_order"), f" · {note}" if note else "")
    if zones:
        for zone, col in zip(zones, st.columns(len(zones), gap="small")):
            col.markdown(board.zone_card(tree, zone, code, view), unsafe_allow_html=True)
    else:
        st.markdown(f'<div class="ns-empty">{board.esc(t("no_zones"))}</div>', unsafe_allow_html=True)
with chart_col:
    # a fixed width: the same drawing on a 1280 laptop, a phone and A4 paper (a responsive chart keeps the width
    # of the screen it was drawn on, and paper cut it off)
    drawn = shared_figure(db, tree, reader, "month_progress", (code,), lambda: charts.month_progress(tree, code))
    st.plotly_chart(drawn, config={"displayModeBar": False}, width="content",
                    key="board_chart")

centers = board.centers(tree)
section(t("centers"), key="section.centers")
if centers:
    for center, col in zip(centers, st.columns(len(centers), gap="small")):
        col.markdown(board.center_card(tree, center, code, view), unsafe_allow_html=True)
else:
    st.markdown(f'<div class="ns-empty">{board.esc(t("no_centers"))}</div>', unsafe_allow_html=True)
st.markdown(board.drivers_strip(tree, code), unsafe_allow_html=True)
