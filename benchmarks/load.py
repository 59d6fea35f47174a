"""Many readers at once (issue 23): what one fresh view and one page switch cost the server in CPU, and how long
N readers wait when they open pages together, each in a new session (a review meeting opening the link).

    python benchmarks/load.py --db /tmp/bench/wh.duckdb                 # starts its own server on 127.0.0.1
    python benchmarks/load.py --db /tmp/bench/wh.duckdb --readers 10,20 --views 8 --write
    python benchmarks/load.py --url http://127.0.0.1:8501 --pid 12345   # a server started elsewhere (make run)

Each view is a new Chromium page on the URL (a new Streamlit session); it counts as drawn when the page's script
has run to its end (the hidden `.ns-done` marker) and, on the board, the chart and the war-zone cards are there.
The server's CPU is read from /proc/PID/stat (user + system time of the server process) before and after. Phases,
in order: the first view after the server starts (cold: nothing cached); fresh board views one after another, in a
new tab of a browser that has the app's static files (2.3 MB of JavaScript) cached and in a browser with nothing
cached; page switches inside one session (board → war zone → board …, through the sidebar); then for each N in
--readers, N readers opening the app at once, each in a browser of their own with nothing cached (the worst case
of a meeting), half on the board and half on a war-zone page. Then the same page switches and N readers without a
browser: Streamlit sessions opened over the app's websocket (benchmarks/protocol.py), timed until the server's
`script_finished`, so the server's own latency shows without N Chromium renderers sharing its cores. Prints a
table; --write puts
it in benchmarks/RESULTS.md between the `load` markers (`make bench` keeps them).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:                  # run as a script: benchmarks.protocol lives beside it
    sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("NORTHSTAR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-renderer-backgrounding",
        "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]
START, END = "<!-- load -->", "<!-- /load -->"
NGINX_START, NGINX_END = "<!-- load-nginx -->", "<!-- /load-nginx -->"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc), threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard.py` on a free 127.0.0.1 port with NORTHSTAR_DB=db; returns it once healthy."""
    port = free_port()
    env = dict(os.environ, NORTHSTAR_DB=str(db))
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the app did not start: {proc.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    sys.exit("the app did not answer on /_stcore/health within 60 s")


async def drawn(page, name: str, timeout: float = 180_000) -> None:
    """Until the page `name` ran to its end (and the board's chart and cards are there)."""
    await page.locator(f".ns-done[data-page='{name}']").wait_for(state="attached", timeout=timeout)
    if name == "":
        await page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=timeout)
        await page.locator(".ns-zone").first.wait_for(timeout=timeout)


async def problems(page) -> int:
    """Error boxes and exceptions on the page (a view that failed counts as an error, not as drawn)."""
    return await page.locator("[data-testid=stException], [data-testid=stAlertContentError]").count()


async def view(where, url: str, path: str) -> tuple[float, bool]:
    """One reader: a new page (a new session) on `path` in `where` — a browser (a new browser context: nothing
    cached, the app's static files fetched again) or a context (a new tab beside others: its cache warm); seconds
    until drawn, and whether it drew without error."""
    page = await where.new_page(**({"viewport": {"width": 1440, "height": 900}} if hasattr(where, "new_context")
                                   else {}))
    t0 = time.perf_counter()
    try:
        await page.goto(url + path, timeout=180_000)
        await drawn(page, path.strip("/").split("?")[0])
        ok = await problems(page) == 0
    except Exception:             # noqa: BLE001 - a timeout or a dropped page is an error of the view, counted
        ok = False
    took = time.perf_counter() - t0
    await page.close()
    return took, ok


async def switches(browser, url: str, n: int, pid: int | None) -> tuple[list[float], list[float], int]:
    """In one session, `n` page switches through the sidebar (war zone, board, war zone, …): seconds and server
    CPU seconds of each, and how many showed an error."""
    page = await browser.new_page(viewport={"width": 1440, "height": 900})
    await page.goto(url + "/")
    await drawn(page, "")
    walls, cpus, errors = [], [], 0
    for i in range(n):
        target = "war_zone" if i % 2 == 0 else ""
        before = cpu_seconds(pid) if pid else 0.0
        t0 = time.perf_counter()
        await page.locator(f"[data-testid=stSidebarNav] a[href$='/{target or 'board'}'],"
                           f" [data-testid=stSidebarNav] a[href$='/{target}']").first.click()
        await drawn(page, target)
        walls.append(time.perf_counter() - t0)
        errors += await problems(page) > 0
        await page.wait_for_timeout(300)          # the run's last messages leave the server before CPU is read
        if pid:
            cpus.append(cpu_seconds(pid) - before)
    await page.close()
    return walls, cpus, errors


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


async def by_protocol(url: str, pid: int | None, views: int, readers: list[int], zone: str) -> dict:
    """The same phases without a browser (benchmarks/protocol.py): page switches, then N sessions at once."""
    from benchmarks import protocol

    cpu = (lambda: cpu_seconds(pid)) if pid else None
    query = f"zone={zone}"
    out: dict = {"switch": {"seconds": [], "cpu": [], "errors": 0}, "readers": {}}
    for i in range(views):
        start, then = ("", "war_zone") if i % 2 == 0 else ("war_zone", "")
        r = await protocol.reader(url, start, then, query, cpu=cpu)
        out["switch"]["errors"] += r["error"] is not None
        if r["error"] is None:
            out["switch"]["seconds"].append(r["switch"])
            if r["switch_cpu"] is not None:
                out["switch"]["cpu"].append(r["switch_cpu"])
    for n in readers:
        await asyncio.sleep(1.0)
        out["readers"][n] = await at_once(url, n, query, cpu)
    return out


async def at_once(url: str, n: int, query: str, cpu=None) -> dict:
    """`n` websocket sessions opened together, alternating board and war zone: the seconds of those that finished,
    the errors (and the first few of their words), the servers' CPU meanwhile (`cpu()`: seconds so far) and the
    wall time."""
    from benchmarks import protocol

    before, t0 = cpu() if cpu else None, time.perf_counter()
    results = await asyncio.gather(*(protocol.reader(url, ("", "war_zone")[i % 2], None, query) for i in range(n)))
    return {"seconds": [r["open"] for r in results if r["error"] is None],
            "errors": sum(r["error"] is not None for r in results),
            "failures": sorted({r["error"] for r in results if r["error"]})[:3],
            "cpu": cpu() - before if cpu else None, "wall": time.perf_counter() - t0}


async def run(url: str, pid: int | None, views: int, readers: list[int], zone: str) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"views": views, "readers": {}}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        # the first view after the server starts: nothing cached yet
        before = cpu_seconds(pid) if pid else 0.0
        took, ok = await view(browser, url, "/")
        out["cold"] = {"seconds": took, "cpu": (cpu_seconds(pid) - before) if pid else None, "ok": ok}
        await view(browser, url, f"/war_zone?zone={zone}")            # the zone page's first view, not measured
        # fresh board views, one after another, each a new session: in a new tab of a browser that has the app's
        # static files cached (a reader who opened it before), and in a browser that has nothing cached
        tabs = await browser.new_context(viewport={"width": 1440, "height": 900})
        await view(tabs, url, "/")
        for key, where in (("fresh", tabs), ("fresh_uncached", browser)):
            walls, cpus, errors = [], [], 0
            for _ in range(views):
                before = cpu_seconds(pid) if pid else 0.0
                took, ok = await view(where, url, "/")
                await asyncio.sleep(0.3)
                walls.append(took)
                errors += not ok
                if pid:
                    cpus.append(cpu_seconds(pid) - before)
            out[key] = {"seconds": walls, "cpu": cpus, "errors": errors}
        await tabs.close()
        s_walls, s_cpus, s_errors = await switches(browser, url, views, pid)
        out["switch"] = {"seconds": s_walls, "cpu": s_cpus, "errors": s_errors}
        # N readers at once, half on the board, half on a war-zone page
        for n in readers:
            await asyncio.sleep(1.0)
            paths = ["/" if i % 2 == 0 else f"/war_zone?zone={zone}" for i in range(n)]
            before = cpu_seconds(pid) if pid else 0.0
            t0 = time.perf_counter()
            results = await asyncio.gather(*(view(browser, url, path) for path in paths))
            wall = time.perf_counter() - t0
            out["readers"][n] = {"seconds": [r[0] for r in results], "errors": sum(not r[1] for r in results),
                                 "cpu": (cpu_seconds(pid) - before) if pid else None, "wall": wall}
        await browser.close()
    out["protocol"] = await by_protocol(url, pid, views, readers, zone)
    return out


async def through_nginx(url: str, pids: list[int], readers: list[int], zone: str, swap: Path | None) -> dict:
    """Issue 37: N readers at once over websockets through nginx to the app processes of benchmarks/cluster.py
    (board and war zone, alternating), then — with `swap`, the warehouse's path — the largest N again while a
    refresh swaps a new warehouse in under every process (a copy made beforehand, `os.replace`d one second into
    the readers, as the build does)."""
    import shutil

    from benchmarks import protocol

    def cpu() -> float:
        return sum(cpu_seconds(p) for p in pids if p)

    query = f"zone={zone}"
    out: dict = {"readers": {}, "swap": None}
    # each process's first view (its own caches; the warm-up may be on it too), not measured
    await asyncio.gather(*(protocol.reader(url, ("", "war_zone")[i % 2], None, query) for i in range(4 * len(pids))))

    for n in readers:
        await asyncio.sleep(1.0)
        out["readers"][n] = await at_once(url, n, query, cpu)
    if swap is not None:
        fresh = swap.with_name(swap.name + ".swap")
        shutil.copyfile(swap, fresh)
        await asyncio.sleep(1.0)

        async def replace_soon():
            await asyncio.sleep(1.0)
            os.replace(fresh, swap)

        result, _ = await asyncio.gather(at_once(url, max(readers), query, cpu), replace_soon())
        out["swap"] = result
    return out


def nginx_table(result: dict, label: str, processes: int) -> str:
    lines = [f"| {label}, {processes} app processes behind nginx | what | wall p50 | wall p95 | server CPU per view "
             "(all processes) | errors |", "|---|---|---:|---:|---:|---:|"]
    rows = [(f"{n} readers at once (websocket sessions, board and war zone)", n, r)
            for n, r in result["readers"].items()]
    if result["swap"] is not None:
        n = max(result["readers"])
        rows.append((f"{n} readers at once while a refresh swaps the warehouse in", n, result["swap"]))
    for what, n, r in rows:
        p50 = f"{pct(r['seconds'], .5):.2f} s" if r["seconds"] else "—"
        p95 = f"{pct(r['seconds'], .95):.2f} s" if r["seconds"] else "—"
        lines.append(f"| | {what} | {p50} | {p95} | {r['cpu'] / n:.2f} s | {r['errors']} |")
    return "\n".join(lines)


def table(result: dict, label: str) -> str:
    def cpu(values):
        return f"{statistics.median(values):.2f} s" if values else "—"

    fresh, bare, switch = result["fresh"], result["fresh_uncached"], result["switch"]
    cold = result["cold"]
    cold_cpu = "—" if cold["cpu"] is None else f"{cold['cpu']:.2f} s"
    lines = [f"| {label} | what | wall p50 | wall p95 | server CPU per view (median) | errors |",
             "|---|---|---:|---:|---:|---:|",
             f"| | first view after start (cold) | {cold['seconds']:.2f} s | | "
             f"{cold_cpu} | {0 if cold['ok'] else 1} |",
             f"| | fresh board view: a new tab ({len(fresh['seconds'])}, one at a time) | "
             f"{pct(fresh['seconds'], .5):.2f} s | {pct(fresh['seconds'], .95):.2f} s | {cpu(fresh['cpu'])} | "
             f"{fresh['errors']} |",
             f"| | fresh board view: a browser with nothing cached | {pct(bare['seconds'], .5):.2f} s | "
             f"{pct(bare['seconds'], .95):.2f} s | {cpu(bare['cpu'])} | {bare['errors']} |",
             f"| | page switch ({len(switch['seconds'])}, board ↔ war zone) | {pct(switch['seconds'], .5):.2f} s | "
             f"{pct(switch['seconds'], .95):.2f} s | {cpu(switch['cpu'])} | {switch['errors']} |"]
    for n, r in result["readers"].items():
        per = "—" if r["cpu"] is None else f"{r['cpu'] / n:.2f} s"
        lines.append(f"| | {n} readers at once (new browsers, board and war zone) | {pct(r['seconds'], .5):.2f} s | "
                     f"{pct(r['seconds'], .95):.2f} s | {per} | {r['errors']} |")
    proto = result.get("protocol")
    if proto:
        sw = proto["switch"]
        lines.append(f"| | page switch, no browser ({len(sw['seconds'])}, board ↔ war zone) | "
                     f"{pct(sw['seconds'], .5):.2f} s | {pct(sw['seconds'], .95):.2f} s | {cpu(sw['cpu'])} | "
                     f"{sw['errors']} |")
        for n, r in proto["readers"].items():
            per = "—" if r["cpu"] is None else f"{r['cpu'] / n:.2f} s"
            lines.append(f"| | {n} readers at once, no browser (websocket sessions, board and war zone) | "
                         f"{pct(r['seconds'], .5):.2f} s | {pct(r['seconds'], .95):.2f} s | {per} | {r['errors']} |")
    return "\n".join(lines)


def nginx_run(args, readers: list[int]) -> str:
    """--processes N: the cluster, the readers through it, the table (and RESULTS.md between the nginx markers)."""
    from benchmarks import blocks
    from benchmarks.cluster import cluster

    with cluster(args.db, processes=args.processes, NORTHSTAR_WARMUP_SECONDS="60") as c:
        result = asyncio.run(through_nginx(c.url, c.pids, readers, args.zone, args.db))
    label = args.label or args.db.parent.name
    text = (f"`python benchmarks/load.py --processes {args.processes} --readers {args.readers}` on "
            f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores: the app processes of "
            "deploy/systemd/northstar@.service behind deploy/nginx/northstar.conf (benchmarks/cluster.py: TLS, the "
            "ns_route cookie), sessions opened over the websocket through nginx (benchmarks/protocol.py) and "
            "timed until the server says the script finished; the swap row replaces the warehouse file one second "
            "into the readers, as a refresh does.\n\n" + nginx_table(result, label, args.processes))
    if args.write:
        blocks.put(args.results, NGINX_START, NGINX_END, text)
    return text


def write(text: str, out: Path) -> None:
    from benchmarks import blocks

    blocks.put(out, START, END, text)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", type=Path, help="a warehouse: the benchmark starts its own server on it")
    where.add_argument("--url", help="a running app (its CPU is measured only with --pid)")
    ap.add_argument("--pid", type=int, help="with --url: the server's process id, to read its CPU time")
    ap.add_argument("--label", help="the warehouse's name in the table (default: the file's folder)")
    ap.add_argument("--views", type=int, default=8, help="fresh views and page switches measured one at a time")
    ap.add_argument("--readers", default="10,20", help="comma-separated: sessions opened at once")
    ap.add_argument("--zone", default="north", help="the war zone the war-zone views open")
    ap.add_argument("--processes", type=int, default=0,
                    help="with --db: run N app processes behind the shipped nginx site (benchmarks/cluster.py) and "
                         "time websocket sessions through it, then the largest --readers during a warehouse swap")
    ap.add_argument("--write", action="store_true", help="put the table in RESULTS.md (see --results)")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    readers = [int(n) for n in args.readers.split(",") if n.strip()]
    if args.processes:
        if not args.db:
            sys.exit("--processes needs --db: it starts the app processes and nginx itself")
        print(nginx_run(args, readers))
        return
    proc = None
    if args.db:
        if not args.db.exists():
            sys.exit(f"{args.db} does not exist: build a warehouse first (python -m pipelines build)")
        proc, url = start_server(args.db)
        pid = proc.pid
    else:
        url, pid = args.url.rstrip("/"), args.pid
    try:
        result = asyncio.run(run(url, pid, args.views, readers, args.zone))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    label = args.label or (args.db.parent.name if args.db else url)
    text = (f"## Many readers (issue 23)\n\n`python benchmarks/load.py` on "
            f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores; Chromium runs on the "
            "same machine as the server. Wall: from opening the page (or clicking the sidebar) until the page's "
            "script ran to its end and, on the board, the chart and the zone cards are drawn. Server CPU: user + "
            "system time of the Streamlit process (/proc), per view. \"No browser\": sessions opened over the app's "
            "websocket by benchmarks/protocol.py, timed until the server says the script finished.\n\n"
            + table(result, label))
    print(text)
    if args.write:
        write(text, args.results)


if __name__ == "__main__":
    main()
