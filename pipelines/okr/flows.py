"""The goal numbers straight from the marts, below the goal tree and the backtest that both read them: the new
stations and new members of a period by any catalog dimension (`goal_flows`), and the first and last date of the
data (`data_dates`)."""
from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.base import metrics as catalog
from pipelines.base.errors import NorthstarError
from pipelines.plan.goals import GOAL_METRICS

SQL_DATES = "select min(date), max(date) from daily_network"


# The catalog's metric behind each monthly goal (DESIGN §4): a node's actual is its grouped form.
GOAL_CATALOG = {"stations": "new_stations", "members": "new_members"}


def goal_flows(con: duckdb.DuckDBPyConnection, by: tuple[str, ...], start: dt.date, end: dt.date, as_of: dt.date,
               node: dict | None = None) -> dict[tuple, dict[str, int]]:
    """New stations and new members in [start, end] up to D (the catalog's new_stations and new_members) by the
    catalog dimensions `by`, within `node` (default: the company): key → {stations, members}, absent = 0.
    Stations carry no center, so a `by` with center gives stations under center None."""
    filters = catalog.node_filters(node) if node else {}
    out: dict[tuple, dict[str, int]] = {}
    for metric, name in GOAL_CATALOG.items():
        dims = tuple(b for b in by if b in catalog.CATALOG[name].flow.dims + ("day", "month"))
        for *key, n in catalog.grouped(con, name, dims, as_of, start, end, **filters):
            full = tuple(key[dims.index(b)] if b in dims else None for b in by)
            out.setdefault(full, {m: 0 for m in GOAL_METRICS})[metric] += n
    return out


def data_dates(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    try:
        first, last = con.execute(SQL_DATES).fetchall()[0]
    except duckdb.Error as exc:
        raise NorthstarError("no_daily_network", err=str(exc).splitlines()[0]) from None
    return first, last
