"""How long the Data page's check of an uploaded file takes (issue 36: a five-row file took 96.5 s on a busy
machine), the way the page runs it — `importer.check_apart`, in a process of its own — for a five-row members file
named for one day, added (the page's default for such a file) and replacing the table, on a warehouse built from
a raw folder. Prints a table; with --write puts it in benchmarks/RESULTS.md.

    python -m pipelines sample --size small --out /tmp/bench
    python -m pipelines build --raw /tmp/bench/raw --config /tmp/bench/config --db /tmp/bench/wh.duckdb
    python benchmarks/upload_check.py --raw /tmp/bench/raw --config /tmp/bench/config --db /tmp/bench/wh.duckdb --write
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.warehouse import importer  # noqa: E402

START, END = "<!-- upload_check -->", "<!-- /upload_check -->"
ROWS = """member_id,station_id,joined_on,tier,fee,channel,referrer_id,refunded_on,phone
M90000001,S00010,2026-11-24,standard,399,community,,,13800000001
M90000002,S00004,2026-11-24,standard,399,app,,,13800000002
M90000003,S99999,2026-11-24,standard,399,app,,,13800000003
M90000004,S00002,2026-11-24,premium,999,referral,M00000002,,13800000004
M00000002,S00002,2026-11-24,standard,399,app,,,13800000005
"""


def measure(raw: Path, config: Path, db: Path, repeat: int) -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        upload = Path(tmp) / "0.csv"
        upload.write_text(ROWS, encoding="utf-8")
        for add in (True, False):
            times, report = [], None
            for _ in range(repeat):
                t0 = time.perf_counter()
                report = importer.check_apart([(upload, "members-2026-11-24.csv")], raw, config, db=db, add=add)
                times.append(time.perf_counter() - t0)
            counts = report.counts()[0] if report.counts() else {}
            out.append({"mode": "add" if add else "replace", "how": report.how, "best": min(times),
                        "worst": max(times), "loaded": counts.get("loaded"), "rejected": counts.get("rejected")})
    return out


def markdown(rows: list[dict], db: Path, repeat: int) -> str:
    lines = [START, "## Checking an upload (issue 36)", "",
             f"`python benchmarks/upload_check.py` on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{os.cpu_count()} cores, warehouse `{db.name}` ({db.stat().st_size / 2**20:,.0f} MiB): a five-row "
             "members file named for one day, checked as the Data page checks it (its own process), best and worst "
             f"of {repeat}. Adding is an incremental refresh of a copy of the warehouse (only the new rows are read); "
             "replacing a table is a trial build of every file (the other tables' rows are checked against it).", "",
             "| mode | how | best | worst | loaded | rejected |", "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {r['mode']} | {r['how']} | {r['best']:.1f} s | {r['worst']:.1f} s | {r['loaded']} | "
              f"{r['rejected']} |" for r in rows]
    return "\n".join(lines + ["", END])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", type=Path, required=True)
    ap.add_argument("--config", type=Path, required=True)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="put the table in benchmarks/RESULTS.md")
    args = ap.parse_args()
    block = markdown(measure(args.raw, args.config, args.db, args.repeat), args.db, args.repeat)
    print(block)
    if args.write:
        from benchmarks import blocks

        blocks.put(ROOT / "benchmarks" / "RESULTS.md", START, END,
                   block.removeprefix(START).removesuffix(END).strip("\n"))
        print("written to benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
