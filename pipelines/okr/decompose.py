"""Goal decomposition (目标分解) for the Plan page: a month's targets split company → war zones → teams → people (and
company → centers for members), checked while they are edited; no Streamlit.

- `split()`: a whole target split in proportion to weights, rounded so the parts add up exactly (largest remainder).
- `trailing_actuals()`: each node's new stations and new members over the 3 months before the planned month, the
  basis of the suggested split.
- `check()`: the edited cells (text, as typed or pasted) → numbers, with every refused cell and why.
- `allocation()`: for every parent, the sum of its children's targets and what is left `unallocated`.
- `diff()`: the targets that differ from the plan store's, to save as one change.
"""
from __future__ import annotations

import datetime as dt
import math

import duckdb

from pipelines.base.months import month_bounds, month_of, shift_month
from pipelines.okr.goaltree import LEAF_DIMS, goal_flows
from pipelines.plan.goals import GOAL_METRICS, parse_number
from pipelines.plan.goals import same_target as same

Key = tuple[str, str, str]            # (level, node_id, metric)
CHILD_LEVEL = {"company": "war_zone", "war_zone": "team", "team": "person"}
TRAILING_MONTHS = 3

SQL_ORG = "select id, parent, level, name_zh, name_en from org_nodes order by ord"

def split(total: float, weights: list[float]) -> list[int]:
    """`total` (rounded to a whole number) split in proportion to `weights`, in whole numbers adding up exactly.

    Largest remainder: each part gets the floor of its share, and the units left go to the largest remainders
    (ties: the larger weight, then the earlier part). With no positive weight the split is even.
    7 over [1, 1, 1] → [3, 2, 2]."""
    whole = int(round(total))
    n = len(weights)
    if n == 0:
        return []
    w = [max(float(x or 0), 0.0) for x in weights]
    if sum(w) <= 0:
        w = [1.0] * n
    scale = sum(w)
    shares = [whole * x / scale for x in w]
    parts = [math.floor(s) for s in shares]
    left = whole - sum(parts)
    order = sorted(range(n), key=lambda i: (-(shares[i] - parts[i]), -w[i], i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def org_nodes(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The org as built into the warehouse: id, parent, level, name_zh, name_en (company first)."""
    return [dict(zip(("id", "parent", "level", "name_zh", "name_en"), r)) for r in con.execute(SQL_ORG).fetchall()]


def trailing_period(month: str, last_date: dt.date) -> tuple[dt.date, dt.date]:
    """The 3 months of data before `month`: the 3 months before it, or — planning further ahead than the data
    reaches — the last 3 months up to the last date in the data."""
    end = min(month_bounds(shift_month(month, -1))[1], last_date)
    start = month_bounds(shift_month(month_of(end), -(TRAILING_MONTHS - 1)))[0]
    return start, end


def plan_months(last_date: dt.date, ahead: int = 6) -> list[str]:
    """The months one can plan: the month of the last date in the data and the `ahead` months after it."""
    current = month_of(last_date)
    return [shift_month(current, k) for k in range(ahead + 1)]


def trailing_actuals(con: duckdb.DuckDBPyConnection, month: str, last_date: dt.date) -> dict[str, dict]:
    """node id → {stations, members}: new stations and new members (not refunded by the period's end) over the
    3 months before `month`, for the company, every war zone, team and person, and every center."""
    start, upto = trailing_period(month, last_date)
    out: dict[str, dict] = {}

    def add(nid: str, metric: str, n: int) -> None:
        out.setdefault(nid, {m: 0 for m in GOAL_METRICS})[metric] += n

    company = con.execute("select coalesce((select id from org_nodes where level = 'company'), 'company')"
                          ).fetchall()[0][0]
    # the goal tree's actuals (the catalog's grouped form), seen as of the period's end
    for (wz, team, person, center), flows in goal_flows(con, LEAF_DIMS, start, upto, upto).items():
        for nid in {company, wz, team, person}:
            for m in GOAL_METRICS:
                add(nid, m, flows[m])
        if center is not None:
            add(center, "members", flows["members"])
    return out


def children(nodes: list[dict], parent: dict) -> list[dict]:
    """The children a parent's target is split over: war zones, teams or people; a center is never a child here."""
    level = CHILD_LEVEL.get(parent["level"])
    return [n for n in nodes if n["parent"] == parent["id"] and n["level"] == level]


def centers(nodes: list[dict]) -> list[dict]:
    return [n for n in nodes if n["level"] == "center"]


def suggest(parent_target: float, kids: list[dict], actuals: dict[str, dict], metric: str) -> dict[str, int]:
    """Each child's share of the parent's target, in proportion to its trailing actuals (even with none)."""
    parts = split(parent_target, [actuals.get(k["id"], {}).get(metric, 0) for k in kids])
    return {k["id"]: p for k, p in zip(kids, parts)}


def suggest_all(values: dict[Key, float | None], nodes: list[dict], actuals: dict[str, dict]
                ) -> dict[Key, float | None]:
    """The company's targets split all the way down — zones, then teams, then people, and members to the centers —
    each parent's target (as split) in proportion to its children's trailing actuals. Parents without a target
    leave their children as they are."""
    out = dict(values)
    for parent in nodes:                      # company first, then zones, then teams: the org's order
        groups = [(children(nodes, parent), GOAL_METRICS)]
        if parent["level"] == "company":
            groups.append((centers(nodes), ("members",)))
        for kids, metrics in groups:
            for metric in metrics:
                target = out.get((parent["level"], parent["id"], metric))
                if not kids or target is None:
                    continue
                for kid_id, part in suggest(target, kids, actuals, metric).items():
                    out[(kids[0]["level"], kid_id, metric)] = part
    return out


def split_effects(current: dict[Key, float | None], suggested: dict[Key, float | None],
                  keep: set[Key] = frozenset()) -> dict[str, list[Key]]:
    """What applying `suggested` over the draft `current` would do, for the reader to see before and after:
    `overwrites`, the targets already in the draft that the split would change (ask before replacing them), and
    `zeros`, the targets the split sets to 0 (a share rounded down to nothing, or no trailing actuals): a 0 reads as
    "no target", so a split never does that silently. Keys in `keep` (the company's own targets) are left alone."""
    changed = {k: v for k, v in suggested.items() if k not in keep and v is not None and current.get(k) != v}
    return {"overwrites": sorted(k for k in changed if current.get(k) is not None),
            "zeros": sorted(k for k, v in changed.items() if v == 0)}


def fmt_target(value: float | None) -> str:
    """12.0 → '12', 1200.0 → '1,200', 12.5 → '12.5', None → '' (the text a cell shows; check() reads commas)."""
    if value is None:
        return ""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"


def check(cells: dict[Key, str]) -> tuple[dict[Key, float | None], dict[Key, str]]:
    """Edited cells (text) → ({key: number or None for blank}, {key: why refused}) for negatives and non-numbers."""
    values: dict[Key, float | None] = {}
    problems: dict[Key, str] = {}
    for key, raw in cells.items():
        text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
        if text == "":
            values[key] = None
            continue
        number = parse_number(text)
        if number is None:
            problems[key] = f"'{text}' is not a number"
        elif number < 0:
            problems[key] = f"{text} is negative; targets are counts ≥ 0"
        else:
            values[key] = number
    return values, problems


def allocation(values: dict[Key, float | None], nodes: list[dict]) -> list[dict]:
    """Every parent with children (company → zones, zone → teams, team → people; company → centers for members):
    its target, the sum of its children's, and `unallocated` = target − sum (None without a target)."""
    out = []
    for parent in nodes:
        groups = [(children(nodes, parent), GOAL_METRICS)]
        if parent["level"] == "company":
            groups.append((centers(nodes), ("members",)))
        for kids, metrics in groups:
            if not kids:
                continue
            for metric in metrics:
                target = values.get((parent["level"], parent["id"], metric))
                total = sum(values.get((k["level"], k["id"], metric)) or 0 for k in kids)
                out.append({"id": parent["id"], "level": parent["level"], "child_level": kids[0]["level"],
                            "metric": metric, "target": target, "children": total,
                            "unallocated": None if target is None else target - total})
    return out


def diff(values: dict[Key, float | None], current: dict[Key, float]) -> dict[Key, float | None]:
    """The entries whose value differs from the store's current one (None = remove a target that exists): `rebase`
    of a draft opened on the store as it is now."""
    return rebase(values, current, current)[2]


def month_targets(targets: dict[tuple[str, str, str, str], float], month: str) -> dict[Key, float]:
    """The plan's targets of one month, keyed (level, node, metric)."""
    return {(lv, nid, m): v for (mo, lv, nid, m), v in targets.items() if mo == month}


def rebase(values: dict[Key, float | None], base: dict[Key, float], current: dict[Key, float]
           ) -> tuple[dict[Key, float | None], dict[Key, float | None], dict[Key, float | None]]:
    """A reader's draft against the store, three ways: `base` is what the store held when the reader opened the
    month, `current` what it holds now. Returns (theirs, conflicts, mine):
    - theirs: cells the reader did not change and someone else did → take the store's value (key: value now);
    - conflicts: cells both changed, to different values → the reader decides (key: the value now);
    - mine: the reader's changes to save (key: the reader's value; None removes a target), conflicts excluded and
      cells already holding the reader's value left out.
    A save writes only `mine`, so a colleague's edit of another cell is never overwritten."""
    theirs, conflicts, mine = {}, {}, {}
    for key in values:                  # the cells on the page: a target of a node not shown is never touched
        value, opened, now = values.get(key), base.get(key), current.get(key)
        changed_by_me = not same(value, opened)
        changed_by_them = not same(now, opened)
        if changed_by_me and changed_by_them:
            if not same(value, now):
                conflicts[key] = now
        elif changed_by_them:
            theirs[key] = now
        elif changed_by_me:
            mine[key] = value
    return theirs, conflicts, mine
