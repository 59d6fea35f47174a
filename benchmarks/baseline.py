"""The plain-pandas baseline: the same numbers as Northstar, computed the way a typical Streamlit app would — read
the raw Parquet files into DataFrames, clean them, join, group — with no warehouse and no marts.

- `goal_tree(raw, config, month, as_of)`: every node's actual new stations and new members for the month up to
  the as-of date, and its paths (station masters recruited, paid orders, GMV, active members at the as-of date),
  node for node like `pipelines.okr.goaltree`.
- `retention(raw, as_of)`: the member retention table of `pipelines.okr.cohorts.members` (cohort month × month index:
  cohort size, active, active on or after, paid GMV).

The cleaning is the part of the build's checks that decides these numbers: unparsable dates and amounts, unknown
statuses, future dates, duplicate ids (first row wins), members of unknown stations, orders of unknown members or
from before the member joined. `benchmarks/run.py` times both against Northstar and checks the numbers are equal;
`tests/test_benchmarks.py` checks it on the test companies.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipelines.delivery import trees
from pipelines.okr.goaltree import month_bounds
from pipelines.plan.folder import load_plan


def _read(raw: Path, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    files = sorted(p for p in Path(raw).iterdir() if p.name.startswith(table) and p.suffix == ".parquet")
    return pd.concat([pd.read_parquet(p, columns=columns) for p in files], ignore_index=True)


def _day(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce").dt.normalize()


def load(raw: Path, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Stations, members and paid-or-not orders as clean DataFrames (what the app would keep in st.cache_data)."""
    limit = pd.Timestamp(as_of)
    st = _read(raw, "stations")
    for c in ("signed_on", "opened_on", "closed_on"):
        st[c] = _day(st[c])
    st = st[st.station_id.notna() & st.signed_on.notna() & (st.signed_on <= limit)
            & ~(st.opened_on > limit) & ~(st.closed_on > limit)]
    st = st.drop_duplicates("station_id", keep="first")

    mb = _read(raw, "members")
    mb["joined_on"] = _day(mb.joined_on)
    mb["refunded_on"] = _day(mb.refunded_on)
    mb = mb[mb.member_id.notna() & mb.joined_on.notna() & (mb.joined_on <= limit) & ~(mb.refunded_on > limit)]
    mb = mb[mb.station_id.isin(st.station_id)].drop_duplicates("member_id", keep="first")

    od = _read(raw, "orders", ["order_id", "member_id", "ordered_at", "amount", "status"])
    od["ordered_at"] = pd.to_datetime(od.ordered_at, errors="coerce")
    od["amount"] = pd.to_numeric(od.amount, errors="coerce")
    od["status"] = od.status.str.lower()
    od = od[od.order_id.notna() & od.ordered_at.notna() & (od.amount > 0)
            & od.status.isin(["paid", "refunded", "cancelled"]) & (od.ordered_at.dt.normalize() <= limit)]
    od = od.merge(mb[["member_id", "joined_on"]], on="member_id", how="inner")
    od = od[od.ordered_at.dt.normalize() >= od.joined_on].drop_duplicates("order_id", keep="first")
    return st, mb, od


def _nodes(st: pd.DataFrame, mb: pd.DataFrame, config: Path) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Each station's war zone, team and person (unknown ones under `<parent>/unassigned`), each member's too
    plus the center owning its channel."""
    org = load_plan(config).org
    cid = next((n["id"] for n in org.nodes if n["level"] == "company"), "company")
    zones = {n["id"] for n in org.nodes if n["level"] == "war_zone"}
    teams = {(n["id"], n["parent"]) for n in org.nodes if n["level"] == "team"}
    people = {(n["id"], n["parent"]) for n in org.nodes if n["level"] == "person"}
    zone_ok = st.war_zone.isin(zones)
    team_ok = pd.Series([(t, z) in teams for t, z in zip(st.team, st.war_zone)], index=st.index)
    person_ok = pd.Series([(o, t) in people for o, t in zip(st.owner, st.team)], index=st.index)
    un = cid + "/unassigned"
    sn = pd.DataFrame({"station_id": st.station_id})
    sn["war_zone"] = st.war_zone.where(zone_ok, un)
    sn["team"] = st.team.where(zone_ok & team_ok, st.war_zone + "/unassigned").where(zone_ok, un)
    sn["person"] = (st.owner.where(person_ok, st.team + "/unassigned")
                    .where(zone_ok & team_ok, st.war_zone + "/unassigned").where(zone_ok, un))
    centers = {c["channel"]: c["center"] for c in org.channels}
    mn = mb[["member_id", "station_id", "channel"]].merge(sn, on="station_id", how="inner")
    mn["center"] = mn.channel.map(centers).fillna("centers/unassigned")
    return sn, mn, cid


def _roll_up(frame: pd.DataFrame, value: str, cid: str, with_center: bool) -> dict[str, float]:
    """Sums `value` per leaf (war zone, team, person) and adds it to every node on the leaf's path (and to the
    member's center)."""
    out: dict[str, float] = {}
    leaves = frame.groupby(["war_zone", "team", "person"], observed=True)[value].sum()
    for (wz, team, person), v in leaves.items():
        path = [cid]
        for nid in (wz, team, person):
            if nid != path[-1]:
                path.append(nid)
        for nid in path:
            out[nid] = out.get(nid, 0) + v
    if with_center:
        for center, v in frame.groupby("center", observed=True)[value].sum().items():
            out[center] = out.get(center, 0) + v
    return out


def goal_tree(raw: Path, config: Path, month: str, as_of: dt.date) -> dict[str, dict[str, float]]:
    """node id → {stations, members, station_masters_recruited, orders, gmv, active_members} for `month` up to
    `as_of`: what `pipelines.okr.goaltree.goal_tree` gives as each node's actuals and its drivers' values."""
    st, mb, od = load(raw, as_of)
    sn, mn, cid = _nodes(st, mb, config)
    start, end = (pd.Timestamp(d) for d in month_bounds(month))
    upto = min(pd.Timestamp(as_of), end)
    stn = st[["station_id", "signed_on", "opened_on"]].merge(sn, on="station_id")
    stn["n"] = 1
    new_st = stn[(stn.opened_on >= start) & (stn.opened_on <= upto)]
    signed = stn[(stn.signed_on >= start) & (stn.signed_on <= upto)]
    mbn = mb.merge(mn.drop(columns=["station_id", "channel"]), on="member_id")
    mbn["n"] = 1
    new_mb = mbn[(mbn.joined_on >= start) & (mbn.joined_on <= upto)
                 & (mbn.refunded_on.isna() | (mbn.refunded_on > pd.Timestamp(as_of)))]
    paid = od[od.status == "paid"].merge(mn[["member_id", "war_zone", "team", "person", "center"]], on="member_id")
    paid["day"] = paid.ordered_at.dt.normalize()
    month_paid = paid[(paid.day >= start) & (paid.day <= upto)].assign(n=1)
    window = paid[(paid.day > upto - pd.Timedelta(days=30)) & (paid.day <= upto)]
    active = window.drop_duplicates("member_id").assign(n=1)
    parts = {
        "stations": _roll_up(new_st, "n", cid, False),
        "members": _roll_up(new_mb, "n", cid, True),
        "station_masters_recruited": _roll_up(signed, "n", cid, False),
        "orders": _roll_up(month_paid, "n", cid, True),
        "gmv": _roll_up(month_paid, "amount", cid, True),
        "active_members": _roll_up(active, "n", cid, True),
    }
    out: dict[str, dict[str, float]] = {}
    for metric, values in parts.items():
        for nid, v in values.items():
            out.setdefault(nid, {})[metric] = float(v)
    return out


def retention(raw: Path, as_of: dt.date) -> pd.DataFrame:
    """cohort_month, month_index, cohort_size, active, active_or_after, gmv: members who joined in the cohort month
    and are not refunded as of `as_of`; active in month k = a paid order in calendar month cohort + k."""
    st, mb, od = load(raw, as_of)
    members = mb[mb.refunded_on.isna()][["member_id", "joined_on"]].copy()
    members["cohort"] = members.joined_on.dt.year * 12 + members.joined_on.dt.month - 1
    paid = od[od.status == "paid"].merge(members[["member_id", "cohort"]], on="member_id")
    paid["month_index"] = paid.ordered_at.dt.year * 12 + paid.ordered_at.dt.month - 1 - paid.cohort
    paid = paid[paid.month_index >= 0]
    act = paid.groupby(["member_id", "cohort", "month_index"], observed=True).amount.sum().reset_index()
    cells = act.groupby(["cohort", "month_index"]).agg(active=("member_id", "size"), gmv=("amount", "sum"))
    last = act.groupby(["member_id", "cohort"]).month_index.max().reset_index()
    lasts = last.groupby(["cohort", "month_index"]).size()
    sizes = members.groupby("cohort").size()
    d_month = as_of.year * 12 + as_of.month - 1
    grid = pd.DataFrame([(c, k) for c in sizes.index for k in range(d_month - c + 1)],
                        columns=["cohort", "month_index"])
    grid = grid.merge(sizes.rename("cohort_size").reset_index(), on="cohort")
    grid = grid.merge(cells.reset_index(), on=["cohort", "month_index"], how="left")
    grid = grid.merge(lasts.rename("last_n").reset_index(), on=["cohort", "month_index"], how="left")
    grid = grid.sort_values(["cohort", "month_index"])
    grid["last_n"] = grid.last_n.fillna(0)
    # active on or after k = members whose last active month index is k or later: a reverse running sum
    grid["active_or_after"] = grid[::-1].groupby("cohort").last_n.cumsum()[::-1].astype(int)
    grid["active"] = grid.active.fillna(0).astype(int)
    grid["gmv"] = grid.gmv.fillna(0).astype(float).round(2)
    grid["cohort_month"] = [dt.date(c // 12, c % 12 + 1, 1) for c in grid.cohort]
    return grid[["cohort_month", "month_index", "cohort_size", "active", "active_or_after", "gmv"]].reset_index(
        drop=True)


def northstar_goal_tree(db: Path, month: str, as_of: dt.date) -> dict[str, dict[str, float]]:
    """The same shape from Northstar's goal tree (the pages' one source of these numbers)."""

    tree = trees.load(Path(db), month, as_of)
    out: dict[str, dict[str, float]] = {}
    for n in tree.nodes:
        row = {m: float(v.actual) for m, v in n.metrics.items()}
        for d, v in tree.drivers.get(n.id, {}).items():
            if v["value"] is not None:
                row[d] = float(v["value"])
        out[n.id] = row
    return out


def northstar_retention(db: Path) -> pd.DataFrame:
    import duckdb

    from pipelines.okr import cohorts

    with duckdb.connect(str(db), read_only=True) as con:
        rows = cohorts.members(con)
    return pd.DataFrame([{"cohort_month": r["cohort_month"], "month_index": r["month_index"],
                          "cohort_size": r["cohort_size"], "active": r["active"],
                          "active_or_after": r["active_or_after"], "gmv": round(r["gmv"], 2)} for r in rows])


def compare_trees(ours: dict, theirs: dict) -> list[str]:
    """Differences between two node → metric → value maps (a node or metric missing on one side counts as 0;
    GMV to the cent)."""
    problems = []
    for nid in sorted(set(ours) | set(theirs)):
        a, b = ours.get(nid, {}), theirs.get(nid, {})
        for m in sorted(set(a) | set(b)):
            x, y = a.get(m, 0.0), b.get(m, 0.0)
            if abs(x - y) > (0.005 if m == "gmv" else 0):
                problems.append(f"{nid} {m}: Northstar {x:,.2f}, pandas {y:,.2f}")
    return problems


def compare_retention(ours: pd.DataFrame, theirs: pd.DataFrame) -> list[str]:
    key = ["cohort_month", "month_index"]
    merged = ours.merge(theirs, on=key, how="outer", suffixes=("_ns", "_pd"), indicator="side")
    problems = [f"{r.cohort_month} M{r.month_index}: only in {'Northstar' if r.side == 'left_only' else 'pandas'}"
                for r in merged[merged.side != "both"].itertuples()]
    both = merged[merged.side == "both"]
    for col in ("cohort_size", "active", "active_or_after", "gmv"):
        tol = 0.005 if col == "gmv" else 0
        bad = both[(both[f"{col}_ns"] - both[f"{col}_pd"]).abs() > tol]
        problems += [f"{r.cohort_month} M{r.month_index} {col}: Northstar {getattr(r, col + '_ns')}, "
                     f"pandas {getattr(r, col + '_pd')}" for r in bad.itertuples()]
    return problems
