"""Northstar: the entry point. Page config, the shared sidebar, and the navigation."""
import streamlit as st

st.set_page_config(page_title="Northstar · 北极星", page_icon="⭐", layout="wide")

lang = st.sidebar.radio("语言 / Language", ["中文", "English"], horizontal=True, key="lang")
st.session_state["lang_code"] = "zh" if lang == "中文" else "en"

# A page's url_path must differ from its file's stem: Streamlit 1.67 still treats a `pages/` folder as a v1
# multipage app on some runs (always under AppTest), and a page hash equal to a v1 page's would run that file
# without this entry script, losing the sidebar (tests/test_app.py::test_english_labels catches it).
pg = st.navigation([st.Page("pages/board.py", title="总览 Board", icon="⭐", url_path="overview", default=True)])
pg.run()
