"""How long until the board is fully drawn in headless Chromium? Prints a table of load times.

    python benchmarks/bench_board_load.py --url http://127.0.0.1:8501 [--loads 5]

Point it at a running app (`make run`). Each load opens a new browser page on the URL and stops the clock when
the last block (the paths strip), the chart and the war-zone cards are all drawn. The first load after the server
starts is the cold one (nothing cached); the rest are warm.
"""
from __future__ import annotations

import argparse
import statistics
import time

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def load_once(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    start = time.perf_counter()
    page.goto(url)
    page.locator("[data-k='driver.gmv']").wait_for(timeout=120_000)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=120_000)
    page.locator(".ns-zone").first.wait_for(timeout=120_000)
    took = time.perf_counter() - start
    page.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        times = [load_once(browser, args.url) for _ in range(args.loads)]
        browser.close()
    print(f"{'load':<12}{'seconds':>10}")
    for i, took in enumerate(times):
        print(f"{'first' if i == 0 else f'#{i + 1}':<12}{took:>10.2f}")
    if len(times) > 1:
        print(f"{'warm median':<12}{statistics.median(times[1:]):>10.2f}")


if __name__ == "__main__":
    main()
