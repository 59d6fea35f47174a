"""Northstar's benchmark at north-star scale: writes benchmarks/RESULTS.md.

    make bench                       # sizes small and medium (about 10 minutes on 2 cores)
    make bench LARGE=1               # and large: 20,000 stations, 10M members, 100M orders (about 20 more minutes)
    python -m benchmarks.run --sizes small --skip-browser    # a quick look

Per size, in a work folder (default benchmarks/.work, git-ignored; --keep reuses a sample already there):
1. `sample` and `build` in their own processes: wall time and peak resident memory (from the OS).
2. The floor: one DuckDB scan-and-group of the raw orders (its own process), and the build's ratio to it.
3. The plain-pandas baseline (benchmarks/baseline.py) against Northstar for the same goal tree (one month) and the
   same member retention table: time and peak memory of each in a fresh process, the ratio, and whether the
   numbers are equal.
4. The goal tree query, a cohort query and every page's data loading: p50 / p95 over 20 warm runs (the
   warehouse and the OS warm, Streamlit's cache emptied before each run).
5. Every page in headless Chromium: cold (the first load on a fresh server) and warm (the median of 5 more).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGES = ["board", "war_zone", "plan", "centers", "cohorts", "growth", "data"]
RUNS = 20
TARGETS = {"build_s": 300, "build_gib": 12, "page_data_ms": 100, "render_s": 3, "pandas_ratio": 10,
           "incremental_share": 0.15, "incremental_share_small": 0.5}
# At these sizes the nightly refresh must cost the day's data (issue 37: ≤ 15 % of the full build); below them a
# refresh's fixed costs (copying the warehouse, the pace step, the checkpoint) are most of it.
NIGHTLY_SIZES = ("large", "xlarge")


# ---- measuring a process ---------------------------------------------------------------------------------------

def _status_mib(pid: int, field: str) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith(field + ":")) / 1024
    except (OSError, StopIteration):
        return 0.0


def measure(cmd: list[str], log: Path, env: dict | None = None, max_gib: float | None = None) -> dict:
    """Runs `cmd`, returns its wall seconds and peak resident memory (MiB); stops on failure. The peak is the
    process's own high-water mark (VmHWM, read every 0.1 s; it only grows): os.wait4's ru_maxrss would also count
    this process's memory, which the child shares between fork and exec. With `max_gib` the process is stopped
    once it holds more than that (the pandas baseline at 100M orders would otherwise take the machine's memory)."""
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        stopped, peak = False, 0.0
        while True:
            peak = max(peak, _status_mib(proc.pid, "VmHWM"))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if max_gib and _status_mib(proc.pid, "VmRSS") > max_gib * 1024:
                proc.kill()
                stopped = True
            time.sleep(0.1)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if stopped:
        raise MemoryError(f"stopped after {wall:,.0f} s when it held more than {max_gib:g} GiB")
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(cmd[:4])} … failed (exit {code}):\n" + "\n".join(tail))
    return {"seconds": wall, "peak_mib": peak or usage.ru_maxrss / 1024}


PANDAS_MAX_GIB = 16


def job(name: str, work: Path, **opts) -> dict:
    """A benchmarks.jobs job in its own process: wall, peak memory, the computing time and the result; for a
    pandas job that runs out of memory, {"failed": why}."""
    out = work / f"{name}.json"
    cmd = [sys.executable, "-m", "benchmarks.jobs", name, "--out", str(out)]
    for k, v in opts.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    try:
        m = measure(cmd, work / f"{name}.log", max_gib=PANDAS_MAX_GIB if name.startswith("pandas") else None)
    except (MemoryError, RuntimeError) as exc:
        if not name.startswith("pandas"):
            raise
        return {"failed": str(exc).splitlines()[0]}
    data = json.loads(out.read_text(encoding="utf-8"))
    return {**m, "compute": data["seconds"], "result": data["result"]}


# ---- warm reads ------------------------------------------------------------------------------------------------

def timings(fn, runs: int = RUNS, before=None) -> dict:
    """p50 / p95 (ms) of `fn` over `runs` runs after one unmeasured run; `before` runs untimed before each."""
    if before:
        before()
    fn()
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]}


def page_loaders(db: Path) -> dict:
    """What each page reads before it draws, through the same cached readers the pages call (ui/data.py,
    ui/setup.py), for the sample's default view: the sidebar's default period, no filters."""
    import logging

    import duckdb
    import streamlit as st

    from pipelines.base import months
    from pipelines.okr import goaltree
    from pipelines.plan.store import PlanStore, store_path
    from ui import data as ud
    from ui import setup as us

    st.cache_data.clear()   # outside `streamlit run` the caches live in memory, and say so once per function
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    d = str(db)
    with duckdb.connect(d, read_only=True) as con:
        _, last = goaltree.data_dates(con)
        zone = con.execute("select id from org_nodes where level = 'war_zone' order by ord limit 1").fetchall()[0][0]
    month = f"{last.year:04d}-{last.month:02d}"
    plan_month = months.shift_month(month, 1)

    def board():
        us.data_dates(d, ud.versions(d))
        return ud.goal_tree(d, month, last, ud.versions(d))

    def war_zone():
        board()
        ud.node_view(d, month, last, zone, ud.versions(d))

    def plan():
        ud.plan_basis(d, plan_month, ud.versions(d))
        with PlanStore(store_path(db), read_only=True) as store:
            store.targets()

    def centers():
        tree = board()
        ud.plan(d, ud.versions(d))           # (pages/centers.py: the cached plan the tree was judged with)
        with PlanStore(store_path(db), read_only=True) as store:
            for ka in tree.key_actions:
                for kr in ka.key_results:
                    store.checkin_history(kr.id)

    def cohorts():
        opts = ud.cohort_options(d, ud.versions(d))
        ud.cohort_rows(d, "members", None, (), None, None, ud.versions(d))
        ud.cohort_rows(d, "stations", None, (), None, None, ud.versions(d))   # (the drill-down list is on request)
        return opts

    def growth():
        ud.cohort_options(d, ud.versions(d))
        ud.growth_data(d, (), False, ud.versions(d))

    def data():
        ud.data_report(d, us.today(), ud.versions(d))

    def clear():
        st.cache_data.clear()
        st.cache_resource.clear()     # the goal tree and access are resources (ui/data.py)

    return {"loaders": {"board": board, "war_zone": war_zone, "plan": plan, "centers": centers, "cohorts": cohorts,
                        "growth": growth, "data": data},
            "clear": clear, "month": month, "last": last}


def warm_reads(db: Path) -> dict:
    import duckdb

    from pipelines.okr import cohorts, goaltree
    from pipelines.plan.store import read_plan

    p = page_loaders(db)
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        plan = read_plan(db)
        out["goal tree query"] = timings(lambda: goaltree.goal_tree(con, p["month"], p["last"], plan))
        out["cohort query (retention table)"] = timings(lambda: cohorts.members(con))
        newest = max(r["cohort_month"] for r in cohorts.members(con))
        out["cohort drill-down (newest cohort, M0; on request)"] = timings(
            lambda: cohorts.members_behind(con, newest, 0, "active", {}, limit=5000))
    for page, fn in p["loaders"].items():
        out[f"page data: {page}"] = timings(fn, before=p["clear"])
    return out


# ---- the browser -----------------------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path, log: Path):
    import urllib.request

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "NORTHSTAR_DB": str(db)}, stdout=open(log, "a"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError(f"streamlit did not start; see {log}")


def rendered(page) -> None:
    """Waits until the page is fully drawn: the end-of-page marker is there (the script ran to its end), the app
    is no longer running, no element is a placeholder (skeleton) or left over from a previous run (stale), and
    every visible Plotly chart and table has drawn."""
    page.locator(".ns-done").wait_for(state="attached", timeout=180_000)
    page.wait_for_function(
        """() => {
            const shown = e => e.offsetParent && !e.closest('details:not([open])');  // not in a closed expander
            return !document.querySelector('[data-testid="stStatusWidget"]')
                && !document.querySelector('[data-testid^="stSkeleton"], [data-testid="stAppSkeleton"]')
                && !document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')
                && [...document.querySelectorAll('.stPlotlyChart')].filter(shown)
                       .every(e => e.querySelector('.main-svg'))
                && [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(shown)
                       .every(e => e.querySelector('canvas'));
        }""", timeout=180_000, polling=50)


def render_times(db: Path, work: Path, warm_loads: int = 5) -> dict:
    """Per page: the first load on a fresh server in a fresh browser (cold: nothing cached anywhere) and the median
    of `warm_loads` more in new tabs of the same browser (warm: the app's caches and the browser's filled)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    out = {}
    shots = work / "screens"
    shots.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for name in PAGES:
            proc, url = serve(db, work / "streamlit.log")
            context = browser.new_context(viewport={"width": 1440, "height": 900})   # one browser cache per server
            try:
                samples = []
                for i in range(warm_loads + 1):
                    page = context.new_page()
                    start = time.perf_counter()
                    page.goto(url if name == PAGES[0] else f"{url}/{name}")   # the board is the root page
                    try:
                        rendered(page)
                    except PlaywrightError as exc:
                        page.screenshot(path=str(shots / f"{name}-failed.png"))
                        page.close()
                        raise RuntimeError(f"{name} was not drawn within 180 s ({str(exc).splitlines()[0]}); "
                                           f"see {shots / (name + '-failed.png')}") from None
                    samples.append(time.perf_counter() - start)
                    if i == 0:
                        page.screenshot(path=str(shots / f"{name}.png"))
                    page.close()
                out[name] = {"cold": samples[0], "warm": statistics.median(samples[1:]), "warm_max": max(samples[1:])}
            finally:
                context.close()
                proc.terminate()
                proc.wait(timeout=20)
        browser.close()
    return out


# ---- one size --------------------------------------------------------------------------------------------------

def build_steps(log: Path, top: int = 6) -> list[tuple[str, float]]:
    """The slowest steps of a build, from its progress lines ("[5/20] model core/orders.sql: 57.7 s")."""
    steps = []
    for line in log.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\[\d+/\d+\] (.+): ([\d.]+) s$", line.strip())
        if m:
            steps.append((m.group(1), float(m.group(2))))
    return sorted(steps, key=lambda s: -s[1])[:top]


def split_last_day(raw: Path) -> dict[str, int]:
    """Moves the sample's last day into files of their own, as a daily export would add them: orders placed on the
    last day, members who joined on it and stations signed on it (that no earlier member belongs to) go to
    `<table>_2.parquet`, out of every file of the table (orders come in several at the large sizes). Returns the
    rows moved per table."""
    import re

    import duckdb

    from pipelines.warehouse.ingest import sql_str

    def files_of(table: str) -> list[Path]:
        return sorted(p for p in raw.iterdir()
                      if p.suffix == ".parquet" and (p.stem == table or re.fullmatch(rf"{table}-\d\d", p.stem)))

    def read(paths: list[Path]) -> str:
        return f"read_parquet([{', '.join(sql_str(p) for p in paths)}])"

    moved = {}
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = false")
        last = con.execute(f"select max(ordered_at)::date from {read(files_of('orders'))}").fetchall()[0][0]
        late = {"orders": f"ordered_at >= '{last}'", "members": f"joined_on >= '{last}'",
                "stations": (f"signed_on >= '{last}' and station_id not in (select station_id from "
                             f"{read(files_of('members'))} where joined_on < '{last}')")}
        for table in ("stations", "members", "orders"):
            olds = []
            for src in files_of(table):
                old = raw / f".{src.stem}.all.parquet"
                src.rename(old)
                olds.append((src, old))
            for src, old in olds:
                con.execute(f"copy (select * from {read([old])} where not ({late[table]})) to {sql_str(src)} "
                            "(format parquet)")
            con.execute(f"copy (select * from {read([old for _, old in olds])} where {late[table]}) to "
                        f"{sql_str(raw / f'{table}_2.parquet')} (format parquet)")
            moved[table] = con.execute(f"select count(*) from read_parquet({sql_str(raw / f'{table}_2.parquet')})"
                                       ).fetchall()[0][0]
            for _, old in olds:
                old.unlink()
    return moved


def night_of_changes(raw: Path, last, members: int = 2_000, orders: int = 5_000, stations: int = 20) -> dict:
    """A night's refunds and closings as a pull writes them (pipelines/warehouse/pull.py): each changed row at its
    own line of the file that holds it — `members` of the last day's new members refunded that day, `orders` of
    its paid orders refunded, `stations` stations open for a month or more closed that day. Each file is written
    aside and renamed over the old one (the folder's files may be hard links to another folder's). Returns the
    rows changed per table."""
    import duckdb

    from pipelines.warehouse.ingest import sql_str

    def rewrite(name: str, column: str, value: str, pick: str, limit: int, order: str) -> int:
        path, tmp = raw / name, raw / f".{name}.night"
        con.execute(f"create or replace temp table chosen as select {order} as id from read_parquet({sql_str(path)}) "
                    f"where {pick} order by 1 limit {limit}")
        # in the file's order (a join may reorder rows; a pull writes each row back at its line)
        con.execute(f"copy (select * exclude (file_row_number) replace (case when {order} in (select id from chosen) "
                    f"then {value} else {column} end as {column}) "
                    f"from read_parquet({sql_str(path)}, file_row_number = true) order by file_row_number) "
                    f"to {sql_str(tmp)} (format parquet)")
        tmp.replace(path)
        return con.execute("select count(*) from chosen").fetchall()[0][0]

    day = f"date '{last}'"
    with duckdb.connect() as con:
        return {
            "stations": rewrite("stations.parquet", "closed_on", day,
                                f"opened_on <= {day} - 30 and closed_on is null", stations, "station_id"),
            "members": rewrite("members_2.parquet", "refunded_on", day, "refunded_on is null", members,
                               "member_id"),
            "orders": rewrite("orders_2.parquet", "status", "'refunded'", "status = 'paid'", orders, "order_id"),
        }


def night_again(size: str, work: Path, say) -> dict:
    """The night of refunds and closings measured again on a finished run's folder (WORK/SIZE): a copy of its
    warehouse of every file refreshed with the night's changes (`night_of_changes`), then a full build of the same
    changed files, timed in one run and compared table by table. The raw files are put back as they were."""
    import duckdb

    from pipelines.okr import goaltree

    here, py = work / size, sys.executable
    raw, config = here / "raw", here / "config"
    night = here / "night"
    shutil.rmtree(night, ignore_errors=True)
    (night / "originals").mkdir(parents=True)
    db = night / "warehouse.duckdb"
    shutil.copyfile(here / "warehouse.duckdb", db)
    with duckdb.connect(str(db), read_only=True) as con:
        _, last = goaltree.data_dates(con)
    names = ("stations.parquet", "members_2.parquet", "orders_2.parquet")
    for name in names:
        os.link(raw / name, night / "originals" / name)
    try:
        say(f"{size}: a night of refunds and closings on the full warehouse, then a full build of the same files …")
        res = {"night_changes": night_of_changes(raw, last)}
        build = [py, "-m", "pipelines", "build", "--raw", str(raw), "--config", str(config), "--db"]
        res["night"] = measure(build + [str(db), "--incremental"], night / "night.log")
        log = (night / "night.log").read_text(encoding="utf-8")
        res["night_mode"] = "incremental" if "refreshed incrementally" in log else "full"
        res["night_steps"] = build_steps(night / "night.log")
        res["night_full"] = measure(build + [str(night / "full.duckdb")], night / "full.log")
        res["night_diff"] = same_tables(night / "full.duckdb", db)
    finally:
        for name in names:
            os.replace(night / "originals" / name, raw / name)
        for f in night.glob("*.duckdb*"):
            f.unlink()
    return res


def same_tables(a: Path, b: Path) -> list[str]:
    """Tables that differ between two warehouses: rows compared as multisets (tables over 5M rows by count and a
    sum of row hashes); of build_info only what the data decides."""
    import duckdb

    from pipelines.warehouse.ingest import sql_str

    problems = []
    with duckdb.connect() as con:
        con.execute(f"attach {sql_str(a)} as a (read_only)")
        con.execute(f"attach {sql_str(b)} as b (read_only)")
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'a' "
                                            "order by 1").fetchall()]
        for t in tables:
            if t == "build_info":
                sql = ("select count(*) from (select as_of, last_date, org_hash from {x}.build_info except all "
                       "select as_of, last_date, org_hash from {y}.build_info)")
                diff = sum(con.execute(sql.format(x=x, y=y)).fetchall()[0][0] for x, y in (("a", "b"), ("b", "a")))
            elif con.execute(f"select count(*) from a.{t}").fetchall()[0][0] > 5_000_000:
                one, two = (con.execute(f"select count(*), sum(hash(t)::hugeint) from {x}.{t} as t").fetchall()[0]
                            for x in ("a", "b"))
                diff = one != two
            else:
                diff = sum(con.execute(f"select count(*) from (select * from {x}.{t} except all "
                                       f"select * from {y}.{t})").fetchall()[0][0] for x, y in (("a", "b"), ("b", "a")))
            if diff:
                problems.append(t)
    return problems


def run_size(size: str, work: Path, keep: bool, browser: bool, say) -> dict:
    from benchmarks import baseline
    from pipelines.okr import goaltree

    here = work / size
    raw, config, db = here / "raw", here / "config", here / "warehouse.duckdb"
    res: dict = {"size": size}
    py = sys.executable
    if keep and raw.is_dir() and (config / "org.yaml").exists():
        say(f"{size}: reusing the sample in {here}")
        res["sample"] = None
    else:
        shutil.rmtree(here, ignore_errors=True)
        here.mkdir(parents=True)
        say(f"{size}: generating the sample …")
        res["sample"] = measure([py, "-m", "pipelines", "sample", "--size", size, "--out", str(here)],
                                here / "sample.log")
        say(f"{size}: moving the last day into files of their own (for the incremental refresh) …")
        res["moved"] = split_last_day(raw)
    if "moved" not in res:
        res["moved"] = {t: None for t in ("stations", "members", "orders")}
    for stale in here.glob("warehouse*"):
        stale.unlink()
    say(f"{size}: building the warehouse …")
    res["build"] = measure([py, "-m", "pipelines", "build", "--raw", str(raw), "--config", str(config), "--db",
                            str(db)], here / "build.log")
    res["build_steps"] = build_steps(here / "build.log")
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        res["rows"] = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0]   # noqa: S608 - fixed names
                       for t in ("stations", "members", "orders")}
        _, last = goaltree.data_dates(con)
    res["db_mib"] = db.stat().st_size / 2**20
    month = f"{last.year:04d}-{last.month:02d}"

    say(f"{size}: the incremental refresh: a build without the last day, then --incremental with it …")
    base = here / "base"
    shutil.rmtree(base, ignore_errors=True)
    (base / "raw").mkdir(parents=True)
    for f in sorted(raw.iterdir()):
        if not f.stem.endswith("_2"):
            os.link(f, base / "raw" / f.name)
    base_db = base / "warehouse.duckdb"
    cmd = [py, "-m", "pipelines", "build", "--raw", str(base / "raw"), "--config", str(config), "--db", str(base_db)]
    res["base_build"] = measure(cmd, base / "build.log")
    for f in sorted(raw.iterdir()):
        if f.stem.endswith("_2"):
            os.link(f, base / "raw" / f.name)
    res["incremental"] = measure(cmd + ["--incremental"], base / "incremental.log")
    log = (base / "incremental.log").read_text(encoding="utf-8")
    res["incremental_mode"] = "incremental" if "refreshed incrementally" in log else "full"
    res["incremental_steps"] = build_steps(base / "incremental.log")
    res["incremental_diff"] = same_tables(db, base_db)

    say(f"{size}: a night of refunds and closings: earlier files changed in place, then --incremental again …")
    res["night_changes"] = night_of_changes(base / "raw", last)
    res["night"] = measure(cmd + ["--incremental"], base / "night.log")
    log = (base / "night.log").read_text(encoding="utf-8")
    res["night_mode"] = "incremental" if "refreshed incrementally" in log else "full"
    res["night_steps"] = build_steps(base / "night.log")
    night_full = here / "night-full"
    shutil.rmtree(night_full, ignore_errors=True)
    night_full.mkdir()
    res["night_full"] = measure([py, "-m", "pipelines", "build", "--raw", str(base / "raw"), "--config",
                                 str(config), "--db", str(night_full / "warehouse.duckdb")], here / "night-full.log")
    res["night_diff"] = same_tables(night_full / "warehouse.duckdb", base_db)
    shutil.rmtree(night_full, ignore_errors=True)

    say(f"{size}: the floor and the pandas baseline …")
    res["floor"] = job("floor", here, raw=raw)
    trees = {side: job(f"{side}-tree", here, raw=raw, config=config, db=db, month=month, as_of=last)
             for side in ("pandas", "northstar")}
    rets = {side: job(f"{side}-retention", here, raw=raw, db=db, as_of=last) for side in ("pandas", "northstar")}
    import pandas as pd

    res["tree_problems"] = res["retention_problems"] = []
    if "failed" not in trees["pandas"]:
        res["tree_problems"] = baseline.compare_trees(trees["northstar"].pop("result"), trees["pandas"].pop("result"))
    if "failed" not in rets["pandas"]:
        res["retention_problems"] = baseline.compare_retention(pd.DataFrame(rets["northstar"].pop("result")),
                                                               pd.DataFrame(rets["pandas"].pop("result")))
    for pair in (trees, rets):
        for side in pair.values():
            side.pop("result", None)
    res["trees"], res["retentions"], res["month"] = trees, rets, month

    say(f"{size}: warm reads ({RUNS} runs each) …")
    os.environ["NORTHSTAR_DB"] = str(db)
    res["reads"] = warm_reads(db)
    if browser:
        say(f"{size}: every page in Chromium …")
        res["render"] = render_times(db, here)
    return res


# ---- the report ------------------------------------------------------------------------------------------------

def machine() -> dict:
    mem = 0
    try:
        with open("/proc/meminfo") as fh:
            mem = int(next(line for line in fh if line.startswith("MemTotal")).split()[1]) / 2**20
    except (OSError, StopIteration):
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    import duckdb
    import pandas as pd

    return {"cores": os.cpu_count(), "memory_gib": mem, "cpu": cpu, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pd.__version__, "os": platform.platform()}


def _s(x: float) -> str:
    return f"{x:,.1f} s" if x >= 1 else f"{x * 1000:,.0f} ms"


def _mib(x: float) -> str:
    return f"{x / 1024:,.2f} GiB" if x >= 1024 else f"{x:,.0f} MiB"


def _ok(good: bool) -> str:
    return "✔ met" if good else "✖ missed"


def report(m: dict, sizes: list[dict], started: dt.datetime, took: float, rendered_at: str | None = None) -> str:
    lines = ["# Northstar benchmark results", "",
             f"Produced by `make bench{' LARGE=1' if any(s['size'] == 'large' for s in sizes) else ''}` "
             f"(`python -m benchmarks.run`) on {started:%Y-%m-%d %H:%M} UTC in {took / 60:,.1f} minutes. "
             "Re-run it to reproduce; figures move by about ±10 % between runs on a shared machine, ratios less."
             + (f" The pages in Chromium were measured again on the same warehouses at {rendered_at} UTC "
                "(`python -m benchmarks.run --browser-only`)." if rendered_at else ""),
             "", "## Machine", "",
             f"- {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['memory_gib']:,.1f} GiB memory",
             f"- Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}; {m['os']}", ""]
    lines += ["## Summary", "", "| size | stations | members | orders | sample | build | build peak | warehouse | "
              "floor (scan) | build ÷ floor |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sizes:
        smp = f"{_s(r['sample']['seconds'])}, {_mib(r['sample']['peak_mib'])}" if r["sample"] else "reused"
        lines.append(f"| {r['size']} | {r['rows']['stations']:,} | {r['rows']['members']:,} | "
                     f"{r['rows']['orders']:,} | {smp} | {_s(r['build']['seconds'])} | "
                     f"{_mib(r['build']['peak_mib'])} | {_mib(r['db_mib'])} | {_s(r['floor']['compute'])} | "
                     f"{r['build']['seconds'] / r['floor']['compute']:,.0f}× |")
    lines += ["", "## Plain pandas against Northstar (same numbers)", "",
              "Each side in a fresh process. pandas reads the raw Parquet files and computes; Northstar opens the "
              "warehouse and queries its marts. *Time* is the computing inside the process (without Python's "
              "start-up); *peak* is the process's peak resident memory.", "",
              "| size | numbers | pandas time | pandas peak | Northstar time | Northstar peak | pandas ÷ Northstar | "
              "equal? |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in sizes:
        for label, pair, problems in (("goal tree " + r["month"], r["trees"], r["tree_problems"]),
                                      ("member retention", r["retentions"], r["retention_problems"])):
            p, n = pair["pandas"], pair["northstar"]
            if "failed" in p:
                lines.append(f"| {r['size']} | {label} | ✖ did not finish: {p['failed']} | — | {_s(n['compute'])} | "
                             f"{_mib(n['peak_mib'])} | — | — |")
                continue
            eq = "✔ equal" if not problems else f"✖ {len(problems)} differ: {problems[0]}"
            lines.append(f"| {r['size']} | {label} | {_s(p['compute'])} | {_mib(p['peak_mib'])} | "
                         f"{_s(n['compute'])} | {_mib(n['peak_mib'])} | {p['compute'] / n['compute']:,.0f}× | {eq} |")
    lines += ["", "The build against the pandas baseline (both numbers from raw files; target ≥ 10× at medium):", "",
              "| size | pandas: goal tree + retention | Northstar build (everything) | pandas ÷ build |",
              "|---|---:|---:|---:|"]
    for r in sizes:
        ratio = pandas_over_build(r)
        pd_total = "did not finish" if ratio is None else _s(ratio * r["build"]["seconds"])
        lines.append(f"| {r['size']} | {pd_total} | {_s(r['build']['seconds'])} | "
                     f"{'—' if ratio is None else f'{ratio:,.2f}×'} |")
    lines += ["", "## Incremental refresh", "",
              "The sample's last day moved into files of their own (`<table>_2.parquet`); a build without them, "
              "then `build --incremental` with them, compared table by table with the full build of everything.",
              "", "| size | rows of the last day (stations / members / orders) | full build | incremental | "
              "incremental ÷ full | tables equal? |", "|---|---|---:|---:|---:|---|"]
    for r in sizes:
        moved = " / ".join("—" if v is None else f"{v:,}" for v in r["moved"].values())
        inc = r["incremental"]["seconds"]
        eq = "✔ all equal" if not r["incremental_diff"] else f"✖ differ: {', '.join(r['incremental_diff'])}"
        mode = "" if r["incremental_mode"] == "incremental" else " (✖ fell back to a full build)"
        lines.append(f"| {r['size']} | {moved} | {_s(r['build']['seconds'])} | {_s(inc)}{mode} | "
                     f"{inc / r['build']['seconds']:.0%} | {eq} |")
    nights = [r for r in sizes if "night" in r]
    if nights:
        lines += ["", "Then a night of refunds and closings on top: 20 stations closed (stations.parquet), 2,000 "
                  "of the last day's members and 5,000 of its paid orders refunded (members_2, orders_2), each "
                  "rewritten at its line as a pull writes them, and `build --incremental` again; timed against, and "
                  "compared table by table with, a full build of the changed files in the same run.", "",
                  "| size | rows changed (stations / members / orders) | full build | incremental | "
                  "incremental ÷ full | tables equal? |", "|---|---|---:|---:|---:|---|"]
        for r in nights:
            changed = " / ".join(f"{v:,}" for v in r["night_changes"].values())
            inc, full = r["night"]["seconds"], r.get("night_full", r["build"])["seconds"]
            eq = "✔ all equal" if not r["night_diff"] else f"✖ differ: {', '.join(r['night_diff'])}"
            mode = "" if r["night_mode"] == "incremental" else " (✖ fell back to a full build)"
            lines.append(f"| {r['size']} | {changed} | {_s(full)} | {_s(inc)}{mode} | {inc / full:.0%} | {eq} |")
    lines += ["", f"## Warm reads (ms, {RUNS} runs, p50 / p95)", "",
              "*Goal tree* and *cohort query* are the two calls on an open connection. *Page data* is everything a "
              "page reads before drawing, through the pages' own cached readers with Streamlit's cache emptied "
              "before each run (so it is the cost of a first view, with DuckDB and the OS warm).", "",
              "| read | " + " | ".join(r["size"] for r in sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for key in sizes[0]["reads"]:
        cells = []
        for r in sizes:
            v = r["reads"][key]
            flag = " ✖" if key.startswith("page data") and v["p95"] > TARGETS["page_data_ms"] else ""
            cells.append(f"{v['p50']:,.1f} / {v['p95']:,.1f}{flag}")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    with_render = [r for r in sizes if r.get("render")]
    if with_render:
        lines += ["", "## Pages in headless Chromium (s, cold / warm median)", "",
                  "Until the page is fully drawn: the script ran to its end, nothing is running, every visible chart "
                  "and table is drawn. Cold is the first load on a fresh server; warm the median of 5 more.", "",
                  "| page | " + " | ".join(r["size"] for r in with_render) + " |",
                  "|---|" + "---:|" * len(with_render)]
        for page in PAGES:
            lines.append(f"| {page} | " + " | ".join(
                f"{r['render'][page]['cold']:,.2f} / {r['render'][page]['warm']:,.2f}" for r in with_render) + " |")
    lines += ["", "## Slowest build steps", ""]
    for r in sizes:
        lines.append(f"- **{r['size']}**: " + "; ".join(f"{name} {_s(t)}" for name, t in r["build_steps"]))
    lines += ["", "## Targets", "", "| target | measured | |", "|---|---|---|"]
    by = {r["size"]: r for r in sizes}
    if "large" in by:
        r = by["large"]
        lines.append(f"| large build ≤ 5 min | {_s(r['build']['seconds'])} | "
                     f"{_ok(r['build']['seconds'] <= TARGETS['build_s'])} |")
        lines.append(f"| large build peak ≤ 12 GiB | {_mib(r['build']['peak_mib'])} | "
                     f"{_ok(r['build']['peak_mib'] <= TARGETS['build_gib'] * 1024)} |")
        worst = max(((k, v["p95"]) for k, v in r["reads"].items() if k.startswith("page data")), key=lambda x: x[1])
        lines.append(f"| every page's data < 100 ms p95 warm at large | worst {worst[0][11:]} "
                     f"{worst[1]:,.0f} ms | {_ok(worst[1] < TARGETS['page_data_ms'])} |")
        if r.get("render"):
            page, w = max(((k, v["warm"]) for k, v in r["render"].items()), key=lambda x: x[1])
            lines.append(f"| every page rendered < 3 s warm at large | worst {page} {w:,.2f} s | "
                         f"{_ok(w < TARGETS['render_s'])} |")
    else:
        lines.append("| large targets | not run: `make bench LARGE=1` | |")
    if "medium" in by:
        ratio = pandas_over_build(by["medium"])
        lines.append(f"| medium build ≥ 10× faster than the pandas baseline | "
                     f"{'pandas did not finish' if ratio is None else f'{ratio:,.2f}×'} | "
                     f"{_ok(ratio is None or ratio >= TARGETS['pandas_ratio'])} |")
    for r in sizes:
        limit = TARGETS["incremental_share" if r["size"] in NIGHTLY_SIZES else "incremental_share_small"]
        for key, what in (("incremental", "a new day"), ("night", "a night of refunds and closings")):
            if key not in r:
                continue
            full = r.get("night_full", r["build"]) if key == "night" else r["build"]
            share = r[key]["seconds"] / full["seconds"]
            good = share <= limit and not r[f"{key}_diff"] and r[f"{key}_mode"] == "incremental"
            lines.append(f"| {r['size']}: incremental refresh of {what} ≤ {limit:.0%} of the full build, identical "
                         f"tables | {share:.0%} of it, {'equal' if not r[f'{key}_diff'] else 'different'} | "
                         f"{_ok(good)} |")
    notes = Path(__file__).with_name("NOTES.md")
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def pandas_over_build(r: dict) -> float | None:
    """pandas' time for the goal tree and the retention table over Northstar's whole build (None when pandas
    did not finish)."""
    if "failed" in r["trees"]["pandas"] or "failed" in r["retentions"]["pandas"]:
        return None
    return (r["trees"]["pandas"]["compute"] + r["retentions"]["pandas"]["compute"]) / r["build"]["seconds"]


def keep_blocks(out: Path, text: str) -> str:
    """The blocks other benchmarks write into RESULTS.md between their markers (the forecast backtest,
    benchmarks/backtest.py --write; the many-readers load, benchmarks/load.py --write; the pull, benchmarks/pull.py
    --write) stay when it is rewritten."""
    from benchmarks import backtest, blocks, load, pull

    old = out.read_text(encoding="utf-8") if out.exists() else ""
    for start, end in ((backtest.START, backtest.END), (load.START, load.END), (load.NGINX_START, load.NGINX_END),
                       (pull.START, pull.END)):
        at = blocks.found(old, start, end)
        if at:
            text = text.rstrip("\n") + "\n\n" + at.group(0)
    return text


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="small,medium",
                   help="comma-separated: small, medium, large, xlarge (300M orders: about an hour)")
    ap.add_argument("--large", action="store_true", help="add the large size (about 20 minutes more)")
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work",
                    help="where the samples and warehouses go (default benchmarks/.work)")
    ap.add_argument("--keep", action="store_true", help="reuse a sample already in the work folder")
    ap.add_argument("--skip-browser", action="store_true", help="leave out the Chromium page loads")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    ap.add_argument("--browser-only", action="store_true",
                    help="measure the pages in Chromium again on the last run's warehouses, then rewrite RESULTS.md")
    ap.add_argument("--night-again", action="store_true",
                    help="measure the night of refunds and closings again on the last run's folders (every size "
                         "in WORK/results.json), then rewrite RESULTS.md")
    ap.add_argument("--report-only", action="store_true",
                    help="write RESULTS.md again from the last run's measurements (WORK/results.json), e.g. after "
                         "editing benchmarks/NOTES.md")
    args = ap.parse_args(argv)
    if args.browser_only:
        saved = json.loads((args.work / "results.json").read_text(encoding="utf-8"))
        for r in saved["results"]:
            print(f"{r['size']}: every page in Chromium …", flush=True)
            r["render"] = render_times(args.work / r["size"] / "warehouse.duckdb", args.work / r["size"])
        saved["rendered_at"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
        (args.work / "results.json").write_text(json.dumps(saved, default=str, indent=1), encoding="utf-8")
        args.report_only = True
    if args.night_again:
        saved = json.loads((args.work / "results.json").read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        for r in saved["results"]:
            r.update(night_again(r["size"], args.work,
                                 lambda msg: print(f"[{time.perf_counter() - t0:7.1f} s] {msg}", flush=True)))
        (args.work / "results.json").write_text(json.dumps(saved, default=str, indent=1), encoding="utf-8")
        args.report_only = True
    if args.report_only:
        saved = json.loads((args.work / "results.json").read_text(encoding="utf-8"))
        if isinstance(saved, list):        # a run from before the header was kept: take it from RESULTS.md
            head = re.search(r"on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC in ([\d.,]+) minutes",
                             args.out.read_text(encoding="utf-8"))
            saved = {"results": saved, "machine": machine(), "started": head.group(1) + ":00",
                     "took": float(head.group(2).replace(",", "")) * 60}
        text = keep_blocks(args.out, report(saved["machine"], saved["results"],
                                              dt.datetime.fromisoformat(saved["started"]), saved["took"],
                                              saved.get("rendered_at")))
        args.out.write_text(text, encoding="utf-8")
        print(text)
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.large and "large" not in sizes:
        sizes.append("large")
    from pipelines.warehouse.sample import SIZES

    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        sys.exit(f"unknown size {', '.join(unknown)}: choose from {', '.join(SIZES)}")
    if not args.skip_browser and not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), "
                 "or pass --skip-browser")
    args.work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.work).free / 2**30
    need = {"tiny": 1, "small": 1, "medium": 3, "large": 16, "xlarge": 36}   # raw, the warehouse and three more
    if free < sum(need[s] for s in sizes):
        sys.exit(f"{args.work} has {free:,.1f} GiB free; these sizes need about {sum(need[s] for s in sizes)} GiB")
    started, t0 = dt.datetime.now(dt.timezone.utc), time.perf_counter()

    def say(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:7.1f} s] {msg}", flush=True)

    results = [run_size(s, args.work, args.keep, not args.skip_browser, say) for s in sizes]
    took, m = time.perf_counter() - t0, machine()
    text = keep_blocks(args.out, report(m, results, started, took))
    args.out.write_text(text, encoding="utf-8")
    (args.work / "results.json").write_text(json.dumps(
        {"results": results, "machine": m, "started": started.isoformat(), "took": took}, default=str, indent=1),
        encoding="utf-8")
    say(f"wrote {args.out}")
    print(text)


if __name__ == "__main__":
    main()
