"""The metric catalog (DESIGN §4): one definition per metric, in words (zh/en) and in SQL over the marts.

Every page, the goal tree, planning, key results and the command line compute metrics here: `value()` gives one
number; `grouped()` gives an additive metric (a `Flow`: a sum over a mart) by war zone / team / person / center /
channel / day / month, which is how the goal tree, the war-zone page and planning read their actuals, so a rule such
as "a member counts until refunded" is written once. The Data page shows this catalog. Parameters are named: a
period (`start`, `end`), an as-of date D, and filters on `war_zone`, `team`, `person`, `center`, `channel` (null =
all). SQL text comes only from this module's fixed vocabulary; values are always parameters.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from pipelines.base.labels import Words

FILTERS = ("war_zone", "team", "person", "center", "channel")
NODE_LEVELS = ("war_zone", "team", "person")
# The one way a dimension is filtered, here and on the Cohorts page: a null parameter means "all".
_FILTER = "(${f} is null or {p}{f} = ${f})"
_FILTER_MANY = "(${f} is null or list_contains(${f}, {p}{f}))"
# Each station with its dates and its place in the war-zone tree (a subquery the station metrics filter).
_STATIONS = ("(select s.station_id, s.signed_on, s.opened_on, s.closed_on, n.war_zone, n.team, n.person "
             "from stations as s join station_nodes as n using (station_id))")
def member_counts(prefix: str = "") -> str:
    """A member counts from joined_on until a refund that happened on or before D (DESIGN §4)."""
    return f"({prefix}refunded_on is null or {prefix}refunded_on > $as_of)"


MEMBER_COUNTS = member_counts()


def filter_sql(dims: tuple[str, ...], prefix: str = "", many: bool = False) -> str:
    """`($war_zone is null or war_zone = $war_zone) and …` for the dimensions `dims` (columns of `prefix`); with
    `many`, each parameter is a list of values, any of which matches."""
    form = _FILTER_MANY if many else _FILTER
    return " and ".join(form.format(f=f, p=prefix) for f in dims) or "true"


def node_filters(node: dict) -> dict[str, str]:
    """The filters that select a goal-tree node: {} for the company, {level: id} for a war zone, team, person or
    center (the marts carry each node's id in the column of its level)."""
    return {} if node.level == "company" else {node.level: node.id}


_NODE_FILTER = filter_sql(NODE_LEVELS)
_COHORT_FILTER = filter_sql(("war_zone", "team", "center", "channel"))
_REFERRAL_FILTER = filter_sql(("war_zone", "team", "center", "channel"), prefix="n.")


@dataclass(frozen=True)
class Flow:
    """An additive metric as a sum over a mart: `sum(measure)` over the rows of `table` whose `day` falls in the
    window (`period`: the period up to D; `to_date`: every day up to D; `on`: D itself) and that `counts` as of D.
    The grouped form adds it up by any of the mart's `dims`, and by `day` or `month`."""
    table: str
    day: str
    measure: str
    window: str = "period"
    counts: str = "true"
    dims: tuple[str, ...] = ("war_zone", "team", "person", "center")
    real: bool = False     # an amount (summed as a double), not a count

    def where(self) -> str:
        window = {"period": f"{self.day} between $start and least($end, $as_of)",
                  "to_date": f"{self.day} <= $as_of",
                  "on": f"{self.day} = $as_of"}[self.window]
        return f"{window} and {self.counts}"

    def sql(self, filters: tuple[str, ...]) -> str:
        """The metric's one number: the flow summed over everything the filters keep."""
        return (f"select coalesce(sum({self.measure}), 0) from {self.table} "
                f"where {self.where()} and {filter_sql(filters)}")


_NODE_FACTS = dict(table="daily_node_facts", day="date")
_MEMBER_JOINS = dict(table="member_joins", day="joined_on", counts=MEMBER_COUNTS,
                     dims=("war_zone", "team", "person", "center", "channel"))


def _retention_sql(k: int) -> str:
    """Month-k retention over the cohorts that joined in the period and have completed month k by D."""
    return f"""select sum(active)::double / nullif(sum(cohort_size), 0) from member_cohorts
        where month_index = {k} and cohort_month between date_trunc('month', $start::date) and $end
          and last_day(cohort_month + interval {k} month) <= $as_of and {_COHORT_FILTER}"""


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str              # "goal", "path" or "cohort"
    label_zh: str
    label_en: str
    unit_zh: str
    unit_en: str
    definition_zh: str
    definition_en: str
    sql: str               # returns one number; parameters: start, end, as_of and the filters
    filters: tuple[str, ...]
    flow: Flow | None = None   # an additive metric: also by node, center, day or month (`grouped`)
    # What the number is, for judging a key result on it (DESIGN §10): `measure` — "flow" (a count or sum over the
    # period, pro-rated through the month), "stock" (a level at D), "share" (a ratio between 0 and 1), "median",
    # "rate" (a ratio of two counts); `better` — "higher" or "lower"; `display` — how a page writes it.
    measure: str = "flow"
    better: str = "higher"
    display: str = "count"     # count | money | pct | days | ratio

    def target_problem(self, target: float | None) -> Words | None:
        """Why a key result's target cannot be judged on this metric, or None: a share's target is a fraction
        (0.5 for 50 %), a median's or a rate's is above 0, and so is any target where lower is better."""
        if target is None:
            return None
        if self.measure == "share" and not 0 < target <= 1:
            return Words("target_share", metric=self.name, target=f"{target:g}")
        if self.measure in ("median", "rate") and target <= 0:
            return Words("target_above_zero", metric=self.name, measure=self.measure, target=f"{target:g}")
        if self.better == "lower" and target <= 0:
            return Words("target_lower_better", metric=self.name, target=f"{target:g}")
        return None


def _flow_metric(name, kind, label_zh, label_en, unit_zh, unit_en, definition_zh, definition_en, flow: Flow,
                 filters: tuple[str, ...], **what) -> Metric:
    return Metric(name, kind, label_zh, label_en, unit_zh, unit_en, definition_zh, definition_en, flow.sql(filters),
                  filters, flow, **what)


CATALOG: dict[str, Metric] = {m.name: m for m in [
    _flow_metric(
        "new_stations", "goal", "新开驿站", "New stations", "个", "stations",
        "统计期内开业（opened_on 在期内且不晚于截至日 D）的驿站数。月度目标「驿站」即本指标。",
        "Stations with opened_on in the period and on or before the as-of date D. The monthly `stations` "
        "target counts this.",
        Flow(measure="new_stations", **_NODE_FACTS), NODE_LEVELS),
    Metric(
        "active_stations", "goal", "在营驿站", "Active stations", "个", "stations",
        "截至日 D 已开业（opened_on ≤ D）且未关闭（closed_on 为空或晚于 D）的驿站数。北极星「2万驿站」统计本指标。",
        "Stations with opened_on ≤ D and closed_on empty or after D. The north star's 20,000 stations counts this.",
        f"""select count(*) from {_STATIONS}
            where opened_on <= $as_of and (closed_on is null or closed_on > $as_of) and {_NODE_FILTER}""",
        NODE_LEVELS, measure="stock"),
    _flow_metric(
        "new_members", "goal", "新增会员", "New members", "人", "members",
        "统计期内入会（joined_on 在期内且不晚于 D），且截至 D 未退费的会员数。月度目标「会员」即本指标。",
        "Members with joined_on in the period and on or before D, not refunded on or before D. The monthly "
        "`members` target counts this.",
        Flow(measure="members", **_MEMBER_JOINS), FILTERS),
    _flow_metric(
        "members_served", "goal", "服务会员", "Members served", "人", "members",
        "截至日 D 已入会（joined_on ≤ D）且未退费（退费日为空或晚于 D）的会员数。北极星「1000万创业者」统计本指标。",
        "Members with joined_on ≤ D, not refunded on or before D. The north star's 10 million counts this.",
        Flow(measure="members", window="to_date", **_MEMBER_JOINS), FILTERS, measure="stock"),
    _flow_metric(
        "station_masters_recruited", "path", "招募站长", "Station masters recruited", "人", "masters",
        "统计期内签约（signed_on 在期内，不晚于 D）的驿站数，即招到的站长。路径指标，不是目标。",
        "Stations with signed_on in the period (on or before D): station masters signed. A path, not a goal.",
        Flow(measure="station_masters_recruited", **_NODE_FACTS), NODE_LEVELS),
    _flow_metric(
        "orders", "path", "订单数", "Orders", "单", "orders",
        "统计期内（不晚于 D）下单且状态为已支付（paid）的订单数。路径指标。",
        "Orders with status paid and ordered_at in the period (on or before D). A path.",
        Flow(measure="orders", **_NODE_FACTS), NODE_LEVELS + ("center",)),
    _flow_metric(
        "gmv", "path", "成交额", "GMV", "元", "CNY",
        "统计期内（不晚于 D）已支付订单的金额（amount）之和。路径指标。",
        "Sum of amount over orders with status paid and ordered_at in the period (on or before D). A path.",
        Flow(measure="gmv", real=True, **_NODE_FACTS), NODE_LEVELS + ("center",), display="money"),
    Metric(
        "signing_conversion", "path", "签约→开业转化率（90天）", "Signed → opened (90 days)", "", "share",
        "截至 D，签约于 D 前 91–180 天的驿站中，在签约后 90 天内开业的比例。没有这样的签约时为空。路径指标。",
        "Of the stations signed 91–180 days before D, the share that opened within 90 days of signing (empty when "
        "none were signed then). A path.",
        f"""select avg(case when opened_on is not null and opened_on <= signed_on + 90 then 1.0 else 0.0 end)
            from {_STATIONS}
            where signed_on between $as_of - 180 and $as_of - 91 and {_NODE_FILTER}""",
        NODE_LEVELS, measure="share", display="pct"),
    Metric(
        "days_to_open", "path", "签约到开业天数（中位数）", "Days from signing to opening (median)", "天", "days",
        "统计期内开业（不晚于 D）的驿站，从签约（signed_on）到开业（opened_on）天数的中位数。路径指标。",
        "The median days from signed_on to opened_on of the stations opened in the period (on or before D). A path.",
        f"""select median(opened_on - signed_on) from {_STATIONS}
            where opened_on between $start and least($end, $as_of) and {_NODE_FILTER}""",
        NODE_LEVELS, measure="median", better="lower", display="days"),
    Metric(
        "members_per_new_station", "path", "新站人均会员", "Members per new station", "人/站", "members/station",
        "统计期内开业（不晚于 D）的驿站，截至 D 的会员数（已入会且未退费）除以这些驿站的数量。路径指标。",
        "Members (joined on or before D, not refunded on or before D) of the stations opened in the period (on or "
        "before D), per such station. A path.",
        f"""with new as (
                select station_id from {_STATIONS}
                where opened_on between $start and least($end, $as_of) and {_NODE_FILTER})
            select (select count(*) from members as m semi join new using (station_id)
                    where m.joined_on <= $as_of and {member_counts("m.")})
                   / nullif((select count(*) from new), 0)""",
        NODE_LEVELS, measure="rate", display="ratio"),
    _flow_metric(
        "active_members", "path", "活跃会员", "Active members", "人", "members",
        "截至 D 的 30 天内（D-29 至 D）至少有一笔已支付订单的会员数（去重）。路径指标。",
        "Distinct members with at least one paid order in the 30 days ending D (D-29 to D). A path.",
        Flow(table="daily_active_members", day="date", measure="active_members", window="on"),
        NODE_LEVELS + ("center",), measure="stock"),
    Metric(
        "m1_retention", "cohort", "M1 留存", "M1 retention", "", "share",
        "入会月份在统计期内、且入会次月已结束（不晚于 D）的会员同期群中，入会次月（M1）有已支付订单的比例，按人数加权。"
        "同期群为截至建库日未退款的会员（见同期群页）。",
        "Of the member cohorts that joined in the period and have completed their month 1 by D, the share active "
        "(a paid order) in month 1, weighted by cohort size. Cohorts hold the members not refunded as the warehouse "
        "was built (see the Cohorts page).",
        _retention_sql(1),
        ("war_zone", "team", "center", "channel"), measure="share", display="pct"),
    Metric(
        "m3_retention", "cohort", "M3 留存", "M3 retention", "", "share",
        "同 M1 留存，但看入会后第 3 个月（M3）：已完成 M3 的同期群中，M3 有已支付订单的比例，按人数加权。",
        "As M1 retention, for month 3: of the cohorts that have completed month 3 by D, the share active in month "
        "3, weighted by cohort size.",
        _retention_sql(3),
        ("war_zone", "team", "center", "channel"), measure="share", display="pct"),
    Metric(
        "referral_share", "path", "推荐入会占比", "Joined by referral", "", "share",
        "统计期内入会（不晚于 D）的会员中，有推荐人的比例。路径指标。",
        "Of the members who joined in the period (on or before D), the share who have a referrer. A path.",
        f"""select avg(case when r.referrer_id is not null then 1.0 else 0.0 end)
            from referral_depth as r join member_nodes as n using (member_id)
            where r.joined_on between $start and least($end, $as_of)
              and {_REFERRAL_FILTER}""",
        ("war_zone", "team", "center", "channel"), measure="share", display="pct"),
]}


def value(con: duckdb.DuckDBPyConnection, name: str, as_of: dt.date, start: dt.date | None = None,
          end: dt.date | None = None, **filters: str | None) -> float | None:
    """The metric `name` for the period [start, end] as of D (point-in-time metrics ignore the period)."""
    metric = CATALOG[name]
    unknown = set(filters) - set(metric.filters)
    if unknown:
        raise ValueError(f"metric {name} cannot be filtered by {', '.join(sorted(unknown))}")
    params = {"as_of": as_of}
    if "$start" in metric.sql:
        params["start"] = start if start is not None else dt.date.min
        params["end"] = end if end is not None else as_of
    for f in FILTERS:
        if f"${f}" in metric.sql:
            params[f] = filters.get(f)
    result = con.execute(metric.sql, params).fetchall()[0][0]
    return _number(result)     # a ratio or median over nothing is None: no value, never 0


def _number(v):
    return v if v is None or isinstance(v, int) else float(v)


def grouped(con: duckdb.DuckDBPyConnection, names: str | tuple[str, ...], by: tuple[str, ...], as_of: dt.date,
            start: dt.date | None = None, end: dt.date | None = None, periods: list[tuple] | None = None,
            **filters: str | None) -> list[tuple]:
    """Additive metrics (a `Flow` each, all over one mart with one rule) broken down `by` dimensions: one row per
    group, the `by` values and then one sum per metric; groups whose sums are all zero are left out. The rows add
    up to `value()` of each metric with the same period, D and filters: the same rule, read once.

    `periods` [(start, end), …] reads several periods in one pass instead of [start, end] (the window's days within
    each; a point-in-time flow's period is (d, d)); the dimension `period` is the period's index. The rule's as-of
    (e.g. a refund counts once it happened) stays `as_of`."""
    names = (names,) if isinstance(names, str) else tuple(names)
    flows = []
    for name in names:
        metric = CATALOG[name]
        if metric.flow is None:
            raise ValueError(f"metric {name} is not a sum over days and nodes, so it has no grouped form")
        unknown = set(filters) - set(metric.filters)
        if unknown:
            raise ValueError(f"metric {name} cannot be filtered by {', '.join(sorted(unknown))}")
        flows.append(metric.flow)
    flow = flows[0]
    if any((f.table, f.day, f.window, f.counts) != (flow.table, flow.day, flow.window, flow.counts) for f in flows):
        raise ValueError(f"metrics {', '.join(names)} are not sums over one mart with one rule")
    columns = {d: d for d in flow.dims} | {"day": flow.day, "month": f"strftime({flow.day}, '%Y-%m')"}
    where = flow.where()
    if periods is not None and flow.window == "to_date":
        raise ValueError(f"metric {names[0]} counts everything up to D: it has no periods")
    if periods is not None:
        spans = [f"{flow.day} between $s{i} and $e{i}" for i in range(len(periods))]
        columns["period"] = "case " + " ".join(f"when {x} then {i}" for i, x in enumerate(spans)) + " end"
        where = f"({' or '.join(spans) or 'false'}) and {flow.counts}"
    unknown = [b for b in by if b not in columns]
    if unknown:
        raise ValueError(f"metric {names[0]} cannot be broken down by {', '.join(unknown)} "
                         f"(it can by: {', '.join(columns)})")
    sums = [f"sum({f.measure})::{'double' if f.real else 'bigint'}" for f in flows]
    nonzero = " or ".join(f"{f.measure} <> 0" for f in flows)   # rows that add nothing are not read (most are)
    sql = (f"select {', '.join([columns[b] for b in by] + sums)} from {flow.table} "
           f"where {where} and ({nonzero}) and {filter_sql(tuple(filters))} "
           f"group by all having {' or '.join(f'{s} <> 0' for s in sums)}")
    params = {"as_of": as_of, **filters}
    if periods is not None:
        params.update({f"s{i}": p[0] for i, p in enumerate(periods)} | {f"e{i}": p[1] for i, p in enumerate(periods)})
        if "$as_of" not in where + filter_sql(tuple(filters)):
            params.pop("as_of")
    elif flow.window == "period":
        params["start"] = start if start is not None else dt.date.min
        params["end"] = end if end is not None else as_of
    return con.execute(sql, params).fetchall()


def grouped_at(con: duckdb.DuckDBPyConnection, name: str, by: tuple[str, ...], points: list[tuple]) -> list[tuple]:
    """One additive metric at many points in one pass: each point is (start, end, D), the period [start, end] seen
    as of its own D, which is what `grouped(con, name, by, D, start, end)` answers for one point, with the rule's
    as-of (a refund counts once it happened) taken at each point's D. Rows: the point's index, the `by` values,
    the sum; zero sums left out. The replay of earlier months (pipelines/okr/replay.py) reads a month's actual at
    each of its days this way instead of one query per day."""
    flow = CATALOG[name].flow
    if flow is None or flow.window != "period":
        raise ValueError(f"metric {name} is not a sum over a period, so it has no grouped form at points")
    columns = {d: f"f.{d}" for d in flow.dims}
    unknown = [b for b in by if b not in columns]
    if unknown:
        raise ValueError(f"metric {name} cannot be broken down by {', '.join(unknown)}")
    if not points:
        return []
    # the rule's text with its one parameter, D, read from the point instead (the same words as `grouped`'s)
    where = flow.where().replace("$start", "g.s").replace("$end", "g.e").replace("$as_of", "g.a")
    sql = (f"with g as (select unnest($i) as i, unnest($s) as s, unnest($e) as e, unnest($a) as a) "
           f"select g.i, {', '.join([columns[b] for b in by] + [f'sum(f.{flow.measure})::bigint'])} "
           f"from {flow.table} as f join g on f.{flow.day} between g.s and least(g.e, g.a) "
           f"where f.{flow.measure} <> 0 and ({where}) "
           f"group by all having sum(f.{flow.measure}) <> 0")
    return con.execute(sql, {"i": list(range(len(points))), "s": [p[0] for p in points],
                             "e": [p[1] for p in points], "a": [p[2] for p in points]}).fetchall()
