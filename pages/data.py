"""The Data page: how fresh and complete the data is (per file: rows read / loaded / rejected, last date; the
build), what was rejected and why (by reason, examples, every row as CSV), the values the org does not know, and
the metric catalog — the same module the numbers are computed from — with the cohort and growth definitions.
"""
import duckdb
import pandas as pd
import streamlit as st

from pipelines import freshness, metrics
from pipelines.errors import NorthstarError
from ui import board
from ui.data import WarehouseMissing, versions
from ui.i18n import t, text
from ui.setup import start_page, today

code, db = start_page()


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def load(db: str, day, versions: tuple) -> dict:
    from pathlib import Path

    if not Path(db).exists():
        raise WarehouseMissing(db)
    with duckdb.connect(db, read_only=True) as con:
        return {"report": freshness.report(con, day), "examples": freshness.reject_examples(con),
                "csv": freshness.rejects_csv(con)}


try:
    data = load(db, today(), versions(db))
except (NorthstarError, WarehouseMissing, duckdb.Error) as exc:
    st.error(t("data_failed", err=str(exc).splitlines()[0]))
    st.info(t("tree_hint"))
    st.stop()
rep = data["report"]
b = rep["build"]

st.markdown(f'<div class="ns-head"><h1>{board.esc(t("data_title"))}</h1></div>', unsafe_allow_html=True)
fresh = t("data_fresh", d=b["last_date"].isoformat(), n=rep["days_old"]) if b["last_date"] else t("no_dates")
status = "off_track" if rep["stale"] else "on_track"
word = t("data_stale_word") if rep["stale"] else t("data_fresh_ok")
icon = "✖" if rep["stale"] else "✔"
st.markdown(f'<div class="ns-tally ns-plan-status"><span class="ns-chip ns-{status}" data-k="data.fresh">{icon} '
            f'{board.esc(word)}</span><span data-k="data.last">{board.esc(fresh)}</span></div>',
            unsafe_allow_html=True)
if rep["stale"]:
    st.warning(t("data_stale", n=freshness.STALE_AFTER_DAYS))
st.caption(t("data_built", at=b["built_at"].strftime("%Y-%m-%d %H:%M"), s=b["seconds"], as_of=b["as_of"].isoformat(),
             raw=b["raw_dir"]))

st.markdown(f'<div class="ns-section">{board.esc(t("data_files"))}</div>', unsafe_allow_html=True)
files = pd.DataFrame([{t("col_table"): f["table"], t("col_file"): f["file"], t("col_format"): f["format"],
                       t("col_encoding"): f["encoding"], t("col_read"): f["read"], t("col_loaded"): f["loaded"],
                       t("col_rejected"): f["rejected"],
                       t("col_last_date"): f["last_date"].isoformat() if f["last_date"] else "—",
                       t("col_note"): f["note"] or ""} for f in rep["files"]])
counts = {c: st.column_config.NumberColumn(format="localized") for c in (t("col_read"), t("col_loaded"),
                                                                          t("col_rejected"))}
st.dataframe(files, hide_index=True, width="stretch", column_config=counts, key=f"data_files_{code}")
tot = rep["totals"]
totals = t("data_total", read=f"{tot['read']:,}", loaded=f"{tot['loaded']:,}", rejected=f"{tot['rejected']:,}")
st.markdown(f'<div class="ns-note" data-k="data.totals">{board.esc(totals)}</div>', unsafe_allow_html=True)

st.markdown(f'<div class="ns-section">{board.esc(t("data_rejects"))}</div>', unsafe_allow_html=True)
if rep["reasons"]:
    st.dataframe(pd.DataFrame([{t("col_table"): r["table"], t("col_reason_code"): r["reason_code"],
                                t("col_rows"): r["rows"], t("col_example"): r["example"]} for r in rep["reasons"]]),
                 hide_index=True, width="stretch", key=f"data_reasons_{code}",
                 column_config={t("col_rows"): st.column_config.NumberColumn(format="localized")})
    st.caption(t("data_examples"))
    st.dataframe(pd.DataFrame([{t("col_table"): e["table"], t("col_file"): e["file"], t("col_line"): e["line"],
                                t("col_reason"): e["reason"], t("col_raw_row"): e["raw_row"]}
                               for e in data["examples"]]), hide_index=True, width="stretch",
                 key=f"data_examples_{code}")
    st.download_button(t("data_rejects_csv"), data["csv"], file_name="rejects.csv", mime="text/csv",
                       key=f"data_rejects_csv_{code}")
else:
    st.success(t("data_no_rejects"))

st.markdown(f'<div class="ns-section">{board.esc(t("data_warnings"))}</div>', unsafe_allow_html=True)
if rep["warnings"]:
    st.dataframe(pd.DataFrame([{t("col_table"): w["table"], t("col_field"): w["field"], t("col_value"): w["value"],
                                t("col_attributed"): w["attributed_to"], t("col_rows"): w["rows"]}
                               for w in rep["warnings"]]), hide_index=True, width="stretch",
                 key=f"data_warnings_{code}")
    st.caption(t("data_warnings_fix"))
else:
    st.success(t("data_no_warnings"))

st.markdown(f'<div class="ns-section">{board.esc(t("data_catalog"))}</div>', unsafe_allow_html=True)
catalog = pd.DataFrame([{t("col_metric"): m.label_zh if code == "zh" else m.label_en, t("col_code"): m.name,
                         t("col_kind"): t(f"kind_{m.kind}"), t("col_unit"): m.unit_zh if code == "zh" else m.unit_en,
                         t("col_def_zh"): m.definition_zh, t("col_def_en"): m.definition_en,
                         t("col_filters"): ", ".join(m.filters)} for m in metrics.CATALOG.values()])
st.dataframe(catalog, hide_index=True, width="stretch", key=f"data_catalog_{code}",
             column_config={t("col_def_zh"): st.column_config.TextColumn(width="large"),
                            t("col_def_en"): st.column_config.TextColumn(width="large")})
sql_of = st.selectbox(t("data_sql"), list(metrics.CATALOG), key=f"data_sql_{code}",
                      format_func=lambda n, c=code: f"{n} · {metrics.CATALOG[n].label_zh if c == 'zh' else metrics.CATALOG[n].label_en}")  # noqa: E501
st.code(" ".join(metrics.CATALOG[sql_of].sql.split()), language="sql", wrap_lines=True)
with st.expander(t("data_cohort_defs")):
    st.markdown(text("cohorts_defs_text", code, d=b["last_date"].isoformat() if b["last_date"] else "D"))
    st.markdown(text("growth_defs_text", code, d=b["last_date"].isoformat() if b["last_date"] else "D"))
