"""The Cohorts page in real headless Chromium on the tiny sample: the heatmap, the lines and the drill-down are
drawn, the drill-down's CSV downloads with masked phones, no phone number shows unmasked, and the page reads in
English too. Screenshots go to tests/artifacts/."""
import re

import pytest

from conftest import choose_language, problems_shown, screenshot

pytestmark = pytest.mark.browser
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def open_cohorts(browser, url: str, height: int = 1300):
    page = browser.new_page(viewport={"width": 1440, "height": height}, accept_downloads=True)
    page.goto(f"{url}/cohorts")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.locator(".ns-done").wait_for(state="attached", timeout=60_000)     # the page ran to its end
    return page


def test_the_cohorts_page_heatmap_drill_down_and_csv(app_url, browser):
    page = open_cohorts(browser, app_url)
    assert problems_shown(page) == []
    assert page.locator(".js-plotly-plot .heatmaplayer").count() >= 1
    body = page.inner_text("[data-testid=stMain]")
    assert "加权平均" in body and "会员留存" in body and "截至" in body
    assert "打开上面的开关" in body                                  # the list waits for the switch
    page.get_by_test_id("stCheckbox").filter(has_text="列出这").click()
    page.locator("[data-testid=stDataFrame]").first.wait_for(timeout=60_000)
    page.get_by_text("名会员（手机号已隐藏）").wait_for(timeout=30_000)
    body = page.inner_text("[data-testid=stMain]")
    assert "名会员" in body                                        # the drill-down's count line
    assert not PHONE.search(body), "an unmasked phone number on the page"
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("下载全部")).click()
    data = open(info.value.path(), encoding="utf-8-sig").read()
    header = data.splitlines()[0]
    assert header.startswith("会员,驿站,编号,战区,入会日期") and "手机（已隐藏）" in header
    assert len(data.splitlines()) > 1 and not PHONE.search(data)
    assert re.search(r"\d{3}\*\*\*\*\d{4}", data), "phones are masked as 138****1234"
    screenshot(page, "cohorts-zh.png")
    page.close()


def test_the_cohorts_page_in_english(app_url, browser):
    page = open_cohorts(browser, app_url)
    choose_language(page, "English")
    page.get_by_text("Member and station cohorts").wait_for(timeout=30_000)
    page.get_by_test_id("stTabs").get_by_text("Active in month k").wait_for(timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot .ytick text')]"
                           ".some(t => t.textContent === 'Weighted average')", timeout=30_000)
    body = page.inner_text("[data-testid=stMain]")
    for label in ("Member retention", "Revenue (LTV)", "Station cohorts", "Active in month k", "Compare groups",
                  "The members behind a cell"):
        assert label in body, label
    assert problems_shown(page) == []
    screenshot(page, "cohorts-en.png")
    page.close()
