"""Issue 37: the month's pace kept by the build (pipelines/okr/pacemart.py) equals what the reader's process would
work out without it — the replayed months at every day, every node's shape for the months kept — and the goal tree
read with it equals the goal tree read without it. On the `small` sample (two years and eleven months of data)."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.base.months import month_bounds
from pipelines.okr import goaltree, pacemart, replay, seasonal
from pipelines.okr.shapes import month_shapes
from tests.conftest import copy_warehouse


@pytest.fixture
def live(monkeypatch):
    """Work everything out in this process, as a warehouse without the tables is read."""
    def worked_out():
        monkeypatch.setattr(pacemart, "_current", lambda con: False)
        replay._MEMORY.clear()
    yield worked_out
    replay._MEMORY.clear()


def test_the_kept_replay_is_the_replay_at_every_day(small, live):
    con = goaltree.open_warehouse(small / "wh.duckdb")
    try:
        months = [r[0] for r in con.execute("select distinct month from pace_replay order by 1").fetchall()]
        kept = {(m, d): [replay.Replayed(**f) for f in pacemart.replayed(con, m, d)]
                for m in ("2025-03", "2026-02", "2026-11") for d in range(1, 32)}
        live()
        assert pacemart.replayed(con, "2026-11", 10) is None
        # every replayable month is in the table: 2025-01 (the first with a year before it) to 2026-10
        assert (months[0], months[-1], len(months)) == ("2025-01", "2026-10", 22)
        for (month, day), rows in kept.items():
            assert rows == replay.replay(con, day, before=month), (month, day)
        # a month's replayed rows capped at the day before its end: February 2026 has 28 days
        feb = [r for r in kept[("2026-11", 31)] if r.month == "2026-02"]
        assert {r.day for r in feb} == {27} and len(feb) == 8       # the company, three zones × two goals
    finally:
        con.close()


def test_the_kept_shapes_are_the_shapes_worked_out(small, live):
    con = goaltree.open_warehouse(small / "wh.duckdb")
    try:
        nodes, company = goaltree.tree_nodes(con)
        first, last = goaltree.data_dates(con)
        stored = con.execute("select distinct month, day from pace_shapes order by 1, 2").fetchall()
        # this month (the data ends 2026-11-24) at each of its days, last month once it is over
        assert stored == [("2026-10", 31)] + [("2026-11", d) for d in range(1, 31)]
        kept = {(m, d): pacemart.shapes(con, m, d, nodes) for m, d in stored}
        assert pacemart.shapes(con, "2026-09", 30, nodes) is None            # not kept: worked out on request
        assert pacemart.shapes(con, "2026-11", 24, {**nodes, "east/new": "east"}) is None   # other nodes
        live()
        for (month, day), shapes in kept.items():
            start, end = month_bounds(month)
            assert shapes == month_shapes(con, first, last, month, start, end, day, nodes, company), (month, day)
        assert {s.choice.why for s in kept[("2026-10", 31)].values()} == {"finished"}
        assert len(kept[("2026-11", 24)]) == 2 * len(nodes)
    finally:
        con.close()


def test_the_goal_tree_reads_the_same_with_and_without_the_kept_pace(small, tmp_path):
    db = copy_warehouse(small / "wh.duckdb", tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        kept = [goaltree.goal_tree(con, "2026-11", dt.date(2026, 11, d)) for d in (3, 24)]
        past = goaltree.goal_tree(con, "2026-10", dt.date(2026, 11, 24))
    with duckdb.connect(str(db)) as con:
        con.execute("drop table pace_info")          # as a warehouse built before issue 37 is read
    replay._MEMORY.clear()
    seasonal._CACHE.clear()
    with duckdb.connect(str(db), read_only=True) as con:
        assert not pacemart._current(con)
        assert kept == [goaltree.goal_tree(con, "2026-11", dt.date(2026, 11, d)) for d in (3, 24)]
        assert past == goaltree.goal_tree(con, "2026-10", dt.date(2026, 11, 24))


def test_tables_made_by_other_rules_are_not_read(small, tmp_path):
    db = copy_warehouse(small / "wh.duckdb", tmp_path)
    with duckdb.connect(str(db)) as con:
        nodes, _ = goaltree.tree_nodes(con)
        assert pacemart.shapes(con, "2026-11", 24, nodes) is not None
        con.execute("update pace_info set version = '0'")
        assert pacemart.shapes(con, "2026-11", 24, nodes) is None
        assert pacemart.replayed(con, "2026-11", 24) is None


def test_a_metric_at_many_points_is_the_metric_at_each(small):
    """metrics.grouped_at — the replay's one pass over a year of days — against metrics.grouped day by day: every
    (month, day) of 2025 and 2026 to the data's end, by war zone, members with their refunds as of each day."""
    from pipelines.base import metrics

    points = []
    for year, month in [(y, m) for y in (2025, 2026) for m in range(1, 13)][:23]:
        start, end = month_bounds(f"{year}-{month:02d}")
        points += [(start, end, start + dt.timedelta(days=n)) for n in range(end.day)]
    with duckdb.connect(str(small / "wh.duckdb"), read_only=True) as con:
        for name in ("new_members", "new_stations"):
            at = {(i, zone): n for i, zone, n in metrics.grouped_at(con, name, ("war_zone",), points)}
            each = {(i, zone): n for i, (s, e, d) in enumerate(points)
                    for zone, n in metrics.grouped(con, name, ("war_zone",), d, s, e)}
            assert at == each and len(at) > 2000
        # a refund counts from its day: some member of the sample was refunded within the month they joined
        refunded = con.execute("select count(*) from member_joins where refunded_on <= last_day(joined_on) "
                               "and joined_on >= '2025-01-01'").fetchone()[0]
        assert refunded > 0
