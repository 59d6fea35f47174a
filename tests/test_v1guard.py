"""ui/v1guard.py reaches into Streamlit's private runtime because Streamlit has no supported way to keep a
`pages/` folder out of its old (v1) multipage mode. These tests say, at the first run of CI after a Streamlit
upgrade, whether that private runtime is still what the guard expects (the browser tests say whether the first
click still lands)."""
import inspect

import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import RerunData

from ui import v1guard


def test_the_guard_is_on_with_the_pinned_streamlit():
    pinned = next(line.split("==")[1].split()[0] for line in open("requirements.txt", encoding="utf-8")
                  if line.startswith("streamlit=="))
    assert streamlit.__version__ == pinned
    assert v1guard.ACTIVE


def test_streamlit_still_decides_v1_mode_from_a_pages_folder_beside_the_entry():
    """The switch the guard turns off is still a class attribute set from `<entry folder>/pages` existing, and a
    rerun still takes the page and the widget states the guard hands it."""
    source = inspect.getsource(PagesManager.__init__)
    assert "uses_pages_directory" in source and '"pages"' in source
    fields = set(inspect.signature(RerunData).parameters)
    assert {"query_string", "widget_states", "page_script_hash", "page_name", "context_info"} <= fields


def test_outside_a_run_the_guard_only_switches_v1_off(monkeypatch):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    v1guard.leave_v1()
    assert PagesManager.uses_pages_directory is False
    v1guard.leave_v1()                     # (already off: nothing to do)
    assert PagesManager.uses_pages_directory is False
