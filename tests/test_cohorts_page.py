"""The Cohorts page under AppTest, both languages: the heatmap's cells and weighted average row are
pipelines.okr.cohorts', the breakdown draws one line per group, a drill-down lists the members behind the cell, and no
phone number appears unmasked anywhere. The hand-made network (tests/test_cohorts.py has the hand counts)."""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines.okr import cohorts
from tests.conftest import open_app
from tests.test_app import APP

pytestmark = pytest.mark.usefixtures("fresh_cache")
NOV = dt.date(2026, 11, 1)


def cohorts_page(db, monkeypatch, lang="zh") -> AppTest:
    at = open_app(db, monkeypatch, "pages/cohorts.py", lang)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def heat(at: AppTest) -> dict:
    return next(f for f in figures(at) if f["data"][0]["type"] == "heatmap")["data"][0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_heatmap_is_the_cohort_table(hand_made, monkeypatch, lang):
    at = cohorts_page(hand_made / "wh.duckdb", monkeypatch, lang)
    h = heat(at)
    avg = "加权平均" if lang == "zh" else "Weighted average"
    assert h["y"] == [avg, "2026-10 (1)", "2026-11 (4)"]
    assert h["x"] == ["M0", "M1"]
    # October: 1 of 1 in M0 and M1 (partial); November: 3 of 4 (partial); the average: October's M0 only
    assert h["z"] == [[1.0, None], [1.0, 1.0], [0.75, None]]
    assert h["text"] == [["100%", ""], ["100%", "100%*"], ["75%*", ""]]
    with duckdb.connect(str(hand_made / "wh.duckdb"), read_only=True) as con:
        assert cohorts.average(cohorts.members(con)) == {0: 1.0, 1: None}
    # counts instead of rates
    at.radio(key=f"cm_unit_{lang}").set_value("count").run()      # counts: no average row (it would mean nothing)
    assert (heat(at)["y"], heat(at)["z"]) == (["2026-10 (1)", "2026-11 (4)"], [[1, 1], [3, None]])


def test_ltv_and_on_or_after(hand_made, monkeypatch):
    at = cohorts_page(hand_made / "wh.duckdb", monkeypatch)
    at.radio(key="cm_measure_zh").set_value("active_or_after").run()
    assert heat(at)["z"][1:] == [[1.0, 1.0], [0.75, None]]
    ltv = [f["data"][0] for f in figures(at) if f["data"][0]["type"] == "heatmap"][1]
    assert ltv["z"] == [[100.0, None], [100.0, 150.5], [30.0625, None]]      # 100; 100 + 50.50; 120.25 / 4


def test_a_breakdown_draws_a_line_per_group_and_filters_narrow(hand_made, monkeypatch):
    at = cohorts_page(hand_made / "wh.duckdb", monkeypatch)
    at.selectbox(key="cf_by_zh").set_value("war_zone").run()
    lines = next(f for f in figures(at) if any(t.get("name") == "华东战区" for t in f["data"]))
    assert sorted(t["name"] for t in lines["data"]) == ["华东战区", "未归属战区"]   # the node's name, as on every page
    at.multiselect(key="cf_center_zh").set_value(["community"]).run()
    assert heat(at)["y"][1:] == ["2026-10 (1)", "2026-11 (2)"]              # M1; M2 and M7


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_drill_down_lists_the_members_behind_the_cell_with_phones_masked(hand_made, monkeypatch, lang):
    at = cohorts_page(hand_made / "wh.duckdb", monkeypatch, lang)
    assert at.selectbox(key=f"drill_m_{lang}").value == NOV
    assert not at.dataframe                                                # the list waits for the switch
    at.toggle(key=f"drill_show_{lang}").set_value(True).run()
    frame = at.dataframe[0].value
    assert list(frame.iloc[:, 0]) == ["M2", "M5", "M4"]                    # active in November's M0
    assert list(frame.iloc[:, -1]) == ["138****0002", "—", "138****0004"]
    at.selectbox(key=f"drill_m_{lang}").set_value(dt.date(2026, 10, 1)).run()
    at.selectbox(key=f"drill_k_{lang}_2026-10-01").set_value(1).run()
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["M1"]
    everything = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                          + [at.dataframe[0].value.to_csv()] + [json.dumps(f) for f in figures(at)])
    assert "13800000" not in everything


def test_a_warehouse_without_cohorts_says_what_to_do(hand_made, monkeypatch):
    import shutil

    db = hand_made / "old.duckdb"
    shutil.copy(hand_made / "wh.duckdb", db)
    with duckdb.connect(str(db)) as con:
        con.execute("drop table cohort_members")
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception
    assert at.error[0].value.startswith("无法读取同期群数据：")
    assert "python -m pipelines build" in at.info[0].value


def test_a_drill_down_past_the_listing_says_the_csv_holds_them_all(hand_made, monkeypatch):
    """Issue 17.10: past the listing's limit the page says that it shows the first ones and that the download
    holds every member; it never stops silently."""
    from ui.views import cohorts as uc

    monkeypatch.setattr(uc, "DRILL_LIMIT", 1)
    at = open_app(hand_made / "wh.duckdb", monkeypatch, "pages/cohorts.py")
    toggle = next(t for t in at.toggle if t.label.startswith("列出这"))
    toggle.set_value(True).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any("这里显示按入会日期的前 1 名，下载的 CSV 包含全部" in c for c in captions), captions
    frame = at.dataframe[-1].value
    assert len(frame) == 1 and "驿站" in frame.columns
    assert any(b.label.startswith("下载全部") for b in at.get("download_button"))
