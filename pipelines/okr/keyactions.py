"""The centers' key actions for a month (DESIGN §3, 动作分解): every key result's actual, expected, pace and status.

- Automatic key results take their actual from the metric catalog (`pipelines.base.metrics.value`, with the key result's
  filters) for the month up to the as-of date D.
- Manual key results take theirs from the latest check-in dated in the month that the view counts
  (`checkins_upto`): a check-in is a person's report, not a row of the data, so the latest view (D = the data's last
  date) counts every check-in of the month, including one recorded today after D; a view of an earlier D replays what
  was reported by then. A manual key result whose latest check-in is more than `STALE_DAYS` days before D (or that has
  none) shows `stale`, never its last status: silence is never green. Achieved, missed (the month is over) and no-target
  key results keep theirs.
- Expected, pace, forecast, required per day and status follow the goal tree's rules (`status.node_metrics`):
  one implementation for both.
- A key action's status is its worst key result's; its progress the mean of its key results' actual / target,
  each capped at 1.
- Beside the computed status, each key result carries the confidence its lead declared in the latest check-in
  (on track / at risk / off track) and `mismatch`: the lead declares better than the numbers say (e.g. declared on
  track, computed off track). That is the slipping a leader must see.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from pipelines.base import metrics
from pipelines.base.records import Record, frozen_map
from pipelines.okr.status import MetricValue, level_metrics, mismatch, node_metrics, worst
from pipelines.plan.folder import Plan

STALE_DAYS = 7            # the default; goals.yaml's status.stale_days sets a plan's own
def _latest(checkins: list[dict], start: dt.date, upto: dt.date, with_value: bool) -> dict[str, dict]:
    """Per key result, its latest check-in dated in [start, upto] (only those with a value when `with_value`)."""
    latest: dict[str, dict] = {}
    for c in checkins:
        if with_value and c.get("value") is None:
            continue
        on = c["on_date"] if isinstance(c["on_date"], dt.date) else dt.date.fromisoformat(str(c["on_date"]))
        if start <= on <= upto and (c["key_result_id"] not in latest or on >= latest[c["key_result_id"]]["on_date"]):
            latest[c["key_result_id"]] = {**c, "on_date": on}
    return latest


@dataclass(frozen=True, eq=False, kw_only=True)
class KeyResult(MetricValue):
    """A key result as of D: the numbers and status of a MetricValue by the goal tree's rules (`stale` when a manual
    one's check-in is old), what it measures (a catalog metric with filters, or a manual count in its unit), and
    the lead's latest word (confidence, comment, who, when) with the mismatch flag."""
    id: str
    title: dict
    kind: str                      # "auto" (a catalog metric) or "manual" (check-ins)
    metric: str | None
    filters: dict
    unit: dict | None
    last_checkin: dt.date | None
    progress: float | None
    confidence: str | None
    mismatch: bool
    comment: str | None
    said_on: dt.date | None
    said_by: str | None

    def __post_init__(self):
        super().__post_init__()
        for name in ("title", "filters", "unit"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, frozen_map(getattr(self, name)))


@dataclass(frozen=True, eq=False)
class KeyAction(Record):
    """A center's key action running in the month, with its key results; its status is the worst of theirs."""
    id: str
    center: str
    title: dict
    owner: str | None
    supports: tuple
    war_zones: tuple
    status: str
    progress: float | None
    mismatch: bool
    key_results: tuple[KeyResult, ...]

    def __post_init__(self):
        for name in ("supports", "war_zones", "key_results"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "title", frozen_map(self.title))


def _progress(actual: float | None, target: float | None, what) -> float | None:
    """How much of the target is done, capped at 1 (turned round where lower is better)."""
    if not target or actual is None:
        return None
    if what is not None and what.better == "lower":
        return min(target / actual, 1.0) if actual > 0 else 1.0
    return min(actual / target, 1.0)


def checkins_upto(tree) -> dt.date:
    """The last check-in date a view of `tree` counts: the month's end for the latest view (as-of = the data's last
    date, so a check-in recorded today counts although the data ends earlier), otherwise the as-of date."""
    if tree.last_date is not None and tree.as_of >= tree.last_date:
        return tree.month_end
    return min(tree.as_of, tree.month_end)


def key_actions(con: duckdb.DuckDBPyConnection, plan: Plan | None, checkins: list[dict], tree,
                stale_days: int | None = None) -> list[KeyAction]:
    """The key actions running in `tree.month`, in plan order, each with its key results' numbers."""
    if plan is None:
        return []
    stale_days = plan.stale_days if stale_days is None else stale_days
    upto = min(tree.as_of, tree.month_end)
    days_left = (tree.month_end - tree.as_of).days
    counted = checkins_upto(tree)
    latest = _latest(checkins, tree.month_start, counted, with_value=True)    # a manual key result's value
    said = _latest(checkins, tree.month_start, counted, with_value=False)     # the lead's latest word on any
    out = []
    for ka in plan.key_actions:
        if tree.month not in ka.get("months", []):
            continue
        results = []
        for kr in ka["key_results"]:
            target = kr.get("target")
            what = metrics.CATALOG[kr["metric"]] if kr.get("metric") else None
            if what is not None:
                kind, last = "auto", None
                actual = metrics.value(con, kr["metric"], tree.as_of, tree.month_start, tree.month_end,
                                       **kr.get("filters", {}))
                if what.measure == "flow":
                    actual = actual or 0          # a sum over nothing is 0 done
            else:
                kind = "manual"
                check = latest.get(kr["id"])
                last = check["on_date"] if check else None
                actual = check["value"] if check else 0
            if what is None or what.measure == "flow":
                # a running count, pro-rated through the month; people, stations and the like due in whole units
                row = node_metrics(target, actual, tree.elapsed, days_left, tree.finished, tree.at_risk,
                                   whole_units=what is not None and what.display == "count")
            else:
                start = None
                if what.measure == "stock":      # where the level stood when the month began
                    start = metrics.value(con, kr["metric"], tree.month_start - dt.timedelta(days=1),
                                          **kr.get("filters", {})) or 0
                row = level_metrics(target, actual, tree.elapsed, days_left, tree.finished, tree.at_risk,
                                    what.measure, what.better, start)
            status = row.status
            running = status in ("on_track", "at_risk", "off_track")   # not achieved, missed or untargeted
            if kind == "manual" and running and (last is None or (upto - last).days > stale_days):
                status = "stale"
            word = said.get(kr["id"])
            confidence = word.get("confidence") if word else None
            results.append(KeyResult(
                id=kr["id"], title=kr["title"], kind=kind, metric=kr.get("metric"), filters=kr.get("filters", {}),
                unit=kr.get("unit"), last_checkin=last, progress=_progress(actual, target, what),
                confidence=confidence, mismatch=mismatch(confidence, status),
                comment=word.get("comment") if word else None, said_on=word["on_date"] if word else None,
                said_by=word.get("who") if word else None, **{**row.fields(), "status": status}))
        progress = [r.progress for r in results if r.progress is not None]
        out.append(KeyAction(id=ka["id"], center=ka["center"], title=ka["title"], owner=ka.get("owner"),
                             supports=ka.get("supports", []), war_zones=ka.get("war_zones", []),
                             status=worst(r.status for r in results if r.status != "no_target"),
                             progress=sum(progress) / len(progress) if progress else None,
                             mismatch=any(r.mismatch for r in results), key_results=tuple(results)))
    return out
