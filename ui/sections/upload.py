"""The Data page's upload: files in → a trial build on a copy (pipelines.warehouse.importer.check_apart: what each file
is, rows read / loaded / rejected, the reasons, a preview) → the reader confirms → the raw folder's files are replaced
(or added to) with a backup and the warehouse rebuilt, with progress. Nothing changes before the confirmation.
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st

from pipelines.base import paths
from pipelines.base.errors import NorthstarError
from pipelines.base.labels import Words, words
from pipelines.base.progress import Progress
from pipelines.okr import pacebuild
from pipelines.plan.access import User
from pipelines.warehouse import importer
from ui.components import section
from ui.data import drop_upload, examples_frame, goal_tree, upload_folder
from ui.i18n import error_text, fmt_list, md, reason_word, t, text, tm


def named(text: str, files: list[tuple[Path, str]]) -> str:
    """`text` (a sentence, or Words with values) with each checked file's server path (and its folder) replaced by
    the name it was uploaded as."""
    def one(value: str) -> str:
        for path, name in files:
            value = value.replace(str(path), name)
        return value.replace(str(files[0][0].parent) + "/", "") if files else value

    return text.map(one) if isinstance(text, Words) else one(text)


def load_section(db: str, code: str, max_mb: int, reader: User) -> None:
    """Upload → report (a trial build) → confirm → replace with a backup and rebuild, with progress. Admins only
    (pipelines.plan.access); pages/data.py does not draw it for anyone else, and it refuses again here."""
    section(t("load_title"))
    if not reader.can_upload:
        st.caption(t("load_denied"))
        return
    st.caption(t("load_help", mb=max_mb))
    uploads = st.file_uploader(t("load_files"), accept_multiple_files=True,
                               key=f"load_files_{st.session_state.get('load_round', 0)}")
    if not uploads:
        return
    too_big = [t("load_too_big", name=u.name, size=u.size / 1e6, mb=max_mb) for u in uploads if u.size > max_mb * 1e6]
    if too_big:
        st.error(t("load_problems", n=len(too_big)) + "\n\n" + "\n".join(f"- {md(p)}" for p in too_big))
        return
    # a file whose name says it is one day's (orders-2026-11-25.csv) is added beside the others by default: the
    # safe choice; replacing a table stays one click away
    day_files = all(importer.one_days_file(u.name) for u in uploads)
    add = st.radio(t("load_mode"), ["replace", "add"], key="load_mode", horizontal=True, help=t("load_mode_help"),
                   index=1 if day_files else 0, format_func=lambda m, c=code: text(f"load_mode_{m}", c)) == "add"
    key = (tuple((u.file_id, u.name) for u in uploads), add)
    if st.session_state.get("load_key") != key:
        drop_upload(st.session_state.pop("load_folder", None))       # the upload this one replaces
        folder = st.session_state["load_folder"] = upload_folder(db)
        files = []
        for i, u in enumerate(uploads):
            path = folder / f"{i}{Path(u.name).suffix.lower()}"
            path.write_bytes(u.getvalue())
            files.append((path, u.name))
        if any(Path(u.name).suffix.lower() in (".xlsx", ".xlsm") and u.size > 2e6 for u in uploads):
            st.info(t("load_xlsx_slow"))
        with st.status(t("load_checking")) as status:
            def progress(name, rows, seconds):
                status.update(label=t("load_checking_rows", name=name, n=f"{rows:,}", s=f"{seconds:.0f}") if name
                              else t("load_checking_time", s=f"{seconds:.0f}"))

            report = importer.check_apart(files, paths.raw_dir(), paths.config_dir(), db=Path(db), add=add,
                                          on_progress=progress)
            status.update(label=t("load_checking"), state="complete")
        # a message names the file as the person uploaded it, never the server's folder it was checked in
        report.problems = [named(p, files) for p in report.problems]
        report.shrink = [named(p, files) for p in report.shrink]
        from ui.auth import record

        # a trial upload parses (and shows) the rows on the server, phones included: it is audited like an import
        record(db, "upload_check", ", ".join(u.name for u in uploads)[:300] + (" (add)" if add else " (replace)"),
               sum(c["read"] for c in report.counts()) if report.result is not None else None)
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
                 + "\n".join(f"- {md(words(p, code))}" for p in report.problems))
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
            words(p, code) for p in report.shrink)))
        allow = st.checkbox(t("load_shrink_ok"), key="load_shrink_ok")
    if st.button(t("load_confirm"), type="primary", key="load_confirm", disabled=not allow):
        start = time.perf_counter()
        with st.status(t("load_running"), expanded=True) as status:
            progress = Progress(sink=lambda line: status.write(line.strip()))
            try:
                result, backup = importer.apply(report, paths.raw_dir(), paths.config_dir(), Path(db),
                                                allow_shrink=bool(report.shrink) and allow,
                                                progress=progress, derive=pacebuild.derive)
            except NorthstarError as exc:
                status.update(state="error", label=t("load_failed", err=str(exc).splitlines()[0]))
                st.error(tm("load_failed", err=error_text(exc, code)))
                return
            status.update(state="complete", expanded=False, label=t("load_done_label", s=time.perf_counter() - start))
        from ui.auth import record

        record(db, "upload", ", ".join(u.name for u in uploads) + (" (add)" if add else " (replace)"),
               sum(result.tables.values()) if getattr(result, "tables", None) else None)
        st.session_state.pop("load_key", None)
        drop_upload(st.session_state.pop("load_folder", None))       # imported: the raw folder has the files now
        st.session_state["load_round"] = st.session_state.get("load_round", 0) + 1     # an empty uploader again
        st.session_state["data_flash"] = tm("load_done", d=result.last_date.isoformat() if result.last_date else "—",
                                           backup=backup or "—")
        st.cache_data.clear()          # (every read is keyed by the warehouse's version: this frees the old ones)
        goal_tree.clear()
        st.rerun()
