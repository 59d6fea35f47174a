"""Files out of the app (issue 21): the goal tree as an Excel workbook (pipelines.delivery.treexlsx), from `tree
--format xlsx` and from the board's button in Chromium; numbers as numbers equal to the goal tree's, statuses as words,
text never a formula, and the reader's scope held."""
from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from pipelines.base.labels import say
from pipelines.delivery import trees, treexlsx
from pipelines.okr.fmt import pace_digits
from pipelines.okr.status import STATUS
from pipelines.plan.access import User
from tests.conftest import ROOT, open_board, screenshot

FIELDS = [f[0] for f in treexlsx.FIELDS]


def rows_of(ws) -> dict[str, tuple]:
    """node id → the row's cells (from the third row: two header rows)."""
    return {r[2]: r for r in ws.iter_rows(min_row=3, values_only=True)}


def expected_cells(node, metric, digits: int) -> list:
    """The row's numbers as the board shows them (issue 32): whole counts, needed per day to one decimal, the pace
    at its column's one precision (`digits` decimals of a percentage)."""
    v = node.metrics[metric]
    rounding = {"pace": digits + 2, "required_daily": 1}
    return [None if getattr(v, f) is None else round(getattr(v, f), rounding.get(f, 0))
            for f in FIELDS if f not in ("status", "behind")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_node_and_number_is_the_goal_trees(company, lang):
    tree = trees.load(company, "2026-11", "2026-11-30")
    wb = load_workbook(io.BytesIO(treexlsx.workbook(tree, lang)))
    sheets = {"zh": ["概览", "公司", "战区", "团队", "个人", "中台", "说明"],
              "en": ["Overview", "Company", "War zones", "Teams", "People", "Centers", "About"]}[lang]
    assert wb.sheetnames == sheets
    # the last sheet says what the month was judged on and what every column means
    about = wb[sheets[-1]]
    assert about["B1"].value == say(f"xlsx_basis_{tree.basis}", lang)
    columns = [r[0] for r in about.iter_rows(min_row=5, values_only=True)]
    assert columns == [say(f"xlsx_field_{f}", lang) for f in FIELDS]
    assert (columns[0], columns[-1]) == {"zh": ("目标", "未分配"), "en": ("Target", "Unallocated")}[lang]
    sheets = sheets[:-1]
    seen = 0
    for level, name in zip(treexlsx.SHEETS, sheets[1:]):
        rows = rows_of(wb[name])
        nodes = [n for n in tree.nodes if n.level == level]
        assert list(rows) == [n.id for n in nodes]
        digits = {m: pace_digits([n.metrics[m].pace for n in nodes if m in n.metrics], (1, tree.at_risk))
                  for m in ("stations", "members")}
        for n in nodes:
            row = rows[n.id]
            assert row[0] == n.name(lang)
            metrics = ("stations", "members") if level != "center" else ("members",)
            for m_index, metric in enumerate(metrics):
                cells = row[3 + m_index * len(FIELDS): 3 + (m_index + 1) * len(FIELDS)]
                status = STATUS[n.metrics[metric].status]
                assert cells[FIELDS.index("status")] == f"{status.icon} {status.word(lang)}"
                numbers = [c for f, c in zip(FIELDS, cells) if f not in ("status", "behind")]
                assert numbers == expected_cells(n, metric, digits[metric]), (n.id, metric)
                behind = n.metrics[metric].behind
                assert (cells[FIELDS.index("behind")] or None) == (tree.node(behind).name(lang) if behind else None)
                seen += 1
    assert seen == sum(2 if n.level != "center" else 1 for n in tree.nodes)
    overview = list(wb[sheets[0]].iter_rows(min_row=5, max_row=6, values_only=True))
    assert [r[2] for r in overview] == [tree.north_star[m]["actual"] for m in tree.north_star]


def test_numbers_keep_their_formats_and_text_is_never_a_formula(company):
    tree = trees.load(company, "2026-11", "2026-11-30")
    east = tree.node("east")
    bait = dataclasses.replace(east, name_zh='=HYPERLINK("http://127.0.0.1:9/x","点我")')
    tree = dataclasses.replace(tree, nodes=[bait if n.id == "east" else n for n in tree.nodes])
    ws = load_workbook(io.BytesIO(treexlsx.workbook(tree, "zh")))["战区"]
    cell = next(c for c in ws["A"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    row = cell.row
    pace = ws.cell(row, 4 + FIELDS.index("pace"))
    assert pace.number_format in ("0%", "0.0%", "0.00%") or pace.value is None
    assert ws.cell(row, 4 + FIELDS.index("gap")).number_format == '+#,##0;"−"#,##0;0'
    assert ws.cell(row, 4 + FIELDS.index("expected")).number_format == "#,##0"
    assert ws.cell(row, 4 + FIELDS.index("actual")).number_format == "#,##0"


def test_a_zone_leads_workbook_holds_their_zone_only(company):
    tree = trees.load(company, "2026-11", "2026-11-30")
    zone = next(n.id for n in tree.nodes if n.level == "war_zone" and not n.unassigned)
    lead = User("lead", "区长", "zone_lead", war_zone=zone)
    wb = load_workbook(io.BytesIO(treexlsx.workbook(tree.scoped(lead), "zh", "区长 (lead) 的视图")))
    teams = rows_of(wb["团队"])
    assert teams and all(tree.zone_of(t) == zone for t in teams)
    assert set(rows_of(wb["战区"])) == {n.id for n in tree.nodes if n.level == "war_zone"}   # every zone's total
    assert wb["概览"]["A3"].value == "区长 (lead) 的视图"
    analyst = User("a", "a", "analyst")
    assert "团队" not in load_workbook(io.BytesIO(treexlsx.workbook(tree.scoped(analyst), "zh"))).sheetnames


def test_cli_writes_the_workbook(company, tmp_path):
    out = tmp_path / "tree.xlsx"
    done = subprocess.run([sys.executable, "-m", "pipelines", "tree", "--month", "2026-11", "--as-of", "2026-11-30",
                           "--db", str(company), "--format", "xlsx", "--lang", "zh", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stderr and load_workbook(out).sheetnames[0] == "概览"
    piped = subprocess.run([sys.executable, "-m", "pipelines", "tree", "--month", "2026-11", "--db", str(company),
                            "--format", "xlsx"], cwd=ROOT, capture_output=True, timeout=120)
    assert piped.returncode == 0 and piped.stdout[:2] == b"PK"          # a zip: the workbook, to a pipe


def test_the_boards_excel_button_downloads_the_readers_tree(browser, app_url, tiny, tmp_path):
    page = open_board(browser, app_url)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="下载目标树 Excel").click()
    download = info.value
    assert download.suggested_filename == "goal-tree-2026-11-2026-11-24.xlsx"
    download.save_as(tmp_path / download.suggested_filename)
    wb = load_workbook(tmp_path / download.suggested_filename)
    tree = trees.load(tiny / "wh.duckdb", "2026-11", "2026-11-24")
    company = rows_of(wb["公司"])[tree.company.id]
    assert company[3 + len(FIELDS) + FIELDS.index("actual")] == tree.company.metrics["members"].actual
    screenshot(page, "export-board-xlsx-button-1440.png")
    page.close()
