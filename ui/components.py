"""The house's small pieces of page, written once: a page head (title with the period or as-of beside it), a section
header (with an optional quiet note), and a note line. Every text they take is a person's or a label's and is
HTML-escaped here; only `after`, HTML this package built and escaped itself (e.g. ui.views.board.age_chip), goes in as
is. Styles are in ui/style.py (`.ns-head`, `.ns-section`, `.ns-note`).
"""
from __future__ import annotations

import html

import streamlit as st


def _esc(text) -> str:
    return html.escape(str(text))


def _key(data_key: str | None) -> str:
    return f' data-k="{_esc(data_key)}"' if data_key else ""


def table_html(frame, cls: str, formats: dict | None = None, tints: list[str] | None = None,
               numeric: set | frozenset = frozenset(), key: str | None = None) -> str:
    """A DataFrame as a plain HTML table (for paper, or text that must wrap): every header and cell escaped (user
    text is text), a cell written by `formats[column]` when given, row i tinted `tints[i]`, `numeric` columns
    right-aligned."""
    def cell(tag: str, column, value) -> str:
        align = " class=ns-num" if column in numeric else ""
        return f"<{tag}{align}>{_esc(value)}</{tag}>"

    head = "".join(cell("th", c, c) for c in frame.columns)
    rows = []
    for i, row in enumerate(frame.itertuples(index=False)):
        tint = tints[i] if tints else ""
        style = f' style="background:{tint}"' if tint else ""
        shown = [(formats or {}).get(c, str)(v) for c, v in zip(frame.columns, row)]
        rows.append(f"<tr{style}>" + "".join(cell("td", c, v) for c, v in zip(frame.columns, shown)) + "</tr>")
    return (f'<table class="{cls}"{_key(key)}><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def section_html(title: str, note: str | None = None, after: str = "", key: str | None = None) -> str:
    """`after`: built HTML after the note (a help marker); `key`: a data-k for tests and stylesheets."""
    extra = f"<span>{_esc(note)}{after}</span>" if note else after
    return f'<div class="ns-section"{_key(key)}>{_esc(title)}{extra}</div>'


def section(title: str, note: str | None = None, after: str = "", key: str | None = None) -> None:
    """A section header: the title in bold, an optional note after it in grey (and `after`, built HTML)."""
    st.markdown(section_html(title, note, after, key), unsafe_allow_html=True)


def page_head(title: str, period: str | None = None, data_key: str | None = "period", icon: str = "",
              after: str = "") -> None:
    """The page's title with, on the same line, the period or as-of it shows (`data_key` marks it for tests and
    links) and `after` (built HTML such as the data-age chip)."""
    tip = f' title="{_esc(title)}"' if icon else ""
    h1 = f"<h1{tip}>{_esc(icon + ' ' if icon else '')}{_esc(title)}</h1>"
    shown = f"<span{_key(data_key)}>{_esc(period)}</span>" if period is not None else ""
    side = f'<span class="ns-period">{shown}{after}</span>' if (shown or after) else ""
    st.markdown(f'<div class="ns-head">{h1}{side}</div>', unsafe_allow_html=True)


def note(text: str, data_key: str | None = None) -> None:
    """A quiet one-line note in italics (e.g. what a link could not find)."""
    st.markdown(f'<div class="ns-note"{_key(data_key)}>{_esc(text)}</div>', unsafe_allow_html=True)
