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

import json

import duckdb

from pipelines.base.months import month_bounds
from pipelines.okr.candidates import METHODS, Choice, MonthShape

VERSION = "37.1"
DAYS = range(1, 32)

_REPLAY_COLUMNS = ("asked", "seq", "month", "node", "metric", "day", "truth", "actual", "linear", "seasonal", "low",
                   "high", "sparse", "chosen", *(f"f_{m}" for m in METHODS))


def write(con: duckdb.DuckDBPyConnection, replayed: dict[int, list], shapes: dict[tuple[str, int], dict]
          ) -> dict[str, int]:
    """Writes pace_replay (`replayed`: asked day → replay.Replayed rows), pace_shapes (`shapes`: (month, day) →
    {(node, goal): MonthShape}) and, last, pace_info into the warehouse `con` (being built; pipelines/okr/
    pacebuild.py works them out). Returns the rows written per table."""
    rows = []
    for asked, found in replayed.items():
        for seq, r in enumerate(found):
            f = dict(r.forecasts)
            rows.append((asked, seq, r.month, r.node, r.metric, r.day, r.truth, r.actual, r.linear, r.seasonal,
                         r.low, r.high, r.sparse, r.chosen, *(f.get(m) for m in METHODS)))
    con.execute("""create or replace table pace_replay (asked integer, seq integer, month varchar, node varchar,
        metric varchar, day integer, truth bigint, actual bigint, linear double, seasonal double, low double,
        high double, sparse boolean, chosen varchar, """ + ", ".join(f"f_{m} double" for m in METHODS) + ")")
    _insert(con, "pace_replay", _REPLAY_COLUMNS, rows)
    kept = []
    for (month, day), found in shapes.items():
        for (nid, metric), s in found.items():
            c = s.choice
            kept.append((month, day, nid, metric, list(s.cumulative), s.source, c.method, c.why, c.months,
                         None if c.errors is None else json.dumps(dict(c.errors), sort_keys=True), c.parent,
                         c.reference))
    con.execute("""create or replace table pace_shapes (month varchar, day integer, node varchar, metric varchar,
        cumulative double[], source varchar, method varchar, why varchar, months integer, errors varchar,
        parent varchar, reference varchar)""")
    _insert(con, "pace_shapes", ("month", "day", "node", "metric", "cumulative", "source", "method", "why",
                                 "months", "errors", "parent", "reference"), kept)
    con.execute("create or replace table pace_info as select ? as version", [VERSION])
    return {"pace_replay": len(rows), "pace_shapes": len(kept)}


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


def replayed(con, month: str, day: int) -> list[dict] | None:
    """The fields of each replay.Replayed of `replay.replay(con, day, before=month)`, in its order, from
    pace_replay; None when the warehouse has no current one."""
    if not 1 <= day <= 31 or not _current(con):
        return None
    out = []
    for row in con.execute(f"select {', '.join(_REPLAY_COLUMNS[2:])} from pace_replay "
                           "where asked = $day and month < $month order by seq", {"day": day, "month": month}
                           ).fetchall():
        fields = dict(zip(_REPLAY_COLUMNS[2:14], row[:12]))
        out.append(fields | {"forecasts": tuple(zip(METHODS, row[12:]))})
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
