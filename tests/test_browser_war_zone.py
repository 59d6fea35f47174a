"""The war-zone page in real headless Chromium: a shared link opens the zone it names on a freshly started app
(Streamlit once answered such a link with "page not found"), its charts and tables are drawn, in both languages.
Screenshots go to tests/artifacts/."""
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import choose_language, problems_shown, screenshot, streamlit_app
from pipelines.delivery import trees
from ui.i18n import fmt_count

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def zone_url(company):
    """The app on the hand-made company (tests/goal_company.py): both zones opened stations in 2026-11."""
    with streamlit_app(company) as url:
        yield url


def open_zone(browser, url: str, query: str, height: int = 1900):
    page = browser.new_page(viewport={"width": 1440, "height": height})
    page.goto(f"{url}/war_zone?{query}")
    page.locator("[data-k='zdriver.gmv']").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=30_000)
    return page


def test_a_shared_link_opens_its_zone_first_thing(zone_url, browser, company):
    """The module's app has just started: this is its first session, the case that used to fail."""
    tree = trees.load(company, "2026-11", "2026-11-30")
    # a zone with new stations this month (so the table and its download are there), not the default one
    zones = [z for z in tree.children(tree.company.id) if z.level == "war_zone"]
    zone = max(zones, key=lambda z: (z.metrics["stations"].actual, z.id))
    assert zone.metrics["stations"].actual > 0
    team = tree.children(zone.id)[-1]
    page = open_zone(browser, zone_url, f"zone={zone.id}&team={team.id}")
    assert page.get_by_text("Page not found").count() == 0
    assert problems_shown(page) == []
    assert page.locator("h1").first.inner_text() == zone.name_zh
    assert page.locator("[data-k='month.stations.actual']").inner_text() == fmt_count(
        zone.metrics["stations"].actual, "zh")
    assert page.locator(".js-plotly-plot").count() == 3            # stations, members, the last 12 months
    assert page.locator('[data-testid="stDataFrame"]').count() == 3  # teams, people, new stations
    assert f"{team.name_zh} 的成员" in page.inner_text("[data-testid=stMain]")
    query = parse_qs(urlparse(page.url).query)
    assert query == {"zone": [zone.id], "team": [team.id], "lang": ["zh"]}   # the view travels with the link
    assert page.get_by_role("button", name="下载 CSV").is_visible()
    # issue 33.11: a table's toolbar offers search and full screen, not its own unaudited "Download as CSV"
    page.locator('[data-testid="stDataFrame"]').first.hover()
    expect(page.locator('button[aria-label="Search"]').first).to_be_visible(timeout=10_000)
    assert not page.locator('button[aria-label="Download as CSV"]').first.is_visible()
    screenshot(page, "war-zone-zh.png")
    page.close()


def test_the_zone_page_in_english(zone_url, browser):
    page = open_zone(browser, zone_url, "zone=east")
    choose_language(page, "English")
    page.get_by_text("Stations opened this month").wait_for(timeout=30_000)
    page.locator("[data-k='zdriver.gmv']").wait_for(timeout=30_000)
    body = page.inner_text("[data-testid=stMain]")
    for label in ("New stations", "New members", "Teams", "Paths (not goals)", "Last 12 months: target vs actual",
                  "Download CSV"):
        assert label in body, label
    assert problems_shown(page) == []
    assert parse_qs(urlparse(page.url).query)["zone"] == ["east"]
    screenshot(page, "war-zone-en.png")
    page.close()


def test_picking_a_team_redraws_its_people_and_keeps_the_rest(zone_url, browser, company):
    """The team picker is a fragment (st.fragment): choosing another team changes the people table, its heading
    and the link; the zone's charts and other tables stay (that only the fragment ran is not visible from the page:
    the load benchmark measures what a run costs)."""
    tree = trees.load(company, "2026-11", "2026-11-30")
    zone = next(z for z in tree.children(tree.company.id) if z.level == "war_zone"
                and len(tree.children(z.id)) > 1)
    first, other = tree.children(zone.id)[0], tree.children(zone.id)[1]
    page = open_zone(browser, zone_url, f"zone={zone.id}&team={first.id}")
    picker = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text="团队")
    picker.locator("input").click()
    page.get_by_role("option", name=other.name_zh).click()
    page.get_by_text(f"{other.name_zh} 的成员").wait_for(timeout=30_000)
    assert parse_qs(urlparse(page.url).query)["team"] == [other.id]
    assert page.locator(".js-plotly-plot").count() == 3
    assert page.locator('[data-testid="stDataFrame"]').count() == 3
    assert problems_shown(page) == []
    page.close()
