"""The placeholder dashboard under AppTest: the numbers it shows, and what it says with no warehouse."""
import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import query
from ui.i18n import fmt_count

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


@pytest.fixture(autouse=True)
def clear_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_board_shows_the_network_as_of_the_last_date(tiny, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", str(tiny / "wh.duckdb"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    stations, served = query(tiny / "wh.duckdb", "select active_stations, members_served from daily_network "
                                                 "order by date desc limit 1")[0]
    values = [m.value for m in at.metric]
    assert values[0] == f"{stations:,}"          # under 10,000: digits with separators
    assert values[1] == f"{served:,}"
    assert "截至 2026-11-24" in at.caption[0].value


def test_english_labels(tiny, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", str(tiny / "wh.duckdb"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.sidebar.radio[0].set_value("English").run()
    assert [m.label for m in at.metric][0] == "Active stations / target 20,000"
    assert at.caption[0].value == "As of 2026-11-24 (last date in the data)"


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
    assert [m.value for m in at.metric][1] == fmt_count(served, "zh")


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


def test_number_format():
    # the formats issue 4 asks for: 1.2万 / 1,000万 in Chinese, 12.3k / 10M in English
    assert (fmt_count(12_345, "zh"), fmt_count(12_345, "en")) == ("1.2万", "12.3k")
    assert (fmt_count(10_000_000, "zh"), fmt_count(10_000_000, "en")) == ("1,000万", "10M")
    assert (fmt_count(20_000, "zh"), fmt_count(2_500_000, "en")) == ("2万", "2.50M")
    assert (fmt_count(987, "zh"), fmt_count(None, "en")) == ("987", "—")


def test_sidebar_period_defaults_and_changes_the_numbers(tiny, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", str(tiny / "wh.duckdb"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert at.sidebar.selectbox[0].value == "2026-11"                  # the month of the last date
    assert str(at.sidebar.date_input[0].value) == "2026-11-24"         # the last date
    at.sidebar.date_input[0].set_value(dt.date(2026, 11, 1)).run()
    assert not at.exception
    served = query(tiny / "wh.duckdb", "select members_served from daily_network where date = '2026-11-01'")[0][0]
    assert [m.value for m in at.metric][1] == fmt_count(served, "zh")
    assert "截至 2026-11-01" in at.caption[0].value
    at.sidebar.selectbox[0].set_value("2026-10").run()
    assert str(at.sidebar.date_input[0].value) == "2026-10-31"         # a finished month: its last day
    served = query(tiny / "wh.duckdb", "select members_served from daily_network where date = '2026-10-31'")[0][0]
    assert [m.value for m in at.metric][1] == fmt_count(served, "zh")
