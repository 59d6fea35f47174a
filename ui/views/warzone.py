"""The war-zone page's blocks, built from one `GoalTree` and the numbers of `pipelines.okr.warzone`; no Streamlit calls.

Tables are pandas frames with the language's column names (numbers stay numbers, so a click on a column sorts them
as numbers); `styled()` tints the rows that are behind. HTML blocks carry `data-k` keys like the board's.
"""
from __future__ import annotations

import pandas as pd

from pipelines.base import csvsafe
from pipelines.okr.fmt import fmt_gap, pace_digits
from pipelines.okr.goaltree import GoalTree
from pipelines.plan.goals import DEFAULT_AT_RISK, GOAL_METRICS
from pipelines.plan.org import is_unassigned
from ui.i18n import fmt_count, fmt_money, fmt_pct, fmt_rate, status_word, text
from ui.views.board import chip, esc, gap_line, name_of, num, overall, week_change, worst_first

METRICS = GOAL_METRICS
# st.dataframe shows an empty number as a grey English "None" whatever the formatting; a missing target, pace or
# need per day is kept as +inf instead (so sorting puts it after every real value) and shown as "—" by `styled`.
MISSING = float("inf")
NAME_WIDTH = 190      # px: "Unassigned (East Team 2)", "未分配（华东二队）" whole at the table's 14 px font
TINTS = {"off_track": "#fde8e8", "missed": "#fde8e8", "at_risk": "#fff4db"}


def zones(tree: GoalTree) -> list[dict]:
    """The org's war zones in org order, then any `unassigned` zone the data has."""
    kids = [n for n in tree.children(tree.company.id) if n.level == "war_zone"]
    return sorted(kids, key=lambda n: is_unassigned(n.id))


def most_behind(tree: GoalTree, zone: dict) -> tuple[dict, dict, str, float] | None:
    """(who, team, metric, shortfall): who is behind in the zone by the one rule, the largest shortfall in units
    (GoalTree.most_behind)."""
    return tree.most_behind(zone.id)


def headline(tree: GoalTree, zone: dict, lang: str, detail: bool = True) -> str:
    """What the zone needs per day for the rest of the month, and who is furthest behind (without `detail`, a
    reader who may not see the zone's people: nothing about them, not "no one is behind")."""
    if tree.finished:
        need = esc(text("zone_needs_done", lang))
    else:
        s, m = (zone.metrics[k].required_daily for k in METRICS)
        need = text("zone_needs", lang, days=(tree.month_end - tree.as_of).days,
                    s=num("zone.need.stations", fmt_rate(s, lang) if s is not None else "—"),
                    m=num("zone.need.members", fmt_rate(m, lang) if m is not None else "—"))
    behind = most_behind(tree, zone) if detail else None
    if behind:
        person, team, metric, short = behind
        who = text("behind_most" if person.id != team.id else "behind_team", lang,
                   who=num("zone.behind.name", name_of(person, lang)), team=esc(name_of(team, lang)),
                   metric=esc(text(f"{metric}_short", lang)), n=num("zone.behind.gap", fmt_gap(short)),
                   unit=esc(text(f"unit_{metric}", lang)) if lang == "zh" else "")
    else:
        who = esc(text("no_one_behind", lang)) if detail else ""
    # who explains the zone's gap: its teams (and the person in each), only for a reader who may see them
    gaps = "".join(gap_line(tree, zone, m, lang) for m in METRICS) if detail else ""
    return (f'<div class="ns-card ns-headline"><span class="ns-zname">{esc(name_of(zone, lang))}</span>'
            f'{chip(overall(zone), lang, key="zone.status")} <span>{need}</span> <span>{who}</span>{gaps}</div>')


def scope_sentence(user, zone: dict, tree: GoalTree, lang: str) -> str:
    """Why a zone shows its totals only (pipelines.plan.access: a zone lead sees the teams, people and stations of their
    own zone; an analyst or a center lead those of none)."""
    if user.role == "zone_lead":
        ids = {n.id for n in tree.nodes}
        mine = name_of(tree.node(user.war_zone), lang) if user.war_zone in ids else user.war_zone
        return text("scope_zone_totals", lang, mine=mine, zone=name_of(zone, lang))
    return text("scope_no_detail", lang, role=text(f"role_{user.role}", lang))


FIGURES = ("mstatus", "actual", "target", "pace", "forecast", "required")


def columns(lang: str) -> dict[str, str]:
    """Column key → its header in `lang` (one per metric and figure), in the table's order: the name, then both
    statuses, then each metric's figures. The statuses come first so the judgment a row is tinted for is always in
    view: 13 columns are wider than a laptop's page (issue 36.4: at 1440 the members' status was off the right edge
    while its row was tinted red for it); the figures after them scroll in the table's box."""
    out = {"name": text("col_name", lang)}
    abbr = {metric: text(f"{metric}_abbr", lang) for metric in METRICS}   # 'Stn' / 'Mbr' in English
    for metric in METRICS:
        out[f"{metric}.mstatus"] = text("col_mstatus", lang, m=abbr[metric])
    for metric in METRICS:
        for figure in FIGURES[1:]:
            out[f"{metric}.{figure}"] = text(f"col_{figure}", lang, m=abbr[metric])
    return out


def node_table(nodes: list[dict], lang: str) -> tuple[pd.DataFrame, list[str]]:
    """One row per node, worst first (by its worse status): name, then for stations and members actual, target, pace
    (a percentage) and forecast as judged, needed per day and status (with "▼ 上周正常" when it changed
    in the last 7 days). No target is MISSING, shown "—" (never 0%). Returns the frame and each row's overall status
    (for `styled`)."""
    cols = columns(lang)
    rows, statuses = [], []
    for n in worst_first(nodes):
        status = overall(n)
        row = {cols["name"]: name_of(n, lang)}
        for metric in METRICS:
            v = n.metrics[metric]
            row[cols[f"{metric}.actual"]] = v.actual
            row[cols[f"{metric}.target"]] = MISSING if v.target is None else v.target
            row[cols[f"{metric}.pace"]] = MISSING if v.pace is None else v.pace * 100
            row[cols[f"{metric}.forecast"]] = round(v.forecast, 1)
            row[cols[f"{metric}.required"]] = MISSING if v.required_daily is None else round(v.required_daily, 1)
            row[cols[f"{metric}.mstatus"]] = status_word(v.status, lang) + week_words(v, lang)
        rows.append(row)
        statuses.append(status)
    frame = pd.DataFrame(rows, columns=list(cols.values()))
    return frame, statuses


def week_words(v, lang: str) -> str:
    """" ▼ 上周正常" / " ▲ from off track" after a status that changed in the last 7 days (ui.views.board.week_change),
    for a table cell; nothing when it did not or there is nothing to compare."""
    change = week_change(v, lang)
    return " " + change[0] if change else ""


def column_config(lang: str) -> dict:
    """The name column wide enough for a team's whole name ("North Team 1", "未分配（华北战区）"); the number columns
    as wide as their headers, so none is cut ("Stn forecast"): a table wider than the page scrolls in its box."""
    import streamlit as st  # only the page calls this

    cols = columns(lang)
    out = {cols["name"]: st.column_config.TextColumn(width=NAME_WIDTH, pinned=True)}
    for metric in METRICS:
        for figure in FIGURES:
            full = text(f"col_{figure}", lang, m=text(f"new_{metric}", lang))
            out[cols[f"{metric}.{figure}"]] = st.column_config.Column(help=full)
    return out


def styled(frame: pd.DataFrame, statuses: list[str], lang: str, at_risk: float = DEFAULT_AT_RISK):
    """The frame for people: counts with thousands separators, pace as a percentage, '—' where there is no value
    (no target is never 0%), and rows behind tinted red (off track, missed) or amber (at risk); the status words
    say it too. The numbers underneath stay numbers, so sorting a column sorts them as numbers; a pace never reads
    as 100% or the at-risk threshold (`at_risk`) when it is short of it."""
    tints = [TINTS.get(s, "") for s in statuses]

    def tint(row):
        color = tints[row.name]
        return [f"background-color: {color}" if color else "" for _ in row]

    return frame.style.apply(tint, axis=1).format(cell_formats(frame, lang, at_risk))


def cell_formats(frame: pd.DataFrame, lang: str, at_risk: float = DEFAULT_AT_RISK) -> dict:
    """Column header → how its cells read (`styled`'s and `print_table`'s one rule)."""
    cols = columns(lang)

    def shown(pattern: str):
        return lambda x: "—" if x == MISSING or x != x else pattern.format(x)

    formats = {}
    for metric in METRICS:
        formats[cols[f"{metric}.actual"]] = shown("{:,.0f}")
        formats[cols[f"{metric}.target"]] = shown("{:,.0f}")
        # one precision for the whole column: the decimals the closest pace to a mark needs (84.96% beside 80.00%)
        paces = [p / 100 for p in frame[cols[f"{metric}.pace"]] if p != MISSING and p == p]
        formats[cols[f"{metric}.pace"]] = pace_format(pace_digits(paces, (1, at_risk)), at_risk)
        formats[cols[f"{metric}.forecast"]] = shown("{:,.0f}")
        formats[cols[f"{metric}.required"]] = lambda x: "—" if x == MISSING or x != x else (
            f"{x:.1f}" if abs(x) < 10 else f"{x:,.0f}")       # as everywhere: one decimal below 10
    return formats


def print_table(frame: pd.DataFrame, statuses: list[str] | None, lang: str,
                at_risk: float = DEFAULT_AT_RISK) -> str:
    """The table as paper shows it (issue 36.6): every column, the cells as on screen, rows tinted as on screen.
    On screen the interactive grid is drawn and this is hidden; printed, the grid (a canvas cut at the screen's
    width) is hidden and this is shown."""
    from ui.components import table_html

    formats = cell_formats(frame, lang, at_risk) if statuses is not None else {}
    formats = {c: formats.get(c, _plain) for c in frame.columns}
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    tints = [TINTS.get(s, "") for s in statuses] if statuses else None
    return f'<div class="ns-print-only">{table_html(frame, "ns-ptable", formats, tints, numeric)}</div>'


def _plain(value) -> str:
    if isinstance(value, float) and value == int(value):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def pace_format(digits: int, at_risk: float):
    """A pace column's cells at one precision; '—' for none."""
    return lambda x: "—" if x == MISSING or x != x else fmt_pct(x / 100, digits, marks=(1, at_risk))


def drivers_strip(drv: dict[str, dict], lang: str, finished: bool = False) -> str:
    """The zone's paths with their comparison to the same days of last month (a finished month: the whole month
    against the whole of the last)."""
    items = []
    for name in ("station_masters_recruited", "signing_conversion", "days_to_open", "members_per_new_station", "gmv"):
        v = drv[name]
        shown, before = _driver_text(name, v["value"], lang), _driver_text(name, v["last_month"], lang)
        if v["value"] is not None and v["last_month"] is not None:
            if name == "signing_conversion":
                change = signed(f"{(v['value'] - v['last_month']) * 100:+.0f}") + " pp"
            elif v["last_month"]:
                change = signed(f"{(v['value'] - v['last_month']) / v['last_month'] * 100:+.0f}") + "%"
            else:
                change = ""
            # "last month 21 (−19%)", never "17 21 -19%" (issue 36.5: two numbers and a change run together)
            cmp = (text("last_month_change", lang, d=before, c=change) if change
                   else text("last_month_was", lang, d=before))
        else:
            cmp = text("last_month_was", lang, d=before)
        help_ = f' title="{esc(text(name + "_help", lang))}"' if name == "signing_conversion" else ""
        items.append(f'<div class="ns-driver"{help_}><span class="ns-small-label">{esc(text(name, lang))}</span>'
                     f'<span class="ns-dval">{num("zdriver." + name, shown)}</span>'
                     f'<span class="ns-dcmp" data-k="zdriver.{name}.cmp">{esc(cmp)}</span></div>')
    return (f'<div class="ns-card ns-drivers ns-zdrivers"><div class="ns-dhead">'
            f'<b>{esc(text("zone_drivers", lang))}</b>'
            f'<span>{esc(text("zone_drivers_note_done" if finished else "zone_drivers_note", lang))}</span></div>'
            f'{"".join(items)}</div>')


def signed(figure: str) -> str:
    """A change's sign as a typographic minus ("−19"), as the board writes it."""
    return figure.replace("-", "−")


def _driver_text(name: str, value, lang: str) -> str:
    if value is None:
        return "—"
    if name == "gmv":
        return fmt_money(value, lang)
    if name == "signing_conversion":
        return fmt_pct(value)
    if name == "days_to_open":
        return text("days_unit", lang, n=f"{value:g}")
    if name == "members_per_new_station":
        return fmt_rate(value, lang)
    return fmt_count(value, lang)


def stations_frame(rows: list[dict], tree: GoalTree, lang: str) -> pd.DataFrame:
    """This month's new stations with the team's and owner's names, for the table and its CSV."""
    names = {n.id: name_of(n, lang) for n in tree.nodes}
    out = pd.DataFrame([{
        text("col_station_id", lang): r["station_id"],
        text("col_station", lang): r["name"],
        text("team", lang): names.get(r["team"], r["team"]),
        text("col_owner", lang): names.get(r["person"], r["person"]),
        text("col_city", lang): r["city"],
        text("col_opened", lang): r["opened_on"],
        text("col_members_so_far", lang): r["members"],
    } for r in rows], columns=[text(k, lang) for k in ("col_station_id", "col_station", "team", "col_owner",
                                                        "col_city", "col_opened", "col_members_so_far")])
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese names correctly; text that would run as a formula is written as
    text (pipelines.base.csvsafe), numbers stay numbers."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csvsafe.cell)
    safe.columns = [csvsafe.cell(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def status_legend(lang: str) -> str:
    """What the chart's colours and signs mean, in words."""
    items = [chip(s, lang, small=True) for s in ("achieved", "missed", "on_track", "at_risk", "off_track", "no_target")]
    return f'<div class="ns-note">{" ".join(items)}</div>'
