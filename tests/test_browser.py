"""The real app in real headless Chromium (Debian's /usr/bin/chromium): what a person sees. Screenshots go to
tests/artifacts/."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app(tiny):
    assert Path(CHROMIUM).exists(), "Chromium is missing: install Debian's chromium (.ci/run does)"
    port = free_port()
    env = dict(os.environ, NORTHSTAR_DB=str(tiny / "wh.duckdb"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start:\n" + proc.stdout.read().decode(errors="replace"))
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def test_board_renders_in_chromium(app, browser, tiny):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(app)
    page.get_by_text("在营驿站").first.wait_for(timeout=30_000)
    page.get_by_text("数据加载情况").wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "截至 2026-11-24" in body
    assert "Traceback" not in body
    page.screenshot(path=str(ARTIFACTS / "board-zh.png"))
    # The language switch is checked under AppTest (tests/test_app.py); clicking it in Chromium is issue 4's.
    page.close()
