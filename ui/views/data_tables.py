"""The Data page's tables, built for people in the reader's language: the files (rows read / loaded / rejected),
the rejected rows by reason, the values the org does not know, the data tests, and the metric catalog. Each
returns a DataFrame (and the column settings it needs); pages/data.py lays them out."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pipelines.base import metrics
from pipelines.base.labels import LABELS
from ui.i18n import reason_text, reason_word, t


def _counts(*keys: str) -> dict:
    return {t(k): st.column_config.NumberColumn(format="localized") for k in keys}


def table_word(table: str) -> str:
    """"订单表" / "orders" (issue 36.10: the contract's table names on a Chinese page)."""
    key = f"data_table_{table}"
    return t(key) if key in LABELS else table


def field_word(field: str) -> str:
    """A raw column the org checks, in words: "渠道（channel）" — the column's own name kept, to find it in the file."""
    key = f"field_{field}"
    return t(key) if key in LABELS else field


def files(rep: dict) -> tuple[pd.DataFrame, dict]:
    frame = pd.DataFrame([{t("col_table"): table_word(f["table"]), t("col_file"): f["file"],
                           t("col_format"): f["format"],
                           t("col_encoding"): f["encoding"], t("col_read"): f["read"], t("col_loaded"): f["loaded"],
                           t("col_rejected"): f["rejected"],
                           t("col_last_date"): f["last_date"].isoformat() if f["last_date"] else "—",
                           t("col_note"): f["note"] or ""} for f in rep["files"]])
    return frame, _counts("col_read", "col_loaded", "col_rejected")


def totals(rep: dict) -> str:
    tot = rep["totals"]
    return t("data_total", read=f"{tot['read']:,}", loaded=f"{tot['loaded']:,}", rejected=f"{tot['rejected']:,}")


def reasons(rep: dict, code: str) -> tuple[pd.DataFrame, dict]:
    frame = pd.DataFrame([{t("col_table"): table_word(r["table"]), t("col_reason"): reason_word(r["reason_code"], code),
                           t("col_rows"): r["rows"],
                           t("col_example"): reason_text(r["example_code"], r["example_args"], r["example"], code)}
                          for r in rep["reasons"]])
    return frame, _counts("col_rows")


def warnings(rep: dict, names, code: str) -> tuple[pd.DataFrame, dict]:
    """Values the org does not know, with the node their rows went to (named, never a raw `…/unassigned` id)."""
    frame = pd.DataFrame([{t("col_table"): table_word(w["table"]), t("col_field"): field_word(w["field"]),
                           t("col_value"): w["value"], t("col_attributed"): names.name(w["attributed_to"], code),
                           t("col_rows"): w["rows"]} for w in rep["warnings"]])
    return frame, _counts("col_rows")


def checks(rep: dict, code: str) -> tuple[pd.DataFrame, dict]:
    """The data tests every build runs (pipelines/warehouse/sql/tests): a failing one stops the build. The rule gets
    the width (issue 36.14: cut at the cell's edge), the test's file name the least."""
    frame = pd.DataFrame([{t("col_check"): c[code], t("col_result"): t("data_check_ok") if not c["failing"]
                           else t("data_check_failed", n=c["failing"]), t("col_test"): c["name"]}
                          for c in rep["checks"]])
    return frame, {t("col_check"): st.column_config.TextColumn(width="large"),
                   t("col_result"): st.column_config.TextColumn(width="small"),
                   t("col_test"): st.column_config.TextColumn(width="small")}


def freshness_chip(rep: dict) -> tuple[str, str, str, str]:
    """(status class, icon, word, sentence) of how fresh the data is: stale after freshness.STALE_AFTER_DAYS; the
    sample says it is the sample."""
    b = rep["build"]
    if rep["sample"]:
        return "no_target", "○", t("sample_data"), t("data_sample", d=b["last_date"].isoformat())
    fresh = t("data_fresh", d=b["last_date"].isoformat(), n=rep["days_old"]) if b["last_date"] else t("no_dates")
    if rep["stale"]:
        return "off_track", "✖", t("data_stale_word"), fresh
    return "on_track", "✔", t("data_fresh_ok"), fresh


def catalog(code: str) -> pd.DataFrame:
    """Every metric of the catalog (pipelines.base.metrics): the reader's language first, the other after."""
    first, second = ("zh", "en") if code == "zh" else ("en", "zh")
    frame = pd.DataFrame([{t("col_metric"): m.label_zh if code == "zh" else m.label_en, t("col_code"): m.name,
                           t("col_kind"): t(f"kind_{m.kind}"), t("col_measure"): t(f"measure_{m.measure}"),
                           t("col_better"): t(f"better_{m.better}"),
                           t("col_unit"): m.unit_zh if code == "zh" else m.unit_en,
                           t(f"col_def_{first}"): getattr(m, f"definition_{first}"),
                           t(f"col_def_{second}"): getattr(m, f"definition_{second}"),
                           t("col_filters"): ", ".join(m.filters)} for m in metrics.CATALOG.values()])
    return frame


def catalog_html(frame: pd.DataFrame) -> str:
    """The catalog as a table that wraps its text (issue 36.14: the definitions were cut at the grid's cell edge),
    in a box that scrolls sideways on a phone."""
    from ui.components import table_html

    return f'<div class="ns-scroll">{table_html(frame, "ns-ptable ns-wraptable", key="data.catalog")}</div>'


def metric_label(name: str, code: str) -> str:
    m = metrics.CATALOG[name]
    return f"{name} · {m.label_zh if code == 'zh' else m.label_en}"
