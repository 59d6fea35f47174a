"""Cached, read-only reads of the warehouse for the pages, each on a cursor of one shared read-only connection
per warehouse version (`connect`)."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import duckdb
import streamlit as st

from pipelines.base import paths
from pipelines.base.errors import NorthstarError
from pipelines.base.quote import sql_str
from pipelines.plan.store import store_path
from ui.i18n import fmt_count  # noqa: F401 - re-exported for the pages


class WarehouseMissing(Exception):
    """No warehouse at the configured path."""


def db_file() -> str:
    return str(paths.db_path())


_held: dict[str, dict[tuple, duckdb.DuckDBPyConnection]] = {}
_held_lock = threading.Lock()
KEEP_VERSIONS = 3        # warehouse versions kept open: a page run pinned to one reads it to its end
# How long a read stays cached. Every key holds the warehouse's and the plan's versions, so an entry never goes
# stale: it only takes memory, which each reader's max_entries bounds. Half a day, so that what the warm-up
# (ui/warmup.py) worked out after the night's refresh is still there when people come in.
KEEP_SECONDS = 12 * 3600


def _version(db: str) -> tuple:
    try:
        info = Path(db).stat()
    except FileNotFoundError:
        raise WarehouseMissing(db) from None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _attach(db: str) -> tuple:
    """The warehouse file as it is now, attached once per version (see `connect`); returns its version."""
    while True:
        version = _version(db)
        with _held_lock:
            per = _held.setdefault(db, {})
            if version in per:
                return version
        con = duckdb.connect(":memory:")
        con.execute(f"attach {sql_str(db)} as warehouse (read_only)")
        if _version(db) != version:        # swapped while it was being attached: attach the new one
            con.close()
            continue
        with _held_lock:
            per[version] = con
            while len(per) > KEEP_VERSIONS:   # the oldest closes when its last cursor does
                per.pop(next(iter(per)))
        return version


def connect(db: str, version: tuple | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only cursor on the warehouse `db` (close it, or use it in a `with`): on `version` when given and
    still open (a page run reads the version it was pinned to by `versions`, start to end, even when a rebuild
    swaps a new file in meanwhile), else on the file as it is now.

    Opening a 2 GB warehouse costs about 16 ms; a cursor of an open one 0.2 ms, and a page makes several reads. So
    each warehouse file version (inode, size, modification time) is attached once to an in-memory DuckDB and
    every read takes a cursor of it. Attached, not `duckdb.connect(db)`: DuckDB hands a new connect() to a path
    the instance it still has open for that path, which after a rebuild swapped the file in would be the old
    data. The last KEEP_VERSIONS versions stay open (an open file outlives its rename on Linux).
    """
    with _held_lock:
        con = _held.get(db, {}).get(version) if version is not None else None
    if con is None:
        version = _attach(db)
        with _held_lock:
            con = _held[db][version]
    cur = con.cursor()
    cur.execute("use warehouse")
    return cur


@st.cache_data(ttl=KEEP_SECONDS, max_entries=8, show_spinner=False)
def plan(db: str, versions: tuple):
    """The plan from the store beside the warehouse (None without one), read once per store version."""
    from pipelines.plan.store import read_plan

    return read_plan(Path(db))


@st.cache_resource(ttl=KEEP_SECONDS, max_entries=8, show_spinner=False)
def access(db: str, versions: tuple):
    """The plan's access.yaml part (who signs in how, who sees what; None without a plan store): read on every page
    run of every reader, so kept as the one frozen object (pipelines.plan.access.Access) rather than a copy of the
    whole plan each time."""
    current = plan(db, versions)
    return None if current is None else current.access


# A resource, not a copy: the tree is frozen all the way down (pipelines/okr/goaltree.py), so every reader of a
# version is handed the same object; unpickling a copy per page run was half of a page run's CPU (issue 37).
@st.cache_resource(ttl=KEEP_SECONDS, max_entries=32, show_spinner=False)
def goal_tree(db: str, month: str, as_of, versions: tuple, planned: bool = False):
    """The goal tree from `pipelines.okr.goaltree` (the one place its numbers come from), cached per warehouse and
    plan-store version (`versions` = their modification times), with the month's targets changed after it began
    (`revisions`); `planned`: judged against the targets as they stood on the 1st."""
    from pipelines.delivery import trees
    from pipelines.okr import goaltree
    from pipelines.plan.store import read_checkins

    the_plan = plan(db, versions)
    with connect(db, versions[0]) as con:
        revisions = trees.month_revisions(Path(db), month, the_plan)
        return goaltree.goal_tree(con, month, as_of, the_plan, read_checkins(Path(db)), revisions=revisions,
                                  planned=planned)


def versions(db: str) -> tuple:
    """What a page run reads: the warehouse's version (opened and held, see `connect`) and the plan's version (the
    store file and its latest change, `plan_version`); the cache key of every read, and the version each read
    opens. Pinned once per page run (`pin`), so a rebuild that swaps the warehouse mid-run cannot give a page the
    dates of one version and the tree of the next."""
    pinned = _pinned().get(db)
    if pinned is not None:
        return pinned
    return _versions_now(db)


def plan_version(store: Path) -> tuple:
    """The plan's version: the store file (its inode: a store moved aside and started again is another) and its
    latest change. Every change of the plan (targets, key actions, check-ins, imports, access.yaml) is a row of
    `changes`; sign-ins, sessions and the audit are not, so fifty people signing in at 8:00 do not make every
    reader's next page recompute the goal tree (the store's modification time, the key before, did)."""
    try:
        inode = store.stat().st_ino
    except FileNotFoundError:
        return (0, 0)
    try:
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=2)
        try:
            latest = con.execute("select coalesce(max(id), 0) from changes").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return (inode, -1)           # a damaged store: the readers say so (PlanStoreBroken), never cached
    return (inode, latest)


def _versions_now(db: str) -> tuple:
    try:
        warehouse = _attach(db)
    except (WarehouseMissing, duckdb.Error):
        warehouse = None
    return (warehouse, *plan_version(store_path(Path(db))))


def _pinned() -> dict:
    """This session's pinned versions; outside a page run (a script, a test, a reader thread) nothing is pinned."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return {}
    return st.session_state.setdefault("ns_pinned_versions", {})


def pin(db: str) -> tuple:
    """At the start of a page run (ui.setup.start_page): the versions every read of this run uses."""
    value = _versions_now(db)
    _pinned()[db] = value
    return value


@st.cache_data(ttl=KEEP_SECONDS, max_entries=64, show_spinner=False)
def node_view(db: str, month: str, as_of, node_id: str, versions: tuple) -> dict:
    """The war-zone page's numbers for one node beyond the goal tree (pipelines.okr.warzone): this and last month's
    daily curves, the month's new stations, the paths and the last 12 months, cached like the tree."""
    from pipelines.base.months import month_bounds, shift_month
    from pipelines.okr import firstview, warzone

    tree = goal_tree(db, month, as_of, versions)
    node = tree.node(node_id)
    prev = shift_month(tree.month, -1)
    the_plan = plan(db, versions)

    def run(fn, *args):
        with connect(db, versions[0]) as con:          # a cursor each: the five reads run side by side
            return fn(con, *args)

    def view(this: list, last: list, stations: list, drivers: dict, attainment: list) -> dict:
        return {
            "this": warzone.cumulative(this, tree.month_start, min(tree.as_of, tree.month_end)),
            "last": warzone.cumulative(last, *month_bounds(prev)) if last else
                    {"date": [], "stations": [], "members": []},
            "stations": stations, "drivers": drivers, "attainment": attainment,
        }

    kept = run(firstview.parts, tree.month, tree.as_of, node_id)   # the first view: kept by the build
    if kept:
        with connect(db, versions[0]) as con:
            got = warzone.attainment(con, tree, node, the_plan, got=kept["monthly"])
        return view(kept["this"], kept["last"], kept["stations"], kept["drivers"], got)
    with _pool() as pool:
        this_rows = pool.submit(run, warzone.daily, node, tree.month, tree.as_of)
        last_rows = pool.submit(run, warzone.daily, node, prev, tree.as_of)
        stations = pool.submit(run, warzone.new_stations, node, tree.month, tree.as_of)
        drivers = pool.submit(run, warzone.drivers, tree, node)
        attainment = pool.submit(run, warzone.attainment, tree, node, the_plan)
        return view(this_rows.result(), last_rows.result(), stations.result(), drivers.result(),
                    attainment.result())


def _pool():
    """Threads for reads that do not depend on each other (DuckDB lets go of the GIL while it works)."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="northstar-read")


@st.cache_data(ttl=KEEP_SECONDS, max_entries=16, show_spinner=False)
def plan_basis(db: str, month: str | None, versions: tuple) -> dict:
    """What the Plan page plans with, from the warehouse: the org's nodes (company first), the last date in the
    data, and — for `month` — the trailing period and every node's actuals over it (pipelines.okr.decompose)."""
    from pipelines.okr import decompose
    from pipelines.okr.goaltree import data_dates

    with connect(db, versions[0]) as con:         # (WarehouseMissing when there is none)
        nodes = decompose.org_nodes(con)
        last = data_dates(con)[1]
        out = {"nodes": nodes, "last": last, "period": None, "actuals": {}}
        if month and last:
            out["period"] = decompose.trailing_period(month, last)
            out["actuals"] = decompose.trailing_actuals(con, month, last)
        return out


@st.cache_data(ttl=KEEP_SECONDS, max_entries=64, show_spinner=False)
def cohort_rows(db: str, kind: str, by: str | None, filters: tuple, start, end, versions: tuple) -> list[dict]:
    """pipelines.okr.cohorts.members / .stations, cached per warehouse version; `filters` is ((dim, (values…)), …)."""
    from pipelines.okr import cohorts

    with connect(db, versions[0]) as con:
        fn = cohorts.members if kind == "members" else cohorts.stations
        return fn(con, by=by, filters=dict(filters), start=start, end=end)


@st.cache_data(ttl=KEEP_SECONDS, max_entries=32, show_spinner=False)
def cohort_members_behind(db: str, month, k: int, measure: str, filters: tuple, limit: int, versions: tuple,
                          unmask: bool = False) -> list[dict]:
    """pipelines.okr.cohorts.members_behind, cached: a rerun of the page does not query the cell again. `unmask` only
    for a reader with pii: true (the page passes its reader's right)."""
    from pipelines.okr import cohorts

    with connect(db, versions[0]) as con:
        return cohorts.members_behind(con, month, k, measure, dict(filters), limit=limit, unmask=unmask)


# What the Cohorts and Growth pages read (pipelines/warehouse/sql/marts/member_cohorts.sql and growth.sql).
ANALYSIS_TABLES = ("member_activity", "cohort_members", "member_cohorts", "station_cohorts", "member_lifecycle",
                   "growth_flows", "referral_monthly", "referral_cohorts", "referral_depths", "referral_top")


@st.cache_data(ttl=KEEP_SECONDS, max_entries=8, show_spinner=False)
def cohort_options(db: str, versions: tuple) -> dict:
    """The filter choices (distinct values per dimension), the cohort months and D, and the org's names; from the
    member_cohorts mart (every member's values are among its groups), not the 10M-row cohort_members."""
    from pipelines.okr import cohorts, decompose, goaltree

    with connect(db, versions[0]) as con:         # (WarehouseMissing when there is none)
        have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        missing = [name for name in ANALYSIS_TABLES if name not in have]
        if missing:   # a warehouse built before these pages: say so before any of them is read
            raise NorthstarError("analysis_tables_missing", tables=", ".join(missing))
        values = {dim: [r[0] for r in con.execute(
            f"select distinct {dim} from member_cohorts order by 1").fetchall()]   # noqa: S608 - fixed names
            for dim in cohorts.MEMBER_DIMS}
        months = [r[0] for r in con.execute("select distinct cohort_month from member_cohorts order by 1").fetchall()]
        return {"values": values, "months": months, "as_of": cohorts.as_of(con), "nodes": decompose.org_nodes(con),
                "names": goaltree.node_names(con)}


@st.cache_data(ttl=KEEP_SECONDS, max_entries=16, show_spinner=False)
def growth_data(db: str, war_zones: tuple, split: bool, versions: tuple, unmask: bool = False) -> dict:
    """pipelines.okr.growth for the chosen war zones (all when empty): the flows in total and per zone, the
    lifecycle and the referral network (company-wide)."""
    from pipelines.okr import growth

    with connect(db, versions[0]) as con:
        zones = list(war_zones) or None
        return {"total": growth.flows(con, zones), "split": growth.flows(con, zones, by_zone=True) if split else [],
                "lifecycle": growth.lifecycle(con, zones), "referrals": growth.referrals(con, unmask)}


@st.cache_data(ttl=KEEP_SECONDS, max_entries=8, show_spinner=False)
def node_names(db: str, versions: tuple):
    """pipelines.okr.goaltree.node_names: every node id's (zh, en) name, unassigned ones included."""
    from pipelines.okr import goaltree

    with connect(db, versions[0]) as con:
        return goaltree.node_names(con)


@st.cache_data(ttl=KEEP_SECONDS, max_entries=8, show_spinner=False)
def data_age(db: str, day, versions: tuple) -> dict:
    """How old the data is on `day` (pipelines.warehouse.freshness.data_age): the board says so when it is stale. None
    when the warehouse has no build report (an old warehouse: the Data page says to rebuild)."""
    from pipelines.warehouse import freshness

    with connect(db, versions[0]) as con:
        try:
            return freshness.data_age(con, day)
        except NorthstarError:
            return None


@st.cache_data(ttl=KEEP_SECONDS, max_entries=8, show_spinner=False)
def data_report(db: str, day, versions: tuple) -> dict:
    """The Data page's reads (pipelines.warehouse.freshness): the report as of `day`, reject examples and every reject
    as CSV."""
    from pipelines.warehouse import freshness

    with connect(db, versions[0]) as con:         # (WarehouseMissing when there is none)
        return {"report": freshness.report(con, day), "examples": freshness.reject_examples(con),
                "csv": freshness.rejects_csv(con)}


def examples_frame(examples: list[dict], lang: str):
    """Rejected rows for people: file, line, the reason in words and its detail (the field and the value), then
    the raw row's fields as columns, phone masked (pipelines.warehouse.freshness.reject_examples)."""
    import pandas as pd

    from ui.i18n import reason_text, reason_word, text

    return pd.DataFrame([{text("col_table", lang): e["table"], text("col_file", lang): e["file"],
                          text("col_line", lang): e["line"],
                          text("col_reason", lang): reason_word(e["reason_code"], lang),
                          text("col_detail", lang): reason_text(e["detail_code"], e["detail_args"], e["reason"], lang),
                          **e["columns"]} for e in examples])


UPLOADS_KEEP_SECONDS = 86400


def upload_folder(db: str) -> Path:
    """A new folder for one upload, beside the warehouse (`.northstar-uploads/`), never in a shared /tmp; folders a
    session abandoned (a closed tab) go once they are a day old. The page removes its own once imported or
    replaced by another upload (`drop_upload`): uploads hold personal data."""
    import tempfile
    import time

    root = Path(db).parent / ".northstar-uploads"
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        try:
            if time.time() - old.stat().st_mtime > UPLOADS_KEEP_SECONDS:
                drop_upload(old)
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix="upload-", dir=root))


def drop_upload(folder) -> None:
    import shutil

    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _drawn_figure(key: tuple, _build):
    return _build()


def shared_figure(db: str, tree, reader, kind: str, parts: tuple, build):
    """The chart `build()` draws, built once per warehouse and plan version, month, as-of, targets read (the 1st's
    or today's), scope of `reader`, `kind` and `parts` (the node, the metric, the language…), and shared by every
    session: building Plotly figures was half of a war-zone page switch's CPU (150 of 250 ms on the small sample,
    benchmarks/NOTES.md). Nothing changes a figure once built (st.plotly_chart only reads it)."""
    return _drawn_figure((kind, db, versions(db), tree.month, tree.as_of, tree.planned,
                          (reader.role, reader.war_zone, reader.center), *parts), build)
