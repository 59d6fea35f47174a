"""Issue 22 as a person sees it, in real Chromium on the tiny sample (which judges its months on their own shape):
the board names its basis and shows both paces, who explains the gap, a status that moved since last week and
this year's milestone, with the band on the chart, still on one screen; the war-zone page shows the band and the
same marks; on a phone the band is written out. What each block must say comes from the goal tree (the unit
tests in test_board_pace.py work the numbers out by hand). Screenshots: tests/artifacts/pace-*.png."""
from __future__ import annotations

import html
import re

import pytest
from playwright.sync_api import expect

from conftest import choose_language, main_height, open_board, problems_shown, screenshot
from pipelines.delivery import trees
from ui.views import board

pytestmark = pytest.mark.browser


def words(block: str) -> str:
    """What a person reads in a block of ui.views.board's HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", block))


@pytest.fixture(scope="module")
def tree(tiny):
    return trees.load(tiny / "wh.duckdb", "2026-11", "2026-11-24")


def moved(tree):
    """(zone, metric, words) for every war zone's goal whose status moved in the last 7 days."""
    out = []
    for zone in board.zone_order(tree):
        for metric in board.METRICS:
            change = board.week_change(zone.metrics[metric], "zh")
            if change:
                out.append((zone, metric, change[0]))
    return out


def check(page, tree, lang: str) -> None:
    assert tree.basis == "seasonal"
    main = page.locator("[data-testid=stMain]")
    assert board.basis_note(tree, lang) in main.inner_text()
    # who explains the company's gap, under the tiles, as the goal tree says
    for metric in board.METRICS:
        want = words(board.gap_line(tree, tree.company, metric, lang, brief=True))
        found = page.locator(f"[data-k='gap.company.{metric}']")
        assert (found.inner_text().replace("\n", "") if found.count() else "") == want.replace("\n", "")
    assert page.locator("[data-k^='gap.company.']").count() >= 1
    # the band on the chart, the year's milestone on the north star
    chart = page.locator(".js-plotly-plot").first.inner_text()
    assert ("月末 80%区间" if lang == "zh" else "80% band, month end") in chart
    assert page.locator("[data-k='ns.stations.milestone']").inner_text().startswith(
        "2026年底" if lang == "zh" else "End 2026:")
    # which curve each goal is judged by and why (issue 35), and the other pace beside the month's where the goal
    # has a curve of its own (on the tiny sample the backtest keeps both on the straight line: its shape missed by
    # 5.0 % against the line's 5.1 %, not a tenth less; tests/test_board_pace.py draws the other pace by hand)
    for metric in board.METRICS:
        v = tree.company.metrics[metric]
        if not v.target:         # a goal without a target says so and nothing more
            continue
        assert page.locator(f"[data-k='month.{metric}.shape']").inner_text() == tree.shape_words(v, lang, short=True)
        other = page.locator(f"[data-k='month.{metric}.other_pace']")
        assert (other.count() and other.is_visible()) == (tree.judged(v).other_pace is not None)
    sizes = main_height(page)       # one screen
    assert sizes[0] <= sizes[1] + 1, f"the board scrolls: {sizes}"
    assert problems_shown(page) == []


def test_the_board_on_the_months_shape_in_both_languages(app_url, browser, tree):
    changed = moved(tree)
    assert changed, "the tiny sample has a war zone whose status moved in the week to 24 November"
    page = open_board(browser, app_url)
    check(page, tree, "zh")
    for zone, metric, said in changed:
        assert page.locator(f"[data-k='zone.{zone.id}.{metric}.week']").inner_text() == said
    screenshot(page, "pace-board-zh-1440.png")
    choose_language(page, "English")
    page.get_by_text("Pace by the month's shape").wait_for(timeout=30_000)
    page.locator("[data-k='driver.gmv']").wait_for(timeout=30_000)
    # on a busy machine the Chinese run's blocks stand beside the English ones until the rerun ends: wait for one
    # gap line per goal (as test_browser.check_board waits for three zone cards)
    for metric in board.METRICS:
        if board.gap_line(tree, tree.company, metric, "en"):
            expect(page.locator(f"[data-k='gap.company.{metric}']")).to_have_count(1, timeout=30_000)
    expect(page.locator(".ns-zone")).to_have_count(3, timeout=30_000)
    check(page, tree, "en")
    zone, metric, _ = changed[0]
    assert page.locator(f"[data-k='zone.{zone.id}.{metric}.week']").inner_text() == \
        board.week_change(zone.metrics[metric], "en")[0]
    screenshot(page, "pace-board-en-1440.png")
    page.close()


def test_on_a_phone_the_band_is_written_out(app_url, browser, tree):
    page = open_board(browser, app_url, 390, 844)
    v = tree.company.metrics["members"]
    band = page.locator("[data-k='month.members.band']")
    assert band.is_visible()
    lo, hi = board.fmt_pair(v.forecast_low, v.forecast_high, "zh")
    assert band.inner_text() == f"月末 80%区间 {lo}–{hi}"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the phone board is {width} px wide"
    screenshot(page, "pace-board-zh-390.png")
    page.close()


def test_the_zone_page_shows_the_band_both_paces_and_last_week(app_url, browser, tree):
    zone, metric, said = moved(tree)[0]
    page = browser.new_page(viewport={"width": 1440, "height": 1100})
    page.goto(f"{app_url}/war_zone?zone={zone.id}")
    page.locator("[data-k='zdriver.gmv']").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    v = zone.metrics[metric]
    assert page.locator(f"[data-k='month.{metric}.week']").inner_text() == said
    assert page.locator(f"[data-k='month.{metric}.pace']").inner_text() == board.fmt_pace(tree.judged(v).pace, tree)
    if v.target and v.forecast_low is not None:
        assert page.locator(f"[data-k='month.{metric}.band']").is_visible()
    members = zone.metrics["members"]
    assert page.locator("[data-k='month.members.band']").is_visible() == (members.forecast_low is not None)
    inside = words(board.gap_line(tree, zone, "members", "zh"))
    shown = page.locator(f"[data-k='gap.{zone.id}.members']")
    assert (shown.inner_text() if shown.count() else "") == inside
    charts = page.locator(".js-plotly-plot")
    assert "月末 80%区间" in charts.nth(1).inner_text()            # the members chart's band
    assert problems_shown(page) == []
    screenshot(page, "pace-war-zone-zh-1440.png")
    page.close()
