"""The month's shape every node of the goal tree is judged by (issue 35): the method chosen by backtest
(pipelines/okr/candidates.py, pipelines/okr/replay.py), drawn as the expected share of the month by each of its
days.

- The company and each war zone: every candidate's curve from the node's own history (its profile, its year-ago
  month), and the method its own replayed months at the same day chose (`replay.decide`; a thin zone takes the
  company's choice).
- A team, a person, a center and an unassigned node: the choice of the nearest of those above it (its zone, else the
  company), drawn from its own history where that method can be (its profile falls back to its parent's as
  always); where it cannot (a person's year-ago month is a handful of joins), the zone's curve.
- Less than a year of data: the straight line, and the choice says why.
- A month that is over is judged on its result: its curve (for the charts) is the calendar's, with no backtest.

One shape per node and goal serves the status now and a week ago, the expected count, the forecast and the charts'
pace curve: the month is judged on one curve.
"""
from __future__ import annotations

import datetime as dt

from pipelines.okr import candidates, pacemart, replay, seasonal
from pipelines.okr.candidates import Choice, MonthShape


def month_shapes(con, first: dt.date | None, last: dt.date | None, month: str, start: dt.date, end: dt.date,
                 day: int, nodes: dict[str, str | None], company: str, stored: bool = True,
                 earlier: list | None = None) -> dict[tuple[str, str], MonthShape]:
    """(node id, goal) → the MonthShape the node's month is judged by, for every node of `nodes` (id → parent id)
    and both goals; `day` is the day of the month the judgment is made on (the backtest replays that day). The
    build keeps this month's and last month's (pipelines/okr/pacemart.py): read from there when `stored`.
    `earlier`: the replayed months the choice is made from, when the caller has them (else `replay.memory`)."""
    if stored and (kept := pacemart.shapes(con, month, day, nodes)) is not None:
        return kept
    days = (end - start).days + 1
    line = tuple((i + 1) / days for i in range(days))
    goals = ("stations", "members")
    if first is None or last is None or start - first < dt.timedelta(days=seasonal.MIN_HISTORY_DAYS):
        none = Choice("linear", "history")
        return {(nid, m): MonthShape(start, end, line, "linear", none) for nid in nodes for m in goals}
    profiles = seasonal.node_profiles(con, first, start, nodes, company, last=last)
    if day >= days:
        # a month that is over is judged on its result: no backtest to run (a first view of a past month stays
        # cheap); the charts draw the calendar's curve it ran against
        done = Choice("seasonal", "finished")
        return {(nid, m): MonthShape(start, end, tuple(float(x) for x in candidates.curves(
                    start, end, profiles[(nid, m)], None, first, ("seasonal",))["seasonal"]),
                    profiles[(nid, m)].source or "linear", done) for nid in nodes for m in goals}
    hist = seasonal.history(con, first, max(last, start - dt.timedelta(days=1)), company)
    judged = {nid: parent for nid, parent in replay.judged_nodes(con, company).items() if nid in nodes}
    judged.setdefault(company, None)

    def own(nid: str, metric: str, methods) -> dict:
        return candidates.curves(start, end, profiles[(nid, metric)], hist.series(nid, metric, start), first,
                                 methods)

    def source(nid: str, metric: str, method: str) -> str:
        if method == "linear":
            return "linear"
        shape = profiles[(nid, metric)].source or "linear"
        return nid if method == "last_year" else shape

    mine = {(nid, m): own(nid, m, candidates.METHODS) for nid in judged for m in goals}
    rows = replay.memory(con, month, day) if earlier is None else earlier
    available = {key: {m for m, c in found.items() if c is not None} for key, found in mine.items()}
    thin = {key for key in mine if replay.sparse(profiles[key])}
    choices = replay.decide(rows, judged, month, available, thin)
    out: dict[tuple[str, str], MonthShape] = {}
    for (nid, metric), choice in choices.items():
        out[(nid, metric)] = MonthShape(start, end, tuple(float(x) for x in mine[(nid, metric)][choice.method]),
                                        source(nid, metric, choice.method), choice)

    def above(nid: str) -> str:
        parent = nodes.get(nid)
        while parent is not None and parent not in judged:
            parent = nodes.get(parent)
        return parent if parent is not None else company

    for nid in nodes:
        for metric in goals:
            if (nid, metric) in out:
                continue
            theirs = out[(above(nid), metric)]
            method = theirs.choice.method
            curve = own(nid, metric, (method,))[method]       # its own history, else the zone's curve
            cumulative, whence = ((theirs.cumulative, theirs.source) if curve is None else
                                  (tuple(float(x) for x in curve), source(nid, metric, method)))
            # the node whose backtest made the choice: the zone's own, or the company's a thin zone took
            whose = theirs.choice.parent if theirs.choice.why == "parent" else above(nid)
            out[(nid, metric)] = MonthShape(start, end, cumulative, whence,
                                            Choice(method, "parent", theirs.choice.months, theirs.choice.errors,
                                                   whose, theirs.choice.reference))
    return out
