"""The war-zone page, for the lead who owns a zone's monthly numbers: where the zone stands, what it needs per day,
which team and person is behind, its paths, this month's new stations and the last 12 months.

Numbers come from the goal tree (pipelines.okr.goaltree) and pipelines.okr.warzone, for the sidebar's month and as-of.
The zone and team are kept in the URL (?zone=…&team=…) so a link can be shared.
"""
import streamlit as st

from pipelines.plan.org import is_unassigned
from ui.auth import record
from ui.components import note, page_head, section
from ui.data import node_view, shared_figure, versions
from ui.figures import CONFIG
from ui.i18n import t
from ui.sections.exports import tree_xlsx_button
from ui.setup import open_page
from ui.views import board, charts
from ui.views import warzone as wz

tree, code, db, reader = open_page()
tree_xlsx_button(tree, code, db, reader)

zones = wz.zones(tree)
if not zones:
    st.info(t("no_zone"))
    st.stop()


def pick(label: str, nodes: list[dict], param: str, default: str) -> dict:
    """A selector whose choice lives in the URL (?param=id) and survives a language switch."""
    ids = [n.id for n in nodes]
    chosen = st.query_params.get(param)
    unknown = chosen if chosen and chosen not in ids else None
    if chosen not in ids:
        chosen = st.session_state.get(param) if st.session_state.get(param) in ids else default
    key = f"{param}_{code}_{'|'.join(ids)}"
    if key in st.session_state and st.session_state[key] not in ids:
        del st.session_state[key]
    if key not in st.session_state:
        st.session_state[key] = chosen
    names = {n.id: board.name_of(n, code) for n in nodes}
    value = st.selectbox(label, ids, key=key, format_func=names.get)
    st.session_state[param] = value
    st.query_params[param] = value
    if unknown:     # a link named a zone or team the org does not have: say so, never silently show another
        st.session_state[f"{param}_unknown"] = unknown
    return nodes[ids.index(value)]


head, chooser = st.columns([4, 1], vertical_alignment="bottom")
with chooser:
    real = [z for z in zones if not is_unassigned(z.id)]
    mine = reader.war_zone  # a zone lead opens on their own zone; everyone else on the one furthest behind
    zone = pick(
        t("zone"), zones, "zone", mine if mine in {z.id for z in zones} else wz.worst_first(real or zones)[0].id
    )
with head:
    page_head(board.name_of(zone, code), board.period_line(tree, code))
unknown = st.session_state.pop("zone_unknown", None)
if unknown:
    note(t("zone_unknown", id=unknown, name=board.name_of(zone, code)), data_key="zone.unknown")
detail = reader.sees_zone_detail(zone.id)   # every zone's totals are shared; teams, people, stations are not
st.markdown(wz.headline(tree, zone, code, detail), unsafe_allow_html=True)
if is_unassigned(zone.id):
    st.caption(t("unassigned_zone_note", name=board.name_of(zone, code)))

view = node_view(db, tree.month, tree.as_of, zone.id, versions(db))
for metric, col in zip(wz.METRICS, st.columns(2, gap="medium")):
    with col:
        st.markdown(board.month_tile(tree, metric, code, node=zone, full=True), unsafe_allow_html=True)
        drawn = shared_figure(db, tree, reader, "node_month", (zone.id, metric, code),
                       lambda metric=metric: charts.node_month(tree, zone, metric, view["this"], view["last"], code))
        st.plotly_chart(drawn, config=CONFIG, key=f"zone_chart_{metric}")

section(t("teams"), t("table_sort_hint"))
teams = tree.children(zone.id)
if not detail:
    note(wz.scope_sentence(reader, zone, tree, code), data_key="zone.scope")
elif teams:
    changed = board.revised_note(tree, code, zone.id)      # targets of its teams and people changed this month
    if changed:
        st.markdown(changed, unsafe_allow_html=True)
    frame, statuses = wz.node_table(teams, code)
    st.dataframe(wz.styled(frame, statuses, code, tree.at_risk), hide_index=True, column_config=wz.column_config(code),
                 key="teams_table")
    st.markdown(wz.print_table(frame, statuses, code, tree.at_risk), unsafe_allow_html=True)

    @st.fragment
    def people_of_team(ranked: list[dict]) -> None:
        """Picking a team redraws only its people, not the charts and tables above (st.fragment)."""
        team = pick(t("team"), ranked, "team", ranked[0].id)
        people = tree.children(team.id)
        unknown = st.session_state.pop("team_unknown", None)
        if unknown:
            note(t("zone_unknown", id=unknown, name=board.name_of(team, code)))
        section(t("people_of", team=board.name_of(team, code)))
        if people:
            frame, statuses = wz.node_table(people, code)
            st.dataframe(wz.styled(frame, statuses, code, tree.at_risk), hide_index=True,
                         column_config=wz.column_config(code), key="people_table")
            st.markdown(wz.print_table(frame, statuses, code, tree.at_risk), unsafe_allow_html=True)
        else:
            st.info(t("no_people"))

    people_of_team(wz.worst_first(teams))
else:
    st.info(t("no_teams"))

st.markdown(wz.drivers_strip(view["drivers"], code, tree.finished), unsafe_allow_html=True)

section(t("new_stations_table"))
if not detail:
    note(wz.scope_sentence(reader, zone, tree, code), data_key="stations.scope")
elif view["stations"]:
    frame = wz.stations_frame(view["stations"], tree, code)
    st.dataframe(frame, hide_index=True, key="stations_table")
    st.markdown(wz.print_table(frame, None, code), unsafe_allow_html=True)
    name = f"new-stations-{zone.id.replace('/', '-')}-{tree.month}.csv"
    st.download_button(t("download_csv"), wz.csv_bytes(frame), mime="text/csv", file_name=name,
                       on_click=record, args=(db, "export", name, len(frame)))
else:
    st.info(t("no_new_stations"))

section(t("attainment"))
if view["attainment"]:
    drawn = shared_figure(
        db, tree, reader, "attainment", (zone.id, code), lambda: charts.attainment(view["attainment"], code)
    )
    st.plotly_chart(drawn, config=CONFIG, key="zone_attainment")
    st.markdown(wz.status_legend(code), unsafe_allow_html=True)
else:
    st.info(t("no_history"))
