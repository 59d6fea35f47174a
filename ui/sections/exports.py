"""Files that leave the app from the board and the war-zone page: the goal tree as an Excel workbook
(pipelines.delivery.treexlsx), and the board as a picture and a page (pipelines.delivery.render), made from the reader's
own view (their scope), built only when the button is clicked, and recorded in the audit like every export."""
from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from pipelines.base.errors import NorthstarError
from pipelines.delivery import render, treexlsx
from pipelines.okr.goaltree import GoalTree
from pipelines.plan.access import User
from ui.auth import record
from ui.i18n import error_text, t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tree_xlsx_button(tree: GoalTree, code: str, db: str, reader: User) -> None:
    """A sidebar button (the board keeps its one screen): the month's goal tree as .xlsx in the reader's language."""
    name = f"goal-tree-{tree.month}-{tree.as_of.isoformat()}.xlsx"
    scope = None if reader.all_zones else t("xlsx_scope", who=reader.label())
    st.sidebar.download_button(t("download_xlsx"), data=lambda: treexlsx.workbook(tree, code, scope), file_name=name,
                               mime=XLSX, key=f"xlsx_{code}", icon=":material/table_view:", on_click=record,
                               args=(db, "export", name, len(tree.nodes)))


@st.cache_resource
def _render_lock() -> threading.BoundedSemaphore:
    """One render at a time on this server (each starts a dashboard and a Chromium: about 0.5 GB for ~10 s)."""
    return threading.BoundedSemaphore(1)


def _render(db: str, user, code: str, month: str, as_of) -> render.Rendered:
    lock = _render_lock()
    with st.sidebar.status(t("render_running"), expanded=True) as status:
        if not lock.acquire(blocking=False):
            status.write(t("render_waiting"))
            lock.acquire()
        try:
            done = render.render_board(Path(db), user, code, month, as_of)
        except NorthstarError as exc:
            status.update(state="error", label=t("render_failed"))
            st.sidebar.error(t("render_failed_why", err=error_text(exc)))
            return None
        finally:
            lock.release()
        status.update(state="complete", expanded=False, label=t("render_done", s=done.seconds))
    return done


def board_files_buttons(tree: GoalTree, code: str, db: str, reader: User) -> None:
    """The board as a phone-width picture (PNG) and one A4 page (PDF), drawn by the same renderer as the morning
    brief (pipelines.delivery.render) in the reader's scope, language, month and as-of. Drawing takes ~10 s: one button
    draws both, then two download buttons hand them out (each download is in the audit)."""
    key = (code, tree.month, tree.as_of.isoformat(), reader.id)
    if st.sidebar.button(t("render_board"), key="render_board", icon=":material/image:"):
        done = _render(db, reader, code, tree.month, tree.as_of)
        if done is not None:
            st.session_state["ns_board_files"] = (key, done.png, done.pdf)
    kept = st.session_state.get("ns_board_files")
    if not kept or kept[0] != key:         # another month, language or person: draw again
        return
    stem = f"northstar-board-{tree.month}-{tree.as_of.isoformat()}-{code}"
    png_col, pdf_col = st.sidebar.columns(2)
    png_col.download_button(t("download_png"), data=kept[1], file_name=f"{stem}.png", mime="image/png",
                            key="png_board", on_click=record, args=(db, "export", f"{stem}.png"))
    pdf_col.download_button(t("download_pdf"), data=kept[2], file_name=f"{stem}.pdf", mime="application/pdf",
                            key="pdf_board", on_click=record, args=(db, "export", f"{stem}.pdf"))
