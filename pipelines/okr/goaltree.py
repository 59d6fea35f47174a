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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from pipelines.base import metrics as catalog
from pipelines.base.errors import NorthstarError
from pipelines.base.labels import say
from pipelines.base.months import minus_months, month_bounds, month_of, parse_month, shift_month
from pipelines.base.records import FrozenMap, Record, frozen_map
from pipelines.okr import firstview
from pipelines.okr.bands import count_band
from pipelines.okr.flows import GOAL_CATALOG, data_dates, goal_flows  # noqa: F401 - their home was here
from pipelines.okr.fmt import fmt_choice
from pipelines.okr.keyactions import KeyAction, key_actions
from pipelines.okr.replay import band
from pipelines.okr.seasonal import company_calendar
from pipelines.okr.shapes import month_shapes
from pipelines.okr.status import COMPUTED, EPS, RANK, Judged, MetricValue, judged, node_metrics, whole
from pipelines.plan.folder import Plan
from pipelines.plan.goals import DEFAULT_AT_RISK, GOAL_METRICS
from pipelines.plan.org import is_unassigned

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

@dataclass(frozen=True)
class GapPart:
    """One named part of a gap: the child, its part (its actual − its expected), and for a shortfall the node at
    the end of its behind-chain with that node's own shortfall (or None)."""
    node: Node
    part: float
    inside: tuple[Node, float] | None


@dataclass(frozen=True)
class GapSplit:
    """A gap as a line says it: the total, the named parts, and the rest as one "others" part; total = Σ named +
    others exactly (whole units)."""
    total: float
    named: tuple[GapPart, ...]
    others: float


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
    metrics: Mapping[str, MetricValue]      # read-only (records.frozen_map)

    def __post_init__(self):
        object.__setattr__(self, "children", tuple(self.children))
        object.__setattr__(self, "metrics", frozen_map(self.metrics))

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def unassigned(self) -> bool:
        return is_unassigned(self.id)


def _frozen(value):
    """A tree's nested dicts and lists as read-only mappings and tuples (records are frozen already)."""
    if isinstance(value, FrozenMap):
        return value                  # made here: frozen already
    if isinstance(value, dict):
        return frozen_map({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


@dataclass(frozen=True)
class GoalTree:
    """The goal tree of a month as of a date: frozen all the way down (its dicts read-only mappings, its lists
    tuples), so the app keeps one per warehouse version and month and hands the same object to every reader
    (ui/data.py) instead of a copy each (issue 37: unpickling copies was half a page run's CPU)."""
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
    daily: list[dict] = field(default_factory=list)  # {date, stations, members}: new per day in M up to D
    # this month's, with key results (pipelines.okr.keyactions)
    key_actions: list[KeyAction] = field(default_factory=list)
    has_plan: bool = False
    basis: str = "linear"           # what the statuses' pace is judged against (goals.yaml status.basis)
    revisions: dict = field(default_factory=dict)   # (node id, metric) → {old, new, who, at}: changed after the 1st
    planned: bool = False           # judged against the targets as they stood on the 1st
    # (node id, metric) → the expected share of the month by the end of each of its days, on the month's shape
    # (pipelines/okr/seasonal.py), for the company and its war zones: the charts' pace curve
    curves: dict = field(default_factory=dict)
    # the last year of China's public holidays the calendar knows, when this month is past it (issue 35)
    holidays_known_to: int | None = None

    def __post_init__(self):
        for name in ("north_star", "nodes", "drivers", "since_month_end", "daily", "key_actions", "revisions",
                     "curves"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

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
        """The tree as `user` (pipelines.plan.access.User) may see it: every total (company, war zones, centers), the
        teams and people of the war zones whose detail the person may see, the key actions of the centers they
        may see. Numbers are not recomputed: a war zone's actual stays the sum of all its teams, seen or not."""
        keep = [n for n in self.nodes if n.level not in ("team", "person") or user.sees_zone_detail(self.zone_of(n.id))]
        actions = [ka for ka in self.key_actions if user.sees_center(ka.center)]
        if len(keep) == len(self.nodes) and len(actions) == len(self.key_actions):
            return self
        ids = {n.id for n in keep}
        # a node whose children are hidden keeps its totals, but not its gap's split (it would name them)
        nodes = [n if all(c in ids for c in n.children) else
                 replace(n, children=tuple(c for c in n.children if c in ids),
                         metrics={m: replace(v, gap_parts=None, behind=None) for m, v in n.metrics.items()})
                 for n in keep]
        return replace(self, nodes=nodes, drivers={k: v for k, v in self.drivers.items() if k in ids},
                       revisions={k: v for k, v in self.revisions.items() if k[0] in ids},
                       curves={k: v for k, v in self.curves.items() if k[0] in ids}, key_actions=actions)

    def behind_chain(self, node_id: str, metric: str) -> list[tuple[Node, float]]:
        """Who is behind, by the one rule (DESIGN §10: the largest shortfall in units, ties by the lower pace):
        the node's child with the largest shortfall, that child's, and so on down to a person — each with its
        shortfall — as far as this tree holds them (a scoped tree may hold none of a zone's people)."""
        by_id = self._index()[0]
        out, node = [], by_id[node_id]
        while True:
            v = node.metrics.get(metric)
            if v is None or v.behind is None or v.behind not in by_id or not v.gap_parts:
                return out
            part = v.gap_parts[v.behind]
            node = by_id[v.behind]
            out.append((node, part))

    def gap_split(self, node_id: str, metric: str, n: int = 2) -> GapSplit | None:
        """The node's gap in parts that add up as shown (DESIGN §10): up to `n` children the same way as the gap
        (largest first; a shortfall with the person at the end of its behind-chain), the largest child the other
        way (a zone ahead while the company is behind), and one "others" part for the rest (the unallocated target,
        the unassigned, the children not named). None without a target or a gap; no parts when this tree does not
        hold the children (a reader who may not see them)."""
        v = self.node(node_id).metrics.get(metric)
        if v is None or v.gap is None:
            return None
        if not v.gap_parts:
            return GapSplit(v.gap, (), 0)
        sign = -1 if v.gap < 0 else 1
        by_id = self._index()[0]
        kids = [(by_id[c], p) for c, p in v.gap_parts.items() if c in by_id and p != 0]
        same = sorted((k for k in kids if sign * k[1] > 0), key=lambda k: -abs(k[1]))[:n]
        other = sorted((k for k in kids if sign * k[1] < 0), key=lambda k: -abs(k[1]))[:1]
        named = []
        for child, part in same + other:
            inside = None
            if part < 0:
                chain = self.behind_chain(child.id, metric)
                inside = chain[-1] if chain else None
            named.append(GapPart(child, part, inside))
        return GapSplit(v.gap, tuple(named), v.gap - sum(p.part for p in named))

    def focus_metric(self, node_id: str) -> str:
        """The goal a node is worst on: the worse status, then the lower pace (the brief's and the zone page's
        sentence speak of this one)."""
        ms = self.node(node_id).metrics
        return min(GOAL_METRICS, key=lambda m: (RANK[ms[m].status], ms[m].pace if ms[m].pace is not None else 9e9, m))

    def judged(self, v: MetricValue) -> Judged:
        """A node's metric as judged (status.judged): the expected, pace and forecast its status was judged on,
        and the other basis's pace."""
        return judged(v)

    def shape_words(self, v: MetricValue, lang: str, short: bool = False) -> str:
        """Which curve `v`'s pace is judged by and why, in words (fmt.fmt_choice): "按去年11月的曲线（回测误差 9%，
        直线 12%）"; a team or person names the node whose choice it follows. Empty for a finished month (judged
        on its result) and a value without a choice. `short`: a board tile's line."""
        if v.choice is None or self.finished:
            return ""
        parent = v.choice.parent
        name = self.node(parent).name(lang) if parent is not None and parent in self._index()[0] else None
        said = fmt_choice(v.choice, lang, name, short)
        if self.holidays_known_to is not None and not short:
            said += say("shape_holidays_past", lang, year=self.holidays_known_to)
        return said

    def most_behind(self, zone_id: str) -> tuple[Node, Node, str, float] | None:
        """(who, team, metric, shortfall): inside a war zone, who is behind by the one rule — on the goal the zone
        is worst on (then the other), the end of its behind-chain (a person; a team when the shortfall is the
        team's own unallocated target) — or None when no one is short a whole unit; only nodes this tree holds."""
        for metric, chain in self.behind_chains(zone_id):
            who, part = chain[-1]
            return who, chain[0][0], metric, part
        return None

    def behind_chains(self, node_id: str):
        """(goal, behind-chain) for each goal the node is not done with, the goal it is worst on first
        (`focus_metric`): what `most_behind` and the board's answer line read, by the same rule."""
        ms, first = self.node(node_id).metrics, self.focus_metric(node_id)
        for metric in sorted(GOAL_METRICS, key=lambda m: (m != first, m)):
            if ms[metric].status in ("achieved", "no_target"):
                continue
            chain = self.behind_chain(node_id, metric)
            if chain:
                yield metric, chain

    def planning_warnings(self) -> list[dict]:
        """Parents whose children's targets do not add up to theirs (unallocated ≠ 0)."""
        out = []
        for n in self.nodes:
            for metric, v in n.metrics.items():
                if v.unallocated not in (None, 0) and abs(v.unallocated) > EPS:
                    out.append({"id": n.id, "level": n.level, "name_zh": n.name_zh, "name_en": n.name_en,
                                "metric": metric, "target": v.target, "unallocated": v.unallocated})
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
                "id": n.id, "parent": n.parent, "level": n.level,
                "name": n.name_zh if lang == "zh" else n.name_en,
                "metrics": {m: metric_json(vals) for m, vals in n.metrics.items()},
            } for n in self.nodes],
            "drivers": {nid: {d: {k: _plain(v) for k, v in vals.items()} for d, vals in ds.items()}
                        for nid, ds in self.drivers.items()},
            "since_month_end": {k: v.isoformat() if isinstance(v, dt.date) else v
                                for k, v in self.since_month_end.items()},
            "key_actions": [{
                "id": ka.id, "center": ka.center, "title": ka.title[lang], "status": ka.status,
                "progress": _plain(ka.progress),
                "key_results": [{
                    "id": kr.id, "title": kr.title[lang], "kind": kr.kind, "basis": kr.basis,
                    "last_checkin": kr.last_checkin and kr.last_checkin.isoformat(),
                    **{k: _plain(getattr(kr, k)) for k in METRIC_FIELDS}} for kr in ka.key_results],
            } for ka in self.key_actions],
        }


OTHER_NAMES = {"linear": "straight_line", "seasonal": "seasonal"}


def metric_json(v: MetricValue) -> dict:
    """One metric value for JSON: `basis` and the judged `expected` / `pace` / `forecast` under their plain names,
    the other basis's beside them under its own name (`straight_line` or `seasonal`), never mixed."""
    out = {k: _plain(x) for k, x in v.fields().items() if k not in ("other", "choice")}
    if v.choice is not None:     # the month's shape: the method chosen, why, and the backtest errors it was chosen by
        out["choice"] = {k: _plain(x) for k, x in v.choice.fields().items()}
    if v.other is not None:
        out[OTHER_NAMES[v.other.basis]] = {k: _plain(getattr(v.other, k)) for k in ("expected", "pace", "forecast")}
    return out


def _plain(value):
    """A value for JSON at full precision: a whole float as an int (31.0 → 31), anything else unchanged. Machine
    outputs never round; only the text table and the pages do."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, FrozenMap):               # a record's frozen mapping (gap parts), written as it was
        return dict(value)
    return value


# ---- the computation -------------------------------------------------------------------------------------------

def goals_of(level: str) -> tuple[str, ...]:
    """The goals a node of this level has: a center only members (the channels it owns), every other node both."""
    return ("members",) if level == "center" else GOAL_METRICS


def resolve_period(month: str, as_of: dt.date | str | None, last_date: dt.date | None) -> tuple[str, dt.date]:
    """Checks the month and the as-of date; as-of defaults to the last date in the data."""
    clean = parse_month(month) if re.fullmatch(r"\d{4}-\d{2}", str(month or "").strip()) else None
    if clean is None:
        raise NorthstarError("not_a_month", month=month)
    if last_date is None:
        raise NorthstarError("no_dated_rows")
    if as_of is None:
        as_of = last_date
    elif isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise NorthstarError("not_a_date", text=as_of) from None
    if as_of > last_date:
        raise NorthstarError("as_of_after_data", as_of=str(as_of), last=str(last_date))
    start, _ = month_bounds(clean)
    if start > as_of:
        last_month = month_of(as_of)
        raise NorthstarError("month_after_as_of", month=clean, as_of=str(as_of), last_month=last_month)
    return clean, as_of


@dataclass
class _Draft:
    """A node while the tree is built (goal_tree's steps fill in its children, then its metrics); it becomes a
    frozen Node at the end."""
    id: str
    parent: str | None
    level: str
    name_zh: str
    name_en: str
    ord: int
    children: list[str] = field(default_factory=list)
    metrics: dict[str, MetricValue] = field(default_factory=dict)

    def frozen(self) -> Node:
        return Node(id=self.id, parent=self.parent, level=self.level, name_zh=self.name_zh, name_en=self.name_en,
                    children=tuple(self.children), metrics=self.metrics)


@dataclass(frozen=True)
class _Month:
    """The period a tree judges: the month's bounds, the day counted up to, how much of it is gone."""
    month: str
    as_of: dt.date
    start: dt.date
    end: dt.date
    upto: dt.date                 # as_of, or the month's end for a month that is over
    days_in_month: int
    days_counted: int
    finished: bool
    elapsed: float


def org_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """What the tree's nodes are made from: the org, the leaves the stations have, the centers the data has."""
    def rows(sql: str) -> list[tuple]:
        return sorted(con.execute(sql).fetchall(), key=lambda r: tuple("" if x is None else str(x) for x in r))

    return {"org": con.execute(SQL_ORG).fetchall(), "leaves": rows(SQL_LEAVES), "centers": rows(SQL_CENTERS)}


class _Org:
    """The org's nodes for the tree (the org, then the unassigned nodes the data has), and each leaf's path."""

    def __init__(self, con: duckdb.DuckDBPyConnection, kept: dict | None = None):
        kept = kept if kept is not None else org_rows(con)     # (the build keeps them: pipelines/okr/firstview.py)
        rows = kept["org"]
        company = next((r for r in rows if r[2] == "company"), None)
        self.cid = company[0] if company else "company"
        self.nodes: dict[str, _Draft] = {nid: _Draft(nid, parent, level, zh, en, order)
                                         for nid, parent, level, zh, en, order in rows}
        if self.cid not in self.nodes:
            self.nodes[self.cid] = _Draft(self.cid, None, "company", "公司", "Company", 0)
        for wz, team, person in kept["leaves"]:
            p = self.path(wz, team, person)
            for i in range(1, len(p)):
                self._ensure(p[i], p[i - 1], ("war_zone", "team", "person")[i - 1])
        for (center,) in kept["centers"]:
            self._ensure(center, self.cid, "center")
        for n in self.nodes.values():
            if n.parent in self.nodes:
                self.nodes[n.parent].children.append(n.id)
        for n in self.nodes.values():
            n.children.sort(key=lambda c: (self.nodes[c].ord, c))
        # the war-zone tree's children (a center hangs under the company but is not part of its sum)
        self.tree_kids = {nid: [c for c in n.children if self.nodes[c].level != "center"]
                          for nid, n in self.nodes.items()}

    def _ensure(self, nid: str, parent: str, level: str) -> None:
        if nid not in self.nodes:
            up = self.nodes.get(parent)
            zh, en = unassigned_name(level, None if up is None else {"level": up.level, "name_zh": up.name_zh,
                                                                      "name_en": up.name_en})
            self.nodes[nid] = _Draft(nid, parent, level, zh, en, 10**9)

    def path(self, wz: str, team: str, person: str) -> list[str]:
        """company → zone → team → person, skipping repeats (company/unassigned is a zone with no children)."""
        out = [self.cid]
        for nid in (wz, team, person):
            if nid != out[-1]:
                out.append(nid)
        return out

    def ordered(self) -> list[_Draft]:
        """Depth-first: the war-zone tree, then the centers."""
        out: list[_Draft] = []

        def walk(nid: str) -> None:
            out.append(self.nodes[nid])
            for c in self.tree_kids[nid]:
                walk(c)

        walk(self.cid)
        return out + [self.nodes[c] for c in self.nodes[self.cid].children if self.nodes[c].level == "center"]


def tree_nodes(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str | None], str]:
    """The goal tree's nodes as the warehouse has them (id → parent id) and the company's id: what the build
    works out each node's month shape for (pipelines/okr/pacemart.py)."""
    org = _Org(con)
    return {nid: n.parent for nid, n in org.nodes.items()}, org.cid


def goal_tree(con: duckdb.DuckDBPyConnection, month: str, as_of: dt.date | str | None = None,
              plan: Plan | None = None, checkins: list[dict] | None = None, revisions: list[dict] | None = None,
              planned: bool = False) -> GoalTree:
    """The goal tree for `month` as of `as_of` (default: the last date in the data), with the month's key actions
    (manual key results take their values from `checkins`). Each node's status and pace 7 days earlier in the same
    month come along (`status_7d`, `pace_7d`). `revisions` (PlanStore.revisions) are the month's targets changed
    after it began: kept on the tree, and with `planned` the targets as they stood on the 1st are the ones judged.
    The steps, each a function below: the period, the org's nodes, actuals, targets, the month's shape, the
    assessment now and a week ago, the band, then the north star, drivers and key actions."""
    first_date, last_date = data_dates(con)
    period = _period(month, as_of, last_date)
    kept = firstview.parts(con, period.month, period.as_of)     # the first view's reads, when the build kept them
    plan = plan or Plan()
    at_risk = plan.at_risk if plan.at_risk else DEFAULT_AT_RISK
    org = _Org(con, kept.get("org"))
    targets = _targets(plan, org, period.month, revisions or [], planned)
    shapes = month_shapes(con, first_date, last_date, period.month, period.start, period.end, period.days_counted,
                          {nid: n.parent for nid, n in org.nodes.items()}, org.cid)
    judge = _Judge(period, org, targets, shapes, plan.basis, at_risk)
    now = judge.assess(period.upto, kept.get("actuals") or _actuals(con, org, period, period.as_of), period.finished)
    # since last week: each node's status and pace as of 7 days earlier in the same month (none in a month's first
    # week, none once it is over): the same assessment on the actuals of that day
    week = period.as_of - dt.timedelta(days=7)
    then = (judge.assess(week, kept.get("actuals_week") or _actuals(con, org, period, week), False)
            if not period.finished and week >= period.start else {})
    for nid, n in org.nodes.items():
        for m in goals_of(n.level):
            v = now[(nid, m)]
            if (nid, m) in then:
                v = replace(v, status_7d=then[(nid, m)].status, pace_7d=then[(nid, m)].pace)
            n.metrics[m] = v
    _with_band(con, org, period, shapes)

    north_star, north_star_title, since_month_end = _north_star(con, plan, period.as_of, first_date)
    tree = GoalTree(month=period.month, as_of=period.as_of, month_start=period.start, month_end=period.end,
                    days_in_month=period.days_in_month, days_counted=period.days_counted, elapsed=period.elapsed,
                    finished=period.finished, at_risk=at_risk, last_date=last_date, first_date=first_date,
                    has_plan=bool(plan.targets), basis=plan.basis, planned=planned,
                    revisions={(r["node_id"], r["metric"]): r for r in revisions or [] if r["node_id"] in org.nodes},
                    curves=_curves(org, shapes, period),
                    holidays_known_to=company_calendar(con).past_public_years(period.end),
                    nodes=[n.frozen() for n in org.ordered()], north_star=north_star,
                    north_star_title=north_star_title, since_month_end=since_month_end,
                    north_star_end=plan.north_star.end if plan.north_star else None,
                    drivers=kept.get("drivers") or _drivers(con, period.month, period.upto, first_date, org.nodes,
                                                            org.cid, org.path),
                    daily=[{"date": d, **flows} for (d,), flows in sorted(
                        (kept["daily"] if "daily" in kept else
                         goal_flows(con, ("day",), period.start, period.end, period.as_of)).items())])
    tree = replace(tree, key_actions=key_actions(con, plan, checkins or [], tree))
    return tree


def first_view_parts(con: duckdb.DuckDBPyConnection, month: str, as_of: dt.date) -> dict:
    """What `goal_tree` reads from the marts for `month` as of `as_of`, beyond the pace tables: kept by the build
    for the first view (pipelines/okr/firstview.py)."""
    first_date, last_date = data_dates(con)
    period = _period(month, as_of, last_date)
    week = period.as_of - dt.timedelta(days=7)
    rows = org_rows(con)
    org = _Org(con, rows)
    parts = {"org": rows, "actuals": _actuals(con, org, period, period.as_of),
             "drivers": _drivers(con, period.month, period.upto, first_date, org.nodes, org.cid, org.path),
             "daily": goal_flows(con, ("day",), period.start, period.end, period.as_of)}
    if not period.finished and week >= period.start:
        parts["actuals_week"] = _actuals(con, org, period, week)
    return parts


def _period(month: str, as_of, last_date: dt.date | None) -> _Month:
    month, as_of = resolve_period(month, as_of, last_date)
    start, end = month_bounds(month)
    upto = min(as_of, end)
    days_counted = (upto - start).days + 1
    finished = as_of >= end
    return _Month(month, as_of, start, end, upto, end.day, days_counted, finished,
                  1.0 if finished else days_counted / end.day)


def _leaf_flows(con, period: _Month, day: dt.date) -> dict[tuple, dict[str, int]]:
    """Each leaf's (war zone, team, person, center) new stations and members in the month up to `day`."""
    return goal_flows(con, LEAF_DIMS, period.start, period.end, day)


def _actuals(con, org: _Org, period: _Month, day: dt.date) -> dict[str, dict[str, int]]:
    """New stations and members in the month up to `day`, by node: each leaf's flows summed up its path, and the
    members of a center's channels."""
    found = {nid: {m: 0 for m in GOAL_METRICS} for nid in org.nodes}
    for (wz, team, person, center), flows in _leaf_flows(con, period, day).items():
        for nid in org.path(wz, team, person):
            for m in GOAL_METRICS:
                found[nid][m] += flows[m]
        if center is not None:
            found[center]["members"] += flows["members"]
    return found


def _targets(plan: Plan, org: _Org, month: str, revisions: list[dict], planned: bool) -> dict:
    """(node, goal) → the month's target (None: none set); with `planned`, a target revised after the 1st counts as
    it stood then."""
    first_targets = {(r["level"], r["node_id"], r["metric"]): r["old"] for r in revisions}

    def target(nid: str, metric: str) -> float | None:
        key = (org.nodes[nid].level, nid, metric)
        if planned and key in first_targets:
            return first_targets[key]
        return plan.targets.get((month, *key))

    return {(nid, m): target(nid, m) for nid, n in org.nodes.items() for m in goals_of(n.level)}


def _curves(org: _Org, shapes: dict, period: _Month) -> dict:
    """(node, goal) → the expected share of the month by the end of each of its days, for the company and its war
    zones: the charts' pace curve."""
    days = [period.start + dt.timedelta(days=i) for i in range(period.days_in_month)]
    return {(nid, m): [shapes[(nid, m)].share(period.start, period.end, d) for d in days]
            for nid, n in org.nodes.items() if n.level in ("company", "war_zone") for m in GOAL_METRICS}


class _Judge:
    """The assessment of DESIGN §10 for every node and goal on a day, from the targets, the month's shapes and the
    status basis."""

    def __init__(self, period: _Month, org: _Org, targets: dict, shapes: dict, basis: str, at_risk: float):
        self.period, self.org, self.targets, self.shapes = period, org, targets, shapes
        self.basis, self.at_risk = basis, at_risk

    def unallocated(self, nid: str, metric: str) -> float | None:
        t = self.targets[(nid, metric)]
        kids = self.org.tree_kids[nid]
        if t is None or not kids:
            return None
        return t - sum(self.targets[(c, metric)] or 0 for c in kids)

    def assess(self, day: dt.date, counts: dict, done: bool) -> dict[tuple[str, str], MetricValue]:
        """Every node's assessment as of `day`, children before parents. What a node expects by then is, exactly,
        its target × its share due (a leaf), or its children's plus its unallocated target × its own share (a
        parent); stations and members are due in whole units, so `expected` is that rounded down and a shortfall
        of less than one is never behind. gap = actual − expected; a parent's parts are its children's gaps and
        the rest (the unallocated target's part and what whole units leave over), adding up to it exactly. The
        child with the largest shortfall (ties: the lower pace) is the one behind."""
        start, end = self.period.start, self.period.end
        d_elapsed = 1.0 if done else ((day - start).days + 1) / self.period.days_in_month
        d_left = (end - day).days
        nodes, kids_of = self.org.nodes, self.org.tree_kids
        out: dict[tuple[str, str], MetricValue] = {}
        exact: dict[tuple[str, str], float] = {}       # what each node expects, target or not (for the parts)

        def visit(nid: str) -> None:
            for c in nodes[nid].children:
                visit(c)
            for m in goals_of(nodes[nid].level):
                shape = self.shapes[(nid, m)]
                share = 1.0 if done else shape.share(start, end, min(day, end))
                basis_share = share if self.basis == "seasonal" and share > 0 else d_elapsed
                t = self.targets[(nid, m)]
                kids = kids_of[nid]
                left = self.unallocated(nid, m)
                own = ((t or 0) if not kids else (left if t else 0)) * basis_share
                exact[(nid, m)] = sum(exact[(c, m)] for c in kids) + own
                v = node_metrics(t, counts[nid][m], d_elapsed, d_left, done, self.at_risk, share=share,
                                 basis=self.basis, shape=shape.source, expected=whole(exact[(nid, m)]),
                                 choice=shape.choice, counts=True)
                gap = parts = behind = None
                if v.target:
                    gap = v.actual - v.expected
                    if kids:
                        parts = {c: counts[c][m] - whole(exact[(c, m)]) for c in kids}
                        parts["rest"] = gap - sum(parts.values())
                        short = [(p, out[(c, m)].pace if out[(c, m)].pace is not None else 9e9, c)
                                 for c, p in parts.items() if c != "rest" and p < 0]
                        behind = min(short)[2] if short else None
                out[(nid, m)] = replace(v, unallocated=left, gap=gap, gap_parts=parts, behind=behind)

        visit(self.org.cid)
        return out


def _with_band(con, org: _Org, period: _Month, shapes: dict) -> None:
    """The 80 % band around each forecast (pipelines/okr/bands.py): the rest of the month as a count, with the
    chosen forecast's own error beyond chance, calibrated on the replayed months before this one at the same day
    (the company's and each war zone's own; a team, a person or a center takes its zone's, else the company's).
    A finished month's band is its actual."""
    if period.finished:
        for n in org.nodes.values():
            n.metrics = {m: replace(v, forecast_low=v.actual, forecast_high=v.actual) for m, v in n.metrics.items()}
        return
    calibrations = band(con, period.month, period.days_counted)

    def calibration_of(nid: str | None, metric: str):
        while nid is not None:
            if (nid, metric) in calibrations:
                return calibrations[(nid, metric)]
            nid = org.nodes[nid].parent if nid in org.nodes else None
        return None

    def month_share(nid: str, metric: str, v) -> float:
        """The share of the month the forecast was made from: the month's curve, or the days gone."""
        if v.basis == "seasonal":
            return shapes[(nid, metric)].share(period.start, period.end, period.upto)
        return period.elapsed

    for nid, n in org.nodes.items():
        for m, v in n.metrics.items():
            cal = calibration_of(nid, m)
            if cal is not None and v.forecast is not None and (share := month_share(nid, m, v)) > 0:
                low, high = count_band(v.actual, v.forecast, share, cal)
                n.metrics[m] = replace(v, forecast_low=low, forecast_high=high)


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


DRIVER_FLOWS = ("station_masters_recruited", "orders", "gmv")   # the paths summed over days and leaves


def _driver_periods(month: str, upto: dt.date) -> list[list[dt.date]]:
    return [[month_bounds(month)[0], upto], list(comparable_upto(month, upto, 1)),
            list(comparable_upto(month, upto, 12))]


def _driver_rows(con, month: str, upto: dt.date) -> dict[str, list[tuple]]:
    """What the paths are summed from: the path flows by period and leaf (in one order, so that sums of money come
    out the same to the last digit on every read) and active members at each period's end."""
    periods = _driver_periods(month, upto)
    rows = sorted(catalog.grouped(con, DRIVER_FLOWS, ("period", *LEAF_DIMS), upto, periods=periods),
                  key=lambda r: tuple("" if x is None else str(x) for x in r[:5]))
    ends = [(e, e) for _, e in periods]                    # active members: at each period's end
    active = sorted(catalog.grouped(con, "active_members", ("period", *LEAF_DIMS), upto, periods=ends),
                    key=lambda r: tuple("" if x is None else str(x) for x in r[:5]))
    return {"flows": [tuple(r) for r in rows], "active": [tuple(r) for r in active]}


def _drivers(con, month: str, upto: dt.date, first_date, nodes: dict, cid: str, path) -> dict:
    """Paths per node: this period-to-date, last month's and last year's same days; active members at their ends."""
    periods = _driver_periods(month, upto)
    keys = ("value", "last_month", "last_year")
    out = {nid: {d: {k: 0 for k in keys} for d in DRIVERS} for nid in nodes}
    found = _driver_rows(con, month, upto)
    for i, wz, team, person, center, *values in found["flows"]:
        k = keys[i]
        for nid in path(wz, team, person):
            for d, v in zip(DRIVER_FLOWS, values):
                out[nid][d][k] += v
        if center is not None:
            out[center]["orders"][k] += values[1]
            out[center]["gmv"][k] += values[2]
    for i, wz, team, person, center, n in found["active"]:
        for nid in path(wz, team, person):
            out[nid]["active_members"][keys[i]] += n
        out[center]["active_members"][keys[i]] += n
    for nid, n in nodes.items():
        if n.level == "center":
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
        raise NorthstarError("warehouse_missing", db=str(db))
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise NorthstarError("warehouse_unopenable", db=str(db), err=str(exc).splitlines()[0]) from None


def month_start_utc(month: str, time_zone: str) -> str:
    """The first moment of `month` in the company's time zone, as the plan store writes times (UTC, ISO 8601)."""
    from zoneinfo import ZoneInfo

    start, _ = month_bounds(month)
    return dt.datetime.combine(start, dt.time(0), tzinfo=ZoneInfo(time_zone)).astimezone(dt.timezone.utc) \
        .isoformat(timespec="seconds")
