"""Leave Streamlit's old (v1) multipage mode before anything is drawn.

Streamlit 1.67 decides once per process, when the first session starts, that an app with a `pages/` folder is a
v1 multipage app (`PagesManager.uses_pages_directory`, set from `<entry's folder>/pages` existing); st.navigation
switches that off, but only once it has run (and AppTest resets it before every run). A v1 run gives widgets ids
that no later run uses, so a person's first click (English, a month) was silently dropped; and a v1 run resolves the
URL against the file names in `pages/`.

Streamlit has no supported switch for this (issue 34 looked: no config option, no st.navigation argument; 1.67 is
the latest release), and the design keeps the folder's name `pages/`. So this module reaches into Streamlit's
runtime — `PagesManager`, `RerunException`, `WidgetStates` — and does so defensively: if an upgrade moves them, the
guard turns itself off (the app still works; a reader's very first click after a restart may be lost again) instead
of stopping every page, and tests/test_v1guard.py fails, so the upgrade is noticed in CI rather than by a reader.

`leave_v1()` runs first in dashboard.py and in every page (`ui.setup.open_page()`): in a v1 run it switches v1 off
and starts the run over for the same page (by its hash or its URL name; st.rerun() would forget a page's URL), so a
shared link such as `/war_zone?zone=north` opens that page with the sidebar. That is also why each page's
`url_path` is its file's stem: the v1 run must find the page the link names, or the browser shows "page not found".
tests/test_browser.py checks the first click, tests/test_browser_war_zone.py a shared link.
"""
from __future__ import annotations

import logging

try:        # Streamlit's private runtime (see above): present in the pinned 1.67
    from streamlit.proto.WidgetStates_pb2 import WidgetStates
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import RerunData, get_script_run_ctx
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
    ACTIVE = hasattr(PagesManager, "uses_pages_directory")
except ImportError:         # pragma: no cover - only after a Streamlit upgrade; tests/test_v1guard.py says so
    ACTIVE = False
if not ACTIVE:              # pragma: no cover
    logging.getLogger(__name__).warning("ui.v1guard is off: this Streamlit has no PagesManager.uses_pages_directory; "
                                        "a reader's first click after a restart may be lost (see ui/v1guard.py)")


def leave_v1() -> None:
    if not ACTIVE or not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    ctx = get_script_run_ctx()
    if ctx is None:          # imported outside a Streamlit run (a unit test): nothing to restart
        return
    manager = ctx.pages_manager
    # The run starts over with the widget values it came with: a button's click (a trigger) would otherwise be
    # reset when this run ends and the click lost (AppTest starts every run in v1 mode, so its clicks depend on it).
    states = WidgetStates()
    states.widgets.extend(ctx.session_state.get_widget_states())
    raise RerunException(RerunData(query_string=ctx.query_string, widget_states=states,
                                   page_script_hash=manager.intended_page_script_hash or "",
                                   page_name=manager.intended_page_name or "",
                                   context_info=ctx.context_info))


def default_page_alias(name: str) -> None:
    """`/<name>` opens the default page (its own URL is `/`): Streamlit matches a URL against the pages' url_path,
    and a default page has none, so `/board` showed "Page not found" before falling back to the board."""
    if not ACTIVE:
        return
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    manager = ctx.pages_manager
    if manager.intended_page_name == name and not manager.intended_page_script_hash:
        manager.set_script_intent("", "")
