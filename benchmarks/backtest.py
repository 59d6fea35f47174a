"""How far the month-end forecast made on day N missed, by the straight line and by the month's shape, on each
warehouse given: prints the tables of `python -m pipelines backtest` side by side, and with --write puts them in
benchmarks/RESULTS.md (between the `backtest` markers, which `make bench` keeps).

    python -m pipelines sample --size small --out /tmp/bench
    python -m pipelines build --raw /tmp/bench/raw --config /tmp/bench/config --db /tmp/bench/wh.duckdb
    python examples/online_retail/adapt.py --out /tmp/retail
    python -m pipelines build --raw /tmp/retail/raw --config /tmp/retail/config --db /tmp/retail/wh.duckdb \\
        --as-of 2010-12-09
    python benchmarks/backtest.py --db "sample (small)=/tmp/bench/wh.duckdb" \\
        --db "Online Retail II=/tmp/retail/wh.duckdb" --day 10 --write
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.okr import backtest, goaltree  # noqa: E402
from pipelines.plan.goals import GOAL_METRICS  # noqa: E402

START, END = "<!-- backtest -->", "<!-- /backtest -->"


def measure(label: str, db: Path, day: int) -> dict:
    t0 = time.perf_counter()
    con = goaltree.open_warehouse(db)
    try:
        first, last = goaltree.data_dates(con)
        company = (con.execute("select id from org_nodes where level = 'company'").fetchone() or ["company"])[0]
        doc = backtest.summary(backtest.replay(con, day), day, company)
    finally:
        con.close()
    return {"label": label, "doc": doc, "company": company, "first": first, "last": last,
            "seconds": time.perf_counter() - t0}


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1f} %"


def markdown(measured: list[dict], day: int) -> str:
    lines = [START, "## Forecast backtest (issue 22)", "",
             f"`python benchmarks/backtest.py … --day {day}` on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC. "
             f"The month-end forecast made on day {day} of every month that is complete and whose same month a year "
             "earlier is in the data, against the month's actual: the straight line (actual ÷ share of days gone) "
             "and the month's shape (actual ÷ the share expected by then, learned only from the history before "
             "that month; `pipelines/okr/seasonal.py`). MAPE: mean absolute percentage error; the 80 % band holds "
             "the truth in the share of months shown (from the sixth replayed month on).", "",
             "| data | node | goal | months | linear MAPE | seasonal MAPE | seasonal ÷ linear | 80 % band holds |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for m in measured:
        doc = m["doc"]
        entries = [(m["company"], doc)] + sorted(doc["war_zones"].items())
        for node, figures in entries:
            for metric in GOAL_METRICS:
                f = figures[metric]
                ratio = (f"{f['seasonal_mae_pct'] / f['linear_mae_pct']:.2f}" if f["linear_mae_pct"] and
                         f["seasonal_mae_pct"] is not None else "—")
                band = f"{_pct(f['band_coverage_pct'])} of {f['band_months']}" if f["band_months"] else "—"
                lines.append(f"| {m['label']} | {node} | {metric} | {f['months']} | {_pct(f['linear_mae_pct'])} | "
                             f"{_pct(f['seasonal_mae_pct'])} | {ratio} | {band} |")
    lines.append("")
    for m in measured:
        months = m["doc"]["members"]["months"] + m["doc"]["stations"]["months"]
        span = f"data {m['first']} to {m['last']}"
        if not months:
            lines.append(f"- **{m['label']}** ({span}): no month can be replayed — it takes a complete month whose "
                         "same month a year earlier is in the data, and this data holds a single year.")
        else:
            lines.append(f"- **{m['label']}** ({span}): replayed in {m['seconds']:.1f} s.")
    lines.append(END)
    return "\n".join(lines) + "\n"


def write(results: Path, block: str) -> None:
    """Puts `block` (markdown(): its markers included) in RESULTS.md in place of the previous one (or at the end)."""
    from benchmarks import blocks

    blocks.put(results, START, END, block.strip("\n").removeprefix(START).removesuffix(END).strip("\n"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", action="append", required=True, metavar="LABEL=PATH", help="a warehouse, named")
    ap.add_argument("--day", type=int, default=10)
    ap.add_argument("--write", action="store_true", help="put the tables in benchmarks/RESULTS.md")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = ap.parse_args()
    measured = []
    for spec in args.db:
        label, _, path = spec.rpartition("=")
        measured.append(measure(label or Path(path).stem, Path(path), args.day))
    block = markdown(measured, args.day)
    print(block)
    if args.write:
        write(args.results, block)
        print(f"written to {args.results}")


if __name__ == "__main__":
    main()
