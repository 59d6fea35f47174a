"""The board drawn for a viewer (pipelines/delivery/render.py): the render token is accepted only from the server's own
environment, the picture is a phone-width PNG under 2 MB with legible text, the paper one A4 page; the board's
buttons hand both out in Chromium. Pictures go to tests/artifacts/."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from PIL import Image

from pipelines.delivery import render
from pipelines.plan.access import LOCAL, User
from pipelines.plan.store import PlanStore, store_path
from tests.conftest import ARTIFACTS, ROOT, problems_shown, screenshot, signed_warehouse, wait_idle

ACCESS = """\
auth: password
users:
  - {id: boss, name: 管理员甲, role: admin}
  - {id: lead-north, name: 北区负责人, role: zone_lead, war_zone: north}
"""
NORTH_LEAD = User(id="lead-north", name="北区负责人", role="zone_lead", war_zone="north")


@pytest.fixture(scope="module")
def password_db(tiny, tmp_path_factory):
    return signed_warehouse(tiny, tmp_path_factory.mktemp("render"), ACCESS, {"boss": "a long admin password"})


def gate_app(db, monkeypatch, given: str | None, token: str | None = "s3cret-token"):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    if token is None:
        monkeypatch.delenv(render.TOKEN_ENV, raising=False)
        monkeypatch.delenv(render.USER_ENV, raising=False)
    else:
        for key, value in render.viewer_env(NORTH_LEAD, token).items():
            monkeypatch.setenv(key, value)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    if given is not None:
        at.query_params["render"] = given
    return at.run()


def drawn(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_render_token_of_the_servers_environment_opens_the_board_as_its_viewer(password_db, monkeypatch,
                                                                                     fresh_cache):
    at = gate_app(password_db, monkeypatch, "s3cret-token")
    assert not at.exception and "ns-done" in drawn(at)
    assert at.session_state["viewer"] == NORTH_LEAD
    assert not at.text_input                                  # no sign-in form, no sign-out button
    assert all(b.label not in ("退出登录", "Sign out") for b in at.button)


@pytest.mark.parametrize("given, token", [("wrong-token", "s3cret-token"), ("", "s3cret-token"),
                                          ("s3cret-token", None), ("s3cret-token", "")])
def test_without_the_servers_token_the_sign_in_form_stands(password_db, monkeypatch, fresh_cache, given, token):
    """A wrong or empty token, or a server without one in its environment (every real server): the sign-in form."""
    at = gate_app(password_db, monkeypatch, given, token)
    assert not at.exception and "ns-done" not in drawn(at)
    assert [i.label for i in at.text_input] == ["账号", "密码"]


def test_the_viewer_goes_to_the_render_server_as_json_and_comes_back_whole():
    env = render.viewer_env(User(id="x", name="<b>甲</b>", role="center_lead", center="content", pii=False), "t")
    assert env[render.TOKEN_ENV] == "t"
    assert User(**json.loads(env[render.USER_ENV])) == User(id="x", name="<b>甲</b>", role="center_lead",
                                                           center="content")


def test_the_board_url_carries_the_view_and_the_token():
    url = render.board_url("http://127.0.0.1:9", "tok", "en", "2026-11", dt.date(2026, 11, 24))
    assert url == "http://127.0.0.1:9/?render=tok&lang=en&month=2026-11&as_of=2026-11-24"
    assert render.board_url("http://h", "tok", "zh", None, None) == "http://h/?render=tok&lang=zh"


def test_chromium_missing_is_a_sentence_with_the_install_line(monkeypatch):
    monkeypatch.setenv("NORTHSTAR_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(render.NorthstarError, match="apt-get install chromium.*NORTHSTAR_CHROMIUM"):
        render.chromium_path()


def _check_png(data: bytes, name: str) -> Image.Image:
    (ARTIFACTS / name).parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and len(data) <= 2 * 1024 * 1024
    return image


def test_the_board_as_a_phone_picture_and_one_a4_page(tiny):
    done = render.render_board(tiny / "wh.duckdb", LOCAL, "zh", "2026-11", dt.date(2026, 11, 24))
    image = _check_png(done.png, "render-board-zh.png")
    # a phone's width drawn at 2×, legible there. Issue 36.16: the whole board was seven phone screens with links
    # that do nothing in a picture; now the question first — head, north star, the answer, this month, the war
    # zones — in at most two and a half screens, the answer line inside the first
    assert done.scale == 2 and image.size == done.png_size and image.size[0] == 780
    assert 844 * 2 < image.size[1] <= 2.5 * 844 * 2
    assert done.answer_bottom_px is not None and done.answer_bottom_px <= 844
    assert done.smallest_text_px >= 10
    # the top is the board's head, not Streamlit's toolbar: the first rows are the page's white, then dark title text
    top = image.crop((0, 0, 780, 40)).convert("L")
    assert top.getextrema()[0] > 200, "something is drawn above the board's title (the toolbar?)"
    (ARTIFACTS / "render-board-zh.pdf").write_bytes(done.pdf)
    assert done.pdf.startswith(b"%PDF") and done.pdf_pages == 1 == render.pdf_pages(done.pdf)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_small_samples_picture_answers_in_its_first_screen(small, lang):
    """Issue 36.16, on a company's lengths of names and numbers (the picture was 780 × 5,488 px)."""
    done = render.render_board(small / "wh.duckdb", LOCAL, lang, "2026-11", dt.date(2026, 11, 24), pdf=False)
    image = _check_png(done.png, f"render-small-{lang}.png")
    assert image.size[1] <= 2.5 * 844 * 2, image.size
    assert done.answer_bottom_px is not None and done.answer_bottom_px <= 844


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_small_samples_board_is_one_a4_page_in_both_languages(small, lang):
    """Issue 36: on the small sample the Chinese board printed to two A4 pages, the second blank — laid out at the
    paper's width (not the screen's) its lines wrap more than the English. The print view is laid out at the paper's
    width and shrunk a little more where it must (here Chinese: below the styled 0.77)."""
    done = render.render_board(small / "wh.duckdb", LOCAL, lang, "2026-11", dt.date(2026, 11, 24), png=False)
    (ARTIFACTS / f"render-board-small-{lang}.pdf").write_bytes(done.pdf)
    assert done.pdf_pages == 1
    assert 0.7 <= done.a4_zoom <= 0.77


def test_a_signed_in_servers_render_is_the_viewers_board_in_their_language(password_db):
    done = render.render_board(password_db, NORTH_LEAD, "en", "2026-11", dt.date(2026, 11, 24), pdf=False)
    assert done.pdf is None and done.pdf_pages is None
    _check_png(done.png, "render-board-en-zone-lead.png")


def test_the_boards_buttons_hand_out_the_picture_and_the_pdf(app_url, browser, tiny):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    from tests.conftest import choose_language, open_board

    page = open_board(browser, app_url)
    choose_language(page, "English")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name="Board as picture and PDF").click()
    png_button = sidebar.get_by_role("button", name="Picture (PNG)")
    png_button.wait_for(timeout=120_000)
    expect(png_button).to_have_count(1, timeout=30_000)
    assert "Drawn (" in sidebar.inner_text()
    screenshot(page, "render-buttons-1440.png")
    with page.expect_download() as got:
        png_button.click()
    png = got.value
    assert png.suggested_filename == "northstar-board-2026-11-2026-11-24-en.png"
    image = _check_png(open(png.path(), "rb").read(), "render-button-board-en.png")
    assert image.size[0] == 780
    # the PNG's download reruns the page (its click is recorded in the audit): for a moment the sidebar holds the
    # old buttons beside the new ones, so wait until one PDF button is left, as a person would see it
    wait_idle(page)       # (the rerun may start only after a first look finds one button: wait it out)
    pdf_button = sidebar.get_by_role("button", name="A4 PDF")
    for attempt in range(3):      # a rerun that starts between the look and the click shows two again: look again
        expect(pdf_button).to_have_count(1, timeout=30_000)
        try:
            with page.expect_download() as got:
                pdf_button.click()
            break
        except PlaywrightError as exc:
            if "strict mode violation" not in str(exc) or attempt == 2:
                raise
            wait_idle(page)
    pdf = open(got.value.path(), "rb").read()
    assert got.value.suggested_filename.endswith("-en.pdf") and render.pdf_pages(pdf) == 1
    assert problems_shown(page) == []
    page.close()
    with PlanStore(store_path(tiny / "wh.duckdb")) as store:
        exported = [
            r for r in store.runs.audit_log() if r["action"] == "export" and r["what"].startswith("northstar-board")
        ]
    assert {r["what"] for r in exported} >= {png.suggested_filename, got.value.suggested_filename}
