"""The board and the pages as people read them (issue 17.5–17.7), in real Chromium on the small-shaped tiny sample:
nothing to scroll on the board at 1440×900 in either language, for a finished month and an earlier as-of; on a
390×844 phone it reads top to bottom with nothing cut off on the right, and no page is wider than the phone;
printed on A4 landscape it is one page with the whole month's chart, also from a wide screen.
Screenshots and PDFs go to tests/artifacts/."""
from __future__ import annotations

import re

import pytest

from conftest import ARTIFACTS, problems_shown, screenshot
from pipelines.delivery import trees
from ui.views import charts

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def open_page(browser, url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.locator(".ns-done").first.wait_for(state="attached", timeout=90_000)
    if page.locator(".js-plotly-plot, [data-testid=stPlotlyChart]").count():
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    return page


def sizes(page) -> dict:
    return page.evaluate("""() => { const m = document.querySelector('[data-testid=stMain]');
        return {scrollH: m.scrollHeight, clientH: m.clientHeight, scrollW: m.scrollWidth, clientW: m.clientWidth,
                docW: document.documentElement.scrollWidth}; }""")


@pytest.mark.parametrize("name, query", [
    ("board-en.png", "/?lang=en"),
    ("board-en-finished.png", "/?lang=en&month=2026-10"),
    ("board-zh-earlier.png", "/?month=2025-06&as_of=2025-06-10"),
    ("board-en-earlier.png", "/?lang=en&month=2025-06&as_of=2025-06-10"),
])
def test_nothing_to_scroll_at_1440_by_900(app_url, browser, name, query):
    page = open_page(browser, app_url + query, 1440, 900)
    got = sizes(page)
    assert got["scrollH"] <= got["clientH"] + 1, f"{query}: the board scrolls {got}"
    head = page.locator(".ns-head").bounding_box()
    assert head["height"] < 50, f"{query}: the header wraps ({head['height']:.0f} px)"
    # the period and the data's age are whole: a long title gives way, never them
    period = page.locator(".ns-head .ns-period").bounding_box()
    assert period["x"] + period["width"] <= head["x"] + head["width"] + 1, f"{query}: the period is cut off"
    # the chart's labels (the target, the as-of line) never sit on each other, early or late in the month
    overlaps = page.locator(".js-plotly-plot").first.evaluate("""e => {
        const b = [...e.querySelectorAll('.annotation-text')].map(t => t.getBoundingClientRect());
        let n = 0;
        for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++)
            if (b[i].left < b[j].right && b[j].left < b[i].right
                && b[i].top < b[j].bottom && b[j].top < b[i].bottom) n++;
        return n; }""")
    assert overlaps == 0, f"{query}: {overlaps} chart labels overlap"
    screenshot(page, name)
    page.close()


def test_the_board_on_a_phone_reads_top_to_bottom(app_url, browser, tiny):
    tree = trees.load(tiny / "wh.duckdb", "2026-11", "2026-11-24")
    page = open_page(browser, app_url + "/", **PHONE)
    got = sizes(page)
    assert got["docW"] <= PHONE["width"] and got["scrollW"] <= got["clientW"] + 1, f"cut off on the right: {got}"
    # every zone name whole (no "华…"), each card as wide as the screen allows, one under the other
    names = page.locator(".ns-zone .ns-zname")
    zones = [z for z in tree.children(tree.company.id) if z.level == "war_zone" and not z.id.endswith("/unassigned")]
    assert sorted(names.all_inner_texts()) == sorted(z.name_zh for z in zones)
    for i in range(names.count()):
        assert names.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth"), "a zone name is cut"
    boxes = [page.locator(".ns-zone").nth(i).bounding_box() for i in range(3)]
    assert all(b["width"] > 300 for b in boxes) and boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    # labels read as words, not one character per line
    label = page.locator(".ns-tile .ns-label").first.bounding_box()
    assert label["height"] < 40
    assert problems_shown(page) == []
    page.set_viewport_size({"width": 390, "height": 2700})      # the whole board in one picture
    page.wait_for_timeout(300)
    screenshot(page, "board-phone-zh.png")
    page.close()


@pytest.mark.parametrize("path", ["war_zone", "centers", "plan", "cohorts", "growth", "data"])
def test_no_page_is_wider_than_a_phone(app_url, browser, path):
    page = open_page(browser, f"{app_url}/{path}", **PHONE)
    got = sizes(page)
    assert got["docW"] <= PHONE["width"] and got["scrollW"] <= got["clientW"] + 1, f"/{path} cut off: {got}"
    assert problems_shown(page) == []
    screenshot(page, f"phone-{path}.png")
    page.close()


@pytest.mark.parametrize("lang, width", [("zh", 1440), ("en", 1280), ("en", 1920), ("en", 2560)])
def test_the_board_prints_whole_on_one_page(app_url, browser, lang, width):
    """One A4 landscape page, whichever screen it is printed from, with the chart running to the month's end."""
    page = open_page(browser, f"{app_url}/?lang={lang}", width, 900)
    # Paper is laid out without giving the chart a chance to redraw: what was drawn on screen must fit the printed
    # column, and run to the month's last tick
    plot = page.locator(".js-plotly-plot").first
    drawn = plot.evaluate("e => Number(e.querySelector('svg.main-svg').getAttribute('width'))")
    page.emulate_media(media="print")
    edges = plot.evaluate("""e => { const ticks = e.querySelectorAll('.xtick text');
        return {label: ticks[ticks.length - 1].textContent,
                column: e.closest('[data-testid=stColumn]').clientWidth}; }""")
    assert edges["label"] in ("29", "29日")
    assert drawn <= edges["column"], f"drawn {drawn} px wide, the printed column is {edges['column']} px: cut off"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / f"board-print-{lang}-{width}.pdf"), format="A4", landscape=True,
                   print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the board prints on {pages} pages"
    page.close()


def test_the_chart_reads_in_black_and_white(tiny):
    """Stations, members and the pace line differ by dash, not only by colour; the legend sits below the plot."""
    tree = trees.load(tiny / "wh.duckdb", "2026-11", "2026-11-24")
    for lang in ("zh", "en"):
        fig = charts.month_progress(tree, lang)
        dashes = {t.name: t.line.dash for t in fig.data}
        assert len(set(dashes.values())) == len(dashes), dashes
        assert fig.layout.legend.y < 0 and fig.layout.legend.yanchor == "top"


def test_readers_get_no_developer_chrome(app_url, browser):
    """Issue 17.16 and 18.14: `streamlit run dashboard.py` is as safe as `make run` (the shipped config binds
    127.0.0.1, sends no usage statistics, shows no traceback), and readers see no Deploy button or developer menu."""
    import tomllib

    from conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1" and config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert (config["client"]["toolbarMode"], config["client"]["showErrorDetails"]) == ("minimal", "none")
    # issue 23: no per-session source watching and no full garbage collection after each run (benchmarks/load.py)
    assert (config["server"]["fileWatcherType"], config["runner"]["postScriptGC"]) == ("none", False)
    page = open_page(browser, app_url + "/", 1440, 900)
    assert page.get_by_role("button", name="Deploy").count() == 0
    assert page.get_by_text("Deploy", exact=True).count() == 0
    page.close()


def test_streamlits_own_words_are_chinese_on_a_chinese_page(app_url, browser):
    """Issue 17.16: the uploader says 上传文件 and its size limit in Chinese (its English text is hidden); English
    pages keep Streamlit's words."""
    page = open_page(browser, app_url + "/data", 1440, 900)
    zone = page.locator("[data-testid=stFileUploaderDropzone]").first
    zone.wait_for(timeout=30_000)
    words = zone.evaluate("""e => {
        const p = e.querySelector('button [data-testid=stMarkdownContainer] p');
        const note = e.querySelector('[data-testid=stFileUploaderDropzoneInstructions] span');
        return {button: getComputedStyle(p, '::after').content, buttonSize: getComputedStyle(p).fontSize,
                note: getComputedStyle(note, '::after').content, noteSize: getComputedStyle(note).fontSize}; }""")
    assert words == {"button": '"上传文件"', "buttonSize": "0px", "note": '"每个文件不超过 200 MB"', "noteSize": "0px"}
    screenshot(page, "data-upload-zh.png")
    page.close()


def test_board_url_opens_the_board(app_url, browser):
    """Issue 18.14: /board is the board (a link people type), not a "Page not found" box."""
    page = open_page(browser, app_url + "/board?lang=en", 1440, 900)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator(".ns-done").get_attribute("data-page") in ("", "board")
    assert "Nov 2026 · as of 2026-11-24" in page.inner_text("[data-testid=stMain]")
    page.close()


def test_the_board_names_its_as_of_and_the_datas_age(app_url, browser):
    """Issue 17.8 in the browser: the chart's line says "As of Nov 24", not "Today", and the board says the data is
    the sample's (a stale company's data would say how many days old it is: tests/test_data_age.py)."""
    for width, height, name in ((1440, 900, "board-age-en.png"), (390, 844, "board-age-en-phone.png")):
        page = open_page(browser, app_url + "/?lang=en", width, height)
        page.locator(".js-plotly-plot .annotation-text").first.wait_for(timeout=30_000)
        notes = page.locator(".js-plotly-plot .annotation-text").all_text_contents()
        assert "As of Nov 24" in notes and not any("Today" in n for n in notes)
        assert page.locator("[data-k='data.age']").inner_text() == "Sample data"
        screenshot(page, name)
        page.close()


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)])
def test_the_war_zone_page_in_english_reads_whole(app_url, browser, width, height):
    """Issue 17.9 in the browser: the 12-month chart's month labels never overlap, the page is no wider than the
    screen, and the zone's name is whole."""
    page = open_page(browser, app_url + "/war_zone?lang=en&zone=north", width, height)
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=60_000)
    assert page.locator(".ns-head h1").inner_text() == "North Zone"
    overlaps = page.locator(".js-plotly-plot").nth(2).evaluate("""e => {
        const boxes = [...e.querySelectorAll('.xtick text')].map(t => t.getBoundingClientRect());
        let n = 0;
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++; }
        return n; }""")
    assert overlaps == 0, f"{overlaps} month labels overlap on the 12-month chart"
    got = sizes(page)
    assert got["docW"] <= width and got["scrollW"] <= got["clientW"] + 1
    assert problems_shown(page) == []
    screenshot(page, f"war-zone-en-{width}.png")
    page.close()
