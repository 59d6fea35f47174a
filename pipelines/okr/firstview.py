"""The first views' reads, kept in the warehouse by the build (issue 37): what the board and the war-zone page read
from the marts for the data's last month as of its last date — the view every reader opens first — is read once
by the build's last step and kept as rows of `first_views`; a page reads one row set instead of a dozen queries.

Kept (each exactly what the function named returns for that month and date, so a page gets the same numbers):

- for the goal tree (node ''): the org's rows (`_Org`), every node's new stations and members up to D and up to a
  week before (`goaltree._actuals`), every node's paths (`goaltree._drivers`), the month's days (the tree's
  `daily`);
- for each war zone: this and last month's days (`warzone.daily`), the month's new stations (`warzone.new_stations`),
  the paths the tree does not carry (`warzone.extra_drivers`), and the goals by month for the last 12 months
  (`warzone.attainment`'s read).

Nothing of the plan is kept (targets, key results and check-ins change without a build): the tree and the page
judge the kept numbers against the plan as it is. Another month or date is read from the marts as before.
`first_views_info` holds the rules' `VERSION`: a warehouse written by other rules is read the old way.
"""
from __future__ import annotations

import datetime as dt
import json

import duckdb

VERSION = "37.4"


def _day(value):
    return None if value is None else dt.date.fromisoformat(value)


def _iso(value):
    return None if value is None else value.isoformat()


def _days_keyed_out(found: dict) -> list:
    """The tree's days (goal_flows by day: (date,) → {stations, members}) as rows, in date order."""
    return sorted([[key[0].isoformat(), f["stations"], f["members"]] for key, f in found.items()])


def _days_keyed_in(rows: list) -> dict:
    return {(dt.date.fromisoformat(d),): {"stations": s, "members": m} for d, s, m in rows}


def _rows_out(found: dict) -> dict:
    return {name: [list(r) for r in rows] for name, rows in found.items()}


def _rows_in(found: dict) -> dict:
    return {name: [tuple(r) for r in rows] for name, rows in found.items()}


_STATION_KEYS = ("station_id", "name", "war_zone", "team", "person", "city", "signed_on", "opened_on", "closed_on",
                 "members")
_STATION_DATES = {"signed_on", "opened_on", "closed_on"}


def _stations_out(rows: list[dict]) -> list:
    return [[_iso(r[k]) if k in _STATION_DATES else r[k] for k in _STATION_KEYS] for r in rows]


def _stations_in(rows: list) -> list[dict]:
    return [{k: _day(v) if k in _STATION_DATES else v for k, v in zip(_STATION_KEYS, r)} for r in rows]


def _days_out(rows: list[dict]) -> list:
    return [[r["date"].isoformat(), r["stations"], r["members"]] for r in rows]


def _days_in(rows: list) -> list[dict]:
    return [{"date": dt.date.fromisoformat(d), "stations": s, "members": m} for d, s, m in rows]


def _same(value):
    return value


# What each part holds, written and read back as it was (node '' is the goal tree's, any other a war zone's).
CODECS = {
    ("", "org"): (_rows_out, _rows_in),
    ("", "actuals"): (_same, _same),                   # node → goal → actual
    ("", "actuals_week"): (_same, _same),
    ("", "daily"): (_days_keyed_out, _days_keyed_in),
    ("", "drivers"): (_same, _same),                   # node → path → {value, last_month, last_year}
    ("zone", "this"): (_days_out, _days_in),
    ("zone", "last"): (_days_out, _days_in),
    ("zone", "stations"): (_stations_out, _stations_in),
    ("zone", "drivers"): (_same, _same),
    ("zone", "monthly"): (lambda v: {m: list(x) for m, x in v.items()}, lambda v: {m: tuple(x) for m, x in v.items()}),
}


def _codec(node: str, part: str):
    return CODECS[("" if node == "" else "zone", part)]


def write(con: duckdb.DuckDBPyConnection, month: str, as_of: dt.date, kept: dict[str, dict]) -> int:
    """Writes `first_views` (kept: node ('' for the tree) → part → answer) and, last, `first_views_info` into the
    warehouse `con` (being built). Returns the rows written."""
    rows = [(month, as_of, node, part, json.dumps(_codec(node, part)[0](answer), ensure_ascii=False, sort_keys=True))
            for node, parts in kept.items() for part, answer in parts.items()]
    con.execute("create or replace table first_views (month varchar, as_of date, node varchar, part varchar, "
                "payload varchar)")
    if rows:
        con.executemany("insert into first_views values (?, ?, ?, ?, ?)", rows)
    con.execute("create or replace table first_views_info as select ? as version", [VERSION])
    return len(rows)


SQL_PARTS = """select f.part, f.payload from first_views as f, first_views_info as i
    where i.version = $version and f.month = $month and f.as_of = $as_of and f.node = $node"""


def parts(con: duckdb.DuckDBPyConnection, month: str, as_of: dt.date, node: str = "") -> dict:
    """The kept answers for `node` ('' for the goal tree) in `month` as of `as_of`: part → answer; {} when the
    warehouse keeps none for them (another month or date, a warehouse built before these tables or by other
    rules)."""
    try:
        rows = con.execute(SQL_PARTS, {"version": VERSION, "month": month, "as_of": as_of, "node": node}).fetchall()
    except duckdb.CatalogException:
        return {}
    return {part: _codec(node, part)[1](json.loads(payload)) for part, payload in rows}
