"""How a target stands: the one vocabulary (code, severity, icon, colours, its word from the labels, how good a
declared confidence is) and the rules that give a status (DESIGN §5). The goal tree, the key actions, the pages, the
charts and the stylesheet all read it from here: a status is never colour alone, and never spelled twice."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pipelines.base.labels import say
from pipelines.base.records import Record, frozen_map
from pipelines.okr.candidates import Choice

EPS = 1e-9                 # a pace of exactly 1 or exactly the threshold counts as reaching it


@dataclass(frozen=True)
class Status:
    code: str
    icon: str
    ink: str               # text colour on the chip
    colour: str            # the chip, the bar, the card's edge
    hope: int | None       # how good, to compare a lead's declared confidence (None: unknown)

    def word(self, lang: str) -> str:
        """'有风险' / 'At risk' (label status_<code>, pipelines.base.labels)."""
        return say(f"status_{self.code}", lang)


# Worst first: what a reader must look at before what is fine.
_ALL = (
    Status("missed", "✖", "#ffffff", "#8f1d1d", 2),
    Status("off_track", "✖", "#ffffff", "#d9342b", 2),
    Status("stale", "○", "#ffffff", "#6b5fa8", None),
    Status("at_risk", "▲", "#1f1300", "#f5a300", 1),
    Status("on_track", "●", "#ffffff", "#2f9e44", 0),
    Status("achieved", "✔", "#ffffff", "#1b7a3a", 0),
    Status("no_target", "—", "#1f2937", "#d1d5db", None),
)
STATUS: dict[str, Status] = {s.code: s for s in _ALL}
SEVERITY = tuple(s.code for s in _ALL)
RANK = {code: i for i, code in enumerate(SEVERITY)}
# What the numbers can give a goal-tree node (stale is a manual key result's, when its check-in is old).
COMPUTED = ("achieved", "on_track", "at_risk", "off_track", "missed", "no_target")


def worst(statuses) -> str:
    """The most severe status (no_target only when nothing else is there)."""
    statuses = list(statuses)
    return min(statuses, key=RANK.__getitem__) if statuses else "no_target"


def overall(node) -> str:
    """A goal-tree node's worse status of stations and members (no_target only when both have none)."""
    return worst(v.status for v in node.metrics.values() if v.status != "no_target")


def worst_first(nodes: list) -> list:
    """Worst status first, then lowest pace (as judged); nodes without targets last."""
    def badness(n):
        paces = [p for v in n.metrics.values() if (p := v.pace) is not None]
        return RANK[overall(n)], min(paces, default=9e9)

    return sorted(nodes, key=badness)


def mismatch(confidence: str | None, status: str) -> bool:
    """The lead declares better than the numbers say (on track while at risk, off track or missed; at risk while
    off track or missed). Unknown either way (no check-in, stale, no target): no mismatch."""
    if confidence is None or STATUS.get(status) is None or STATUS[status].hope is None:
        return False
    return STATUS[status].hope > STATUS[confidence].hope


CHANCE_Z = 1.2815515655446004     # a shortfall within this many √(expected) of a count is chance (80 % of it)


def beyond_chance(expected: float, actual: float) -> bool:
    """A count's shortfall is more than chance: expected − actual above 1.28 × √expected — what a count of that
    size misses by in one month of ten at the same pace (Poisson). For 100 due that is 13, for 10,000 due 128
    (1.3 %): it spares a sparse count, never a dense one."""
    return expected - actual > CHANCE_Z * math.sqrt(max(expected, 0.0))


def status_of(target: float | None, actual: float, pace: float | None, finished: bool, at_risk: float,
              expected: float | None = None) -> str:
    """The status of DESIGN §5. With `expected` (a count: stations, members) a running month is off track only when
    its shortfall is beyond chance (`beyond_chance`); within it, at most at risk, so a goal of fifteen openings a
    month does not flip to ✖ on one quiet day."""
    if target is None or target == 0:
        return "no_target"
    if actual >= target:
        return "achieved"
    if finished:
        return "missed"
    if pace is None or pace >= 1 - EPS:      # nothing due yet (a whole unit not yet expected) is not behind
        return "on_track"
    if pace >= at_risk - EPS:
        return "at_risk"
    if expected is not None and not beyond_chance(expected, actual):
        return "at_risk"
    return "off_track"


def whole(x: float) -> int:
    """A count due in whole units: the fraction of a unit not yet due is dropped, toward zero (8.02 → 8, −2.7 → −2).
    Stations and members are whole; a shortfall of less than one never changes a status (DESIGN §10)."""
    n = math.floor(abs(x) + EPS)
    return n if x >= 0 else -n


@dataclass(frozen=True, eq=False)
class Reading(Record):
    """The month read on one basis — "linear" (the straight line: the share of days gone) or "seasonal" (the month's
    shape, pipelines/okr/seasonal.py): the count expected by D, the pace (actual ÷ expected) and the month-end forecast
    (actual ÷ the share due). A metric value carries the one its status was judged on as its own fields and the
    other beside it (`MetricValue.other`), so no surface has to choose."""
    basis: str
    expected: float | None
    pace: float | None
    forecast: float | None


@dataclass(frozen=True, eq=False)
class MetricValue(Record):
    """One node (or key result), one metric, as of D: the one assessment of DESIGN §10 — computed here and in the
    goal tree, rendered by every surface (board, war-zone page, brief, Excel, CSV, JSON) and recomputed by none.

    `basis` says what the status was judged on; `expected`, `pace` and `forecast` are that basis's (for stations and
    members `expected` is whole: a parent's is the sum of its children's plus its unallocated target's part, so its
    `gap` = actual − expected is exactly the sum of its `gap_parts`); `other` is the other basis's reading, for
    reference (None when it would say the same). `behind` is the child with the largest shortfall (ties: the lower
    pace): the one rule for "who is behind"."""
    target: float | None
    actual: float
    expected: float | None
    pace: float | None
    forecast: float | None
    required_daily: float | None
    status: str
    unallocated: float | None = None
    basis: str = "linear"
    other: Reading | None = None
    shape: str | None = None           # whose history the shape is: a node id, or "linear" (none long enough)
    forecast_low: float | None = None  # the 80 % band around the forecast (pipelines/okr/replay.py: `band`)
    forecast_high: float | None = None
    gap: float | None = None           # actual − expected (None without a target)
    gap_parts: Mapping | None = None   # a parent's gap split: {child id: part, "rest": part}, adding up to gap
    behind: str | None = None          # the child with the largest shortfall (gap part < 0), the one rule
    status_7d: str | None = None       # the status and pace 7 days earlier in the same month
    pace_7d: float | None = None
    choice: Choice | None = None       # the month's shape: which method was chosen and why (issue 35)

    def __post_init__(self):
        if self.gap_parts is not None:
            object.__setattr__(self, "gap_parts", frozen_map(self.gap_parts))


def node_metrics(target: float | None, actual: float, elapsed: float, days_left: int, finished: bool,
                 at_risk: float, share: float | None = None, basis: str = "linear",
                 shape: str | None = None, expected: float | None = None, whole_units: bool = False,
                 choice=None, counts: bool = False) -> MetricValue:
    """One node (or key result), one metric: the rules of DESIGN §5 and §10.

    `share` is the seasonal share of the month due by D (None: the straight line, `elapsed`); `basis` says which
    one the status is judged on. The expected count is target × that share — whole when `whole_units` (a count of
    stations or members), or `expected` when the goal tree gives it (a parent's: its children's plus its
    unallocated part). Pace = actual ÷ expected; with nothing due yet (expected 0) there is no pace and nothing is
    behind. Forecast = actual ÷ the share due. With `counts` (the goal tree's stations and members) off track needs
    a shortfall beyond chance (`status_of`)."""
    has_target = target is not None and target != 0
    seasonal = basis == "seasonal" and share is not None and share > 0
    used = share if seasonal else elapsed
    if not has_target:
        expected = None
    elif expected is None:
        expected = target * used
        if whole_units:
            expected = whole(expected)
    pace = actual / expected if has_target and expected > EPS else None
    if not has_target or finished:
        required = None
    elif actual >= target:
        required = 0.0
    else:
        required = (target - actual) / days_left
    other = None
    if seasonal:
        line = target * elapsed if has_target else None
        other = Reading("linear", line, actual / line if line else None, actual / elapsed)
    elif share is not None and share > 0 and shape not in (None, "linear"):
        due = target * share if has_target else None
        other = Reading("seasonal", due, actual / due if due else None, actual / share)
    return MetricValue(target=target, actual=actual, expected=expected, pace=pace, forecast=actual / used,
                       required_daily=required, status=status_of(target, actual, pace, finished, at_risk,
                                                                    expected if counts else None),
                       basis="seasonal" if seasonal else "linear", other=other, shape=shape, choice=choice)


def level_metrics(target: float | None, actual: float | None, elapsed: float, days_left: int, finished: bool,
                  at_risk: float, measure: str, better: str = "higher", start: float | None = None) -> MetricValue:
    """A key result on a level rather than a flow (DESIGN §10): a stock judged on the straight path from its value
    at the month's start (`start`) to its target, a share, a median or a rate against the target itself; where
    lower is better (days to open) the comparison is turned round. Met before the month ends is on track (a level
    can fall back); met at its end, achieved. No value (a median of nothing): nothing to judge yet."""
    has_target = target is not None and target != 0
    sign = 1 if better == "higher" else -1
    if not has_target:
        return MetricValue(target=target, actual=actual, expected=None, pace=None, forecast=actual,
                           required_daily=None, status="no_target", basis="target")
    met = actual is not None and sign * (actual - target) >= 0
    expected, pace, forecast, required = target, None, actual, None
    if measure == "stock" and start is not None:
        expected = start + (target - start) * elapsed
        due = sign * (expected - start)
        if actual is not None:
            pace = sign * (actual - start) / due if due > EPS else None
            forecast = start + (actual - start) / elapsed
            if not finished and not met:
                required = abs(target - actual) / max(days_left, 1)
        basis = "path"
    else:
        if actual is not None:
            pace = actual / target if better == "higher" else (target / actual if actual > 0 else None)
        basis = "target"
    if finished:
        status = "achieved" if met else "missed"
    elif met or actual is None or pace is None:
        status = "on_track"
    elif pace >= 1 - EPS:
        status = "on_track"
    elif pace >= at_risk - EPS:
        status = "at_risk"
    else:
        status = "off_track"
    return MetricValue(target=target, actual=actual, expected=expected, pace=pace, forecast=forecast,
                       required_daily=required, status=status, basis=basis)


@dataclass(frozen=True)
class Judged:
    """What a status was judged on: the expected count by D, the pace and the month-end forecast; and the other
    basis's pace, for the pages to show beside it, labelled (None when the node has no shape of its own or its
    parent's, so both would say the same). A view of the MetricValue's own fields: nothing is computed here."""
    seasonal: bool
    expected: float | None
    pace: float | None
    forecast: float | None
    other_pace: float | None


def judged(v) -> Judged:
    """`v` (a MetricValue) as judged: its own basis, expected, pace and forecast (the value knows what it was
    judged on), and the other basis's pace when the node has a shape of its own."""
    shaped = v.shape not in (None, "linear")
    other = v.other
    return Judged(v.basis == "seasonal", v.expected, v.pace, v.forecast,
                  other.pace if other is not None and shaped else None)
