"""The Centers page's two forms: recording a key result's check-in, and adding or editing a key action with its key
results. What a form's input means is checked here (`checkin_problems`, `form_doc`, then the plan's own
`check_key_action`), tested in tests/test_centers_page.py and tests/test_center_forms.py; the store checks again.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import words
from pipelines.base.metrics import CATALOG
from pipelines.base.months import shift_month
from pipelines.okr.goaltree import GoalTree
from pipelines.okr.keyactions import checkins_upto
from pipelines.plan.access import LOCAL, AccessDenied, User, check_center
from pipelines.plan.folder import Plan
from pipelines.plan.goals import GOAL_METRICS, PlanError, check_key_action, parse_number
from pipelines.plan.org import Org
from pipelines.plan.store import PlanStore
from ui.i18n import fmt_date, fmt_month, md, status_word, t, text, tm
from ui.i18n import lang as session_lang
from ui.views import centers as uc
from ui.views.board import _title, name_of


def checkin_problems(manual: bool, raw: str | None, confidence: str | None, who: str, day: dt.date,
                     today: dt.date, lang: str) -> tuple[float | None, list[str]]:
    """A check-in as typed: (its value, what is wrong with it, in the reader's language). A manual key result needs
    a number ≥ 0; every check-in needs the lead's confidence and who makes it, on a day not after today."""
    errors, value = [], None
    if manual:
        typed = str(raw or "").strip()
        value = parse_number(typed) if typed else None
        if not typed:
            errors.append(text("checkin_need_value", lang))
        elif value is None or value < 0:
            errors.append(text("checkin_bad_value", lang, v=raw))
    if confidence is None:
        errors.append(text("checkin_need_confidence", lang))
    if not who.strip():
        errors.append(text("checkin_need_who", lang))
    if day > today:
        errors.append(text("checkin_future", lang, d=today.isoformat()))
    return value, errors


def who_input(reader: User, key: str | None = None) -> str:
    """Who records it: the signed-in person (pipelines.plan.access); with `auth: open` nobody signs in, so a name is
    asked (and remembered for the session)."""
    user = reader
    if user is not LOCAL:
        st.caption(tm("plan_who_signed_in", who=user.label()))
        return user.label()
    return st.text_input(t("checkin_who"), value=st.session_state.get("centers_who", ""), key=key)


def checkin_form(tree: GoalTree, centers: list[dict], store_file: Path, today: dt.date, code: str,
                 reader: User) -> None:
    """Pick a key result, give its value (manual ones), confidence, a comment and who; saved as one check-in. Only
    the key results of the centers the reader may check in for (pipelines.plan.access: an admin, a center's lead)."""
    if not any(reader.can_check_in(c.id) for c in centers):
        st.caption(t("checkin_denied", role=t(f"role_{reader.role}")))
        return
    krs = [(ka, kr) for ka in tree.key_actions for kr in ka.key_results if reader.can_check_in(ka.center)]
    center_names = {c.id: name_of(c, code) for c in centers}
    if not krs:
        st.info(t("checkin_none"))
        return
    labels = {kr.id: f'{center_names.get(ka.center, ka.center)} · {_title(ka.title, code)} · '
                        f'{_title(kr.title, code)}' for ka, kr in krs}
    by_id = {kr.id: (ka, kr) for ka, kr in krs}
    chosen = st.selectbox(t("checkin_kr"), list(labels), format_func=labels.get, key=f"checkin_kr_{code}")
    ka, kr = by_id[chosen]
    default_day = min(max(today, tree.month_start), tree.month_end)
    with st.form(f"checkin_{chosen}", clear_on_submit=False, border=True):
        c1, c2, c3 = st.columns([1, 1, 2])
        last_day = max(min(tree.month_end, today), tree.month_start)
        days = [last_day - dt.timedelta(days=i) for i in range((last_day - tree.month_start).days + 1)]
        day = c1.selectbox(t("checkin_date"), days, index=days.index(min(default_day, today, last_day)),
                           format_func=lambda d, c=code: fmt_date(d, c))
        if kr.kind == "manual":
            raw = c2.text_input(t("checkin_value_manual", unit=uc.unit_of(kr, code) or "—"),
                                value="" if kr.last_checkin is None else f"{kr.actual:g}")
        else:
            raw = None
            c2.caption(t("checkin_value_auto"))
        confidence = c3.radio(t("checkin_confidence"), uc.CONFIDENCE, index=None, horizontal=True,
                              format_func=lambda s, c=code: status_word(s, c))
        comment = st.text_input(t("checkin_comment"))
        who = who_input(reader)
        submitted = st.form_submit_button(t("checkin_save"), type="primary")
    if submitted:
        value, errors = checkin_problems(kr.kind == "manual", raw, confidence, who, day, today, code)
        if errors:
            st.error("\n\n".join(errors))
        else:
            try:
                check_center(reader, ka.center, checkin=True)
                with PlanStore(store_file) as store:
                    store.add_checkin(kr.id, day, value, who=who, comment=comment, confidence=confidence)
            except AccessDenied:
                st.error(t("checkin_denied", role=t(f"role_{reader.role}")))
            except NorthstarError as exc:
                st.error(tm("plan_save_failed", err=exc))
            else:
                st.session_state["centers_who"] = who.strip()
                shown = day <= checkins_upto(tree)     # a view of an earlier as-of does not count it
                st.session_state["centers_flash"] = tm("checkin_saved" if shown else "checkin_saved_later",
                                                      kr=_title(kr.title, code), d=day.isoformat(),
                                                      who=who.strip(), month=fmt_month(tree.month, code),
                                                      as_of=tree.as_of.isoformat(), last=tree.last_date.isoformat())
                st.rerun()


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


def form_doc(fields: dict, rows: list[dict], lang: str) -> tuple[dict, list[str]]:
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
                    problems.append(text("ka_bad_filter", lang, row=i, v=part.strip()))
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




def key_action_form(tree: GoalTree, plan: Plan | None, org: Org, people: dict[str, dict], centers: list[dict],
                    store_file: Path, code: str, reader: User) -> None:
    """Add a key action or edit one of the plan's: its center, owner, titles, months, what it supports, the war zones
    it helps, and its key results in an editable table; checked as goals.yaml would be, then saved as one change."""
    center_names = {c.id: name_of(c, code) for c in centers}
    centers = [c for c in centers if reader.can_edit_center(c.id)]   # pipelines.plan.access: planners, admins, a lead
    if not centers:
        return
    with st.expander(t("ka_form"), expanded=False):
        existing = {ka["id"]: ka for ka in (plan.key_actions if plan else []) if reader.can_edit_center(ka["center"])}
        options = ["", *existing]
        pick = st.selectbox(t("ka_pick"), options, key=f"ka_pick_{code}",
                            format_func=lambda i, c=code: text("ka_new", c) if not i else
                            f'{i} · {_title(existing[i]["title"], c)}')
        action = existing.get(pick)
        zone_ids = [z.id for z in uc.zones(tree)]
        zone_names = {z.id: name_of(z, code) for z in uc.zones(tree)}
        months = sorted({*((action or {}).get("months") or []), tree.month,
                         *[shift_month(tree.month, k) for k in range(-1, 7)]})
        with st.form(f"ka_form_{pick or 'new'}_{code}", border=True):
            c1, c2, c3 = st.columns(3)
            fid = c1.text_input(t("ka_id"), value=pick, disabled=bool(pick))
            center_ids = [c.id for c in centers]
            fcenter = c2.selectbox(t("ka_center"), center_ids, format_func=center_names.get,
                                   index=center_ids.index(action["center"]) if action and action["center"] in center_ids
                                   else 0)
            owners = ["", *people]
            fowner = c3.selectbox(
                t("ka_owner_field"),
                owners,
                format_func=lambda i: "—" if not i else f"{name_of(people[i], code)} ({i})",
                index=owners.index(action["owner"]) if action and action.get("owner") in owners else 0,
            )
            c1, c2 = st.columns(2)
            ftitle_zh = c1.text_input(t("ka_title_zh"), value=(action or {}).get("title", {}).get("zh", ""))
            ftitle_en = c2.text_input(t("ka_title_en"), value=(action or {}).get("title", {}).get("en", ""))
            c1, c2, c3 = st.columns(3)
            fmonths = c1.multiselect(t("ka_months"), months, default=(action or {}).get("months") or [tree.month],
                                     placeholder=t("choose"),
                                     format_func=lambda m, c=code: fmt_month(m, c))
            fsupports = c2.multiselect(t("ka_supports_field"), list(GOAL_METRICS), placeholder=t("choose"),
                                       default=(action or {}).get("supports") or [],
                                       format_func=lambda m, c=code: text(f"new_{m}", c))
            fzones = c3.multiselect(t("ka_zones_field"), zone_ids, placeholder=t("choose"),
                                    default=[z for z in (action or {}).get("war_zones") or [] if z in zone_ids],
                                    format_func=zone_names.get)
            st.caption(t("ka_krs"))
            cfg = {c: st.column_config.TextColumn(t(f"kr_col_{c}")) for c in KR_COLS}
            cfg["metric"] = st.column_config.SelectboxColumn(t("kr_col_metric"), options=["", *CATALOG])
            edited = st.data_editor(kr_rows(action), num_rows="dynamic", column_config=cfg, width="stretch",
                                    placeholder="—",    # a new row's empty cells, not Streamlit's English "None"
                                    key=f"ka_krs_{pick or 'new'}_{code}")
            fwho = who_input(reader)
            saved_ka = st.form_submit_button(t("ka_save"), type="primary")
        if saved_ka:
            rows = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
            doc, problems = form_doc({"id": fid, "center": fcenter, "owner": fowner, "title_zh": ftitle_zh,
                                      "title_en": ftitle_en, "months": fmonths, "supports": fsupports,
                                      "war_zones": fzones}, rows, code)
            others = {kr["id"]: ka["id"] for ka in existing.values() for kr in ka["key_results"]}
            checked = None
            try:
                checked = check_key_action(doc, org, others)
            except PlanError as exc:
                problems = [*problems, *exc.problems]
            if not reader.can_edit_center(doc["center"]):
                problems.append(t("ka_denied", role=t(f"role_{reader.role}")))
            if not pick and doc["id"] in {ka["id"] for ka in (plan.key_actions if plan else [])}:
                problems.append(t("ka_exists", id=doc["id"]))
            if not fwho.strip():
                problems.append(t("checkin_need_who"))
            if problems:
                st.error(t("ka_problems", n=len(problems)) + "\n\n"
                         + "\n".join(f"- {md(words(p, session_lang()))}" for p in problems))
            else:
                try:
                    check_center(reader, checked["center"], checkin=False)
                    with PlanStore(store_file) as store:
                        change = store.set_key_action(checked, who=fwho)
                except NorthstarError as exc:
                    st.error(tm("plan_save_failed", err=exc))
                else:
                    st.session_state["centers_who"] = fwho.strip()
                    st.session_state["centers_flash"] = t("ka_saved", id=checked["id"], n=change, who=fwho.strip())
                    st.rerun()
