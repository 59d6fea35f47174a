"""The Plan page's sections, each a function of one `View` (the month, the org, the saved targets of this run):
the company's targets and the whole-tree split, a split table, the overview of a level, the tally, saving with
conflicts, targets.csv out and in, history and undo. The draft's state is ui.sections.plan_draft's, the tables' shapes
are ui.views.plan_tables's, the arithmetic is pipelines.okr.decompose's; pages/plan.py lays the sections out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import streamlit as st

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import words
from pipelines.okr import decompose
from pipelines.plan.access import LOCAL, User, check_targets, refused_targets
from pipelines.plan.goals import GOAL_METRICS, decode, parse_targets
from pipelines.plan.org import Org
from pipelines.plan.store import PlanStore, TargetConflict, targets_csv
from pipelines.plan.yamlcheck import Problems
from ui.auth import record
from ui.components import section
from ui.data import db_file
from ui.i18n import error_text, fmt_count, fmt_month, fmt_time, md, t, tm
from ui.sections import plan_draft
from ui.views import plan_tables as up
from ui.views.board import esc


@dataclass
class View:
    code: str
    month: str
    prev: str
    nodes: list[dict]
    store_file: Path
    actuals: dict
    period: tuple
    all_saved: dict                      # every month's saved targets, read once this run
    reader: User                         # who is planning (the page hands the reader in: pipelines.plan.access)
    by_id: dict = field(init=False)

    def __post_init__(self):
        self.by_id = {n["id"]: n for n in self.nodes}

    @property
    def company(self) -> dict:
        return self.nodes[0]

    @cached_property
    def zones(self) -> list[dict]:
        return decompose.children(self.nodes, self.company)

    @cached_property
    def centers(self) -> list[dict]:
        return decompose.centers(self.nodes)

    @cached_property
    def saved(self) -> dict:
        return decompose.month_targets(self.all_saved, self.month)

    @cached_property
    def prev_saved(self) -> dict:
        return decompose.month_targets(self.all_saved, self.prev)

    def label(self, node_id: str) -> str:
        return up.node_label(self.by_id[node_id], self.by_id, self.code) if node_id in self.by_id else node_id


def saved_targets(store_file: Path) -> dict:
    """Every month's saved targets from the plan store (no store yet: none)."""
    if not store_file.exists():
        return {}
    with PlanStore(store_file, read_only=True) as store:
        return store.targets()


def flash(kind: str, message: str) -> None:
    """A message for the next run (after st.rerun), shown under the page head."""
    st.session_state["plan_flash"] = (kind, message)


def start_draft(v: View, targets: dict, base: dict | None = None) -> dict:
    return plan_draft.start(st.session_state, v.nodes, v.month, targets, v.saved if base is None else base)


def refused_here(v: View, keys: list, cells: dict) -> None:
    """Refused cells among `keys`, said right under what was edited."""
    _, problems = decompose.check({k: cells[k] for k in keys if k in cells})
    if problems:
        st.error("\n\n".join(up.problem_lines(problems, cells, v.by_id, v.code)))


def alloc_lines(v: View, parent: dict, rows: list[dict]) -> None:
    st.markdown("".join(up.alloc_line(parent, r, v.code) for r in rows), unsafe_allow_html=True)  # escaped there


def company_tab(v: View, draft: dict) -> None:
    """The company's two targets, its allocation, and the one-click split of the whole tree."""
    cells, company = draft["cells"], v.company
    company_keys = [("company", company["id"], m) for m in GOAL_METRICS]
    for metric, col in zip(GOAL_METRICS, st.columns(2, gap="large")):
        k = ("company", company["id"], metric)
        wkey = f"plan_co_{v.month}_{metric}_{draft['v']}"
        if wkey not in st.session_state:
            st.session_state[wkey] = cells[k]
        with col:
            unit = t("plan_unit_" + metric)
            label = t("plan_company_target", m=up.metric_word(metric, v.code)) + (
                f"（{unit}）" if v.code == "zh" else f" ({unit})")
            cells[k] = st.text_input(label, key=wkey)
            st.caption(t("plan_reference", n=fmt_count(v.actuals.get(company["id"], {}).get(metric, 0), v.code),
                         start=v.period[0].isoformat(), end=v.period[1].isoformat(),
                         prev=fmt_month(v.prev, v.code), last=fmt_count(v.prev_saved.get(k), v.code)))
    refused_here(v, company_keys, cells)
    values, _ = decompose.check(cells)
    rows = decompose.allocation(values, [company, *v.zones, *v.centers])
    alloc_lines(v, company, [r for r in rows if r["id"] == company["id"]])
    has_target = any(values.get(k) is not None for k in company_keys)
    suggested = decompose.suggest_all(values, v.nodes, v.actuals) if has_target else {}
    effects = decompose.split_effects({k: x for k, x in values.items() if k in cells},
                                     {k: x for k, x in suggested.items() if k in cells}, set(company_keys))

    def apply_split() -> None:
        zeros = plan_draft.split_all(st.session_state, draft, suggested, effects, set(company_keys))
        st.session_state.pop("plan_split_ask", None)
        if zeros:     # a 0 reads as "no target": say so, never silently
            flash("warning", tm("plan_split_zeros", n=len(zeros), names=up.some_names([v.label(k[1]) for k in zeros],
                                                                                        v.code)))

    if st.button(t("plan_suggest_all"), key="plan_suggest_all", type="primary", disabled=not has_target,
                 help=t("plan_suggest_all_help") if has_target else t("plan_suggest_no_target")):
        if effects["overwrites"]:
            st.session_state["plan_split_ask"] = True        # the draft has targets of its own: ask first
        else:
            apply_split()
        st.rerun()
    if st.session_state.get("plan_split_ask"):
        st.warning(t("plan_split_ask", n=len(effects["overwrites"])))
        yes, no, _ = st.columns([1, 1, 3])
        if yes.button(t("plan_split_yes", n=len(effects["overwrites"])), key="plan_split_yes", type="primary"):
            apply_split()
            st.rerun()
        if no.button(t("plan_split_no"), key="plan_split_no"):
            st.session_state.pop("plan_split_ask", None)
            st.rerun()


def split_section(v: View, parent: dict, kids: list[dict], metrics: tuple[str, ...], name: str, draft: dict) -> None:
    """The table of a parent's children: their targets (editable), the trailing actuals behind the suggestion, the
    parent's allocation line and the suggestion button."""
    cells = draft["cells"]
    if not kids:
        st.info(t("no_teams") if parent["level"] == "war_zone" else t("no_people"))
        return
    wkey = f"plan_ed_{v.month}_{name}_{parent['id']}_{v.code}_{draft['v']}"
    base = f"{plan_draft.BASE}{wkey}"
    if wkey not in st.session_state or base not in st.session_state:   # new, or not drawn last run: from the draft
        st.session_state[base] = up.editor_frame(kids, cells, v.actuals, metrics, v.code)
    cols = up.columns(v.code)
    fixed = [cols["name"]] + [cols[f"{m}.{f}"] for m in metrics for f in ("trailing", "share")]
    edited = st.data_editor(st.session_state[base], key=wkey, hide_index=True, width="stretch",
                            column_config=up.column_config(metrics, v.code), num_rows="fixed", disabled=fixed)
    cells.update(up.read_editor(edited, kids, metrics, v.code))
    refused_here(v, [(k["level"], k["id"], m) for k in kids for m in metrics], cells)
    values, _ = decompose.check(cells)
    alloc_lines(v, parent, [r for r in decompose.allocation(values, [parent, *kids])
                            if r["id"] == parent["id"] and r["child_level"] == kids[0]["level"]
                            and r["metric"] in metrics])
    has_target = any(values.get((parent["level"], parent["id"], m)) is not None for m in metrics)
    if st.button(t("plan_suggest"), key=f"plan_suggest_{name}_{parent['id']}", disabled=not has_target,
                 help=t("plan_suggest_help") if has_target else t("plan_suggest_no_target")):
        plan_draft.suggest(st.session_state, draft, parent, kids, metrics, v.actuals)
        st.rerun()


def overview(v: View, parents: list[dict], child_level: str, cells: dict) -> None:
    """Every parent of a level at a glance: target, children's sum, unallocated; rows that don't add up tinted."""
    values, _ = decompose.check(cells)
    frame, flags = up.overview_frame(parents, decompose.allocation(values, v.nodes), child_level, v.by_id, v.code)
    section(t(f"plan_overview_{child_level}"))
    st.dataframe(up.highlight(frame, flags), hide_index=True, width="stretch", height=min(38 + 35 * len(frame), 300))


def pick(v: View, label: str, options: list[dict], name: str) -> dict:
    ids = [n["id"] for n in options]
    wkey = f"plan_pick_{name}_{v.code}"
    remembered = st.session_state.get(f"plan_pick_{name}")
    if st.session_state.get(wkey) not in ids:
        st.session_state[wkey] = remembered if remembered in ids else ids[0]
    chosen = st.selectbox(label, ids, key=wkey, format_func=v.label)
    st.session_state[f"plan_pick_{name}"] = chosen
    return v.by_id[chosen]


def people_tab(v: View, zones: list[dict], draft: dict) -> None:
    """Team → people for the teams of `zones`: the overview, a team to pick, its people's split."""
    teams = [team for z in zones for team in decompose.children(v.nodes, z)]
    if not teams:
        st.info(t("no_teams"))
        return
    overview(v, teams, "person", draft["cells"])
    team = pick(v, t("plan_pick_team"), teams, "team")
    split_section(v, team, decompose.children(v.nodes, team), GOAL_METRICS, "people", draft)


def split_tabs(v: View, draft: dict) -> None:
    """Company; company → war zones; zone → teams; team → people; company → centers."""
    zones = v.zones
    if v.reader.role == "zone_lead":     # pipelines.plan.access: the split inside their own zone only
        mine = [z for z in zones if z["id"] == v.reader.war_zone]
        tabs = st.tabs([t("plan_tab_teams"), t("plan_tab_people")], key="plan_tabs_zone", on_change="rerun")
        with tabs[0]:
            for zone in mine:
                split_section(v, zone, decompose.children(v.nodes, zone), GOAL_METRICS, "teams", draft)
        with tabs[1]:
            people_tab(v, mine, draft)
        return
    # the open tab is kept in the session (key, on_change): a run that puts a line above the tabs (a colleague's
    # save taken in) redraws them, and without it the reader was thrown back to the first tab mid-edit
    tabs = st.tabs([t("plan_tab_company"), t("plan_tab_zones"), t("plan_tab_teams"), t("plan_tab_people"),
                    t("plan_tab_centers")], key="plan_tabs", on_change="rerun")
    with tabs[0]:
        company_tab(v, draft)
    with tabs[1]:
        split_section(v, v.company, zones, GOAL_METRICS, "zones", draft)
    with tabs[2]:
        overview(v, zones, "team", draft["cells"])
        zone = pick(v, t("plan_pick_zone"), zones, "zone")
        split_section(v, zone, decompose.children(v.nodes, zone), GOAL_METRICS, "teams", draft)
    with tabs[3]:
        people_tab(v, zones, draft)
    with tabs[4]:
        if v.centers:
            split_section(v, v.company, v.centers, ("members",), "centers", draft)
        else:
            st.info(t("no_centers"))


def tally(parts: list[tuple]) -> None:
    """The draft's state in chips, colour and word (ui.sections.plan_draft.status)."""
    chips = "".join(f'<span class="ns-chip ns-{cls}" data-k="{k}">{icon} {esc(t(label, n=n))}</span>'
                    for cls, k, icon, label, n in parts)
    st.markdown(f'<div class="ns-tally ns-plan-status">{chips}</div>', unsafe_allow_html=True)


class WhoField:
    """Who makes the change: the signed-in person (pipelines.plan.access), shown once a run. With `auth: open` nobody
    signs in, so the field asks for a name (once a run, by the save button, or by the import or the undo when there
    is no draft); a second ask in the same run reads the value typed there."""

    def __init__(self, reader: User):
        self.drawn, self.reader = False, reader

    def __call__(self) -> str:
        user = self.reader
        if user is not LOCAL:
            if not self.drawn:
                st.caption(tm("plan_who_signed_in", who=user.label()))
            self.drawn = True
            return user.label()
        if self.drawn:
            return st.session_state.get("plan_who_value", "")
        self.drawn = True
        if "plan_who" not in st.session_state and st.session_state.get("plan_who_value"):
            st.session_state["plan_who"] = st.session_state["plan_who_value"]
        who = st.text_input(t("plan_who"), key="plan_who", help=t("plan_who_help"))
        st.session_state["plan_who_value"] = who
        return who


def refused(v: View, keys) -> str | None:
    """A sentence naming the targets among `keys` the reader may not set (pipelines.plan.access), or None."""
    out = refused_targets(v.reader, keys, v.by_id)
    if not out:
        return None
    names = "、".join(dict.fromkeys(v.label(k[-2]) for k in out[:8]))
    return tm("plan_denied", role=t(f"role_{v.reader.role}"), what=names, n=len(out))


def conflict_section(v: View, conflicts: dict, values: dict, draft: dict) -> None:
    """Cells this reader changed that someone else saved differently since: who, when, theirs and mine; the reader
    keeps theirs or overwrites with theirs in view. Nothing is saved until each is settled."""
    with PlanStore(v.store_file, read_only=True) as store:
        rows = [{**store.target_now(v.month, *k), "key": k} for k in sorted(conflicts)]
    st.warning(t("plan_conflict_head", n=len(conflicts)))
    st.dataframe(up.conflict_frame(rows, values, draft["base"], v.by_id, v.code), hide_index=True, width="stretch")
    keep, mine, _ = st.columns([1, 1, 2])
    if keep.button(t("plan_conflict_theirs", n=len(conflicts)), key="plan_conflict_theirs", type="primary"):
        plan_draft.keep_theirs(st.session_state, draft, conflicts)
        st.rerun()
    if mine.button(t("plan_conflict_mine", n=len(conflicts)), key="plan_conflict_mine"):
        plan_draft.keep_mine(draft, conflicts)
        st.rerun()


def save_section(v: View, draft: dict, who_field: WhoField, status_box) -> None:
    """The checks, the tally (drawn in `status_box` above the editors), and saving the changed cells."""
    cells = draft["cells"]
    values, problems = decompose.check(cells)
    _, conflicts, changes = decompose.rebase(values, draft["base"], v.saved)
    not_adding = up.off(decompose.allocation(values, v.nodes))
    with status_box:
        tally(plan_draft.status(conflicts, changes, not_adding, problems))
    section(t("plan_save", month=fmt_month(v.month, v.code)))
    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
    with c1:
        who = who_field()
    note = c2.text_input(t("plan_note"), key="plan_note")
    outside = set(refused_targets(v.reader, changes, v.by_id))   # e.g. a copied month's company and zone targets
    if outside:
        st.caption(tm("plan_outside_skipped", n=len(outside)))
        changes = {k: x for k, x in changes.items() if k not in outside}
    denied = refused(v, changes)
    ready = bool(changes) and not problems and not conflicts and bool(who.strip()) and denied is None
    clicked = c3.button(t("plan_save", month=fmt_month(v.month, v.code)), key="plan_save", type="primary",
                        disabled=not ready, width="stretch")
    if conflicts:
        conflict_section(v, conflicts, values, draft)
    if denied:
        st.error(denied)
    if problems:
        st.error(t("plan_refused_head") + "\n\n" + "\n\n".join(up.problem_lines(problems, cells, v.by_id, v.code)))
    elif not changes and not conflicts:
        st.caption(t("plan_save_nothing"))
    elif not who.strip():
        st.caption(t("plan_save_need_who"))
    if changes and not_adding:
        st.caption(t("plan_save_unallocated", n=len(not_adding)))
    if clicked and ready:
        try:
            check_targets(v.reader, changes, v.by_id)
            with PlanStore(v.store_file) as store:
                change = store.set_targets(v.month, changes, who, note,
                                           expected={k: draft["base"].get(k) for k in changes})
        except TargetConflict:
            flash("warning", t("plan_conflict_at_save"))
            st.rerun()         # the next run shows the cells someone else saved meanwhile
        except NorthstarError as exc:
            st.error(tm("plan_save_failed", err=exc))
        else:
            fresh = decompose.month_targets(saved_targets(v.store_file), v.month)
            start_draft(v, fresh, base=fresh)
            flash("success", tm("plan_saved", n=len(changes), id=change, who=who.strip()))
            st.rerun()


def io_section(v: View, who_field: WhoField) -> None:
    """targets.csv out (this month's saved targets) and in (checked, previewed, then saved as one change a month)."""
    section(t("plan_io"))
    left, right = st.columns(2, gap="large")
    saved = v.saved
    with left:
        if saved:
            order = {n["id"]: i for i, n in enumerate(v.nodes)}
            csv_text = targets_csv({(v.month, *k): x for k, x in saved.items()}, order)
            st.download_button(t("plan_export", month=fmt_month(v.month, v.code)), key="plan_export",
                               data=csv_text.encode("utf-8-sig"),
                               file_name=f"targets-{v.month}.csv", mime="text/csv", on_click=record,
                               args=(db_file(), "export", f"targets-{v.month}.csv", len(saved)))
        else:
            st.caption(t("plan_export_none", month=fmt_month(v.month, v.code)))
    if not v.reader.writes_plan:
        return
    with right:
        upload = st.file_uploader(t("plan_import"), type=["csv"], key="plan_upload", help=t("plan_import_help"))
    if upload is None:
        return
    found = Problems()
    try:
        parsed = parse_targets(decode(upload.getvalue(), upload.name), upload.name, Org(nodes=v.nodes), found)
    except NorthstarError as exc:
        parsed, found.items = {}, [error_text(exc)]
    if found.items:
        shown, more = found.items[:20], len(found.items) - 20
        st.error(t("plan_import_problems", n=len(found.items)) + "\n\n"
                 + "\n".join(f"- {md(words(p, v.code))}" for p in shown) + (f"\n- … (+{more})" if more > 0 else ""))
        return
    if not parsed:
        st.info(t("plan_import_empty"))
        return
    incoming = {k: x for k, x in parsed.items() if not decompose.same(v.all_saved.get(k), x)}
    if not incoming:
        st.info(t("plan_import_same", n=len(parsed)))
        return
    st.caption(t("plan_import_preview", n=len(incoming), same=len(parsed) - len(incoming)))
    st.dataframe(up.import_preview(incoming, v.all_saved, v.by_id, v.code), hide_index=True,
                 width="stretch", height=min(38 + 35 * len(incoming), 320))
    who = who_field()
    denied = refused(v, incoming)
    if denied:
        st.error(denied)
    elif not who.strip():
        st.caption(t("plan_save_need_who"))
    if st.button(t("plan_import_save", n=len(incoming)), key="plan_import_save", type="primary",
                 disabled=not who.strip() or denied is not None) and who.strip() and denied is None:
        ids = []
        try:
            check_targets(v.reader, incoming, v.by_id)
            with PlanStore(v.store_file) as store:
                for m in sorted({k[0] for k in incoming}):
                    ids.append(store.set_targets(m, {k[1:]: x for k, x in incoming.items() if k[0] == m},
                                                 who, f"import {upload.name}"))
        except NorthstarError as exc:
            st.error(tm("plan_save_failed", err=exc))
        else:
            for m in {k[0] for k in incoming}:
                plan_draft.drafts(st.session_state).pop(m, None)
            plan_draft.bump(st.session_state)
            flash("success", tm("plan_imported", n=len(incoming), ids=", ".join(f"#{i}" for i in ids),
                                who=who.strip()))
            st.rerun()


def read_only(v: View) -> None:
    """The Plan page of a reader who may not change the plan (pipelines.plan.access: a leader): the month's saved
    targets per node, in the tree's order; no editor, no save, no import, no undo."""
    section(t("plan_saved_title", month=fmt_month(v.month, v.code)))
    rows = [{t("col_name"): v.label(n["id"]), **{up.metric_word(m, v.code): v.saved.get((n["level"], n["id"], m))
                                                 for m in GOAL_METRICS}}
            for n in v.nodes if any((n["level"], n["id"], m) in v.saved for m in GOAL_METRICS)]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 420))
    else:
        st.info(t("plan_empty_read_only", month=fmt_month(v.month, v.code)))


def history_section(v: View, who_field: WhoField) -> None:
    """A node's targets over time, the last ten changes, and undo: a fragment, so picking a node or a change reruns
    this section alone (the editors above, whose checks depend on every cell, are not redrawn). Its 'who' field is
    drawn here only when the save or the import did not draw one this run."""
    _history(v, who_field.drawn)


@st.fragment
def _history(v: View, who_drawn: bool) -> None:
    who_field = WhoField(v.reader)
    who_field.drawn = who_drawn
    with st.expander(t("plan_history")):
        node = pick(v, t("plan_history_node"), v.nodes, "history")
        rows, recent, zone, titles = [], [], None, {}
        if v.store_file.exists():
            with PlanStore(v.store_file, read_only=True) as store:
                rows = store.node_history(node["level"], node["id"])
                recent = store.history(limit=10)
                plan = store.current()
                zone, titles = plan.time_zone, up.titles_of(plan.key_actions, v.code)
        if rows:
            st.dataframe(up.history_frame(rows, v.code, zone), hide_index=True, width="stretch",
                         height=min(38 + 35 * len(rows), 320))
        else:
            st.caption(t("plan_history_none"))
        if recent:
            section(t("plan_recent"))
            st.dataframe(up.recent_frame(recent, v.code, zone, titles), hide_index=True, width="stretch")
        if v.reader.writes_plan:
            undo_section(v, [r for r in recent if r["targets"]], zone, who_field)


def undo_section(v: View, changes: list[dict], zone: str | None, who_field: WhoField) -> None:
    """Undo a saved change of targets: what it puts back, then a new change restoring the values from before it;
    refused, with what and who, when a later change set one of its targets again."""
    section(t("plan_undo"))
    if not changes:
        st.caption(t("plan_undo_none"))
        return
    labels = {c["id"]: f"#{c['id']} · {c['who']} · {fmt_time(c['at'], v.code, zone)} · {c['note']}" for c in changes}
    pick_id = st.selectbox(t("plan_undo_pick"), list(labels), key=f"plan_undo_pick_{v.code}_{changes[0]['id']}",
                           format_func=lambda i: labels[i])
    with PlanStore(v.store_file, read_only=True) as store:
        rows = store.change_targets(pick_id)
    st.caption(t("plan_undo_what", id=pick_id))
    st.dataframe(up.undo_frame(rows, v.by_id, v.code), hide_index=True, width="stretch",
                 height=min(38 + 35 * len(rows), 250))
    who = who_field()
    denied = refused(v, [(r["level"], r["node_id"], r["metric"]) for r in rows])
    if denied:
        st.caption(denied)
    if st.button(t("plan_undo_button", id=pick_id), key="plan_undo_button",
                 disabled=not who.strip() or denied is not None):
        try:
            check_targets(v.reader, [(r["level"], r["node_id"], r["metric"]) for r in rows], v.by_id)
            with PlanStore(v.store_file) as store:
                new = store.undo(pick_id, who)
        except TargetConflict as exc:
            what = "；".join(f"{v.label(c['key'][1])} · #{c['change']} {c['who']}" for c in exc.conflicts[:5])
            st.error(tm("plan_undo_later", id=pick_id, what=what))
        except NorthstarError as exc:
            st.error(tm("plan_save_failed", err=error_text(exc)))
        else:
            plan_draft.drafts(st.session_state).pop(v.month, None)     # the month's draft starts again from the store
            flash("success", tm("plan_undo_done", id=pick_id, new=new, who=who.strip()))
            st.rerun()
