"""The audit, for admins on the Data page: every sign-in (and refusal), plan change, check-in, export of rows,
unmasked view of personal data and account change, newest first, from the plan store; exported as CSV (the export
is itself recorded). Other readers do not get this section (pipelines.access: `can_audit`)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from pipelines.planstore import PlanStore, store_path
from ui.auth import record, viewer
from ui.components import section
from ui.i18n import fmt_time, t, text
from ui.warzone import csv_bytes

LIMIT = 500
ACTIONS = ("sign_in", "sign_in_refused", "sign_out", "plan_change", "checkin", "import", "export", "pii_view",
           "account", "upload")


def audit_frame(rows: list[dict], lang: str) -> pd.DataFrame:
    return pd.DataFrame([{text("audit_at", lang): fmt_time(r["at"], lang), text("audit_who", lang): r["who"],
                          text("audit_action", lang): text(f"audit_{r['action']}", lang)
                          if r["action"] in ACTIONS else r["action"],
                          text("audit_what", lang): r["what"],
                          text("audit_rows", lang): "—" if r["rows"] is None else f"{r['rows']:,}"} for r in rows],
                        columns=[text(k, lang) for k in ("audit_at", "audit_who", "audit_action", "audit_what",
                                                         "audit_rows")])


def audit_section(db: str, code: str) -> None:
    if not viewer().can_audit:
        return
    section(t("audit_title"), t("audit_note", n=LIMIT))
    path = store_path(Path(db))
    if not path.exists():
        st.caption(t("audit_none"))
        return
    with PlanStore(path, read_only=True) as store:
        rows = store.audit_log(LIMIT)
    if not rows:
        st.caption(t("audit_none"))
        return
    frame = audit_frame(rows, code)
    st.dataframe(frame, hide_index=True, width="stretch", key=f"audit_{code}", height=320)
    st.download_button(t("audit_csv"), csv_bytes(frame), file_name="audit.csv", mime="text/csv",
                       key=f"audit_csv_{code}", on_click=record, args=(db, "export", "audit.csv", len(rows)))
