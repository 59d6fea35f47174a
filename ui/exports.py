"""Files that leave the app from the board and the war-zone page: the goal tree as an Excel workbook
(pipelines.treexlsx), made from the reader's own tree (their scope), built only when the button is clicked, and
recorded in the audit like every export of rows."""
from __future__ import annotations

import streamlit as st

from pipelines import treexlsx
from pipelines.goaltree import GoalTree
from ui.auth import record, viewer
from ui.i18n import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tree_xlsx_button(tree: GoalTree, code: str, db: str) -> None:
    """A sidebar button (the board keeps its one screen): the month's goal tree as .xlsx in the reader's language."""
    name = f"goal-tree-{tree.month}-{tree.as_of.isoformat()}.xlsx"
    user = viewer()
    scope = None if user.all_zones else t("xlsx_scope", who=user.label())
    st.sidebar.download_button(t("download_xlsx"), data=lambda: treexlsx.workbook(tree, code, scope), file_name=name,
                               mime=XLSX, key=f"xlsx_{code}", icon=":material/table_view:", on_click=record,
                               args=(db, "export", name, len(tree.nodes)))
