"""Shared fixtures: hand-made raw tables, a small org, and a built tiny sample."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# No warm-up thread (ui/warmup.py) in the tests' AppTest runs and servers: each test reads what it reads, on a
# machine the other workers share. tests/test_warmup.py turns it on where it is the subject.
os.environ.setdefault("NORTHSTAR_WARMUP_SECONDS", "0")

from pipelines.delivery.render import CHROMIUM_ARGS, app_server, free_port  # noqa: E402,F401
from pipelines.okr import pacebuild  # noqa: E402
from pipelines.warehouse import build as build_mod  # noqa: E402
from pipelines.warehouse import sample  # noqa: E402
from pipelines.warehouse.contract import TABLES  # noqa: E402

AS_OF = dt.date(2026, 11, 24)

ORG_YAML = """
company: {id: company, name: {zh: 测试公司, en: Test Co}}
war_zones:
  - id: east
    name: {zh: 华东战区, en: East Zone}
    teams:
      - id: e1
        name: 华东一队
        people: [{id: pa, name: 甲}, {id: pb, name: 乙}]
      - id: e2
        name: 华东二队
        people: [{id: pc, name: 丙}]
  - id: south
    name: {zh: 华南战区, en: South Zone}
    teams:
      - id: s1
        name: 华南一队
        people: [{id: pd, name: 丁}]
centers:
  - id: community
    name: {zh: 社群中心, en: Community Center}
    channels: [community, referral]
  - id: content
    name: {zh: 内容中心, en: Content Center}
    channels: [content]
"""

# The hand-made network. Every expected number in test_metrics.py is computed from these rows by hand.
STATIONS = [
    # station_id, name, war_zone, team, owner, province, city, signed_on, opened_on, closed_on
    ["S1", "一号站", "east", "e1", "pa", "浙江", "杭州", "2026-09-10", "2026-10-01", ""],
    ["S2", "二号站", "east", "e1", "pb", "浙江", "杭州", "2026-10-15", "2026-11-03", ""],
    ["S3", "三号站", "east", "e2", "pc", "江苏", "南京", "2026-10-20", "2026-11-10", "2026-11-15"],
    ["S4", "四号站", "south", "s1", "pd", "广东", "广州", "2026-11-02", "", ""],
    ["S5", "五号站", "south", "s1", "pd", "广东", "深圳", "2026-08-01", "2026-08-20", "2026-10-31"],
    ["S6", "六号站", "west", "w1", "px", "四川", "成都", "2026-11-05", "2026-11-12", ""],
]
MEMBERS = [
    # member_id, station_id, joined_on, tier, fee, channel, referrer_id, refunded_on, phone
    ["M1", "S1", "2026-10-05", "standard", "399", "community", "", "", "13800000001"],
    ["M2", "S1", "2026-11-02", "gold", "999", "referral", "M1", "", "13800000002"],
    ["M3", "S2", "2026-11-05", "standard", "399", "content", "", "2026-11-08", ""],
    ["M4", "S2", "2026-11-18", "standard", "399", "content", "", "", "13800000004"],
    ["M5", "S3", "2026-11-12", "standard", "399", "partner", "", "", ""],
    ["M6", "S5", "2026-09-01", "platinum", "2999", "community", "", "2026-11-22", ""],
    ["M7", "S6", "2026-11-21", "standard", "399", "community", "", "", ""],
]
ORDERS = [
    # order_id, member_id, ordered_at, amount, status, category
    ["O1", "M1", "2026-10-20 10:00:00", "100.00", "paid", "生鲜"],
    ["O2", "M1", "2026-11-01 09:00:00", "50.50", "paid", "粮油"],
    ["O3", "M2", "2026-11-03 12:00:00", "20.00", "cancelled", ""],
    ["O4", "M2", "2026-11-19 18:30:00", "80.00", "paid", "日化"],
    ["O5", "M4", "2026-11-20 23:59:59", "30.25", "paid", "零食"],
    ["O6", "M6", "2026-09-10 11:00:00", "60.00", "paid", "酒水"],
    ["O7", "M5", "2026-11-21 08:00:00", "10.00", "paid", "生鲜"],
    ["O8", "M4", "2026-11-19 10:00:00", "15.00", "refunded", "美妆"],
]
BASE = {"stations": STATIONS, "members": MEMBERS, "orders": ORDERS}


def retail_adapter():
    """examples/online_retail/adapt.py as a module (it is a script, not a package): the real data's mapping."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("adapt", ROOT / "examples" / "online_retail" / "adapt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")  # as Excel writes it: cells holding \r or \n get quoted
        w.writerow(header)
        w.writerows(rows)
    return path


def make_raw(root: Path, tables: dict[str, list[list[str]]] | None = None, encoding: str = "utf-8",
             org: str | None = ORG_YAML) -> tuple[Path, Path]:
    """Writes raw CSV files (default: the hand-made network) and org.yaml; returns (raw, config)."""
    raw, config = root / "raw", root / "config"
    raw.mkdir(parents=True, exist_ok=True)
    config.mkdir(parents=True, exist_ok=True)
    for name, rows in (tables or BASE).items():
        write_csv(raw / f"{name}.csv", TABLES[name].column_names, rows, encoding)
    if org is not None:
        (config / "org.yaml").write_text(org, encoding="utf-8")
    return raw, config


def run_build(root: Path, as_of=AS_OF, **kw):
    raw, config = root / "raw", root / "config"
    kw.setdefault("derive", pacebuild.derive)      # as the command line and the app build
    return build_mod.build(raw=raw, config=config, db=root / "wh.duckdb", as_of=as_of, quiet=True, **kw)


def query(db: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture()
def hand_made(tmp_path) -> Path:
    """The hand-made network, built; returns the folder holding raw/, config/ and wh.duckdb."""
    make_raw(tmp_path)
    run_build(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def hand_made_db(tmp_path_factory) -> Path:
    """The hand-made network built once for the session: wh.duckdb, for tests that only read it (a test that
    changes its folder uses `hand_made`)."""
    root = tmp_path_factory.mktemp("handmade")
    make_raw(root)
    run_build(root)
    return root / "wh.duckdb"


@pytest.fixture(scope="session")
def company(tmp_path_factory) -> Path:
    """The hand-made company of tests/goal_company.py, built as of 2026-11-30 (read-only: copy it to change it)."""
    from tests import goal_company as gc

    root = tmp_path_factory.mktemp("goalco")
    make_raw(root, {"stations": gc.STATIONS, "members": gc.MEMBERS, "orders": gc.ORDERS}, org=gc.ORG)
    (root / "config" / "goals.yaml").write_text(gc.GOALS, encoding="utf-8")
    (root / "config" / "targets.csv").write_text(gc.TARGETS, encoding="utf-8")
    result = run_build(root, as_of=dt.date(2026, 11, 30))
    assert result.tables["stations"] == 12 and result.tables["members"] == 39 and result.tables["orders"] == 9
    return root / "wh.duckdb"


def copy_warehouse(db: Path, folder: Path) -> Path:
    """A copy of the warehouse `db` and its plan store (with its WAL files) in `folder`, for a test to change."""
    from pipelines.plan.store import store_path

    target = Path(folder) / db.name
    shutil.copy(db, target)
    src, dst = store_path(db), store_path(target)
    for suffix in ("", "-wal", "-shm"):
        if src.with_name(src.name + suffix).exists():
            shutil.copy(src.with_name(src.name + suffix), dst.with_name(dst.name + suffix))
    return target


def signed_warehouse(tiny: Path, root: Path, access: str, passwords: dict[str, str] | None = None) -> Path:
    """A copy of the tiny warehouse in `root` whose plan holds `access` as access.yaml (imported into the plan store,
    as a build would) and a password for each id in `passwords`; returns the warehouse (root/config is the plan)."""
    from pipelines.plan.access import hash_password
    from pipelines.plan.folder import load_plan
    from pipelines.plan.store import PlanStore, store_path

    db = copy_warehouse(tiny / "wh.duckdb", root)
    config = root / "config"
    shutil.copytree(tiny / "config", config)
    (config / "access.yaml").write_text(access, encoding="utf-8")
    with PlanStore(store_path(db)) as store:
        store.import_config(config, load_plan(config))
        for uid, password in (passwords or {}).items():
            store.accounts.set_password(uid, hash_password(password), "test", reset=False)
    return db


@pytest.fixture()
def writable(company, tmp_path) -> Path:
    """A copy of the hand-made company's warehouse and plan store that a test may change."""
    return copy_warehouse(company, tmp_path)


@pytest.fixture()
def fresh_cache():
    """Streamlit's caches emptied before and after an AppTest test (each test's warehouse is its own)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()       # the goal tree and access are resources (shared frozen objects)
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def seen(markdown: str) -> str:
    """What a person reads from a Markdown source: backslash escapes (user text is made inert with ui.i18n.md)
    show as the character itself."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown)


def open_app(db: Path, monkeypatch, page: str, lang: str = "zh", **env: str):
    """The app under AppTest on the warehouse `db` (and any NORTHSTAR_* settings in `env`), in `lang`, switched
    to `page` (e.g. "pages/data.py")."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NORTHSTAR_DB", str(db))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    if lang == "en":
        at.sidebar.radio[0].set_value("English").run()
    at.switch_page(page).run()
    return at


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Path:
    """The tiny sample (seed 7), generated and built once per test session."""
    root = tmp_path_factory.mktemp("tiny")
    sample.generate(size="tiny", seed=7, out=root, progress=_quiet())
    build_mod.build(raw=root / "raw", config=root / "config", db=root / "wh.duckdb", as_of=sample.AS_OF, quiet=True,
                    derive=pacebuild.derive)
    return root


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> Path:
    """The `small` sample (seed 7), as `make run` builds it: where the numbers are as long as a company's (issue 35's
    forecast, issue 36's A4 page). Generated and built once per worker (about 20 s)."""
    root = tmp_path_factory.mktemp("small")
    sample.generate(size="small", seed=7, out=root, progress=_quiet())
    build_mod.build(raw=root / "raw", config=root / "config", db=root / "wh.duckdb", as_of=sample.AS_OF, quiet=True,
                    derive=pacebuild.derive)
    return root


def _quiet():
    from pipelines.base.progress import Progress

    return Progress(quiet=True)


# ---- the real app in real Chromium (every page test uses these) -------------------------------------------------

ARTIFACTS = ROOT / "tests" / "artifacts"

# Two helpers for a page check written in JavaScript (the laptop and war-zone fit tests): `text(e)`, an element's
# words for a message; `lines(e)`, how many line boxes its text takes (its text's rectangles, by row).
TEXT_LINES = """
    const text = e => e.innerText.replace(/\\s+/g, ' ').trim().slice(0, 40);
    const lines = e => {
        const range = document.createRange();
        range.selectNodeContents(e);
        const rects = [...range.getClientRects()].filter(r => r.width > 0).sort((a, b) => a.top - b.top);
        let rows = 0, bottom = -1e9;
        for (const r of rects) {
            if (r.top >= bottom - 2) { rows += 1; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
        }
        return rows;
    };"""
CHROMIUM = "/usr/bin/chromium"


@contextlib.contextmanager
def streamlit_app(db: Path, port: int | None = None, args: tuple[str, ...] = (), **env: str):
    """`streamlit run dashboard.py` on a free localhost port (or `port`) against the warehouse `db`, with any further
    command-line `args` (e.g. `--secrets.files`); yields the URL. The same server the renderer starts."""
    with app_server(db, port=port, args=args, **env) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium: Debian's binary, driven by playwright."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: install Debian's chromium (.ci/run does)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url(tiny):
    """The app on the tiny warehouse, served for one test module."""
    with streamlit_app(tiny / "wh.duckdb") as url:
        yield url


def open_board(browser, url: str, width: int = 1440, height: int = 900):
    """A new page on the board, waited for until its last block (the paths strip) and the chart are drawn."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.locator("[data-k='driver.gmv']").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    return page


def choose_language(page, label: str) -> None:
    """Clicks 中文 / English in the sidebar as a person would."""
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(has_text=label).click()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def problems_shown(page) -> list[str]:
    """Error boxes, exceptions and tracebacks a person would see."""
    found = [
        e.inner_text() for e in page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all()
    ]
    if "Traceback (most recent call last)" in page.inner_text("body"):
        found.append("a traceback")
    return found


def wait_idle(page, timeout: int = 30_000) -> None:
    """Until the page is connected and no run is going on: Streamlit's status widget ("Running…", "Connecting")
    gone and no element stale (a run replacing it). A person waits for the page to settle before typing or
    clicking; on a loaded machine (a fresh clone's `make test` on two cores) a click before that lands on a widget
    about to be replaced or disabled. Waits at most `timeout`, then lets the caller try anyway."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("""() => !document.querySelector('[data-testid=stStatusWidget]')
                                        && !document.querySelector('[data-stale=true]')""", timeout=timeout)
    except PlaywrightTimeout:
        pass


def main_height(page) -> list[int]:
    """[scrollHeight, clientHeight] of the page's main area, once it fits or after 10 s: after a language switch
    on a busy machine the previous run's blocks can stand beside the new ones for a moment."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    fits = ("() => { const m = document.querySelector('[data-testid=stMain]'); return m.scrollHeight <= "
            "m.clientHeight + 1; }")
    try:
        page.wait_for_function(fits, timeout=10_000)
    except PlaywrightTimeout:
        pass
    return page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                         " return [m.scrollHeight, m.clientHeight]; }")
