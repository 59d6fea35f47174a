"""The Growth page, for analysts and leadership: how the network grows month by month — stations opened and
closed, members joined and refunded, the stocks' month-over-month and year-over-year growth — the member lifecycle
and the referral network. As of the data's last date D; numbers from pipelines.okr.growth.
"""
import duckdb
import streamlit as st

from pipelines.base.errors import NorthstarError
from ui.auth import record, record_once
from ui.components import note, page_head, section
from ui.data import growth_data, versions
from ui.figures import CONFIG
from ui.i18n import t, text
from ui.setup import open_analysis
from ui.views import board
from ui.views import growth as ug
from ui.views.warzone import csv_bytes

code, db, opts, reader = open_analysis("growth_failed")
d = opts["as_of"]
names = opts["names"]                              # every node id's name, unassigned ones included
zone_names = {z: names.name(z, code) for z in opts["values"]["war_zone"]} | {
    n["id"]: board.name_of(n, code) for n in opts["nodes"]}

page_head(t("growth_title"), t("cohorts_as_of", d=d.isoformat()), data_key="growth.as_of")
with st.expander(t("growth_defs")):
    st.markdown(t("growth_defs_text", d=d.isoformat()))

zones = opts["values"]["war_zone"]
c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
chosen = c1.multiselect(t("g_zones"), zones, key=f"g_zones_{code}", placeholder=text("all_values", code),
                        format_func=lambda z, c=code: names.name(z, c))
split = c2.toggle(t("g_split"), key=f"g_split_{code}")
try:
    data = growth_data(db, tuple(chosen), split, versions(db), reader.pii)
except (NorthstarError, duckdb.Error) as exc:
    st.error(t("growth_failed", err=str(exc).splitlines()[0]))
    st.info(t("cohorts_hint"))
    st.stop()
total = data["total"][-25:]

left, right = st.columns(2, gap="medium")
with left:
    section(t("g_stations"))
    st.plotly_chart(ug.flow_figure(total, "stations", code), key=f"g_st_{code}", config=CONFIG)
with right:
    section(t("g_members"))
    st.plotly_chart(ug.flow_figure(total, "members", code), key=f"g_mb_{code}", config=CONFIG)

section(t("g_table"))
rows = data["split"] if split else data["total"]
frame = ug.flow_table([{**r, "as_of": d} for r in reversed(rows)], zone_names, code)
for view, name in zip(ug.flow_views(frame, code), ("stations", "members")):
    st.dataframe(view, hide_index=True, width="stretch", height=min(38 + 35 * len(view), 420),
                 key=f"g_table_{name}_{code}", column_config=ug.number_columns(view))
st.download_button(t("download_csv"), csv_bytes(frame), mime="text/csv", file_name=f"growth-{d.isoformat()}.csv",
                   key=f"g_csv_{code}", on_click=record, args=(db, "export", f"growth-{d.isoformat()}.csv", len(frame)))

section(t("life_title"))
st.plotly_chart(ug.lifecycle_figure(data["lifecycle"][-25:], code), key=f"g_life_{code}", config=CONFIG)

section(t("ref_title"))
ref = data["referrals"]
if not any(r["referred"] for r in ref["monthly"]):
    st.info(t("ref_none"))
else:
    note(ug.k_line(ref["cohorts"], code), data_key="ref.summary")
    a, b, c = st.columns(3, gap="medium")
    with a:
        st.caption(t("ref_share"))
        st.plotly_chart(ug.referral_share_figure(ref["monthly"][-25:], code), key=f"g_ref_share_{code}", config=CONFIG)
    with b:
        st.caption(t("ref_k"))
        st.plotly_chart(ug.k_factor_figure(ref["cohorts"][-25:], code), key=f"g_ref_k_{code}", config=CONFIG)
    with c:
        st.caption(t("ref_depth"))
        st.plotly_chart(ug.depth_figure(ref["depth"], code), key=f"g_ref_depth_{code}", config=CONFIG)
    st.caption(t("ref_top"))
    st.dataframe(ug.top_frame(ref["top"], zone_names, code), hide_index=True, width="stretch", key=f"g_top_{code}")
    if reader.pii and ref["top"]:      # phones unmasked for this reader: recorded once a session
        record_once(db, "pii_view", "top referrers", len(ref["top"]))
