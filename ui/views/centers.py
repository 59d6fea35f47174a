"""The Centers page's pieces (动作分解): the alignment matrix of centers × war zones, each key action with its key
results (progress, computed status beside the lead's declared confidence, the mismatch flag, the latest check-in), and
the trend of a key result's check-ins. Numbers come from the goal tree (`tree.key_actions`, pipelines.okr.keyactions).
"""
from __future__ import annotations

import plotly.graph_objects as go

from pipelines.base.metrics import CATALOG
from pipelines.okr.goaltree import GoalTree
from pipelines.plan.access import User
from pipelines.plan.org import is_unassigned
from ui.figures import figure
from ui.i18n import fmt_count, fmt_list, fmt_pair, fmt_pct, status_word, text
from ui.views.board import _title, bar, chip, esc, name_of, num

CONFIDENCE = ("on_track", "at_risk", "off_track")
CONF_COLORS = {"on_track": "#2f9e44", "at_risk": "#f5a300", "off_track": "#d9342b"}


def centers(tree: GoalTree, reader: User) -> list[dict]:
    """The centers the Centers page is about for `reader`: every center, or a center lead's own
    (pipelines.plan.access: they see the key actions of their center only, and a row or section for another would
    read "no key actions")."""
    return [n for n in tree.nodes if n.level == "center" and not is_unassigned(n.id)
            and reader.sees_center(n.id)]


def zones(tree: GoalTree) -> list[dict]:
    return [n for n in tree.children(tree.company.id) if n.level == "war_zone"
            and not is_unassigned(n.id)]


def confidence_chip(confidence: str | None, lang: str, key: str) -> str:
    """'自评 ● 正常' — the lead's own word, in the status colours, marked as declared."""
    if confidence is None:
        return f'<span class="ns-said ns-said-none" data-k="{esc(key)}">{esc(text("no_confidence", lang))}</span>'
    return (f'<span class="ns-said" data-k="{esc(key)}">{esc(text("declared", lang))} '
            f'<span class="ns-chip ns-small ns-{confidence}">{esc(status_word(confidence, lang))}</span></span>')


def action_chip(ka: dict, lang: str) -> str:
    flag = f' <span class="ns-flag" title="{esc(text("mismatch_help", lang))}">⚠</span>' if ka.mismatch else ""
    return (f'<div class="ns-ka" data-k="align.{esc(ka.id)}">{chip(ka.status, lang, small=True)}'
            f'<span class="ns-katitle">{esc(_title(ka.title, lang))}</span>{flag}</div>')


def alignment(tree: GoalTree, lang: str, reader: User) -> str:
    """Centers × war zones: which of this month's actions serve which zone (an action naming no zone serves all),
    and each center's channel members this month against its target and its share of the company's target."""
    zs = zones(tree)
    company_target = tree.company.metrics["members"].target
    head = "".join(f"<th>{esc(name_of(z, lang))}</th>" for z in zs)
    rows = []
    for c in centers(tree, reader):
        acts = [ka for ka in tree.key_actions if ka.center == c.id]
        cells = []
        for z in zs:
            here = [ka for ka in acts if not ka.war_zones or z.id in ka.war_zones]
            inner = "".join(action_chip(ka, lang) for ka in here) or '<span class="ns-none">—</span>'
            cells.append(f'<td data-k="align.{esc(c.id)}.{esc(z.id)}">{inner}</td>')
        m = c.metrics["members"]
        cid = c.id
        share = m.target / company_target if m.target and company_target else None
        actual, target = fmt_pair(m.actual, m.target or None, lang)
        members = f'{num(f"align.{cid}.members", actual)} / {target}'
        share_text = esc(text("share_of_target", lang, p=fmt_pct(share)))
        rows.append(f'<tr><th class="ns-rowhead">{esc(name_of(c, lang))}</th>{"".join(cells)}'
                    f'<td class="ns-num">{members}<div class="ns-sub">{share_text}</div></td>'
                    f'<td>{chip(m.status, lang, small=True, key=f"align.{cid}.status")}</td></tr>')
    return (f'<div class="ns-scroll"><table class="ns-align"><thead><tr><th>{esc(text("center", lang))}</th>{head}'
            f'<th>{esc(text("center_members_col", lang))}</th><th>{esc(text("status", lang))}</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def unit_of(kr: dict, lang: str) -> str:
    if kr.kind == "auto":
        metric = CATALOG.get(kr.metric)
        return (metric.unit_zh if lang == "zh" else metric.unit_en) if metric else ""
    return _title(kr.unit or {}, lang)


def kr_line(kr: dict, tree: GoalTree, lang: str) -> str:
    """One key result: title and kind, progress bar (with the time-gone tick), actual / target and unit, computed
    status, declared confidence, the mismatch flag and the latest word."""
    key = f"kr.{kr.id}"
    kind = text("kr_auto" if kr.kind == "auto" else "kr_manual", lang)
    actual, target = fmt_pair(kr.actual, kr.target, lang)
    figures = (f'{num(key + ".actual", actual)} / {num(key + ".target", target)} '
               f'{esc(unit_of(kr, lang))}')
    flag = ""
    if kr.mismatch:
        flag = f'<span class="ns-flag" data-k="{esc(key)}.mismatch">⚠ {esc(text("mismatch", lang))}</span>'
    said = ""
    if kr.said_on:
        said = text("said_line", lang, d=kr.said_on.isoformat(), who=kr.said_by or "—")
        if kr.comment:
            said += f" · “{kr.comment}”"
    elif kr.kind == "manual":
        said = text("no_checkin_month", lang)
    return (f'<div class="ns-kr" data-k="{esc(key)}"><div class="ns-krhead"><span class="ns-krtitle">'
            f'{esc(_title(kr.title, lang))}</span><span class="ns-krkind">{esc(kind)}</span>'
            f'<span class="ns-krfig">{figures}</span>{chip(kr.status, lang, small=True, key=key + ".status")}'
            f'{confidence_chip(kr.confidence, lang, key + ".confidence")}{flag}</div>'
            f'{bar(kr.progress, kr.status, due_mark(kr, tree), text("expected", lang))}'
            f'<div class="ns-meta">{esc(said)}</div></div>')


def due_mark(kr: dict, tree: GoalTree) -> float:
    """Where the key result's bar should be filled to by today: its expected ÷ its target as judged (a flow's share
    due, a stock's straight path, a share's or median's target itself: the full bar)."""
    if kr.target and kr.expected is not None:
        if kr.basis == "target":
            return 1.0
        return kr.expected / kr.target
    return tree.elapsed


def action_block(ka: dict, tree: GoalTree, people: dict[str, dict], lang: str) -> str:
    """A key action: title, status, progress, owner, the goals and zones it serves, then its key results."""
    zone_names = {z.id: name_of(z, lang) for z in zones(tree)}
    serves = fmt_list((zone_names.get(z, z) for z in ka.war_zones), lang)
    supports = " · ".join(text(f"new_{m}", lang) for m in ka.supports)
    owner = people.get(ka.owner or "")
    meta = [text("ka_owner", lang, who=name_of(owner, lang) if owner else (ka.owner or "—"))]
    if supports:
        meta.append(text("ka_supports", lang, what=supports))
    meta.append(text("ka_serves", lang, zones=serves or text("all_zones", lang)))
    kid = ka.id
    head = (f'<div class="ns-tilehead"><span class="ns-label">{esc(_title(ka.title, lang))}</span>'
            f'<span>{num(f"ka.{kid}.progress", fmt_pct(ka.progress))} '
            f'{chip(ka.status, lang, key=f"ka.{kid}.status")}</span></div>')
    lines = "".join(kr_line(kr, tree, lang) for kr in ka.key_results)
    return (f'<div class="ns-card ns-action ns-edge-{ka.status}" data-k="ka.{esc(ka.id)}">{head}'
            f'<div class="ns-meta">{esc(" · ".join(meta))}</div>{lines}</div>')


def trend(history: list[dict], kr: dict, lang: str) -> go.Figure:
    """A key result's check-ins over time: the value (manual key results) as a line, each check-in a point in the
    colour of the confidence declared, with the word in its hover text."""
    rows = sorted(history, key=lambda h: (h["on_date"], h["change"]))
    fig = figure()
    values = [(h["on_date"], h["value"]) for h in rows if h["value"] is not None]
    if values:
        fig.add_trace(go.Scatter(x=[d for d, _ in values], y=[v for _, v in values], mode="lines",
                                 line={"color": "#9ca3af", "width": 2}, name=text("checkin_value", lang),
                                 showlegend=False, hoverinfo="skip"))
    for conf in (*CONFIDENCE, None):
        pts = [h for h in rows if h["confidence"] == conf]
        if not pts:
            continue
        fig.add_trace(go.Scatter(
            x=[h["on_date"] for h in pts],
            y=[h["value"] if h["value"] is not None else 0 for h in pts], mode="markers",
            marker={"size": 11, "color": CONF_COLORS.get(conf, "#6b7280"), "symbol": "circle"},
            name=status_word(conf, lang) if conf else text("no_confidence", lang),
            text=[f"{h['who']}: {h['comment']}" if h["comment"] else h["who"] for h in pts],
            hovertemplate="%{x}: %{y}<br>%{text}<extra>%{fullData.name}</extra>"))
    if kr.target:
        fig.add_hline(y=kr.target, line={"dash": "dot", "color": "#111827", "width": 1},
                      annotation_text=text("target_line", lang, n=fmt_count(kr.target, lang)),
                      annotation_position="top left")
    fig.update_layout(height=220, margin={"l": 40, "r": 10, "t": 10, "b": 30}, legend={"orientation": "h", "y": -0.25},
                      yaxis={"rangemode": "tozero"}, xaxis={"tickformat": "%m-%d"})
    return fig
