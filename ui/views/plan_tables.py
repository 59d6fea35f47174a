"""The Plan page's pieces: the draft a planner edits (cell texts keyed (level, node, metric)), the editable tables
built from it and read back, the allocation lines, refused-cell messages, the import preview and history tables.

The arithmetic (split, checks, allocation, diff) is pipelines.okr.decompose's; this module only shapes it for people.
"""
from __future__ import annotations

import re

import pandas as pd

from pipelines.okr import decompose
from pipelines.plan.goals import GOAL_METRICS, parse_number
from ui.i18n import fmt_count, fmt_time, md, text, who_word
from ui.views.board import esc, name_of

Key = decompose.Key
METRIC_SHORT = {"stations": "stations_short", "members": "members_short"}


def metric_word(metric: str, lang: str) -> str:
    return text(METRIC_SHORT[metric], lang)


def metrics_of(node: dict) -> tuple[str, ...]:
    """The goal metrics a node can hold: centers hold member targets only."""
    return ("members",) if node["level"] == "center" else GOAL_METRICS


def all_keys(nodes: list[dict]) -> list[Key]:
    return [(n["level"], n["id"], m) for n in nodes for m in metrics_of(n)]


def draft_cells(nodes: list[dict], targets: dict[Key, float]) -> dict[Key, str]:
    """Every cell of the month's plan as the text it shows: the given targets, blank where there is none."""
    return {k: decompose.fmt_target(targets.get(k)) for k in all_keys(nodes)}


def node_label(node: dict, nodes_by_id: dict[str, dict], lang: str) -> str:
    """'华东战区 · 华东一队' for a team, the name alone for a zone or the company."""
    parent = nodes_by_id.get(node.get("parent") or "")
    if node["level"] in ("team", "person") and parent is not None:
        return f"{name_of(parent, lang)} · {name_of(node, lang)}"
    return name_of(node, lang)


def columns(lang: str) -> dict[str, str]:
    cols = {"name": text("col_name", lang)}
    for m in GOAL_METRICS:
        w = metric_word(m, lang)
        cols[f"{m}.target"] = text("plan_col_target", lang, m=w)
        cols[f"{m}.trailing"] = text("plan_col_trailing", lang, m=w)
        cols[f"{m}.share"] = text("plan_col_share", lang, m=w)
    return cols


def editor_frame(kids: list[dict], cells: dict[Key, str], actuals: dict[str, dict], metrics: tuple[str, ...],
                 lang: str) -> pd.DataFrame:
    """One row per child (indexed by node id): its name, and per metric the target text (editable), the trailing
    3 months' actual and its share of the children's — the basis of the suggestion."""
    cols = columns(lang)
    rows = []
    totals = {m: sum(actuals.get(k["id"], {}).get(m, 0) for k in kids) for m in metrics}
    for kid in kids:
        row = {cols["name"]: name_of(kid, lang)}
        for m in metrics:
            row[cols[f"{m}.target"]] = cells.get((kid["level"], kid["id"], m), "")
        for m in metrics:
            n = actuals.get(kid["id"], {}).get(m, 0)
            row[cols[f"{m}.trailing"]] = n
            row[cols[f"{m}.share"]] = 100 * n / totals[m] if totals[m] else None
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index([k["id"] for k in kids], name="id"))


def column_config(metrics: tuple[str, ...], lang: str) -> dict:
    import streamlit as st

    cols = columns(lang)
    config = {cols["name"]: st.column_config.TextColumn(disabled=True)}
    for m in metrics:
        config[cols[f"{m}.target"]] = st.column_config.TextColumn(help=text("plan_edit_hint", lang))
        config[cols[f"{m}.trailing"]] = st.column_config.NumberColumn(disabled=True, format="localized")
        config[cols[f"{m}.share"]] = st.column_config.NumberColumn(disabled=True, format="%.0f%%")
    return config


def read_editor(frame: pd.DataFrame, kids: list[dict], metrics: tuple[str, ...], lang: str) -> dict[Key, str]:
    """The edited table back to cell texts (None and NaN are blank)."""
    cols = columns(lang)
    out: dict[Key, str] = {}
    for kid in kids:
        if kid["id"] not in frame.index:
            continue
        for m in metrics:
            v = frame.at[kid["id"], cols[f"{m}.target"]]
            out[(kid["level"], kid["id"], m)] = "" if v is None or (isinstance(v, float) and v != v) else str(v)
    return out


def pending_edits(base: pd.DataFrame, state: dict, nodes_by_id: dict[str, dict]) -> dict[Key, str]:
    """The cells a table's widget state changes (its `edited_rows`, by row position and column label), read before
    anything is drawn so that every line of the page — including those drawn above the table — sees the edit."""
    metric_of = {}
    for lang in ("zh", "en"):
        cols = columns(lang)
        metric_of.update({cols[f"{m}.target"]: m for m in GOAL_METRICS})
    out: dict[Key, str] = {}
    for row, changes in (state or {}).get("edited_rows", {}).items():
        row = int(row)
        if not 0 <= row < len(base):
            continue
        node = nodes_by_id.get(base.index[row])
        for col, value in changes.items():
            if node is not None and col in metric_of:
                out[(node["level"], node["id"], metric_of[col])] = "" if value is None else str(value)
    return out


def alloc_line(parent: dict, row: dict, lang: str) -> str:
    """'华东战区 驿站目标 60 · 下级合计 58 · 未分配 2  ▲ 未对齐' as HTML; amber when the split doesn't add up."""
    m = metric_word(row["metric"], lang)
    key = f"alloc.{parent['id']}.{row['child_level']}.{row['metric']}"
    kids = text(f"plan_kids_{row['child_level']}", lang)
    if row["target"] is None:
        body = text("plan_alloc_no_target", lang, parent=name_of(parent, lang), m=m, kids=kids,
                    sum=fmt_count(row["children"], lang))
        return f'<div class="ns-alloc" data-k="{esc(key)}">{esc(body)}</div>'
    left = row["unallocated"]
    ok = abs(left) < 1e-9
    body = text("plan_alloc", lang, parent=name_of(parent, lang), m=m, kids=kids, target=fmt_count(row["target"], lang),
                sum=fmt_count(row["children"], lang), left=("−" if left < 0 else "") + fmt_count(abs(left), lang))
    word = text("plan_alloc_ok" if ok else "plan_alloc_off", lang)
    cls = "ns-alloc-ok" if ok else "ns-alloc-off"
    icon = "✔" if ok else "▲"
    return (f'<div class="ns-alloc {cls}" data-k="{esc(key)}">{esc(body)}'
            f'<span class="ns-alloc-word">{icon} {esc(word)}</span></div>')


def off(rows: list[dict]) -> list[dict]:
    """The allocation rows whose children don't add up to a set target."""
    return [r for r in rows if r["unallocated"] is not None and abs(r["unallocated"]) > 1e-9]


def overview_frame(parents: list[dict], alloc: list[dict], child_level: str, nodes_by_id: dict[str, dict],
                   lang: str) -> tuple[pd.DataFrame, list[bool]]:
    """Per parent: each metric's target, children's sum and unallocated; and which rows don't add up."""
    by = {(r["id"], r["metric"]): r for r in alloc if r["child_level"] == child_level}
    rows, flags = [], []
    for p in parents:
        row = {text("col_name", lang): node_label(p, nodes_by_id, lang)}
        bad = False
        for m in GOAL_METRICS:
            r = by.get((p["id"], m))
            w = metric_word(m, lang)
            row[text("plan_col_target", lang, m=w)] = (
                fmt_count(r["target"], lang) if r and r["target"] is not None else "—"
            )
            row[text("plan_col_children", lang, m=w)] = fmt_count(r["children"], lang) if r else "—"
            left = r["unallocated"] if r else None
            row[text("plan_col_unallocated", lang, m=w)] = "—" if left is None else (
                ("−" if left < 0 else "") + fmt_count(abs(left), lang))
            bad = bad or (left is not None and abs(left) > 1e-9)
        rows.append(row)
        flags.append(bad)
    return pd.DataFrame(rows), flags


def highlight(frame: pd.DataFrame, flags: list[bool]):
    """Rows that don't add up tinted amber (the status colour of 'at risk')."""
    def style(row):
        return ["background-color: #fff4db" if flags[row.name] else ""] * len(row)
    return frame.style.apply(style, axis=1)


def problem_lines(problems: dict[Key, str], cells: dict[Key, str], nodes_by_id: dict[str, dict],
                  lang: str) -> list[str]:
    """One sentence per refused cell, in the reader's language (for a Markdown surface: what was typed is inert)."""
    out = []
    for key in problems:
        level, nid, metric = key
        raw = str(cells.get(key, "")).strip()
        number = parse_number(raw)
        why = text("plan_not_number", lang, v=md(raw)) if number is None else text("plan_negative", lang, v=md(raw))
        node = nodes_by_id.get(nid, {"id": nid, "name_zh": nid, "name_en": nid, "level": level, "parent": None})
        out.append(text("plan_refused", lang, node=md(node_label(node, nodes_by_id, lang)), m=metric_word(metric, lang),
                        why=why))
    return out


def import_preview(changes: dict[tuple[str, str, str, str], float | None], saved: dict, nodes_by_id: dict[str, dict],
                   lang: str) -> pd.DataFrame:
    """The imported targets that differ from the saved ones: month, level, node, metric, now → new."""
    rows = []
    for (month, level, nid, metric), new in sorted(changes.items()):
        node = nodes_by_id.get(nid)
        rows.append({
            text("plan_col_month", lang): month,
            text("plan_col_level", lang): text(f"level_{level}", lang),
            text("plan_col_node", lang): node_label(node, nodes_by_id, lang) if node else nid,
            text("plan_col_metric", lang): metric_word(metric, lang),
            text("plan_col_now", lang): fmt_count(saved.get((month, level, nid, metric)), lang),
            text("plan_col_new", lang): fmt_count(new, lang),
        })
    return pd.DataFrame(rows)


def history_frame(rows: list[dict], lang: str, tz: str | None = None) -> pd.DataFrame:
    """A node's target history (PlanStore.node_history), newest first."""
    return pd.DataFrame([{
        text("plan_col_month", lang): r["month"],
        text("plan_col_metric", lang): metric_word(r["metric"], lang),
        text("bar_target", lang): text("plan_removed", lang) if r["target"] is None else fmt_count(r["target"], lang),
        text("plan_col_who", lang): who_word(r["who"], lang),
        text("plan_col_at", lang): fmt_time(r["at"], lang, tz),
        text("plan_col_source", lang): text(f"source_{r['source']}", lang),
        text("plan_col_change", lang): f"#{r['change']}",
    } for r in rows])


def titles_of(key_actions: list[dict], lang: str) -> dict[str, str]:
    """Key action and key result id → its title in `lang` (a plan's key_actions), for notes that name them."""
    out = {}
    for ka in key_actions:
        out[ka["id"]] = (ka.get("title") or {}).get(lang) or ka["id"]
        for kr in ka.get("key_results") or []:
            out[kr["id"]] = (kr.get("title") or {}).get(lang) or kr["id"]
    return out


def recent_frame(rows: list[dict], lang: str, tz: str | None = None,
                 titles: dict[str, str] | None = None) -> pd.DataFrame:
    """The plan store's latest changes (PlanStore.history); a key result or action a note names by its title."""
    return pd.DataFrame([{
        text("plan_col_change", lang): f"#{r['id']}",
        text("plan_col_at", lang): fmt_time(r["at"], lang, tz),
        text("plan_col_who", lang): who_word(r["who"], lang),
        text("plan_col_source", lang): text(f"source_{r['source']}", lang),
        text("plan_col_note", lang): note_words(r["note"], lang, titles),
    } for r in rows])


def some_names(names: list[str], lang: str, most: int = 6) -> str:
    """The first `most` names and how many more: "甲、乙、丙 等 19 项" / "A, B, C and 16 more" (issue 36.15: six names
    of nineteen read as the whole list)."""
    shown = ("、" if lang == "zh" else ", ").join(names[:most])
    return shown if len(names) <= most else text("names_more", lang, names=shown, n=len(names))


# The notes the plan store writes itself (pipelines.plan.store), in the page's language; a note a person wrote is
# shown as written.
_NOTES = [(re.compile(r"check-in (?P<kr>\S+)$"), "note_checkin"),
          (re.compile(r"targets (?P<month>\d{4}-\d{2}): (?P<n>\d+)$"), "note_targets"),
          (re.compile(r"undo #(?P<change>\d+)$"), "note_undo"),
          (re.compile(r"remove key action (?P<ka>\S+)$"), "note_remove_ka"),
          (re.compile(r"key action (?P<ka>\S+)$"), "note_ka"),
          (re.compile(r"(?P<folder>[^:]+): (?P<files>[\w.\-]+(?:, [\w.\-]+)*)$"), "note_import")]


def note_words(note: str | None, lang: str, titles: dict[str, str] | None = None) -> str:
    """A change's note: "check-in kr-salons-held" → "进展填报：城市沙龙场次" (the key result's title from `titles`,
    its id when it has none)."""
    if not note:
        return ""
    for pattern, key in _NOTES:
        found = pattern.match(note)
        if found:
            values = {k: (titles or {}).get(v, v) if k in ("kr", "ka") else v for k, v in found.groupdict().items()}
            return text(key, lang, **values)
    return note


def _target_word(value: float | None, lang: str) -> str:
    return text("plan_removed", lang) if value is None else fmt_count(value, lang)


def conflict_frame(rows: list[dict], values: dict, base: dict, nodes_by_id: dict[str, dict], lang: str,
                   tz: str | None = None) -> pd.DataFrame:
    """Targets both this reader and someone else changed: the node, the metric, the value when opened, the value
    saved since, this reader's value, and who saved theirs when."""
    out = []
    for r in rows:
        level, nid, metric = r["key"]
        node = nodes_by_id.get(nid)
        out.append({
            text("plan_col_node", lang): node_label(node, nodes_by_id, lang) if node else nid,
            text("plan_col_metric", lang): metric_word(metric, lang),
            text("plan_col_opened", lang): _target_word(base.get(r["key"]), lang),
            text("plan_col_theirs", lang): _target_word(r["target"], lang),
            text("plan_col_mine", lang): _target_word(values.get(r["key"]), lang),     # beside theirs: on a phone too
            text("plan_col_who", lang): who_word(r["who"], lang),
            text("plan_col_at", lang): fmt_time(r["at"], lang, tz),
        })
    return pd.DataFrame(out)


def undo_frame(rows: list[dict], nodes_by_id: dict[str, dict], lang: str) -> pd.DataFrame:
    """What undoing a change puts back (PlanStore.change_targets): node, metric, month, after → before."""
    return pd.DataFrame([{
        text("plan_col_month", lang): r["month"],
        text("plan_col_node", lang): node_label(nodes_by_id[r["node_id"]], nodes_by_id, lang)
        if r["node_id"] in nodes_by_id else r["node_id"],
        text("plan_col_metric", lang): metric_word(r["metric"], lang),
        text("plan_col_now", lang): _target_word(r["after"], lang),
        text("plan_col_restored", lang): _target_word(r["before"], lang),
    } for r in rows])
