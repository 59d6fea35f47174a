"""Goal decomposition (pipelines/okr/decompose.py): the exact proportional split, the trailing actuals it is based on
(hand-computed on tests/goal_company.py), and the checks made while a plan is edited."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.okr import decompose

END = dt.date(2026, 11, 30)      # the hand-made company's last date


@pytest.mark.parametrize("total, weights, parts", [
    (7, [1, 1, 1], [3, 2, 2]),              # awkward: 7 over 3 equal children
    (10, [0, 0, 0, 0], [3, 3, 2, 2]),       # no history: even
    (100, [1, 2, 3], [17, 33, 50]),         # 16.67 / 33.33 / 50 → the largest remainder gets the spare unit
    (10, [7, 4], [6, 4]),                   # 6.36 / 3.64
    (5, [0, 3, 0], [0, 5, 0]),              # children with no history get nothing when others have some
    (0, [1, 2], [0, 0]),
    (2, [1, 1, 1], [1, 1, 0]),              # ties: earlier first
    (12.6, [1, 1], [7, 6]),                 # a target is a whole count: 13
])
def test_split_by_hand(total, weights, parts):
    assert decompose.split(total, weights) == parts


@given(total=st.integers(0, 10**7), weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
def test_split_adds_up_exactly_and_stays_within_a_unit_of_the_share(total, weights):
    parts = decompose.split(total, weights)
    assert sum(parts) == total and len(parts) == len(weights) and min(parts) >= 0
    w = weights if sum(weights) > 0 else [1] * len(weights)
    for part, x in zip(parts, w):
        share = total * x / sum(w)
        assert share - 1 < part < share + 1


def test_trailing_actuals_by_hand(company):
    with duckdb.connect(str(company), read_only=True) as con:
        # planning 2026-12: 09-01..11-30, members not refunded by 11-30 (M07, M10, M21 were)
        got = decompose.trailing_actuals(con, "2026-12", END)
        assert decompose.trailing_period("2026-12", END) == (dt.date(2026, 9, 1), END)
        assert got["company"] == {"stations": 11, "members": 36}
        assert got["east"] == {"stations": 7, "members": 24}     # S11 S04 S01 S02 S03 S10 S05
        assert got["south"] == {"stations": 4, "members": 12}    # S06 S07 S08 S09; S12 never opened
        assert got["e2"] == {"stations": 2, "members": 7}        # S04 S05; M20 M22–M27 (M21 refunded)
        assert got["pb"] == {"stations": 2, "members": 8}
        assert got["community"]["members"] + got["content"]["members"] + got["centers/unassigned"]["members"] == 36
        # planning 2026-11: 08-01..10-31, as seen at 10-31
        nov = decompose.trailing_actuals(con, "2026-11", END)
        assert (nov["east"]["stations"], nov["south"]["stations"]) == (2, 1)   # S11, S04; S08
        # M01 M02 M03 M04 M20 M22, and M21: its refund on 11-03 is after the period's end
        assert nov["east"]["members"] == 7


def test_suggest_splits_a_parent_over_its_children(company):
    with duckdb.connect(str(company), read_only=True) as con:
        nodes = decompose.org_nodes(con)
        actuals = decompose.trailing_actuals(con, "2026-12", END)
    company_node = nodes[0]
    zones = decompose.children(nodes, company_node)
    assert [z["id"] for z in zones] == ["east", "south"]
    assert decompose.suggest(10, zones, actuals, "stations") == {"east": 6, "south": 4}     # 7 : 4
    assert decompose.suggest(7, decompose.children(nodes, next(n for n in nodes if n["id"] == "e1")), actuals,
                            "members") == {"pa": 4, "pb": 3}                          # 8 : 8 → 3.5 each, tie: first
    assert [c["id"] for c in decompose.centers(nodes)] == ["community", "content"]


def test_check_refuses_negative_and_non_numeric_cells():
    values, problems = decompose.check({
        ("team", "a", "members"): "12", ("team", "b", "members"): "abc", ("team", "c", "members"): "-3",
        ("team", "d", "members"): "", ("team", "e", "members"): "1,200", ("team", "f", "members"): None})
    assert values == {("team", "a", "members"): 12, ("team", "d", "members"): None,
                      ("team", "e", "members"): 1200, ("team", "f", "members"): None}
    assert problems == {("team", "b", "members"): "'abc' is not a number",
                        ("team", "c", "members"): "-3 is negative; targets are counts ≥ 0"}


def test_allocation_and_diff(company):
    with duckdb.connect(str(company), read_only=True) as con:
        nodes = decompose.org_nodes(con)
    values = {("company", "company", "stations"): 10, ("war_zone", "east", "stations"): 6,
              ("war_zone", "south", "stations"): 3, ("company", "company", "members"): 40,
              ("center", "community", "members"): 25, ("center", "content", "members"): 15}
    rows = {(r["id"], r["child_level"], r["metric"]): (r["target"], r["children"], r["unallocated"])
            for r in decompose.allocation(values, nodes)}
    assert rows[("company", "war_zone", "stations")] == (10, 9, 1)
    assert rows[("company", "war_zone", "members")] == (40, 0, 40)
    assert rows[("company", "center", "members")] == (40, 40, 0)
    assert rows[("east", "team", "stations")] == (6, 0, 6)
    assert rows[("e1", "person", "stations")] == (None, 0, None)      # no target: nothing to allocate
    assert ("pa", "person", "stations") not in {k[:3] for k in rows}
    current = {("company", "company", "stations"): 10, ("war_zone", "east", "stations"): 5,
               ("team", "e1", "stations"): 4}
    assert decompose.diff({**values, ("team", "e1", "stations"): None, ("team", "e2", "stations"): None}, current) == {
        ("war_zone", "east", "stations"): 6, ("war_zone", "south", "stations"): 3,
        ("company", "company", "members"): 40, ("center", "community", "members"): 25,
        ("center", "content", "members"): 15, ("team", "e1", "stations"): None}


def test_plan_months_and_the_trailing_period_further_ahead():
    assert decompose.plan_months(END) == ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05"]
    # the current month (data through 11-20): the 3 months before it, whole
    assert decompose.trailing_period("2026-11", dt.date(2026, 11, 20)) == (dt.date(2026, 8, 1), dt.date(2026, 10, 31))
    # next month with a month only partly in the data: up to the last date
    assert decompose.trailing_period("2026-12", dt.date(2026, 11, 20)) == (dt.date(2026, 9, 1), dt.date(2026, 11, 20))
    # further ahead than the data reaches: the last 3 months of data, not an empty window
    assert decompose.trailing_period("2027-03", END) == (dt.date(2026, 9, 1), END)


def test_suggest_all_splits_the_company_down_every_level(company):
    with duckdb.connect(str(company), read_only=True) as con:
        nodes = decompose.org_nodes(con)
        actuals = decompose.trailing_actuals(con, "2026-12", END)
    got = decompose.suggest_all({("company", "company", "stations"): 10, ("company", "company", "members"): 40},
                               nodes, actuals)
    # stations: zones 10 × 7 : 4 → 6, 4; east's teams 6 × 5 : 2 → 4, 2; south's one team 4; e1's people 2 : 2 → 2, 2
    assert [got[("war_zone", z, "stations")] for z in ("east", "south")] == [6, 4]
    assert [got[("team", tm, "stations")] for tm in ("e1", "e2", "s1")] == [4, 2, 4]
    assert [got[("person", p, "stations")] for p in ("pa", "pb")] == [2, 2]
    # members: zones 40 × 24 : 12 → 27, 13 (26.67 / 13.33); the centers share the company's 40 too
    assert [got[("war_zone", z, "members")] for z in ("east", "south")] == [27, 13]
    assert sum(got[("center", c["id"], "members")] for c in decompose.centers(nodes)) == 40
    rows = decompose.allocation(got, nodes)
    assert rows and all(r["unallocated"] == 0 for r in rows)
    # a parent without a target leaves its children alone
    only = decompose.suggest_all({("war_zone", "east", "stations"): 3, ("team", "s1", "members"): 5}, nodes, actuals)
    assert only[("team", "s1", "members")] == 5 and ("war_zone", "south", "stations") not in only
    assert only[("team", "e1", "stations")] + only[("team", "e2", "stations")] == 3


def test_targets_in_the_grid_read_like_people_write_them():
    """Issue 17.19: the Plan grid shows 1,200, not 1200, and reads back what it shows."""
    assert [decompose.fmt_target(v) for v in (1200.0, 46021.0, 7.0, 12.5, None)] == ["1,200", "46,021", "7", "12.5", ""]
    key = ("company", "company", "members")
    values, problems = decompose.check({key: decompose.fmt_target(46021.0)})
    assert values == {key: 46021} and problems == {}
