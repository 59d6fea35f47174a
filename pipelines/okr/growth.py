"""Network growth as of the data's last date D, for the Growth page: monthly flows and stocks of stations and
members per war zone with month-over-month and year-over-year growth, the member lifecycle (PostHog's new /
returning / resurrecting / dormant) and the referral network (share, K-factor per cohort, chain depth, top
referrers with masked phones). Reads small marts (growth_flows, member_lifecycle, the referral_* aggregates);
never raw orders.
"""
from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.base import metrics
from pipelines.base.months import shift_first
from pipelines.base.privacy import mask_phone
from pipelines.okr.cohorts import as_of

SQL_FLOWS = """
select month, war_zone, new_stations, closed_stations, active_stations, new_members, refunded_members,
       members_served
from growth_flows
order by month, war_zone
"""
FLOW_KEYS = ("new_stations", "closed_stations", "active_stations", "new_members", "refunded_members",
             "members_served")


def _growth(now: float, before: float | None) -> float | None:
    return None if not before else now / before - 1


def flows(con: duckdb.DuckDBPyConnection, war_zones: list[str] | None = None, by_zone: bool = False) -> list[dict]:
    """Per month (and war zone when `by_zone`): new, closed and net stations, active stations at the month's end
    (at D in D's month); new, refunded and net members, members served at the month's end; each stock's
    month-over-month and year-over-year growth. `complete` is false for D's month unless D is its last day."""
    d = as_of(con)
    rows = con.execute(SQL_FLOWS).fetchall()
    acc: dict[tuple, dict] = {}
    for month, zone, *values in rows:
        if war_zones and zone not in war_zones:
            continue
        key = (month, zone if by_zone else "")
        item = acc.setdefault(key, {"month": month, "war_zone": key[1], **dict.fromkeys(FLOW_KEYS, 0)})
        for k, v in zip(FLOW_KEYS, values):
            item[k] += int(v)
    out = []
    for (month, zone), item in sorted(acc.items()):
        prev, last_year = acc.get((shift_first(month, -1), zone)), acc.get((shift_first(month, -12), zone))
        item["net_stations"] = item["new_stations"] - item["closed_stations"]
        item["net_members"] = item["new_members"] - item["refunded_members"]
        for stock in ("active_stations", "members_served"):
            item[f"{stock}_mom"] = _growth(item[stock], prev and prev[stock])
            item[f"{stock}_yoy"] = _growth(item[stock], last_year and last_year[stock])
        item["complete"] = shift_first(month, 1) - dt.timedelta(days=1) <= d
        out.append(item)
    return out


def lifecycle(con: duckdb.DuckDBPyConnection, war_zones: list[str] | None = None) -> list[dict]:
    """Per month: new, returning, resurrecting and dormant members (dormant as a positive count)."""
    rows = con.execute(f"""select month, state, sum(members)::bigint from member_lifecycle
                           where {metrics.filter_sql(("war_zone",), many=True)}
                           group by all order by month""", {"war_zone": list(war_zones) if war_zones else None}
                       ).fetchall()
    out: dict[dt.date, dict] = {}
    for month, state, n in rows:
        out.setdefault(month, {"month": month, "new": 0, "returning": 0, "resurrecting": 0, "dormant": 0})[state] = n
    return list(out.values())


def referrals(con: duckdb.DuckDBPyConnection, unmask: bool = False) -> dict:
    """The referral network: per month the share of new members who came by referral; per joining cohort of the
    referrers, referrals credited to the cohort, its referrers, the K-factor (referrals ÷ cohort size) and
    referrals per active referrer; the depth distribution of referral chains; the top 20 referrers (phones masked
    unless `unmask`: a reader with pii: true)."""
    monthly = [{"month": m, "new_members": n, "referred": r, "share": r / n if n else None}
               for m, n, r in con.execute("select month, new_members, referred from referral_monthly order by 1")
               .fetchall()]
    cohorts = [{"cohort_month": m, "cohort_size": n, "referrals": r, "referrers": p,
                "k_factor": r / n if n else None, "per_referrer": r / p if p else None}
               for m, n, r, p in con.execute("select cohort_month, cohort_size, referrals, referrers "
                                             "from referral_cohorts order by 1").fetchall()]
    depth = dict(con.execute("select depth, members from referral_depths order by 1 nulls last").fetchall())
    top = [{"member_id": rid, "referrals": n, "station_id": st, "station_name": name, "war_zone": wz,
            "phone": (phone or "—") if unmask else mask_phone(phone)}
           for rid, n, st, wz, phone, name in con.execute(
               """select referrer_id, referrals, station_id, war_zone, phone, station_name
                  from referral_top order by referrals desc, referrer_id""").fetchall()]
    return {"monthly": monthly, "cohorts": cohorts, "depth": depth, "top": top}
