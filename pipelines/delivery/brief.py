"""The morning brief's words: a few lines a leader reads in ten seconds in a WeCom / DingTalk / Feishu group, in the
channel's language, from the goal tree as the channel's viewer may see it (GoalTree.scoped).

    北极星日报 · 2026年11月 · 截至 2026-11-24 周二（第 24 / 30 天）
    本月：新开驿站 31 / 45 ▲ 有风险（节奏 86%）；新增会员 3.2万 / 4.6万 ▲ 有风险（节奏 86%）
    北极星：在营驿站 2,134 / 2万（10.7%）、服务会员 48.1万 / 1,000万（4.8%）；时间已过 29.0%
    最需关注：华北战区 ✖ 落后，新增会员节奏 62%，每天需 2.2；最落后：高洋（华北一队）会员节奏 62%
    变差：华南战区 新增会员 ● 正常 → ▲ 有风险
    未更新的关键结果：举办沙龙（社群中心）
    查看总览：https://northstar.example.com/?lang=zh&month=2026-11&as_of=2026-11-24

`statuses(tree)` is what a brief remembers, so the next one can say what got worse or better since.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from pipelines.base.labels import LABELS, say
from pipelines.okr.fmt import fmt_count, fmt_date, fmt_gap, fmt_month, fmt_pair, fmt_pct, fmt_rate, names, status_word
from pipelines.okr.goaltree import GoalTree
from pipelines.okr.status import RANK, overall, worst_first
from pipelines.plan.goals import GOAL_METRICS
from pipelines.plan.org import is_unassigned


def _w(key: str, lang: str, **values) -> str:
    """The brief's line `key` (label brief_<key>, pipelines.base.labels) in `lang`."""
    return say(f"brief_{key}", lang, **values)


def _count(metric: str, n: str, lang: str) -> str:
    """A gap with its unit: '12 个' / '12' (label brief_count_<metric>)."""
    key = f"brief_count_{metric}"
    return say(key, lang, n=n) if key in LABELS else n


def _metric(kind: str, metric: str, lang: str) -> str:
    """A metric's name in the brief: kind is metric (新开驿站), short (驿站) or north (在营驿站)."""
    key = f"brief_{kind}_{metric}"
    return say(key, lang) if key in LABELS else metric


def _pace(tree: GoalTree, pace: float | None) -> str:
    """A pace as the board writes it (ui.views.board.fmt_pace): never rounded onto 100 % or the at-risk mark."""
    return fmt_pct(pace, marks=(1.0, tree.at_risk))


def statuses(tree: GoalTree) -> dict[str, str]:
    """What the next brief compares with: the status of the company, each war zone and center per goal metric
    (`node|metric`), and of each key result (`kr:id`)."""
    out = {f"{n.id}|{m}": v.status for n in tree.nodes if n.level in ("company", "war_zone", "center")
           for m, v in n.metrics.items()}
    out.update({f"kr:{kr.id}": kr.status for ka in tree.key_actions for kr in ka.key_results})
    return out


def board_link(base_url: str, tree: GoalTree, lang: str) -> str:
    """The board in the brief's view: language, month and as-of (ui.links reads them on the first run)."""
    query = urlencode({"lang": lang, "month": tree.month, "as_of": tree.as_of.isoformat()})
    return f"{base_url.rstrip('/')}/?{query}"


def _metric_line(tree: GoalTree, node, lang: str) -> str:
    parts = []
    for metric in GOAL_METRICS:
        v = node.metrics[metric]
        name = _metric("metric", metric, lang)
        if v.target is None or v.status == "no_target":
            parts.append(_w("metric_no_target", lang, name=name, actual=fmt_count(v.actual, lang)))
        else:
            actual, target = fmt_pair(v.actual, v.target, lang)
            parts.append(_w("metric", lang, name=name, pair=f"{actual} / {target}", status=status_word(v.status, lang),
                            pace=_pace(tree, v.pace)))
    return _w("month", lang, parts=("；" if lang == "zh" else "; ").join(parts))


def shape_line(tree: GoalTree, lang: str) -> str | None:
    """Which curve the company's paces are judged by and why, per goal (GoalTree.shape_words, as the board's tiles
    say it): "节奏曲线：新站 按直线（…）；会员 按星期与节日规律（回测误差 1.2%，直线 2.2%）"; None once the month is
    over or on the straight line's basis (nothing to explain: days gone over days in the month)."""
    if tree.basis != "seasonal":
        return None
    parts = [f"{_metric('short', m, lang)} {words}" for m in GOAL_METRICS
             if (words := tree.shape_words(tree.company.metrics[m], lang))]
    return _w("shape", lang, parts=("；" if lang == "zh" else "; ").join(parts)) if parts else None


def _north_line(tree: GoalTree, lang: str) -> str | None:
    if not tree.north_star:
        return None
    parts, time_gone = [], None
    for metric, ns in tree.north_star.items():
        actual, target = fmt_pair(ns["actual"], ns["target"], lang)
        progress = ns["progress"]
        shown = "<0.1%" if progress is not None and 0 < progress < 0.0005 else fmt_pct(progress, 1)
        parts.append(_w("north_part", lang, name=_metric("north", metric, lang),
                        pair=f"{actual} / {target}", progress=shown))
        time_gone = ns["time_elapsed"]
    return _w("north", lang, parts=("、" if lang == "zh" else ", ").join(parts), time=fmt_pct(time_gone, 1))


def _worst_line(tree: GoalTree, lang: str, esc) -> str:
    zones = [n for n in tree.nodes if n.level == "war_zone" and not is_unassigned(n.id)]
    ranked = worst_first(zones)
    if not ranked or RANK[overall(ranked[0])] >= RANK["on_track"]:
        return _w("all_fine", lang)
    zone = ranked[0]
    status = overall(zone)
    metric = tree.focus_metric(zone.id)
    v = zone.metrics[metric]
    if v.required_daily is None:
        line = _w("worst_done", lang, zone=esc(zone.name(lang)), status=status_word(status, lang))
    else:
        line = _w("worst", lang, zone=esc(zone.name(lang)), status=status_word(status, lang),
                  metric=_metric("metric", metric, lang), pace=_pace(tree, v.pace),
                  need=fmt_rate(v.required_daily, lang))
    behind = tree.most_behind(zone.id)           # none when the viewer may not see the zone's people
    if behind is not None:
        who, team, m, short = behind
        line += _w("behind" if who.id != team.id else "behind_team", lang, who=esc(who.name(lang)),
                   team=esc(team.name(lang)), metric=_metric("short", m, lang), n=_count(m, fmt_gap(short), lang))
    return line


def gap_lines(tree: GoalTree, lang: str, esc=str) -> list[str]:
    """The company's gap per goal in parts that add up as written (GoalTree.gap_split, the board's line in words):
    "会员缺口 −5,478人：华北战区 −3,647（郭明 −415）、华南战区 −2,359、华东战区 +457 超前、其他 +71"."""
    out = []
    for m in GOAL_METRICS:
        split = tree.gap_split(tree.company.id, m)
        if split is None or split.total == 0:
            continue
        parts = []
        for p in split.named:
            n = fmt_gap(p.part)
            if (p.part < 0) != (split.total < 0):
                n += " " + _w("ahead" if p.part > 0 else "behind_word", lang)
            if p.inside:
                parts.append(_w("gap_inside", lang, name=esc(p.node.name(lang)), n=n,
                                who=esc(p.inside[0].name(lang)), m=fmt_gap(p.inside[1])))
            else:
                parts.append(_w("gap_part", lang, name=esc(p.node.name(lang)), n=n))
        if parts and split.others:
            parts.append(_w("others", lang, n=fmt_gap(split.others)))
        ahead = split.total > 0
        key = ("lead" if ahead else "gap") if parts else ("lead_alone" if ahead else "gap_alone")
        line = _w(key, lang, metric=_metric("short", m, lang), n=_count(m, fmt_gap(split.total), lang),
                  parts=("、" if lang == "zh" else ", ").join(parts))
        out.append(line[0].upper() + line[1:])
    return out


def changes(tree: GoalTree, lang: str, before: dict[str, str] | None, esc=str) -> list[str]:
    """What got worse and what got better since the `before` statuses (a line each; one line when nothing
    changed or there is nothing to compare with)."""
    if before is None:
        return [_w("first", lang)]
    now = statuses(tree)
    by_id = {n.id: n for n in tree.nodes}
    titles = {f"kr:{kr.id}": kr.title[lang] for ka in tree.key_actions for kr in ka.key_results}
    worse, better = [], []
    for key, after in now.items():
        prior = before.get(key)
        if prior is None or prior == after or "no_target" in (prior, after) or prior not in RANK:
            continue
        if key.startswith("kr:"):
            node, metric = esc(titles[key]), ""
        else:
            node_id, metric_id = key.split("|")
            node, metric = esc(by_id[node_id].name(lang)), _metric("metric", metric_id, lang)
        item = _w("change", lang, node=node, metric=metric, before=status_word(prior, lang),
                  after=status_word(after, lang)).replace("  ", " ")
        (worse if RANK[after] < RANK[prior] else better).append(item)
    lines = []
    if worse:
        lines.append(_w("worse", lang, items=("；" if lang == "zh" else "; ").join(worse)))
    if better:
        lines.append(_w("better", lang, items=("；" if lang == "zh" else "; ").join(better)))
    return lines or [_w("same", lang)]


def week_line(tree: GoalTree, lang: str, esc=str) -> str | None:
    """Since last week (issue 22): the company's pace on the status basis 7 days earlier and now, and every war zone
    whose status moved since then (GoalTree: status_7d, pace_7d); None in the month's first week or once it is
    over (nothing to compare in the same month)."""
    company = tree.company
    paces = [_w("week_pace", lang, metric=_metric("short", m, lang), before=_pace(tree, v.pace_7d),
                after=_pace(tree, v.pace))
             for m in GOAL_METRICS if (v := company.metrics[m]).status_7d is not None and v.target]
    if not paces:
        return None
    moved = []
    for zone in [company] + [n for n in tree.nodes if n.level == "war_zone" and not is_unassigned(n.id)]:
        for m in GOAL_METRICS:
            v = zone.metrics[m]
            if v.status_7d not in (None, v.status) and "no_target" not in (v.status_7d, v.status):
                moved.append(_w("change", lang, node=esc(zone.name(lang)), metric=_metric("metric", m, lang),
                                before=status_word(v.status_7d, lang), after=status_word(v.status, lang)))
    sep = "、" if lang == "zh" else ", "
    week = tree.as_of - dt.timedelta(days=7)
    return _w("week", lang, d=fmt_date(week, lang), paces=sep.join(paces),
              moved=("；" if lang == "zh" else "; ").join(moved) if moved else _w("week_none", lang))


def _stale_line(tree: GoalTree, lang: str, center_names: dict[str, str], esc) -> str | None:
    items = [f"{esc(kr.title[lang])}（{esc(center_names.get(ka.center, ka.center))}）" if lang == "zh" else
             f"{esc(kr.title[lang])} ({esc(center_names.get(ka.center, ka.center))})"
             for ka in tree.key_actions for kr in ka.key_results if kr.status == "stale"]
    return _w("stale", lang, items=names(items, lang)) if items else None


def summary(tree: GoalTree, lang: str, before: dict[str, str] | None = None, base_url: str | None = None,
            esc=str) -> list[str]:
    """The brief's lines, in `lang`, from `tree` (already scoped to the channel's viewer): the head, this month's two
    targets, the north star against time gone, the war zone that needs attention and why, since last week (the company's
    pace and the zones whose status moved), what changed since the `before` statuses (a previous brief's `statuses`;
    None: the first brief), stale key results, the board's link.
    `esc` is applied to every name and title from the plan (payloads.md_escape for a Markdown message)."""
    center_names = {n.id: n.name(lang) for n in tree.nodes if n.level == "center"}
    lines = [_w("head", lang, month=fmt_month(tree.month, lang), date=fmt_date(tree.as_of, lang),
                n=tree.days_counted, days=tree.days_in_month),
             _metric_line(tree, tree.company, lang)]
    shape = shape_line(tree, lang)
    if shape:
        lines.append(shape)
    north = _north_line(tree, lang)
    if north:
        lines.append(north)
    lines += gap_lines(tree, lang, esc)
    lines.append(_worst_line(tree, lang, esc))
    week = week_line(tree, lang, esc)
    if week:
        lines.append(week)
    if before is not None or week is None:      # the first brief with a week line already says what moved
        lines += changes(tree, lang, before, esc)
    stale = _stale_line(tree, lang, center_names, esc)
    if stale:
        lines.append(stale)
    if base_url:
        lines.append(link_line(base_url, tree, lang))
    return lines


def link_line(base_url: str, tree: GoalTree, lang: str) -> str:
    return _w("link", lang, url=board_link(base_url, tree, lang))
