"""The Plan page (目标分解): HQ and the leads set a month's targets and split them company → war zones → teams →
people, and company → centers for members, without touching a file.

The planner edits a draft (kept per month in the session): the company's targets in two fields, every split in an
editable table with a one-click suggestion in proportion to the last 3 months' actuals. Checks run on every edit
(each parent's children's sum and what is left unallocated; refused cells with the reason). Saving writes the
changed targets to the plan store as one change with who and when; the board and the war-zone page read them on
their next run. targets.csv goes out (export) and comes in (import: checked, previewed, then saved).
The arithmetic is pipelines.planning's; the shaping for people is ui.plan's.
"""
from pathlib import Path

import duckdb
import streamlit as st

from pipelines import planning
from pipelines.errors import NorthstarError
from pipelines.months import shift_month
from pipelines.org import Org, Problems
from pipelines.plan import GOAL_METRICS, decode, parse_targets
from pipelines.planstore import PlanStore, TargetConflict, store_path, targets_csv
from ui import board
from ui import plan as up
from ui.data import WarehouseMissing, plan_basis, versions
from ui.i18n import error_text, fmt_count, fmt_month, fmt_time, md, t, tm
from ui.setup import start_page

code, db = start_page()
try:
    org = plan_basis(db, None, versions(db))
except (NorthstarError, WarehouseMissing, duckdb.Error) as exc:
    st.error(tm("plan_failed", err=error_text(exc)))
    st.info(t("tree_hint"))
    st.stop()
nodes, last = org["nodes"], org["last"]
if not nodes or not any(n["level"] == "war_zone" for n in nodes):
    st.info(t("plan_no_org"))
    st.stop()
if last is None:
    st.info(t("no_dates"))
    st.stop()
by_id = {n["id"]: n for n in nodes}
company = nodes[0]
zones = planning.children(nodes, company)
centers = planning.centers(nodes)
store_file = store_path(Path(db))
if store_file.exists():
    try:
        PlanStore(store_file, read_only=True).close()     # a damaged store is said, not a traceback
    except NorthstarError as exc:
        st.error(md(error_text(exc)))
        st.stop()


def saved_targets() -> dict:
    """Every month's saved targets, read fresh from the plan store (no store yet: none)."""
    if not store_file.exists():
        return {}
    with PlanStore(store_file, read_only=True) as store:
        return store.targets()


def bump() -> int:
    """A new version for the editors' keys: they start again from the draft (after a suggestion, copy, save)."""
    st.session_state["plan_v"] = st.session_state.get("plan_v", 0) + 1
    for key in [k for k in st.session_state if str(k).startswith("plan_base::")]:
        del st.session_state[key]
    return st.session_state["plan_v"]


def start_draft(month: str, targets: dict, base: dict | None = None) -> dict:
    """A new draft of `month` showing `targets`; `base` is what the store holds as it starts (default: the saved
    targets read this run): a save writes only what differs from it (pipelines.planning.rebase)."""
    drafts[month] = {"cells": up.draft_cells(nodes, targets), "v": bump(),
                     "base": dict(saved if base is None else base)}
    return drafts[month]


drafts = st.session_state.setdefault("plan_drafts", {})
flash = st.session_state.pop("plan_flash", None)

# ---- the month -------------------------------------------------------------------------------------------------
months = planning.plan_months(last)
key = f"plan_month_{code}"           # one widget per language (see ui/setup.py's month)
if key not in st.session_state:
    st.session_state[key] = st.session_state.get("plan_month") if st.session_state.get("plan_month") in months \
        else months[1]
head, chooser = st.columns([4, 1], vertical_alignment="bottom")
with chooser:
    month = st.selectbox(t("plan_month"), months, key=key, help=t("plan_month_help"),
                         format_func=lambda m, c=code: fmt_month(m, c))
st.session_state["plan_month"] = month
prev = shift_month(month, -1)
with head:
    st.markdown(f'<div class="ns-head"><h1>{board.esc(t("plan_title"))} · {board.esc(fmt_month(month, code))}</h1>'
                f'<span class="ns-period">{board.esc(t("data_through", d=last.isoformat()))}</span></div>',
                unsafe_allow_html=True)
st.caption(t("plan_intro"))
if flash:
    getattr(st, flash[0])(flash[1])

basis = plan_basis(db, month, versions(db))
actuals, (period_start, period_end) = basis["actuals"], basis["period"]
all_saved = saved_targets()
saved = planning.month_targets(all_saved, month)
prev_saved = planning.month_targets(all_saved, prev)
draft = drafts.get(month)
if draft is None and saved:
    draft = start_draft(month, saved)

status_box = st.container()


def refused_here(keys: list, cells: dict) -> None:
    """Refused cells among `keys`, said right under what was edited."""
    _, problems = planning.check({k: cells[k] for k in keys if k in cells})
    if problems:
        st.error("\n\n".join(up.problem_lines(problems, cells, by_id, code)))


def alloc_lines(parent: dict, kids: list[dict], metrics: tuple[str, ...], cells: dict) -> None:
    values, _ = planning.check(cells)
    rows = [r for r in planning.allocation(values, [parent, *kids])
            if r["id"] == parent["id"] and r["child_level"] == kids[0]["level"] and r["metric"] in metrics]
    st.markdown("".join(up.alloc_line(parent, r, code) for r in rows), unsafe_allow_html=True)


def split_section(parent: dict, kids: list[dict], metrics: tuple[str, ...], name: str, draft: dict) -> None:
    """The table of a parent's children: their targets (editable), the trailing actuals behind the suggestion, the
    parent's allocation line and the suggestion button."""
    cells = draft["cells"]
    if not kids:
        st.info(t("no_teams") if parent["level"] == "war_zone" else t("no_people"))
        return
    wkey = f"plan_ed_{month}_{name}_{parent['id']}_{code}_{draft['v']}"
    base = f"plan_base::{wkey}"
    if wkey not in st.session_state or base not in st.session_state:   # new, or not drawn last run: from the draft
        st.session_state[base] = up.editor_frame(kids, cells, actuals, metrics, code)
    cols = up.columns(code)
    edited = st.data_editor(st.session_state[base], key=wkey, hide_index=True, width="stretch",
                            column_config=up.column_config(metrics, code), num_rows="fixed",
                            disabled=[cols["name"]] + [cols[f"{m}.{f}"] for m in metrics for f in ("trailing", "share")])
    cells.update(up.read_editor(edited, kids, metrics, code))
    refused_here([(k["level"], k["id"], m) for k in kids for m in metrics], cells)
    alloc_lines(parent, kids, metrics, cells)
    values, _ = planning.check(cells)
    has_target = any(values.get((parent["level"], parent["id"], m)) is not None for m in metrics)
    if st.button(t("plan_suggest"), key=f"plan_suggest_{name}_{parent['id']}", disabled=not has_target,
                 help=t("plan_suggest_help") if has_target else t("plan_suggest_no_target")):
        for m in metrics:
            target = values.get((parent["level"], parent["id"], m))
            if target is not None:
                for kid_id, part in planning.suggest(target, kids, actuals, m).items():
                    cells[(kids[0]["level"], kid_id, m)] = str(part)
        draft["v"] = bump()
        st.rerun()


def overview(parents: list[dict], child_level: str, cells: dict) -> None:
    """Every parent of a level at a glance: target, children's sum, unallocated; rows that don't add up tinted."""
    values, _ = planning.check(cells)
    frame, flags = up.overview_frame(parents, planning.allocation(values, nodes), child_level, by_id, code)
    st.markdown(f'<div class="ns-section">{board.esc(t(f"plan_overview_{child_level}"))}</div>', unsafe_allow_html=True)
    st.dataframe(up.highlight(frame, flags), hide_index=True, width="stretch",
                 height=min(38 + 35 * len(frame), 300))


def pick(label: str, options: list[dict], name: str) -> dict:
    ids = [n["id"] for n in options]
    wkey = f"plan_pick_{name}_{code}"
    if st.session_state.get(wkey) not in ids:
        st.session_state[wkey] = st.session_state.get(f"plan_pick_{name}") if \
            st.session_state.get(f"plan_pick_{name}") in ids else ids[0]
    chosen = st.selectbox(label, ids, key=wkey, format_func=lambda i: up.node_label(by_id[i], by_id, code))
    st.session_state[f"plan_pick_{name}"] = chosen
    return by_id[chosen]


def conflict_section(conflicts: dict, values: dict, draft: dict) -> None:
    """Cells this reader changed that someone else saved differently since: who, when, theirs and mine; the reader
    keeps theirs or overwrites with theirs in view. Nothing is saved until each is settled."""
    with PlanStore(store_file, read_only=True) as store:
        rows = [{**store.target_now(month, *k), "key": k} for k in sorted(conflicts)]
    st.warning(t("plan_conflict_head", n=len(conflicts)))
    st.dataframe(up.conflict_frame(rows, values, draft["base"], by_id, code), hide_index=True, width="stretch")
    keep, mine, _ = st.columns([1, 1, 2])
    if keep.button(t("plan_conflict_theirs", n=len(conflicts)), key="plan_conflict_theirs", type="primary"):
        for k, v in conflicts.items():
            draft["cells"][k] = planning.fmt_target(v)
            draft["base"][k] = v
        draft["v"] = bump()
        st.rerun()
    if mine.button(t("plan_conflict_mine", n=len(conflicts)), key="plan_conflict_mine"):
        for k, v in conflicts.items():
            draft["base"][k] = v          # seen: my value now replaces theirs, knowingly
        st.rerun()


def undo_section(changes: list[dict], zone: str | None) -> None:
    """Undo a saved change of targets: what it puts back, then a new change restoring the values from before it;
    refused, with what and who, when a later change set one of its targets again."""
    st.markdown(f'<div class="ns-section">{board.esc(t("plan_undo"))}</div>', unsafe_allow_html=True)
    if not changes:
        st.caption(t("plan_undo_none"))
        return
    labels = {c["id"]: f"#{c['id']} · {c['who']} · {fmt_time(c['at'], code, zone)} · {c['note']}" for c in changes}
    pick_id = st.selectbox(t("plan_undo_pick"), list(labels), key=f"plan_undo_pick_{code}_{changes[0]['id']}",
                           format_func=lambda i: labels[i])
    with PlanStore(store_file, read_only=True) as store:
        rows = store.change_targets(pick_id)
    st.caption(t("plan_undo_what", id=pick_id))
    st.dataframe(up.undo_frame(rows, by_id, code), hide_index=True, width="stretch",
                 height=min(38 + 35 * len(rows), 250))
    who = who_field()
    if st.button(t("plan_undo_button", id=pick_id), key="plan_undo_button", disabled=not who.strip()):
        try:
            with PlanStore(store_file) as store:
                new = store.undo(pick_id, who)
        except TargetConflict as exc:
            what = "；".join(f"{up.node_label(by_id[c['key'][1]], by_id, code) if c['key'][1] in by_id else c['key'][1]}"
                            f" · #{c['change']} {c['who']}" for c in exc.conflicts[:5])
            st.error(tm("plan_undo_later", id=pick_id, what=what))
        except NorthstarError as exc:
            st.error(tm("plan_save_failed", err=error_text(exc)))
        else:
            drafts.pop(month, None)          # the month's draft starts again from the store
            st.session_state["plan_flash"] = ("success", tm("plan_undo_done", id=pick_id, new=new, who=who.strip()))
            st.rerun()


who_drawn: list[bool] = []          # the field is drawn once a run; later asks read its value


def who_field() -> str:
    """Who makes the change: asked once a run, by the save button (or by the import or the undo when there is no
    draft); a second ask in the same run reads the value typed there."""
    if who_drawn:
        return st.session_state.get("plan_who_value", "")
    who_drawn.append(True)
    if "plan_who" not in st.session_state and st.session_state.get("plan_who_value"):
        st.session_state["plan_who"] = st.session_state["plan_who_value"]
    who = st.text_input(t("plan_who"), key="plan_who", help=t("plan_who_help"))
    st.session_state["plan_who_value"] = who
    return who


# ---- no plan for the month yet: start from scratch or from last month's -----------------------------------------
if draft is None:
    st.info(t("plan_empty", month=fmt_month(month, code)))
    a, b, _ = st.columns([1, 1.4, 2])
    if a.button(t("plan_start_scratch"), key="plan_scratch", type="primary"):
        start_draft(month, {})
        st.rerun()
    if b.button(t("plan_start_copy", month=fmt_month(prev, code), n=len(prev_saved)) if prev_saved else
                t("plan_copy_none", month=fmt_month(prev, code)), key="plan_start_copy", disabled=not prev_saved):
        start_draft(month, prev_saved)
        st.rerun()
else:
    cells = draft["cells"]
    for wkey in [k for k in st.session_state if str(k).startswith(f"plan_ed_{month}_")]:
        if wkey.endswith(f"_{draft['v']}") and f"plan_base::{wkey}" in st.session_state:
            cells.update(up.pending_edits(st.session_state[f"plan_base::{wkey}"], st.session_state[wkey], by_id))
    # Someone else saved this month since the draft began: the cells this reader did not touch take their values
    # (said once); cells both changed are conflicts, shown by the save button and never overwritten silently.
    base = draft.setdefault("base", dict(saved))
    theirs, conflicts, _ = planning.rebase(planning.check(cells)[0], base, saved)
    if theirs:
        for k, v in theirs.items():
            cells[k] = planning.fmt_target(v)
            base[k] = v
        draft["v"] = bump()
        st.session_state["plan_flash"] = ("info", t("plan_rebased", n=len(theirs)))
        st.rerun()
    a, b, _ = st.columns([1.4, 1, 2])
    if a.button(t("plan_copy", month=fmt_month(prev, code)) if prev_saved else
                t("plan_copy_none", month=fmt_month(prev, code)), key="plan_copy", disabled=not prev_saved):
        start_draft(month, prev_saved)
        st.rerun()
    if b.button(t("plan_discard"), key="plan_discard"):
        start_draft(month, saved)
        st.rerun()

    tabs = st.tabs([t("plan_tab_company"), t("plan_tab_zones"), t("plan_tab_teams"), t("plan_tab_people"),
                    t("plan_tab_centers")])
    with tabs[0]:
        company_keys = [("company", company["id"], m) for m in GOAL_METRICS]
        for metric, col in zip(GOAL_METRICS, st.columns(2, gap="large")):
            k = ("company", company["id"], metric)
            wkey = f"plan_co_{month}_{metric}_{draft['v']}"
            if wkey not in st.session_state:
                st.session_state[wkey] = cells[k]
            with col:
                unit = t("plan_unit_" + metric)
                label = t("plan_company_target", m=up.metric_word(metric, code)) + (
                    f"（{unit}）" if code == "zh" else f" ({unit})")
                cells[k] = st.text_input(label, key=wkey)
                st.caption(t("plan_reference", n=fmt_count(actuals.get(company["id"], {}).get(metric, 0), code),
                             start=period_start.isoformat(), end=period_end.isoformat(),
                             prev=fmt_month(prev, code), last=fmt_count(prev_saved.get(k), code)))
        refused_here(company_keys, cells)
        values, _ = planning.check(cells)
        rows = planning.allocation(values, [company, *zones, *centers])
        st.markdown("".join(up.alloc_line(company, r, code) for r in rows if r["id"] == company["id"]),
                    unsafe_allow_html=True)
        has_target = any(values.get(k) is not None for k in company_keys)
        suggested = planning.suggest_all(values, nodes, actuals) if has_target else {}
        effects = planning.split_effects({k: v for k, v in values.items() if k in cells},
                                         {k: v for k, v in suggested.items() if k in cells}, set(company_keys))

        def apply_split() -> None:
            for k in effects["overwrites"] + [k for k, v in suggested.items() if k in cells and k not in company_keys]:
                if suggested.get(k) is not None:
                    cells[k] = planning.fmt_target(suggested[k])
            draft["v"] = bump()
            st.session_state.pop("plan_split_ask", None)
            if effects["zeros"]:     # a 0 reads as "no target": say so, never silently
                names = "、".join(up.node_label(by_id[k[1]], by_id, code) for k in effects["zeros"][:6])
                st.session_state["plan_flash"] = ("warning", tm("plan_split_zeros", n=len(effects["zeros"]),
                                                               names=names))

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
    with tabs[1]:
        split_section(company, zones, GOAL_METRICS, "zones", draft)
    with tabs[2]:
        overview(zones, "team", cells)
        zone = pick(t("plan_pick_zone"), zones, "zone")
        split_section(zone, planning.children(nodes, zone), GOAL_METRICS, "teams", draft)
    with tabs[3]:
        teams = [tm for z in zones for tm in planning.children(nodes, z)]
        if teams:
            overview(teams, "person", cells)
            team = pick(t("plan_pick_team"), teams, "team")
            split_section(team, planning.children(nodes, team), GOAL_METRICS, "people", draft)
        else:
            st.info(t("no_teams"))
    with tabs[4]:
        if centers:
            split_section(company, centers, ("members",), "centers", draft)
        else:
            st.info(t("no_centers"))

    # ---- the checks, and saving ---------------------------------------------------------------------------------
    values, problems = planning.check(cells)
    alloc = planning.allocation(values, nodes)
    _, conflicts, changes = planning.rebase(values, draft["base"], saved)
    not_adding = up.off(alloc)
    with status_box:
        parts = []
        if conflicts:
            parts.append(f'<span class="ns-chip ns-off_track" data-k="plan.conflicts">✖ '
                         f'{board.esc(t("plan_status_conflicts", n=len(conflicts)))}</span>')
        if changes:
            parts.append(f'<span class="ns-chip ns-at_risk" data-k="plan.changes">▲ '
                         f'{board.esc(t("plan_status_changes", n=len(changes)))}</span>')
        elif not conflicts:
            parts.append(f'<span class="ns-chip ns-on_track" data-k="plan.changes">✔ '
                         f'{board.esc(t("plan_status_clean"))}</span>')
        if not_adding:
            parts.append(f'<span class="ns-chip ns-at_risk" data-k="plan.unallocated">▲ '
                         f'{board.esc(t("plan_status_unallocated", n=len(not_adding)))}</span>')
        if problems:
            parts.append(f'<span class="ns-chip ns-off_track" data-k="plan.refused">✖ '
                         f'{board.esc(t("plan_status_refused", n=len(problems)))}</span>')
        st.markdown(f'<div class="ns-tally ns-plan-status">{"".join(parts)}</div>', unsafe_allow_html=True)

    st.markdown(f'<div class="ns-section">{board.esc(t("plan_save", month=fmt_month(month, code)))}</div>',
                unsafe_allow_html=True)
    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
    with c1:
        who = who_field()
    note = c2.text_input(t("plan_note"), key="plan_note")
    ready = bool(changes) and not problems and not conflicts and bool(who.strip())
    clicked = c3.button(t("plan_save", month=fmt_month(month, code)), key="plan_save", type="primary",
                        disabled=not ready, width="stretch")
    if conflicts:
        conflict_section(conflicts, values, draft)
    if problems:
        st.error(t("plan_refused_head") + "\n\n" + "\n\n".join(up.problem_lines(problems, cells, by_id, code)))
    elif not changes and not conflicts:
        st.caption(t("plan_save_nothing"))
    elif not who.strip():
        st.caption(t("plan_save_need_who"))
    if changes and not_adding:
        st.caption(t("plan_save_unallocated", n=len(not_adding)))
    if clicked and ready:
        try:
            with PlanStore(store_file) as store:
                change = store.set_targets(month, changes, who, note,
                                           expected={k: draft["base"].get(k) for k in changes})
        except TargetConflict:
            st.session_state["plan_flash"] = ("warning", t("plan_conflict_at_save"))
            st.rerun()         # the next run shows the cells someone else saved meanwhile
        except NorthstarError as exc:
            st.error(tm("plan_save_failed", err=exc))
        else:
            fresh = planning.month_targets(saved_targets(), month)
            start_draft(month, fresh, base=fresh)
            st.session_state["plan_flash"] = ("success", tm("plan_saved", n=len(changes), id=change, who=who.strip()))
            st.rerun()

# ---- targets.csv out and in ------------------------------------------------------------------------------------
st.markdown(f'<div class="ns-section">{board.esc(t("plan_io"))}</div>', unsafe_allow_html=True)
left, right = st.columns(2, gap="large")
with left:
    if saved:
        order = {n["id"]: i for i, n in enumerate(nodes)}
        st.download_button(t("plan_export", month=fmt_month(month, code)), key="plan_export",
                           data=targets_csv({(month, *k): v for k, v in saved.items()}, order).encode("utf-8-sig"),
                           file_name=f"targets-{month}.csv", mime="text/csv")
    else:
        st.caption(t("plan_export_none", month=fmt_month(month, code)))
with right:
    upload = st.file_uploader(t("plan_import"), type=["csv"], key="plan_upload", help=t("plan_import_help"))
if upload is not None:
    found = Problems()
    try:
        parsed = parse_targets(decode(upload.getvalue(), upload.name), upload.name, Org(nodes=nodes), found)
    except NorthstarError as exc:
        parsed, found.items = {}, [str(exc)]
    if found.items:
        shown = found.items[:20]
        more = len(found.items) - len(shown)
        st.error(t("plan_import_problems", n=len(found.items)) + "\n\n" + "\n".join(f"- {md(p)}" for p in shown)
                 + (f"\n- … (+{more})" if more else ""))
    elif not parsed:
        st.info(t("plan_import_empty"))
    else:
        incoming = {k: v for k, v in parsed.items() if not planning.same(all_saved.get(k), v)}
        if not incoming:
            st.info(t("plan_import_same", n=len(parsed)))
        else:
            st.caption(t("plan_import_preview", n=len(incoming), same=len(parsed) - len(incoming)))
            st.dataframe(up.import_preview(incoming, all_saved, by_id, code), hide_index=True,
                         width="stretch", height=min(38 + 35 * len(incoming), 320))
            who = who_field()
            if not who.strip():
                st.caption(t("plan_save_need_who"))
            if st.button(t("plan_import_save", n=len(incoming)), key="plan_import_save", type="primary",
                         disabled=not who.strip()) and who.strip():
                ids = []
                try:
                    with PlanStore(store_file) as store:
                        for m in sorted({k[0] for k in incoming}):
                            ids.append(store.set_targets(m, {k[1:]: v for k, v in incoming.items() if k[0] == m},
                                                         who, f"import {upload.name}"))
                except NorthstarError as exc:
                    st.error(tm("plan_save_failed", err=exc))
                else:
                    for m in {k[0] for k in incoming}:
                        drafts.pop(m, None)
                    bump()
                    st.session_state["plan_flash"] = ("success", tm("plan_imported", n=len(incoming),
                                                                   ids=", ".join(f"#{i}" for i in ids),
                                                                   who=who.strip()))
                    st.rerun()

# ---- history ---------------------------------------------------------------------------------------------------
with st.expander(t("plan_history")):
    node = pick(t("plan_history_node"), nodes, "history")
    rows = []
    recent = []
    zone = None
    if store_file.exists():
        with PlanStore(store_file, read_only=True) as store:
            rows = store.node_history(node["level"], node["id"])
            recent = store.history(limit=10)
            zone = store.current().time_zone
    if rows:
        st.dataframe(up.history_frame(rows, code, zone), hide_index=True, width="stretch",
                     height=min(38 + 35 * len(rows), 320))
    else:
        st.caption(t("plan_history_none"))
    if recent:
        st.markdown(f'<div class="ns-section">{board.esc(t("plan_recent"))}</div>', unsafe_allow_html=True)
        st.dataframe(up.recent_frame(recent, code, zone), hide_index=True, width="stretch")
    undo_section([r for r in recent if r["targets"]], zone)
