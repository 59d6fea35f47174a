"""The Plan page (目标分解): HQ and the leads set a month's targets and split them company → war zones → teams →
people, and company → centers for members, without touching a file.

The planner edits a draft (kept per month in the session, ui.sections.plan_draft): the company's targets in two fields,
every split in an editable table with a one-click suggestion in proportion to the last 3 months' actuals. Checks
run on every edit (each parent's children's sum and what is left unallocated; refused cells with the reason).
Saving writes the changed targets to the plan store as one change with who and when; the board and the war-zone
page read them on their next run. targets.csv goes out (export) and comes in (import: checked, previewed, then
saved). The sections are ui.sections.plan_editor'; the arithmetic is pipelines.okr.decompose's.
"""
from pathlib import Path

import duckdb
import streamlit as st

from pipelines.base.errors import NorthstarError
from pipelines.base.months import shift_month
from pipelines.okr import decompose
from pipelines.plan.access import visible_nodes
from pipelines.plan.store import PlanStore, store_path
from ui.components import note, page_head
from ui.data import WarehouseMissing, plan_basis, versions
from ui.i18n import error_text, fmt_month, md, t, tm
from ui.sections import plan_draft
from ui.sections import plan_editor as ps
from ui.setup import start_page

code, db, reader = start_page()
try:
    org = plan_basis(db, None, versions(db))
except (NorthstarError, WarehouseMissing, duckdb.Error) as exc:
    st.error(tm("plan_failed", err=error_text(exc)))
    st.info(t("tree_hint"))
    st.stop()
nodes, last = visible_nodes(reader, org["nodes"]), org["last"]   # a zone lead: their zone's teams and people
if not nodes or not any(n["level"] == "war_zone" for n in nodes):
    st.info(t("plan_no_org"))
    st.stop()
if last is None:
    st.info(t("no_dates"))
    st.stop()
store_file = store_path(Path(db))
try:
    if store_file.exists():
        PlanStore(store_file, read_only=True).close()     # a damaged store is said, not a traceback
    all_saved = ps.saved_targets(store_file)
except NorthstarError as exc:
    st.error(md(error_text(exc)))
    st.stop()
flash = st.session_state.pop("plan_flash", None)

# ---- the month -------------------------------------------------------------------------------------------------
months = decompose.plan_months(last)
key = f"plan_month_{code}"           # one widget per language (see ui/setup.py's month)
if key not in st.session_state:
    remembered = st.session_state.get("plan_month")
    st.session_state[key] = remembered if remembered in months else months[1]
head, chooser = st.columns([4, 1], vertical_alignment="bottom")
with chooser:
    month = st.selectbox(t("plan_month"), months, key=key, help=t("plan_month_help"),
                         format_func=lambda m, c=code: fmt_month(m, c))
st.session_state["plan_month"] = month
with head:
    page_head(f'{t("plan_title")} · {fmt_month(month, code)}', t("data_through", d=last.isoformat()), data_key=None)
st.caption(t("plan_intro"))
if not reader.writes_plan:
    note(t("plan_read_only", role=t(f"role_{reader.role}")), data_key="plan.read_only")
elif reader.role == "zone_lead":
    note(t("plan_zone_lead"), data_key="plan.zone_lead")
if flash:
    getattr(st, flash[0])(flash[1])

basis = plan_basis(db, month, versions(db))
view = ps.View(code=code, month=month, prev=shift_month(month, -1), nodes=nodes, store_file=store_file,
               actuals=basis["actuals"], period=basis["period"], all_saved=all_saved, reader=reader)
who_field = ps.WhoField(reader)
draft = plan_draft.drafts(st.session_state).get(month)
if draft is None and view.saved:
    draft = ps.start_draft(view, view.saved)
status_box = st.container()

if not reader.writes_plan:
    ps.read_only(view)
elif draft is None:
    # ---- no plan for the month yet: start from scratch or from last month's -------------------------------------
    st.info(t("plan_empty", month=fmt_month(month, code)))
    a, b, _ = st.columns([1, 1.4, 2])
    if a.button(t("plan_start_scratch"), key="plan_scratch", type="primary"):
        ps.start_draft(view, {})
        st.rerun()
    prev_word = fmt_month(view.prev, code)
    if b.button(t("plan_start_copy", month=prev_word, n=len(view.prev_saved)) if view.prev_saved else
                t("plan_copy_none", month=prev_word), key="plan_start_copy", disabled=not view.prev_saved):
        ps.start_draft(view, view.prev_saved)
        st.rerun()
else:
    plan_draft.absorb(st.session_state, month, draft, view.by_id)
    taken = plan_draft.take_theirs(st.session_state, draft, view.saved)
    if taken:        # someone else saved this month since the draft began: said once
        ps.flash("info", t("plan_rebased", n=taken))
        st.rerun()
    a, b, _ = st.columns([1.4, 1, 2])
    if a.button(t("plan_copy", month=fmt_month(view.prev, code)) if view.prev_saved else
                t("plan_copy_none", month=fmt_month(view.prev, code)), key="plan_copy", disabled=not view.prev_saved):
        ps.start_draft(view, view.prev_saved)
        st.rerun()
    if b.button(t("plan_discard"), key="plan_discard"):
        ps.start_draft(view, view.saved)
        st.rerun()
    ps.split_tabs(view, draft)
    ps.save_section(view, draft, who_field, status_box)

ps.io_section(view, who_field)
ps.history_section(view, who_field)
