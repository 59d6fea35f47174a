"""Text renderings of the goal tree for the command line: an indented table for people, and flat CSV rows."""
from __future__ import annotations

import csv
import io
import unicodedata

from pipelines.base import csvsafe
from pipelines.okr.goaltree import GoalTree

MARKS = {"achieved": "✔ achieved 达成", "on_track": "● on track 正常", "at_risk": "▲ at risk 风险",
         "off_track": "✖ off track 落后", "missed": "✖ missed 未达成", "no_target": "· no target 无目标"}
# expected, pace, forecast and the band are the judged ones (on `basis`, DESIGN §10); gap = actual − expected;
# behind = the child with the largest shortfall
CSV_FIELDS = ("month", "as_of", "id", "parent", "level", "name_zh", "name_en", "metric", "basis", "target", "actual",
              "expected", "pace", "forecast", "forecast_low", "forecast_high", "gap", "behind", "required_daily",
              "status", "unallocated")


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, cols: int, right: bool = False) -> str:
    fill = " " * max(cols - width(text), 0)
    return fill + text if right else text + fill


def num(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def label(node) -> str:
    """A node's names for the table: a tree Node, or an allocation warning's dict (GoalTree.planning_warnings)."""
    get = node.get if isinstance(node, dict) else lambda k: getattr(node, k)
    zh, en, nid, level = get("name_zh"), get("name_en"), get("id"), get("level")
    if zh == en:
        return f"{zh} {nid}" if level == "person" and zh != nid else zh
    return f"{zh} {en}"


SHORT = {"achieved": "✔ achieved", "on_track": "● on track", "at_risk": "▲ at risk", "off_track": "✖ off track",
         "missed": "✖ missed", "no_target": "· no target"}


def _cell(v: dict | None) -> str:
    """One metric of one node: actual / target, pace and forecast as judged, need per day, status."""
    if v is None:
        return ""
    return (pad(num(v.actual), 8, True) + " / " + pad(num(v.target), 7) + pad(pct(v.pace), 6, True)
            + pad(num(v.forecast), 9, True) + pad(num(v.required_daily, 1), 9, True) + "  "
            + pad(SHORT[v.status], 12))


def table(tree: GoalTree) -> str:
    depth = {}
    for n in tree.nodes:
        depth[n.id] = 0 if n.parent is None else depth.get(n.parent, 0) + 1
    state = "month over 已结束" if tree.finished else f"day {tree.days_counted} of {tree.days_in_month}"
    lines = [f"Goal tree 目标树 · {tree.month} · as of 截至 {tree.as_of} · {state} · {pct(tree.elapsed)} of the month "
             f"elapsed 时间进度 · at risk below 风险阈值 {tree.at_risk:.0%} pace"]
    if not tree.has_plan:
        lines.append("No targets in the plan store: import targets.csv (python -m pipelines plan import) to "
                     "see statuses.")
    lines.append("")
    if tree.north_star_title:
        lines.append(f"North star 北极星: {tree.north_star_title[0]} / {tree.north_star_title[1]}")
    for metric, word in (("stations", "active stations 在营驿站"), ("members", "members served 服务会员")):
        ns = tree.north_star[metric]
        text = f"  {word}: {num(ns['actual'])}"
        if ns["target"] is not None:
            text += (f" of {num(ns['target'])} ({ns['progress'] * 100:.1f}%; time elapsed "
                     f"{ns['time_elapsed'] * 100:.1f}%)"
                     f" · need {num(ns['required_monthly'], 1)}/month")
        text += f" · trailing 3m {num(ns['trailing_3m'], 1)}/month, 6m {num(ns['trailing_6m'], 1)}/month"
        if ns["target"] is not None:
            text += f" · reaches target {ns['projected_month'] or 'not at this rate 按此速度无法达成'}"
        lines.append(text)
        step = ns.get("milestone")
        if step:
            lines.append(f"    milestone 里程碑 {step['by']}: {num(step['target'])} · {SHORT[step['status']]}"
                         f" · pace {pct(step['pace'])} · need {num(step['required_monthly'], 1)}/month")
    lines.append("")
    name_w = max(width("  " * depth[n.id] + label(n)) for n in tree.nodes) + 2
    cell_w = width(_cell(tree.company.metrics["members"]))
    sub = (pad("actual / target", 18) + pad("pace", 6, True) + pad("forecast", 9, True) + pad("need/day", 9, True)
           + "  status")
    head1 = (pad("", name_w) + pad("stations 新开驿站 (this month 本月)", cell_w) + " │ "
             + "members 新增会员 (this month 本月)")
    head2 = pad("node 节点", name_w) + pad(sub, cell_w) + " │ " + sub
    lines += [head1, head2, "─" * width(head2.rstrip())]
    centers_started = False
    for n in tree.nodes:
        if n.level == "center" and not centers_started:
            centers_started = True
            lines += ["", "Centers 中心 — new members by the channels each center owns 按渠道归属的新增会员"]
        m = n.metrics
        row = (pad("  " * depth[n.id] + label(n), name_w) + pad(_cell(m.get("stations")), cell_w)
               + " │ " + _cell(m.get("members")))
        notes = [f"{metric} unallocated 未分解 {num(v.unallocated)}" for metric, v in m.items()
                 if v.unallocated not in (None, 0)]
        lines.append(row.rstrip() + (f"   ({'; '.join(notes)})" if notes else ""))
    lines += ["", "Status 状态: " + " · ".join(MARKS.values()),
              ("pace = actual ÷ (target × the share of the month due by today on its shape from earlier years); "
               "forecast = actual ÷ that share 节奏按季节曲线" if tree.basis == "seasonal" else
               "pace = actual ÷ (target × time elapsed); forecast = actual ÷ time elapsed")
              + "; need/day = what is left ÷ days left"]
    warnings = tree.planning_warnings()
    if warnings:
        lines += ["", "Planning warnings 计划提示 — the children's targets do not add up to the parent's:"]
        lines += [f"  {label(w)} · {w['metric']}: target {num(w['target'])}, unallocated 未分解 {num(w['unallocated'])}"
                  for w in warnings]
    return "\n".join(lines)


def csv_text(tree: GoalTree) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for n in tree.nodes:
        for metric, v in n.metrics.items():
            w.writerow(csvsafe.row([tree.month, tree.as_of.isoformat(), n.id, n.parent or "", n.level,
                                    n.name_zh, n.name_en, metric]
                                   + ["" if getattr(v, k) is None else getattr(v, k) for k in CSV_FIELDS[8:]]))
    return buf.getvalue()
