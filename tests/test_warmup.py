"""Issue 37: the default views of a new warehouse are worked out before anyone asks (ui/warmup.py).

- In this process: after `warm`, every page's first view is read from the cache — the functions that compute the
  numbers are replaced by ones that fail, and the pages still draw (so the warm-up read each page's view with the
  very arguments the page passes).
- A real server: the warm-up starts when the first page is opened (dashboard.py) and runs again, on its own,
  when a refresh swaps a new warehouse in (its log says so)."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import copy_warehouse, open_app

PAGES = ["pages/board.py", "pages/war_zone.py", "pages/centers.py", "pages/cohorts.py", "pages/growth.py",
         "pages/data.py", "pages/plan.py"]


def _refuse(*args, **kwargs):
    raise AssertionError("worked out again: the warm-up did not cover this read")


def test_after_the_warm_up_every_first_view_is_read_from_the_cache(tiny, tmp_path, monkeypatch, fresh_cache):
    from pipelines.okr import cohorts, decompose, goaltree, growth, warzone
    from ui import warmup

    db = copy_warehouse(tiny / "wh.duckdb", tmp_path)
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    assert warmup.warm(str(db)) == 6
    for module, names in ((goaltree, ("goal_tree",)), (warzone, ("daily", "drivers", "attainment")),
                          (cohorts, ("members", "stations")), (growth, ("flows", "lifecycle", "referrals")),
                          (decompose, ("trailing_actuals",))):
        for name in names:
            monkeypatch.setattr(module, name, _refuse)
    for page in PAGES:
        at = open_app(db, monkeypatch, page)
        assert not at.exception, (page, at.exception)
        shown = " ".join(e.value for e in at.error)
        assert "worked out again" not in shown and not at.error, (page, shown)
    # and it is the cache that answered: a view nobody warmed (last month's board) is worked out, and refused
    at = open_app(db, monkeypatch, "pages/board.py")
    at.sidebar.selectbox[0].set_value(at.sidebar.selectbox[0].options[1]).run()
    assert at.exception or at.error


def _log_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(errors="replace").splitlines() if "northstar.warmup" in line]


def test_a_server_warms_each_new_warehouse_without_a_reader(tiny, tmp_path, browser):
    """The first page opened starts the warm-up; a refresh that swaps the warehouse (os.replace, as the build does)
    is warmed within a second with no one reading."""
    import os

    from pipelines.delivery.render import app_server

    db = copy_warehouse(tiny / "wh.duckdb", tmp_path)
    log = tmp_path / "server.log"
    with app_server(db, log_path=log, NORTHSTAR_WARMUP_SECONDS="0.5") as url:
        assert _log_lines(log) == []                # nothing before the first page run
        page = browser.new_page()
        page.goto(url)
        page.locator(".ns-done").wait_for(state="attached", timeout=60_000)
        page.close()

        def warmed(n: int) -> list[str]:
            for _ in range(300):
                lines = [x for x in _log_lines(log) if "warmed" in x]
                if len(lines) >= n:
                    return lines
                time.sleep(0.1)
            pytest.fail(f"not warmed {n} times; log:\n{log.read_text(errors='replace')[-3000:]}")

        first = warmed(1)
        assert "6 views" in first[0]
        swapped = tmp_path / "new.duckdb"
        shutil.copyfile(db, swapped)
        os.replace(swapped, db)                     # a refresh: a new file, a new version
        lines = warmed(2)
        assert "6 views" in lines[1] and "failed" not in log.read_text(errors="replace")
