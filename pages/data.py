"""The Data page: how fresh and complete the data is (per file: rows read / loaded / rejected, last date; the
build), what was rejected and why (by reason, examples, every row as CSV), the values the org does not know, and
the metric catalog — the same module the numbers are computed from — with the cohort and growth definitions.
"""
import os
import time
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipelines import freshness, importer, metrics, paths
from pipelines.errors import NorthstarError
from pipelines.progress import Progress
from ui import board
from ui.data import WarehouseMissing, data_report, drop_upload, examples_frame, node_names, upload_folder, versions
from ui.i18n import error_sentence, error_text, fmt_list, fmt_time, md, reason_text, reason_word, t, text, tm
from ui.setup import start_page, today

code, db = start_page()
MAX_MB = int(os.environ.get("NORTHSTAR_MAX_UPLOAD_MB", "200") or 200)


def load_section() -> None:
    """Upload → report (a trial build) → confirm → replace with a backup and rebuild, with progress."""
    st.markdown(f'<div class="ns-section">{board.esc(t("load_title"))}</div>', unsafe_allow_html=True)
    st.caption(t("load_help", mb=MAX_MB))
    uploads = st.file_uploader(t("load_files"), accept_multiple_files=True,
                               key=f"load_files_{st.session_state.get('load_round', 0)}")
    if not uploads:
        return
    too_big = [t("load_too_big", name=u.name, size=u.size / 1e6, mb=MAX_MB) for u in uploads if u.size > MAX_MB * 1e6]
    if too_big:
        st.error(t("load_problems", n=len(too_big)) + "\n\n" + "\n".join(f"- {md(p)}" for p in too_big))
        return
    add = st.radio(t("load_mode"), ["replace", "add"], key="load_mode", horizontal=True, help=t("load_mode_help"),
                   format_func=lambda m, c=code: text(f"load_mode_{m}", c)) == "add"
    key = (tuple((u.file_id, u.name) for u in uploads), add)
    if st.session_state.get("load_key") != key:
        drop_upload(st.session_state.pop("load_folder", None))       # the upload this one replaces
        folder = st.session_state["load_folder"] = upload_folder(db)
        files = []
        for i, u in enumerate(uploads):
            path = folder / f"{i}{Path(u.name).suffix.lower()}"
            path.write_bytes(u.getvalue())
            files.append((path, u.name))
        with st.spinner(t("load_checking")):
            report = importer.check_apart(files, paths.raw_dir(), paths.config_dir(), db=Path(db), add=add)
        st.session_state["load_key"], st.session_state["load_report"] = key, report
    report = st.session_state["load_report"]
    for inc in report.files:
        if inc.table:
            st.markdown("- " + tm("load_detected", name=inc.name, table=inc.table, how=t("how_" + inc.how)))
    if report.result is not None:
        st.caption(t("load_report"))
        st.dataframe(pd.DataFrame([{t("col_file"): c["file"], t("col_table"): c["table"], t("col_read"): c["read"],
                                    t("col_loaded"): c["loaded"], t("col_rejected"): c["rejected"]}
                                   for c in report.counts()]), hide_index=True, width="stretch", key="load_counts")
        tables = {i.table for i in report.files}
        reasons = [(tb, code_, n) for tb, code_, n in report.result.reasons if tb in tables]
        if reasons:
            st.caption(t("load_reasons"))
            st.dataframe(pd.DataFrame([{t("col_table"): tb, t("col_reason"): reason_word(c_, code), t("col_rows"): n}
                                       for tb, c_, n in reasons]), hide_index=True, width="stretch",
                         key="load_reasons")
            st.caption(t("load_examples"))
            st.dataframe(examples_frame(report.examples, code), hide_index=True, width="stretch",
                         key="load_examples")
        for name, rows in report.previews.items():
            if rows:
                with st.expander(tm("load_preview", name=name)):
                    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if report.problems:
        st.error(t("load_problems", n=len(report.problems)) + "\n\n"
                 + "\n".join(f"- {md(error_sentence(p, code))}" for p in report.problems))
        return
    if report.replaced:       # plainly: which files go (to the backup), which stay
        st.markdown(tm("load_replaces", n=len(report.replaced), files=fmt_list(report.replaced, code)))
    else:
        st.markdown(t("load_replaces_none"))
    if report.kept:
        st.caption(tm("load_keeps", n=len(report.kept), files=fmt_list(report.kept, code)))
    st.caption(t("load_nothing_yet"))
    allow = True
    if report.shrink:          # it would lose data the warehouse has: a second, explicit confirmation
        st.warning(tm("load_shrink", what=("；" if code == "zh" else "; ").join(
            error_sentence(p, code) for p in report.shrink)))
        allow = st.checkbox(t("load_shrink_ok"), key="load_shrink_ok")
    if st.button(t("load_confirm"), type="primary", key="load_confirm", disabled=not allow):
        start = time.perf_counter()
        with st.status(t("load_running"), expanded=True) as status:
            progress = Progress(sink=lambda line: status.write(line.strip()))
            try:
                result, backup = importer.apply(report, paths.raw_dir(), paths.config_dir(), Path(db),
                                                allow_shrink=bool(report.shrink) and allow,
                                                progress=progress)
            except NorthstarError as exc:
                status.update(state="error", label=t("load_failed", err=str(exc).splitlines()[0]))
                st.error(tm("load_failed", err=error_text(exc, code)))
                return
            status.update(state="complete", expanded=False, label=t("load_done_label", s=time.perf_counter() - start))
        st.session_state.pop("load_key", None)
        drop_upload(st.session_state.pop("load_folder", None))       # imported: the raw folder has the files now
        st.session_state["load_round"] = st.session_state.get("load_round", 0) + 1     # an empty uploader again
        st.session_state["data_flash"] = tm("load_done", d=result.last_date.isoformat() if result.last_date else "—",
                                           backup=backup or "—")
        st.cache_data.clear()
        st.rerun()


try:
    data = data_report(db, today(), versions(db))
except (NorthstarError, WarehouseMissing, duckdb.Error) as exc:
    st.error(tm("data_failed", err=str(exc).splitlines()[0]))
    st.info(t("tree_hint"))
    st.stop()
rep = data["report"]
b = rep["build"]

st.markdown(f'<div class="ns-head"><h1>{board.esc(t("data_title"))}</h1></div>', unsafe_allow_html=True)
flash = st.session_state.pop("data_flash", None)
if flash:
    st.success(flash)
fresh = t("data_fresh", d=b["last_date"].isoformat(), n=rep["days_old"]) if b["last_date"] else t("no_dates")
status = "off_track" if rep["stale"] else "on_track"
word = t("data_stale_word") if rep["stale"] else t("data_fresh_ok")
icon = "✖" if rep["stale"] else "✔"
if rep["sample"]:
    status, icon, word = "no_target", "○", t("sample_data")
    fresh = t("data_sample", d=b["last_date"].isoformat())
st.markdown(f'<div class="ns-tally ns-plan-status"><span class="ns-chip ns-{status}" data-k="data.fresh">{icon} '
            f'{board.esc(word)}</span><span data-k="data.last">{board.esc(fresh)}</span></div>',
            unsafe_allow_html=True)
if rep["stale"]:
    st.warning(t("data_stale", n=freshness.STALE_AFTER_DAYS))
st.caption(tm("data_built", at=fmt_time(b["built_at"], code, b["time_zone"]), s=b["seconds"],
             as_of=b["as_of"].isoformat(),
             raw=b["raw_dir"]))

load_section()

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
    st.dataframe(pd.DataFrame([{t("col_table"): r["table"], t("col_reason"): reason_word(r["reason_code"], code),
                                t("col_rows"): r["rows"], t("col_example"): reason_text(r["example"], code)} for r in rep["reasons"]]),
                 hide_index=True, width="stretch", key=f"data_reasons_{code}",
                 column_config={t("col_rows"): st.column_config.NumberColumn(format="localized")})
    st.caption(t("data_examples"))
    st.dataframe(examples_frame(data["examples"], code), hide_index=True, width="stretch",
                 key=f"data_examples_{code}")
    st.download_button(t("data_rejects_csv"), data["csv"], file_name="rejects.csv", mime="text/csv",
                       key=f"data_rejects_csv_{code}")
else:
    st.success(t("data_no_rejects"))

st.markdown(f'<div class="ns-section">{board.esc(t("data_warnings"))}</div>', unsafe_allow_html=True)
if rep["warnings"]:
    names = node_names(db, versions(db))
    st.dataframe(pd.DataFrame([{t("col_table"): w["table"], t("col_field"): w["field"], t("col_value"): w["value"],
                                t("col_attributed"): names.name(w["attributed_to"], code), t("col_rows"): w["rows"]}
                               for w in rep["warnings"]]), hide_index=True, width="stretch",
                 key=f"data_warnings_{code}")
    st.caption(t("data_warnings_fix"))
else:
    st.success(t("data_no_warnings"))

st.markdown(f'<div class="ns-section">{board.esc(t("data_checks"))}</div>', unsafe_allow_html=True)
if rep["checks"]:          # the data tests every build runs (pipelines/sql/tests): a failing one stops the build
    st.dataframe(pd.DataFrame([{t("col_check"): c[code], t("col_result"): t("data_check_ok") if not c["failing"]
                                else t("data_check_failed", n=c["failing"]), t("col_test"): c["name"]}
                               for c in rep["checks"]]), hide_index=True, width="stretch", key=f"data_checks_{code}")
    st.caption(t("data_checks_help"))
else:
    st.caption(t("data_checks_none"))

st.markdown(f'<div class="ns-section">{board.esc(t("data_catalog"))}</div>', unsafe_allow_html=True)
# the reader's language first and wide; the other beside it, for whoever needs both
first, second = ("col_def_zh", "col_def_en") if code == "zh" else ("col_def_en", "col_def_zh")
catalog = pd.DataFrame([{t("col_metric"): m.label_zh if code == "zh" else m.label_en, t("col_code"): m.name,
                         t("col_kind"): t(f"kind_{m.kind}"), t("col_unit"): m.unit_zh if code == "zh" else m.unit_en,
                         t(first): getattr(m, first[4:].replace("def", "definition")),
                         t(second): getattr(m, second[4:].replace("def", "definition")),
                         t("col_filters"): ", ".join(m.filters)} for m in metrics.CATALOG.values()])
st.dataframe(catalog, hide_index=True, width="stretch", key=f"data_catalog_{code}",
             column_config={t(first): st.column_config.TextColumn(width="large"),
                            t(second): st.column_config.TextColumn(width="medium")})
sql_of = st.selectbox(t("data_sql"), list(metrics.CATALOG), key=f"data_sql_{code}",
                      format_func=lambda n, c=code: f"{n} · {metrics.CATALOG[n].label_zh if c == 'zh' else metrics.CATALOG[n].label_en}")  # noqa: E501
st.code(" ".join(metrics.CATALOG[sql_of].sql.split()), language="sql", wrap_lines=True)
with st.expander(t("data_cohort_defs")):
    st.markdown(text("cohorts_defs_text", code, d=b["last_date"].isoformat() if b["last_date"] else "D"))
    st.markdown(text("growth_defs_text", code, d=b["last_date"].isoformat() if b["last_date"] else "D"))
