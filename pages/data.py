"""The Data page: how fresh and complete the data is (per file: rows read / loaded / rejected, last date; the
build), what was rejected and why (by reason, examples, every row as CSV), the values the org does not know, and
the metric catalog — the same module the numbers are computed from — with the cohort and growth definitions.

The tables are ui.views.data_tables', the upload ui.sections.upload's.
"""
import os

import duckdb
import streamlit as st

from pipelines.base import metrics
from pipelines.base.errors import NorthstarError
from pipelines.warehouse import freshness
from ui.auth import record
from ui.components import note, page_head, section
from ui.data import WarehouseMissing, data_report, examples_frame, node_names, versions
from ui.i18n import fmt_time, t, text, tm
from ui.sections.audit import audit_section, briefs_section, pulls_section
from ui.sections.upload import load_section
from ui.setup import start_page, today
from ui.views import board
from ui.views import data_tables as tables

code, db, reader = start_page()
MAX_MB = int(os.environ.get("NORTHSTAR_MAX_UPLOAD_MB", "200") or 200)

try:
    data = data_report(db, today(), versions(db))
except (NorthstarError, WarehouseMissing, duckdb.Error) as exc:
    st.error(tm("data_failed", err=str(exc).splitlines()[0]))
    st.info(t("tree_hint"))
    st.stop()
rep = data["report"]
b = rep["build"]

page_head(t("data_title"))
flash = st.session_state.pop("data_flash", None)
if flash:
    st.success(flash)
status, icon, word, fresh = tables.freshness_chip(rep)
st.markdown(f'<div class="ns-tally ns-plan-status"><span class="ns-chip ns-{status}" data-k="data.fresh">{icon} '
            f'{board.esc(word)}</span><span data-k="data.last">{board.esc(fresh)}</span></div>',
            unsafe_allow_html=True)
if rep["stale"]:
    st.warning(t("data_stale", n=freshness.STALE_AFTER_DAYS))
# the server's folder is the admin's business (issue 36.14: every reader, analysts included, saw the raw path)
built = dict(at=fmt_time(b["built_at"], code, b["time_zone"]), s=b["seconds"], as_of=b["as_of"].isoformat())
st.caption(tm("data_built", raw=b["raw_dir"], **built) if reader.can_upload else tm("data_built_reader", **built))

if reader.can_upload:          # pipelines.plan.access: admins only
    load_section(db, code, MAX_MB, reader)

section(t("data_files"))
frame, config = tables.files(rep)
st.dataframe(frame, hide_index=True, width="stretch", column_config=config, key=f"data_files_{code}")
note(tables.totals(rep), data_key="data.totals")

section(t("data_rejects"))
if rep["reasons"]:
    frame, config = tables.reasons(rep, code)
    st.dataframe(frame, hide_index=True, width="stretch", key=f"data_reasons_{code}", column_config=config)
    st.caption(t("data_examples"))
    st.dataframe(examples_frame(data["examples"], code), hide_index=True, width="stretch",
                 key=f"data_examples_{code}")
    st.download_button(t("data_rejects_csv"), data["csv"], file_name="rejects.csv", mime="text/csv",
                       key=f"data_rejects_csv_{code}", on_click=record,
                       args=(db, "export", "rejects.csv", sum(r["rows"] for r in rep["reasons"])))
else:
    st.success(t("data_no_rejects"))

section(t("data_warnings"))
if rep["warnings"]:
    frame, config = tables.warnings(rep, node_names(db, versions(db)), code)
    st.dataframe(frame, hide_index=True, width="stretch", key=f"data_warnings_{code}", column_config=config)
    st.caption(t("data_warnings_fix"))
else:
    st.success(t("data_no_warnings"))

section(t("data_checks"))
if rep["checks"]:
    frame, config = tables.checks(rep, code)
    st.dataframe(frame, hide_index=True, width="stretch", key=f"data_checks_{code}", column_config=config)
    st.caption(t("data_checks_help"))
else:
    st.caption(t("data_checks_none"))

pulls_section(db, code)
briefs_section(db, code)

section(t("data_catalog"))
st.markdown(tables.catalog_html(tables.catalog(code)), unsafe_allow_html=True)


@st.fragment
def metric_sql() -> None:
    """Choosing a metric redraws only its SQL, not the report above (st.fragment)."""
    sql_of = st.selectbox(t("data_sql"), list(metrics.CATALOG), key=f"data_sql_{code}",
                          format_func=lambda n, c=code: tables.metric_label(n, c))
    st.code(" ".join(metrics.CATALOG[sql_of].sql.split()), language="sql", wrap_lines=True)


metric_sql()
audit_section(db, code, reader)

with st.expander(t("data_cohort_defs")):
    d = b["last_date"].isoformat() if b["last_date"] else "D"
    st.markdown(text("cohorts_defs_text", code, d=d))
    st.markdown(text("growth_defs_text", code, d=d))
