"""The plan store's logs on the Data page, newest first.

- The pulls from the company's database (pipelines.warehouse.pull): each table's rows read, new and changed, and where
  the next pull starts; shown once there has been one.
- The briefs sent (pipelines.delivery.dispatch): every morning brief, alert and failed-refresh line, delivered or not,
  with what the service answered; for every reader of the Data page (no personal data in it).
- The audit, for admins: every sign-in (and refusal), plan change, check-in, export of rows, unmasked view of
  personal data and account change; exported as CSV (the export is itself recorded). Other readers do not get this
  section (pipelines.plan.access: `can_audit`)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from pipelines.plan.access import User
from pipelines.plan.store import PlanStore, store_path
from ui.auth import record
from ui.components import section
from ui.i18n import fmt_time, t, text
from ui.views.warzone import csv_bytes

LIMIT = 500
ACTIONS = ("sign_in", "sign_in_refused", "sign_out", "plan_change", "checkin", "import", "export", "pii_view",
           "account", "upload", "upload_check", "download_refused")


def audit_frame(rows: list[dict], lang: str) -> pd.DataFrame:
    return pd.DataFrame([{text("audit_at", lang): fmt_time(r["at"], lang), text("audit_who", lang): r["who"],
                          text("audit_action", lang): text(f"audit_{r['action']}", lang)
                          if r["action"] in ACTIONS else r["action"],
                          text("audit_what", lang): what_words(r["action"], r["what"], lang),
                          text("audit_rows", lang): "—" if r["rows"] is None else f"{r['rows']:,}"} for r in rows],
                        columns=[text(k, lang) for k in ("audit_at", "audit_who", "audit_action", "audit_what",
                                                         "audit_rows")])


def what_words(action: str, what: str | None, lang: str) -> str:
    """An audit row's What for a reader: how a sign-in was made in words ("密码登录", "单点登录（OIDC） iss=… sub=…",
    "账户已锁定"), "—" for nothing (a sign-out); anything else (a file, an export's name) as recorded."""
    if not what:
        return "—"
    if action in ("sign_in", "sign_in_refused", "sign_out"):
        how, _, rest = what.partition(" ")
        if how in ("password", "oidc", "locked"):
            return f"{text(f'audit_via_{how}', lang)} {rest}".strip()
    return what


BRIEFS = 50


def briefs_frame(rows: list[dict], lang: str) -> pd.DataFrame:
    cols = ("briefs_at", "briefs_channel", "briefs_kind", "briefs_view", "briefs_result", "briefs_detail")
    return pd.DataFrame([dict(zip((text(c, lang) for c in cols), (
        fmt_time(r["at"], lang), r["channel"], text(f"briefs_{r['kind']}", lang) if r["kind"] in
        ("brief", "alert", "build_failed") else r["kind"],
        " · ".join(v for v in (r["month"], r["as_of"]) if v) or "—",
        text("briefs_ok" if r["ok"] else "briefs_failed", lang), r["detail"]))) for r in rows],
        columns=[text(c, lang) for c in cols])


def briefs_section(db: str, code: str) -> None:
    """The latest sends of the brief and their results (a failed one says so in words and red)."""
    section(t("briefs_title"), t("briefs_note", n=BRIEFS))
    path = store_path(Path(db))
    rows = []
    if path.exists():
        with PlanStore(path, read_only=True) as store:
            rows = store.runs.brief_log(BRIEFS)
    if not rows:
        st.caption(t("briefs_none"))
        return
    frame = briefs_frame(rows, code)
    result = text("briefs_result", code)
    styled = frame.style.map(lambda v: "color: #b91c1c; font-weight: 600" if str(v).startswith("✖") else
                             "color: #15803d", subset=[result])
    st.dataframe(styled, hide_index=True, width="stretch", key=f"briefs_{code}", height=min(36 + 35 * len(rows), 320))


PULLS = 30


def pulls_frame(rows: list[dict], lang: str) -> pd.DataFrame:
    cols = ("pulls_at", "pulls_table", "pulls_read", "pulls_new", "pulls_changed", "pulls_next")

    def next_from(r):
        mark = json.loads(r["watermark"]) if r["watermark"] else None
        return f"{mark['column']} ≥ {mark['value']}" if mark else text("pulls_everything", lang)

    return pd.DataFrame([dict(zip((text(c, lang) for c in cols), (
        fmt_time(r["at"], lang), f"{r['source']}.{r['table_name']}" + (" (--full)" if r["full"] else ""),
        f"{r['rows_read']:,}", f"{r['rows_new']:,}", f"{r['rows_changed']:,}", next_from(r)))) for r in rows],
        columns=[text(c, lang) for c in cols])


def pulls_section(db: str, code: str) -> None:
    """The latest pulls (admin guide, "Pulling from the company's database"); nothing when data comes from files."""
    path = store_path(Path(db))
    if not path.exists():
        return
    with PlanStore(path, read_only=True) as store:
        rows = store.runs.pull_log(PULLS) if store.runs.has_pulls() else []
    if not rows:
        return
    section(t("pulls_title"), t("pulls_note", n=PULLS))
    st.dataframe(pulls_frame(rows, code), hide_index=True, width="stretch", key=f"pulls_{code}",
                 height=min(36 + 35 * len(rows), 320))


def audit_section(db: str, code: str, reader: User) -> None:
    if not reader.can_audit:
        return
    section(t("audit_title"), t("audit_note", n=LIMIT))
    path = store_path(Path(db))
    if not path.exists():
        st.caption(t("audit_none"))
        return
    with PlanStore(path, read_only=True) as store:
        rows = store.runs.audit_log(LIMIT)
    if not rows:
        st.caption(t("audit_none"))
        return
    frame = audit_frame(rows, code)
    st.dataframe(frame, hide_index=True, width="stretch", key=f"audit_{code}", height=320)
    st.download_button(t("audit_csv"), csv_bytes(frame), file_name="audit.csv", mime="text/csv",
                       key=f"audit_csv_{code}", on_click=record, args=(db, "export", "audit.csv", len(rows)))
