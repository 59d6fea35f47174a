"""Issue 35: the month's forecast proven on two real years (UCI Online Retail II + Online Retail, 2009-12 to
2011-12-09; examples/online_retail/data, shipped with the project under CC BY 4.0), mapped onto the contract by
examples/online_retail/adapt.py --years 2 and built as of 2011-12-09. These are the figures of
`python -m pipelines backtest --day 10 --format json` on it: new members, the forecast made on day 10 of each month
against the month's actual."""
from __future__ import annotations

import pytest

from pipelines.okr import backtest, goaltree
from pipelines.warehouse import build as build_mod
from tests.conftest import retail_adapter as adapter

FILES = (adapter().SOURCE, adapter().NEXT_YEAR)     # examples/online_retail/data (or NORTHSTAR_RETAIL_DATA)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    out = tmp_path_factory.mktemp("retail2")
    counts = adapter().adapt(FILES[0], out, FILES[1])
    build_mod.build(raw=out / "raw", config=out / "config", db=out / "wh.duckdb", as_of="2011-12-09", quiet=True)
    return out / "wh.duckdb", counts


def report(db, day: int) -> dict:
    con = goaltree.open_warehouse(db)
    try:
        return backtest.summary(backtest.replay(con, day), day, "retail")
    finally:
        con.close()


def test_two_real_years_map_onto_the_contract(two_years):
    _, counts = two_years
    # 43 countries, 5,942 customers, 53,628 invoices: the second year's lines from 2010-12-01, the first's before
    assert counts == {"stations": 43, "members": 5942, "orders": 53628}


def test_the_straight_line_and_todays_shape_on_the_real_years(two_years):
    """The baseline issue 35 measured (25.7 % / 23.0 % with its mapping; this one rounds to 25.8 % / 23.1 %): twelve
    months replayed, Dec 2010 to Nov 2011. The shape now learns the UK's bank holidays too (the adapter's goals.yaml
    `calendar: {public_holidays: GB}`, issue 35's calendar), like Double 11: 22.6 %. (The band the issue measured,
    3 of 6 months, is the old band's: the next test holds the count band that replaced it.)"""
    db, _ = two_years
    members = report(db, 10)["members"]
    assert (members["months"], members["linear_mae_pct"]) == (12, 25.8)
    assert (members["seasonal_mae_pct"], members["band_months"]) == (22.6, 6)


def test_the_band_holds_on_the_real_years(two_years):
    """Issue 35's band (pipelines/okr/bands.py: the rest of the month as a count, calibrated on the node's own
    earlier months): on the six months with six earlier ones to calibrate on, it holds the month's result in five
    at day 10 (asked: at least two in three; the old band of percentile misses held three), and in all six at days
    5 and 20."""
    db, _ = two_years
    ten = report(db, 10)["members"]
    assert (ten["band_coverage_pct"], ten["band_months"]) == (83.3, 6)
    assert ten["band_coverage_pct"] >= 100 * 2 / 3
    for day in (5, 20):
        doc = report(db, day)["members"]
        assert (doc["band_coverage_pct"], doc["band_months"]) == (100.0, 6), day


def test_each_candidate_forecast_on_the_real_years(two_years):
    """Issue 35, step 2: every candidate replayed on the twelve months (pipelines/okr/candidates.py). Last year's
    month, its calendar taken out and this year's put back, beats the plain last-year shape the issue measured
    (17.5 %), and the blend of it with today's shape is the best at day 10 — below 0.7 × the straight line. The
    backtest JSON carries each month's row: the truth, every candidate and the band."""
    db, _ = two_years
    doc = report(db, 10)["members"]
    assert doc["methods_mae_pct"] == {"linear": 25.8, "weekday": 23.1, "seasonal": 22.6, "last_year": 16.3,
                                      "blend": 14.8}
    assert doc["methods_mae_pct"]["blend"] <= 0.7 * doc["linear_mae_pct"]
    december = doc["rows"][0]
    assert (december["month"], december["truth"], december["actual"]) == ("2010-12", 77, 49)
    assert set(december["forecasts"]) == {"linear", "weekday", "seasonal", "last_year", "blend"}
    assert december["forecasts"]["linear"] == round(49 / (10 / 31), 1) == 151.9   # 49 joins by the 10th of 31 days
    assert december["forecasts"]["last_year"] < 100          # last December ran early: far closer to the 77


def test_the_forecast_chosen_by_backtest_beats_the_straight_line_on_the_real_years(two_years):
    """Issue 35's first done-when, for the forecast (the band: the test above): at day 10 the chosen forecast misses
    by less than the plain last-year shape the issue measured (17.5 %) and by at most 0.7 × the straight line; at
    days 5 and 20 it is no worse than the straight line either."""
    db, _ = two_years
    ten = report(db, 10)["members"]
    assert ten["chosen_mae_pct"] == 14.8 and ten["chosen_mae_pct"] < 17.5
    assert ten["chosen_mae_pct"] <= 0.7 * ten["linear_mae_pct"]
    assert [r["chosen"] for r in ten["rows"][:3]] == ["blend"] * 3        # no earlier month to judge by: the blend
    for day in (5, 20):
        doc = report(db, day)["members"]
        assert doc["chosen_mae_pct"] <= doc["linear_mae_pct"], (day, doc["chosen_mae_pct"], doc["linear_mae_pct"])
