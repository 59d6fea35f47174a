"""How fast is the goal tree? Prints a table of timings for several (month, as-of) pairs.

    python benchmarks/bench_goaltree.py --db data/warehouse.duckdb [--runs 30]

"warm" reuses one read-only connection and the plan read once (what the dashboard does with its cached connection);
"with plan read" also reads the plan store each time; "cold" opens the warehouse as well; "first" empties the
month's-shape caches first (pipelines/okr/seasonal.py's history and profiles, pipelines/okr/replay.py's band): what the
first reader of a month and day pays after the server starts.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.base import months, paths  # noqa: E402
from pipelines.delivery import trees
from pipelines.okr import goaltree, replay, seasonal  # noqa: E402
from pipelines.plan.store import read_plan  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=None, help="warehouse (default data/warehouse.duckdb or NORTHSTAR_DB)")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    db = paths.db_path(args.db)
    con = goaltree.open_warehouse(db)
    _, last = goaltree.data_dates(con)
    plan = read_plan(db)
    rows = con.execute("select count(*) from member_joins").fetchall()[0][0]
    facts = con.execute("select count(*) from daily_node_facts").fetchall()[0][0]
    this = f"{last.year:04d}-{last.month:02d}"
    cases = [(this, None), (this, last.replace(day=1)), (months.shift_month(this, -1), None),
             (months.shift_month(this, -12), None)]
    print(f"warehouse {db}: member_joins {rows:,} rows, daily_node_facts {facts:,} rows; "
          f"plan: {len(plan.targets) if plan else 0:,} targets; {args.runs} runs each (ms)")
    print(f"{'month':<8} {'as-of':<11} {'nodes':>5} {'warm median':>12} {'warm max':>9} {'+plan read':>11} {'cold':>8} "
          f"{'first':>8}")
    for month, as_of in cases:
        tree = goaltree.goal_tree(con, month, as_of, plan)
        warm, warm_max = timed(lambda m=month, a=as_of: goaltree.goal_tree(con, m, a, plan), args.runs)
        with_plan, _ = timed(lambda m=month, a=as_of: goaltree.goal_tree(con, m, a, read_plan(db)),
                             max(args.runs // 3, 3))
        cold, _ = timed(lambda m=month, a=as_of: trees.load(db, m, a), max(args.runs // 5, 3))

        def first(m=month, a=as_of):
            seasonal._HISTORY.clear()
            seasonal._CACHE.clear()
            replay._BANDS.clear()
            goaltree.goal_tree(con, m, a, plan)

        first_ms, _ = timed(first, 3)
        print(f"{month:<8} {str(tree.as_of):<11} {len(tree.nodes):>5} {warm:>12.1f} {warm_max:>9.1f} "
              f"{with_plan:>11.1f} {cold:>8.1f} {first_ms:>8.1f}")
    con.close()


if __name__ == "__main__":
    main()
