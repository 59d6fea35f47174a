"""The board's blocks as HTML, built from one `GoalTree` (pipelines.okr.goaltree) and a language.

Pure functions: no Streamlit calls, so each block can be checked on its own. Every number a test may want to
compare carries `data-k="<block>.<field>"` (e.g. `month.stations.actual`), and every status is a chip with an
icon and a word as well as a colour.
"""
from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo

from pipelines.base.months import month_of
from pipelines.okr.fmt import fmt_gap
from pipelines.okr.goaltree import GoalTree, Node
from pipelines.okr.status import (  # noqa: F401 - overall, worst_first: ui.views.board.*
    RANK,
    STATUS,
    overall,
    status_of,
    worst,
    worst_first,
)
from pipelines.plan.goals import GOAL_METRICS
from pipelines.plan.org import is_unassigned
from ui.i18n import (
    COMPANY_TZ,
    fmt_count,
    fmt_day,
    fmt_delta,
    fmt_money,
    fmt_month,
    fmt_pair,
    fmt_pct,
    fmt_rate,
    status_word,
    text,
    who_word,
)
from ui.links import View, page_link

METRICS = GOAL_METRICS



def esc(text) -> str:
    return html.escape(str(text))


def name_of(node, lang: str) -> str:
    """A node's name in `lang`: a goal-tree Node's, or an org node's (the plan's own dicts: pipelines.plan.org,
    okr.decompose.org_nodes — plan data, not the tree's records)."""
    if isinstance(node, Node):
        return node.name(lang)
    return node["name_zh"] if lang == "zh" else node["name_en"]


def _title(pair: dict, lang: str) -> str:
    return pair.get(lang) or pair.get("zh") or pair.get("en") or ""


def num(key: str, text: str) -> str:
    """A number a reader (and a test) can find: <span data-k=key>text</span>."""
    return f'<span data-k="{esc(key)}">{esc(text)}</span>'


def chip(status: str, lang: str, small: bool = False, key: str | None = None) -> str:
    data = f' data-k="{esc(key)}"' if key else ""
    return ('<span class="ns-chip '
            f'ns-{status}{" ns-small" if small else ""}"{data}>{esc(status_word(status, lang))}</span>')


def help_mark(tip: str) -> str:
    """A visible "?" beside words whose explanation would otherwise be a hover title only (issue 36.7): hovering
    shows the title; a tap (a phone, where nothing hovers) or a keyboard focus opens the same words under it (CSS,
    .ns-help:focus::after). Not printed."""
    return f'<span class="ns-help" tabindex="0" title="{esc(tip)}" data-tip="{esc(tip)}">?</span>'


def link(url: str | None, inner: str, cls: str = "ns-link", title: str = "") -> str:
    """`inner` as a link to another page of the app (same tab), or as it is without a URL (a unit test)."""
    if not url:
        return inner
    tip = f' title="{esc(title)}"' if title else ""
    return f'<a class="{cls}" href="{esc(url)}" target="_self"{tip}>{inner}</a>'


def bar(share: float | None, status: str, mark: float | None = None, mark_title: str = "") -> str:
    """A progress bar filled to `share` (0–1), coloured by status, with an optional tick (time elapsed)."""
    width = 0 if share is None else max(0.0, min(share, 1.0)) * 100
    tick = ""
    if mark is not None:
        tick = (f'<div class="ns-tick" style="left:{max(0.0, min(mark, 1.0)) * 100:.1f}%" '
                f'title="{esc(mark_title)}"></div>')
    return f'<div class="ns-bar"><div class="ns-fill ns-{status}" style="width:{width:.1f}%"></div>{tick}</div>'


def fmt_pace(pace: float | None, tree: GoalTree) -> str:
    """A pace as a percentage that never rounds onto 100% or the at-risk threshold it has not reached."""
    return fmt_pct(pace, marks=(1.0, tree.at_risk))


# ---- header ----------------------------------------------------------------------------------------------------

def period_line(tree: GoalTree, lang: str) -> str:
    month = fmt_month(tree.month, lang)
    if tree.finished and tree.as_of == tree.month_end:    # (issue 36: the date said again cut the title short)
        line = text("period_over_end", lang, month=month)
    elif tree.finished:
        line = text("period_over", lang, month=month, d=tree.as_of.isoformat())
    else:
        line = text("period_line", lang, month=month, d=tree.as_of.isoformat(), n=tree.days_counted,
                  days=tree.days_in_month)
    if tree.as_of != tree.last_date:
        line += " " + text("last_date_note", lang, d=tree.last_date.isoformat())
    if tree.planned and tree.revisions:   # (a month without a changed target reads the same either way)
        line += " " + text("planned_line", lang)
    return line


def age_chip(age: dict | None, lang: str) -> str:
    """Beside the period: "✖ 数据已 5 天未更新" when the data is stale, "示例数据" for the sample, else nothing."""
    if not age:
        return ""
    if age.get("sample"):
        return (' <span class="ns-chip ns-small ns-no_target" data-k="data.age" '
                f'title="{esc(text("sample_help", lang))}">'
                f'{esc(text("sample_data", lang))}</span>')
    if age.get("stale"):
        return (f' <span class="ns-chip ns-small ns-off_track" data-k="data.age">'
                f'{esc(text("data_days_old", lang, n=age["days_old"]))}</span>')
    return ""


# ---- the north star and where we are ---------------------------------------------------------------------------

def north_star_pace(item: dict, at_risk: float) -> str:
    """The 10-year goal's status: progress against the share of time gone, by the goal tree's rules."""
    if item["progress"] is None or not item["time_elapsed"]:
        return "no_target"
    pace = item["progress"] / item["time_elapsed"]
    return status_of(item["target"], item["actual"], pace, False, at_risk)


def north_star_block(tree: GoalTree, lang: str) -> str:
    labels = {"stations": "active_stations", "members": "members_served"}
    rows = []
    since = tree.since_month_end
    for metric in METRICS:
        ns = tree.north_star[metric]
        unit = text(f"unit_{metric}", lang)
        key = f"ns.{metric}"
        head = (f'<div class="ns-label">{esc(text(labels[metric], lang))}<span class="ns-unit">（{esc(unit)}）</span>'
                if lang == "zh" else f'<div class="ns-label">{esc(text(labels[metric], lang))}')
        delta = since.get(metric, {}).get("change")
        head += (f' <span class="ns-delta">{esc(text("since", lang, d=fmt_day(since["date"], lang)))} '
                 f'{num(key + ".change", fmt_delta(delta, lang))}</span></div>') if since else "</div>"
        actual, target = fmt_pair(ns["actual"], ns["target"], lang)
        big = f'<div class="ns-big">{num(key + ".actual", actual)}'
        if ns["target"] is None:
            rows.append(f'<div class="ns-nsrow">{head}{big}</div></div>')
            continue
        status = north_star_pace(ns, tree.at_risk)
        gone = text("time_elapsed", lang, p=fmt_pct(ns["time_elapsed"], 1))
        done = text("of_goal", lang, p=num(key + ".progress", fmt_pct(ns["progress"], 1)))
        big += (f' <span class="ns-of">/ {num(key + ".target", target)}</span>'
                f' {chip(status, lang, small=True, key=key + ".status")}'
                f'<span class="ns-share">{done} · {esc(gone)}{milestone_line(tree, metric, lang)}</span></div>')
        meter = bar(ns["progress"], status, ns["time_elapsed"], gone)
        if ns["actual"] >= ns["target"]:
            when = text("achieved_goal", lang)
        elif ns["projected_month"]:
            end = tree.north_star_end
            late = end is not None and ns["projected_month"] > month_of(end)
            when = text("projected_late" if late else "projected", lang, m=fmt_month(ns["projected_month"], lang),
                      end=fmt_month(month_of(end), lang) if end else "")
        else:
            when = text("projected_never", lang)
        parts = [
            text("need_monthly", lang, n=num(key + ".required_monthly", fmt_count(ns["required_monthly"], lang))),
            text("trailing", lang, n=num(key + ".trailing_6m", fmt_count(ns["trailing_6m"], lang))),
            num(key + ".projected", when),
        ]
        meta = f'<div class="ns-meta">{" · ".join(parts)}</div>'
        rows.append(f'<div class="ns-nsrow">{head}{big}{meter}{meta}</div>')
    title = tree.north_star_title
    note = "" if title else f'<div class="ns-empty">{esc(text("no_north_star", lang))}</div>'
    return f'<div class="ns-card ns-northstar">{"".join(rows)}{note}</div>'


def milestone_line(tree: GoalTree, metric: str, lang: str) -> str:
    """The next milestone on the way (goals.yaml north_star.milestones), under the share done: "2026年底 2,300
    ▲ 有风险 · 需每月 +137" (its pace in the tooltip); nothing when none is ahead."""
    m = tree.north_star[metric].get("milestone")
    if not m:
        return ""
    key = f"ns.{metric}.milestone"
    by = dt.date.fromisoformat(m["by"])
    if (by.month, by.day) == (12, 31):
        when = f"{by.year}年底" if lang == "zh" else f"End {by.year}:"
    else:
        when = f"{by.year}年{by.month}月{by.day}日前" if lang == "zh" else f"By {by.day} {by:%b} {by.year}:"
    parts = [f'{esc(when)} {num(key + ".target", fmt_count(m["target"], lang))} '
             f'{chip(m["status"], lang, small=True, key=key + ".status")}']
    if m["required_monthly"] and m["status"] != "achieved":
        parts.append(text("milestone_need", lang, n=num(key + ".required_monthly",
                                                        fmt_rate(m["required_monthly"], lang))))
    tip = text("milestone_help", lang, by=m["by"], target=fmt_count(m["target"], lang),
               expected=fmt_count(m["expected"], lang), pace=fmt_pace(m["pace"], tree))
    return f'<span class="ns-milestone" data-k="{key}" title="{esc(tip)}">{" · ".join(parts)}</span>'


def revised_note(tree: GoalTree, lang: str, zone_id: str) -> str:
    """One line on the war-zone page: every target of the zone's teams and people changed after the month began
    (old → new, who, when; the zone's own are in its tiles). Nothing when none was, or the reader sees none of them."""
    items = []
    for (nid, metric), r in sorted(tree.revisions.items()):
        try:
            node = tree.node(nid)
        except KeyError:
            continue
        if node.level not in ("team", "person") or tree.zone_of(nid) != zone_id:
            continue
        items.append(revision_words(r, lang, name_of(node, lang), text(f"{metric}_short", lang)))
    if not items:
        return ""
    return (f'<div class="ns-revised" data-k="revised.{esc(zone_id)}">'
            f'{esc(text("revised_note", lang, items=("；" if lang == "zh" else "; ").join(items)))}</div>')


# ---- this month ------------------------------------------------------------------------------------------------

def month_tile(tree: GoalTree, metric: str, lang: str, node: dict | None = None, full: bool = False) -> str:
    """This month's stations or members for the company (the board) or any node (the war-zone page): the status
    (and how it stood a week ago), actual / target, the bar with a tick where it should be by today, expected,
    forecast (with its 80 % band on the seasonal basis: shown with `full`, on a phone and in the forecast's
    tooltip), need per day and pace on the tree's status basis; the other basis's pace under it, labelled; a target
    changed after the 1st flagged."""
    node = node or tree.company
    v = node.metrics[metric]
    j = tree.judged(v)
    key = f"month.{metric}"
    label = text(f"new_{metric}", lang)
    unit = text(f"unit_{metric}", lang)
    unit_text = f"（{unit}）" if lang == "zh" else ""   # English labels name their unit already
    head = (f'<div class="ns-tilehead"><span class="ns-label">{esc(label)}<span class="ns-unit">{esc(unit_text)}'
            f'</span></span>{chip(v.status, lang, key=key + ".status")}</div>')
    actual, target = fmt_pair(v.actual, v.target or None, lang)
    big = f'<div class="ns-big">{num(key + ".actual", actual)}'
    if v.target is None or v.target == 0:     # (a target removed after the 1st says so, and who did it)
        return (f'<div class="ns-card ns-tile">{head}{big}</div>'
                f'<div class="ns-empty">{esc(text("no_target_month", lang))}</div>'
                f'{revised_flag(tree, node, metric, lang, key)}</div>')
    big += f' <span class="ns-of">/ {num(key + ".target", target)}</span>'
    share = j.expected / v.target if j.expected is not None else tree.elapsed
    meter = bar(v.actual / v.target, v.status, share, text("expected", lang))
    suffix = "_help_s" if j.seasonal else "_help"
    forecast_help = text("forecast" + suffix, lang)
    band = ""
    if j.seasonal and v.forecast_low is not None and not tree.finished:
        lo, hi = fmt_pair(v.forecast_low, v.forecast_high, lang)
        band = text("band", lang, lo=lo, hi=hi)
        forecast_help += " · " + band
    big += "</div>"
    cells = [("expected", num(f"{key}.expected", fmt_count(j.expected, lang)), text("expected" + suffix, lang)),
             ("forecast", num(f"{key}.forecast", fmt_count(j.forecast, lang)), forecast_help),
             ("required", num(f"{key}.required", fmt_rate(v.required_daily, lang)), text("required_help", lang)),
             ("pace", num(f"{key}.pace", fmt_pace(j.pace, tree)), text("pace" + suffix, lang))]
    grid = "".join(f'<div title="{esc(help_)}"><div class="ns-small-label">{esc(text(name, lang))}</div>'
                   f'<div class="ns-mid">{shown}</div></div>' for name, shown, help_ in cells)
    if band:   # in words on every surface (issue 36.7: hidden on the board's screen and paper before), its meaning a
        # tap away
        grid += (f'<div class="ns-band"><span data-k="{key}.band">{esc(band)}</span>'
                 f'{help_mark(text("band_help", lang))}</div>')

    # under the figures, one line: how the status stood a week ago, and the other basis's pace (the basis itself
    # is said once, beside the section's title: basis_note)
    # which curve the pace is judged by and why (issue 35), then last week and the other basis's pace
    shape = tree.shape_words(v, lang, short=not full)
    shape = (f'<span data-k="{key}.shape" title="{esc(tree.shape_words(v, lang))}">{esc(shape)}</span>'
             + (help_mark(tree.shape_words(v, lang)) if not full else "") if shape else "")
    more = [shape, week_mark(tree, v, lang, key, always=full)]
    if j.other_pace is not None:
        more.append(num(f"{key}.other_pace", other_pace_words(tree, j, lang)))
    flag = revised_flag(tree, node, metric, lang, key, short=not full)
    if not full:
        more.append(flag)    # the board: "⚑ 4.5万 → 4.6万" in the line, who and when in its tooltip
        flag = ""
    more = [m for m in more if m]
    foot = f'<div class="ns-meta">{" · ".join(more)}</div>' if more else ""
    cls = "ns-card ns-tile ns-full" if full else "ns-card ns-tile"
    return f'<div class="{cls}">{head}{big}{meter}<div class="ns-grid4">{grid}</div>{foot}{flag}</div>'


def week_change(v, lang: str, always: bool = False) -> tuple[str, str] | None:
    """(words, status class) for how the status stood 7 days earlier in the same month: "▼ 上周正常" (worse now),
    "▲ 上周落后" (better now), and with `always` "= 与上周同" when the same; None in the month's first week, once it
    is over, without a target, or when the same and not `always`."""
    before = v.status_7d
    if before is None or "no_target" in (before, v.status):
        return None
    word = STATUS[before].word(lang) if lang == "zh" else STATUS[before].word(lang).lower()
    if RANK[v.status] < RANK[before]:
        return text("week_worse", lang, s=word), "off_track"
    if RANK[v.status] > RANK[before]:
        return text("week_better", lang, s=word), "on_track"
    return (text("week_same", lang), "no_target") if always else None


def week_mark(tree: GoalTree, v, lang: str, key: str, always: bool = False) -> str:
    """`week_change` as a coloured mark, its tooltip the status and pace of that day."""
    change = week_change(v, lang, always)
    if change is None:
        return ""
    shown, cls = change
    tip = text("week_help", lang, d=fmt_day(tree.as_of - dt.timedelta(days=7), lang),
               s=status_word(v.status_7d, lang), p=fmt_pace(v.pace_7d, tree))
    return (f'<span class="ns-week ns-text-{cls}" data-k="{esc(key)}.week" title="{esc(tip)}">'
            f'{esc(shown)}</span>')


def other_pace_words(tree: GoalTree, j, lang: str) -> str:
    """The pace on the basis the status did not follow, labelled: "直线节奏 86%" / "shape 33%"."""
    return text("other_linear" if j.seasonal else "other_seasonal", lang, p=fmt_pace(j.other_pace, tree))


def basis_note(tree: GoalTree, lang: str) -> str:
    """What the month's statuses are judged against, said once beside the section's title."""
    return text("basis_seasonal" if tree.basis == "seasonal" else "basis_linear", lang)


def basis_help(tree: GoalTree, lang: str) -> str:
    """`basis_note`'s "?": what a pace on that basis means."""
    return help_mark(text("basis_help_seasonal" if tree.basis == "seasonal" else "basis_help_linear", lang))


_ZONE, _WHO = "\x00zone\x00", "\x00who\x00"    # where the linked zone and the bold name go in the sentence


def behind_line(tree: GoalTree, lang: str, view: View | None = None) -> str:
    """The board's answer to "who is behind?" (issue 36.9), in the first screen on a laptop and a phone: the company's
    worst status and, by the one rule (GoalTree.behind_chain, DESIGN §10), the war zone with the largest shortfall on
    the goal the company is worst on and the person at the end of its chain — "▲ 有风险 缺口最大：华北战区 会员
    −3,648人，其中 郭明（华北一队）−414人". The zone opens its page. Nothing without a target this month."""
    company = tree.company
    if all(company.metrics[m].target in (None, 0) for m in METRICS):
        return ""
    words = ""
    for metric, chain in tree.behind_chains(company.id):
        if chain[0][0].level != "war_zone" or _unassigned(chain[0][0]):
            continue
        zone, short = chain[0]
        name = esc(name_of(zone, lang))
        zone_html = link(page_link("war_zone", view, zone=zone.id), name, "ns-inline-link") if view else name
        unit = text(f"unit_{metric}", lang) if lang == "zh" else ""
        values = {"metric": text(f"{metric}_short", lang), "n": fmt_gap(short), "unit": unit}
        if len(chain) == 1:
            said = text("board_behind_zone", lang, zone=_ZONE, **values)
        else:
            who, part = chain[-1]
            team = chain[1][0] if len(chain) > 2 else None
            key = "board_behind" if team is not None else "board_behind_team"
            said = text(key, lang, zone=_ZONE, who=_WHO, team=name_of(team, lang) if team else "", m=fmt_gap(part),
                        **values)
        parts = esc(said).split(_ZONE)
        html = parts[0] + zone_html + parts[1]
        if len(chain) > 1:
            before, after = html.split(_WHO)
            html = before + f'<b data-k="answer.who">{esc(name_of(chain[-1][0], lang))}</b>' + after
        words = html
        break
    if not words:
        words = esc(text("board_no_one_behind", lang))
    return (f'<div class="ns-answer" data-k="answer"><b>{esc(text("this_month_short", lang))}</b> '
            f'{chip(overall(company), lang, key="answer.status")} <span data-k="answer.behind">{words}</span></div>')


def revised_flag(tree: GoalTree, node: dict, metric: str, lang: str, key: str, short: bool = False) -> str:
    """"⚑ 月中改过目标 4.5万 → 4.6万（王芳，11月12日 10:30）" under a target changed after its month began (the plan
    store's history); `short`: "⚑ 改目标 4.5万 → 4.6万" with who and when in the tooltip. With the "against the 1st's
    targets" switch on, the target shown is the old one."""
    r = tree.revisions.get((node.id, metric))
    if not r:
        return ""
    old, new = revision_pair(r, lang)
    item = revision_words(r, lang)
    if short:
        return (f'<span class="ns-revised" data-k="{esc(key)}.revised" '
                f'title="{esc(text("revised", lang) + " " + item)}">'
                f'{esc(text("revised_short", lang, old=old, new=new))}</span>')
    return f'<div class="ns-revised" data-k="{esc(key)}.revised">{esc(text("revised", lang))} {esc(item)}</div>'


def revision_pair(r: dict, lang: str) -> tuple[str, str]:
    """A revision's old and new target in one unit ("—" for a target removed)."""
    return fmt_pair(r["old"], r["new"], lang) if r["new"] is not None else (fmt_count(r["old"], lang), "—")


def revision_words(r: dict, lang: str, node: str = "", metric: str = "") -> str:
    """"华东战区 驿站 6 → 8（张三，11月10日 09:30）" (without a node and metric: "6 → 8（张三，…）")."""
    old, new = revision_pair(r, lang)
    return text("revised_item", lang, node=node, metric=metric, old=old, new=new, who=who_word(r["who"], lang),
                at=fmt_when(r["at"], lang)).strip()


def fmt_when(at: str, lang: str) -> str:
    """A plan store's UTC time as the company's local date and minute: "11月12日 10:30" / "12 Nov 10:30"."""
    try:
        when = dt.datetime.fromisoformat(at).astimezone(ZoneInfo(COMPANY_TZ))
    except (TypeError, ValueError):
        return str(at)
    return f"{fmt_day(when.date(), lang)} {when:%H:%M}"


def gap_line(tree: GoalTree, node: dict, metric: str, lang: str, view: View | None = None, n: int = 2,
             brief: bool = False) -> str:
    """Who explains the node's gap, in one line whose parts add up as written: "会员缺口 −5,478人：华北战区 −3,647
    （郭明 −415）、华南战区 −2,359、华东战区 +457 超前、其他 +71" (GoalTree.gap_split: the children the same way as the
    gap, the largest the other way, the rest as "其他"; in brackets the person with the largest shortfall inside;
    `brief`: only the first's, so the board's line fits its column). Nothing without a target, or with no gap. A
    war zone's name opens its page."""
    split = tree.gap_split(node.id, metric, n)
    if split is None or split.total == 0:
        return ""
    key = f"gap.{node.id}.{metric}"
    unit = text(f"unit_{metric}", lang) if lang == "zh" else ""
    head = text("gap_short" if split.total < 0 else "gap_lead", lang, metric=text(f"{metric}_short", lang),
                n=fmt_gap(split.total), unit=unit)
    items = []
    for part in split.named:
        child = part.node
        name = esc(name_of(child, lang))
        if child.level == "war_zone" and not _unassigned(child):
            name = link(page_link("war_zone", view, zone=child.id), name, "ns-inline-link")
        item = f'{name} <span data-k="{esc(key)}.part">{esc(fmt_gap(part.part))}</span>'
        if (part.part < 0) != (split.total < 0):
            item += " " + esc(text("gap_behind" if part.part < 0 else "gap_ahead", lang))
        if part.inside and (not items or not brief):
            who = f'{esc(name_of(part.inside[0], lang))} {esc(fmt_gap(part.inside[1]))}'
            item += f"（{who}）" if lang == "zh" else f" ({who})"
        items.append(item)
    if items and split.others:
        items.append(f'{esc(text("gap_others", lang))} <span data-k="{esc(key)}.part">{esc(fmt_gap(split.others))}'
                     '</span>')
    basis = text("basis_seasonal" if tree.judged(node.metrics[metric]).seasonal else "basis_linear", lang)
    body = ("、" if lang == "zh" else ", ").join(items)
    colon = "：" if lang == "zh" else ": "
    return (f'<div class="ns-gap" data-k="{esc(key)}" title="{esc(text("gap_help", lang, basis=basis))}">'
            f'<b data-k="{esc(key)}.total">{esc(head)}</b>{colon if items else ""}{body}</div>')


# ---- war zones -------------------------------------------------------------------------------------------------

def zone_order(tree: GoalTree) -> list[dict]:
    """The org's war zones, worst first: by their worst status, then by their lowest pace."""
    return worst_first([n for n in tree.children(tree.company.id) if n.level == "war_zone"
                        and not _unassigned(n)])


def _unassigned(node: dict) -> bool:
    return is_unassigned(node.id)


def block_range(nodes: list[dict], metric: str) -> tuple[float, float]:
    """The smallest and largest actual or target among `nodes` for `metric` (those with a target): the figures of
    one row are written in one unit (see ui.i18n.fmt_pair)."""
    values = [abs(v) for n in nodes if n.metrics[metric].target
              for v in (n.metrics[metric].actual, n.metrics[metric].target)]
    return (min(values), max(values)) if values else (0, 0)


def zone_card(tree: GoalTree, zone: dict, lang: str, view: View | None = None) -> str:
    """A war zone's card; with `view` (the reader's language and period) the whole card opens the zone's page."""
    status = overall(zone)
    row = zone_order(tree)
    key = f"zone.{zone.id}"
    lines = []
    for metric in METRICS:
        v = zone.metrics[metric]
        label = text(f"{metric}_short", lang)
        mk = f"{key}.{metric}"
        if v.target:
            actual, target = fmt_pair(v.actual, v.target, lang, like=block_range(row, metric))
            figures = f'{num(mk + ".actual", actual)} / {num(mk + ".target", target)}'
            j = tree.judged(v)
            # the other basis's pace is the pace's tooltip here (the card has no room for a line each); the month
            # tiles and the zone page show it written out
            other = "" if j.other_pace is None else other_pace_words(tree, j, lang)
            basis = text("basis_seasonal" if j.seasonal else "basis_linear", lang)
            tip = f' title="{esc(basis + (" · " + other if other else ""))}"'
            extra = [f'<span{tip}>{esc(text("pace", lang))} {num(mk + ".pace", fmt_pace(j.pace, tree))}</span>']
            if v.required_daily is not None:
                extra.append(text("per_day", lang, n=num(mk + ".required_daily", fmt_rate(v.required_daily, lang))))
            more = []
            week = week_mark(tree, v, lang, mk)
            if week:
                more.append(week)
            more.append(revised_flag(tree, zone, metric, lang, mk, short=True))
            more = [m for m in more if m]
            share = j.expected / v.target if j.expected is not None else tree.elapsed
            meter = bar(v.actual / v.target, v.status, share)
        else:
            figures, extra, more, meter = num(mk + ".actual", fmt_count(v.actual, lang)), [], [], ""
        second = f'<div class="ns-zmeta ns-zweek">{" · ".join(more)}</div>' if more else ""
        lines.append(f'<div class="ns-zline"><span class="ns-zlabel">{esc(label)}</span>'
                     f'{chip(v.status, lang, small=True, key=mk + ".status")}</div>'
                     f'<div class="ns-zfig">{figures}</div>{meter}<div class="ns-zmeta">{" · ".join(extra)}</div>'
                     f'{second}')
    card = (f'<div class="ns-card ns-zone ns-edge-{status}" data-k="{esc(key)}">'
            f'<div class="ns-tilehead"><span class="ns-zname">{esc(name_of(zone, lang))}</span>'
            f'{chip(status, lang, key=key + ".status")}</div>{"".join(lines)}</div>')
    url = page_link("war_zone", view, zone=zone.id)
    # inside a <div>: a block that starts with <a> is a paragraph to Markdown, which would close it before the card
    return f'<div class="ns-linkbox">{link(url, card, title=text("open_zone", lang, name=name_of(zone, lang)))}</div>'


def unassigned_note(tree: GoalTree, lang: str, view: View | None = None) -> str:
    """One sentence about data that belongs to no war zone of the org, if any: beside the war zones' heading (a line
    of its own under the cards made the board scroll)."""
    nodes = [n for n in tree.children(tree.company.id) if n.level == "war_zone" and _unassigned(n)]
    stations = sum(n.metrics["stations"].actual for n in nodes)
    members = sum(n.metrics["members"].actual for n in nodes)
    if not stations and not members:
        return ""
    parts = [text(key, lang, n=fmt_count(n, lang)) for key, n in (("n_new_stations", stations),
                                                                    ("n_new_members", members)) if n]
    what = text("and", lang).join(parts)
    zone = nodes[0]
    see = text("unassigned_see", lang, name=name_of(zone, lang))
    url = page_link("war_zone", view, zone=zone.id)
    return (f'<span class="ns-note ns-unassigned">{esc(text("unassigned_note", lang, what=what))} '
            f'{link(url, esc(see), "ns-inline-link")}</span>')


# ---- centers ---------------------------------------------------------------------------------------------------

def center_card(tree: GoalTree, center: dict, lang: str, view: View | None = None) -> str:
    """A center: its channel members, its actions per status and each action, which opens on the Centers page."""
    actions = [ka for ka in tree.key_actions if ka.center == center.id]
    counts: dict[str, int] = {}
    for ka in actions:
        counts[ka.status] = counts.get(ka.status, 0) + 1
    key = f"center.{center.id}"
    tally = " ".join(f'<span class="ns-count ns-text-{s}" data-k="{esc(key)}.count.{s}">{n} {esc(status_word(s, lang))}'
                     f'</span>' for s, n in sorted(counts.items(), key=lambda kv: RANK[kv[0]]))
    m = center.metrics["members"]
    if m.target:
        actual, target = fmt_pair(m.actual, m.target, lang, like=block_range(centers(tree), "members"))
        members = text("center_members", lang, a=actual, t=target)
    else:
        members = text("center_members_no_target", lang, a=fmt_count(m.actual, lang))
    lines = []
    for ka in actions:
        progress = fmt_pct(ka.progress)
        flag = (f'<span class="ns-flag" data-k="ka.{esc(ka.id)}.mismatch" title="{esc(text("mismatch_help", lang))}">'
                f'⚠</span>') if ka.mismatch else ""
        line = ('<div class="ns-ka" '
                f'data-k="ka.{esc(ka.id)}">{chip(ka.status, lang, small=True, key="ka." + ka.id + ".status")}'
                f'<span class="ns-katitle">{esc(_title(ka.title, lang))}</span>'
                f'{flag}<span class="ns-kapct">{num("ka." + ka.id + ".progress", progress)}</span></div>')
        url = page_link("centers", view, ka=ka.id)
        lines.append(link(url, line, title=_title(ka.title, lang)))
    if not lines:
        # the tree is the reader's: a center whose actions they may not see has none left in it, which is not "none"
        empty = "actions_not_yours" if view is not None and not view.reader.sees_center(center.id) else "no_actions"
        lines.append(f'<div class="ns-empty">{esc(text(empty, lang))}</div>')
    url = page_link("centers", view)
    return (f'<div class="ns-card ns-center"><div class="ns-zname">{link(url, esc(name_of(center, lang)))}</div>'
            f'<div class="ns-tilehead"><div class="ns-tally">{tally}</div>'
            f'<span class="ns-cmembers" data-k="{esc(key)}.members">{esc(members)}</span></div>{"".join(lines)}</div>')


def centers(tree: GoalTree) -> list[dict]:
    return [n for n in tree.nodes if n.level == "center" and not _unassigned(n)]


# ---- drivers ---------------------------------------------------------------------------------------------------

def drivers_strip(tree: GoalTree, lang: str) -> str:
    d = tree.drivers[tree.company.id]
    items = []
    for name in ("station_masters_recruited", "orders", "gmv", "active_members"):
        v = d[name]
        value = fmt_money(v["value"], lang) if name == "gmv" else fmt_count(v["value"], lang)
        before = v["last_month"]
        if before:
            change = (v["value"] - before) / before
            arrow = "↑" if change > 0 else ("↓" if change < 0 else "→")
            cmp = text("vs_last_month", lang, d=f"{arrow} {'+' if change >= 0 else '−'}{abs(change) * 100:.0f}%")
        else:
            cmp = text("no_comparison", lang)
        items.append(f'<div class="ns-driver"><span class="ns-small-label">{esc(text(name, lang))}</span>'
                     f'<span class="ns-dval">{num("driver." + name, value)}</span>'
                     f'<span class="ns-dcmp" data-k="driver.{name}.cmp">{esc(cmp)}</span></div>')
    return (f'<div class="ns-card ns-drivers"><div class="ns-dhead"><b>{esc(text("drivers", lang))}</b>'
            f'<span>{esc(text("drivers_note_done" if tree.finished else "drivers_note", lang))}</span></div>'
            f'{"".join(items)}</div>')
