"""What do sign-in and scope cost? Prints a table of timings (median and max of --runs).

    python benchmarks/bench_access.py --db data/warehouse.duckdb [--runs 20]

- argon2id hash / verify: a password set by `users add`, and checked once per sign-in (argon2-cffi's defaults:
  they are meant to cost tens of milliseconds, which is what makes a stolen hash slow to guess).
- stored session lookup: a reload of a signed-in browser (the cookie's token, hashed, looked up in the plan store).
- goal tree, and the same scoped for a zone lead: the scoping runs on every page run, after the cached tree.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_goaltree import timed  # noqa: E402 - median and max of n runs, in ms
from pipelines.base import paths
from pipelines.okr import goaltree  # noqa: E402
from pipelines.plan.access import User, hash_password, verify_password  # noqa: E402
from pipelines.plan.store import PlanStore  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=None, help="warehouse (default data/warehouse.duckdb or NORTHSTAR_DB)")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    db = paths.db_path(args.db)
    con = goaltree.open_warehouse(db)
    last = goaltree.data_dates(con)[1]
    month = last.strftime("%Y-%m")
    tree = goaltree.goal_tree(con, month, last)
    zone = next(n.id for n in tree.nodes if n.level == "war_zone")
    lead = User("lead", "lead", "zone_lead", war_zone=zone)
    stored = hash_password("correct horse battery")
    rows = [
        ("argon2id hash (users add)", *timed(lambda: hash_password("correct horse battery"), args.runs)),
        ("argon2id verify (one sign-in)", *timed(lambda: verify_password(stored, "correct horse battery"), args.runs)),
    ]
    with tempfile.TemporaryDirectory() as tmp, PlanStore(Path(tmp) / "s.plan.sqlite") as store:
        now = dt.datetime.now(dt.timezone.utc)
        store.accounts.open_session("t" * 43, "lead", now, now + dt.timedelta(hours=12))
        rows.append(
            ("stored session lookup (a reload)", *timed(lambda: store.accounts.session_of("t" * 43, now), args.runs))
        )
    rows.append((f"goal tree {month} (warm connection)", *timed(lambda: goaltree.goal_tree(con, month, last),
                                                                 args.runs)))
    rows.append((f"  scoped for a zone lead of {zone}", *timed(lambda: tree.scoped(lead), args.runs)))
    con.close()
    print(f"{'step':<40} {'median ms':>10} {'max ms':>10}")
    for name, median, worst in rows:
        print(f"{name:<40} {median:>10.2f} {worst:>10.2f}")
    print(f"\n{len(tree.nodes)} nodes; scoped for {zone}: {len(tree.scoped(lead).nodes)}")


if __name__ == "__main__":
    main()
