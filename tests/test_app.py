"""The placeholder dashboard under AppTest: the numbers it shows, and what it says with no warehouse."""
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import query

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


def test_no_warehouse_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "make run" in at.warning[0].value


def test_corrupt_warehouse_says_rebuild(tmp_path, monkeypatch):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("NORTHSTAR_DB", str(bad))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "python -m pipelines build" in at.error[0].value


def test_number_format():
    from ui.data import fmt_count

    assert (fmt_count(12_345, "zh"), fmt_count(12_345, "en")) == ("1.2万", "12.3k")
    assert (fmt_count(10_000_000, "zh"), fmt_count(10_000_000, "en")) == ("1000.0万", "10.00M")
    assert (fmt_count(987, "zh"), fmt_count(None, "en")) == ("987", "—")
