"""Issue 35 on the `small` sample (seed 7, as `make run` builds it): the forecast chosen by backtest against the
straight line for every node and goal, and the Chinese New Year month the issue measured (stations on 2026-02-18)."""
from __future__ import annotations

import pytest

from pipelines.okr import backtest, goaltree
from pipelines.plan.folder import load_plan


@pytest.mark.parametrize("day", [5, 10, 20])
def test_the_chosen_forecast_is_no_worse_than_the_straight_line_anywhere(small, day):
    """Every node (the company, each war zone) and goal, over the sixteen to twenty-two replayed months."""
    con = goaltree.open_warehouse(small / "wh.duckdb")
    try:
        doc = backtest.summary(backtest.replay(con, day), day, "company")
    finally:
        con.close()
    figures = [("company", m, doc[m]) for m in ("stations", "members")] + [
        (zone, m, f[m]) for zone, f in doc["war_zones"].items() for m in ("stations", "members")]
    worse = [(node, m, f["chosen_mae_pct"], f["linear_mae_pct"]) for node, m, f in figures
             if f["chosen_mae_pct"] is not None and f["chosen_mae_pct"] > f["linear_mae_pct"]]
    assert worse == []
    # members, where a shape is worth its name: well below the line at day 10 (2.9 % against 6.0 %)
    if day == 10:
        assert (doc["members"]["chosen_mae_pct"], doc["members"]["linear_mae_pct"]) == (2.9, 6.0)


def test_the_new_years_month_on_the_18th(small):
    """The case the issue measured: on 2026-02-18 the company had opened 34 of February's 64 stations; the month
    ended 64. Judged on the straight line (its backtest keeps it: 6.8 % against the shape's 6.7 %, not a tenth
    less), 41 were due: pace 83 %, below the at-risk 85 %. Before issue 35 that read ✖ off track; now a shortfall
    of 7 is within chance (1.28 × √41 = 8.2): ▲ at risk.

    The band, 45–62, does not hold the 64: the month's last ten days opened 30 after 34 in eighteen, which none of
    the candidates foresaw (53, 52 and 51; last year's February, 50 openings, is too few to shape a month by) and
    the company's earlier months do not widen: at day 18 the band holds fifteen of its sixteen months (94 %), and
    this is the one outside. A band that held it would hold every month: more than an 80 % band."""
    con = goaltree.open_warehouse(small / "wh.duckdb")
    try:
        tree = goaltree.goal_tree(con, "2026-02", "2026-02-18", load_plan(small / "config"))
        end = goaltree.goal_tree(con, "2026-02", "2026-02-28", load_plan(small / "config"))
        doc = backtest.summary(backtest.replay(con, 18), 18, "company")["stations"]
    finally:
        con.close()
    v = tree.company.metrics["stations"]
    assert (v.actual, v.target, v.expected, v.choice.method) == (34, 64, 41, "linear")
    assert v.pace < tree.at_risk and v.status == "at_risk"
    assert round(v.forecast) == 53 and (v.forecast_low, v.forecast_high) == (45, 62)
    assert end.company.metrics["stations"].actual == 64 and end.company.metrics["stations"].status == "achieved"
    assert (doc["band_coverage_pct"], doc["band_months"]) == (93.8, 16)
    outside = [r["month"] for r in doc["rows"] if r["band"] and not r["band"][0] <= r["truth"] <= r["band"][1]]
    assert outside == ["2026-02"]
    # the members that day are judged on the blend of last February and the calendar (1.3 % against 4.8 %), and
    # their band holds the month's 15,674
    m = tree.company.metrics["members"]
    assert m.choice.method == "blend" and m.forecast_low <= 15674 <= m.forecast_high
