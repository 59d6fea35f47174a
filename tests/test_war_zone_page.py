"""The war-zone page under AppTest: every number is the goal tree's or pipelines.okr.warzone's, in both languages; the
zone and team live in the URL; the lead sees who is furthest behind and what the zone needs per day."""
from __future__ import annotations

import datetime as dt
import math
import re

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipelines.delivery import trees
from pipelines.okr import warzone
from tests.test_app import APP, shown
from ui.i18n import fmt_count, fmt_money, fmt_pair, fmt_pct, fmt_rate, status_word, text
from ui.views import board
from ui.views import warzone as wz

PAGE = "pages/war_zone.py"


@pytest.fixture(autouse=True)
def clear_cache():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def open_page(db, monkeypatch, lang="zh", as_of: dt.date | None = None, **params) -> AppTest:
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    if lang == "en":
        at.sidebar.radio[0].set_value("English").run()
    if as_of is not None:
        at.sidebar.selectbox[1].set_value(as_of).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def table_rows(frame, lang):
    """(name, metric figures…) per row, with +inf (shown '—') read back as None."""
    cols = wz.columns(lang)
    out = []
    for _, row in frame.iterrows():
        item = [row[cols["name"]]]
        for metric in wz.METRICS:
            for figure in ("actual", "target", "pace", "forecast", "required", "mstatus"):
                v = row[cols[f"{metric}.{figure}"]]
                item.append(None if isinstance(v, float) and math.isinf(v) else v)
        out.append(tuple(item))
    return out


def want_rows(nodes, lang, week_before=None):
    """The rows the tables must show; `week_before` (the tree 7 days earlier) adds "▼ 较上周变差（上周正常）" /
    "▲ better, was at risk" after a status that moved since then (the company is judged on the straight line: pace
    and forecast are)."""
    out = []
    for n in wz.worst_first(nodes):
        item = [n.name_zh if lang == "zh" else n.name_en]
        for metric in wz.METRICS:
            v = n.metrics[metric]
            word = status_word(v.status, lang)
            then = week_before.node(n.id).metrics[metric].status if week_before else v.status
            if "no_target" not in (then, v.status) and then != v.status:
                worse = board.RANK[v.status] < board.RANK[then]
                name = board.STATUS[then].word(lang) if lang == "zh" else board.STATUS[then].word(lang).lower()
                word += ((" ▼ 较上周变差" if worse else " ▲ 较上周好转") + f"（上周{name}）" if lang == "zh" else
                         (" ▼ worse, was " if worse else " ▲ better, was ") + name)
            item += [v.actual, v.target, None if v.pace is None else v.pace * 100,
                     round(v.forecast, 1), None if v.required_daily is None else round(v.required_daily, 1),
                     word]
        out.append(tuple(item))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_zone_numbers_are_the_goal_trees(company, monkeypatch, lang):
    D = dt.date(2026, 11, 15)
    at = open_page(company, monkeypatch, lang, as_of=D, zone="east")
    tree = trees.load(company, "2026-11", D)
    east = tree.node("east")
    got = shown(at)
    assert at.query_params["zone"] == "east"
    for metric in wz.METRICS:                                     # the two tiles
        v = east.metrics[metric]
        assert (got[f"month.{metric}.actual"], got[f"month.{metric}.target"]) == fmt_pair(v.actual, v.target, lang)
        assert got[f"month.{metric}.expected"] == fmt_count(v.expected, lang)
        assert got[f"month.{metric}.forecast"] == fmt_count(v.forecast, lang)
        assert got[f"month.{metric}.required"] == fmt_rate(v.required_daily, lang)
        assert got[f"month.{metric}.pace"] == fmt_pct(v.pace, marks=(1, tree.at_risk))
        assert got[f"month.{metric}.status"] == status_word(v.status, lang)
    # the headline: need per day (stations (6-4)/15, members (24-14)/15) and who is behind by the one rule (issue
    # 32): East is worse on members (14 of 12 due against 4 of 3), the team short the most there is 华东二队 (2 of 4
    # due) and in it 丙, −2
    assert got["zone.need.stations"] == fmt_rate(2 / 15, lang) and got["zone.need.members"] == fmt_rate(10 / 15, lang)
    assert (got["zone.behind.name"], got["zone.behind.gap"]) == ("丙", "−2")
    assert wz.most_behind(tree, east)[:3] == (tree.node("pc"), tree.node("e2"), "members")
    # teams, then the worst team's people (selected by default), each row the tree's
    teams, people, stations = (at.dataframe[i].value for i in range(3))
    week = trees.load(company, "2026-11", D - dt.timedelta(days=7))
    assert table_rows(teams, lang) == want_rows(tree.children("east"), lang, week)
    first_team = wz.worst_first(tree.children("east"))[0]
    assert at.query_params["team"] == first_team.id
    assert table_rows(people, lang) == want_rows(tree.children(first_team.id), lang, week)
    # this month's new stations
    with duckdb.connect(str(company), read_only=True) as con:
        rows = warzone.new_stations(con, east, "2026-11", D)
        drivers = warzone.drivers(con, tree, east)
    assert (
        list(stations[text("col_station_id", lang)]) == [r["station_id"] for r in rows] == ["S01", "S02", "S10", "S03"]
    )
    assert list(stations[text("col_members_so_far", lang)]) == [3, 4, 1, 4]
    assert at.get("download_button")[0].proto.label == text("download_csv", lang)
    # the paths
    assert got["zdriver.station_masters_recruited"] == fmt_count(drivers["station_masters_recruited"]["value"], lang)
    assert got["zdriver.gmv"] == fmt_money(75.5, lang)
    assert got["zdriver.days_to_open"] == text("days_unit", lang, n="21")
    assert got["zdriver.signing_conversion"] == "—"               # nobody signed 91–180 days before: no value
    assert got["zdriver.members_per_new_station"] == fmt_rate(3.0, lang)
    assert len(at.get("plotly_chart")) == 3                       # stations, members, the last 12 months


def test_a_person_without_a_target_is_shown_as_such(company, monkeypatch):
    # south's only team s1: pe has no target in 2026-11
    at = open_page(company, monkeypatch, "zh", as_of=dt.date(2026, 11, 15), zone="south")
    people = at.dataframe[1].value
    row = dict(zip(("name", *[f"{m}.{f}" for m in wz.METRICS for f in ("actual", "target", "pace", "forecast",
                                                                     "required", "mstatus")]),
                   next(r for r in table_rows(people, "zh") if r[0] == "戊")))
    assert row["stations.target"] is None and row["stations.pace"] is None and row["members.pace"] is None
    assert row["stations.mstatus"] == status_word("no_target", "zh") == "— 无目标"
    assert row["members.actual"] == 3                              # M36–M38 by 11-15
    styled = wz.styled(people, ["no_target"] * len(people), "zh").to_html()
    assert "—" in styled and "inf" not in styled


def test_choosing_a_zone_and_team_updates_the_url(company, monkeypatch):
    at = open_page(company, monkeypatch, "zh", as_of=dt.date(2026, 11, 15))
    tree = trees.load(company, "2026-11", dt.date(2026, 11, 15))
    worst = wz.worst_first([z for z in wz.zones(tree) if not z.id.endswith("/unassigned")])[0]
    assert at.query_params["zone"] == worst.id               # no link: the zone furthest behind
    zone_box = next(s for s in at.selectbox if s.label == "战区")
    zone_box.set_value("east").run()
    assert at.query_params["zone"] == "east"
    team_box = next(s for s in at.selectbox if s.label == "团队")
    team_box.set_value("e2").run()
    assert at.query_params["team"] == "e2"
    # 丙 had no station due on the 8th (2 × 8/30 = 0.53: on track in whole units) and one now: "▼ 上周正常"
    week = trees.load(company, "2026-11", dt.date(2026, 11, 8))
    assert table_rows(at.dataframe[1].value, "zh") == want_rows(tree.children("e2"), "zh", week)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_zone_of_the_tiny_sample_renders(tiny, monkeypatch, lang):
    db = tiny / "wh.duckdb"
    tree = trees.load(db, "2026-11", "2026-11-24")
    for zone in wz.zones(tree):
        at = open_page(db, monkeypatch, lang, zone=zone.id)
        got = shown(at)
        assert got["month.stations.actual"] == fmt_count(zone.metrics["stations"].actual, lang)
        assert at.query_params["zone"] == zone.id


def test_names_and_headers_are_never_cut(tiny):
    """Issue 17.9: every team's and person's name fits the name column (CJK ≈ 14 px a character, Latin ≈ 7 px, plus
    the cell's padding) in both languages; number columns are as wide as their headers (no fixed width); the
    12-month chart's labels put a year on a line of its own, never two years side by side."""
    from ui.views import charts

    tree = trees.load(tiny / "wh.duckdb", "2026-11", "2026-11-24")
    for lang in ("zh", "en"):
        config = wz.column_config(lang)
        cols = wz.columns(lang)
        assert config[cols["name"]]["width"] == wz.NAME_WIDTH
        assert all(config[c]["width"] is None for k, c in cols.items() if k != "name")
        for n in tree.nodes:
            if n.level in ("team", "person"):
                name = n.name_zh if lang == "zh" else n.name_en
                px = sum(14 if ord(ch) > 0x2E80 else 7 for ch in name) + 16
                assert px <= wz.NAME_WIDTH, (name, px)
    months = [f"2025-{m:02d}" for m in (12,)] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert charts.month_ticks(months, "en")[:3] == ["Dec", "Jan<br>2026", "Feb"]
    assert charts.month_ticks(months[1:], "zh")[:2] == ["1月<br>2026年", "2月"]
    assert charts.month_ticks([f"2026-{m:02d}" for m in range(3, 15 - 2)], "zh")[0] == "3月<br>2026年"


def test_the_paper_copy_of_a_table_has_every_column_and_names_as_text():
    """Issue 36.6: the printed table (hidden on screen) carries every column in the grid's order, its cells as the
    grid reads them, rows tinted for their status; a name is text, never HTML."""
    import pandas as pd

    cols = wz.columns("en")
    row = {c: 0.0 for c in cols.values()}
    row.update({cols["name"]: "<img src=x onerror=alert(1)>", cols["stations.mstatus"]: "✖ Off track",
                cols["members.mstatus"]: "— No target", cols["stations.actual"]: 1234.0,
                cols["stations.target"]: wz.MISSING, cols["members.required"]: 7.25})
    frame = pd.DataFrame([row], columns=list(cols.values()))
    html = wz.print_table(frame, ["off_track"], "en")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    heads = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", html)
    assert heads == list(cols.values())
    cells = re.findall(r"<td(?: [^>]*)?>(.*?)</td>", html)
    assert cells[:5] == ["&lt;img src=x onerror=alert(1)&gt;", "✖ Off track", "— No target", "1,234", "—"]
    assert cells[list(cols).index("members.required")] == "7.2"       # one decimal below 10, as on screen
    assert 'style="background:#fde8e8"' in html
