"""The goal tree (DESIGN §5): for a month M and an as-of date D, every node with target, actual, pace and status.

One place computes these numbers; the pages, the command line and the tests all call `goal_tree()`.

- War-zone tree: company → war zones → teams → people, plus `<parent>/unassigned` nodes where the data has rows
  the org does not know. Metrics `stations` (new stations in M up to D) and `members` (new members in M up to D,
  not refunded on or before D). A parent's actual is summed from the data and equals the sum of its children's.
- Center view: company → centers (and `centers/unassigned`), `members` only.
- North star: active stations and members served at D against the 10-year targets, with trailing rates.
- Drivers (paths, never statuses): station masters recruited, orders, GMV, active members, against last month and
  the same month last year, period-to-date for period-to-date.

It reads the small marts only (daily_node_facts, member_joins, daily_active_members, daily_network), never raw
orders, and no Streamlit.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from pipelines import metrics as catalog
from pipelines import seasonal
from pipelines.backtest import band
from pipelines.errors import NorthstarError
from pipelines.flows import GOAL_CATALOG, data_dates, goal_flows  # noqa: F401 - their home was here
from pipelines.keyactions import KeyAction, key_actions
from pipelines.months import minus_months, month_bounds, month_of, parse_month, shift_month
from pipelines.org import is_unassigned
from pipelines.plan import DEFAULT_AT_RISK, GOAL_METRICS, Plan
from pipelines.records import Record
from pipelines.status import COMPUTED, EPS, Judged, MetricValue, judged, node_metrics

STATUSES = COMPUTED
DRIVERS = ("station_masters_recruited", "orders", "gmv", "active_members")
METRIC_FIELDS = ("target", "actual", "expected", "pace", "forecast", "required_daily", "status")
DAYS_PER_MONTH = 30.4375   # 365.25 / 12, DESIGN §5
LEAF_DIMS = ("war_zone", "team", "person", "center")   # a leaf of the war-zone tree, and the member's center

UNASSIGNED_NAMES = {   # <parent>/unassigned: data the org does not know; team and person levels add the parent.
    "war_zone": ("未归属战区", "Unassigned zone"),   # one word everywhere: 未归属 / unassigned (未分配 is a
    "team": ("未归属", "Unassigned"),                # target not yet split, on the Plan page)
    "person": ("未归属", "Unassigned"),
    "center": ("未归属中心", "Unassigned center"),
}

def unassigned_name(level: str, parent: dict | None) -> tuple[str, str]:
    """(zh, en) of the unassigned node at `level` under `parent`: 未归属战区 / Unassigned zone; 未归属（华东战区） /
    Unassigned (East Zone) for a team or person."""
    zh, en = UNASSIGNED_NAMES[level]
    if parent is not None and parent["level"] != "company":
        zh, en = f"{zh}（{parent['name_zh']}）", f"{en} ({parent['name_en']})"
    return zh, en


class NodeNames(dict):
    """node id → (zh, en) for the org's nodes; any `<parent>/unassigned` id is named by its parent's level, so no
    page shows a raw id such as `east/unassigned` (an id the org has never heard of is shown as it is)."""

    BELOW = {"company": "war_zone", "war_zone": "team", "team": "person"}

    def __init__(self, org: dict[str, dict]):
        super().__init__({nid: (n["name_zh"], n["name_en"]) for nid, n in org.items()})
        self.org = org

    def __missing__(self, nid: str) -> tuple[str, str]:
        parent = nid.rsplit("/", 1)[0] if is_unassigned(nid) else None
        if parent == "centers":
            return unassigned_name("center", None)
        if parent is not None and (parent in self.org or parent == "company"):
            up = self.org.get(parent)
            return unassigned_name(self.BELOW.get(up["level"] if up else "company", "person"), up)
        return nid, nid

    def name(self, nid: str, lang: str) -> str:
        return self[nid][0 if lang == "zh" else 1]


def node_names(con: duckdb.DuckDBPyConnection) -> NodeNames:
    """The names of every node a page may meet (see NodeNames), from the warehouse's org."""
    org = {r[0]: {"level": r[2], "name_zh": r[3], "name_en": r[4]} for r in con.execute(SQL_ORG).fetchall()}
    return NodeNames(org)


# ---- the SQL (parameters only) ---------------------------------------------------------------------------------

SQL_LEAVES = "select distinct war_zone, team, person from station_nodes"
SQL_CENTERS = "select distinct center from daily_node_facts where center is not null"
SQL_NETWORK = ("select date, active_stations, members_served from daily_network "
               "where date in ($d0, $d3, $d6, $dm)")
SQL_ORG = "select id, parent, level, name_zh, name_en, ord from org_nodes order by ord"


# ---- dates -----------------------------------------------------------------------------------------------------

def comparable_upto(month: str, upto: dt.date, k: int) -> tuple[dt.date, dt.date]:
    """Period-to-date k months back: the same days of that month (all of it when `upto` is a month end)."""
    start, end = month_bounds(shift_month(month, -k))
    _, this_end = month_bounds(month)
    if upto == this_end:
        return start, end
    return start, min(start + dt.timedelta(days=upto.day - 1), end)


# ---- the result ------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Node(Record):
    """A node of the goal tree: company, war zone, team, person or center (or an `…/unassigned` one), with its
    children's ids in order and its metrics (goal metric → MetricValue)."""
    id: str
    parent: str | None
    level: str
    name_zh: str
    name_en: str
    children: tuple[str, ...]
    metrics: dict[str, MetricValue]

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def unassigned(self) -> bool:
        return is_unassigned(self.id)


@dataclass
class GoalTree:
    month: str
    as_of: dt.date
    month_start: dt.date
    month_end: dt.date
    days_in_month: int
    days_counted: int
    elapsed: float
    finished: bool
    at_risk: float
    last_date: dt.date
    first_date: dt.date | None = None
    north_star: dict[str, dict] = field(default_factory=dict)
    north_star_title: tuple[str, str] | None = None
    north_star_end: dt.date | None = None
    nodes: list[Node] = field(default_factory=list)       # depth-first: the war-zone tree, then the centers
    drivers: dict[str, dict] = field(default_factory=dict)  # node id → driver → {value, last_month, last_year}
    since_month_end: dict = field(default_factory=dict)   # {"date": previous month end, metric: {value, change}}
    daily: list[dict] = field(default_factory=list)       # {date, stations, members}: new per day in M up to D
    key_actions: list[KeyAction] = field(default_factory=list)  # this month's, with key results (pipelines.keyactions)
    has_plan: bool = False
    basis: str = "linear"           # what the statuses' pace is judged against (goals.yaml status.basis)
    revisions: dict = field(default_factory=dict)   # (node id, metric) → {old, new, who, at}: changed after the 1st
    planned: bool = False           # judged against the targets as they stood on the 1st
    # (node id, metric) → the expected share of the month by the end of each of its days, on the month's shape
    # (pipelines/seasonal.py), for the company and its war zones: the charts' pace curve
    curves: dict = field(default_factory=dict)

    def node(self, node_id: str) -> Node:
        """The node of this id (KeyError when the tree has none)."""
        return self._index()[0][node_id]

    def _index(self) -> tuple[dict[str, Node], dict[str, list[Node]]]:
        """Nodes by id and children by parent in the tree's order, built once per tree."""
        index = self.__dict__.get("_by_id")
        if index is None or len(index[0]) != len(self.nodes):
            by_id, kids = {}, {}
            for n in self.nodes:
                by_id[n.id] = n
                kids.setdefault(n.parent, []).append(n)
            index = self.__dict__["_by_id"] = (by_id, kids)
        return index

    @property
    def company(self) -> Node:
        return self.nodes[0]

    def children(self, node_id: str) -> list[Node]:
        """The nodes whose parent is `node_id`, in the tree's order (a company's war zones, then its centers)."""
        return list(self._index()[1].get(node_id, []))

    def zone_of(self, node_id: str) -> str | None:
        """The war zone a team or person node belongs to (the zone itself for a war zone; None for the company and
        the centers)."""
        by_id = self._index()[0]
        n = by_id.get(node_id)
        while n is not None and n.level in ("team", "person"):
            n = by_id.get(n.parent)
        return n.id if n is not None and n.level == "war_zone" else None

    def scoped(self, user) -> GoalTree:
        """The tree as `user` (pipelines.access.User) may see it: every total (company, war zones, centers), the
        teams and people of the war zones whose detail the person may see, the key actions of the centers they
        may see. Numbers are not recomputed: a war zone's actual stays the sum of all its teams, seen or not."""
        keep = [n for n in self.nodes if n.level not in ("team", "person") or user.sees_zone_detail(self.zone_of(n.id))]
        actions = [ka for ka in self.key_actions if user.sees_center(ka["center"])]
        if len(keep) == len(self.nodes) and len(actions) == len(self.key_actions):
            return self
        ids = {n.id for n in keep}
        # a node whose children are hidden keeps its totals, but not its gap's split (it would name them)
        nodes = [n if all(c in ids for c in n.children) else
                 replace(n, children=tuple(c for c in n.children if c in ids),
                         metrics={m: replace(v, gap_parts=None) for m, v in n.metrics.items()})
                 for n in keep]
        return replace(self, nodes=nodes, drivers={k: v for k, v in self.drivers.items() if k in ids},
                       revisions={k: v for k, v in self.revisions.items() if k[0] in ids},
                       curves={k: v for k, v in self.curves.items() if k[0] in ids}, key_actions=actions)

    def gap_leaders(self, node_id: str, metric: str, n: int = 3) -> list[tuple[Node, float, tuple[Node, float] | None]]:
        """Who explains the node's gap: the children with the largest parts the same way as the gap (shortfalls
        when it is behind, leads when ahead), up to `n`, each with the person (or team) inside it whose part is the
        largest that way — (child, part, (inside, part) or None). Only nodes this tree holds (a scoped tree may hold
        none of a zone's people)."""
        v = self.node(node_id).metrics[metric]
        if not v["gap"] or not v["gap_parts"]:
            return []
        sign = -1 if v["gap"] < 0 else 1
        by_id = self._index()[0]
        ranked = sorted(((by_id[c], p) for c, p in v["gap_parts"].items() if c in by_id), key=lambda x: -sign * x[1])
        out = []
        for child, part in ranked[:n]:
            if sign * part <= 0:
                break
            inside, node = None, child
            while node["metrics"][metric]["gap_parts"]:
                parts = [(by_id[c], p) for c, p in node["metrics"][metric]["gap_parts"].items() if c in by_id]
                if not parts:
                    break
                node, p = max(parts, key=lambda x: sign * x[1])
                if sign * p <= 0:
                    break
                inside = (node, p)
            out.append((child, part, inside))
        return out

    def judged(self, v: MetricValue) -> Judged:
        """A node's metric read on the tree's status basis (status.judged): the expected, pace and forecast its
        status was judged on, and the other basis's pace."""
        return judged(v, self.basis)

    def furthest_behind(self, zone_id: str) -> tuple[Node, Node, str] | None:
        """(person, team, metric): the lowest pace (on the status basis) among the zone's people behind pace (pace < 1, not achieved,
        with a target), or None; only people this tree holds (a scoped tree may hold none of the zone's)."""
        found = []
        for team in self.children(zone_id):
            for person in self.children(team.id):
                for metric in GOAL_METRICS:
                    v = person.metrics[metric]
                    pace = self.judged(v).pace
                    if pace is not None and pace < 1 and v["status"] not in ("achieved", "no_target"):
                        found.append((pace, person.id, metric, person, team))
        if not found:
            return None
        _, _, metric, person, team = min(found, key=lambda f: (f[0], f[1], f[2]))
        return person, team, metric

    def planning_warnings(self) -> list[dict]:
        """Parents whose children's targets do not add up to theirs (unallocated ≠ 0)."""
        out = []
        for n in self.nodes:
            for metric, v in n["metrics"].items():
                if v["unallocated"] not in (None, 0) and abs(v["unallocated"]) > EPS:
                    out.append({"id": n["id"], "level": n["level"], "name_zh": n["name_zh"], "name_en": n["name_en"], "metric": metric,
                                "target": v["target"], "unallocated": v["unallocated"]})
        return out

    def to_json(self, lang: str = "en") -> dict:
        """The JSON shape of DESIGN §6 (plus `drivers`, kept apart from the goal statuses)."""
        return {
            "month": self.month,
            "as_of": self.as_of.isoformat(),
            "elapsed": _plain(self.elapsed),
            "basis": self.basis,
            "planned": self.planned,
            "revisions": [{"node": nid, "metric": m, "old": _plain(r["old"]), "new": _plain(r["new"]), "who": r["who"],
                           "at": r["at"]} for (nid, m), r in sorted(self.revisions.items())],
            "north_star": {m: {k: _plain(v) for k, v in ns.items()} for m, ns in self.north_star.items()},
            "nodes": [{
                "id": n["id"], "parent": n["parent"], "level": n["level"],
                "name": n["name_zh"] if lang == "zh" else n["name_en"],
                "metrics": {m: {k: _plain(v) for k, v in vals.items()} for m, vals in n["metrics"].items()},
            } for n in self.nodes],
            "drivers": {nid: {d: {k: _plain(v) for k, v in vals.items()} for d, vals in ds.items()}
                        for nid, ds in self.drivers.items()},
            "since_month_end": {k: v.isoformat() if isinstance(v, dt.date) else v
                                for k, v in self.since_month_end.items()},
            "key_actions": [{
                "id": ka["id"], "center": ka["center"], "title": ka["title"][lang], "status": ka["status"],
                "progress": _plain(ka["progress"]),
                "key_results": [{
                    "id": kr["id"], "title": kr["title"][lang], "kind": kr["kind"],
                    "last_checkin": kr["last_checkin"] and kr["last_checkin"].isoformat(),
                    **{k: _plain(kr[k]) for k in METRIC_FIELDS}} for kr in ka["key_results"]],
            } for ka in self.key_actions],
        }


def _plain(value):
    """A value for JSON at full precision: a whole float as an int (31.0 → 31), anything else unchanged. Machine
    outputs never round; only the text table and the pages do."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---- the computation -------------------------------------------------------------------------------------------

def resolve_period(month: str, as_of: dt.date | str | None, last_date: dt.date | None) -> tuple[str, dt.date]:
    """Checks the month and the as-of date; as-of defaults to the last date in the data."""
    clean = parse_month(month) if re.fullmatch(r"\d{4}-\d{2}", str(month or "").strip()) else None
    if clean is None:
        raise NorthstarError(f"month {month!r} is not a month: use YYYY-MM, e.g. 2026-11.")
    if last_date is None:
        raise NorthstarError("the warehouse has no dated rows; build it from raw data first (python -m pipelines build).")
    if as_of is None:
        as_of = last_date
    elif isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise NorthstarError(f"as-of date {as_of!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-24.") from None
    if as_of > last_date:
        raise NorthstarError(f"as-of {as_of} is after the last date in the data ({last_date}); pick a date on or "
                             f"before {last_date}, or build with newer data.")
    start, _ = month_bounds(clean)
    if start > as_of:
        last_month = month_of(as_of)
        raise NorthstarError(f"month {clean} starts after the as-of date {as_of}: pick {last_month} or an earlier "
                             "month (a month cannot be judged before it begins).")
    return clean, as_of


def goal_tree(con: duckdb.DuckDBPyConnection, month: str, as_of: dt.date | str | None = None,
              plan: Plan | None = None, checkins: list[dict] | None = None, revisions: list[dict] | None = None,
              planned: bool = False) -> GoalTree:
    """The goal tree for `month` as of `as_of` (default: the last date in the data), with the month's key actions
    (manual key results take their values from `checkins`). Each node's status and pace 7 days earlier in the same
    month come along (`status_7d`, `pace_7d`). `revisions` (PlanStore.revisions) are the month's targets changed
    after it began: kept on the tree, and with `planned` the targets as they stood on the 1st are the ones judged."""
    first_date, last_date = data_dates(con)
    month, as_of = resolve_period(month, as_of, last_date)
    plan = plan or Plan()
    at_risk = plan.at_risk if plan.at_risk else DEFAULT_AT_RISK
    start, end = month_bounds(month)
    upto = min(as_of, end)
    days_in_month = end.day
    days_counted = (upto - start).days + 1
    finished = as_of >= end
    elapsed = 1.0 if finished else days_counted / days_in_month
    days_left = (end - as_of).days
    tree = GoalTree(month=month, as_of=as_of, month_start=start, month_end=end, days_in_month=days_in_month,
                    days_counted=days_counted, elapsed=elapsed, finished=finished, at_risk=at_risk,
                    last_date=last_date, first_date=first_date, has_plan=bool(plan.targets), basis=plan.basis)

    # Nodes: the org, then unassigned nodes the data has.
    org = con.execute(SQL_ORG).fetchall()
    nodes: dict[str, dict] = {}
    company = next((r for r in org if r[2] == "company"), None)
    cid = company[0] if company else "company"
    for nid, parent, level, zh, en, order in org:
        nodes[nid] = dict(id=nid, parent=parent, level=level, name_zh=zh, name_en=en, ord=order, children=[])
    if cid not in nodes:
        nodes[cid] = dict(id=cid, parent=None, level="company", name_zh="公司", name_en="Company", ord=0, children=[])

    def ensure(nid: str, parent: str, level: str) -> None:
        if nid in nodes:
            return
        zh, en = unassigned_name(level, nodes.get(parent))
        nodes[nid] = dict(id=nid, parent=parent, level=level, name_zh=zh, name_en=en, ord=10**9, children=[])

    def path(wz: str, team: str, person: str) -> list[str]:
        """company → zone → team → person, skipping repeats (company/unassigned is a zone with no children)."""
        out = [cid]
        for nid in (wz, team, person):
            if nid != out[-1]:
                out.append(nid)
        return out

    for wz, team, person in con.execute(SQL_LEAVES).fetchall():
        p = path(wz, team, person)
        levels = ("war_zone", "team", "person")
        for i in range(1, len(p)):
            ensure(p[i], p[i - 1], levels[i - 1])
    for (center,) in con.execute(SQL_CENTERS).fetchall():
        ensure(center, cid, "center")
    for n in nodes.values():
        if n["parent"] in nodes:
            nodes[n["parent"]]["children"].append(n["id"])
    for n in nodes.values():
        n["children"].sort(key=lambda c: (nodes[c]["ord"], c))

    # Actuals, summed up each leaf's path.
    def actuals_at(day: dt.date) -> dict[str, dict[str, int]]:
        found = {nid: {m: 0 for m in GOAL_METRICS} for nid in nodes}
        for (wz, team, person, center), flows in goal_flows(con, LEAF_DIMS, start, end, day).items():
            for nid in path(wz, team, person):
                for m in GOAL_METRICS:
                    found[nid][m] += flows[m]
            if center is not None:
                found[center]["members"] += flows["members"]
        return found

    actual = actuals_at(as_of)

    # Targets and the rules of DESIGN §5 (with `planned`, a target revised after the 1st counts as it stood then).
    first_targets = {(r["level"], r["node_id"], r["metric"]): r["old"] for r in revisions or []}
    tree.revisions = {(r["node_id"], r["metric"]): r for r in revisions or [] if r["node_id"] in nodes}
    tree.planned = planned

    def target(nid: str, metric: str) -> float | None:
        key = (nodes[nid]["level"], nid, metric)
        if planned and key in first_targets:
            return first_targets[key]
        return plan.targets.get((month, *key))

    shapes = seasonal.node_profiles(con, first_date, start, nodes, cid, last=last_date)
    month_days = [start + dt.timedelta(days=i) for i in range(days_in_month)]
    tree.curves = {(nid, m): [shapes[(nid, m)].share(start, end, d) for d in month_days]
                   for nid, n in nodes.items() if n["level"] in ("company", "war_zone") for m in GOAL_METRICS}
    for nid, n in nodes.items():
        metrics = ("members",) if n["level"] == "center" else GOAL_METRICS
        n["metrics"] = {m: node_metrics(target(nid, m), actual[nid][m], elapsed, days_left, finished, at_risk,
                                        share=shapes[(nid, m)].share(start, end, upto), basis=plan.basis,
                                        shape=shapes[(nid, m)].source)
                        for m in metrics}
    for n in nodes.values():
        kids = [c for c in n["children"] if nodes[c]["level"] != "center"]
        if not kids:
            continue
        for m, v in n["metrics"].items():
            if v.target is not None:
                n["metrics"][m] = replace(v, unallocated=v.target - sum(nodes[c]["metrics"][m].target or 0
                                                                        for c in kids))

    # Since last week: each node's status and pace as of 7 days earlier in the same month (none in a month's first
    # week, none once it is over): the same rules on the actuals of that day.
    week = as_of - dt.timedelta(days=7)
    if not finished and week >= start:
        then = actuals_at(week)
        w_elapsed, w_left = ((week - start).days + 1) / days_in_month, (end - week).days
        for nid, n in nodes.items():
            for m, v in n["metrics"].items():
                old = node_metrics(v.target, then[nid][m], w_elapsed, w_left, False, at_risk,
                                   share=shapes[(nid, m)].share(start, end, week), basis=plan.basis)
                pace = old.pace_seasonal if plan.basis == "seasonal" else old.pace
                n["metrics"][m] = replace(v, status_7d=old.status, pace_7d=pace)

    # Who explains the gap: each node's gap on the status basis, and a parent's split into its children's parts
    # (each child's actual − its target × the parent's expected share; no target counts as 0) and the unallocated
    # target's part (− unallocated × that share): they add up to the parent's gap exactly.
    def basis_share(nid: str, metric: str) -> float:
        return shapes[(nid, metric)].share(start, end, upto) if plan.basis == "seasonal" else elapsed

    for nid, n in nodes.items():
        kids = [c for c in n["children"] if nodes[c]["level"] != "center"]
        for m, v in n["metrics"].items():
            if not v.target:
                continue
            share = basis_share(nid, m)
            parts = None
            if kids:
                parts = {c: nodes[c]["metrics"][m].actual - (nodes[c]["metrics"][m].target or 0) * share
                         for c in kids}
                parts["unallocated"] = -(v.unallocated or 0) * share
            n["metrics"][m] = replace(v, gap=v.actual - v.target * share, gap_parts=parts)

    # The 80 % band around the seasonal forecast: how far it missed in earlier months at the same day (the
    # company's and each war zone's own; a team, a person or a center takes its zone's, else the company's).
    if finished:
        for n in nodes.values():
            n["metrics"] = {m: replace(v, forecast_low=v.actual, forecast_high=v.actual)
                            for m, v in n["metrics"].items()}
    else:
        factors = band(con, month, days_counted)

        def factor_of(nid: str, metric: str):
            while nid is not None:
                if (nid, metric) in factors:
                    return factors[(nid, metric)]
                nid = nodes[nid]["parent"] if nid in nodes else None
            return None

        for nid, n in nodes.items():
            for m, v in n["metrics"].items():
                f = factor_of(nid, m)
                if f is not None and v.forecast_seasonal is not None:
                    n["metrics"][m] = replace(v, forecast_low=v.forecast_seasonal * f[0],
                                              forecast_high=v.forecast_seasonal * f[1])

    # Depth-first order: the war-zone tree, then the centers.
    ordered: list[dict] = []

    def walk(nid: str) -> None:
        ordered.append(nodes[nid])
        for c in nodes[nid]["children"]:
            if nodes[c]["level"] != "center":
                walk(c)

    walk(cid)
    ordered += [nodes[c] for c in nodes[cid]["children"] if nodes[c]["level"] == "center"]
    tree.nodes = [Node(id=n["id"], parent=n["parent"], level=n["level"], name_zh=n["name_zh"], name_en=n["name_en"],
                       children=tuple(n["children"]), metrics=n["metrics"]) for n in ordered]
    tree.north_star, tree.north_star_title, tree.since_month_end = _north_star(con, plan, as_of, first_date)
    tree.north_star_end = plan.north_star.end if plan.north_star else None
    tree.drivers = _drivers(con, month, upto, first_date, nodes, cid, path)
    tree.daily = [{"date": d, **flows} for (d,), flows in sorted(goal_flows(con, ("day",), start, end, as_of).items())]

    tree.key_actions = key_actions(con, plan, checkins or [], tree)
    return tree


def _north_star(con, plan: Plan, as_of: dt.date, first_date: dt.date | None):
    d3, d6 = minus_months(as_of, 3), minus_months(as_of, 6)
    dm = as_of.replace(day=1) - dt.timedelta(days=1)      # the end of the month before D's
    rows = {d: (s, m) for d, s, m in
            con.execute(SQL_NETWORK, {"d0": as_of, "d3": d3, "d6": d6, "dm": dm}).fetchall()}

    def at(d: dt.date, i: int) -> int:
        return rows[d][i] if d in rows else 0   # before the first date in the data nothing existed yet

    ns = plan.north_star
    out = {}
    since: dict = {"date": dm}
    for i, metric in enumerate(GOAL_METRICS):
        actual = at(as_of, i)
        target = ns.targets[metric] if ns else None
        t3 = (actual - at(d3, i)) / 3
        t6 = (actual - at(d6, i)) / 6
        item = {"target": target, "actual": actual, "progress": None, "time_elapsed": None,
                "required_monthly": None, "trailing_3m": t3, "trailing_6m": t6, "projected_month": None,
                "milestone": None}
        if ns:
            item["progress"] = actual / target
            item["time_elapsed"] = min(max((as_of - ns.start).days / (ns.end - ns.start).days, 0.0), 1.0)
            months_left = (ns.end - as_of).days / DAYS_PER_MONTH
            if months_left > 0:
                item["required_monthly"] = max(target - actual, 0) / months_left
            item["projected_month"] = projected_month(actual, target, t6, as_of)
            item["milestone"] = _milestone(ns, metric, actual, as_of, plan.at_risk)
        out[metric] = item
        since[metric] = {"value": at(dm, i), "change": actual - at(dm, i)}
    title = (ns.title_zh, ns.title_en) if ns else None
    return out, title, since


def _milestone(ns, metric: str, actual: float, as_of: dt.date, at_risk: float) -> dict | None:
    """The next milestone of this goal on the way to the north star (the first one dated on or after D), judged
    like a month: progress from where the previous milestone (or the start, at 0) asked to be, against the share
    of the time between them gone; the monthly rate it needs from here."""
    steps = [(by, values[metric]) for by, values in ns.milestones if metric in values]
    ahead = [(i, by, target) for i, (by, target) in enumerate(steps) if by >= as_of]
    if not ahead:
        return None
    i, by, target = ahead[0]
    since, base = (steps[i - 1][0], steps[i - 1][1]) if i > 0 else (ns.start, 0.0)
    span = (by - since).days
    elapsed = min(max((as_of - since).days / span, 0.0), 1.0) if span > 0 else 1.0
    due = base + (target - base) * elapsed
    done = actual >= target
    pace = (actual - base) / (due - base) if due > base else None
    if done:
        status = "achieved"
    elif pace is None or pace >= 1:
        status = "on_track"
    elif pace >= at_risk:
        status = "at_risk"
    else:
        status = "off_track"
    months_left = (by - as_of).days / DAYS_PER_MONTH
    return {"by": by.isoformat(), "target": target, "actual": actual, "from": base, "expected": due, "pace": pace,
            "time_elapsed": elapsed, "status": status,
            "required_monthly": (max(target - actual, 0) / months_left) if months_left > 0 else None}


def projected_month(actual: float, target: float, rate: float, as_of: dt.date) -> str | None:
    """The month in which actual + rate × months reaches the target; None when the rate is ≤ 0."""
    if actual >= target:
        return month_of(as_of)
    if rate <= 0:
        return None
    days = (target - actual) / rate * DAYS_PER_MONTH
    if days > (9999 - as_of.year) * 365:
        return "9999-12"
    when = as_of + dt.timedelta(days=math.ceil(days))
    return month_of(when)


def _drivers(con, month: str, upto: dt.date, first_date, nodes: dict, cid: str, path) -> dict:
    """Paths per node: this period-to-date, last month's and last year's same days; active members at their ends."""
    periods = [month_bounds(month)[0], upto], list(comparable_upto(month, upto, 1)), list(comparable_upto(month, upto, 12))
    keys = ("value", "last_month", "last_year")
    out = {nid: {d: {k: 0 for k in keys} for d in DRIVERS} for nid in nodes}
    flows = ("station_masters_recruited", "orders", "gmv")
    for i, wz, team, person, center, *values in catalog.grouped(con, flows, ("period", *LEAF_DIMS), upto,
                                                                periods=periods):
        k = keys[i]
        for nid in path(wz, team, person):
            for d, v in zip(flows, values):
                out[nid][d][k] += v
        if center is not None:
            out[center]["orders"][k] += values[1]
            out[center]["gmv"][k] += values[2]
    ends = [(e, e) for _, e in periods]                    # active members: at each period's end
    for i, wz, team, person, center, n in catalog.grouped(con, "active_members", ("period", *LEAF_DIMS), upto,
                                                          periods=ends):
        for nid in path(wz, team, person):
            out[nid]["active_members"][keys[i]] += n
        out[center]["active_members"][keys[i]] += n
    for nid, n in nodes.items():
        if n["level"] == "center":
            out[nid]["station_masters_recruited"] = {k: None for k in keys}
        for i, k in enumerate(keys[1:], start=1):
            if first_date is None or periods[i][1] < first_date:   # a comparison before the data begins: unknown
                for d in DRIVERS:
                    out[nid][d][k] = None
    return out


# ---- opening the warehouse -------------------------------------------------------------------------------------

def open_warehouse(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, or a clear error saying what to do."""
    db = Path(db)
    if not db.exists():
        raise NorthstarError(f"no warehouse at {db}: run `python -m pipelines sample` and `python -m pipelines build` "
                             "(or `make run`), or point --db / NORTHSTAR_DB at one.")
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise NorthstarError(f"the warehouse {db} cannot be opened ({str(exc).splitlines()[0]}); rebuild it with "
                             "`python -m pipelines build`.") from None


def month_start_utc(month: str, time_zone: str) -> str:
    """The first moment of `month` in the company's time zone, as the plan store writes times (UTC, ISO 8601)."""
    from zoneinfo import ZoneInfo

    start, _ = month_bounds(month)
    return dt.datetime.combine(start, dt.time(0), tzinfo=ZoneInfo(time_zone)).astimezone(dt.timezone.utc) \
        .isoformat(timespec="seconds")


def month_revisions(db: Path, month: str | None, plan: Plan | None) -> list[dict]:
    """The targets of `month` changed after the month began (PlanStore.revisions from the store beside `db`);
    none for a malformed month (goal_tree says what is wrong with it) or without a store."""
    from pipelines.planstore import PlanStore, _read

    try:
        since = month_start_utc(month, plan.time_zone if plan else "Asia/Shanghai")
    except (TypeError, ValueError, NorthstarError):
        return []
    return _read(Path(db), lambda store: PlanStore.revisions(store, month, since), [])


def load(db: Path, month: str, as_of: dt.date | str | None = None, user=None, planned: bool = False) -> GoalTree:
    """The goal tree for the warehouse at `db` with the plan from the plan store beside it; with `user`
    (pipelines.access.User) as that person may see it (GoalTree.scoped). The targets changed after the month
    began are in `revisions`; `planned=True` judges the month against its targets as they stood on the 1st."""
    from pipelines.planstore import read_checkins, read_plan

    plan = read_plan(db)
    revisions = month_revisions(db, month, plan)
    con = open_warehouse(db)
    try:
        tree = goal_tree(con, month, as_of, plan, read_checkins(db), revisions=revisions, planned=planned)
    finally:
        con.close()
    return tree if user is None else tree.scoped(user)
