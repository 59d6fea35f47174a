"""How far the month-end forecast made on day N missed, by the straight line and by the month's shape, on each
warehouse given: prints the tables of `python -m pipelines backtest` side by side, and with --write puts them in
benchmarks/RESULTS.md (between the `backtest` markers, which `make bench` keeps).

    python -m pipelines sample --size small --out /tmp/bench
    python -m pipelines build --raw /tmp/bench/raw --config /tmp/bench/config --db /tmp/bench/wh.duckdb
    python examples/online_retail/adapt.py --years 2 --out /tmp/retail2
    python -m pipelines build --raw /tmp/retail2/raw --config /tmp/retail2/config --db /tmp/retail2/wh.duckdb \\
        --as-of 2011-12-09
    python benchmarks/backtest.py --db "sample (small)=/tmp/bench/wh.duckdb" \\
        --db "Online Retail, two real years=/tmp/retail2/wh.duckdb" --day 5 --day 10 --day 20 --write
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


def measure(label: str, db: Path, days: list[int]) -> dict:
    t0 = time.perf_counter()
    con = goaltree.open_warehouse(db)
    try:
        first, last = goaltree.data_dates(con)
        company = (con.execute("select id from org_nodes where level = 'company'").fetchone() or ["company"])[0]
        docs = {day: backtest.summary(backtest.replay(con, day), day, company) for day in days}
    finally:
        con.close()
    return {"label": label, "docs": docs, "company": company, "first": first, "last": last,
            "seconds": (time.perf_counter() - t0) / len(days)}


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1f} %"


def _table(measured: list[dict], day: int) -> list[str]:
    lines = [f"### Forecast made on day {day}", "",
             "| data | node | goal | months | straight line | shape | last year | blend | chosen | chosen ÷ line "
             "| 80 % band holds |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in measured:
        doc = m["docs"][day]
        entries = [(m["company"], doc)] + sorted(doc["war_zones"].items())
        for node, figures in entries:
            for metric in GOAL_METRICS:
                f = figures[metric]
                methods = f.get("methods_mae_pct", {})
                ratio = (f"{f['chosen_mae_pct'] / f['linear_mae_pct']:.2f}" if f["linear_mae_pct"] and
                         f.get("chosen_mae_pct") is not None else "—")
                band = f"{_pct(f['band_coverage_pct'])} of {f['band_months']}" if f["band_months"] else "—"
                lines.append(f"| {m['label']} | {node} | {metric} | {f['months']} | {_pct(f['linear_mae_pct'])} | "
                             f"{_pct(f['seasonal_mae_pct'])} | {_pct(methods.get('last_year'))} | "
                             f"{_pct(methods.get('blend'))} | {_pct(f.get('chosen_mae_pct'))} | {ratio} | {band} |")
    return lines + [""]


def markdown(measured: list[dict], days: list[int]) -> str:
    lines = [START, "## Forecast backtest (issues 22 and 35)", "",
             f"`python benchmarks/backtest.py … {' '.join(f'--day {d}' for d in days)}` on "
             f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC. The month-end forecast made on day N of every "
             "month that is complete and whose same month a year earlier is in the data, against the month's "
             "actual, by each candidate (`pipelines/okr/candidates.py`): the straight line (actual ÷ share of days "
             "gone), the month's shape (weekdays × events, learned only from the history before that month), last "
             "year's month (date by date, its calendar taken out and this month's put back), the blend of the last "
             "two, and the one chosen month by month from the node's earlier months. MAPE: mean absolute percentage "
             "error; the 80 % band (the rest of the month as a count around the chosen forecast, calibrated on the "
             "node's earlier months: pipelines/okr/bands.py) holds the truth in the share of months shown (from the "
             "seventh replayed month on: six to calibrate it).",
             ""]
    for day in days:
        lines += _table(measured, day)
    for m in measured:
        doc = m["docs"][days[0]]
        months = doc["members"]["months"] + doc["stations"]["months"]
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
    ap.add_argument("--day", type=int, action="append", help="the day the forecast is made (repeat it; default 10)")
    ap.add_argument("--write", action="store_true", help="put the tables in benchmarks/RESULTS.md")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = ap.parse_args()
    days = args.day or [10]
    measured = []
    for spec in args.db:
        label, _, path = spec.rpartition("=")
        measured.append(measure(label or Path(path).stem, Path(path), days))
    block = markdown(measured, days)
    print(block)
    if args.write:
        write(args.results, block)
        print(f"written to {args.results}")


if __name__ == "__main__":
    main()
