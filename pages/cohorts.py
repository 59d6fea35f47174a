"""The Cohorts page, for analysts: member retention (active in month k / on or after k, rate or count) and LTV as
heatmaps with the weighted average row, filters and a breakdown compared as lines, M1 and M3 across cohorts,
station cohort curves, and the members behind any cell with a CSV download (phones masked).

Numbers come from the cohort marts through pipelines.okr.cohorts, as of the data's last date D (not the sidebar's
period, which this page does not show).
"""
import streamlit as st

from pipelines.okr import cohorts
from ui.auth import record, record_once
from ui.components import page_head, section
from ui.data import cohort_members_behind, cohort_rows, versions
from ui.figures import CONFIG
from ui.i18n import t, text
from ui.setup import open_analysis
from ui.views import board
from ui.views import cohorts as uc
from ui.views.warzone import csv_bytes

code, db, opts, reader = open_analysis("cohorts_failed")
d = opts["as_of"]
names = {n["id"]: board.name_of(n, code) for n in opts["nodes"]} | {   # unassigned ones by name too
    z: opts["names"].name(z, code) for z in opts["values"]["war_zone"]}


def label(dim: str, value: str) -> str:
    if value == "":
        return text("unknown", code)
    if dim in ("war_zone", "team", "center"):
        return opts["names"].name(value, code)          # 未归属战区 / Unassigned (East Zone), never a raw id
    return value


page_head(t("cohorts_title"), t("cohorts_as_of", d=d.isoformat()), data_key="cohorts.as_of")
with st.expander(t("cohorts_defs")):
    st.markdown(t("cohorts_defs_text", d=d.isoformat()))
if not opts["months"]:
    st.info(t("no_cohorts"))
    st.stop()

# ---- filters ---------------------------------------------------------------------------------------------------
filters: dict[str, list[str]] = {}
cols = st.columns(6)
for col, dim in zip(cols[:5], ("war_zone", "team", "center", "tier", "province")):
    chosen = col.multiselect(t(f"f_{dim}"), opts["values"][dim], key=f"cf_{dim}_{code}",
                             format_func=lambda v, dim=dim: label(dim, v), placeholder=t("all_values"))
    if chosen:
        filters[dim] = chosen
by = cols[5].selectbox(t("f_by"), [None, "war_zone", "team", "center", "tier", "province"], key=f"cf_by_{code}",
                       format_func=lambda v, c=code: text("by_none", c) if v is None else text(f"f_{v}", c))
months = opts["months"]
start, end = st.select_slider(t("f_range"), options=months, value=(months[max(0, len(months) - 12)], months[-1]),
                              format_func=uc.month_label, key=f"cf_range_{code}")
key = tuple(sorted((k, tuple(v)) for k, v in filters.items()))
rows = cohort_rows(db, "members", None, key, start, end, versions(db))
if not rows:
    st.info(t("no_cohorts"))
    st.stop()
grouped = cohort_rows(db, "members", by, key, start, end, versions(db)) if by else []
group_names = {v: label(by, v) for v in {r["group"] for r in grouped}} if by else {}

tab_ret, tab_ltv, tab_st = st.tabs([t("tab_retention"), t("tab_ltv"), t("tab_stations")])
with tab_ret:
    c1, c2 = st.columns(2)
    measure = c1.radio(t("tab_retention"), ["active", "active_or_after"], horizontal=True, key=f"cm_measure_{code}",
                       format_func=lambda m, c=code: text("measure_active" if m == "active" else "measure_after", c),
                       label_visibility="collapsed")
    unit = c2.radio(t("unit_rate"), ["rate", "count"], horizontal=True, key=f"cm_unit_{code}",
                    format_func=lambda u, c=code: text(f"unit_{u}", c), label_visibility="collapsed")
    st.plotly_chart(uc.heatmap(rows, measure, unit, code), key=f"heat_{code}",
                    config=CONFIG)
    st.caption(t("partial_note", d=d.isoformat()))
    if by:
        section(t("lines_by"))
        st.plotly_chart(uc.breakdown_lines(grouped, measure, group_names, code), key=f"lines_{code}",
                        config=CONFIG)
    section(t("over_time"))
    st.plotly_chart(uc.over_time(rows, measure, code), key=f"over_{code}",
                    config=CONFIG)

    # ---- the members behind a cell ------------------------------------------------------------------------------
    section(t("drill"))
    cohort_months = sorted({r["cohort_month"] for r in rows})
    c1, c2 = st.columns(2)
    pick = c1.selectbox(t("drill_cohort"), cohort_months, index=len(cohort_months) - 1, key=f"drill_m_{code}",
                        format_func=uc.month_label)
    width = max(r["month_index"] for r in rows if r["cohort_month"] == pick)
    k = c2.selectbox(t("drill_index"), list(range(width + 1)), key=f"drill_k_{code}_{pick}",
                     format_func=lambda i: f"M{i}")
    limit = uc.DRILL_LIMIT
    cell = next(r for r in rows if r["cohort_month"] == pick and r["month_index"] == k)
    # The list is read on request: at 10M members a big cohort's list takes ~150 ms, the rest of the page ~50 ms.
    if not st.toggle(t("drill_show", n=f"{cell[measure]:,}"), key=f"drill_show_{code}"):
        st.caption(t("drill_hint"))
    elif behind := cohort_members_behind(db, pick, k, measure, key, limit, versions(db), reader.pii):
        total = cell[measure]
        what = f"cohort {uc.month_label(pick)} M{k} {measure}"
        if reader.pii:          # phones unmasked for this reader: recorded once a session per cell
            record_once(db, "pii_view", what, len(behind))
        st.caption(t("drill_count", n=f"{total:,}") if total <= limit else
                   t("drill_count_partial", n=f"{total:,}", limit=f"{limit:,}"))
        frame = uc.behind_frame(behind, names, code)
        st.dataframe(frame, hide_index=True, width="stretch", height=min(38 + 35 * len(frame), 360))

        def whole_csv(pick=pick, k=k, measure=measure, key=key, code=code) -> bytes:
            """Every member of the cell, read when the button is clicked (not on every rerun)."""
            every = cohort_members_behind(db, pick, k, measure, key, None, versions(db), reader.pii)
            return csv_bytes(uc.behind_frame(every, names, code))

        st.download_button(t("download_csv_all", n=f"{total:,}"), whole_csv if total > limit else csv_bytes(frame),
                           mime="text/csv", key=f"drill_csv_{code}", on_click=record,
                           args=(db, "export", what + (" (phones unmasked)" if reader.pii else ""), total),
                           file_name=f"cohort-{uc.month_label(pick)}-M{k}-{measure}.csv")
    else:
        st.info(t("drill_none"))

with tab_ltv:
    st.plotly_chart(uc.heatmap(rows, "ltv", "rate", code), key=f"ltv_heat_{code}",
                    config=CONFIG)
    st.caption(t("partial_note", d=d.isoformat()))
    if by:
        section(t("lines_by"))
        st.plotly_chart(uc.breakdown_lines(grouped, "ltv", group_names, code), key=f"ltv_lines_{code}",
                        config=CONFIG)

with tab_st:
    st_by = by if by in cohorts.STATION_DIMS else None
    st_filters = tuple((k_, v) for k_, v in key if k_ in cohorts.STATION_DIMS)
    st_rows = cohort_rows(db, "stations", st_by, st_filters, start, end, versions(db))
    st_names = {v: label(st_by, v) for v in {r["group"] for r in st_rows}} if st_by else {}
    if not st_rows:
        st.info(t("no_cohorts"))
    else:
        for field, col in zip(("survival", "members_per_station", "gmv_per_station"), st.columns(3)):
            with col:
                st.plotly_chart(uc.station_curves(st_rows, field, st_names, code), key=f"st_{field}_{code}",
                                config=CONFIG)
