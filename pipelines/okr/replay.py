"""The month's memory (issue 22): every earlier month replayed at the same day — the actual on day N, the month's
truth, the straight-line and shaped forecasts made then — and from those errors the 80 % band the goal tree puts
around a running month's forecast (`band`). backtest.py reports the same replay as a table.

For every month M that is complete in the data and whose same month a year earlier is in the data too, for the
company and each war zone and both goals:
- `truth`: the month's actual as of its last day (the board's number on that day);
- `actual`: the actual as of day N of M (N capped at the month's length − 1: a forecast is made before the end);
- `linear` = actual ÷ (N ÷ days in M); `seasonal` = actual ÷ the share of M expected by day N, the profile learned
  from the history before M only (no month shapes its own expectation);
- the band of M: the seasonal forecast × (1 + the 10th and the 90th percentile of `truth ÷ seasonal − 1` over the
  earlier replayed months of the same node and goal), once there are `MIN_BAND_MONTHS` of them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.base import metrics
from pipelines.base.months import month_bounds, month_of, shift_month
from pipelines.okr import bands, candidates, pacemart, seasonal
from pipelines.okr.flows import GOAL_CATALOG, data_dates
from pipelines.plan.goals import GOAL_METRICS


@dataclass(frozen=True)
class Replayed:
    month: str
    node: str
    metric: str
    day: int
    truth: float
    actual: float
    linear: float
    seasonal: float | None
    low: float | None = None
    high: float | None = None
    forecasts: tuple = ()          # (method, forecast) of every candidate (pipelines/okr/candidates.py)
    sparse: bool = False           # its shape learned from fewer than candidates.MIN_LAST_YEAR events a month
    chosen: str = "linear"         # the method chosen by the node's earlier months (candidates.choose)

    def forecast(self, method: str | None = None) -> float | None:
        """The month-end forecast of `method` (the chosen one by default)."""
        return dict(self.forecasts).get(method or self.chosen, self.linear)


def judged_nodes(con, company: str) -> dict[str, str | None]:
    """The company and its war zones (the org's; the `…/unassigned` zone is not a zone anyone leads)."""
    rows = con.execute("select id, parent, level from org_nodes where level in ('company', 'war_zone')").fetchall()
    nodes = {nid: parent for nid, parent, level in rows if not nid.endswith("/unassigned")}
    nodes.setdefault(company, None)
    return nodes


def months_to_replay(first: dt.date | None, last: dt.date | None, before: str | None = None) -> list[str]:
    """Complete months whose same month a year earlier is in the data (and before `before`, when given)."""
    if first is None or last is None:
        return []
    out = []
    month = shift_month(month_of(first), 12)
    while True:
        start, end = month_bounds(month)
        if end > last or (before is not None and month >= before):
            break
        if month_bounds(shift_month(month, -12))[0] >= first:
            out.append(month)
        month = shift_month(month, 1)
    return out


def replay(con, day: int, before: str | None = None) -> list[Replayed]:
    """Every replayable month's forecasts at day `day` for the company and each war zone (see the module)."""
    return replay_days(con, (day,), before)[day]


def replay_days(con, days, before: str | None = None) -> dict[int, list[Replayed]]:
    """`replay` at each of `days` at once: the months' truths and their actuals at every day needed read in one
    pass each (metrics.grouped_at), each month's profiles learned once, each (month, day)'s forecasts made once.
    The build keeps the result for every day (pipelines/okr/pacebuild.py)."""
    first, last = data_dates(con)
    company = con.execute("select id from org_nodes where level = 'company'").fetchone()
    company = company[0] if company else "company"
    nodes = judged_nodes(con, company)
    months = months_to_replay(first, last, before)
    if not months:
        return {d: [] for d in days}
    hist = seasonal.history(con, first, last, company)
    bounds = {m: month_bounds(m) for m in months}
    ns = {(m, min(d, bounds[m][1].day - 1)) for m in months for d in days}
    points = [(m, None) for m in months] + sorted(ns)        # None: the month's truth, as of its last day
    spans = [(bounds[m][0], bounds[m][1], bounds[m][1] if n is None else bounds[m][0] + dt.timedelta(days=n - 1))
             for m, n in points]
    seen: dict[tuple, float] = {}
    for metric, name in GOAL_CATALOG.items():
        for i, zone, value in metrics.grouped_at(con, name, ("war_zone",), spans):
            for key in ((points[i], zone, metric), (points[i], company, metric)):
                seen[key] = seen.get(key, 0) + value
    shapes = {m: seasonal.node_profiles(con, first, bounds[m][0], nodes, company, last=last) for m in months}
    made: dict[tuple, Replayed] = {}
    for m, n in sorted(ns):
        start, end = bounds[m]
        at = start + dt.timedelta(days=n - 1)
        for nid in nodes:
            for metric in GOAL_METRICS:
                actual = seen.get(((m, n), nid, metric), 0)
                profile = shapes[m][(nid, metric)]
                share = profile.share(start, end, at)
                forecasts = candidates.forecasts(actual, start, end, at, profile, hist.series(nid, metric, start),
                                                 first)
                made[(m, n, nid, metric)] = Replayed(
                    month=m, node=nid, metric=metric, day=n, truth=seen.get(((m, None), nid, metric), 0),
                    actual=actual, linear=actual / (n / end.day), seasonal=actual / share if share > 0 else None,
                    forecasts=tuple(forecasts.items()), sparse=sparse(profile))
    out = {}
    for d in days:
        rows = [made[(m, min(d, bounds[m][1].day - 1), nid, metric)]
                for m in months for nid in nodes for metric in GOAL_METRICS]
        out[d] = _with_bands(_with_choices(rows, nodes))
    return out


def sparse(profile) -> bool:
    """A node's shape was learned from fewer than candidates.MIN_LAST_YEAR events a month (or there is none)."""
    return profile.days <= 0 or profile.count / (profile.days / 30.4375) < candidates.MIN_LAST_YEAR


def decide(earlier: list[Replayed], parents: dict[str, str | None], month: str,
           available: dict[tuple[str, str], set[str]], thin: set | frozenset = frozenset()
           ) -> dict[tuple[str, str], candidates.Choice]:
    """(node, goal) → the method `month` is judged by, for every key of `available` (the methods that can shape
    that node's month): by backtest on the same node and goal's replayed months before it (`earlier`,
    candidates.choose). A thin node (fewer than candidates.MIN_LAST_YEAR events a month in those months: a sparse
    count's errors are noise) takes its parent's choice when it can make that forecast, else the straight line."""
    by_node: dict[tuple[str, str], list[Replayed]] = {}
    for e in earlier:
        if e.month < month:
            by_node.setdefault((e.node, e.metric), []).append(e)
    reference = shift_month(month, -12)
    own: dict[tuple[str, str], candidates.Choice] = {}
    for key, methods in available.items():
        history = [(e.truth, dict(e.forecasts)) for e in by_node.get(key, [])]
        method, errs = candidates.choose(history, {m: 1.0 if m in methods else None for m in candidates.METHODS},
                                         sparse=key in thin)
        judged = len([t for t, _ in history if t > 0])
        why = "backtest" if judged >= candidates.MIN_CHOICE_MONTHS and "linear" in errs else "prior"
        own[key] = candidates.Choice(method, why, judged, errs or None,
                                     reference=reference if method in ("last_year", "blend") else None)
    out = {}
    for (nid, metric), choice in own.items():
        seen = [e.truth for e in by_node.get((nid, metric), [])]
        parent = parents.get(nid)
        theirs = own.get((parent, metric))
        if parent is not None and theirs is not None and seen and sum(seen) / len(seen) < candidates.MIN_LAST_YEAR:
            method = theirs.method if theirs.method in available[(nid, metric)] else "linear"
            choice = candidates.Choice(method, "parent", theirs.months, theirs.errors, parent,
                                       reference if method in ("last_year", "blend") else None)
        out[(nid, metric)] = choice
    return out


def _with_choices(rows: list[Replayed], parents: dict[str, str | None]) -> list[Replayed]:
    """Each replayed month's chosen method (`decide`, from the months before it only)."""
    chosen: dict[tuple[str, str, str], str] = {}
    for month in sorted({r.month for r in rows}):
        available = {(r.node, r.metric): {m for m, v in r.forecasts if v is not None}
                     for r in rows if r.month == month}
        thin = {(r.node, r.metric) for r in rows if r.month == month and r.sparse}
        for (nid, metric), c in decide(rows, parents, month, available, thin).items():
            chosen[(nid, metric, month)] = c.method
    return [Replayed(**{**r.__dict__, "chosen": chosen[(r.node, r.metric, r.month)]}) for r in rows]


def _history(rows: list[Replayed]) -> list[tuple[float, float, float, float]]:
    """(truth, actual, chosen forecast, its share by the day) of replayed months, for bands.calibrate."""
    out = []
    for r in rows:
        f = r.forecast()
        if r.truth > 0 and f is not None and f > 0 and r.actual > 0:
            out.append((r.truth, r.actual, f, r.actual / f))
    return out


def _with_bands(rows: list[Replayed]) -> list[Replayed]:
    """Each replayed month's band around its chosen forecast, calibrated on the same node and goal's earlier
    months only (pipelines/okr/bands.py)."""
    out = []
    for r in rows:
        earlier = [e for e in rows if e.node == r.node and e.metric == r.metric and e.month < r.month]
        cal = bands.calibrate(_history(earlier))
        f = r.forecast()
        if cal is None or f is None:
            out.append(r)
            continue
        share = r.actual / f if f > 0 else r.day / month_bounds(r.month)[1].day
        low, high = bands.count_band(r.actual, f, share, cal)
        out.append(Replayed(**{**r.__dict__, "low": low, "high": high}))
    return out


_MEMORY: dict[tuple, list[Replayed]] = {}


def memory(con, month: str, day: int) -> list[Replayed]:
    """The replayed months before `month` at day `day` (`replay`): what the month's choice of method and its band
    are made from. Kept per warehouse file, month and day."""
    key = (seasonal._database(con), month, day)
    if key[0][0] is not None and key in _MEMORY:
        return _MEMORY[key]
    kept = pacemart.replayed(con, month, day)       # kept by the build, when it is
    rows = replay(con, day, before=month) if kept is None else [Replayed(**fields) for fields in kept]
    if key[0][0] is not None:
        if len(_MEMORY) > 64:
            _MEMORY.clear()
        _MEMORY[key] = rows
    return rows


def band(con, month: str, day: int) -> dict[tuple[str, str], bands.Calibration]:
    """(node, goal) → the band's calibration for a forecast made on day `day` of `month`, from the replayed months
    before it: the company's and each war zone's (none with fewer than bands.MIN_BAND_MONTHS)."""
    rows = memory(con, month, day)
    out = {}
    for node, metric in {(r.node, r.metric) for r in rows}:
        cal = bands.calibrate(_history([r for r in rows if r.node == node and r.metric == metric]))
        if cal is not None:
            out[(node, metric)] = cal
    return out
