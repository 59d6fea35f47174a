"""How a target stands: the one vocabulary (code, severity, icon, word in Chinese and English, colours, how good a
declared confidence is) and the rules that give a status (DESIGN §5). The goal tree, the key actions, the pages, the
charts and the stylesheet all read it from here: a status is never colour alone, and never spelled twice."""
from __future__ import annotations

from dataclasses import dataclass

from pipelines.records import Record

EPS = 1e-9                 # a pace of exactly 1 or exactly the threshold counts as reaching it


@dataclass(frozen=True)
class Status:
    code: str
    icon: str
    zh: str
    en: str
    ink: str               # text colour on the chip
    colour: str            # the chip, the bar, the card's edge
    hope: int | None       # how good, to compare a lead's declared confidence (None: unknown)


# Worst first: what a reader must look at before what is fine.
_ALL = (
    Status("missed", "✖", "未达成", "Missed", "#ffffff", "#8f1d1d", 2),
    Status("off_track", "✖", "落后", "Off track", "#ffffff", "#d9342b", 2),
    Status("stale", "○", "未更新", "Stale", "#ffffff", "#6b5fa8", None),
    Status("at_risk", "▲", "有风险", "At risk", "#1f1300", "#f5a300", 1),
    Status("on_track", "●", "正常", "On track", "#ffffff", "#2f9e44", 0),
    Status("achieved", "✔", "已达成", "Achieved", "#ffffff", "#1b7a3a", 0),
    Status("no_target", "—", "无目标", "No target", "#1f2937", "#d1d5db", None),
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
    return worst(v["status"] for v in node["metrics"].values() if v["status"] != "no_target")


def worst_first(nodes: list, basis: str = "linear") -> list:
    """Worst status first, then lowest pace (on the status basis); nodes without targets last."""
    def badness(n):
        paces = [p for v in n["metrics"].values() if (p := judged(v, basis).pace) is not None]
        return RANK[overall(n)], min(paces, default=9e9)

    return sorted(nodes, key=badness)


def mismatch(confidence: str | None, status: str) -> bool:
    """The lead declares better than the numbers say (on track while at risk, off track or missed; at risk while
    off track or missed). Unknown either way (no check-in, stale, no target): no mismatch."""
    if confidence is None or STATUS.get(status) is None or STATUS[status].hope is None:
        return False
    return STATUS[status].hope > STATUS[confidence].hope


def status_of(target: float | None, actual: float, pace: float | None, finished: bool, at_risk: float) -> str:
    if target is None or target == 0:
        return "no_target"
    if actual >= target:
        return "achieved"
    if finished:
        return "missed"
    if pace >= 1 - EPS:
        return "on_track"
    if pace >= at_risk - EPS:
        return "at_risk"
    return "off_track"


@dataclass(frozen=True, eq=False)
class MetricValue(Record):
    """One node (or key result), one metric, as of D: the numbers of DESIGN §5 and the status they give.
    `unallocated` (a parent's target no child holds) is the goal tree's to fill in."""
    target: float | None
    actual: float
    expected: float | None
    pace: float | None
    forecast: float
    required_daily: float | None
    status: str
    unallocated: float | None = None
    # the month's own shape (pipelines/seasonal.py): the share expected by D from the node's history
    expected_seasonal: float | None = None
    pace_seasonal: float | None = None
    forecast_seasonal: float | None = None
    shape: str | None = None           # whose history the shape is: a node id, or "linear" (none long enough)
    forecast_low: float | None = None  # the 80 % band around forecast_seasonal (pipelines/backtest.py: `band`)
    forecast_high: float | None = None
    gap: float | None = None           # actual − expected on the status basis (None without a target)
    gap_parts: dict | None = None      # a parent's gap split: {child id: part, "unallocated": part}, adding up to gap
    status_7d: str | None = None       # the status and pace (on the basis) 7 days earlier in the same month
    pace_7d: float | None = None


def node_metrics(target: float | None, actual: float, elapsed: float, days_left: int, finished: bool,
                 at_risk: float, share: float | None = None, basis: str = "linear",
                 shape: str | None = None) -> MetricValue:
    """One node (or key result), one metric: the rules of DESIGN §5. `share` is the seasonal share of the month
    expected by D (None: the straight line, `elapsed`); `basis` says which pace the status follows."""
    has_target = target is not None and target != 0
    expected = target * elapsed if has_target else None
    pace = actual / target / elapsed if has_target else None   # not actual / expected: expected may underflow
    if not has_target or finished:
        required = None
    elif actual >= target:
        required = 0.0
    else:
        required = (target - actual) / days_left
    share = elapsed if share is None else share
    seasonal = actual / target / share if has_target and share > 0 else None
    judged = seasonal if basis == "seasonal" and seasonal is not None else pace
    return MetricValue(target=target, actual=actual, expected=expected, pace=pace, forecast=actual / elapsed,
                       required_daily=required, status=status_of(target, actual, judged, finished, at_risk),
                       expected_seasonal=target * share if has_target else None, pace_seasonal=seasonal,
                       forecast_seasonal=actual / share if share > 0 else None, shape=shape)


@dataclass(frozen=True)
class Judged:
    """What a status was judged on (DESIGN §5 on the `status.basis`): the expected count by D, the pace and the
    month-end forecast; and the other basis's pace, for the pages to show beside it, labelled (None when the node
    has no shape of its own or its parent's, so both would say the same)."""
    seasonal: bool
    expected: float | None
    pace: float | None
    forecast: float | None
    other_pace: float | None


def judged(v, basis: str) -> Judged:
    """`v` (a MetricValue) read on `basis`, exactly as node_metrics judged its status: the month's shape when the
    basis is seasonal and the shape gives a share (a target, a share above 0), the straight line otherwise."""
    seasonal = basis == "seasonal" and v["pace_seasonal"] is not None
    shaped = v["shape"] not in (None, "linear")
    if seasonal:
        return Judged(True, v["expected_seasonal"], v["pace_seasonal"], v["forecast_seasonal"],
                      v["pace"] if shaped else None)
    return Judged(False, v["expected"], v["pace"], v["forecast"], v["pace_seasonal"] if shaped else None)
