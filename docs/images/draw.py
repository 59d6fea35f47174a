"""The documentation's pictures, drawn from the sample company by the real app in headless Chromium:
`make docs-images` (after `make data`). Each picture is listed in images.json with the files whose drawing it shows
and a digest of them; tests/test_docs.py fails when one of those files changed after the picture was drawn, so a
picture in the README never shows a board that is no longer there.

    python docs/images/draw.py [--db data/warehouse.duckdb]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.delivery.render import CHROMIUM_ARGS, app_server, chromium_path, drawn  # noqa: E402

BOARD = ["pages/board.py", "ui/views/board.py", "ui/views/charts.py", "ui/style.py"]
ZONE = ["pages/war_zone.py", "ui/views/warzone.py", "ui/views/board.py", "ui/views/charts.py", "ui/style.py"]
# name → (path and query, viewport, whole page?, the files it shows)
PICTURES = {
    "board-zh.png": ("/?lang=zh", {"width": 1440, "height": 900}, False, BOARD),
    "board-en.png": ("/?lang=en", {"width": 1440, "height": 900}, False, BOARD),
    "board-phone.png": ("/?lang=zh", {"width": 390, "height": 844}, False, BOARD),
    "war-zone-zh.png": ("/war_zone?lang=zh&zone=north", {"width": 1440, "height": 900}, False, ZONE),
}
MANIFEST = HERE / "images.json"


def digest(files: list[str]) -> str:
    """One digest of the files a picture shows (their bytes, in order): what the staleness test recomputes."""
    h = hashlib.sha256()
    for name in files:
        h.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def draw(db: Path) -> dict:
    from playwright.sync_api import sync_playwright

    manifest = {}
    with app_server(db) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for name, (path, viewport, full, files) in PICTURES.items():
                started = time.monotonic()
                ctx = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN")
                page = ctx.new_page()
                page.goto(url + path)
                drawn(page, 120_000, path.split("?")[0].strip("/") or "board")   # the render's own wait
                page.screenshot(path=str(HERE / name), full_page=full)
                ctx.close()
                manifest[name] = {"shows": files, "digest": digest(files)}
                print(f"{name:<18} {viewport['width']}×{viewport['height']}  {time.monotonic() - started:4.1f} s")
        finally:
            browser.close()
    return manifest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    args = ap.parse_args()
    if not args.db.exists():
        print(f"no warehouse at {args.db}: run `make data` first (the pictures are drawn from the sample)")
        return 1
    manifest = draw(args.db)
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(manifest)} pictures and {MANIFEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
