"""The Centers page under AppTest, both languages: the key results' numbers are the goal tree's
(pipelines.okr.keyactions); the alignment matrix puts each action under the zones it serves; a check-in recorded in the
form reaches the plan store and the goal tree, with the lead's confidence beside the computed status and the mismatch
flagged; invalid check-ins and key actions are refused with a message and nothing is saved; a key action added in the
form runs.

The hand-made company (tests/goal_company.py) in 2026-11: ka-community (community; east and south; an automatic
key result, 20 community-channel members, and a manual one, 4 salons) and ka-south-open (content; south; 5 stations
opened in the south zone). Today is set to 2026-11-30 (NORTHSTAR_TODAY) so the dates are the data's.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.delivery import trees
from pipelines.plan.store import PlanStore, store_path
from tests.conftest import seen
from tests.test_app import APP

pytestmark = pytest.mark.usefixtures("fresh_cache")


def centers_page(db, monkeypatch, lang="zh", as_of: dt.date | None = None) -> AppTest:
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    monkeypatch.setenv("NORTHSTAR_TODAY", "2026-11-30")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if lang == "en":
        at.sidebar.radio[0].set_value("English").run()
    if as_of is not None:
        at.sidebar.selectbox[1].set_value(as_of).run()
    at.switch_page("pages/centers.py").run()
    assert not at.exception, at.exception
    return at


def html(at: AppTest) -> str:
    return "".join(m.value for m in at.markdown)


def shown(at: AppTest, key: str) -> str:
    """The text of the element a reader finds by data-k (its first occurrence)."""
    page = html(at)
    start = page.find(f'data-k="{key}"')
    assert start >= 0, key
    return re.sub(r"<[^>]+>", "", page[page.find(">", start) + 1:].split("</span>")[0]).strip()


def saved_checkins(db) -> list[dict]:
    with PlanStore(store_path(db), read_only=True) as store:
        return store.checkins()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_key_results_are_the_goal_trees(company, monkeypatch, lang):
    at = centers_page(company, monkeypatch, lang, as_of=dt.date(2026, 11, 15))
    tree = trees.load(company, "2026-11", "2026-11-15")
    assert [ka.id for ka in tree.key_actions] == ["ka-community", "ka-south-open"]
    for ka in tree.key_actions:
        for kr in ka.key_results:
            assert shown(at, f"kr.{kr.id}.actual") == f"{kr.actual:g}"
            assert shown(at, f"kr.{kr.id}.target") == f"{kr.target:g}"
            words = {"zh": {"on_track": "● 正常", "at_risk": "▲ 有风险", "stale": "○ 未更新"},
                     "en": {"on_track": "● On track", "at_risk": "▲ At risk", "stale": "○ Stale"}}[lang]
            assert shown(at, f"kr.{kr.id}.status") == words[kr.status]
    # 12 community members of 20; south 2 of 5 stations (at risk); salons: no check-in this month → stale
    assert (shown(at, "kr.kr-community-members.actual"), shown(at, "kr.kr-south-stations.actual")) == ("12", "2")
    # the alignment: ka-community serves east and south, ka-south-open south only
    page = html(at)
    east_cell = page.split('data-k="align.community.east"')[1].split("</td>")[0]
    assert 'data-k="align.ka-community"' in east_cell
    content_east = page.split('data-k="align.content.east"')[1].split("</td>")[0]
    assert "ka-south-open" not in content_east and "—" in content_east
    content_south = page.split('data-k="align.content.south"')[1].split("</td>")[0]
    assert 'data-k="align.ka-south-open"' in content_south
    community = tree.node("community").metrics["members"]
    assert shown(at, "align.community.members") == f"{community.actual:g}"


def test_a_checkin_in_the_form_reaches_the_tree_with_its_confidence(writable, monkeypatch):
    at = centers_page(writable, monkeypatch, as_of=dt.date(2026, 11, 15))
    at.selectbox(key="checkin_kr_zh").set_value("kr-salons").run()
    next(d for d in at.selectbox if d.label == "日期").set_value(dt.date(2026, 11, 12))
    at.text_input[0].set_value("3")
    at.radio[0].set_value("at_risk")
    at.text_input[1].set_value("第三场，场地难订")
    at.text_input[2].set_value("张伟")
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [seen(s.value) for s in at.success] == ["已记录 举办沙龙 的进展（2026-11-12，张伟）。"
                                                   "已计入2026年11月：本页和总览的"
                                             "关键要务现在使用它。"]
    rows = saved_checkins(writable)
    assert [(r["key_result_id"], r["on_date"], r["value"], r["confidence"], r["comment"], r["who"]) for r in rows] == [
        ("kr-salons", "2026-11-12", 3, "at_risk", "第三场，场地难订", "张伟")]
    # 3 of 4 salons at half the month: on track (pace 1.5); declared at risk: more careful, not a mismatch
    assert shown(at, "kr.kr-salons.actual") == "3"
    assert shown(at, "kr.kr-salons.status") == "● 正常"
    assert shown(at, "kr.kr-salons.confidence") == "自评 ▲ 有风险"
    assert 'data-k="kr.kr-salons.mismatch"' not in html(at)
    kr = trees.load(writable, "2026-11", "2026-11-15").key_actions[0].key_results[1]
    assert (kr.actual, kr.confidence, kr.status) == (3, "at_risk", "on_track")


def test_a_checkin_recorded_today_counts_although_the_data_ends_earlier(tiny, tmp_path, monkeypatch):
    """Issue 17.1: the data ends 2026-11-24, today is 2026-11-29. The form's date defaults to today; the check-in
    counts on the page the person is looking at (the latest view) and on the board, and the confirmation says so.
    A view of an earlier as-of replays what was reported by then, and the confirmation says how to see it."""
    from tests.conftest import copy_warehouse

    db = copy_warehouse(tiny / "wh.duckdb", tmp_path)
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    monkeypatch.setenv("NORTHSTAR_TODAY", "2026-11-29")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/centers.py").run()
    at.selectbox(key="checkin_kr_zh").set_value("kr-salons-held").run()
    assert next(d for d in at.selectbox if d.label == "日期").value == dt.date(2026, 11, 29)
    at.text_input[0].set_value("12")
    at.radio[0].set_value("on_track")
    at.text_input[2].set_value("张伟")
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [seen(s.value) for s in at.success] == ["已记录 举办沙龙 的进展（2026-11-29，张伟）。"
                                                   "已计入2026年11月：本页和总览的"
                                             "关键要务现在使用它。"]
    assert shown(at, "kr.kr-salons-held.actual") == "12"
    assert shown(at, "kr.kr-salons-held.status") != "○ 未更新"
    latest = trees.load(db, "2026-11")                                   # as of the data's last date, 11-24
    salons = next(kr for ka in latest.key_actions for kr in ka.key_results if kr.id == "kr-salons-held")
    assert (salons.actual, salons.last_checkin) == (12, dt.date(2026, 11, 29))
    earlier = trees.load(db, "2026-11", "2026-11-20")                    # replaying 11-20: not reported yet
    salons = next(kr for ka in earlier.key_actions for kr in ka.key_results if kr.id == "kr-salons-held")
    assert (salons.actual, salons.status) == (0, "stale")
    # recorded while looking at 11-20: the confirmation says where it shows
    at.sidebar.selectbox[1].set_value(dt.date(2026, 11, 20)).run()
    at.switch_page("pages/centers.py").run()
    at.selectbox(key="checkin_kr_zh").set_value("kr-salons-held").run()
    at.text_input[0].set_value("13")
    at.radio[0].set_value("on_track")
    at.text_input[2].set_value("张伟")
    at.button[0].click().run()
    assert [seen(s.value) for s in at.success] == ["已记录 举办沙龙 的进展（2026-11-29，张伟）。"
                                                   "它计入2026年11月，但本页显示的"
                                             "是截至 2026-11-20 的情况：把截至日期改为 2026-11-24 即可看到。"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_declaring_better_than_the_numbers_is_flagged(writable, monkeypatch, lang):
    """South stations on the 20th: 2 of 5 with 3 due (3.33 in whole stations), off track; the lead declares on
    track → ⚠ on the action and in the alignment."""
    with PlanStore(store_path(writable)) as store:
        store.add_checkin("kr-south-stations", dt.date(2026, 11, 14), None, who="丁", confidence="on_track")
    at = centers_page(writable, monkeypatch, lang, as_of=dt.date(2026, 11, 20))
    flag = shown(at, "kr.kr-south-stations.mismatch")
    assert flag == ("⚠ 自评好于数据" if lang == "zh" else "⚠ declared better than the numbers")
    south = html(at).split('data-k="align.content.south"')[1].split("</td>")[0]
    assert "⚠" in south


@pytest.mark.parametrize("fill, message", [
    ({"value": "", "confidence": "on_track", "who": "张伟"}, "手动关键结果需要填写当前完成值。"),
    ({"value": "-1", "confidence": "on_track", "who": "张伟"}, "“-1” 不是 ≥ 0 的数字。"),
    ({"value": "abc", "confidence": "on_track", "who": "张伟"}, "“abc” 不是 ≥ 0 的数字。"),
    ({"value": "2", "confidence": None, "who": "张伟"}, "请选择自评。"),
    ({"value": "2", "confidence": "on_track", "who": " "}, "请填写记录人。"),
])
def test_an_invalid_checkin_is_refused_and_nothing_saved(writable, monkeypatch, fill, message):
    at = centers_page(writable, monkeypatch, as_of=dt.date(2026, 11, 15))
    before = saved_checkins(writable)
    at.selectbox(key="checkin_kr_zh").set_value("kr-salons").run()
    at.text_input[0].set_value(fill["value"])
    if fill["confidence"]:
        at.radio[0].set_value(fill["confidence"])
    at.text_input[2].set_value(fill["who"])
    at.button[0].click().run()
    assert not at.exception
    assert message in seen(at.error[0].value)
    assert saved_checkins(writable) == before


def ka_form(at: AppTest, title_zh: str, kr_rows: dict, who: str = "郑丽", ka_id: str = "ka-new"):
    """Fills the key-action form as a person would and saves it."""
    form_inputs = [x for x in at.text_input if x.label in ("编号", "标题（中文）", "标题（英文）", "记录人")]
    labels = {x.label: x for x in form_inputs}
    labels["编号"].set_value(ka_id)
    labels["标题（中文）"].set_value(title_zh)
    labels["记录人"].set_value(who)
    key = next(k for k in at.session_state._state._state.filtered_state if str(k).startswith("ka_krs_new_"))
    at.session_state[key] = {"edited_rows": {0: kr_rows}, "added_rows": [], "deleted_rows": []}
    at.button[1].click().run()
    return at


# issue 34: the (Chinese) page says each problem in Chinese, by its field (it used to show the English)
@pytest.mark.parametrize("title, row, message", [
    ("", {"id": "kr-x", "title_zh": "场次", "unit_zh": "场", "target": "3"}, "title：请给要务一个标题"),
    ("沙龙", {"id": "kr-x", "title_zh": "场次", "unit_zh": "场", "target": "-3"},
     "key_results[1].target：'-3' 不是 ≥ 0 的数"),
    ("沙龙", {"id": "kr-x", "title_zh": "新会员", "metric": "new_users", "target": "3"},
     "key_results[1].metric：未知的指标 'new_users'"),
])
def test_an_invalid_key_action_is_refused_and_nothing_saved(writable, monkeypatch, title, row, message):
    at = centers_page(writable, monkeypatch)
    with PlanStore(store_path(writable), read_only=True) as store:
        before = len(store.history(limit=1000))
    ka_form(at, title, row)
    assert not at.exception
    assert at.error and message in seen(at.error[0].value), [e.value for e in at.error]
    with PlanStore(store_path(writable), read_only=True) as store:
        assert len(store.history(limit=1000)) == before
        assert "ka-new" not in {ka["id"] for ka in store.current().key_actions}


def test_a_key_action_added_in_the_form_runs_this_month(writable, monkeypatch):
    at = centers_page(writable, monkeypatch)
    ka_form(at, "内容直播", {"id": "kr-live", "title_zh": "直播场次", "unit_zh": "场", "unit_en": "streams",
                         "target": "8"})
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("已保存关键要务 ka-new（变更 #")
    with PlanStore(store_path(writable), read_only=True) as store:
        action = next(ka for ka in store.current().key_actions if ka["id"] == "ka-new")
    assert (action["center"], action["months"], action["title"]["zh"]) == ("community", ["2026-11"], "内容直播")
    assert [(kr["id"], kr["target"], kr["unit"]) for kr in action["key_results"]] == [
        ("kr-live", 8, {"zh": "场", "en": "streams"})]
    tree = trees.load(writable, "2026-11", "2026-11-30")
    assert "ka-new" in [ka.id for ka in tree.key_actions]
    assert 'data-k="ka.ka-new"' in html(at)                                  # the page shows it at once


def test_editing_a_key_action_in_the_form_changes_its_target_and_keeps_its_history(writable, monkeypatch):
    at = centers_page(writable, monkeypatch)
    at.selectbox(key="ka_pick_zh").set_value("ka-south-open").run()
    key = next(k for k in at.session_state._state._state.filtered_state if str(k).startswith("ka_krs_ka-south-open_"))
    frame = next(f.value for f in at.dataframe if "kr-south-stations" in list(f.value.iloc[:, 0]))
    assert frame.iloc[0].tolist()[3:5] == ["new_stations", "war_zone=south"]        # the form shows what is saved
    at.session_state[key] = {"edited_rows": {0: {"target": "4"}}, "added_rows": [], "deleted_rows": []}
    [x for x in at.text_input if x.label == "记录人"][-1].set_value("孙浩")   # the key-action form's
    at.button[1].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    kr = next(ka for ka in trees.load(writable, "2026-11", "2026-11-30").key_actions
              if ka.id == "ka-south-open").key_results[0]
    assert (kr.target, kr.actual) == (4, 3)          # 3 of the new 4 opened in the south zone
    with PlanStore(store_path(writable), read_only=True) as store:
        assert store.history(limit=1)[0]["who"] == "孙浩"


def test_the_trend_shows_every_checkin_with_its_confidence(writable, monkeypatch):
    with PlanStore(store_path(writable)) as store:
        store.add_checkin("kr-salons", dt.date(2026, 11, 5), 1, who="张伟", confidence="on_track")
        store.add_checkin("kr-salons", dt.date(2026, 11, 12), 1, who="张伟", confidence="at_risk", comment="延期")
    at = centers_page(writable, monkeypatch, as_of=dt.date(2026, 11, 15))
    charts = [c for c in at.get("plotly_chart")]
    assert len(charts) == 1                                   # only the key result with check-ins has a trend
    import json

    fig = json.loads(charts[0].proto.spec)
    points = {t["name"]: (t["x"], t["y"]) for t in fig["data"] if t.get("mode") == "markers"}
    assert points == {"● 正常": (["2026-11-05"], [1]), "▲ 有风险": (["2026-11-12"], [1])}


MARKDOWN_BAIT = "![x](http://127.0.0.1:9/x) <img src=x onerror=alert(1)> **bold** :red[red]"


def test_user_text_is_shown_as_text_never_as_markdown_or_html(writable, monkeypatch):
    """Issue 18.10: a key action's and a key result's title, typed by a lead, reach every Markdown surface (the
    trend expander's label, the captions, the confirmation) with each Markdown / HTML character escaped, and the
    HTML cards with it HTML-escaped: nothing in it can fetch a URL, run a script or restyle the page."""
    at = centers_page(writable, monkeypatch)
    ka_form(at, MARKDOWN_BAIT, {"id": "kr-bait", "title_zh": MARKDOWN_BAIT, "unit_zh": "场", "target": "8"})
    assert not at.exception and not at.error, [e.value for e in at.error]
    at = centers_page(writable, monkeypatch)
    surfaces = [c.value for c in at.caption] + [e.label for e in at.expander] + [s.value for s in at.success]
    shown = [s for s in surfaces if "127.0.0.1:9" in seen(s)]
    assert len(shown) >= 2, surfaces                         # the expander label and the key result's caption
    for s in shown:
        assert seen(s).count(MARKDOWN_BAIT) == 1             # a person reads the title as it was typed
        assert not re.search(r"(?<!\\)[!\[\]()<>*:]", s.split("·")[-1]), s   # and no character of it is live
    page = html(at)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_month_without_key_actions_says_so_once(writable, monkeypatch, lang):
    """Issue 36.15: a month without key actions ran empty headings and per-center notes together; now one sentence
    says so and where to add them, and the forms stay."""
    with PlanStore(store_path(writable)) as store:
        for ka in ("ka-community", "ka-south-open"):            # November's two
            store.remove_key_action(ka, "admin")
    at = centers_page(writable, monkeypatch, lang)
    from ui.i18n import fmt_month, text

    assert [i.value for i in at.info] == [text("no_actions_month", lang, month=fmt_month("2026-11", lang))]
    page = html(at)
    assert text("alignment", lang) not in page
    for center in ("社群中台", "Community Center"):
        assert text("no_actions_center", lang, center=center) not in page
    assert at.get("form")                                       # the check-in and key-action forms are still there


def test_the_key_action_form_speaks_the_pages_language(company, monkeypatch):
    """Issue 36.10: the form's pickers said "Choose options" on a Chinese page."""
    at = centers_page(company, monkeypatch, "zh")
    placeholders = [m.proto.placeholder for m in at.multiselect]
    assert placeholders and set(placeholders) == {"请选择"}, placeholders
    at = centers_page(company, monkeypatch, "en")
    assert {m.proto.placeholder for m in at.multiselect} == {"Choose"}
