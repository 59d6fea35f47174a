"""Northstar: the entry point. Page config, the shared sidebar (language, month, as-of), and the navigation."""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# Streamlit 1.67 runs the first script run of a process as a v1 multipage app because a `pages/` folder exists
# (st.navigation switches that off, but only once it has run). Widgets then get ids that no later run uses, so a
# person's first click (English, a month) was silently dropped. Switch v1 off and start this run over, before
# anything is drawn (tests/test_browser.py checks the first click).
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()

from ui.i18n import LANGS, t
from ui.setup import ensure_warehouse, period_sidebar

st.set_page_config(page_title="Northstar · 北极星", page_icon="⭐", layout="wide")

choice = st.sidebar.radio("语言 / Language", list(LANGS.values()), horizontal=True, key="lang")
st.session_state["lang_code"] = "zh" if choice == LANGS["zh"] else "en"

db = ensure_warehouse()
st.session_state["period"] = period_sidebar(db)

# A page's url_path must differ from its file's stem: Streamlit 1.67 still treats a `pages/` folder as a v1
# multipage app on some runs (always under AppTest), and a page hash equal to a v1 page's would run that file
# without this entry script, losing the sidebar (tests/test_app.py::test_english_labels_everywhere catches it).
pg = st.navigation([st.Page("pages/board.py", title=t("page_board"), icon="⭐", url_path="overview", default=True)])
pg.run()

