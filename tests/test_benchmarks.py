"""The benchmark's parts (benchmarks/): the plain-pandas baseline gives Northstar's numbers, the floor reads every
order, and the report states each target with its measured value."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from benchmarks import baseline, jobs, run
from pipelines.delivery import trees
from pipelines.okr import goaltree
from tests.conftest import ROOT

# the benchmark's smoke tests run with `make bench` and CI's `make test-slow`, not in `make test` (issue 34)
pytestmark = pytest.mark.slow

def _last(db: Path) -> dt.date:
    with duckdb.connect(str(db), read_only=True) as con:
        return goaltree.data_dates(con)[1]


def test_pandas_goal_tree_equals_northstars(tiny):
    db = tiny / "wh.duckdb"
    last = _last(db)
    month = f"{last.year:04d}-{last.month:02d}"
    ours = baseline.northstar_goal_tree(db, month, last)
    theirs = baseline.goal_tree(tiny / "raw", tiny / "config", month, last)
    assert baseline.compare_trees(ours, theirs) == []
    company = ours["company"]
    assert company["members"] > 0 and company["orders"] > 0 and company["active_members"] > 0
    # a parent's actual is the sum of its war zones' (the baseline rolls leaves up the same paths)
    zones = [n.id for n in trees.load(db, month, last).nodes if n.level == "war_zone"]
    assert len(zones) >= 3
    assert sum(theirs.get(z, {}).get("members", 0) for z in zones) == theirs["company"]["members"]


def test_pandas_retention_equals_northstars(tiny):
    db = tiny / "wh.duckdb"
    ours = baseline.northstar_retention(db)
    theirs = baseline.retention(tiny / "raw", _last(db))
    assert len(ours) == len(theirs) > 12
    assert baseline.compare_retention(ours, theirs) == []
    # month 0 of every cohort: active on or after k=0 = everyone ever active, never more than the cohort
    m0 = theirs[theirs.month_index == 0]
    assert (m0.active_or_after <= m0.cohort_size).all() and (m0.active <= m0.active_or_after).all()


def test_the_comparisons_catch_a_difference(tiny):
    db = tiny / "wh.duckdb"
    last = _last(db)
    month = f"{last.year:04d}-{last.month:02d}"
    ours = baseline.northstar_goal_tree(db, month, last)
    theirs = {nid: dict(v) for nid, v in ours.items()}
    theirs["company"]["members"] += 1
    theirs["company"]["gmv"] += 0.01
    problems = baseline.compare_trees(ours, theirs)
    assert len(problems) == 2 and problems[0].startswith("company gmv:")
    ret = baseline.northstar_retention(db)
    other = ret.copy()
    other.loc[0, "active"] += 1
    other = other.iloc[:-1]
    found = baseline.compare_retention(ret, other)
    assert len(found) == 2 and any("only in Northstar" in p for p in found) and any(" active:" in p for p in found)


def test_the_floor_reads_every_raw_order(tiny):
    rows = pq.read_metadata(tiny / "raw" / "orders.parquet").num_rows
    got = jobs.floor(tiny / "raw")
    assert got["orders"] == rows and got["groups"] > 300


def test_build_steps_are_read_from_the_progress_lines(tmp_path):
    log = tmp_path / "build.log"
    log.write_text("      reading orders.parquet (968.2 MB, parquet) for orders\n"
                   "[1/4] read 3 raw files: 0.0 s\n[2/4] model core/orders.sql: 55.9 s\n"
                   "[3/4] model marts/growth.sql: 25.8 s\n[4/4] model marts/daily_active_members.sql: 62.2 s\n"
                   "warehouse x built in 254.0 s\n", encoding="utf-8")
    assert run.build_steps(log, top=2) == [("model marts/daily_active_members.sql", 62.2),
                                           ("model core/orders.sql", 55.9)]


def test_timings_take_percentiles_of_the_runs():
    calls = []
    out = run.timings(lambda: calls.append(1), runs=20, before=lambda: calls.append(0))
    assert calls.count(1) == 21 and calls.count(0) == 21          # one unmeasured run, then 20
    assert 0 <= out["p50"] <= out["p95"] < 50


def _size(name: str, build_s: float, build_mib: float, page_p95: float, render_warm: float, pandas_s: float):
    reads = {"goal tree query": {"p50": 5, "p95": 6}, "page data: board": {"p50": 20, "p95": page_p95},
             "page data: data": {"p50": 10, "p95": 12}}
    job = {"seconds": 1, "peak_mib": 300, "compute": 0.1}
    return {"size": name, "sample": {"seconds": 9.5, "peak_mib": 1400}, "build": {"seconds": build_s,
            "peak_mib": build_mib}, "build_steps": [("model core/orders.sql", 55.9)],
            "rows": {"stations": 20_000, "members": 10_000_000, "orders": 100_000_000}, "db_mib": 1900,
            "floor": {"compute": 2.0}, "month": "2026-11",
            "trees": {"pandas": {**job, "compute": pandas_s / 2}, "northstar": job},
            "retentions": {"pandas": {**job, "compute": pandas_s / 2}, "northstar": job},
            "tree_problems": [], "retention_problems": ["2026-01-01 M0 active: Northstar 3, pandas 4"],
            "reads": reads, "render": {p: {"cold": 4.0, "warm": render_warm, "warm_max": render_warm}
                                       for p in run.PAGES},
            "moved": {"stations": 3, "members": 2_740, "orders": 27_400}, "base_build": {"seconds": build_s},
            "incremental": {"seconds": build_s / 4, "peak_mib": 900}, "incremental_mode": "incremental",
            "incremental_diff": [], "incremental_steps": [],
            "night_changes": {"stations": 20, "members": 2_000, "orders": 5_000},
            "night": {"seconds": build_s / 8, "peak_mib": 900}, "night_mode": "incremental", "night_diff": [],
            "night_steps": [], "night_full": {"seconds": build_s, "peak_mib": build_mib}}


def test_the_report_states_every_target_with_its_number():
    machine = {"cores": 2, "memory_gib": 23.5, "cpu": "AMD EPYC", "python": "3.11.7", "duckdb": "2.0.1",
               "pandas": "3.1.1", "os": "Linux"}
    sizes = [_size("medium", 60, 3000, 50, 1.0, 120), _size("large", 254, 8282, 140, 2.5, 900)]
    text = run.report(machine, sizes, dt.datetime(2026, 11, 24, 20, 0), 1500)
    assert "make bench LARGE=1" in text and "2 cores (AMD EPYC), 23.5 GiB memory" in text
    assert "| large | 20,000 | 10,000,000 | 100,000,000 | 9.5 s, 1.37 GiB | 254.0 s | 8.09 GiB |" in text
    assert "| large build ≤ 5 min | 254.0 s | ✔ met |" in text
    assert "| large build peak ≤ 12 GiB | 8.09 GiB | ✔ met |" in text
    assert "| every page's data < 100 ms p95 warm at large | worst board 140 ms | ✖ missed |" in text
    assert "| every page rendered < 3 s warm at large | worst board 2.50 s | ✔ met |" in text
    assert "| medium build ≥ 10× faster than the pandas baseline | 2.00× | ✖ missed |" in text
    assert "✖ 1 differ: 2026-01-01 M0 active" in text
    assert "| page data: board | 20.0 / 50.0 | 20.0 / 140.0 ✖ |" in text
    assert "| medium | 120.0 s | 60.0 s | 2.00× |" in text
    assert "| large | 3 / 2,740 / 27,400 | 254.0 s | 63.5 s | 25% | ✔ all equal |" in text
    assert "| large | 20 / 2,000 / 5,000 | 254.0 s | 31.8 s | 12% | ✔ all equal |" in text
    # issue 37's target at north-star sizes: a new day's 25 % misses it, the night's 12 % meets it; medium's bound
    # is the looser one (fixed costs)
    assert "| large: incremental refresh of a new day ≤ 15% of the full build, identical tables | 25% of it, equal | " \
        "✖ missed |" in text
    assert "| large: incremental refresh of a night of refunds and closings ≤ 15% of the full build, identical " \
        "tables | 12% of it, equal | ✔ met |" in text
    assert "| medium: incremental refresh of a new day ≤ 50% of the full build, identical tables | 25% of it, " \
        "equal | ✔ met |" in text


def test_the_report_says_when_pandas_ran_out_of_memory_or_an_incremental_fell_back():
    machine = {"cores": 2, "memory_gib": 23.5, "cpu": "", "python": "3.11.7", "duckdb": "2.0.1", "pandas": "3.1.1",
               "os": "Linux"}
    big = _size("large", 254, 8282, 50, 2.5, 900)
    big["trees"]["pandas"] = {"failed": "stopped after 95 s when it held more than 16 GiB"}
    big["incremental_mode"], big["incremental_diff"] = "full", ["orders"]
    text = run.report(machine, [big], dt.datetime(2026, 11, 24, 20, 0), 1500)
    assert "| large | goal tree 2026-11 | ✖ did not finish: stopped after 95 s when it held more than 16 GiB |" in text
    assert "| large | did not finish | 254.0 s | — |" in text
    assert "63.5 s (✖ fell back to a full build) | 25% | ✖ differ: orders |" in text
    assert "| large: incremental refresh of a new day ≤ 15% of the full build, identical tables | 25% of it, " \
        "different | ✖ missed |" in text


def test_the_page_loaders_read_what_the_pages_show(tiny, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", str(tiny / "wh.duckdb"))
    p = run.page_loaders(tiny / "wh.duckdb")
    assert set(p["loaders"]) == set(run.PAGES)
    p["clear"]()
    tree = p["loaders"]["board"]()
    assert tree.month == f"{p['last'].year:04d}-{p['last'].month:02d}" and len(tree.nodes) > 10
    opts = p["loaders"]["cohorts"]()
    assert opts["months"] and opts["values"]["war_zone"]
    for name in run.PAGES:
        p["loaders"][name]()         # every page's reads run on a real warehouse


def test_the_access_benchmark_prints_its_table(tiny):
    """benchmarks/bench_access.py (issue 20): every step timed, and the zone lead's tree is smaller than the whole."""
    import re
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "benchmarks/bench_access.py", "--db", str(tiny / "wh.duckdb"), "--runs", "2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    for step in ("argon2id hash", "argon2id verify", "stored session lookup", "goal tree 2026-11", "scoped for"):
        assert re.search(rf"^\s*{step}.*\s\d+\.\d\d\s+\d+\.\d\d$", out.stdout, re.M), step
    whole, scoped = map(int, re.search(r"(\d+) nodes; scoped for \w+: (\d+)", out.stdout).groups())
    assert 0 < scoped < whole


def test_the_backtest_benchmark_writes_its_block_and_make_bench_keeps_it(tiny, tmp_path):
    """benchmarks/backtest.py (issue 22): the tables for each warehouse, a sentence when no month can be replayed,
    written between markers that a rewrite of RESULTS.md by `make bench` keeps."""
    import subprocess
    import sys

    results = tmp_path / "RESULTS.md"
    results.write_text("# Northstar benchmark results\n\nold body\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "benchmarks/backtest.py", "--db", f"tiny sample={tiny / 'wh.duckdb'}",
                          "--day", "10", "--write", "--results", str(results)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Northstar benchmark results\n\nold body\n\n<!-- backtest -->")
    assert "| tiny sample | company | members |" in text and "| tiny sample | east | stations |" in text
    # the tiny sample's data runs from 2024-04-27 to 2026-11-24: a month whose same month a year earlier lies
    # wholly in the data, and that is over, is 2025-05 … 2026-10: 18 months
    assert "(data 2024-04-27 to 2026-11-24)" in text
    assert re.search(r"\| tiny sample \| company \| members \| 18 \| \d+\.\d % \| \d+\.\d % \|", text)
    rewritten = run.keep_blocks(results, "# Northstar benchmark results\n\nnew body\n")
    assert rewritten.startswith("# Northstar benchmark results\n\nnew body\n\n<!-- backtest -->")
    assert rewritten.count("<!-- /backtest -->") == 1
    again = subprocess.run([sys.executable, "benchmarks/backtest.py", "--db", f"tiny sample={tiny / 'wh.duckdb'}",
                            "--write", "--results", str(results)], cwd=ROOT, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0 and results.read_text(encoding="utf-8").count("<!-- backtest -->") == 1


def test_the_load_benchmarks_arithmetic():
    """benchmarks/load.py (issue 23): percentiles by linear interpolation, the server's CPU read from /proc, and
    its block in RESULTS.md replaced, not repeated."""
    from benchmarks import load

    assert load.pct([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5            # sorted 1 2 3 4: halfway between 2 and 3
    assert load.pct([1.0, 2.0, 3.0, 4.0, 5.0], 0.95) == pytest.approx(4.8)
    before = load.cpu_seconds(os.getpid())
    t0 = time.process_time()
    while time.process_time() - t0 < 0.3:                      # 0.3 s of this process's CPU
        pass
    assert load.cpu_seconds(os.getpid()) - before == pytest.approx(0.3, abs=0.05)


@pytest.mark.browser
def test_the_load_benchmark_runs_against_its_own_server(tiny, tmp_path):
    """Two fresh views, two switches and two readers at once on the tiny sample: every view drawn without error,
    each costing the server some CPU, the table written between its markers and kept by `make bench`'s rewrite."""
    import subprocess
    import sys

    results = tmp_path / "RESULTS.md"
    results.write_text("# Northstar benchmark results\n\nold body\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "benchmarks/load.py", "--db", str(tiny / "wh.duckdb"), "--label", "tiny",
                          "--views", "2", "--readers", "2", "--write", "--results", str(results)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Northstar benchmark results\n\nold body\n\n<!-- load -->")
    rows = {r.split("|")[2].strip(): r for r in text.splitlines() if r.startswith("| |")}
    assert set(rows) == {"first view after start (cold)", "fresh board view: a new tab (2, one at a time)",
                         "fresh board view: a browser with nothing cached", "page switch (2, board ↔ war zone)",
                         "2 readers at once (new browsers, board and war zone)",
                         "page switch, no browser (2, board ↔ war zone)",
                         "2 readers at once, no browser (websocket sessions, board and war zone)"}
    for row in rows.values():
        cells = [c.strip() for c in row.split("|")[3:-1]]
        assert cells[-1] == "0", row                          # no view failed
        cpu = float(cells[-2].removesuffix(" s"))
        assert 0 < cpu < 30, row                              # the server worked for each view
    kept = run.keep_blocks(results, "# Northstar benchmark results\n\nnew body\n")
    assert kept.count("<!-- load -->") == 1 and kept.startswith("# Northstar benchmark results\n\nnew body\n\n")


def test_the_pull_benchmark_runs_end_to_end_on_the_tiny_sample(tiny, tmp_path):
    """benchmarks/pull.py against its own PostgreSQL: the night's change is read, not the whole table again, and
    its block survives `make bench`'s rewrite."""
    results = tmp_path / "RESULTS.md"
    results.write_text("# Northstar benchmark results\n\nold body\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "benchmarks/pull.py", "--raw", str(tiny / "raw"), "--config",
                          str(tiny / "config"), "--change", "500", "--write", "--results", str(results)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [r.split("|")[1:-1] for r in results.read_text(encoding="utf-8").splitlines() if r.startswith("| first")
            or r.startswith("| next") or r.startswith("| build")]
    assert [c[1].strip() for c in rows[:1]] == ["29,994"]
    night = int(rows[1][1].strip().replace(",", ""))
    assert 550 <= night < 29_994 // 2                      # 500 new + 50 refunded + the rows at the watermark
    assert "(incremental, the refunds applied in place)" in rows[2][0]      # issue 37: no longer a full build
    kept = run.keep_blocks(results, "# Northstar benchmark results\n\nnew body\n")
    assert kept.count("<!-- pull -->") == 1


def test_the_upload_check_benchmark_prints_its_table(tiny):
    """benchmarks/upload_check.py (issue 36): the five-row file added (an incremental check) and replacing the table
    (a trial of every file), as the Data page runs them; its rows loaded and rejected are the same either way but
    for the member id the warehouse already has, which only adding keeps out."""
    out = subprocess.run([sys.executable, "benchmarks/upload_check.py", "--raw", str(tiny / "raw"), "--config",
                          str(tiny / "config"), "--db", str(tiny / "wh.duckdb"), "--repeat", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    rows = dict(re.findall(r"^\| (add|replace) \| (\w+) \|", out.stdout, re.M))
    assert rows == {"add": "incremental", "replace": "full"}
