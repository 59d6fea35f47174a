"""Issue 22 on the screens: the board's and the war-zone page's blocks follow the status basis and show the other
pace beside it, the band, who explains the gap, last week's status, the year's milestone and a target changed after
the 1st (with the switch that reads the month against the 1st's targets). Expected values are worked out by hand
from tests/goal_company.py (the straight line) and the festive company of tests/test_backtest.py (the shape)."""
from __future__ import annotations

import re
from fractions import Fraction as F

import pytest
import streamlit as st

from conftest import open_app
from pipelines.delivery import trees
from tests.test_backtest import festive, tree  # noqa: F401 - the festive company's fixture
from ui.i18n import text
from ui.views import board, charts
from ui.views import warzone as wz

NUMBER = re.compile(r'data-k="([^"]+)"[^>]*>([^<]*)<')


def keyed(html: str) -> dict[str, str]:
    """Every figure an HTML block shows, by its data-k key."""
    return dict(NUMBER.findall(html))


def text_of(html: str) -> str:
    """What a person reads: the tags gone, the entities back."""
    import html as h

    return h.unescape(re.sub(r"<[^>]+>", "", html))


NOVEMBER = {("2026-11", "company", "company", "members"): 1000, ("2026-11", "war_zone", "east", "members"): 1000}


def test_the_month_tile_follows_the_months_shape(festive):  # noqa: F811
    """The festive company on 10 November 2026 with a target of 1,000: 100 members so far; by its history 230/750 of
    November is due by the 10th (Double 11 to come): expected 306.7 → 306 due in whole members (issue 32), pace
    100 / 306 = 33 %, forecast
    100 ÷ 230/750 = 326; the straight line's pace is 100 / 333.3 = 30 %. The band is the rest of the month as a
    count (issue 35; worked out in test_backtest.test_the_band_in_the_tree): 292–361."""
    t = tree(festive, "2026-11", "2026-11-10", NOVEMBER)
    tile = board.month_tile(t, "members", "zh")
    got = keyed(tile)
    assert got["month.members.expected"] == "306"
    assert got["month.members.pace"] == "33%"
    assert got["month.members.forecast"] == "326"
    assert got["month.members.other_pace"] == "直线节奏 30%"
    assert got["month.members.band"] == "月末 80%区间 292–361"      # test_backtest.test_the_band_in_the_tree
    # the bar's tick sits where the tile's "expected" is (306 of 1,000: the shape's whole members), not at 10/30
    assert 'left:30.6%' in tile
    en = keyed(board.month_tile(t, "members", "en"))
    assert en["month.members.other_pace"] == "linear 30%" and en["month.members.pace"] == "33%"
    assert board.basis_note(t, "zh") == "节奏按季节曲线" and board.basis_note(t, "en") == "Pace by the month's shape"
    # a week earlier (3 November: 30 of 1,000 × 69/750 due, pace 0.33) it was off track too: the zone page says
    # so, the board (no room to spare) only says when it moved
    assert "= 与上周同" in text_of(board.month_tile(t, "members", "zh", full=True))
    assert "month.members.week" not in keyed(tile)
    # the chart's pace curve is the shape's: 230/750 by the 10th, all of it on the 30th; the band at month end
    curve = t.curves[("company", "members")]
    assert curve[9] == pytest.approx(float(F(230, 750))) and curve[-1] == 1.0
    fig = charts.month_progress(t, "zh")
    pace = [tr for tr in fig.data if tr.name == "节奏（季节）"]
    assert pace and list(pace[0].y)[10] == pytest.approx(float(F(230, 750)))
    band = [tr for tr in fig.data if tr.name == "月末 80%区间"]
    assert band and band[0].y[0] == pytest.approx(float(100 / F(230, 750)) / 1000)


def test_on_the_straight_line_the_tile_reads_as_before_and_names_the_shape_beside_it(festive):  # noqa: F811
    t = tree(festive, "2026-11", "2026-11-10", NOVEMBER, basis="linear")
    got = keyed(board.month_tile(t, "members", "zh"))
    assert (got["month.members.pace"], got["month.members.expected"], got["month.members.forecast"]) == \
        ("30%", "333", "300")
    assert got["month.members.other_pace"] == "季节节奏 33%"
    assert "month.members.band" not in got                 # the band belongs to the shape's forecast
    assert board.basis_note(t, "zh") == "节奏按直线"
    fig = charts.month_progress(t, "zh")
    assert [tr.name for tr in fig.data][0] == "目标节奏" and not [tr for tr in fig.data if tr.name == "月末 80%区间"]


def test_the_war_zone_table_ranks_and_shows_the_pace_on_the_basis(festive):  # noqa: F811
    t = tree(festive, "2026-11", "2026-11-10", NOVEMBER)
    frame, _ = wz.node_table([t.node("east")], "zh")
    assert frame.iloc[0][wz.columns("zh")["members.pace"]] == pytest.approx(100 / 306 * 100)   # 306.7 → 306 due
    assert frame.iloc[0][wz.columns("zh")["members.forecast"]] == pytest.approx(float(100 / F(230, 750)), abs=0.05)


@pytest.fixture(scope="module")
def on_the_20th(company):
    return trees.load(company, "2026-11", "2026-11-20")


def test_the_gap_line_names_who_explains_it(on_the_20th):
    """The hand-made company on 20 November (20/30 of the month), in whole units (issue 32): 24 members of 26.67 →
    26 due: gap −2. East: 16 of 16 due, 0; South: 8 of 10.67 → 10 due, −2; inside it 华南一队 the same, and inside
    that 丁 5 of 6.67 → 6 due, −1 (戊, without a target, is +3; the team's 6 members no person holds are −4 of it).
    Stations: 7 of 6.67 → 6 due: +1, all East's (5 of 4 due; South 2 of 2). Every line adds up as written."""
    t = on_the_20th
    assert text_of(board.gap_line(t, t.company, "members", "zh")) == "会员缺口 −2人：华南战区 −2（丁 −1）"
    assert text_of(board.gap_line(t, t.company, "members", "en")) == "Members gap −2: South Zone −2 (丁 −1)"
    assert text_of(board.gap_line(t, t.company, "stations", "zh")) == "驿站领先 +1个：华东战区 +1"
    # inside the zone (the war-zone page): its team, and the person in it
    assert text_of(board.gap_line(t, t.node("south"), "members", "zh")) == "会员缺口 −2人：华南一队 −2（丁 −1）"
    head = wz.headline(t, t.node("south"), "zh")
    assert "会员缺口 −2人：华南一队 −2（丁 −1）" in text_of(head)
    assert "缺口最大：丁（华南一队）会员 −1人。" in text_of(head)
    # a reader who may not see the zone's people hears nothing of them
    assert "缺口" not in text_of(wz.headline(t, t.node("south"), "zh", detail=False))


def test_the_board_says_who_is_behind_in_one_line(on_the_20th):
    """Issue 36.9: the board's answer, by the same one rule as the gap line above (members, the goal the company is
    behind on: South −2, inside it 华南一队 −2, inside that 丁 −1); the company's worse status before it."""
    t = on_the_20th
    line = board.behind_line(t, "zh")
    status = board.status_word(board.overall(t.company), "zh")
    assert text_of(line) == f"本月 {status} 缺口最大：华南战区 会员 −2人，其中 丁（华南一队）−1人"
    assert text_of(board.behind_line(t, "en")) == (
        f"This month {board.status_word(board.overall(t.company), 'en')} Furthest behind: South Zone, Members −2; "
        "in it 丁 (South Team 1) −1")
    assert '<b data-k="answer.who">丁</b>' in line


def test_last_weeks_status_on_the_tile_and_the_zone_cards(on_the_20th):
    """A week earlier (the 13th, 13/30 of the month) the company had 18 members of 17.33 → 17 due, pace 1.06: on
    track, now 24 of 26: at risk. South had 6 members of 6.93 → 6 due: on track, now 8 of 10: at risk; and 1
    station of 1.3 → 1 due (on track, as now: 2 of 2)."""
    t = on_the_20th
    tile = board.month_tile(t, "members", "zh")
    # (issue 36: "▼ 上周正常" read as "last week: normal"; it says which way it moved, and from what)
    assert keyed(tile)["month.members.week"] == "▼ 较上周变差（上周正常）"
    assert 'title="7 天前（11月13日）按同样规则：● 正常，节奏 106%"' in tile
    assert keyed(board.month_tile(t, "members", "en"))["month.members.week"] == "▼ worse, was on track"
    assert "month.stations.week" not in keyed(board.month_tile(t, "stations", "zh"))   # on track both weeks
    card = keyed(board.zone_card(t, t.node("south"), "zh"))
    assert card["zone.south.members.week"] == "▼ 较上周变差（上周正常）"
    assert "zone.south.stations.week" not in card                                     # on track both weeks
    # the war-zone tables say it after the status
    frame, _ = wz.node_table([t.node("south")], "en")
    assert frame.iloc[0][wz.columns("en")["members.mstatus"]] == "▲ At risk ▼ worse, was on track"
    assert frame.iloc[0][wz.columns("en")["stations.mstatus"]] == "● On track"


def test_the_years_milestone_on_the_north_star(writable, tmp_path):
    """The milestones of test_goaltree.test_the_years_milestone_by_hand: as of 15 November, 8 stations where 10.99
    were due on the way from 4 to 12 by 2026-12-31 (off track), 2.64 a month still needed."""
    from tests.goal_company import import_milestones

    import_milestones(writable, tmp_path)
    t = trees.load(writable, "2026-11", "2026-11-15")
    line = board.milestone_line(t, "stations", "zh")
    got = keyed(line)
    assert got["ns.stations.milestone.target"] == "12"
    assert got["ns.stations.milestone.status"] == "✖ 落后"
    assert got["ns.stations.milestone.required_monthly"] == "2.6"
    assert text_of(line) == "2026年底 12 ✖ 落后 · 需每月 +2.6"
    assert text_of(board.milestone_line(t, "members", "en")) == "End 2026: 40 ▲ At risk · need +6.6/mo"
    assert "ns.stations.milestone.status" in keyed(board.north_star_block(t, "zh"))


def revise(db):
    """The revisions of test_goaltree's governance test: on 10 November (09:30 Beijing) 张三 raised East's station
    target from 6 to 8 and removed South's member target of 16; the plan was imported on 20 October."""
    from pipelines.plan.store import PlanStore, store_path

    with PlanStore(store_path(db)) as store:
        store.con.execute("update changes set at = '2026-10-20T02:00:00+00:00'")
        store.set_target("2026-11", "war_zone", "east", "stations", 8, "张三")
        store.set_target("2026-11", "war_zone", "south", "members", None, "张三")
        store.con.execute("update changes set at = '2026-11-10T01:30:00+00:00' where at > '2026-11-01'")


def test_a_revised_target_is_flagged_with_who_and_when(writable):
    revise(writable)
    t = trees.load(writable, "2026-11", "2026-11-15")
    card = board.zone_card(t, t.node("east"), "zh")
    assert keyed(card)["zone.east.stations.revised"] == "⚑ 改目标 6 → 8"      # (issue 36: the flag has a word)
    assert 'title="⚑ 月中改过目标 6 → 8（张三，11月10日 09:30）"' in card
    full = board.month_tile(t, "stations", "zh", node=t.node("east"), full=True)
    assert keyed(full)["month.stations.revised"] == "⚑ 月中改过目标 6 → 8（张三，11月10日 09:30）"
    assert keyed(board.month_tile(t, "stations", "en", node=t.node("east"), full=True))["month.stations.revised"] \
        == "⚑ Target changed this month 6 → 8 (张三, Nov 10 09:30)"
    assert "revised" not in board.month_tile(t, "stations", "zh")    # the company's own target was not changed
    # South's member target was removed: its tile says so in full on the zone page
    south = board.month_tile(t, "members", "zh", node=t.node("south"), full=True)
    assert keyed(south)["month.members.revised"] == "⚑ 月中改过目标 16 → —（张三，11月10日 09:30）"
    assert board.revised_note(t, "zh", "east") == ""         # none of East's teams or people was changed


def test_the_zone_page_lists_its_teams_and_peoples_changed_targets(writable):
    from pipelines.plan.store import PlanStore, store_path

    revise(writable)
    with PlanStore(store_path(writable)) as store:                 # and on the 12th, 李四 lowered 甲's to 1
        store.set_target("2026-11", "person", "pa", "stations", 1, "李四")
        store.con.execute("update changes set at = '2026-11-12T06:00:00+00:00' where at > '2026-11-12'")
    t = trees.load(writable, "2026-11", "2026-11-15")
    assert text_of(board.revised_note(t, "zh", "east")) == (
        "本月开始后改过的目标：甲 驿站 2 → 1（李四，11月12日 14:00）。")
    assert text_of(board.revised_note(t, "en", "east")) == \
        "Targets changed after the month began: 甲 Stations 2 → 1 (李四, Nov 12 14:00)."
    assert board.revised_note(t, "zh", "south") == ""


def test_the_switch_reads_the_month_against_the_1sts_targets(writable, monkeypatch, fresh_cache):
    """With a revision in the month the sidebar offers the switch; on, East's station target is 6 again (4 of 6 by
    the 15th: pace 4 / 3 = 133 %) and the period line says so. Without a revision there is no switch."""
    revise(writable)
    at = open_app(writable, monkeypatch, "pages/board.py")
    at.sidebar.selectbox[0].set_value("2026-11").run()
    at.sidebar.selectbox[1].set_value(__import__("datetime").date(2026, 11, 15)).run()
    toggles = [w for w in at.sidebar.toggle if w.label == "按月初的目标看"]
    assert len(toggles) == 1 and toggles[0].value is False
    shown = "\n".join(md.value for md in at.markdown)
    assert keyed(shown)["zone.east.stations.target"] == "8"
    # who explains the gap, under the month's tiles: each war zone's name opens its page in the reader's view
    gaps = re.findall(r'<div class="ns-gap".*?</div>', shown)
    assert gaps and all('href="war_zone?' in g and "month=2026-11" in g for g in gaps)
    toggles[0].set_value(True).run()
    assert not at.exception
    shown = "\n".join(md.value for md in at.markdown)
    assert keyed(shown)["zone.east.stations.target"] == "6"
    assert keyed(shown)["zone.east.stations.pace"] == "133%"
    assert "· 按月初目标" in shown
    # the choice holds on the war-zone page
    at.switch_page("pages/war_zone.py").run()
    assert [w.value for w in at.sidebar.toggle if w.label == "按月初的目标看"] == [True]
    st.cache_data.clear()
    st.cache_resource.clear()


def test_no_switch_without_a_revision(company, monkeypatch, fresh_cache):
    at = open_app(company, monkeypatch, "pages/board.py")
    assert not [w for w in at.sidebar.toggle if w.label == "按月初的目标看"]


def test_two_bands_in_the_boards_chart_stand_apart_and_are_named(small):
    """Issue 36.7: with both goals on the shape, the chart drew two whiskers on the same day over each other with one
    legend entry. Now each is named for its goal and they stand apart at the month's end."""
    t = trees.load(small / "wh.duckdb", "2026-11", "2026-11-24")
    assert all(t.company.metrics[m].forecast_low is not None for m in board.METRICS)
    for lang in ("zh", "en"):
        fig = charts.month_progress(t, lang)
        bands = [tr for tr in fig.data if (tr.legendgroup or "").startswith("band.")]
        assert [tr.name for tr in bands] == [text("chart_band_of", lang, what=text(f"{m}_short", lang))
                                             for m in board.METRICS]
        assert all(tr.showlegend for tr in bands)
        xs = [tr.x[0] for tr in bands]
        assert xs[0] < xs[1] and (xs[1] - xs[0]).total_seconds() == 32 * 3600
        for tr, m in zip(bands, board.METRICS):
            v = t.company.metrics[m]
            target = v.target
            assert tr.y[0] == pytest.approx(v.forecast / target)
            assert tr.y[0] + tr.error_y.array[0] == pytest.approx(v.forecast_high / target)
            assert tr.y[0] - tr.error_y.arrayminus[0] == pytest.approx(v.forecast_low / target)
