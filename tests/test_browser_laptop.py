"""Issue 36.2: the board on laptops, on the `small` sample (a company's lengths of names and numbers), in real
Chromium: at 1280 × 800, 1366 × 768 and 1440 × 900, in Chinese and English, nothing to scroll, no name cut, no
figure broken over two lines, the north star's words clear of its bar, the chart's title whole."""
from __future__ import annotations

import pytest

from tests.conftest import TEXT_LINES, main_height, open_board, problems_shown, screenshot, streamlit_app

SIZES = [(1280, 800), (1366, 768), (1440, 900)]

# What a person would see wrong, measured in the page: a name or title cut by its ellipsis, a one-line figure or
# label wrapped onto two lines, the north star's share written over its bar, a chart title running off the chart.
DEFECTS = """() => {
    const out = [];
""" + TEXT_LINES + """
    for (const e of document.querySelectorAll('.ns-head h1, .ns-zname, .ns-label')) {
        if (e.scrollWidth > e.clientWidth + 1) out.push('cut: ' + text(e));
    }
    for (const e of document.querySelectorAll('.ns-grid4 .ns-mid, .ns-grid4 .ns-small-label, .ns-zfig, .ns-big')) {
        if (e.innerText.trim() && lines(e) > 1) out.push('wrapped: ' + text(e));
    }
    for (const card of document.querySelectorAll('.ns-northstar')) {
        const bars = [...card.querySelectorAll('.ns-bar')].map(b => b.getBoundingClientRect());
        for (const s of card.querySelectorAll('.ns-share')) {
            const r = s.getBoundingClientRect();
            for (const b of bars) {
                if (r.bottom > b.top + 1 && r.top < b.bottom - 1 && r.right > b.left && r.left < b.right)
                    out.push('over the bar: ' + text(s));
            }
        }
    }
    for (const svg of document.querySelectorAll('.js-plotly-plot .main-svg')) {
        const box = svg.getBoundingClientRect();
        for (const t of svg.querySelectorAll('.gtitle')) {
            const r = t.getBoundingClientRect();
            if (r.right > box.right + 1 || r.left < box.left - 1) out.push('chart title cut: ' + t.textContent);
        }
    }
    return out;
}"""


def fits(browser, url: str, width: int, height: int, picture: str) -> None:
    """The board at `url` on a width × height screen: nothing to scroll, none of DEFECTS, no error shown."""
    page = open_board(browser, url, width, height)
    page.wait_for_timeout(500)
    screenshot(page, picture)
    sizes = main_height(page)
    assert sizes[0] <= sizes[1] + 1, f"the board scrolls at {width}×{height}: {sizes}"
    assert page.evaluate(DEFECTS) == []
    assert problems_shown(page) == []
    page.close()


@pytest.fixture(scope="module")
def small_url(small):
    with streamlit_app(small / "wh.duckdb") as url:
        yield url


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width,height", SIZES)
def test_the_board_fits_a_laptop(small_url, browser, lang, width, height):
    fits(browser, f"{small_url}/?lang={lang}&month=2026-11&as_of=2026-11-24", width, height,
         f"laptop-board-{lang}-{width}x{height}.png")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width,height", [(1280, 800), (1440, 900)])
def test_a_finished_month_fits_too(small_url, browser, lang, width, height):
    """Issue 36.13: October, over, read on 24 November: its title was cut ("…服务1000万创…") by a period line that
    said the month's last day again."""
    fits(browser, f"{small_url}/?lang={lang}&month=2026-10&as_of=2026-10-31", width, height,
         f"laptop-board-finished-{lang}-{width}x{height}.png")


@pytest.fixture(scope="module")
def small_tree(small):
    from pipelines.delivery import trees

    return trees.load(small / "wh.duckdb", "2026-11", "2026-11-24")


def seen_words(html: str) -> str:
    import re

    plain = re.sub(r"<[^>]+>", "", html.replace("?</span>", "</span>"))
    return re.sub(r"\s+", " ", plain).replace("&amp;", "&").strip()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width,height", SIZES + [(390, 844)])
def test_the_band_and_who_is_behind_are_read_without_hovering(small_url, small_tree, browser, lang, width, height):
    """Issues 36.7 and 36.9: the 80 % band in words on the board (it was hidden on a desktop and on paper), a "?" that
    opens what the band, the pace's basis and the chosen curve mean by a tap where hover is the only way, and the
    answer to "are we on track, and who is behind?" in the first screen — on a laptop and on a phone."""
    from ui.i18n import text
    from ui.views import board

    tree = small_tree
    page = open_board(browser, f"{small_url}/?lang={lang}&month=2026-11&as_of=2026-11-24", width, height)
    v = tree.company.metrics["members"]
    lo, hi = board.fmt_pair(v.forecast_low, v.forecast_high, lang)
    band = page.locator("[data-k='month.members.band']")
    assert band.is_visible() and band.inner_text() == text("band", lang, lo=lo, hi=hi)
    answer = page.locator("[data-k='answer']")
    box = answer.bounding_box()
    assert box is not None and box["y"] + box["height"] <= height, f"the answer is below the first screen: {box}"
    chain = tree.behind_chain(tree.company.id, tree.focus_metric(tree.company.id))
    zone, person = chain[0][0], chain[-1][0]
    said = answer.inner_text()
    assert board.name_of(zone, lang) in said and board.name_of(person, lang) in said
    assert " ".join(said.split()) == seen_words(board.behind_line(tree, lang))
    # the "?" beside the band opens its meaning on a tap (focus), as it would on a phone
    mark = page.locator(".ns-band .ns-help").nth(1)
    assert mark.is_visible()
    mark.focus()
    shown = mark.evaluate("e => getComputedStyle(e, '::after').content")
    assert text("band_help", lang) in shown
    assert page.locator(".ns-section .ns-help").first.is_visible()               # the pace's basis
    assert page.locator("[data-k='month.members.shape'] + .ns-help").is_visible()  # the chosen curve
    screenshot(page, f"explained-board-{lang}-{width}x{height}.png")
    if width >= 1280:       # on paper: the band's words, the answer; no "?" (nothing to tap)
        page.emulate_media(media="print")
        assert band.is_visible() and answer.is_visible()
        assert not page.locator(".ns-help").first.is_visible()
    assert problems_shown(page) == []
    page.close()
