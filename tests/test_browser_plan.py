"""The Plan page in real headless Chromium: a planner types into the real editable grid and the company field,
saves, and the board and the war-zone page show the new targets after a reload; the page in English.
Screenshots go to tests/artifacts/."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from conftest import choose_language, copy_warehouse, problems_shown, screenshot, streamlit_app, wait_idle
from pipelines.plan.store import PlanStore, store_path

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def plan_app(company, tmp_path_factory):
    """The app on a copy of the hand-made company (tests/goal_company.py), which the tests may change."""
    root = tmp_path_factory.mktemp("plan_app")
    db = copy_warehouse(company, root)
    with streamlit_app(db) as url:
        yield url, db


def open_plan(browser, url: str, height: int = 1000):
    page = browser.new_page(viewport={"width": 1440, "height": height})
    page.goto(f"{url}/plan")
    page.locator("[data-testid=stFileUploader]").wait_for(timeout=60_000)
    return page


def pick_month(page, label: str) -> None:
    page.locator("[data-testid=stMain] [data-testid=stSelectbox] input").first.click()
    page.get_by_role("option", name=label).click()
    page.locator("[data-testid=stTabs]").wait_for(timeout=30_000)


def type_into_grid(page, row: int, column: int, value: str) -> int:
    """A person's edit of the visible editable table: click the row, arrow to the column, Enter, type, Enter.
    Returns the tries it took; more than one is reported as a warning in the run's summary."""
    page.bring_to_front()          # the page a person types into is the one in front (a page behind another one
    # gets no animation frames: the grid's editor waits). The visible grid: under load a hidden one (another tab's,
    # or the one a rerun is replacing) can come first in the page, and a person cannot type into it
    grid = page.locator("[data-testid=stDataFrame]:visible").first
    editor = page.locator("#portal textarea, textarea.gdg-input").first
    seen = []                      # what each try met, said if every try fails
    for attempt in range(8):       # on a loaded machine the first click can land before the grid takes keys
        wait_idle(page)
        grid.wait_for(state="visible", timeout=30_000)
        box = grid.bounding_box()  # (None when a rerun replaced the grid in between: the next round waits again)
        if box is None:
            seen.append("no grid box")
            page.wait_for_timeout(1_000)
            continue
        page.mouse.click(box["x"] + 20, box["y"] + 35 * (row + 1) + 17)      # the header and each row are 35 px
        # a person's pace between the click and the keys: under load the grid took the click after the arrow had
        # gone by, so Enter opened the (read-only) name cell — eight times in a row in a fresh clone's run
        page.wait_for_timeout(300 * (attempt + 1))
        for _ in range(column):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(100 * (attempt + 1))
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=10_000)
            if editor.is_enabled():
                break
            # the editor opened read-only: on a disabled cell (the click was taken after the arrow) or a widget
            # disabled for a moment (while the page's connection is re-established); a person closes it and tries again
            seen.append("editor read-only")
        except PlaywrightTimeout:
            seen.append("no editor")
        page.keyboard.press("Escape")
        page.wait_for_timeout(1_000)
    else:
        screenshot(page, "plan-grid-not-typed.png")
        raise AssertionError(f"the grid's editor did not open for typing in {len(seen)} tries: {seen}")
    editor.fill(value)
    page.keyboard.press("Enter")
    if seen:       # issue 34: a retry never hides silently — the run's summary says how many tries it took and why
        import warnings

        warnings.warn(f"the Plan grid's editor opened for typing after {len(seen) + 1} tries: {seen}", stacklevel=2)
    return len(seen) + 1


def test_a_split_saved_in_the_page_shows_on_the_board_and_the_zone(plan_app, browser):
    url, db = plan_app
    page = open_plan(browser, url)
    pick_month(page, "2026年11月")
    company = page.get_by_role("textbox", name="公司驿站目标（新开驿站数）")
    expect(company).to_have_value("10", timeout=30_000)
    company.fill("12")
    company.press("Enter")
    page.get_by_role("tab", name="公司 → 战区").click()
    page.wait_for_function("() => document.querySelector('#glide-cell-1-0')?.textContent === '6'", timeout=30_000)
    type_into_grid(page, row=0, column=1, value="9")                    # 华东战区 stations 6 → 9
    line = page.locator("[data-k='alloc.company.war_zone.stations']").last
    line.filter(has_text="战区合计 12 · 未分配 0").wait_for(timeout=30_000)   # 9 + 3 = the company's new 12
    assert "已对齐" in line.inner_text()
    page.get_by_role("textbox", name="修改人", exact=True).fill("浏览器测试")
    page.get_by_role("textbox", name="修改人", exact=True).press("Enter")
    page.get_by_role("button", name="保存 2026年11月 的目标").click()
    page.get_by_text("已保存 2 项目标").wait_for(timeout=30_000)
    assert problems_shown(page) == []
    screenshot(page, "plan-saved-zh.png")
    with PlanStore(store_path(db), read_only=True) as store:
        targets = store.targets()
        assert store.history(limit=1)[0]["who"] == "浏览器测试"
    assert targets[("2026-11", "company", "company", "stations")] == 12
    assert targets[("2026-11", "war_zone", "east", "stations")] == 9
    # the board and the zone page read the new targets when they are next opened
    page.goto(f"{url}/board")
    page.locator("[data-k='month.stations.target']").wait_for(timeout=60_000)
    assert page.locator("[data-k='month.stations.target']").inner_text() == "12"
    page.goto(f"{url}/war_zone?zone=east")
    page.locator("[data-k='month.stations.target']").wait_for(timeout=60_000)
    assert page.locator("[data-k='month.stations.target']").inner_text() == "9"
    page.close()


def test_the_plan_page_in_english(plan_app, browser):
    url, _ = plan_app
    page = open_plan(browser, url, height=1100)
    choose_language(page, "English")
    page.get_by_text("Dec 2026 has no targets yet.").wait_for(timeout=30_000)
    page.get_by_role("button", name="Copy Nov 2026's plan").click()
    page.locator("[data-testid=stTabs]").wait_for(timeout=30_000)
    page.get_by_role("tab", name="War zones → teams").click()
    page.get_by_text("How each war zone splits to its teams").wait_for(timeout=30_000)
    main = page.locator("[data-testid=stMain]")
    for label in ("Plan: targets by month", "unsaved changes", "Company", "Suggest from the last 3 months",
                  "Save the targets for Dec 2026", "Import / export targets.csv", "History"):
        # (each waited for: on a busy machine the page is still drawing its lower blocks after the tab's click)
        main.get_by_text(label).first.wait_for(state="attached", timeout=30_000)
    assert problems_shown(page) == []
    screenshot(page, "plan-en.png")
    page.close()


def test_two_planners_on_one_month_see_a_conflict_not_a_lost_edit(plan_app, browser):
    """Issue 18.7 in Chromium: B opens November, A saves 华东战区 stations 11, B then types 5 into the same cell: B
    sees the conflict (theirs 11 by A, mine 5) and the save waits; keeping theirs leaves A's 11 saved."""
    url, db = plan_app
    b = open_plan(browser, url)
    pick_month(b, "2026年11月")
    b.get_by_role("tab", name="公司 → 战区").click()
    b.locator("#glide-cell-1-0").wait_for(state="attached", timeout=30_000)
    a = open_plan(browser, url)
    pick_month(a, "2026年11月")
    a.get_by_role("tab", name="公司 → 战区").click()
    a.locator("#glide-cell-1-0").wait_for(state="attached", timeout=30_000)
    before = a.locator("#glide-cell-1-0").text_content()
    type_into_grid(a, row=0, column=1, value="11")
    a.get_by_role("textbox", name="修改人", exact=True).fill("甲")
    a.get_by_role("textbox", name="修改人", exact=True).press("Enter")
    a.get_by_role("button", name="保存 2026年11月 的目标").click()
    a.get_by_text("已保存 1 项目标").wait_for(timeout=30_000)
    a.close()
    type_into_grid(b, row=0, column=1, value="5")
    b.get_by_text("1 项目标你改了，别人在你打开之后也改了").wait_for(timeout=30_000)
    table = b.locator("[data-testid=stDataFrame]").filter(has_text="你的值").last
    table.wait_for(timeout=30_000)
    assert b.get_by_role("button", name="保存 2026年11月 的目标").is_disabled()
    assert b.locator("[data-k='plan.conflicts']").inner_text() == "✖ 1 处与他人冲突"
    assert problems_shown(b) == []
    b.get_by_text("1 项目标你改了").scroll_into_view_if_needed()
    screenshot(b, "plan-conflict-zh.png")
    b.set_viewport_size({"width": 390, "height": 844})
    b.get_by_text("1 项目标你改了").scroll_into_view_if_needed()
    screenshot(b, "plan-conflict-zh-phone.png")
    b.set_viewport_size({"width": 1440, "height": 1000})
    b.get_by_role("button", name="保留对方的值（1 项）").click()
    b.get_by_text("1 项目标你改了").wait_for(state="detached", timeout=30_000)
    with PlanStore(store_path(db), read_only=True) as store:
        assert store.targets()[("2026-11", "war_zone", "east", "stations")] == 11
        assert store.history(limit=1)[0]["who"] == "甲"
    assert before != "11"
    b.close()


def test_a_colleagues_save_between_keystrokes_loses_none_of_them(plan_app, browser):
    """Issue 34: the grid is rebuilt when a colleague's save is taken in (their cells come in, the editors restart),
    and that is when a reader's keystrokes could be lost. B types one cell; 甲 saves another cell of the same month
    from elsewhere; B types two more, one of them into the rebuilt grid: every value B typed is on the screen and
    saved, and 甲's value is taken in beside them (not overwritten, not a conflict)."""
    url, db = plan_app
    b = open_plan(browser, url)
    pick_month(b, "2026年11月")
    b.get_by_role("tab", name="公司 → 战区").click()
    b.locator("#glide-cell-2-1").wait_for(state="attached", timeout=30_000)

    def cell(col: int, row: int) -> str:
        return (b.locator(f"#glide-cell-{col}-{row}").text_content() or "").replace(",", "")

    east_stations, south_stations, east_members = (int(cell(c, r)) for c, r in ((1, 0), (1, 1), (2, 0)))
    mine = {(1, 0): east_stations + 1, (1, 1): south_stations + 2, (2, 0): east_members + 3}
    theirs = int(cell(2, 1)) + 4                                       # 华南战区 members, saved by 甲

    type_into_grid(b, row=0, column=1, value=str(mine[1, 0]))
    b.wait_for_function(f"() => document.querySelector('#glide-cell-1-0')?.textContent === '{mine[1, 0]}'",
                        timeout=30_000)
    with PlanStore(store_path(db)) as store:                          # the colleague's save, as their page makes it
        store.set_targets("2026-11", {("war_zone", "south", "members"): theirs}, who="甲")
    type_into_grid(b, row=1, column=1, value=str(mine[1, 1]))        # this run takes 甲's save in: the grid restarts
    b.get_by_text("有人保存了 1 项你没有改动的目标").wait_for(timeout=30_000)
    # the reader stays where they were typing (before issue 34 the page went back to its first tab here)
    assert b.get_by_role("tab", name="公司 → 战区").get_attribute("aria-selected") == "true"
    type_into_grid(b, row=0, column=2, value=str(mine[2, 0]))        # typed into the restarted grid
    b.get_by_text("3 项修改未保存").wait_for(timeout=30_000)        # the page counts all three edits
    screenshot(b, "plan-colleague-saved.png")
    shown = {(c, r): cell(c, r) for c, r in ((1, 0), (1, 1), (2, 0), (2, 1))}
    assert shown == {**{k: str(v) for k, v in mine.items()}, (2, 1): str(theirs)}
    b.get_by_role("textbox", name="修改人", exact=True).fill("乙")
    b.get_by_role("textbox", name="修改人", exact=True).press("Enter")
    b.get_by_role("button", name="保存 2026年11月 的目标").click()
    b.get_by_text("已保存 3 项目标").wait_for(timeout=30_000)
    assert problems_shown(b) == []
    with PlanStore(store_path(db), read_only=True) as store:
        saved = store.targets()
        who = [(h["who"]) for h in store.history(limit=2)]
    assert (saved[("2026-11", "war_zone", "east", "stations")], saved[("2026-11", "war_zone", "south", "stations")],
            saved[("2026-11", "war_zone", "east", "members")], saved[("2026-11", "war_zone", "south", "members")]) == (
        mine[1, 0], mine[1, 1], mine[2, 0], theirs)
    assert who == ["乙", "甲"]
    b.close()
