"""Links that keep the reader's view. The language, month and as-of date travel in the URL
(`?lang=en&month=2026-10&as_of=2026-10-15`), so a link shared in a group opens what its sender saw, and every card on
the board opens the page behind it in the same view.

- `adopt_url()` (dashboard.py, before the sidebar) takes `lang`, `month` and `as_of` from the URL on a session's
  first run; a value that is not valid is ignored (the period sidebar checks month and as-of against the data).
- `keep_url(view)` writes the current view back into the URL after the sidebar, so the address bar can be shared.
  A month or as-of that is the default (the data's latest) is left out, so a bookmark follows the data.
- `href(page, params, **more)` is a relative link to another page in that view; `page_link(page, view, …)` the
  same, or none to a page the view's reader may not open; `ui.views.board` builds cards with it. A `View` is handed
  to the views by the page (the reader is read once, where the page starts), so a card can be drawn for anyone.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from pipelines.plan.access import User
from ui.i18n import LANGS

VIEW_KEYS = ("lang", "month", "as_of")


@dataclass(frozen=True)
class View:
    """What a page's links carry: the URL parameters of the reader's view (language, and month and as-of when they
    are not the latest) and the reader, whose rights decide which figures are links."""
    params: dict[str, str]
    reader: User


def adopt_url() -> None:
    """On a session's first run, the view named in the URL becomes the session's: language, month, as-of."""
    if st.session_state.get("_url_adopted"):
        return
    st.session_state["_url_adopted"] = True
    params = st.query_params
    code = params.get("lang")
    if code in LANGS:
        st.session_state["lang"] = LANGS[code]          # the language radio's key
    month = params.get("month") or ""
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        st.session_state["month"] = month                # period_sidebar offers it when the data has it
        try:
            as_of = dt.date.fromisoformat(params.get("as_of") or "")
        except ValueError:
            as_of = None
        if as_of is not None:
            st.session_state[f"as_of_{month}_kept"] = as_of   # kept only when it falls in the month and the data


def view_of(code: str, period: tuple[str, dt.date] | None, latest: tuple[str, dt.date] | None) -> dict[str, str]:
    """The view as URL parameters: the language always; month and as-of when they are not the latest."""
    view = {"lang": code}
    if period and latest and period != latest:
        month, as_of = period
        view["month"] = month
        latest_as_of = latest[1] if latest[0] == month else None
        if as_of != latest_as_of and as_of != _month_end(month):
            view["as_of"] = as_of.isoformat()
    return view


def _month_end(month: str) -> dt.date:
    from pipelines.base.months import month_bounds

    return month_bounds(month)[1]


def keep_url(view: dict[str, str]) -> None:
    """The address bar shows the view (and keeps the page's own parameters, such as ?zone=)."""
    for key in VIEW_KEYS:
        if key in view:
            if st.query_params.get(key) != view[key]:
                st.query_params[key] = view[key]
        elif key in st.query_params:
            del st.query_params[key]


def href(page: str, view: dict[str, str] | None, **params: str) -> str:
    """A relative link to `page` (its url_path) in `view`, with the page's own parameters (zone=…, ka=…)."""
    query = {**(view or {}), **{k: v for k, v in params.items() if v is not None}}
    return f"{page}?{urlencode(query)}" if query else page


def page_link(page: str, view: View | None, **params: str) -> str | None:
    """`href`, or None when the view's reader may not open `page` (pipelines.plan.access: an analyst's board has no
    link to a war zone), so the figure is drawn as plain text rather than as a link to "page not found"."""
    if view is None or not view.reader.can_read(page):
        return None
    return href(page, view.params, **params)
