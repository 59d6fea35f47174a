"""Member and station cohorts as of the data's last date D, read from the cohort marts (never from raw orders).

Definitions (also on the Cohorts page and in docs/admin-guide.md):
- A member cohort is the members who joined in a calendar month and are not refunded as of D. Month index k = 0 is
  the joining month. A member is active in month k with at least one paid order in calendar month (cohort month +
  k); active on or after k with one in month k or any later month up to D. Rates are over the cohort size. Month
  indexes after D's month do not exist; D's month is partial (`complete` is false) unless D is its last day.
- The average row is weighted by cohort size over the cohorts that have completed that month index only.
- A station cohort is the stations opened in a calendar month; at age k: the share still open at the end of that
  month (survival), the members acquired per station so far, the paid GMV per station in month k.
"""
from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.base import metrics
from pipelines.base.errors import NorthstarError
from pipelines.base.months import last_day, shift_first
from pipelines.base.privacy import mask_phone

MEMBER_DIMS = ("war_zone", "team", "center", "channel", "tier", "province")
STATION_DIMS = ("war_zone", "team", "province")
MEMBER_COLUMNS = ("cohort_month", "group", "cohort_size", "month_index", "active", "active_rate", "active_or_after",
                  "active_or_after_rate", "gmv", "gmv_per_member_cum", "complete")
STATION_COLUMNS = ("cohort_month", "group", "stations", "age", "open", "survival", "members_per_station",
                   "gmv_per_station", "complete")


def as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """D: the data's last date, as the warehouse was built."""
    try:
        return con.execute("select last_date from build_info").fetchall()[0][0]
    except duckdb.Error as exc:
        raise NorthstarError("no_build_info", err=str(exc).splitlines()[0]) from None


def _where(filters: dict | None, dims: tuple[str, ...], start: dt.date | None, end: dt.date | None):
    """The SQL condition (the catalog's filter form, `metrics.filter_sql`) and named parameters for {dim: value or
    [values]} and a cohort-month range."""
    params: dict = {}
    for dim, value in (filters or {}).items():
        if dim not in dims:
            raise NorthstarError("cohort_filter", dim=dim, dims=", ".join(dims))
        values = value if isinstance(value, (list, tuple, set)) else [value]
        if values:
            params[dim] = [str(v) for v in values]
    clauses = [metrics.filter_sql(tuple(params), many=True)]
    if start is not None:
        clauses.append("cohort_month >= $start")
        params["start"] = start
    if end is not None:
        clauses.append("cohort_month <= $end")
        params["end"] = end
    return " where " + " and ".join(clauses), params


def _group(by: str | None, dims: tuple[str, ...]) -> str:
    if by is None:
        return "''"
    if by not in dims:
        raise NorthstarError("cohort_breakdown", dim=by, dims=", ".join(dims))
    return by


def members(con: duckdb.DuckDBPyConnection, by: str | None = None, filters: dict | None = None,
            start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """The member retention table: one row per cohort month × group × month index (MEMBER_COLUMNS)."""
    where, params = _where(filters, MEMBER_DIMS, start, end)
    rows = con.execute(f"""
        select cohort_month, {_group(by, MEMBER_DIMS)} as grp, month_index, sum(cohort_size)::bigint,
               sum(active)::bigint, sum(active_or_after)::bigint, sum(gmv)::double
        from member_cohorts{where}
        group by all order by cohort_month, grp, month_index""", params).fetchall()   # noqa: S608 - fixed names
    d = as_of(con)
    out, cum, key = [], 0.0, None
    for month, grp, k, size, active, after, gmv in rows:
        if (month, grp) != key:
            key, cum = (month, grp), 0.0
        cum += gmv
        out.append({"cohort_month": month, "group": grp, "cohort_size": size, "month_index": k, "active": active,
                    "active_rate": active / size if size else None, "active_or_after": after,
                    "active_or_after_rate": after / size if size else None, "gmv": round(gmv, 2),
                    "gmv_cum": cum, "gmv_per_member_cum": cum / size if size else None,
                    "complete": last_day(month, k) <= d})
    return out


def stations(con: duckdb.DuckDBPyConnection, by: str | None = None, filters: dict | None = None,
             start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """The station cohort table: one row per opening month × group × age (STATION_COLUMNS)."""
    where, params = _where(filters, STATION_DIMS, start, end)
    rows = con.execute(f"""
        select cohort_month, {_group(by, STATION_DIMS)} as grp, age, sum(stations)::bigint, sum(open)::bigint,
               sum(members)::bigint, sum(gmv)::double
        from station_cohorts{where}
        group by all order by cohort_month, grp, age""", params).fetchall()   # noqa: S608 - fixed names
    d = as_of(con)
    return [{"cohort_month": month, "group": grp, "stations": n, "age": k, "open": is_open,
             "survival": is_open / n if n else None, "members_per_station": members_ / n if n else None,
             "gmv_per_station": gmv / n if n else None, "complete": last_day(month, k) <= d}
            for month, grp, k, n, is_open, members_, gmv in rows]


def average(rows: list[dict], count: str = "active", size: str = "cohort_size", index: str = "month_index"
            ) -> dict[int, float | None]:
    """The average row: per month index, Σ count ÷ Σ size over the complete rows only (None where none is).
    `count="gmv_cum"` gives the weighted LTV curve."""
    sums: dict[int, list[float]] = {}
    for r in rows:
        pair = sums.setdefault(r[index], [0.0, 0.0])
        if r["complete"]:
            pair[0] += r[count]
            pair[1] += r[size]
    return {k: (c / s if s else None) for k, (c, s) in sorted(sums.items())}


def members_behind(con: duckdb.DuckDBPyConnection, cohort_month: dt.date, month_index: int | None = None,
                   measure: str = "active", filters: dict | None = None, limit: int | None = 5000,
                   unmask: bool = False) -> list[dict]:
    """The members behind a heatmap cell: the cohort (month_index None), or those active in month k, or active on
    or after k; with station (id and name), war zone, joined on, paid orders and GMV up to D, phone masked (as
    stored with `unmask`: only for a reader whose access.yaml entry says pii: true). The first `limit` by joining
    date (all of them with None: the complete export)."""
    where, params = _where(filters, MEMBER_DIMS, cohort_month, cohort_month)
    if month_index is not None:
        if measure == "active":
            where += (" and member_id in (select member_id from member_activity where month = $month and "
                      "month_index = $k)")
            params["month"] = shift_first(cohort_month, month_index)
        elif measure == "active_or_after":
            where += " and last_active_index >= $k"
        else:
            raise NorthstarError("cohort_measure", measure=measure)
        params["k"] = month_index
    rows = con.execute(f"""
        select c.member_id, c.station_id, s.name, c.war_zone, c.team, c.center, c.channel, c.tier, c.joined_on,
            c.orders, c.gmv::double, c.phone
        from (select * from cohort_members{where}
              order by joined_on, member_id {"limit $limit" if limit is not None else ""}) as c
        left join stations as s on s.station_id = c.station_id
        order by c.joined_on, c.member_id""",
                       params if limit is None else {**params, "limit": limit}).fetchall()   # noqa: S608 - fixed names
    keys = ("member_id", "station_id", "station_name", "war_zone", "team", "center", "channel", "tier", "joined_on",
            "orders", "gmv")
    return [{**dict(zip(keys, r[:-1])), "phone": (r[-1] or "—") if unmask else mask_phone(r[-1])} for r in rows]
