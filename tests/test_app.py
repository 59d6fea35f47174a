"""The dashboard under AppTest: the board's numbers are the goal tree's, in both languages, for the sidebar's period;
first start, a bad plan and a corrupt warehouse say what to do."""
import datetime as dt
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import query
from pipelines.delivery import trees
from ui.i18n import fmt_count, fmt_money, fmt_pair, fmt_pct, fmt_rate, status_word
from ui.views import board

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
NUMBER = re.compile(r'data-k="([^"]+)">([^<]*)<')


@pytest.fixture(autouse=True)
def clear_cache():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def shown(at) -> dict[str, str]:
    """Every number and status the board shows, by its data-k key (see ui/views/board.py)."""
    out = {}
    for md in at.markdown:
        out.update(NUMBER.findall(md.value))
    return out


def html(at) -> str:
    return "\n".join(md.value for md in at.markdown)


def start(db: Path, monkeypatch, lang: str = "zh") -> AppTest:
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    if lang == "en":
        at.sidebar.radio[0].set_value("English").run()
        assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def expected_numbers(tree, lang: str) -> dict[str, str]:
    """What the board must show, formatted from the goal tree (the CLI's `tree` computes the same object)."""
    want = {}
    for metric in ("stations", "members"):
        ns = tree.north_star[metric]
        want[f"ns.{metric}.actual"], want[f"ns.{metric}.target"] = fmt_pair(ns["actual"], ns["target"], lang)
        want[f"ns.{metric}.progress"] = fmt_pct(ns["progress"], 1)
        want[f"ns.{metric}.required_monthly"] = fmt_count(ns["required_monthly"], lang)
        want[f"ns.{metric}.trailing_6m"] = fmt_count(ns["trailing_6m"], lang)
        want[f"ns.{metric}.change"] = ("+" if tree.since_month_end[metric]["change"] >= 0 else "−") + fmt_count(
            abs(tree.since_month_end[metric]["change"]), lang)
        v = tree.company.metrics[metric]
        want[f"month.{metric}.actual"] = fmt_count(v.actual, lang)
        want[f"month.{metric}.status"] = status_word(v.status, lang)
        if v.target:
            # expected, forecast and pace as judged (issue 32: the value carries its basis; the sample judges on
            # the month's shape)
            assert v.basis == tree.basis
            want[f"month.{metric}.actual"], want[f"month.{metric}.target"] = fmt_pair(v.actual, v.target, lang)
            want[f"month.{metric}.expected"] = fmt_count(v.expected, lang)
            want[f"month.{metric}.forecast"] = fmt_count(v.forecast, lang)
            want[f"month.{metric}.required"] = fmt_rate(v.required_daily, lang)
            want[f"month.{metric}.pace"] = fmt_pct(v.pace, marks=(1, tree.at_risk))
        for zone in tree.children(tree.company.id):
            if zone.level != "war_zone" or zone.id.endswith("/unassigned"):
                continue
            z = zone.metrics[metric]
            want[f"zone.{zone.id}.{metric}.actual"] = fmt_count(z.actual, lang)
            want[f"zone.{zone.id}.{metric}.status"] = status_word(z.status, lang)
            if z.target:
                # one unit across the row of zone cards (issue 17.19)
                want[f"zone.{zone.id}.{metric}.actual"], want[f"zone.{zone.id}.{metric}.target"] = fmt_pair(
                    z.actual, z.target, lang, like=board.block_range(board.zone_order(tree), metric))
                want[f"zone.{zone.id}.{metric}.pace"] = fmt_pct(z.pace, marks=(1, tree.at_risk))
    for ka in tree.key_actions:
        want[f"ka.{ka.id}.progress"] = fmt_pct(ka.progress)
        want[f"ka.{ka.id}.status"] = status_word(ka.status, lang)
    d = tree.drivers[tree.company.id]
    want["driver.orders"] = fmt_count(d["orders"]["value"], lang)
    want["driver.gmv"] = fmt_money(d["gmv"]["value"], lang)
    want["driver.station_masters_recruited"] = fmt_count(d["station_masters_recruited"]["value"], lang)
    want["driver.active_members"] = fmt_count(d["active_members"]["value"], lang)
    return want


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_board_numbers_are_the_goal_trees(tiny, monkeypatch, lang):
    db = tiny / "wh.duckdb"
    at = start(db, monkeypatch, lang)
    tree = trees.load(db, "2026-11", "2026-11-24")
    got = shown(at)
    want = expected_numbers(tree, lang)
    assert {k: got.get(k) for k in want} == want
    assert len(want) > 40                                    # the tiny plan has targets, zones and key actions
    page = html(at)
    title = tree.north_star_title[0 if lang == "zh" else 1]
    assert title in page
    assert got["period"] == ("2026年11月 · 截至 2026-11-24（第 24 / 30 天）" if lang == "zh"
                             else "Nov 2026 · as of 2026-11-24 (day 24 of 30)")
    # the war zones, worst first; the chart; the paths labelled as not goals
    zones = [z.id for z in board.zone_order(tree)]
    assert [k for k in re.findall(r'class="ns-card ns-zone[^"]*" data-k="zone\.([^"]+)"', page)] == zones
    assert len(zones) == 3
    assert len(at.get("plotly_chart")) == 1
    assert ("不是目标" if lang == "zh" else "not goals") in page


def test_english_labels_everywhere(tiny, monkeypatch):
    at = start(tiny / "wh.duckdb", monkeypatch, "en")
    page = html(at)
    for label in ("North star", "This month", "War zones", "Centers&#x27; key actions", "Paths", "Active stations",
                  "Members served", "New stations", "New members", "Expected", "Forecast", "Need/day"):
        assert label in page, label
    # people's names are data, written as the org writes them (the sample's people have Chinese names only; the
    # gap line names the person furthest behind in the zone that explains most of it)
    tree = trees.load(tiny / "wh.duckdb", "2026-11", "2026-11-24")
    for n in tree.nodes:
        if n.level == "person":
            page = page.replace(n.name_en, "")
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r'data-k="[^"]*"', "", page).replace("中文", "")), \
        "Chinese text left on the English board"
    assert at.sidebar.selectbox[0].label == "Month" and at.sidebar.selectbox[1].label == "As of"


def test_changing_month_and_as_of_changes_the_numbers(tiny, monkeypatch):
    db = tiny / "wh.duckdb"
    at = start(db, monkeypatch)
    assert at.sidebar.selectbox[0].value == "2026-11"                  # the month of the last date
    assert str(at.sidebar.selectbox[1].value) == "2026-11-24"         # the last date
    before = shown(at)
    at.sidebar.selectbox[1].set_value(dt.date(2026, 11, 10)).run()
    assert not at.exception and not at.error
    got = shown(at)
    tree = trees.load(db, "2026-11", "2026-11-10")
    want = expected_numbers(tree, "zh")
    assert {k: got.get(k) for k in want} == want
    assert got["month.members.actual"] != before["month.members.actual"]
    served = query(db, "select members_served from daily_network where date = '2026-11-10'")[0][0]
    assert got["ns.members.actual"] == fmt_count(served, "zh")
    at.sidebar.selectbox[0].set_value("2026-10").run()
    assert str(at.sidebar.selectbox[1].value) == "2026-10-31"         # a finished month: its last day
    got = shown(at)
    want = expected_numbers(trees.load(db, "2026-10", "2026-10-31"), "zh")
    assert {k: got.get(k) for k in want} == want
    # (issue 36: "（截至 2026-10-31）" said the month's own last day again and cut the title short on the board)
    assert got["period"] == "2026年10月 · 已结束 · 数据至 2026-11-24"


def test_first_start_generates_and_builds_the_sample(tmp_path, monkeypatch):
    """No warehouse and no raw data: the app generates the sample, builds it with visible progress, shows the board."""
    monkeypatch.setenv("NORTHSTAR_DB", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("NORTHSTAR_RAW", str(tmp_path / "raw"))
    monkeypatch.setenv("NORTHSTAR_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("NORTHSTAR_SAMPLE_SIZE", "tiny")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert (tmp_path / "wh.duckdb").exists() and (tmp_path / "config" / "org.yaml").exists()
    assert at.status[0].label.startswith("示例数据已就绪")
    served = query(tmp_path / "wh.duckdb", "select members_served from daily_network order by date desc limit 1")[0][0]
    assert shown(at)["ns.members.actual"] == fmt_count(served, "zh")


def test_first_start_keeps_an_existing_plan_and_reports_a_bad_one(tmp_path, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("NORTHSTAR_RAW", str(tmp_path / "raw"))
    monkeypatch.setenv("NORTHSTAR_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("NORTHSTAR_SAMPLE_SIZE", "tiny")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "org.yaml").write_text("war_zone: []\n", encoding="utf-8")  # a typo: war_zones
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert (tmp_path / "config" / "org.yaml").read_text(encoding="utf-8") == "war_zone: []\n"   # not overwritten
    assert not (tmp_path / "wh.duckdb").exists()
    message = at.error[0].value
    assert "org.yaml, line 1, war_zone: unknown field" in message and "python -m pipelines build" in message


def test_corrupt_warehouse_says_rebuild(tmp_path, monkeypatch):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("NORTHSTAR_DB", str(bad))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "python -m pipelines build" in at.error[0].value


def test_a_warehouse_without_a_plan_explains_the_empty_targets(tiny, tmp_path, monkeypatch):
    """No plan store: every node has no target; the board says so in a sentence instead of showing blanks."""
    import shutil

    db = tmp_path / "wh.duckdb"
    shutil.copy(tiny / "wh.duckdb", db)                     # the warehouse only, no plan store beside it
    at = start(db, monkeypatch, "en")
    page = html(at)
    assert "No north star set yet" in page and "No target this month" in page
    assert shown(at)["month.stations.status"] == "— No target"


def test_number_format():
    # issue 36.11: one rule for a count, the same in both languages (docs/product.md §9) — every digit below
    # 100,000 (issue 4 shortened from 10,000, so "6,329" stood beside "1.4万"), then three significant digits in
    # the language's unit (10 万 is the 100 k of English)
    assert (fmt_count(12_345, "zh"), fmt_count(12_345, "en")) == ("12,345", "12,345")
    assert (fmt_count(99_999, "zh"), fmt_count(100_000, "zh"), fmt_count(100_000, "en")) == ("99,999", "10万", "100k")
    assert (fmt_count(480_400, "zh"), fmt_count(480_400, "en")) == ("48万", "480k")          # members served
    assert (fmt_count(481_234, "zh"), fmt_count(481_234, "en")) == ("48.1万", "481k")
    assert (fmt_count(10_000_000, "zh"), fmt_count(10_000_000, "en")) == ("1,000万", "10M")
    assert (fmt_count(20_000, "zh"), fmt_count(20_000, "en"), fmt_count(2_500_000, "en")) == ("20,000", "20,000",
                                                                                            "2.50M")
    assert (fmt_count(987, "zh"), fmt_count(None, "en")) == ("987", "—")
    assert (fmt_rate(0.84), fmt_rate(2389.2, "zh"), fmt_pct(0.8567), fmt_pct(0.10666, 1)) == ("0.8", "2,389", "86%",
                                                                                              "10.7%")
    # above 1,000万 Chinese keeps the whole 万 (no "0.31亿"): one digit more than the English
    assert (fmt_money(31_310_000, "zh"), fmt_money(31_310_000, "en")) == ("¥3,131万", "¥31.3M")


def test_the_chosen_month_survives_a_language_switch(tiny, monkeypatch):
    at = start(tiny / "wh.duckdb", monkeypatch)
    at.sidebar.selectbox[0].set_value("2026-10").run()
    at.sidebar.radio[0].set_value("English").run()
    assert not at.exception
    assert at.sidebar.selectbox[0].value == "2026-10"
    assert shown(at)["period"] == "Oct 2026 · closed · data to 2026-11-24"


def test_the_as_of_is_chosen_from_the_months_days_in_the_readers_language(tiny, monkeypatch):
    """Issue 17.16 / 17.18: no date picker with English month and weekday names, and no typed date that waits for
    the focus to leave: the month's days, newest first, take effect when chosen."""
    at = start(tiny / "wh.duckdb", monkeypatch)
    as_of = at.sidebar.selectbox[1]
    assert as_of.label == "截至日期" and as_of.options[:2] == ["2026-11-24 周二", "2026-11-23 周一"]
    assert len(as_of.options) == 24 and not at.sidebar.date_input
    at.sidebar.radio[0].set_value("English").run()
    assert at.sidebar.selectbox[1].options[0] == "Tue 2026-11-24"
    at.sidebar.selectbox[1].set_value(dt.date(2026, 11, 3)).run()
    assert shown(at)["period"].startswith("Nov 2026 · as of 2026-11-03")
    at.sidebar.radio[0].set_value("中文").run()                     # the choice survives the language switch
    assert at.sidebar.selectbox[1].value == dt.date(2026, 11, 3)
