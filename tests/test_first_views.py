"""Issue 37: the first view's reads kept by the build (pipelines/okr/firstview.py) give the same goal tree and the
same war-zone page as reading the marts: on the `small` sample, the data's last month as of its last date, with
the plan and its check-ins, for every war zone; any other date is read from the marts as before."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipelines.base.months import month_of
from pipelines.delivery import trees
from pipelines.okr import firstview, goaltree, warzone
from pipelines.plan.store import read_checkins, read_plan

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def no_kept(monkeypatch):
    """Read everything from the marts, as a warehouse built without the table is read."""
    def switch():
        monkeypatch.setattr(firstview, "parts", lambda con, month, as_of, node="": {})
    return switch


def _tree(con, db: Path, month: str, as_of: dt.date):
    plan = read_plan(db)
    return goaltree.goal_tree(con, month, as_of, plan, read_checkins(db),
                              revisions=trees.month_revisions(db, month, plan))


def _zone_views(con, db: Path, tree) -> dict:
    plan = read_plan(db)
    out = {}
    for node in tree.nodes:
        if node.level == "war_zone":
            kept = firstview.parts(con, tree.month, tree.as_of, node.id)
            parts = kept or warzone.first_view_parts(con, tree, node)
            got = kept.get("monthly") if kept else None
            out[node.id] = {**{k: v for k, v in parts.items() if k != "monthly"},
                            "attainment": warzone.attainment(con, tree, node, plan, got=got)}
    return out


def test_the_first_view_reads_the_kept_rows_and_gets_the_same_tree_and_war_zones(small, no_kept):
    db = small / "wh.duckdb"
    con = goaltree.open_warehouse(db)
    try:
        _, last = goaltree.data_dates(con)
        month = month_of(last)
        kept = firstview.parts(con, month, last)
        assert set(kept) == {"org", "actuals", "actuals_week", "drivers", "daily"}
        zones = [n.id for n in goaltree.goal_tree(con, month, last).nodes if n.level == "war_zone"]
        assert len(zones) >= 3 and all(firstview.parts(con, month, last, z) for z in zones)
        assert firstview.parts(con, month, last - dt.timedelta(days=1)) == {}      # not kept: read from the marts
        assert firstview.parts(con, "2026-10", last) == {}

        with_kept = _tree(con, db, month, last)
        views = _zone_views(con, db, with_kept)
        no_kept()
        assert with_kept == _tree(con, db, month, last)
        assert views == _zone_views(con, db, with_kept)
        assert views[zones[0]]["stations"] and views[zones[0]]["this"]     # the parts hold something to compare
    finally:
        con.close()


def test_each_part_round_trips_as_it_was():
    """Every part's codec gives back what it was given: dates as dates, keys as tuples, None as None."""
    days = {(dt.date(2026, 11, 3),): {"stations": 0, "members": 1}}
    station = {"station_id": "S1", "name": "驿站", "war_zone": "east", "team": "t", "person": "p", "city": "杭州",
               "signed_on": dt.date(2026, 8, 1), "opened_on": dt.date(2026, 11, 2), "closed_on": None, "members": 4}
    examples = {("", "org"): {"org": [("c", None, "company", "公司", "Co", 0)], "leaves": [("east", "t", None)]},
                ("", "actuals"): {"east": {"stations": 2, "members": 3}}, ("", "daily"): days,
                ("", "drivers"): {"east": {"gmv": {"value": 3.25, "last_month": None, "last_year": 0}}},
                ("east", "this"): [{"date": dt.date(2026, 11, 1), "stations": 1, "members": 2}],
                ("east", "stations"): [station],
                ("east", "drivers"): {"gmv": {"value": 12.5, "last_month": None}},
                ("east", "monthly"): {"2026-10": (3, 40)}}
    for (node, part), value in examples.items():
        out, back = firstview._codec(node, part)
        assert back(json.loads(json.dumps(out(value)))) == value, (node, part)
    # the same answer is the same text, whatever order it was read in
    out = firstview._codec("", "daily")[0]
    both = {**days, (dt.date(2026, 11, 1),): {"stations": 1, "members": 0}}
    assert json.dumps(out(dict(reversed(list(both.items()))))) == json.dumps(out(both))


def test_a_warehouse_kept_by_other_rules_is_read_from_the_marts(small, tmp_path):
    from tests.conftest import copy_warehouse

    db = copy_warehouse(small / "wh.duckdb", tmp_path)
    import duckdb
    with duckdb.connect(str(db)) as con:
        _, last = goaltree.data_dates(con)
        assert firstview.parts(con, month_of(last), last)
        con.execute("update first_views_info set version = 'older'")
        assert firstview.parts(con, month_of(last), last) == {}
        con.execute("drop table first_views_info")
        assert firstview.parts(con, month_of(last), last) == {}
