"""The board as a picture and as paper, drawn by the real app in headless Chromium for one viewer (issue 21).

`render_board(db, viewer, lang, month, as_of)` starts the dashboard once on a free 127.0.0.1 port for this render
only, with a random token in its environment naming the viewer (`NS_RENDER_TOKEN`, `NS_RENDER_USER`; ui.auth accepts
the token only from that environment, compared in constant time), opens the board in Chromium with `?render=TOKEN`
and the month, as-of and language, and returns:

- `png`: the board at a phone's width (390 CSS px, drawn at 2×: 780 px wide), top to bottom in one picture, without
  the sidebar or Streamlit's chrome: what a leader reads in a WeCom / DingTalk group. At most 2 MB (drawn at 1.5× or
  1× when the 2× picture is larger).
- `pdf`: the print view (A4 landscape, one page), from a 1440 × 900 screen.

Chromium is Debian's (`apt-get install chromium`), or the one named by `NORTHSTAR_CHROMIUM`; playwright drives it and
downloads nothing. The render server is stopped when the render ends, whatever happens.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from pipelines.base.errors import NorthstarError
from pipelines.base.paths import ROOT
from pipelines.plan.access import User

PNG_LIMIT = 2 * 1024 * 1024          # WeCom's image message: at most 2 MB (before base64)
PHONE = {"width": 390, "height": 844}
SCREEN = {"width": 1440, "height": 900}
SCALES = (2, 1.5, 1)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TOKEN_ENV, USER_ENV = "NS_RENDER_TOKEN", "NS_RENDER_USER"


@dataclass
class Rendered:
    png: bytes | None
    pdf: bytes | None
    png_size: tuple[int, int] | None     # pixels
    smallest_text_px: float | None       # the smallest text drawn in the picture, in CSS px at the phone's width
    scale: float | None
    pdf_pages: int | None
    seconds: float
    a4_zoom: float | None = None         # how much the print view was shrunk to fit one A4 page (0.77: as styled)
    answer_bottom_px: float | None = None  # where the answer line ends in the picture (CSS px)


def chromium_path() -> str:
    """Debian's Chromium (or NORTHSTAR_CHROMIUM); a sentence saying how to install it when there is none."""
    named = os.environ.get("NORTHSTAR_CHROMIUM", "").strip()
    candidates = [named] if named else ["/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"]
    for c in candidates:
        found = c if Path(c).is_file() else shutil.which(c)
        if found:
            return found
    raise NorthstarError("chromium_named_missing", named=named) if named else NorthstarError("chromium_missing")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerUrl(str):
    """The address `app_server` yields, with the server's process id (`pid`: a benchmark reads its CPU time)."""
    pid: int


@contextlib.contextmanager
def app_server(db: Path, port: int | None = None, args: tuple[str, ...] = (), timeout: float = 60.0,
               base_path: str = "", log_path: Path | None = None, **env: str):
    """`streamlit run dashboard.py` on 127.0.0.1 (a free port unless `port`) against the warehouse `db`, with any
    further command-line `args` and environment `env`, under the sub-path `base_path` if given (as behind nginx,
    deploy/); yields its URL (with the process id) and stops it on the way out. Its output goes to `log_path` when
    given (a test reads the server's log), else to a file removed with it. A server that does not come up raises
    NorthstarError with the end of its output."""
    base = base_path.strip("/")
    if base:
        args = (*args, "--server.baseUrlPath", base)
    port = port or free_port()
    environ = {k: v for k, v in os.environ.items() if k not in (TOKEN_ENV, USER_ENV)}
    # a server started for one picture or one test does not warm every page first (ui/warmup.py) unless asked
    environ.update({"NORTHSTAR_DB": str(db), "NORTHSTAR_WARMUP_SECONDS": "0", **env})
    log = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false", *args],
        cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
    url = ServerUrl(f"http://127.0.0.1:{port}" + (f"/{base}" if base else ""))
    url.pid = proc.pid
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace").strip().splitlines()[-15:]
                    if proc.poll() is not None:
                        raise NorthstarError("render_server_exited", log="\n".join(tail)) from None
                    raise NorthstarError("render_server_silent", seconds=timeout, log="\n".join(tail)) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def viewer_env(viewer: User, token: str) -> dict[str, str]:
    """The render server's environment naming the viewer (ui.auth.render_viewer reads it back)."""
    return {TOKEN_ENV: token, USER_ENV: json.dumps(dataclasses.asdict(viewer), ensure_ascii=False)}


def board_url(base: str, token: str, lang: str, month: str | None, as_of: dt.date | None) -> str:
    query = {"render": token, "lang": lang}
    if month:
        query["month"] = month
        if as_of:
            query["as_of"] = as_of.isoformat()
    return f"{base}/?{urlencode(query)}"


def drawn(page, timeout_ms: int, name: str = "board") -> None:
    """Waits until the page `name` (its url_path; the board's is '' too) ran to its end and every chart is drawn; a
    page that stopped with a message, asked for a sign-in or opened another page raises."""
    page.wait_for_selector(".ns-done, [data-testid='stAlertContentError'], [data-testid='stException'], "
                           "input[type='password']", state="attached", timeout=timeout_ms)
    if page.locator("input[type='password']").count():
        raise NorthstarError("render_sign_in")
    errors = page.locator("[data-testid='stAlertContentError'], [data-testid='stException']")
    if errors.count():
        raise NorthstarError("render_page_error", err=errors.first.inner_text().strip()[:500])
    done = ".ns-done[data-page='board'], .ns-done[data-page='']" if name == "board" else f".ns-done[data-page='{name}']"
    if page.locator(done).count() == 0:
        raise NorthstarError("render_wrong_page", name=name)
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .every(p => p.querySelector('.main-svg'))""", timeout=timeout_ms)
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(400)        # the last chart transition


def _tall(page) -> int:
    """The height of everything the board drew (Streamlit scrolls inside its main block, not the document)."""
    return int(page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]') || document.body;
        const block = document.querySelector('[data-testid="stMainBlockContainer"]');
        return Math.ceil(Math.max(main.scrollHeight, block ? block.getBoundingClientRect().bottom : 0)) + 8; }"""))


SMALLEST_TEXT = """() => {
    let least = 1e9;
    const walker = document.createTreeWalker(document.querySelector('[data-testid="stMain"]') || document.body,
                                             NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement;
        if (!el || !node.textContent.trim()) continue;
        const box = el.getBoundingClientRect(), style = getComputedStyle(el);
        if (!box.width || !box.height || style.visibility === 'hidden' || style.display === 'none') continue;
        least = Math.min(least, parseFloat(style.fontSize));
    }
    return least; }"""


ANSWER_BOTTOM = """() => { const a = document.querySelector('[data-k="answer"]');
    return a ? a.getBoundingClientRect().bottom : null; }"""


def _phone_picture(page, timeout_ms: int) -> tuple[bytes, float, float | None]:
    """The open board at a phone's width, top to bottom as a picture styles it (ui/style.py RENDER_CSS: the
    question first, about two screens), the smallest text in it and where its answer line ends."""
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    page.set_viewport_size({"width": PHONE["width"], "height": _tall(page)})
    page.wait_for_timeout(300)
    drawn(page, timeout_ms)
    # the render's own time limit, not playwright's 30 s default: on a loaded machine a tall page takes longer
    return (page.screenshot(type="png", timeout=timeout_ms), float(page.evaluate(SMALLEST_TEXT)),
            page.evaluate(ANSWER_BOTTOM))


# What an A4 landscape page holds inside ui/style.py's 7 mm margins, in CSS pixels (96 per inch): 283 × 196 mm.
A4_PAGE = {"width": int(283 / 25.4 * 96), "height": int(196 / 25.4 * 96)}
# The print view shrinks the board (ui/style.py: zoom 0.77) to fit A4; a board taller than that (Chinese wraps
# more lines than English on the small sample: issue 36, a second, blank page) is shrunk a little more, to fit.
FIT_A4 = """(high) => {
    const block = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!block) return;
    const zoom = parseFloat(getComputedStyle(block).zoom) || 1;
    const tall = block.getBoundingClientRect().height;
    if (tall <= high) return zoom;
    block.style.setProperty('zoom', String(zoom * high / tall), 'important');
    return zoom * high / tall;
}"""
UNFIT = """() => document.querySelector('[data-testid="stMainBlockContainer"]')?.style.removeProperty('zoom')"""


def _draw(browser, url: str, timeout_ms: int, png: bool, pdf: bool) -> dict:
    """One page load: the A4 print from a 1440 × 900 screen, then the same page at a phone's width for the picture
    (a picture over 2 MB is drawn again at a smaller scale)."""
    from PIL import Image  # streamlit depends on pillow

    out = {}
    for scale in SCALES:
        context = browser.new_context(viewport=SCREEN, device_scale_factor=scale)
        try:
            page = context.new_page()
            page.goto(url, timeout=timeout_ms)
            drawn(page, timeout_ms)
            if pdf and "pdf" not in out:
                page.emulate_media(media="print")
                page.set_viewport_size(A4_PAGE)          # laid out as the printer will: the paper's width
                page.wait_for_timeout(300)
                out["a4_zoom"] = page.evaluate(FIT_A4, A4_PAGE["height"] - 6)
                page.wait_for_timeout(100)
                out["pdf"] = page.pdf(format="A4", landscape=True, print_background=True)
                page.evaluate(UNFIT)                    # the phone's picture is drawn at its own size
                page.set_viewport_size(SCREEN)
            if not png:
                return out
            data, smallest, answer = _phone_picture(page, timeout_ms)
        finally:
            context.close()
        if len(data) <= PNG_LIMIT:
            out.update(png=data, size=Image.open(io.BytesIO(data)).size, scale=scale, smallest=smallest,
                       answer=answer)
            return out
    raise NorthstarError("render_too_big", mb=len(data) / 1e6)


def pdf_pages(data: bytes) -> int:
    """Pages in a PDF Chromium wrote (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def _in_chromium(executable: str, url: str, timeout_ms: int, png: bool, pdf: bool) -> dict:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            try:
                return _draw(browser, url, timeout_ms, png, pdf)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise NorthstarError("render_chromium_failed", err=str(exc).splitlines()[0]) from None


def render_board(db: Path, viewer: User, lang: str = "zh", month: str | None = None, as_of: dt.date | None = None,
                 png: bool = True, pdf: bool = True, timeout: float = 90.0, say=lambda line: None) -> Rendered:
    """The board of `month` as of `as_of` (None: the app's defaults) in `lang`, as `viewer` sees it: a phone-width
    PNG and / or a one-page A4 landscape PDF. `say` receives a line per step (progress for a long render).

    Chromium is driven from a thread of its own: playwright's sync API refuses a thread that already runs an event
    loop (a Streamlit script, a caller's own playwright)."""
    start = time.perf_counter()
    executable = chromium_path()
    token = secrets.token_urlsafe(32)
    say("starting the dashboard for the render")
    with app_server(Path(db), args=("--server.fileWatcherType", "none", "--server.runOnSave", "false"),
                    **viewer_env(viewer, token)) as base:
        say("drawing the board " + " and ".join(w for w, on in (("on A4", pdf), ("at a phone's width", png)) if on))
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="render") as pool:
            out = pool.submit(_in_chromium, executable, board_url(base, token, lang, month, as_of),
                              int(timeout * 1000), png, pdf).result()
    return Rendered(png=out.get("png"), pdf=out.get("pdf"), png_size=out.get("size"), scale=out.get("scale"),
                    smallest_text_px=out.get("smallest"), pdf_pages=pdf_pages(out["pdf"]) if "pdf" in out else None,
                    a4_zoom=out.get("a4_zoom"), answer_bottom_px=out.get("answer"),
                    seconds=time.perf_counter() - start)
