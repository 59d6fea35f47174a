"""The goal tree as an Excel workbook: what a leader forwards, files or opens in WPS.

One sheet per level (company, war zones, teams, people, centers) after an overview of the north star, and a last sheet
that says what the month was judged on and what each column means; a row per node with its parent and both goal metrics
side by side: target, actual, and the one assessment the board shows (DESIGN §10: expected on the status basis in whole
units, gap, pace, forecast and its 80 % band, per day needed, status, who is behind), and the unallocated target.
Numbers stay numbers, held as the board shows them (whole counts, a pace at the precision its column needs so none reads
as 100 % or the at-risk mark it has not reached) with formats to match; a missing value is an empty cell (never 0),
statuses are words in the workbook's language, coloured as on the board. Text cells are written as text, so a name such
as `=HYPERLINK(…)` is never a formula. The tree it is given is the reader's (GoalTree.scoped): a zone lead's workbook
holds every total and their own zone's teams and people only.
"""
from __future__ import annotations

import io

from pipelines.base.labels import LABELS, say
from pipelines.okr.fmt import pace_digits
from pipelines.okr.goaltree import GoalTree
from pipelines.okr.status import STATUS

# The sheets, the metrics and the columns, with their number formats; their words are labels
# (pipelines/base/labels/words.py: xlsx_sheet_<level>, xlsx_metric_<metric>, xlsx_field_<key>, xlsx_means_<key>, …).
SHEETS = ("company", "war_zone", "team", "person", "center")
METRICS = ("stations", "members")
GAP = '+#,##0;"−"#,##0;0'
FIELDS = (("target", "#,##0"), ("actual", "#,##0"), ("expected", "#,##0"), ("gap", GAP), ("pace", "0%"),
          ("forecast", "#,##0"), ("forecast_low", "#,##0"), ("forecast_high", "#,##0"), ("required_daily", "#,##0.0"),
          ("status", None), ("behind", None), ("unallocated", "#,##0"))
ROUND = {"#,##0": 0, "#,##0.0": 1, GAP: 0}
NORTH_STAR = (("target", "#,##0"), ("actual", "#,##0"), ("progress", "0.0%"), ("time_elapsed", "0.0%"),
              ("required_monthly", "#,##0"), ("trailing_3m", "#,##0"), ("trailing_6m", "#,##0"),
              ("projected_month", None))


def _w(lang: str, key: str, **values) -> str:
    """The Excel's label `xlsx_<key>` in `lang`."""
    return say(f"xlsx_{key}", lang, **values)


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
    ws.title = _w(lang, "overview")
    period = _w(lang, "period", month=tree.month, date=tree.as_of.isoformat(), n=tree.days_counted,
                days=tree.days_in_month)
    _text(ws.cell(1, 1), _w(lang, "goal_tree") + " · " + period)
    ws.cell(1, 1).font = Font(bold=True, size=13)
    if tree.north_star_title:
        _text(ws.cell(2, 1), tree.north_star_title[0 if lang == "zh" else 1])
    if scope:
        _text(ws.cell(3, 1), scope)
    _text(ws.cell(4, 1), _w(lang, "north_star"))
    ws.cell(4, 1).font = bold
    for j, (key, _) in enumerate(NORTH_STAR, start=2):
        _text(ws.cell(4, j), _w(lang, f"north_{key}"))
        ws.cell(4, j).font, ws.cell(4, j).fill = bold, head_fill
    for i, (metric, values) in enumerate(tree.north_star.items(), start=5):
        _text(ws.cell(i, 1), _w(lang, f"ns_{metric}") if f"xlsx_ns_{metric}" in LABELS else metric)
        for j, (key, fmt) in enumerate(NORTH_STAR, start=2):
            value = values.get(key)
            if fmt is None:
                _text(ws.cell(i, j), value)
            elif value is not None:
                ws.cell(i, j).value, ws.cell(i, j).number_format = value, fmt
    ws.column_dimensions["A"].width = 18
    for j in range(2, len(NORTH_STAR) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 14

    for level in SHEETS:
        nodes = [n for n in tree.nodes if n.level == level]
        if not nodes:
            continue           # a level the reader may not see (or the org has none) has no sheet
        ws = wb.create_sheet(_w(lang, f"sheet_{level}"))
        _text(ws.cell(1, 1), _w(lang, "name"))
        _text(ws.cell(1, 2), _w(lang, "parent"))
        _text(ws.cell(1, 3), _w(lang, "id"))      # the id, for a join; its header in the reader's language
        col = 4
        metrics = METRICS if level != "center" else METRICS[1:]
        for metric in metrics:
            ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + len(FIELDS) - 1)
            _text(ws.cell(1, col), _w(lang, f"metric_{metric}"))
            for k, (key, _) in enumerate(FIELDS):
                _text(ws.cell(2, col + k), _w(lang, f"field_{key}"))
            col += len(FIELDS)
        for row in (1, 2):
            for c in range(1, col):
                ws.cell(row, c).font, ws.cell(row, c).fill = bold, head_fill
                ws.cell(row, c).alignment = Alignment(horizontal="center")
        digits = {m: pace_digits([n.metrics[m].pace for n in nodes if m in n.metrics], (1.0, tree.at_risk))
                  for m in metrics}
        names = {n.id: n.name(lang) for n in tree.nodes}
        for i, n in enumerate(nodes, start=3):
            parent = tree.node(n.parent) if n.parent and n.parent in {x.id for x in tree.nodes} else None
            _text(ws.cell(i, 1), n.name(lang))
            _text(ws.cell(i, 2), parent.name(lang) if parent else "")
            _text(ws.cell(i, 3), n.id)
            col = 4
            for metric in metrics:
                values = n.metrics[metric]
                for k, (key, fmt) in enumerate(FIELDS):
                    cell = ws.cell(i, col + k)
                    if key == "status":
                        status = STATUS[values.status]
                        _text(cell, f"{status.icon} {status.word(lang)}")
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

    ws = wb.create_sheet(_w(lang, "about"))
    _text(ws.cell(1, 1), _w(lang, "judged_on"))
    ws.cell(1, 1).font = Font(bold=True)
    _text(ws.cell(1, 2), _w(lang, f"basis_{tree.basis}"))
    _text(ws.cell(2, 1), _w(lang, "at_risk_below"))
    ws.cell(2, 2).value, ws.cell(2, 2).number_format = tree.at_risk, "0%"
    ws.cell(2, 2).alignment = Alignment(horizontal="left")
    _text(ws.cell(4, 1), _w(lang, "column"))
    _text(ws.cell(4, 2), _w(lang, "meaning"))
    ws.cell(4, 1).font = ws.cell(4, 2).font = Font(bold=True)
    for i, (key, _) in enumerate(FIELDS, start=5):
        _text(ws.cell(i, 1), _w(lang, f"field_{key}"))
        _text(ws.cell(i, 2), _w(lang, f"means_{key}"))
    # which curve each pace was judged by and why (issue 35), for the company and each war zone, as the board says it
    row = 5 + len(FIELDS) + 1
    shown = [(n, m, words) for n in tree.nodes if n.level in ("company", "war_zone") for m in n.metrics
             if tree.basis == "seasonal" and (words := tree.shape_words(n.metrics[m], lang))]
    if shown:
        _text(ws.cell(row, 1), _w(lang, "shape"))
        ws.cell(row, 1).font = Font(bold=True)
        for i, (n, m, words) in enumerate(shown, start=row + 1):
            _text(ws.cell(i, 1), f"{n.name(lang)} · {_w(lang, f'metric_{m}')}")
            _text(ws.cell(i, 2), words)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 100
