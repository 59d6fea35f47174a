"""What the war-zone page shows beyond the goal tree, for one node of the war-zone tree (a war zone, a team, a
person or the company), all from the marts, the metric catalog and the plan; no Streamlit.

- `daily()`: new stations and new members per day of a month up to the as-of date D (the same rules as the goal
  tree's actuals, so the days add up to the node's actual), for the month's curve and last month's.
- `new_stations()`: the stations that opened in the month up to D, with their members so far.
- `drivers()`: the node's paths (never goals): station masters recruited, signing → opening conversion, median days
  from signing to opening, members per new station and GMV, each against the same days of last month.
- `attainment()`: target against actual for the last 12 months, with each month's status by the goal tree's rules.
"""
from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.base import metrics
from pipelines.base.months import month_bounds, month_of, shift_month
from pipelines.okr.goaltree import GoalTree, comparable_upto, goal_flows, node_metrics
from pipelines.plan.folder import Plan
from pipelines.plan.goals import GOAL_METRICS

SQL_NEW_STATIONS = f"""
with new as (
    select s.station_id, s.name, n.war_zone, n.team, n.person, s.city, s.signed_on, s.opened_on, s.closed_on
    from stations as s join station_nodes as n using (station_id)
    where s.opened_on between $start and $upto
),
scoped as (select * from new where {metrics.filter_sql(metrics.NODE_LEVELS)})
select n.station_id, n.name, n.war_zone, n.team, n.person, n.city, n.signed_on, n.opened_on, n.closed_on,
    count(m.member_id)::bigint as members
from scoped as n
left join members as m
    on m.station_id = n.station_id and m.joined_on <= $as_of and {metrics.member_counts("m.")}
group by all
order by n.opened_on, n.station_id
"""

DRIVERS = ("station_masters_recruited", "signing_conversion", "days_to_open", "members_per_new_station", "gmv")


def _scope(node: dict) -> dict:
    """Every node filter of the new-stations list, the node's own set (a center is not a war-zone node)."""
    filters = metrics.node_filters(node)
    return {level: filters.get(level) for level in metrics.NODE_LEVELS}


def daily(con: duckdb.DuckDBPyConnection, node: dict, month: str, as_of: dt.date) -> list[dict]:
    """New stations and members per day of `month` up to D (or its end), for `node` (a goal-tree node).

    Members count when not refunded on or before D, as in the goal tree: the days add up to the node's actual."""
    start, end = month_bounds(month)
    upto = min(as_of, end)
    if upto < start:
        return []
    return [{"date": d, **flows} for (d,), flows in sorted(goal_flows(con, ("day",), start, end, as_of, node).items())]


def cumulative(rows: list[dict], start: dt.date, upto: dt.date) -> dict[str, list]:
    """Running totals for every day from `start` to `upto` (days without rows carry the total on)."""
    by_day = {r["date"]: r for r in rows}
    out: dict[str, list] = {"date": [], "stations": [], "members": []}
    totals = {m: 0 for m in GOAL_METRICS}
    day = start
    while day <= upto:
        for m in GOAL_METRICS:
            totals[m] += by_day.get(day, {}).get(m, 0)
            out[m].append(totals[m])
        out["date"].append(day)
        day += dt.timedelta(days=1)
    return out


def new_stations(con: duckdb.DuckDBPyConnection, node: dict, month: str, as_of: dt.date) -> list[dict]:
    """The stations of `node` that opened in `month` up to D, oldest first, each with its members at D
    (joined on or before D and not refunded on or before D)."""
    start, end = month_bounds(month)
    rows = con.execute(SQL_NEW_STATIONS, {"start": start, "upto": min(as_of, end), "as_of": as_of,
                                          **_scope(node)}).fetchall()
    keys = ("station_id", "name", "war_zone", "team", "person", "city", "signed_on", "opened_on", "closed_on",
            "members")
    return [dict(zip(keys, r)) for r in rows]


def drivers(con: duckdb.DuckDBPyConnection, tree: GoalTree, node: dict) -> dict[str, dict]:
    """The node's paths for the tree's month up to D, each with {value, last_month} (the same days of last month,
    seen as of that day). Conversion is at D itself (its cohort: signed 91–180 days before)."""
    upto = min(tree.as_of, tree.month_end)
    last_start, last_upto = comparable_upto(tree.month, upto, 1)
    filters = metrics.node_filters(node)
    out = {}
    for name in DRIVERS:
        if name in tree.drivers.get(node.id, {}):
            d = tree.drivers[node.id][name]
            out[name] = {"value": d["value"], "last_month": d["last_month"]}
            continue
        now = metrics.value(con, name, tree.as_of, tree.month_start, upto, **filters)
        before = None
        if tree.first_date and last_upto >= tree.first_date:   # before the data begins: unknown
            before = metrics.value(con, name, last_upto, last_start, last_upto, **filters)
        out[name] = {"value": now, "last_month": before}
    return out


def _wanted(tree: GoalTree, months: int) -> list[str]:
    first = tree.first_date
    first_month = month_of(first) if first else tree.month
    return [m for m in (shift_month(tree.month, k - months + 1) for k in range(months)) if m >= first_month]


def monthly(con: duckdb.DuckDBPyConnection, tree: GoalTree, node: dict, months: int = 12) -> dict[str, tuple]:
    """The node's new stations and members per month for the `months` months ending with the tree's month, seen as
    of D: month → (stations, members), absent = 0."""
    wanted = _wanted(tree, months)
    if not wanted:
        return {}
    start = month_bounds(wanted[0])[0]
    upto = min(tree.as_of, tree.month_end)
    return {m: (f["stations"], f["members"]) for (m,), f in goal_flows(con, ("month",), start, upto, tree.as_of,
                                                                      node).items()}


def attainment(con: duckdb.DuckDBPyConnection, tree: GoalTree, node: dict, plan: Plan | None,
               months: int = 12, got: dict[str, tuple] | None = None) -> list[dict]:
    """Target against actual for the `months` months ending with the tree's month, oldest first, seen as of D:
    each month's actual, target, share (actual ÷ target) and status by the goal tree's rules (a past month is
    achieved or missed). Months before the data begins are left out. `got`: the actuals as `monthly` reads them
    (the build keeps the first view's)."""
    wanted = _wanted(tree, months)
    if not wanted:
        return []
    got = got if got is not None else monthly(con, tree, node, months)
    targets = plan.targets if plan else {}
    out = []
    for month in wanted:
        current = month == tree.month
        row = {"month": month}
        for i, metric in enumerate(GOAL_METRICS):
            actual = tuple(got.get(month, (0, 0)))[i]
            target = targets.get((month, node.level, node.id, metric))
            if current:
                v = node.metrics[metric]
            else:
                v = node_metrics(target, actual, 1.0, 0, True, tree.at_risk)
            row[metric] = {"target": v.target, "actual": v.actual, "status": v.status,
                           "share": v.actual / v.target if v.target else None}
        out.append(row)
    return out


def first_view_parts(con: duckdb.DuckDBPyConnection, tree: GoalTree, node: dict) -> dict:
    """What the war-zone page reads from the marts for `node` beyond the goal tree (ui/data.py `node_view`), kept
    by the build for the first view (pipelines/okr/firstview.py); nothing of the plan."""
    return {"this": daily(con, node, tree.month, tree.as_of),
            "last": daily(con, node, shift_month(tree.month, -1), tree.as_of),
            "stations": new_stations(con, node, tree.month, tree.as_of),
            "drivers": drivers(con, tree, node),
            "monthly": monthly(con, tree, node)}
