"""The goal tree as an Excel workbook: what a leader forwards, files or opens in WPS.

One sheet per level (company, war zones, teams, people, centers) after an overview of the north star, and a last
sheet that says what the month was judged on and what each column means; a row per node with its parent and both
goal metrics side by side: target, actual, and the one assessment the board shows (DESIGN §10: expected on the
status basis in whole units, gap, pace, forecast and its 80 % band, per day needed, status, who is behind), and the
unallocated target. Numbers stay numbers, held as the board shows them (whole counts, a pace at the precision its
column needs so none reads as 100 % or the at-risk mark it has not reached) with formats to match; a missing value
is an empty cell (never 0), statuses are words in the workbook's language, coloured as on the board. Text cells are written as
text, so a name such as `=HYPERLINK(…)` is never a formula. The tree it is given is the reader's
(GoalTree.scoped): a zone lead's workbook holds every total and their own zone's teams and people only.
"""
from __future__ import annotations

import io

from pipelines.okr.fmt import pace_digits
from pipelines.okr.goaltree import GoalTree
from pipelines.okr.status import STATUS

SHEETS = (("company", "公司", "Company"), ("war_zone", "战区", "War zones"), ("team", "团队", "Teams"),
          ("person", "个人", "People"), ("center", "中台", "Centers"))
METRICS = (("stations", "新开驿站（个）", "New stations"), ("members", "新增会员（人）", "New members"))
GAP = '+#,##0;"−"#,##0;0'
FIELDS = (("target", "目标", "Target", "#,##0"), ("actual", "实际", "Actual", "#,##0"),
          ("expected", "应完成", "Expected", "#,##0"), ("gap", "缺口", "Gap", GAP), ("pace", "节奏", "Pace", "0%"),
          ("forecast", "预计月末", "Forecast", "#,##0"), ("forecast_low", "80%区间低", "80% band low", "#,##0"),
          ("forecast_high", "80%区间高", "80% band high", "#,##0"),
          ("required_daily", "每天需", "Needed per day", "#,##0.0"), ("status", "状态", "Status", None),
          ("behind", "缺口最大的下级", "Largest shortfall below", None),
          ("unallocated", "未分配", "Unallocated", "#,##0"))
ROUND = {"#,##0": 0, "#,##0.0": 1, GAP: 0}
# What each column means, on the last sheet (zh, en)
MEANINGS = {
    "target": ("本月目标", "This month's target"),
    "actual": ("截至当天的实际", "Actual up to the as-of date"),
    "expected": ("到当天应完成：按判断基准（见上）目标 × 应完成比例；上级 = 下级之和 + 未分配目标 × 自身比例；按整数计，不足一个不算",
                 "Expected by the as-of date on the basis above: target × the share due; a parent's is its "
                 "children's plus its unallocated target × its own share; in whole units, a fraction not yet due"),
    "gap": ("实际 − 应完成；上级的缺口 = 各下级缺口 + 其余（未分配目标、未归属、整数取舍）",
            "Actual − expected; a parent's gap = its children's gaps + the rest (unallocated target, unassigned, "
            "whole-unit rounding)"),
    "pace": ("实际 ÷ 应完成；状态按它判断", "Actual ÷ expected; the status is judged on it"),
    "forecast": ("预计月末：实际 ÷ 到当天应完成的比例", "Month-end forecast: actual ÷ the share due by the as-of date"),
    "forecast_low": ("预计月末的 80% 区间（按往月同一天的偏差）", "The forecast's 80% band (from earlier months' misses "
                                                           "at the same day)"),
    "forecast_high": ("同上，高端", "The same, high end"),
    "required_daily": ("剩余目标 ÷ 剩余天数", "What is left ÷ the days left"),
    "status": ("已达成 / 正常 / 有风险 / 落后 / 未达成 / 无目标", "Achieved / on track / at risk / off track / missed / no target"),
    "behind": ("缺口最大的下级（同一规则：按缺口的人数或个数）", "The child with the largest shortfall in units (the one rule)"),
    "unallocated": ("目标中没有分给下级的部分", "The part of the target no child holds"),
}
BASIS_WORDS = {"seasonal": ("按季节曲线：本月的形状（星期、节日）来自往年的数据", "By the month's shape: weekdays and "
                            "festivals, from the earlier years' data"),
               "linear": ("按直线：已过天数 ÷ 本月天数", "By the straight line: days gone ÷ days in the month")}
NORTH_STAR = (("target", "目标", "Target", "#,##0"), ("actual", "当前", "Now", "#,##0"),
              ("progress", "完成", "Progress", "0.0%"), ("time_elapsed", "时间已过", "Time gone", "0.0%"),
              ("required_monthly", "每月需", "Needed per month", "#,##0"),
              ("trailing_3m", "近3月每月", "Last 3 months, per month", "#,##0"),
              ("trailing_6m", "近6月每月", "Last 6 months, per month", "#,##0"),
              ("projected_month", "按近6月达成", "Reached at the 6-month pace", None))
NS_NAMES = {"stations": ("在营驿站（个）", "Active stations"), "members": ("服务会员（人）", "Members served")}


def _w(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _text(cell, value) -> None:
    """A text cell that stays text (openpyxl would make '=…' a formula)."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"


def workbook(tree: GoalTree, lang: str = "zh", scope: str | None = None) -> bytes:
    """The .xlsx file's bytes; `scope` says on the overview whose view it is (a scoped tree)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="F3F4F6")
    wb = Workbook()
    ws = wb.active
    ws.title = _w(lang, "概览", "Overview")
    period = _w(lang, f"{tree.month} · 截至 {tree.as_of.isoformat()}（第 {tree.days_counted} / {tree.days_in_month} 天）",
                f"{tree.month} · as of {tree.as_of.isoformat()} (day {tree.days_counted} of {tree.days_in_month})")
    _text(ws.cell(1, 1), _w(lang, "目标树", "Goal tree") + " · " + period)
    ws.cell(1, 1).font = Font(bold=True, size=13)
    if tree.north_star_title:
        _text(ws.cell(2, 1), tree.north_star_title[0 if lang == "zh" else 1])
    if scope:
        _text(ws.cell(3, 1), scope)
    _text(ws.cell(4, 1), _w(lang, "北极星", "North star"))
    ws.cell(4, 1).font = bold
    for j, (_, zh, en, _) in enumerate(NORTH_STAR, start=2):
        _text(ws.cell(4, j), _w(lang, zh, en))
        ws.cell(4, j).font, ws.cell(4, j).fill = bold, head_fill
    for i, (metric, values) in enumerate(tree.north_star.items(), start=5):
        _text(ws.cell(i, 1), _w(lang, *NS_NAMES.get(metric, (metric, metric))))
        for j, (key, _, _, fmt) in enumerate(NORTH_STAR, start=2):
            value = values.get(key)
            if fmt is None:
                _text(ws.cell(i, j), value)
            elif value is not None:
                ws.cell(i, j).value, ws.cell(i, j).number_format = value, fmt
    ws.column_dimensions["A"].width = 18
    for j in range(2, len(NORTH_STAR) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 14

    for level, zh, en in SHEETS:
        nodes = [n for n in tree.nodes if n.level == level]
        if not nodes:
            continue           # a level the reader may not see (or the org has none) has no sheet
        ws = wb.create_sheet(_w(lang, zh, en))
        _text(ws.cell(1, 1), _w(lang, "名称", "Name"))
        _text(ws.cell(1, 2), _w(lang, "上级", "Parent"))
        _text(ws.cell(1, 3), "id")
        col = 4
        metrics = METRICS if level != "center" else METRICS[1:]
        for _metric, mzh, men in metrics:
            ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + len(FIELDS) - 1)
            _text(ws.cell(1, col), _w(lang, mzh, men))
            for k, (_, fzh, fen, _) in enumerate(FIELDS):
                _text(ws.cell(2, col + k), _w(lang, fzh, fen))
            col += len(FIELDS)
        for row in (1, 2):
            for c in range(1, col):
                ws.cell(row, c).font, ws.cell(row, c).fill = bold, head_fill
                ws.cell(row, c).alignment = Alignment(horizontal="center")
        digits = {m: pace_digits([n.metrics[m].pace for n in nodes if m in n.metrics], (1.0, tree.at_risk))
                  for m, _, _ in metrics}
        names = {n.id: n.name(lang) for n in tree.nodes}
        for i, n in enumerate(nodes, start=3):
            parent = tree.node(n.parent) if n.parent and n.parent in {x.id for x in tree.nodes} else None
            _text(ws.cell(i, 1), n.name(lang))
            _text(ws.cell(i, 2), parent.name(lang) if parent else "")
            _text(ws.cell(i, 3), n.id)
            col = 4
            for metric, _, _ in metrics:
                values = n.metrics[metric]
                for k, (key, _, _, fmt) in enumerate(FIELDS):
                    cell = ws.cell(i, col + k)
                    if key == "status":
                        status = STATUS[values.status]
                        _text(cell, f"{status.icon} {_w(lang, status.zh, status.en)}")
                        cell.fill = PatternFill("solid", fgColor=status.colour.lstrip("#"))
                        cell.font = Font(color=status.ink.lstrip("#"), bold=True)
                    elif key == "behind":
                        _text(cell, names.get(getattr(values, key), "") if getattr(values, key) else "")
                    elif key == "pace" and getattr(values, key) is not None:
                        d = digits[metric]
                        cell.value = round(getattr(values, key), d + 2)
                        cell.number_format = "0%" if d == 0 else "0." + "0" * d + "%"
                    elif getattr(values, key) is not None:
                        cell.value, cell.number_format = round(getattr(values, key), ROUND[fmt]), fmt
                col += len(FIELDS)
        ws.freeze_panes = "B3"
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 16
        ws.column_dimensions["C"].width = 14
        for c in range(4, col):
            ws.column_dimensions[get_column_letter(c)].width = 11
    _about(wb, tree, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _about(wb, tree: GoalTree, lang: str) -> None:
    """The last sheet: what the month's statuses were judged on, and what each column means."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(_w(lang, "说明", "About"))
    _text(ws.cell(1, 1), _w(lang, "判断基准", "Judged on"))
    ws.cell(1, 1).font = Font(bold=True)
    _text(ws.cell(1, 2), _w(lang, *BASIS_WORDS[tree.basis]))
    _text(ws.cell(2, 1), _w(lang, "风险阈值", "At risk below"))
    ws.cell(2, 2).value, ws.cell(2, 2).number_format = tree.at_risk, "0%"
    ws.cell(2, 2).alignment = Alignment(horizontal="left")
    _text(ws.cell(4, 1), _w(lang, "列", "Column"))
    _text(ws.cell(4, 2), _w(lang, "含义", "What it means"))
    ws.cell(4, 1).font = ws.cell(4, 2).font = Font(bold=True)
    for i, (key, zh, en, _) in enumerate(FIELDS, start=5):
        _text(ws.cell(i, 1), _w(lang, zh, en))
        _text(ws.cell(i, 2), _w(lang, *MEANINGS[key]))
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 100
