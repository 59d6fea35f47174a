"""The Centers page (动作分解): whether the centers' key actions line up with the war zones' targets, which are
slipping, and where a center lead records the weekly check-in or adds and edits a key action.

Numbers come from the goal tree (`tree.key_actions`, pipelines.okr.keyactions) for the sidebar's month and as-of; the
check-ins and key actions are written to the plan store (the forms are ui.sections.center_forms'), which the goal tree
reads on its next run.
"""
from pathlib import Path

import streamlit as st

from pipelines.plan.access import visible_nodes
from pipelines.plan.org import org_from_doc
from pipelines.plan.store import PlanStore, store_path
from ui import data as ud
from ui.components import note, page_head, section
from ui.figures import CONFIG
from ui.i18n import fmt_month, md, t
from ui.sections import center_forms as cf
from ui.setup import open_page
from ui.setup import today as today_is
from ui.views import board
from ui.views import centers as uc
from ui.views.board import _title, esc, name_of

tree, code, db, reader = open_page()
store_file = store_path(Path(db))
plan = ud.plan(db, ud.versions(db))
org = org_from_doc(plan.org.doc if plan else None)
people = {n["id"]: n for n in visible_nodes(reader, org.nodes) if n["level"] == "person"}   # the reader's scope
people.update({p["id"]: {**p, "level": "center_person"} for p in org.center_people})
flash = st.session_state.pop("centers_flash", None)

page_head(t("centers_title"), board.period_line(tree, code))
st.caption(t("centers_intro"))
if flash:
    st.success(flash)
centers = uc.centers(tree, reader)
if not centers:
    st.info(t("no_centers"))
    st.stop()

# ---- the key action a link opened (?ka=…, from the board) --------------------------------------------------------
opened = st.query_params.get("ka")
focus = next((ka for ka in tree.key_actions if ka.id == opened), None)
if focus is not None:
    section(t("ka_opened"))
    st.markdown(uc.action_block(focus, tree, people, code), unsafe_allow_html=True)
elif opened:
    note(t("ka_unknown", id=opened, month=fmt_month(tree.month, code)))

# ---- a month without key actions: one sentence, not empty headings run together (issue 36.15) --------------------
if not tree.key_actions:
    st.info(t("no_actions_month", month=fmt_month(tree.month, code)))

# ---- alignment: centers × war zones ----------------------------------------------------------------------------
if tree.key_actions:
    section(t("alignment"), t("alignment_note"))
    st.markdown(uc.alignment(tree, code, reader), unsafe_allow_html=True)

# ---- each center's key actions ---------------------------------------------------------------------------------
history: dict[str, list[dict]] = {}
if store_file.exists():
    with PlanStore(store_file, read_only=True) as store:
        for ka in tree.key_actions:
            for kr in ka.key_results:
                history[kr.id] = store.checkin_history(kr.id)
for center in centers if tree.key_actions else []:
    section(name_of(center, code))
    actions = [ka for ka in tree.key_actions if ka.center == center.id]
    if not actions:
        st.markdown(f'<div class="ns-empty">{esc(t("no_actions_center", center=name_of(center, code)))}</div>',
                    unsafe_allow_html=True)
        continue
    for ka in actions:
        st.markdown(uc.action_block(ka, tree, people, code), unsafe_allow_html=True)
        with st.expander(f'{t("trend")} · {md(_title(ka.title, code))}'):
            for kr in ka.key_results:
                st.caption(md(_title(kr.title, code)))
                if history.get(kr.id):
                    st.plotly_chart(uc.trend(history[kr.id], kr, code), key=f"trend_{kr.id}_{code}",
                                    config=CONFIG)
                else:
                    st.caption(t("trend_none"))

# ---- record a check-in; add or edit a key action -----------------------------------------------------------------
if tree.key_actions:            # nothing to check in on: the sentence above says so
    section(t("checkin_form"))
    cf.checkin_form(tree, centers, store_file, today_is(), code, reader)
cf.key_action_form(tree, plan, org, people, centers, store_file, code, reader)
