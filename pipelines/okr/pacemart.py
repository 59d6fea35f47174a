"""The month's pace, kept in the warehouse by the build (issue 37): what a first view of the goal tree would
otherwise work out in the reader's process — earlier months replayed for the method's choice and the band, every
node's month shape — is worked out once per build, and a page reads a handful of rows.

- `pace_replay`: `replay.replay` at every day of a month (1–31) over every replayable month; `replay.memory` reads
  the rows before the month judged instead of replaying them (the rows of a month depend only on the months before
  it, so one table serves every month and day).
- `pace_shapes`: `shapes.month_shapes` of every node and goal for the data's last month at each of its days, and
  for the month before it once it is over (the views readers open first: this month, and last month's result in
  the first days of a month). Any other month and day is worked out on request, from `pace_replay`, as before.
- `pace_info`: the version of the rules the tables were made by (`VERSION`). A warehouse built by an older rule
  set is read the old way, never with stale shapes: change `VERSION` with any change to how a shape or a replayed
  month is made.

The tables equal what the functions they stand for compute (tests/test_pace_mart.py compares them).
"""
from __future__ import annotations

import datetime as dt
import json

import duckdb

from pipelines.base.months import month_bounds, month_of, shift_month
from pipelines.okr import replay
from pipelines.okr.candidates import METHODS, Choice, MonthShape

VERSION = "37.1"
DAYS = range(1, 32)

_REPLAY_COLUMNS = ("asked", "seq", "month", "node", "metric", "day", "truth", "actual", "linear", "seasonal", "low",
                   "high", "sparse", "chosen", *(f"f_{m}" for m in METHODS))


def build(con: duckdb.DuckDBPyConnection, nodes: dict[str, str | None], company: str,
          first: dt.date | None, last: dt.date | None) -> dict[str, int]:
    """Writes pace_replay, pace_shapes and pace_info into the warehouse `con` (being built); `nodes` are the goal
    tree's (id → parent). Returns the rows written per table."""
    from pipelines.okr.shapes import month_shapes

    con.execute("drop table if exists pace_info")     # read the old way while the tables are rewritten
    rows = []
    for asked, replayed in replay.replay_days(con, DAYS).items():
        for seq, r in enumerate(replayed):
            f = dict(r.forecasts)
            rows.append((asked, seq, r.month, r.node, r.metric, r.day, r.truth, r.actual, r.linear, r.seasonal,
                         r.low, r.high, r.sparse, r.chosen, *(f.get(m) for m in METHODS)))
    con.execute("""create or replace table pace_replay (asked integer, seq integer, month varchar, node varchar,
        metric varchar, day integer, truth bigint, actual bigint, linear double, seasonal double, low double,
        high double, sparse boolean, chosen varchar, """ + ", ".join(f"f_{m} double" for m in METHODS) + ")")
    _insert(con, "pace_replay", _REPLAY_COLUMNS, rows)
    shapes = []
    if last is not None:
        latest = month_of(last)
        wanted = [(latest, d) for d in range(1, month_bounds(latest)[1].day + 1)]
        before = shift_month(latest, -1)
        if first is not None and month_bounds(before)[1] >= first:
            wanted.insert(0, (before, month_bounds(before)[1].day))
        con.execute("create or replace temp table pace_info as select ? as version", [VERSION])  # rows just made
        for month, day in wanted:
            start, end = month_bounds(month)
            for (nid, metric), s in month_shapes(con, first, last, month, start, end, day, nodes, company,
                                                 stored=False).items():
                c = s.choice
                shapes.append((month, day, nid, metric, list(s.cumulative), s.source, c.method, c.why, c.months,
                               None if c.errors is None else json.dumps(dict(c.errors), sort_keys=True),
                               c.parent, c.reference))
        con.execute("drop table pace_info")
    con.execute("""create or replace table pace_shapes (month varchar, day integer, node varchar, metric varchar,
        cumulative double[], source varchar, method varchar, why varchar, months integer, errors varchar,
        parent varchar, reference varchar)""")
    _insert(con, "pace_shapes", ("month", "day", "node", "metric", "cumulative", "source", "method", "why",
                                 "months", "errors", "parent", "reference"), shapes)
    con.execute("create or replace table main.pace_info as select ? as version", [VERSION])
    return {"pace_replay": len(rows), "pace_shapes": len(shapes)}


def _insert(con, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """The rows into `table` in one statement (an Arrow table of the columns; row-by-row inserts took seconds)."""
    if not rows:
        return
    import pyarrow as pa

    kept = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})   # noqa: F841 - read by the SQL
    con.execute(f"insert into {table} select * from kept")


def _current(con) -> bool:
    """The warehouse has pace tables made by this version of the rules."""
    try:
        row = con.execute("select version from pace_info").fetchone()
    except duckdb.Error:        # an older warehouse, or one being built
        return False
    return row is not None and row[0] == VERSION


def replayed(con, month: str, day: int) -> list[replay.Replayed] | None:
    """`replay.replay(con, day, before=month)` from pace_replay, or None when the warehouse has no current one."""
    if not 1 <= day <= 31 or not _current(con):
        return None
    out = []
    for row in con.execute(f"select {', '.join(_REPLAY_COLUMNS[2:])} from pace_replay "
                           "where asked = $day and month < $month order by seq", {"day": day, "month": month}
                           ).fetchall():
        (m, node, metric, d, truth, actual, linear, seasonal, low, high, sparse, chosen), f = row[:12], row[12:]
        out.append(replay.Replayed(month=m, node=node, metric=metric, day=d, truth=truth, actual=actual,
                                   linear=linear, seasonal=seasonal, low=low, high=high,
                                   forecasts=tuple(zip(METHODS, f)), sparse=sparse, chosen=chosen))
    return out


def shapes(con, month: str, day: int, nodes: dict[str, str | None]) -> dict[tuple[str, str], MonthShape] | None:
    """`shapes.month_shapes` for `month` judged on `day` from pace_shapes, or None when the build did not keep that
    month and day (or kept it for other nodes, or by other rules)."""
    if not _current(con):
        return None
    rows = con.execute("select node, metric, cumulative, source, method, why, months, errors, parent, reference "
                       "from pace_shapes where month = $month and day = $day", {"month": month, "day": day}
                       ).fetchall()
    if not rows or {r[0] for r in rows} != set(nodes):
        return None
    start, end = month_bounds(month)
    out = {}
    for node, metric, cumulative, source, method, why, months, errors, parent, reference in rows:
        out[(node, metric)] = MonthShape(start, end, tuple(cumulative), source,
                                         Choice(method, why, months, None if errors is None else json.loads(errors),
                                                parent, reference))
    return out
