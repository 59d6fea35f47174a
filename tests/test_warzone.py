"""The war-zone page's numbers (pipelines/okr/warzone.py) on the hand-made company of tests/goal_company.py, computed
by hand, and their agreement with the goal tree."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.delivery import trees
from pipelines.okr import warzone
from pipelines.plan.store import read_plan

D = dt.date(2026, 11, 15)


@pytest.fixture(scope="module")
def con(company):
    with duckdb.connect(str(company), read_only=True) as c:
        yield c


def test_daily_east_by_hand(company, con):
    tree = trees.load(company, "2026-11", D)
    east = tree.node("east")
    rows = [(r["date"].day, r["stations"], r["members"]) for r in warzone.daily(con, east, "2026-11", D)]
    # stations: S01 11-03, S02 11-05, S10 11-08 (owner unknown, still East), S03 11-10; S05 opens 11-20.
    # members: M23 11-02, M05 11-03, M11 11-05, M12, M13, M06 11-08, M14 + M19 11-09, M15, M16, M07 11-12 (its
    # refund on 11-20 is after D), M17, M24 11-14, M18 11-15; M10 (refunded 11-10) does not count.
    assert rows == [(2, 0, 1), (3, 1, 1), (5, 1, 1), (6, 0, 1), (7, 0, 1), (8, 1, 1), (9, 0, 2), (10, 1, 1),
                    (11, 0, 1), (12, 0, 1), (13, 0, 1), (14, 0, 1), (15, 0, 1)]
    assert sum(r[1] for r in rows) == east.metrics["stations"].actual == 4
    assert sum(r[2] for r in rows) == east.metrics["members"].actual == 14


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 1), D, dt.date(2026, 11, 30)])
def test_daily_adds_up_to_every_node_of_the_tree(company, con, as_of):
    tree = trees.load(company, "2026-11", as_of)
    for node in tree.nodes:
        if node.level == "center":
            continue
        rows = warzone.daily(con, node, "2026-11", as_of)
        for metric in ("stations", "members"):
            assert sum(r[metric] for r in rows) == node.metrics[metric].actual, (node["id"], metric)


def test_cumulative_fills_every_day():
    rows = [{"date": dt.date(2026, 11, 2), "stations": 1, "members": 3},
            {"date": dt.date(2026, 11, 4), "stations": 0, "members": 2}]
    got = warzone.cumulative(rows, dt.date(2026, 11, 1), dt.date(2026, 11, 5))
    assert [d.day for d in got["date"]] == [1, 2, 3, 4, 5]
    assert got["stations"] == [0, 1, 1, 1, 1]
    assert got["members"] == [0, 3, 3, 5, 5]


def test_new_stations_east(company, con):
    tree = trees.load(company, "2026-11", D)
    rows = warzone.new_stations(con, tree.node("east"), "2026-11", D)
    # oldest first; members at D: S01 M05 M06 M07; S02 M11–M14 (M10 refunded 11-10); S10 M19; S03 M15–M18
    assert [(r["station_id"], r["opened_on"].day, r["team"], r["person"], r["city"], r["members"]) for r in rows] == [
        ("S01", 3, "e1", "pa", "杭州", 3),
        ("S02", 5, "e1", "pb", "杭州", 4),
        ("S10", 8, "e1", "e1/unassigned", "温州", 1),
        ("S03", 10, "e1", "pb", "宁波", 4),
    ]
    assert len(rows) == tree.node("east").metrics["stations"].actual
    # a team; the month over: e2's S05 opened 11-20 with M25 and M26
    e2 = trees.load(company, "2026-11", dt.date(2026, 11, 30)).node("e2")
    assert [(r["station_id"], r["members"]) for r in warzone.new_stations(con, e2, "2026-11", dt.date(2026, 11, 30))] \
        == [("S05", 2)]


def test_drivers_east(company, con):
    tree = trees.load(company, "2026-11", D)
    got = warzone.drivers(con, tree, tree.node("east"))
    # signed 11-01..15: S05; 10-01..15: S01, S02
    assert got["station_masters_recruited"] == {"value": 1, "last_month": 2}
    # opened 11-01..15: S01 24 days, S02 21, S10 21, S03 21 → 21; 10-01..15: S04 (09-20 → 10-10) 20
    assert got["days_to_open"] == {"value": 21, "last_month": 20}
    # members at D of those stations: (3 + 4 + 1 + 4) / 4 = 3; at 10-15 S04 had M20 and M21 (refund 11-03 later) = 2
    assert got["members_per_new_station"] == {"value": 3.0, "last_month": 2.0}
    # nobody in East signed 91–180 days before 11-15 (05-19..08-16) or before 10-15: no value, not 0
    assert got["signing_conversion"] == {"value": None, "last_month": None}
    # paid orders of East 11-01..15: 30.00 + 20.00 + 25.50; 10-01..15: 50.00 + 15.00
    assert got["gmv"]["value"] == pytest.approx(75.5) and got["gmv"]["last_month"] == pytest.approx(65.0)


def test_attainment_east_by_hand(company, con):
    end = dt.date(2026, 11, 30)
    tree = trees.load(company, "2026-11", end)
    rows = warzone.attainment(con, tree, tree.node("east"), read_plan(company))
    # the data begins in 2026-09, so 3 of the 12 months; statuses as seen at 11-30
    assert [r["month"] for r in rows] == ["2026-09", "2026-10", "2026-11"]
    sep, oct_, nov = rows
    assert sep["stations"] == {"target": None, "actual": 1, "status": "no_target", "share": None}     # S11
    assert sep["members"]["actual"] == 2                                                             # M01, M02
    assert oct_["stations"] == {"target": 1, "actual": 1, "status": "achieved", "share": 1.0}        # S04
    assert oct_["members"] == {"target": None, "actual": 4, "status": "no_target", "share": None}   # M21 refunded
    assert nov["stations"] == {"target": 6, "actual": 5, "status": "missed", "share": 5 / 6}
    assert nov["members"] == {"target": 24, "actual": 18, "status": "missed", "share": 18 / 24}


@pytest.mark.parametrize("node_id", ["company", "east", "e1", "pb", "south", "s1", "pe", "e1/unassigned"])
def test_attainment_equals_the_goal_tree_month_by_month(company, con, node_id):
    as_of = dt.date(2026, 11, 20)
    plan = read_plan(company)
    tree = trees.load(company, "2026-11", as_of)
    for row in warzone.attainment(con, tree, tree.node(node_id), plan):
        node = trees.load(company, row["month"], as_of).node(node_id)
        for metric in ("stations", "members"):
            want = node.metrics[metric]
            assert (row[metric]["target"], row[metric]["actual"], row[metric]["status"]) == \
                (want.target, want.actual, want.status), (row["month"], metric)
