"""A month's goal tree as a surface receives it: the plan, check-ins and revisions read from the plan store beside the
warehouse and handed to `goaltree.goal_tree`, then scoped to the reader. The board, the war-zone page, the brief,
the Excel and `python -m pipelines tree` all start here, so they judge the same tree; the goal tree itself opens no
store.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipelines.base.errors import NorthstarError
from pipelines.okr.goaltree import GoalTree, goal_tree, month_start_utc, open_warehouse
from pipelines.plan.folder import Plan
from pipelines.plan.store import read_checkins, read_plan, read_revisions


def month_revisions(db: Path, month: str | None, plan: Plan | None) -> list[dict]:
    """The targets of `month` changed after the month began (PlanStore.revisions from the store beside `db`);
    none for a malformed month (goal_tree says what is wrong with it) or without a store."""
    try:
        since = month_start_utc(month, plan.time_zone if plan else "Asia/Shanghai")
    except (TypeError, ValueError, NorthstarError):
        return []
    return read_revisions(Path(db), month, since)


def load(db: Path, month: str, as_of: dt.date | str | None = None, user=None, planned: bool = False) -> GoalTree:
    """The goal tree for the warehouse at `db` with the plan from the plan store beside it; with `user`
    (pipelines.plan.access.User) as that person may see it (GoalTree.scoped). The targets changed after the month
    began are in `revisions`; `planned=True` judges the month against its targets as they stood on the 1st."""
    plan = read_plan(db)
    revisions = month_revisions(db, month, plan)
    con = open_warehouse(db)
    try:
        tree = goal_tree(con, month, as_of, plan, read_checkins(db), revisions=revisions, planned=planned)
    finally:
        con.close()
    return tree if user is None else tree.scoped(user)
