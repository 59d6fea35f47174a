"""The build's last step before the swap (issue 37): the month's pace worked out once for every reader
(pipelines/okr/pacemart.py says what is kept and how it is read).

The warehouse room may not import the OKR room (tests/test_architecture.py), so the build is handed this step
(`build(…, derive=pacebuild.derive)`) by whoever starts it: the command line, the app's first build, the Data page's
upload. A warehouse built without it is read the old way, with the same numbers.
"""
from __future__ import annotations

import duckdb

from pipelines.base.months import month_bounds, month_of, shift_month
from pipelines.okr import firstview, goaltree, pacemart, replay, warzone
from pipelines.okr.shapes import month_shapes


def derive(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Works out and writes the pace tables of the warehouse `con` (being built): every earlier month replayed at
    each day 1–31, and every node's shape for the data's last month at each of its days and for the month before
    it once over; then the first views' reads (pipelines/okr/firstview.py). Returns the rows written per table."""
    con.execute("drop table if exists first_views_info")     # a refreshed copy's are the last build's: not read
    nodes, company = goaltree.tree_nodes(con)
    first, last = goaltree.data_dates(con)
    replayed = replay.replay_days(con, pacemart.DAYS)
    wanted = []
    if last is not None:
        latest = month_of(last)
        before = shift_month(latest, -1)
        if first is not None and month_bounds(before)[1] >= first:
            wanted.append((before, month_bounds(before)[1].day))
        wanted += [(latest, d) for d in range(1, month_bounds(latest)[1].day + 1)]
    shapes = {}
    for month, day in wanted:
        start, end = month_bounds(month)
        earlier = [r for r in replayed[day] if r.month < month]
        shapes[(month, day)] = month_shapes(con, first, last, month, start, end, day, nodes, company, stored=False,
                                            earlier=earlier)
    written = pacemart.write(con, replayed, shapes)
    if last is not None:
        # the view every reader opens first: the data's last month as of its last date, its tree and war zones
        month = month_of(last)
        kept = {"": goaltree.first_view_parts(con, month, last)}
        tree = goaltree.goal_tree(con, month, last)    # no plan: only its nodes and the data's numbers are used
        for node in tree.nodes:
            if node.level == "war_zone":
                kept[node.id] = warzone.first_view_parts(con, tree, node)
        written["first_views"] = firstview.write(con, month, last, kept)
    return written
