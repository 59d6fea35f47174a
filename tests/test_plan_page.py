"""The Plan page (目标分解) under AppTest, in both languages: what it shows equals the goal tree and the plan store;
a suggested split adds up exactly; saving an edited split changes the tree and records who; an invalid cell is
refused with a message and nothing is saved; a targets.csv import is checked and previewed before it is saved.

The hand-made company (tests/goal_company.py) plans 2026-12 from its last 3 months (2026-09-01 to 2026-11-30):
new stations east 7 (e1 5, e2 2; pa 2, pb 2), south 4; new members east 24, south 12 (test_planning.py has the sums).
"""
from __future__ import annotations

import html
import re

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.delivery import trees
from pipelines.okr import decompose, goaltree
from pipelines.plan.store import PlanStore, store_path
from tests.conftest import seen
from tests.test_app import APP

PAGE = "pages/plan.py"
COL = {"zh": {"stations": "驿站目标", "members": "会员目标", "name": "名称"},
       "en": {"stations": "Stations target", "members": "Members target", "name": "Name"}}
pytestmark = pytest.mark.usefixtures("fresh_cache")


def plan_page(db, monkeypatch, lang="zh", month: str | None = None) -> AppTest:
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if lang == "en":
        at.sidebar.radio[0].set_value("English").run()
    at.switch_page(PAGE).run()
    if month is not None:
        at.selectbox(key=f"plan_month_{lang}").set_value(month).run()
    assert not at.exception, at.exception
    return at


def state_keys(at: AppTest, prefix: str) -> list[str]:
    return sorted(k for k in at.session_state._state._state.filtered_state if str(k).startswith(prefix))


def editor_key(at: AppTest, month: str, name: str, parent: str, lang: str = "zh") -> str:
    keys = state_keys(at, f"plan_ed_{month}_{name}_{parent}_{lang}_")
    assert len(keys) == 1, keys
    return keys[0]


def edit(at: AppTest, key: str, rows: dict[int, dict[str, str]]) -> AppTest:
    """Types into an editable table as a person would: {row: {column: text}}."""
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def editor_frame(at: AppTest, first_column_values: list[str]):
    """The table (data editor or dataframe) whose name column lists exactly these names."""
    for frame in at.dataframe:
        df = frame.value
        if len(df) == len(first_column_values) and list(df.iloc[:, 0]) == first_column_values:
            return df
    raise AssertionError(f"no table lists {first_column_values}")


def alloc_text(at: AppTest, key: str) -> str:
    for md in at.markdown:
        start = md.value.find(f'data-k="{key}"')
        if start >= 0:
            body = md.value[md.value.find(">", start) + 1:].split("</div>")[0]
            return html.unescape(re.sub(r"<[^>]+>", " ", body)).strip()
    raise AssertionError(f"no allocation line {key}")


def company_input(at: AppTest, metric: str):
    return next(x for x in at.text_input if x.key.startswith("plan_co_") and x.key.split("_")[3] == metric)


def saved(db) -> dict:
    with PlanStore(store_path(db), read_only=True) as store:
        return store.targets()


def changes(db) -> int:
    with PlanStore(store_path(db), read_only=True) as store:
        return len(store.history(limit=1000))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_month_without_targets_offers_a_fresh_start_or_last_months_plan(company, monkeypatch, lang):
    at = plan_page(company, monkeypatch, lang)
    assert at.selectbox(key=f"plan_month_{lang}").value == "2026-12"          # next month by default
    assert at.selectbox(key=f"plan_month_{lang}").options[:2] == (
        ["2026年11月", "2026年12月"] if lang == "zh" else ["Nov 2026", "Dec 2026"])
    assert len(at.selectbox(key=f"plan_month_{lang}").options) == 7           # this month and the 6 after it
    assert [i.value for i in at.info] == ["2026年12月还没有目标。" if lang == "zh" else "Dec 2026 has no targets yet."]
    copy = at.button(key="plan_start_copy")
    assert copy.label == ("复制2026年11月的目标（22 项）" if lang == "zh" else "Copy Nov 2026's plan (22 targets)")
    copy.click().run()
    assert not at.exception
    assert company_input(at, "stations").value == "10" and company_input(at, "members").value == "40"
    names = ["华东战区", "华南战区"] if lang == "zh" else ["East Zone", "South Zone"]
    zones = editor_frame(at, names)
    assert list(zones[COL[lang]["stations"]]) == ["6", "3"] and list(zones[COL[lang]["members"]]) == ["24", "16"]
    # nothing is saved by copying: the draft differs from the (empty) December plan by all 22 targets
    assert not any(k[0] == "2026-12" for k in saved(company))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_current_months_numbers_are_the_goal_trees(company, monkeypatch, lang):
    at = plan_page(company, monkeypatch, lang, month="2026-11")
    tree = trees.load(company, "2026-11", "2026-11-30")
    co = tree.company.metrics
    assert company_input(at, "stations").value == str(int(co["stations"].target))
    assert company_input(at, "members").value == str(int(co["members"].target))
    name = "name_zh" if lang == "zh" else "name_en"
    # every table: the targets each node has in the tree, blank where it has none (pe)
    for parent_id in ("company", "east", "e1", "s1"):
        parent = tree.node(parent_id)
        if parent_id == "s1":
            at.selectbox(key=f"plan_pick_team_{lang}").set_value("s1").run()
        kids = [k for k in tree.children(parent_id) if k.level in ("war_zone", "team", "person")
                and not k.id.endswith("/unassigned")]
        frame = editor_frame(at, [getattr(k, name) for k in kids])
        for metric in ("stations", "members"):
            want = ["" if k.metrics[metric].target is None else str(int(k.metrics[metric].target))
                    for k in kids]
            assert list(frame[COL[lang][metric]].fillna("")) == want, (parent["id"], metric)
    # the allocation lines: company stations 10 over zones 6 + 3; s1 members 16 over pd 10 (pe has none)
    line = alloc_text(at, "alloc.company.war_zone.stations")
    assert ("测试公司 驿站目标 10 · 战区合计 9 · 未分配 1" if lang == "zh" else
            "Test Co Stations target 10 · war zones add up to 9 · unallocated 1") in line
    assert ("未对齐" if lang == "zh" else "doesn't add up") in line
    line = alloc_text(at, "alloc.s1.person.members")
    assert ("华南一队 会员目标 16 · 人员合计 10 · 未分配 6" if lang == "zh" else
            "South Team 1 Members target 16 · people add up to 10 · unallocated 6") in line
    assert ("已对齐" if lang == "zh" else "adds up") in alloc_text(at, "alloc.company.war_zone.members")


def test_the_suggestion_splits_by_the_last_three_months_and_adds_up(company, monkeypatch):
    at = plan_page(company, monkeypatch, month="2026-12")
    at.button(key="plan_scratch").click().run()
    company_input(at, "stations").set_value("7").run()
    company_input(at, "members").set_value("1,000").run()
    at.button(key="plan_suggest_zones_company").click().run()
    assert not at.exception
    zones = editor_frame(at, ["华东战区", "华南战区"])
    # 7 in proportion 7 : 4 → 4.45 / 2.55 → 4 + 2, the unit left to the larger remainder (south) → 4, 3
    assert list(zones["驿站目标"]) == ["4", "3"]
    # 1,000 in proportion 24 : 12 → 666.67 / 333.33 → 667, 333
    assert list(zones["会员目标"]) == ["667", "333"]
    assert list(zones["驿站近3月实际"]) == [7, 4]
    assert "未分配 0" in alloc_text(at, "alloc.company.war_zone.stations")
    # a parent without a target gets no suggestion: the button says so
    assert at.button(key="plan_suggest_centers_company").disabled is False     # the company has a member target
    assert at.button(key="plan_suggest_teams_east").disabled is False


def test_seven_over_three_war_zones_adds_up_exactly(tiny, monkeypatch):
    """The tiny sample has three war zones: 7 over three never loses or gains a unit to rounding."""
    import duckdb

    db = tiny / "wh.duckdb"
    at = plan_page(db, monkeypatch)
    month = at.selectbox(key="plan_month_zh").value
    at.button(key="plan_scratch").click().run()
    company_input(at, "stations").set_value("7").run()
    at.button(key="plan_suggest_zones_company").click().run()
    with duckdb.connect(str(db), read_only=True) as con:
        nodes = decompose.org_nodes(con)
        last = goaltree.data_dates(con)[1]
        actuals = decompose.trailing_actuals(con, month, last)
    zones = decompose.children(nodes, nodes[0])
    assert len(zones) == 3
    frame = editor_frame(at, [z["name_zh"] for z in zones])
    parts = [int(v) for v in frame["驿站目标"]]
    weights = [actuals[z["id"]]["stations"] for z in zones]
    assert sum(parts) == 7
    for part, w in zip(parts, weights):                  # each within one unit of its exact share
        assert abs(part - 7 * w / sum(weights)) < 1
    assert "未分配 0" in alloc_text(at, "alloc.company.war_zone.stations")


def test_split_all_the_way_down_from_scratch(writable, monkeypatch):
    at = plan_page(writable, monkeypatch, month="2026-12")
    at.button(key="plan_scratch").click().run()
    company_input(at, "stations").set_value("10").run()
    company_input(at, "members").set_value("40").run()
    at.button(key="plan_suggest_all").click().run()
    cells = at.session_state["plan_drafts"]["2026-12"]["cells"]
    # stations by hand: zones 10 × 7 : 4 → 6, 4; east's teams 6 × 5 : 2 → 4, 2; e1's people 4 × 2 : 2 → 2, 2
    assert (cells[("war_zone", "east", "stations")], cells[("war_zone", "south", "stations")]) == ("6", "4")
    assert (cells[("team", "e1", "stations")], cells[("team", "e2", "stations")]) == ("4", "2")
    assert (cells[("person", "pa", "stations")], cells[("person", "pb", "stations")]) == ("2", "2")
    values, problems = decompose.check(cells)
    assert problems == {}
    rows = decompose.allocation(values, _nodes(writable))
    assert all(r["unallocated"] == 0 for r in rows), [r for r in rows if r["unallocated"]]
    assert "plan.unallocated" not in "".join(m.value for m in at.markdown)
    at.text_input(key="plan_who").set_value("总部 HQ").run()
    at.button(key="plan_save").click().run()
    assert not at.exception
    assert [seen(s.value) for s in at.success] == [f"已保存 {len([v for v in cells.values() if v])} "
                                                   "项目标（变更 #2，总部 HQ）。"
                                             "总览和战区页已使用新目标。"]
    now = saved(writable)                    # (December has no data yet, so no tree: the store holds the plan)
    assert now[("2026-12", "person", "pa", "stations")] == 2
    assert now[("2026-12", "company", "company", "members")] == 40
    assert sum(1 for k in now if k[0] == "2026-12") == len([v for v in cells.values() if v])


def test_split_asks_before_replacing_a_draft_and_says_when_rounding_gives_zero(writable, monkeypatch):
    """Issue 17.15: a draft with targets of its own is not overwritten without asking; a share rounded down to 0
    (it would read "no target") is named, never silent."""
    at = plan_page(writable, monkeypatch, month="2026-12")
    at.button(key="plan_scratch").click().run()
    company_input(at, "stations").set_value("1").run()
    at.button(key="plan_suggest_all").click().run()             # nothing below the company yet: no question
    assert not at.exception and not [w for w in at.warning if w.value.startswith("草稿里已有")]
    cells = at.session_state["plan_drafts"]["2026-12"]["cells"]
    # 1 station over east : south = 7 : 4 → 1, 0; south's 0 (and its team's and person's) is said out loud
    assert (cells[("war_zone", "east", "stations")], cells[("war_zone", "south", "stations")]) == ("1", "0")
    zeros = [w.value for w in at.warning if w.value.startswith("注意：")]
    assert len(zeros) == 1 and "华南战区" in zeros[0] and "0 表示「无目标」" in zeros[0]
    # now the draft has lower-level targets: a new company target and a split ask first
    company_input(at, "stations").set_value("20").run()
    at.button(key="plan_suggest_all").click().run()
    asked = [w.value for w in at.warning if w.value.startswith("草稿里已有")]
    assert asked and cells[("war_zone", "east", "stations")] == "1"          # nothing replaced yet
    at.button(key="plan_split_no").click().run()
    assert at.session_state["plan_drafts"]["2026-12"]["cells"][("war_zone", "east", "stations")] == "1"
    assert not [w for w in at.warning if w.value.startswith("草稿里已有")]
    at.button(key="plan_suggest_all").click().run()
    at.button(key="plan_split_yes").click().run()
    cells = at.session_state["plan_drafts"]["2026-12"]["cells"]
    assert (cells[("war_zone", "east", "stations")], cells[("war_zone", "south", "stations")]) == ("13", "7")


def _nodes(db):
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return decompose.org_nodes(con)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_saving_an_edited_split_changes_the_tree_and_records_who(writable, monkeypatch, lang):
    at = plan_page(writable, monkeypatch, lang, month="2026-11")
    before = changes(writable)
    edit(at, editor_key(at, "2026-11", "zones", "company", lang), {0: {COL[lang]["stations"]: "7"}})
    assert "1" in "".join(m.value for m in at.markdown if 'data-k="plan.changes"' in m.value)
    assert ("未分配 0" if lang == "zh" else "unallocated 0") in alloc_text(at, "alloc.company.war_zone.stations")
    save = at.button(key="plan_save")
    assert save.disabled                                  # nobody said who they are yet
    at.text_input(key="plan_who").set_value("王经理").run()
    at.text_input(key="plan_note").set_value("east +1").run()
    at.button(key="plan_save").click().run()
    assert not at.exception
    assert changes(writable) == before + 1
    assert saved(writable)[("2026-11", "war_zone", "east", "stations")] == 7
    assert trees.load(writable, "2026-11", "2026-11-30").node("east").metrics["stations"].target == 7
    with PlanStore(store_path(writable), read_only=True) as store:
        history = store.node_history("war_zone", "east")
    assert [(h["month"], h["metric"], h["target"], h["who"], h["source"]) for h in history[:1]] == [
        ("2026-11", "stations", 7, "王经理", "app")]
    assert any(h["target"] == 6 and h["who"] == "config files" for h in history)    # the old value stays
    assert [seen(s.value) for s in at.success] == [
        "已保存 1 项目标（变更 #2，王经理）。总览和战区页已使用新目标。" if lang == "zh" else
        "Saved 1 targets (change #2 by 王经理). The board and war-zone page now use them."]
    # the page now shows the saved plan, and its history lists the change
    assert 'data-k="plan.changes">✔' in "".join(m.value for m in at.markdown)
    at.selectbox(key=f"plan_pick_history_{lang}").set_value("east").run()
    hist = next(f.value for f in at.dataframe if "#2" in list(f.value.iloc[:, -1]))
    assert list(hist.iloc[0])[3] == "王经理"
    # the war-zone page reads the new target on its next run
    at.query_params["zone"] = "east"
    at.switch_page("pages/war_zone.py").run()
    assert not at.exception
    assert 'data-k="month.stations.target">7<' in "".join(m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_invalid_edit_is_refused_and_nothing_is_saved(writable, monkeypatch, lang):
    at = plan_page(writable, monkeypatch, lang, month="2026-11")
    before, targets = changes(writable), saved(writable)
    at.text_input(key="plan_who").set_value("王经理").run()
    edit(at, editor_key(at, "2026-11", "zones", "company", lang),
         {0: {COL[lang]["stations"]: "abc"}, 1: {COL[lang]["members"]: "-3"}})
    # what a person reads: the Markdown source escapes what was typed (\\-3 shows as -3)
    errors = [seen(e.value) for e in at.error]
    if lang == "zh":
        assert errors[0] == ("华东战区 · 驿站目标：“abc” 不是数字\n\n华南战区 · 会员目标：-3 是负数；"
                             "目标必须是 ≥ 0 的数量")
    else:
        assert errors[0] == ("East Zone · Stations target: 'abc' is not a number\n\n"
                             "South Zone · Members target: -3 is negative; targets are counts ≥ 0")
    assert len(errors) == 2                               # under the table, and above the save button
    assert 'data-k="plan.refused"' in "".join(m.value for m in at.markdown)
    assert at.button(key="plan_save").disabled
    assert changes(writable) == before and saved(writable) == targets
    company_input(at, "stations").set_value("-1").run()
    assert any("-1" in seen(e.value) for e in at.error)
    assert changes(writable) == before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_import_is_checked_and_previewed_before_it_is_saved(writable, monkeypatch, lang):
    at = plan_page(writable, monkeypatch, lang, month="2026-12")
    before, targets = changes(writable), saved(writable)
    bad = "month,level,node_id,metric,target\n2026-12,war_zone,east,stations,5\n2026-12,team,e9,stations,abc\n"
    at.file_uploader(key="plan_upload").set_value(("targets.csv", bad.encode("utf-8"), "text/csv")).run()
    assert not at.exception
    error = seen(at.error[0].value)
    assert error.startswith("文件有 2 个问题，没有保存任何内容：" if lang == "zh" else
                            "The file has 2 problems; nothing was saved:")
    # issue 34: each problem in the page's language (the Chinese page showed them in English)
    if lang == "zh":
        assert "targets.csv，第 3 行，node_id：org.yaml 中没有团队 'e9'" in error
        assert "targets.csv，第 3 行，target：'abc' 不是数字" in error
    else:
        assert "targets.csv, line 3, node_id: unknown team 'e9'" in error
        assert "targets.csv, line 3, target: 'abc' is not a number" in error
    assert changes(writable) == before
    good = ("month,level,node_id,metric,target\n2026-12,company,company,stations,12\n"
            "2026-12,war_zone,east,stations,7\n2026-11,war_zone,east,stations,6\n").encode("gb18030")
    at.file_uploader(key="plan_upload").set_value(("targets.csv", good, "text/csv")).run()
    assert not at.exception and not at.error
    preview = next(f.value for f in at.dataframe if len(f.value) == 2 and "2026-12" in set(f.value.iloc[:, 0]))
    assert list(preview.iloc[:, -1]) == ["12", "7"] and list(preview.iloc[:, -2]) == ["—", "—"]
    assert changes(writable) == before and saved(writable) == targets       # a preview saves nothing
    save = at.button(key="plan_import_save")
    assert save.disabled                                                     # who is importing?
    at.text_input(key="plan_who").set_value("HQ").run()
    at.button(key="plan_import_save").click().run()
    assert not at.exception
    assert changes(writable) == before + 1
    now = saved(writable)
    assert now[("2026-12", "company", "company", "stations")] == 12
    assert now[("2026-12", "war_zone", "east", "stations")] == 7
    assert now[("2026-11", "war_zone", "east", "stations")] == 6             # unchanged, not written again
    with PlanStore(store_path(writable), read_only=True) as store:
        assert store.history(limit=1)[0]["note"] == "import targets.csv"
    # December now has a plan: the page shows it instead of the start choice
    assert company_input(at, "stations").value == "12"
