"""goals.yaml and targets.csv (DESIGN §3), parsed and checked against the org; `folder.load_plan` puts them together
with org.yaml and access.yaml.

Every problem is named with its file, line and field: unknown node ids, a team in two war zones, a person in two teams,
duplicate (month, level, node, metric) rows, negative or non-numeric targets, malformed months, thresholds out of range,
unknown metrics and filters in key results. A missing file is not a problem: no targets.csv means no targets, no
goals.yaml means the default threshold and no north-star targets, no org.yaml means every data row is unassigned.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.base.labels import Words
from pipelines.base.metrics import CATALOG
from pipelines.base.months import as_date, parse_month
from pipelines.plan.calendar import DEFAULT as DEFAULT_CALENDAR
from pipelines.plan.calendar import parse_calendar
from pipelines.plan.org import Org, as_yaml, plain
from pipelines.plan.yamlcheck import PlanError, Problems, YMap, check_keys, check_name, load_yaml, name_pair

LEVELS = ("company", "war_zone", "team", "person", "center")
GOAL_METRICS = ("stations", "members")
DEFAULT_AT_RISK = 0.85
DEFAULT_STALE_DAYS = 7
BASES = ("linear", "seasonal")   # status.basis: what pace is judged against (pipelines/okr/seasonal.py)
DEFAULT_TIME_ZONE = "Asia/Shanghai"   # goals.yaml time_zone: the company's zone (DESIGN: Beijing time)
CONFIDENCE = ("on_track", "at_risk", "off_track")      # what a center lead declares in a check-in
TARGET_COLUMNS = ("month", "level", "node_id", "metric", "target")


@dataclass
class NorthStar:
    title_zh: str
    title_en: str
    start: dt.date
    end: dt.date
    targets: dict[str, float]          # stations, members
    milestones: tuple[tuple[dt.date, dict[str, float]], ...] = ()   # (by, {stations, members}) on the way, in order


def same_target(a: float | None, b: float | None) -> bool:
    """Two targets (None: no target) are the same, to a rounding error."""
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9)


def parse_number(text) -> float | None:
    """A target cell: '1200', '1,200', ' 1 200 ', '1.5e3' → float; anything else → None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text) if math.isfinite(text) else None
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# ---- goals.yaml ------------------------------------------------------------------------------------------------

def time_zone_problem(name) -> Words | None:
    """Why `name` is not a time zone the build and the pages can use (an IANA name such as Asia/Shanghai)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*", name):
        return Words("tz_not_name", value=name)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return Words("tz_unknown", value=name)
    return None


def load_goals(path: Path, org: Org, p: Problems) -> tuple[NorthStar | None, dict, list[dict]]:
    """goals.yaml → (north star, status {at_risk, stale_days, basis, time_zone, calendar}, key actions)."""
    defaults = {"at_risk": DEFAULT_AT_RISK, "stale_days": DEFAULT_STALE_DAYS, "basis": "linear",
                "time_zone": DEFAULT_TIME_ZONE, "calendar": DEFAULT_CALENDAR}
    if not path.exists():
        return None, defaults, []
    doc = load_yaml(path)
    if doc is None:
        return None, defaults, []
    if not isinstance(doc, dict):
        p.add(path, 1, "", "goals_shape")
        return None, defaults, []
    check_keys(p, path, doc, "", {"north_star", "status", "key_actions", "time_zone", "calendar"})
    time_zone = DEFAULT_TIME_ZONE
    if doc.get("time_zone") is not None:
        problem = time_zone_problem(doc["time_zone"])
        if problem:
            p.add(path, doc.line_of("time_zone"), "time_zone", problem.key, **problem.values)
        else:
            time_zone = doc["time_zone"]
    north_star = _north_star(path, doc, p)
    at_risk = DEFAULT_AT_RISK
    stale_days = DEFAULT_STALE_DAYS
    basis = "linear"
    status = doc.get("status")
    if status is not None:
        if not isinstance(status, dict):
            p.add(path, doc.line_of("status"), "status", "goals_status_shape")
        else:
            check_keys(p, path, status, "status.", {"at_risk", "stale_days", "basis"})
            if "basis" in status:
                if status["basis"] not in BASES:
                    p.add(path, status.line_of("basis"), "status.basis", "goals_basis", value=status["basis"])
                else:
                    basis = status["basis"]
            if "stale_days" in status:
                value = parse_number(status["stale_days"])
                if value is None or not value.is_integer() or not (1 <= value <= 90):
                    p.add(path, status.line_of("stale_days"), "status.stale_days", "goals_stale_days",
                          value=status["stale_days"])
                else:
                    stale_days = int(value)
            if "at_risk" in status:
                value = parse_number(status["at_risk"])
                if value is None or not (0 < value <= 1):
                    p.add(path, status.line_of("at_risk"), "status.at_risk", "goals_at_risk", value=status["at_risk"])
                else:
                    at_risk = value
    actions = []
    seen_ka: dict[str, int] = {}
    seen_kr: dict[str, int] = {}
    raw_actions = doc.get("key_actions") or []
    if not isinstance(raw_actions, list):
        p.add(path, doc.line_of("key_actions"), "key_actions", "goals_actions_list")
        raw_actions = []
    for i, ka in enumerate(raw_actions):
        action = _key_action(path, ka, f"key_actions[{i + 1}].", org, p, seen_ka, seen_kr)
        if action:
            actions.append(action)
    calendar = parse_calendar(path, doc.get("calendar"), p, doc.line_of("calendar") if "calendar" in doc else None)
    return north_star, {"at_risk": at_risk, "stale_days": stale_days, "basis": basis, "time_zone": time_zone,
                        "calendar": calendar}, actions


def _north_star(path: Path, doc: YMap, p: Problems) -> NorthStar | None:
    ns = doc.get("north_star")
    if ns is None:
        return None
    if not isinstance(ns, dict):
        p.add(path, doc.line_of("north_star"), "north_star", "goals_ns_shape")
        return None
    check_keys(p, path, ns, "north_star.", {"title", "start", "end", "targets", "milestones"})
    check_name(p, path, ns, "north_star.")
    ok = True
    dates = {}
    for key in ("start", "end"):
        dates[key] = as_date(ns.get(key))
        if dates[key] is None:
            p.add(path, ns.line_of(key), f"north_star.{key}", "goals_ns_date", value=ns.get(key))
            ok = False
    if ok and dates["end"] <= dates["start"]:
        p.add(path, ns.line_of("end"), "north_star.end", "goals_ns_end", end=str(dates["end"]),
              start=str(dates["start"]))
        ok = False
    targets = ns.get("targets")
    values = {}
    if not isinstance(targets, dict):
        p.add(path, ns.line_of("targets"), "north_star.targets", "goals_ns_targets")
        ok = False
    else:
        check_keys(p, path, targets, "north_star.targets.", set(GOAL_METRICS))
        for metric in GOAL_METRICS:
            value = parse_number(targets.get(metric)) if metric in targets else None
            if value is None or value <= 0:
                p.add(path, targets.line_of(metric), f"north_star.targets.{metric}", "goals_positive",
                      value=targets.get(metric))
                ok = False
            values[metric] = value
    milestones = _milestones(path, ns, p, dates, values) if ok else ()
    if not ok:
        return None
    zh, en = name_pair(ns.get("title"), "North star")
    return NorthStar(zh, en, dates["start"], dates["end"], values, milestones)


def _milestones(path: Path, ns: YMap, p: Problems, dates: dict, goal: dict) -> tuple:
    """north_star.milestones: [{by: 2026-12-31, stations: 3000, members: 600000}, …]: dates inside the north
    star's years, in order, each target positive and at most the goal's."""
    raw = ns.get("milestones")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        p.add(path, ns.line_of("milestones"), "north_star.milestones", "goals_milestones_list")
        return ()
    out, last = [], None
    for i, m in enumerate(raw):
        where = f"north_star.milestones[{i + 1}]"
        if not isinstance(m, dict):
            p.add(path, raw.line_of(i), where, "goals_milestone_block")
            continue
        check_keys(p, path, m, where + ".", {"by", *GOAL_METRICS})
        by = as_date(m.get("by"))
        if by is None or not (dates["start"] < by <= dates["end"]):
            p.add(path, m.line_of("by"), f"{where}.by", "goals_milestone_by", value=str(m.get("by")),
                  start=str(dates["start"]), end=str(dates["end"]))
            continue
        if last is not None and by <= last:
            p.add(path, m.line_of("by"), f"{where}.by", "goals_milestone_order", by=str(by), last=str(last))
            continue
        last = by
        values = {}
        for metric in GOAL_METRICS:
            if metric not in m:
                continue
            value = parse_number(m.get(metric))
            if value is None or value <= 0 or value > goal[metric]:
                p.add(path, m.line_of(metric), f"{where}.{metric}", "goals_milestone_value", value=m.get(metric),
                      goal=goal[metric])
                continue
            values[metric] = value
        if values:
            out.append((by, values))
    return tuple(out)


def _listed(doc, key: str) -> list[tuple[object, int]]:
    """A field that is one value or a list of them, as (value, line) pairs."""
    raw = doc.get(key)
    if raw is None:
        return []
    if isinstance(raw, list):
        return [(value, raw.line_of(i)) for i, value in enumerate(raw)]
    return [(raw, doc.line_of(key))]


def _months(path, ka, where, p) -> list[str]:
    out = []
    for value, line in _listed(ka, "months"):
        month = parse_month(value)
        if month is None:
            p.add(path, line, f"{where}months", "goals_month", value=value)
        else:
            out.append(month)
    return out


def _id_list(path, ka, key, where, allowed: set[str], unknown: str, p) -> list[str]:
    out = []
    for value, line in _listed(ka, key):
        text = str(value).strip()
        if text not in allowed:
            p.add(path, line, f"{where}{key}", unknown, value=text, known=", ".join(sorted(allowed)) or "—")
        else:
            out.append(text)
    return out


def _unique_id(path, doc, where: str, seen: dict, twice: str, p: Problems) -> str | None:
    """The block's id, once: missing or repeated ids are problems (`seen` maps id → line)."""
    value = str(doc.get("id") or "").strip()
    if not value:
        p.add(path, doc.line, f"{where}id", "yaml_missing_id")
        return None
    if value in seen:
        p.add(path, doc.line_of("id"), f"{where}id", twice, value=value, first=seen[value])
        return None
    seen[value] = doc.line_of("id")
    return value


def _key_action(path, ka, where, org: Org, p: Problems, seen_ka: dict, seen_kr: dict) -> dict | None:
    if not isinstance(ka, dict):
        p.add(path, None, where.rstrip("."), "goals_action_block")
        return None
    check_keys(p, path, ka, where, {"id", "center", "title", "owner", "months", "supports", "war_zones",
                                    "key_results"})
    kid = _unique_id(path, ka, where, seen_ka, "goals_action_twice", p)
    if kid is None:
        return None
    check_name(p, path, ka, where)
    center = str(ka.get("center") or "").strip()
    centers = org.ids("center")
    if center not in centers:
        p.add(path, ka.line_of("center"), f"{where}center", "goals_unknown_center", value=center,
              known=", ".join(sorted(centers)) or "—")
    owner = ka.get("owner")
    if owner is not None and str(owner) not in org.people_ids():
        p.add(path, ka.line_of("owner"), f"{where}owner", "goals_unknown_owner", value=owner)
    supports = _id_list(path, ka, "supports", where, set(GOAL_METRICS), "goals_unknown_goal", p)
    zones = _id_list(path, ka, "war_zones", where, org.ids("war_zone"), "goals_unknown_zone", p)
    months = _months(path, ka, where, p)
    zh, en = name_pair(ka.get("title"), kid)
    krs = []
    raw_krs = ka.get("key_results") or []
    if not isinstance(raw_krs, list):
        p.add(path, ka.line_of("key_results"), f"{where}key_results", "goals_results_list")
        raw_krs = []
    for j, kr in enumerate(raw_krs):
        result = _key_result(path, kr, f"{where}key_results[{j + 1}].", org, p, seen_kr)
        if result:
            krs.append(result)
    return {"id": kid, "center": center, "title": {"zh": zh, "en": en}, "owner": None if owner is None else str(owner),
            "months": months, "supports": supports, "war_zones": zones, "key_results": krs}


FILTER_LEVEL = {"war_zone": "war_zone", "team": "team", "person": "person", "center": "center"}


def _key_result(path, kr, where, org: Org, p: Problems, seen_kr: dict) -> dict | None:
    if not isinstance(kr, dict):
        p.add(path, None, where.rstrip("."), "goals_result_block")
        return None
    check_keys(p, path, kr, where, {"id", "title", "metric", "filters", "unit", "target"})
    rid = _unique_id(path, kr, where, seen_kr, "goals_result_twice", p)
    if rid is None:
        return None
    check_name(p, path, kr, where)
    target = parse_number(kr.get("target"))
    if target is None or target < 0:
        p.add(path, kr.line_of("target"), f"{where}target", "goals_result_target", value=kr.get("target"))
    zh, en = name_pair(kr.get("title"), rid)
    out = {"id": rid, "title": {"zh": zh, "en": en}, "target": target}
    metric = kr.get("metric")
    if metric is not None:
        metric = str(metric)
        if metric not in CATALOG:
            p.add(path, kr.line_of("metric"), f"{where}metric", "goals_unknown_metric", value=metric,
                  known=", ".join(CATALOG))
            return out
        filters = kr.get("filters") or {}
        if not isinstance(filters, dict):
            p.add(path, kr.line_of("filters"), f"{where}filters", "goals_filters_shape")
            filters = {}
        clean = {}
        for key, value in filters.items():
            if key not in CATALOG[metric].filters:
                p.add(path, filters.line_of(key), f"{where}filters.{key}", "goals_filter_key", metric=metric, dim=key,
                      known=", ".join(CATALOG[metric].filters))
                continue
            text = str(value)
            if key in FILTER_LEVEL and text not in org.ids(FILTER_LEVEL[key]):
                p.add(path, filters.line_of(key), f"{where}filters.{key}", "goals_filter_value",
                      what=Words(f"word_{FILTER_LEVEL[key]}"), value=text)
                continue
            clean[key] = text
        out.update(metric=metric, filters=clean)
        problem = CATALOG[metric].target_problem(target)       # a key result is judged by its metric's kind
        if problem:
            p.add(path, kr.line_of("target"), f"{where}target", problem.key, **problem.values)
    else:
        zhu, enu = name_pair(kr.get("unit"), "")
        out["unit"] = {"zh": zhu, "en": enu}
    return out


# ---- a key action from a form (the Centers page) ---------------------------------------------------------------

class FormProblems(Problems):
    """Problems of a form: named by field alone (`key_results[2].target: …`), no file or line."""

    def add(self, path, line, where: str, code: str, **values) -> None:
        message = Words(code, **values)
        self.items.append(Words("form_problem", where=where, message=message) if where else message)


def check_key_action(doc: dict, org: Org, other_key_results: dict[str, str] | None = None) -> dict:
    """A key action as a form gives it (the goals.yaml shape, plain dicts) → the checked, normalised action; raises
    PlanError listing every problem. Beyond goals.yaml's checks a form must give a title, a month and at least one
    key result with a title, and may not reuse a key result id of another action (`other_key_results`: id → action).
    """
    p = FormProblems()
    action = _key_action("", as_yaml(doc), "", org, p, {}, {})
    title = doc.get("title")
    if not (isinstance(title, dict) and any(str(title.get(k) or "").strip() for k in ("zh", "en"))
            or isinstance(title, str) and title.strip()):
        p.add("", 0, "title", "form_title")
    if not doc.get("months"):
        p.add("", 0, "months", "form_months")
    results = doc.get("key_results") or []
    if not results:
        p.add("", 0, "key_results", "form_results")
    for j, kr in enumerate(results if isinstance(results, list) else []):
        t = kr.get("title") if isinstance(kr, dict) else None
        if not (isinstance(t, dict) and any(str(t.get(k) or "").strip() for k in ("zh", "en"))
                or isinstance(t, str) and t.strip()):
            p.add("", 0, f"key_results[{j + 1}].title", "form_result_title")
        rid = str(kr.get("id") or "").strip() if isinstance(kr, dict) else ""
        owner = (other_key_results or {}).get(rid)
        if rid and owner and owner != str(doc.get("id") or "").strip():
            p.add("", 0, f"key_results[{j + 1}].id", "form_result_taken", result=rid, action=owner)
    p.raise_if_any()
    return action


# ---- targets.csv -----------------------------------------------------------------------------------------------

def read_text(path: Path) -> str:
    """A spreadsheet export: UTF-8 (with or without BOM) or GB18030 (what Excel saves in Chinese Windows)."""
    return decode(path.read_bytes(), str(path))


def decode(data: bytes, name: str) -> str:
    """A spreadsheet export's bytes: UTF-8 (with or without BOM) or GB18030 (what Excel saves in Chinese Windows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanError([Words("plan_file_not_text", name=name)])


def load_targets(path: Path, org: Org, p: Problems) -> dict[tuple[str, str, str, str], float]:
    """targets.csv → {(month, level, node_id, metric): target}; blank target cells mean no target."""
    if not path.exists():
        return {}
    return parse_targets(read_text(path), path, org, p)


def parse_targets(text: str, path: Path | str, org: Org, p: Problems) -> dict[tuple[str, str, str, str], float]:
    """The text of a targets.csv (named `path` in problems) → {(month, level, node_id, metric): target}."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return {}
    names = [h.strip().lower() for h in header]
    missing = [c for c in TARGET_COLUMNS if c not in names]
    if missing:
        p.add(path, 1, "header", "targets_missing_columns" if len(missing) > 1 else "targets_missing_column",
              columns=", ".join(missing), needed=", ".join(TARGET_COLUMNS))
        return {}
    col = {c: names.index(c) for c in TARGET_COLUMNS}
    known = {level: org.ids(level) for level in LEVELS}
    out: dict[tuple[str, str, str, str], float] = {}
    lines: dict[tuple, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in col.items()}
        ok = True
        month = parse_month(cells["month"])
        if month is None:
            p.add(path, line, "month", "goals_month", value=cells["month"])
            ok = False
        level = cells["level"].lower()
        if level not in LEVELS:
            p.add(path, line, "level", "targets_level", value=cells["level"], known=", ".join(LEVELS))
            ok = False
        node = cells["node_id"]
        if level in LEVELS and node not in known[level]:
            other = [lv for lv in LEVELS if node in known[lv]]
            what = Words(f"word_{level}")
            if other:
                p.add(path, line, "node_id", "targets_node_elsewhere", what=what, node=node,
                      other=Words(f"word_{other[0]}"))
            elif known[level]:
                p.add(path, line, "node_id", "targets_node_unknown", what=what, node=node,
                      known=_sample(known[level]))
            else:
                p.add(path, line, "node_id", "targets_node_none", what=what, node=node)
            ok = False
        metric = cells["metric"].lower()
        if metric not in GOAL_METRICS:
            p.add(path, line, "metric", "targets_metric", value=cells["metric"])
            ok = False
        elif level == "center" and metric != "members":
            p.add(path, line, "metric", "targets_center_members")
            ok = False
        if cells["target"] == "":
            continue  # a blank cell: no target for this node
        target = parse_number(cells["target"])
        if target is None:
            p.add(path, line, "target", "targets_not_number", value=cells["target"])
            ok = False
        elif target < 0:
            p.add(path, line, "target", "targets_negative", value=cells["target"])
            ok = False
        if not ok:
            continue
        key = (month, level, node, metric)
        if key in out:
            p.add(path, line, "month/level/node_id/metric", "targets_duplicate", node=node, metric=metric, month=month,
                  first=lines[key])
            continue
        out[key] = target
        lines[key] = line
    return out


def _sample(ids: set[str], n: int = 6) -> str:
    ordered = sorted(ids)
    return ", ".join(ordered[:n]) + (", …" if len(ordered) > n else "")


__all__ = ["NorthStar", "PlanError", "parse_month", "parse_number", "plain", "LEVELS",
           "GOAL_METRICS", "DEFAULT_AT_RISK"]
