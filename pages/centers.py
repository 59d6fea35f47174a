"""The Centers page (动作分解): whether the centers' key actions line up with the war zones' targets, which are
slipping, and where a center lead records the weekly check-in or adds and edits a key action.

Numbers come from the goal tree (`tree.key_actions`, pipelines.keyactions) for the sidebar's month and as-of; the
check-ins and key actions are written to the plan store, which the goal tree reads on its next run.
"""
import datetime as dt
from pathlib import Path

import streamlit as st

from pipelines.errors import NorthstarError
from pipelines.keyactions import checkins_upto
from pipelines.metrics import CATALOG
from pipelines.months import shift_month
from pipelines.org import org_from_doc
from pipelines.plan import GOAL_METRICS, PlanError, check_key_action, parse_number
from pipelines.planstore import PlanStore, store_path
from ui import board
from ui import centers as uc
from ui import data as ud
from ui.board import _title, esc, name_of
from ui.i18n import fmt_date, fmt_month, md, status_word, t, text, tm
from ui.setup import open_page
from ui.setup import today as today_is

tree, code, db = open_page()
store_file = store_path(Path(db))
plan = ud.plan(db, ud.versions(db))
org = org_from_doc(plan.org.doc if plan else None)
people = {n["id"]: n for n in org.nodes if n["level"] == "person"}
people.update({p["id"]: {**p, "level": "center_person"} for p in org.center_people})
flash = st.session_state.pop("centers_flash", None)

st.markdown(f'<div class="ns-head"><h1>{esc(t("centers_title"))}</h1>'
            f'<span class="ns-period" data-k="period">{esc(board.period_line(tree, code))}</span></div>',
            unsafe_allow_html=True)
st.caption(t("centers_intro"))
if flash:
    st.success(flash)
centers = uc.centers(tree)
if not centers:
    st.info(t("no_centers"))
    st.stop()

# ---- the key action a link opened (?ka=…, from the board) --------------------------------------------------------
opened = st.query_params.get("ka")
focus = next((ka for ka in tree.key_actions if ka["id"] == opened), None)
if focus is not None:
    st.markdown(f'<div class="ns-section">{esc(t("ka_opened"))}</div>', unsafe_allow_html=True)
    st.markdown(uc.action_block(focus, tree, people, code), unsafe_allow_html=True)
elif opened:
    st.markdown(f'<div class="ns-note">{esc(t("ka_unknown", id=opened, month=fmt_month(tree.month, code)))}</div>',
                unsafe_allow_html=True)

# ---- alignment: centers × war zones ----------------------------------------------------------------------------
st.markdown(f'<div class="ns-section">{esc(t("alignment"))}<span>{esc(t("alignment_note"))}</span></div>',
            unsafe_allow_html=True)
st.markdown(uc.alignment(tree, code), unsafe_allow_html=True)

# ---- each center's key actions ---------------------------------------------------------------------------------
history: dict[str, list[dict]] = {}
if store_file.exists():
    with PlanStore(store_file, read_only=True) as store:
        for ka in tree.key_actions:
            for kr in ka["key_results"]:
                history[kr["id"]] = store.checkin_history(kr["id"])
for center in centers:
    st.markdown(f'<div class="ns-section">{esc(name_of(center, code))}</div>', unsafe_allow_html=True)
    actions = [ka for ka in tree.key_actions if ka["center"] == center["id"]]
    if not actions:
        st.markdown(f'<div class="ns-empty">{esc(t("no_actions_center", center=name_of(center, code)))}</div>',
                    unsafe_allow_html=True)
        continue
    for ka in actions:
        st.markdown(uc.action_block(ka, tree, people, code), unsafe_allow_html=True)
        with st.expander(f'{t("trend")} · {md(_title(ka["title"], code))}'):
            for kr in ka["key_results"]:
                st.caption(md(_title(kr["title"], code)))
                if history.get(kr["id"]):
                    st.plotly_chart(uc.trend(history[kr["id"]], kr, code), key=f"trend_{kr['id']}_{code}",
                                    config={"displayModeBar": False, "responsive": True})
                else:
                    st.caption(t("trend_none"))

# ---- record a check-in -----------------------------------------------------------------------------------------
st.markdown(f'<div class="ns-section">{esc(t("checkin_form"))}</div>', unsafe_allow_html=True)
krs = [(ka, kr) for ka in tree.key_actions for kr in ka["key_results"]]
center_names = {c["id"]: name_of(c, code) for c in centers}
if not krs:
    st.info(t("checkin_none"))
else:
    labels = {kr["id"]: f'{center_names.get(ka["center"], ka["center"])} · {_title(ka["title"], code)} · '
                        f'{_title(kr["title"], code)}' for ka, kr in krs}
    by_id = {kr["id"]: (ka, kr) for ka, kr in krs}
    chosen = st.selectbox(t("checkin_kr"), list(labels), format_func=labels.get, key=f"checkin_kr_{code}")
    ka, kr = by_id[chosen]
    today = today_is()
    default_day = min(max(today, tree.month_start), tree.month_end)
    with st.form(f"checkin_{chosen}", clear_on_submit=False, border=True):
        c1, c2, c3 = st.columns([1, 1, 2])
        last_day = max(min(tree.month_end, today), tree.month_start)
        days = [last_day - dt.timedelta(days=i) for i in range((last_day - tree.month_start).days + 1)]
        day = c1.selectbox(t("checkin_date"), days, index=days.index(min(default_day, today, last_day)),
                           format_func=lambda d, c=code: fmt_date(d, c))
        if kr["kind"] == "manual":
            raw = c2.text_input(t("checkin_value_manual", unit=uc.unit_of(kr, code) or "—"),
                                value="" if kr["last_checkin"] is None else f"{kr['actual']:g}")
        else:
            raw = None
            c2.caption(t("checkin_value_auto"))
        confidence = c3.radio(t("checkin_confidence"), uc.CONFIDENCE, index=None, horizontal=True,
                              format_func=lambda s, c=code: status_word(s, c))
        comment = st.text_input(t("checkin_comment"))
        who = st.text_input(t("checkin_who"), value=st.session_state.get("centers_who", ""))
        submitted = st.form_submit_button(t("checkin_save"), type="primary")
    if submitted:
        errors = []
        value = None
        if kr["kind"] == "manual":
            value = parse_number(raw) if str(raw or "").strip() else None
            if not str(raw or "").strip():
                errors.append(t("checkin_need_value"))
            elif value is None or value < 0:
                errors.append(t("checkin_bad_value", v=raw))
        if confidence is None:
            errors.append(t("checkin_need_confidence"))
        if not who.strip():
            errors.append(t("checkin_need_who"))
        if day > today:
            errors.append(t("checkin_future", d=today.isoformat()))
        if errors:
            st.error("\n\n".join(errors))
        else:
            try:
                with PlanStore(store_file) as store:
                    store.add_checkin(kr["id"], day, value, who=who, comment=comment, confidence=confidence)
            except NorthstarError as exc:
                st.error(tm("plan_save_failed", err=exc))
            else:
                st.session_state["centers_who"] = who.strip()
                shown = day <= checkins_upto(tree)     # a view of an earlier as-of does not count it
                st.session_state["centers_flash"] = tm("checkin_saved" if shown else "checkin_saved_later",
                                                      kr=_title(kr["title"], code), d=day.isoformat(),
                                                      who=who.strip(), month=fmt_month(tree.month, code),
                                                      as_of=tree.as_of.isoformat(), last=tree.last_date.isoformat())
                st.rerun()

# ---- add or edit a key action ----------------------------------------------------------------------------------
KR_COLS = ("id", "title_zh", "title_en", "metric", "filters", "unit_zh", "unit_en", "target")


def kr_rows(action: dict | None) -> list[dict]:
    rows = []
    for kr in (action or {}).get("key_results", []):
        rows.append({"id": kr["id"], "title_zh": kr["title"]["zh"], "title_en": kr["title"]["en"],
                     "metric": kr.get("metric") or "",
                     "filters": "; ".join(f"{k}={v}" for k, v in (kr.get("filters") or {}).items()),
                     "unit_zh": (kr.get("unit") or {}).get("zh", ""), "unit_en": (kr.get("unit") or {}).get("en", ""),
                     "target": "" if kr.get("target") is None else f"{kr['target']:g}"})
    return rows or [dict.fromkeys(KR_COLS, "")]


def form_doc(fields: dict, rows: list[dict]) -> tuple[dict, list[str]]:
    """The form's values in the goals.yaml shape; filter cells that cannot be read are problems of their own."""
    problems, results = [], []
    for i, row in enumerate(rows, start=1):
        if not any(str(row.get(c) or "").strip() for c in KR_COLS):
            continue                                   # an empty row of the editable table
        kr = {"id": str(row.get("id") or "").strip(),
              "title": {"zh": str(row.get("title_zh") or "").strip(), "en": str(row.get("title_en") or "").strip()},
              "target": str(row.get("target") or "").strip()}
        metric = str(row.get("metric") or "").strip()
        if metric:
            filters = {}
            for part in str(row.get("filters") or "").replace("；", ";").split(";"):
                if not part.strip():
                    continue
                if "=" not in part:
                    problems.append(t("ka_bad_filter", row=i, v=part.strip()))
                    continue
                k, v = part.split("=", 1)
                filters[k.strip()] = v.strip()
            kr.update(metric=metric, filters=filters)
        else:
            kr["unit"] = {"zh": str(row.get("unit_zh") or "").strip(), "en": str(row.get("unit_en") or "").strip()}
        results.append(kr)
    doc = {"id": fields["id"].strip(), "center": fields["center"], "title": {"zh": fields["title_zh"].strip(),
                                                                              "en": fields["title_en"].strip()},
           "months": fields["months"], "supports": fields["supports"], "war_zones": fields["war_zones"],
           "key_results": results}
    if fields["owner"]:
        doc["owner"] = fields["owner"]
    return doc, problems


with st.expander(t("ka_form"), expanded=False):
    existing = {ka["id"]: ka for ka in (plan.key_actions if plan else [])}
    options = ["", *existing]
    pick = st.selectbox(t("ka_pick"), options, key=f"ka_pick_{code}",
                        format_func=lambda i, c=code: text("ka_new", c) if not i else
                        f'{i} · {_title(existing[i]["title"], c)}')
    action = existing.get(pick)
    zone_ids = [z["id"] for z in uc.zones(tree)]
    zone_names = {z["id"]: name_of(z, code) for z in uc.zones(tree)}
    months = sorted({*((action or {}).get("months") or []), tree.month,
                     *[shift_month(tree.month, k) for k in range(-1, 7)]})
    with st.form(f"ka_form_{pick or 'new'}_{code}", border=True):
        c1, c2, c3 = st.columns(3)
        fid = c1.text_input(t("ka_id"), value=pick, disabled=bool(pick))
        center_ids = [c["id"] for c in centers]
        fcenter = c2.selectbox(t("ka_center"), center_ids, format_func=center_names.get,
                               index=center_ids.index(action["center"]) if action and action["center"] in center_ids
                               else 0)
        owners = ["", *people]
        fowner = c3.selectbox(t("ka_owner_field"), owners, format_func=lambda i: "—" if not i else
                              f'{name_of(people[i], code)} ({i})',
                              index=owners.index(action["owner"]) if action and action.get("owner") in owners else 0)
        c1, c2 = st.columns(2)
        ftitle_zh = c1.text_input(t("ka_title_zh"), value=(action or {}).get("title", {}).get("zh", ""))
        ftitle_en = c2.text_input(t("ka_title_en"), value=(action or {}).get("title", {}).get("en", ""))
        c1, c2, c3 = st.columns(3)
        fmonths = c1.multiselect(t("ka_months"), months, default=(action or {}).get("months") or [tree.month],
                                 format_func=lambda m, c=code: fmt_month(m, c))
        fsupports = c2.multiselect(t("ka_supports_field"), list(GOAL_METRICS),
                                   default=(action or {}).get("supports") or [],
                                   format_func=lambda m, c=code: text(f"new_{m}", c))
        fzones = c3.multiselect(t("ka_zones_field"), zone_ids,
                                default=[z for z in (action or {}).get("war_zones") or [] if z in zone_ids],
                                format_func=zone_names.get)
        st.caption(t("ka_krs"))
        cfg = {c: st.column_config.TextColumn(t(f"kr_col_{c}")) for c in KR_COLS}
        cfg["metric"] = st.column_config.SelectboxColumn(t("kr_col_metric"), options=["", *CATALOG])
        edited = st.data_editor(kr_rows(action), num_rows="dynamic", column_config=cfg, width="stretch",
                                key=f"ka_krs_{pick or 'new'}_{code}")
        fwho = st.text_input(t("checkin_who"), value=st.session_state.get("centers_who", ""))
        saved_ka = st.form_submit_button(t("ka_save"), type="primary")
    if saved_ka:
        rows = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
        doc, problems = form_doc({"id": fid, "center": fcenter, "owner": fowner, "title_zh": ftitle_zh,
                                  "title_en": ftitle_en, "months": fmonths, "supports": fsupports,
                                  "war_zones": fzones}, rows)
        others = {kr["id"]: ka["id"] for ka in existing.values() for kr in ka["key_results"]}
        checked = None
        try:
            checked = check_key_action(doc, org, others)
        except PlanError as exc:
            problems = [*problems, *exc.problems]
        if not pick and doc["id"] in existing:
            problems.append(f"id: key action {doc['id']} exists already: pick it above to edit it")
        if not fwho.strip():
            problems.append(t("checkin_need_who"))
        if problems:
            st.error(t("ka_problems", n=len(problems)) + "\n\n" + "\n".join(f"- {md(p)}" for p in problems))
        else:
            try:
                with PlanStore(store_file) as store:
                    change = store.set_key_action(checked, who=fwho)
            except NorthstarError as exc:
                st.error(tm("plan_save_failed", err=exc))
            else:
                st.session_state["centers_who"] = fwho.strip()
                st.session_state["centers_flash"] = t("ka_saved", id=checked["id"], n=change, who=fwho.strip())
                st.rerun()
