"""The pull benchmark (issue 23): a sample's orders in a throwaway PostgreSQL server on 127.0.0.1, pulled by
`python -m pipelines pull` as a separate process: the first pull (every row), then a night's change (new orders
and refunds of earlier ones) pulled again, then `build --incremental`. Prints wall time, rows a second and the
pull process's peak memory; `--write` puts the table in benchmarks/RESULTS.md between the `pull` markers.

    python benchmarks/pull.py --raw /tmp/bench2/raw --config /tmp/bench2/config [--write]

Needs Debian's postgresql (as the tests do); the server and its data go away at the end.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import dbservers  # noqa: E402 - the same throwaway server the tests start

START, END = "<!-- pull -->", "<!-- /pull -->"
SOURCES = """sources:
  - id: bench
    engine: postgresql
    url_env: NS_BENCH_PG
    tables:
      orders: {from: orders, watermark: updated_at}
"""


def _run(argv: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, peak resident MiB and output of a pipelines command run as its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"pipelines {' '.join(argv)} failed:\n{out}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


def measure(raw: Path, config: Path, work: Path, change: int) -> list[tuple]:
    server = dbservers.start_postgres()
    try:
        server.sql("create table orders (order_id text primary key, member_id text, ordered_at timestamp, "
                   "amount numeric(12,2), status text, category text, updated_at timestamp not null default now())")
        csv = work / "orders.csv"
        with duckdb.connect() as con:
            con.execute(f"copy (select distinct on (order_id) * from read_parquet('{raw}/orders*.parquet') "
                        f"where order_id is not null) to '{csv}' (header false, nullstr '\\N')")
        csv.chmod(0o644)
        t = time.perf_counter()
        server.sql(f"\\copy orders (order_id, member_id, ordered_at, amount, status, category) from '{csv}' "
                   "with (format csv, null '\\N')\nupdate orders set updated_at = least(ordered_at + interval '1 hour',"
                   " timestamp '2026-11-23 22:00:00');\nanalyze orders;")
        rows = int(server.row("select count(*) from orders")[0])
        print(f"loaded {rows:,} orders into PostgreSQL in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        plan, pulled, db = work / "config", work / "raw", work / "wh.duckdb"
        shutil.copytree(config, plan)
        (plan / "channels.yaml").unlink(missing_ok=True)
        (plan / "sources.yaml").write_text(SOURCES, encoding="utf-8")
        env = {**os.environ, "NS_BENCH_PG": server.url}
        common = ["--raw", str(pulled), "--config", str(plan), "--db", str(db)]
        out = []
        wall, mib, _ = _run(["pull", "--source", "bench", *common], env)
        out.append(("first pull: every row", rows, wall, mib))
        # The warehouse the next pull's build refreshes: the other tables from the sample's files.
        for name in ("stations", "members"):
            for f in raw.glob(f"{name}*"):
                shutil.copy(f, pulled / f.name)
        _run(["build", *common, "--quiet", "--as-of", "2026-11-24"], env)
        server.sql(f"""
insert into orders select 'N' || lpad((row_number() over ())::text, 9, '0'), member_id, ordered_at, amount, 'paid',
    category, '2026-11-24 22:00:00' from (select * from orders where status = 'paid' limit {change}) o;
update orders set status = 'refunded', updated_at = '2026-11-24 22:00:00'
    where order_id in (select order_id from orders
                       where status = 'paid' and order_id not like 'N%' limit {change // 10});
""")
        wall, mib, said = _run(["pull", "--source", "bench", *common], env)
        got = re.search(r"([\d,]+) rows read", said)
        out.append((f"next pull: {change:,} new, {change // 10:,} refunded", int(got.group(1).replace(",", "")),
                    wall, mib))
        wall, mib, said = _run(["build", *common, "--incremental", "--quiet", "--as-of", "2026-11-24"], env)
        how = ("full: " + said.split("a full build, not incremental: ", 1)[1].splitlines()[0]
               if "a full build" in said else "incremental, the refunds applied in place")
        out.append((f"build --incremental after it ({how})", None, wall, mib))
        return out
    finally:
        server.stop()


def table(rows: list[tuple], label: str) -> str:
    lines = [f"Pull from PostgreSQL ({label}; `python benchmarks/pull.py`, one run, 2 cores):", "",
             "| step | rows read | wall | rows a second | peak memory |", "|---|---:|---:|---:|---:|"]
    for what, n, wall, mib in rows:
        rate = f"{n / wall:,.0f}" if n else "—"
        lines.append(f"| {what} | {'—' if n is None else f'{n:,}'} | {wall:.1f} s | {rate} | {mib:,.0f} MiB |")
    return "\n".join(lines)


def write(text: str, out: Path) -> None:
    from benchmarks import blocks

    blocks.put(out, START, END, text)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", type=Path, required=True, help="a sample's raw folder (its orders go into PostgreSQL)")
    ap.add_argument("--config", type=Path, required=True, help="the sample's plan folder")
    ap.add_argument("--change", type=int, default=20_000, help="new orders in the night's change (a tenth refunded)")
    ap.add_argument("--label", help="the sample's name in the table (default: the raw folder's parent)")
    ap.add_argument("--write", action="store_true", help="put the table in RESULTS.md")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="northstar-pull-bench-") as work:
        rows = measure(args.raw.resolve(), args.config.resolve(), Path(work), args.change)
    text = table(rows, args.label or args.raw.resolve().parent.name)
    print(text)
    if args.write:
        write(text, args.results)


if __name__ == "__main__":
    main()
