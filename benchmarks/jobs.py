"""One measured piece of work per process, so that its peak memory is its own: `benchmarks/run.py` starts

    python -m benchmarks.jobs JOB --out RESULT.json [options]

and reads the process's wall time and peak resident memory from the operating system (os.wait4). The job itself
writes what it computed and how long the computing took (without Python's start-up) to RESULT.json.

Jobs: `floor` (one DuckDB scan-and-group of the raw orders), `pandas-tree` / `pandas-retention` (the plain-pandas
baseline, benchmarks/baseline.py) and `northstar-tree` / `northstar-retention` (the same numbers from the
warehouse, in a fresh process: open the warehouse, query, close).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLOOR_SQL = """
select ordered_at::date as day, status, count(*) as orders, sum(amount) as amount
from read_parquet({files})
group by all
"""


def floor(raw: Path) -> dict:
    """The least a build could do: read every raw order once and group it (by day and status)."""
    import duckdb

    from pipelines.warehouse.ingest import sql_str

    files = sorted(str(p) for p in raw.iterdir() if p.name.startswith("orders") and p.suffix == ".parquet")
    with duckdb.connect() as con:
        rows = con.execute(FLOOR_SQL.format(files="[" + ", ".join(sql_str(f) for f in files) + "]")).fetchall()
    return {"groups": len(rows), "orders": sum(r[2] for r in rows)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("job", choices=["floor", "pandas-tree", "pandas-retention", "northstar-tree",
                                    "northstar-retention"])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--raw", type=Path)
    ap.add_argument("--config", type=Path)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--month")
    ap.add_argument("--as-of", type=dt.date.fromisoformat)
    args = ap.parse_args(argv)
    from benchmarks import baseline

    start = time.perf_counter()
    if args.job == "floor":
        result = floor(args.raw)
    elif args.job == "pandas-tree":
        result = baseline.goal_tree(args.raw, args.config, args.month, args.as_of)
    elif args.job == "northstar-tree":
        result = baseline.northstar_goal_tree(args.db, args.month, args.as_of)
    elif args.job == "pandas-retention":
        result = baseline.retention(args.raw, args.as_of).to_dict("records")
    else:
        result = baseline.northstar_retention(args.db).to_dict("records")
    seconds = time.perf_counter() - start
    args.out.write_text(json.dumps({"seconds": seconds, "result": result}, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
