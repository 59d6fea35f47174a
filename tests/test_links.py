"""Links keep the reader's view (issue 17.4 and 17.18): every card on the board opens the page behind it in the same
language, month and as-of; the URL carries the view, so a shared link opens what its sender saw; a link naming a
zone or key action that does not exist says so instead of silently showing another."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.delivery import trees
from tests.test_app import APP, html, shown
from ui.links import href, view_of

pytestmark = pytest.mark.usefixtures("fresh_cache")


def app(db, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def links(at) -> list[str]:
    return [html_lib.unescape(u) for u in re.findall(r'<a class="ns-[a-z-]+" href="([^"]+)" target="_self"', html(at))]


def test_view_parameters():
    latest = ("2026-11", dt.date(2026, 11, 24))
    assert view_of("zh", latest, latest) == {"lang": "zh"}                        # a bookmark follows the data
    assert view_of("en", ("2026-10", dt.date(2026, 10, 31)), latest) == {"lang": "en", "month": "2026-10"}
    assert view_of("zh", ("2026-10", dt.date(2026, 10, 15)), latest) == {"lang": "zh", "month": "2026-10",
                                                                          "as_of": "2026-10-15"}
    assert view_of("zh", ("2026-11", dt.date(2026, 11, 20)), latest) == {"lang": "zh", "month": "2026-11",
                                                                          "as_of": "2026-11-20"}
    assert href("war_zone", {"lang": "en", "month": "2026-10"}, zone="company/unassigned") == \
        "war_zone?lang=en&month=2026-10&zone=company%2Funassigned"


def test_every_card_on_the_board_opens_its_page(tiny, monkeypatch):
    db = tiny / "wh.duckdb"
    at = app(db, monkeypatch)
    tree = trees.load(db, "2026-11", "2026-11-24")
    got = links(at)
    zones = [n.id for n in tree.children(tree.company.id) if n.level == "war_zone"]
    real = [z for z in zones if not z.endswith("/unassigned")]
    for zone in real:
        assert f"war_zone?lang=zh&zone={zone}" in got
    if len(real) < len(zones):                              # the footnote on data no zone owns opens that node
        assert "war_zone?lang=zh&zone=company/unassigned" in got
        assert "查看「未归属战区」→" in html(at)
    for ka in tree.key_actions:
        assert f"centers?lang=zh&ka={ka.id}" in got
    assert "centers?lang=zh" in got                           # each center's name


def test_links_and_the_url_carry_month_as_of_and_language(tiny, monkeypatch):
    at = app(tiny / "wh.duckdb", monkeypatch)
    at.sidebar.radio[0].set_value("English").run()
    at.sidebar.selectbox[0].set_value("2026-10").run()
    at.sidebar.selectbox[1].set_value(dt.date(2026, 10, 15)).run()
    assert not at.exception
    assert dict(at.query_params) == {"lang": "en", "month": "2026-10", "as_of": "2026-10-15"}
    assert any(u.startswith("war_zone?lang=en&month=2026-10&as_of=2026-10-15&zone=") for u in links(at))


def test_a_shared_link_opens_what_its_sender_saw(tiny, monkeypatch):
    at = app(tiny / "wh.duckdb", monkeypatch, lang="en", month="2026-10", as_of="2026-10-15")
    assert shown(at)["period"] == "Oct 2026 · as of 2026-10-15 (day 15 of 31) · data to 2026-11-24"
    # nonsense is ignored, not obeyed: the latest view in Chinese
    at = app(tiny / "wh.duckdb", monkeypatch, lang="fr", month="2026-13", as_of="soon")
    assert shown(at)["period"] == "2026年11月 · 截至 2026-11-24（第 24 / 30 天）"


def test_an_unknown_zone_or_key_action_says_so(tiny, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", str(tiny / "wh.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/war_zone.py")      # as /war_zone?zone=xyz would open it
    at.query_params["zone"] = "xyz"
    at.run()
    assert not at.exception
    assert "组织架构里没有“xyz”：显示的是" in html(at)


def test_the_centers_page_opens_on_the_key_action_a_link_names(tiny, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", str(tiny / "wh.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/centers.py")
    at.query_params["ka"] = "ka-live"
    at.run()
    assert not at.exception
    page = html(at)
    opened = page.index("你打开的关键要务")
    assert page.index('data-k="ka.ka-live"', opened) < page.index("对齐：中台 × 战区")
    at.query_params["ka"] = "<b>nope</b>"
    at.run()
    assert "没有编号为“&lt;b&gt;nope&lt;/b&gt;”的关键要务" in html(at)
