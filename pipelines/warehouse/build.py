"""`build`: raw files + plan → a new warehouse, swapped in atomically.

The new warehouse is built in a temporary file beside the old one and renamed over it only when every step
succeeded; a failed or killed build leaves the previous warehouse as it was.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import Words, say
from pipelines.base.progress import Progress
from pipelines.base.quote import sql_str
from pipelines.plan.folder import load_plan
from pipelines.plan.org import Org
from pipelines.plan.store import ImportResult, PlanStore, store_path
from pipelines.warehouse import contract, ingest

SQL_DIR = Path(__file__).with_name("sql")

# The shape of the tables the models write, kept in build_info: an incremental refresh updates the tables it
# finds, so a warehouse an earlier layout wrote is built again in full. Raise it when a model's tables change.
# 2 (issue 37): cohort_members.first_active_index, station_months, referrer_counts (the kept sums an incremental
# refresh adds the night's members to).
LAYOUT = 2

# The models, in the order they run: staging (typed, per-row checks) → core (cross-table checks, dedupe,
# rejects) → intermediate (attribution, warnings) → marts (what the app reads).
MODELS = [
    "macros.sql",
    "staging/stg_stations.sql",
    "staging/stg_members.sql",
    "staging/stg_orders.sql",
    "core/changes.sql",
    "core/stations.sql",
    "core/members.sql",
    "core/orders.sql",
    "core/orders_rejected.sql",
    "core/rejects.sql",
    "core/ingest_files.sql",
    "core/dates.sql",
    "intermediate/station_nodes.sql",
    "intermediate/member_nodes.sql",
    "intermediate/warnings.sql",
    "marts/daily_node_facts.sql",
    "marts/member_joins.sql",
    "marts/daily_active_members.sql",
    "marts/daily_network.sql",
    "marts/member_cohorts.sql",
    "marts/growth.sql",
]


@dataclass
class BuildResult:
    db: Path
    as_of: dt.date
    last_date: dt.date | None
    seconds: float
    files: list[dict] = field(default_factory=list)      # table, file, format, encoding, read, loaded, rejected, note
    reasons: list[tuple] = field(default_factory=list)   # table, reason_code, rows
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    plan_store: Path | None = None
    plan_import: ImportResult | None = None
    mode: str = "full"                       # full, incremental, or unchanged (an incremental with nothing new)
    why_full: str = ""                       # why --incremental made a full build
    shrink: list[str] = field(default_factory=list)   # why it looks like a mistake (shrink_problems), if allowed
    new_files: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)  # held files read again for their changed lines
    notes: list[str] = field(default_factory=list)    # what the reader should know (the calendar's years)


def parse_as_of(value: str | dt.date | None, raw: Path | None = None, zone: str = "Asia/Shanghai") -> dt.date:
    """--as-of, else NORTHSTAR_AS_OF, else the sample's extraction date when `raw` holds the sample, else today in
    the company's time zone `zone` (not the server's)."""
    if isinstance(value, dt.date):
        return value
    text = value or os.environ.get("NORTHSTAR_AS_OF", "").strip()
    if not text:
        from zoneinfo import ZoneInfo

        return (contract.sample_as_of(raw) if raw is not None else None) or dt.datetime.now(ZoneInfo(zone)).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise NorthstarError("not_a_date", text=text) from None


def _temp_path(db: Path) -> Path:
    return db.with_name(f".{db.name}.building-{os.getpid()}")


def _scratch_prefix(db: Path) -> str:
    return f".{db.name}.scratch-{os.getpid()}-"


def _remove_stale(db: Path) -> None:
    """Leftovers of builds of this warehouse that were killed: their temporary warehouse and their scratch folder
    (spilled data, staged CSV). Called under the build lock, so no other build of `db` is running; a scratch folder
    of the older kind (.northstar-scratch-*, which does not name its warehouse) goes once it is a day old."""
    for path in db.parent.glob(f".{db.name}.building-*"):
        pid = path.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                os.kill(int(pid), 0)
                continue  # another build is running
            except (ProcessLookupError, PermissionError):
                pass
        path.unlink(missing_ok=True)
    for path in db.parent.glob(f".{db.name}.scratch-*"):
        if not path.name.startswith(_scratch_prefix(db)):
            shutil.rmtree(path, ignore_errors=True)
    for path in db.parent.glob(".northstar-scratch-*"):
        try:
            if time.time() - path.stat().st_mtime > 86400:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


SHRINK_LIMIT = 0.5      # a table may not lose more than half its rows, nor a file have most of its rows rejected


class ShrinkRefused(NorthstarError):
    """The new warehouse would lose data the previous one has (or reject most rows): refused unless allowed."""


def shrink_problems(previous: dict[str, int] | None, result: "BuildResult") -> list[str]:
    """Why the built warehouse looks like a mistake rather than data: a table left empty or shrunk by more than
    half against the warehouse it would replace, or a table most of whose rows were rejected (a wrong --as-of
    rejects everything as future-dated)."""
    out = []
    for table in contract.TABLES:
        before, now = (previous or {}).get(table, 0), result.tables.get(table, 0)
        name = Words(f"data_table_{table}")     # "订单" on a Chinese page, "orders" in English
        if before and now == 0:
            out.append(Words("shrink_empty", table=name, before=before))
        elif before and now < before * (1 - SHRINK_LIMIT):
            out.append(Words("shrink_rows", table=name, before=before, now=now))
    for table in contract.TABLES:
        name = Words(f"data_table_{table}")
        read = sum(f["read"] for f in result.files if f["table"] == table)
        rejected = sum(f["rejected"] for f in result.files if f["table"] == table)
        if read and rejected > read * SHRINK_LIMIT:
            top = sorted(((n, code) for t, code, n in result.reasons if t == table), reverse=True)[:1]
            # the reason in words, with its code for a search in the rejects ("主要原因是「会员不存在」")
            out.append(Words("shrink_rejected_as", table=name, read=read, rejected=rejected,
                             code=Words(f"reason_{top[0][1]}")) if top
                       else Words("shrink_rejected", table=name, read=read, rejected=rejected))
    return out


def _previous_counts(db: Path) -> dict[str, int] | None:
    if not db.exists():
        return None
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in contract.TABLES}
    except duckdb.Error:
        return None


@contextlib.contextmanager
def held_lock(path: Path, holder: str, busy):
    """An exclusive lock on the file `path` (released by the system if the process dies), with `holder` written in
    it; when another process holds it, NorthstarError(busy(what it wrote)) at once, without waiting."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            code, values = busy(fh.read().strip() or "another process")
            raise NorthstarError(code, **values) from None
        fh.seek(0)
        fh.truncate()
        fh.write(holder)
        fh.flush()
        yield
    finally:
        fh.close()          # releases the lock


def remove_old_temp_locks() -> int:
    """Earlier versions kept the build lock in the system's temporary folder, one file per warehouse path, never
    removed (499 on one machine): the ones no process holds go (a build holds its lock with flock)."""
    gone = 0
    for path in Path(tempfile.gettempdir()).glob("northstar-build-*.lock"):
        try:
            with open(path, "a+", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                path.unlink()
                gone += 1
        except OSError:          # held by a running build of an older version, or not ours to remove
            continue
    return gone


def build_lock(db: Path):
    """One build of a warehouse at a time: `<warehouse>.build.lock` beside it (one small file per warehouse, like the
    refresh's; it used to be a file per warehouse path ever built in the system's temporary folder, hundreds of them on
    a long-lived machine). A second build stops at once and says which process holds the lock and since when."""
    return held_lock(db.with_name(db.name + ".build.lock"),
                     f"pid {os.getpid()}, started {dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}",
                     lambda holder: ("build_busy", {"db": str(db), "holder": holder}))


def memory_limit() -> str:
    """DuckDB's memory limit for a build: NORTHSTAR_BUILD_MEMORY (e.g. 8GB), else 40 % of the machine's memory.

    DuckDB spills to the scratch folder beyond it; the process's peak is the limit plus what DuckDB does not
    manage (Arrow buffers, the Python heap), which docs/developer-guide.md "Benchmarks" measures.
    """
    text = os.environ.get("NORTHSTAR_BUILD_MEMORY", "").strip()
    if text:
        return text
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return "8GB"
    return f"{max(1, int(total / 2**30 * 0.4))}GB"


def _tune(con: duckdb.DuckDBPyConnection) -> None:
    """Every model orders its output where order matters, so DuckDB may stream the rest in any order: that
    lets big `create table as` statements run without buffering their whole result (DuckDB's own advice)."""
    con.execute("set preserve_insertion_order = false")
    con.execute("set memory_limit = ?", [memory_limit()])


def org_hash(org: Org) -> str:
    """A fingerprint of the org (nodes and channel owners): the warehouse's attribution depends on nothing else
    of the plan."""
    doc = json.dumps([org.nodes, org.channels], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


HELD_REASONS = ("future_date", "unknown_station", "unknown_member")


def incremental_check(db: Path, raw: Path, files: dict[str, list[Path]], org: Org, as_of: dt.date,
                      time_zone: str = "Asia/Shanghai") -> tuple[set[Path] | None, set[Path], str]:
    """For `build --incremental`: the raw files the warehouse at `db` holds as they were (not read again) and those
    that changed since (read again, their changed lines applied: core/changes.sql), when files were only added or
    changed in place; otherwise None, no files and why a full build is needed."""
    if not db.exists():
        return None, set(), "there is no warehouse yet"
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            old = con.execute("select table_name, file_name, size, mtime_ns from build_sources").fetchall()
            old_as_of, old_raw, old_org = con.execute("select as_of, raw_dir, org_hash from build_info").fetchall()[0]
            held = con.execute("select count(*) from rejects where list_contains(?, reason_code)",
                               [list(HELD_REASONS)]).fetchall()[0][0]
            old_zone = con.execute("select time_zone from build_info").fetchall()[0][0]
    except duckdb.Error:
        return None, set(), "the warehouse was built before incremental refreshes existed"
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            old_layout = con.execute("select layout from build_info").fetchall()[0][0]
    except duckdb.Error:
        old_layout = 1
    if old_layout != LAYOUT:
        return None, set(), (f"the warehouse was built by an earlier version of the build (table layout "
                              f"{old_layout}, now {LAYOUT})")
    if Path(old_raw).resolve() != raw.resolve():
        return None, set(), f"the last build read another raw folder ({old_raw})"
    if old_org != org_hash(org):
        return None, set(), "the org (org.yaml) changed since the last build"
    if old_zone != time_zone:
        return None, set(), f"the time zone changed since the last build ({old_zone} → {time_zone})"
    if as_of < old_as_of:
        return None, set(), f"the as-of date {as_of} is before the last build's ({old_as_of})"
    if held:
        return None, set(), (f"{held:,} rows rejected last time (a future date, an unknown station or member) may "
                             "load now")
    by_name = {(t, name): (size, mtime) for t, name, size, mtime in old}
    kept: set[Path] = set()
    changed: set[Path] = set()
    for table, paths in files.items():
        last_old = max((name for t, name in by_name if t == table), default="")
        for path in paths:
            name = _rel_name(path, raw)
            if (table, name) in by_name:
                info = path.stat()
                if (info.st_size, info.st_mtime_ns) != by_name[(table, name)]:
                    changed.add(path)
                else:
                    kept.add(path)
            elif name < last_old:
                return None, set(), (f"the new file {name} sorts before {last_old}, a file of the last build: name "
                                     "new files so they sort last (e.g. orders-2026-11-25.csv)")
    gone = sorted(name for t, name in by_name if not (raw / name).exists())
    if gone:
        return None, set(), f"{gone[0]} is gone since the last build"
    return kept, changed, ""


def run_model(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Runs one SQL model file (several statements); before macros.sql, the macro that words a reject's detail."""
    if name == "macros.sql":
        con.execute(reject_detail_macro())
    con.execute((SQL_DIR / name).read_text(encoding="utf-8"))


def reject_detail_macro() -> str:
    """`reject_detail(code, args)`: a rejected row's detail in English, from the label table
    (pipelines/base/labels/rejects.py) — the SQL writes a detail's code and values, and the pages word the same
    code in the reader's language, so the sentence is written once per language."""
    from pipelines.base.labels.rejects import DETAILS

    whens = []
    for key, (_, en) in DETAILS.items():
        order = [int(i) for i in re.findall(r"\{(\d+)\}", en)]
        template = re.sub(r"\{\d+\}", "{}", en).replace("'", "''")
        values = "".join(f", args[{i + 1}]" for i in order)
        whens.append(f"when '{key.removeprefix('detail_')}' then format('{template}'{values})")
    return ("create or replace temp macro reject_detail(code, args) as case code\n    "
            + "\n    ".join(whens) + "\nend;")


def _register_org(con, org: Org) -> None:
    con.execute("create table org_nodes(id varchar, parent varchar, level varchar, name_zh varchar, name_en varchar, "
                "ord int)")
    if org.nodes:
        con.executemany("insert into org_nodes values (?, ?, ?, ?, ?, ?)",
                        [(n["id"], n["parent"], n["level"], n["name_zh"], n["name_en"], n["ord"]) for n in org.nodes])
    con.execute("create table org_channels(channel varchar, center varchar)")
    if org.channels:
        con.executemany("insert into org_channels values (?, ?)", [(c["channel"], c["center"]) for c in org.channels])


SOURCE_COLUMNS = ("file_id", "table_name", "file_name", "format", "encoding", "rows_read", "note", "size",
                  "mtime_ns")


def _rel_name(path: Path, raw: Path) -> str:
    """A raw file's name as the warehouse records it: relative to the raw folder."""
    try:
        return str(path.relative_to(raw))
    except ValueError:
        return str(path)


def _source_rows(sources: list[ingest.Source], raw: Path) -> list[dict]:
    rows = []
    for s in sources:
        info = s.path.stat()
        rows.append({"file_id": s.file_id, "table_name": s.table, "file_name": _rel_name(s.path, raw),
                     "format": s.format, "encoding": s.encoding, "rows_read": s.rows_read, "note": s.note,
                     "size": info.st_size, "mtime_ns": info.st_mtime_ns})
    return rows


# A row this run loads: every row of a file added since the last build, a changed line (file id × 10^10 + line,
# core/changes.sql) of a changed one. In a full build every file is added.
RUN_ROW = ("create or replace temp macro run_row(f, l) as f in (select file_id from added_files) "
           "or f::bigint * 10000000000 + l in (select k from changed_keys)")


def _register_sources(con, rows: list[dict], sources: list[ingest.Source], changed: set[int] = frozenset()) -> None:
    """`sources`: every raw file of the warehouse (earlier runs' and this run's); `fresh_files`: this run's;
    `changed_files`: those of them the last build read too (changed since), `added_files` the others;
    `early_rejects`: the rows this run's readers could not map to columns. Also what core/changes.sql fills in
    when a file changed (empty otherwise), and `run_row(file, line)`: a row this run loads (every row of an added
    file, a changed line of a changed one)."""
    types = (pa.int32(), pa.string(), pa.string(), pa.string(), pa.string(), pa.int64(), pa.string(), pa.int64(),
             pa.int64())
    con.register("sources_arrow", pa.table({c: pa.array([r[c] for r in rows], t)
                                            for c, t in zip(SOURCE_COLUMNS, types)}))
    con.execute("create temp table sources as select * from sources_arrow")
    con.unregister("sources_arrow")
    con.execute("create temp table fresh_files(file_id int)")
    con.execute("create temp table changed_files(file_id int)")
    if sources:
        con.executemany("insert into fresh_files values (?)", [(s.file_id,) for s in sources])
    if changed:
        con.executemany("insert into changed_files values (?)", [(f,) for f in sorted(changed)])
    con.execute("create temp table added_files as select file_id from fresh_files "
                "where file_id not in (select file_id from changed_files)")
    con.execute("create temp table changed_keys(k bigint)")
    con.execute("create temp table changed_members(member_id varchar)")
    con.execute("create temp table reloaded_members(member_id varchar)")
    con.execute("set variable changes_since = null::date")
    con.execute(RUN_ROW)
    early = [
        (s.table, s.file_id, line, code, detail, [str(a) for a in args], say(f"detail_{detail}", "en", *args), raw_text)
        for s in sources
        for line, code, detail, args, raw_text in s.early_rejects
    ]
    con.execute("create temp table early_rejects(table_name varchar, _file_id int, _line bigint, reason_code varchar, "
                "detail_code varchar, detail_args varchar[], reason varchar, raw_row varchar)")
    if early:
        con.executemany("insert into early_rejects values (?, ?, ?, ?, ?, ?, ?, ?)", early)



# The first date of any row this run loaded: the marts recompute from there on (every date in a full build).



# A step run on the new warehouse after the data tests, before the swap: writes tables, returns their row counts.
Derive = Callable[[duckdb.DuckDBPyConnection], dict]


def build(raw: Path, config: Path, db: Path, as_of: str | dt.date | None = None, quiet: bool = False,
          progress: Progress | None = None, incremental: bool = False, allow_shrink: bool = False,
          rows_only: bool = False, derive: Derive | None = None) -> BuildResult:
    """Builds the warehouse at `db` (see `_build`), one build of it at a time (`build_lock`). A build that would
    leave a table empty, shrink it by more than half, or reject most of a table's rows stops before the swap
    (ShrinkRefused, the previous warehouse keeps serving) unless `allow_shrink`. `rows_only`: load and check the
    rows and stop before the marts (an import's trial: what would be loaded and rejected, in a fraction of the
    time); such a warehouse is for the report, not for the pages. `derive`: a last step before the swap that
    writes tables worked out from the marts (pipelines/okr/pacebuild.py's `derive`, handed in by the command line
    and the app: this room does not import the OKR one)."""
    db = Path(db)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        with build_lock(db):
            remove_old_temp_locks()
            try:
                return _build(raw, config, db, as_of, quiet, progress, incremental, allow_shrink, rows_only, derive)
            except _NeedsFull as why:
                said = progress or Progress(quiet=quiet)
                said.note(f"a full build instead: {why}")
                if progress is not None:
                    progress.done = 0
                result = _build(raw, config, db, as_of, quiet, progress, False, allow_shrink, rows_only, derive)
                result.why_full = str(why)
                return result
    except OSError as exc:
        if disk_full(exc):
            raise disk_full_error(db, "starting the build") from exc
        raise


class _NeedsFull(Exception):
    """A changed file holds a change a refresh cannot apply in place (core/changes.sql says which): build in full."""


def disk_full(exc: BaseException) -> bool:
    """The disk (or the scratch folder's) has no space left: an OSError's ENOSPC, or DuckDB's words for it."""
    import errno

    return getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in str(exc) \
        or "could not write" in str(exc).lower() and "space" in str(exc).lower()


def disk_full_error(db: Path, step: str) -> NorthstarError:
    free = shutil.disk_usage(db.parent).free if db.parent.exists() else 0
    return NorthstarError("disk_full", folder=str(db.parent), free=free / 2**20, step=step)


def _build(raw: Path, config: Path, db: Path, as_of: str | dt.date | None = None, quiet: bool = False,
           progress: Progress | None = None, incremental: bool = False, allow_shrink: bool = False,
           rows_only: bool = False, derive: Derive | None = None) -> BuildResult:
    """Builds the warehouse at `db` from `raw` and `config`; raises NorthstarError with a clear message on failure.

    `incremental`: when raw files were only added or changed in place since the last build (docs/admin-guide.md
    "Incremental refresh"), reads those into a copy of the warehouse — a changed file's changed lines replace the
    rows they held (core/changes.sql) — recomputes the marts from the first date they touch and for the members
    they touch, and swaps the copy in; anything else (a removed file, another org, rows held back last time, a
    change that moves rows between nodes) makes it a full build, and the result says why (`why_full`)."""
    start = time.perf_counter()
    as_of_date = parse_as_of(as_of, raw)
    raw, config, db = Path(raw), Path(config), Path(db)
    if not raw.is_dir():
        raise NorthstarError("raw_missing", raw=str(raw))
    files = contract.discover(raw)
    if not any(files.values()):
        raise NorthstarError("raw_empty", raw=str(raw))
    plan = load_plan(config)  # a bad plan stops the build before any heavy work, naming file, line and field
    if as_of is None:
        as_of_date = parse_as_of(as_of, raw, plan.time_zone)
    db.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(db)
    kept, changed, why_full = (
        incremental_check(db, raw, files, plan.org, as_of_date, plan.time_zone) if incremental else (None, set(), "")
    )
    if kept is not None and len(kept) == sum(len(v) for v in files.values()):
        with duckdb.connect(str(db), read_only=True) as con:      # nothing new: the warehouse is up to date
            last = con.execute("select last_date from build_info").fetchall()[0][0]
            result = _result(con, db, as_of_date, last)
        result.mode, result.seconds = "unchanged", time.perf_counter() - start
        return result
    tmp = _temp_path(db)
    scratch = Path(tempfile.mkdtemp(prefix=_scratch_prefix(db), dir=db.parent))
    n_files = sum(len(v) for v in files.values()) - len(kept or ()) - len(changed)
    # steps: read the files, each model, the data tests, the month's pace, swap, import the plan (+ copy the
    # warehouse to refresh it)
    derive = None if rows_only else derive
    progress = progress or Progress(total=1 + len(MODELS) + 1 + (derive is not None) + 1 + 1 + (kept is not None),
                                    quiet=quiet)
    step = "copying the warehouse" if kept is not None else "opening the new warehouse"
    old_sources: list[dict] = []
    if kept is not None:
        try:
            with progress.step("copy the warehouse to refresh it"):
                shutil.copyfile(db, tmp)
            with duckdb.connect(str(tmp), read_only=True) as old:
                old_sources = [dict(zip(SOURCE_COLUMNS, r)) for r in old.execute(
                    f"select {', '.join(SOURCE_COLUMNS)} from build_sources").fetchall()]
            again = {_rel_name(p, raw) for p in changed}       # read again: their new size and rows replace these
            old_sources = [r for r in old_sources if r["file_name"] not in again]
        except (OSError, duckdb.Error) as exc:
            tmp.unlink(missing_ok=True)
            shutil.rmtree(scratch, ignore_errors=True)
            raise NorthstarError("incremental_copy_failed", db=str(db), err=str(exc)) from exc
    try:
        con = duckdb.connect(str(tmp))
    except (OSError, duckdb.Error) as exc:      # a full disk can stop the build here: leave nothing behind
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)
        if disk_full(exc):
            raise disk_full_error(db, "creating the new warehouse") from exc
        raise NorthstarError("new_warehouse_failed", db=str(db), err=str(exc)) from exc
    try:
        con.execute("set temp_directory = ?", [str(scratch / "spill")])
        _tune(con)
        con.execute("set variable as_of = ?::date", [as_of_date])
        con.execute("set variable incremental = ?", [kept is not None])    # core/orders_rejected.sql's passes
        # The company's time zone (goals.yaml time_zone, checked by load_plan): an aware timestamp in the data is
        # read as the time it was there, a naive one is taken as it; the server's zone never matters.
        con.execute(f"set TimeZone = {sql_str(plan.time_zone)}")
        if kept is None:
            step = "writing the org"
            _register_org(con, plan.org)

        def on_file(src: ingest.Source) -> None:
            size = src.path.stat().st_size / 1e6
            progress.note(f"reading {src.path.name} ({size:,.1f} MB, {src.format}) for {src.table}")

        step = "reading the raw files"
        new = "new " if kept is not None else ""
        what = f"read {n_files} {new}raw file{'s' if n_files != 1 else ''}"
        if changed:
            what += f" and {len(changed)} changed one{'s' if len(changed) != 1 else ''}"
        with progress.step(what):
            sources = ingest.read_sources(files, contract.TABLES, scratch, con, on_file=on_file, skip=kept)
        rows = sorted(old_sources + _source_rows(sources, raw), key=lambda r: r["file_id"])
        _register_sources(con, rows, sources, {s.file_id for s in sources if s.path in changed})
        for table in contract.TABLES.values():
            con.execute(f"create temp view land_{table.name} as {ingest.landing_sql(table, sources)}")
        for name in MODELS:
            if rows_only and name.startswith("marts/"):
                break
            step = f"running model {name}"
            with progress.step(f"model {name}"):
                if name == "core/changes.sql" and not changed:
                    continue                        # no file changed: nothing to compare
                run_model(con, name)
            if name == "core/changes.sql":
                why = con.execute("select getvariable('changes_need_full')").fetchall()[0][0]
                if why:
                    raise _NeedsFull(why)
        last_date = con.execute("select getvariable('last_date')").fetchall()[0][0]
        if not rows_only:
            step = "running the data tests"
            tests = data_tests()
            with progress.step(f"data tests ({len(tests)})"):
                run_data_tests(con, tests, refreshing=kept is not None)
        step = "writing build_info"
        took = time.perf_counter() - start
        con.execute("""create or replace table build_info as select ?::timestamptz as built_at,
            ?::double as build_seconds, ?::date as as_of, ?::date as last_date, ? as raw_dir, ? as config_dir,
            ? as duckdb_version, ? as org_hash, ? as mode, ? as sample, ? as time_zone, ?::integer as layout""",
                    [dt.datetime.now(dt.timezone.utc), took, as_of_date, last_date, str(raw), str(config),
                     duckdb.__version__, org_hash(plan.org), "incremental" if kept is not None else "full",
                     contract.sample_as_of(raw) is not None, plan.time_zone, LAYOUT])
        con.execute("create or replace table build_sources as select * from sources")
        # the company's calendar (goals.yaml calendar), for the month's shape (pipelines/okr/seasonal.py)
        con.execute("create or replace table company_calendar as select ?::varchar as spec", [plan.calendar.spec()])
        if derive is not None:
            # what a first view of the goal tree needs, worked out once here (pipelines/okr/pacebuild.py)
            step = "working out the month's pace"
            with progress.step("the month's pace (earlier months replayed, each node's shape)"):
                derive(con)
        result = _result(con, db, as_of_date, last_date)
        known = plan.calendar.past_public_years(last_date)
        if known is not None:
            result.notes.append(str(Words("calendar_past", year=known, last=str(last_date))))
        result.why_full = why_full
        if kept is not None:
            result.mode = "incremental"
            again = {_rel_name(p, raw) for p in changed}
            result.new_files = [r["file_name"] for r in rows if r["file_id"] in {s.file_id for s in sources}
                                and r["file_name"] not in again]
            result.changed_files = [r["file_name"] for r in rows if r["file_name"] in again]
        problems = shrink_problems(_previous_counts(db), result)
        if problems and not allow_shrink:
            result.shrink = problems
            raise ShrinkRefused("shrink_refused", db=str(db), problems=problems, as_of=str(as_of_date))
        result.shrink = problems
        with progress.step("checkpoint and swap in the new warehouse"):
            con.execute("checkpoint")
            con.close()
            Path(str(db) + ".wal").unlink(missing_ok=True)
            os.replace(tmp, db)
        step = "importing the plan into the plan store"
        with progress.step("import changed plan files into the plan store"):
            with PlanStore(store_path(db)) as store:
                result.plan_import = store.import_config(config, plan)
        result.plan_store = store_path(db)
        result.seconds = time.perf_counter() - start
        return result
    except NorthstarError:
        raise
    except duckdb.Error as exc:
        if disk_full(exc):
            raise disk_full_error(db, step) from exc
        first = str(exc).strip().splitlines()[0]
        raise NorthstarError("build_failed", step=step, err=first, db=str(db)) from exc
    except OSError as exc:
        if disk_full(exc):
            raise disk_full_error(db, step) from exc
        raise NorthstarError("build_failed", step=step, err=str(exc), db=str(db)) from exc
    finally:
        try:
            con.close()
        except duckdb.Error:
            pass
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)


class DataTestFailed(NorthstarError):
    """A data test found rows that break a rule the warehouse promises: the build stops before the swap."""


def data_tests() -> list[dict]:
    """The data tests (pipelines/warehouse/sql/tests/*.sql, dbt's way): each a query returning the rows that break one
    rule, with its rule in Chinese and English from its first two comment lines (`-- zh: …`, `-- en: …`)."""
    out = []
    for path in sorted((SQL_DIR / "tests").glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        said = dict(line[3:].split(": ", 1) for line in sql.splitlines()[:2] if line.startswith(("-- zh:", "-- en:")))
        out.append({"name": path.stem, "sql": sql, "zh": said.get("zh", path.stem), "en": said.get("en", path.stem)})
    return out


def data_test_scope(con: duckdb.DuckDBPyConnection, refreshing: bool) -> None:
    """What the data tests look at: `refreshing()` is true in an incremental refresh, whose tests check the rows it
    loads (`run_row(_file_id, _line)`: added files, changed lines) where a rule is about single rows or their ids,
    since every other row passed when it was loaded; a full build checks every row."""
    con.execute("create temp table if not exists added_files (file_id int)")
    con.execute("create temp table if not exists changed_keys (k bigint)")
    con.execute(f"create or replace temp macro refreshing() as {'true' if refreshing else 'false'}")
    con.execute(RUN_ROW)


def run_data_tests(con: duckdb.DuckDBPyConnection, tests: list[dict] | None = None,
                   refreshing: bool = False) -> list[dict]:
    """Runs every data test on the warehouse being built and records the results (`data_tests`, for the Data page);
    raises DataTestFailed naming the test, its rule and a few offending rows when any finds a row. Runs after the
    marts and before the swap, so a failed build keeps the previous warehouse. `refreshing`: see
    `data_test_scope`."""
    data_test_scope(con, refreshing)
    results = []
    for test in data_tests() if tests is None else tests:
        failing = con.execute(f"select count(*) from ({test['sql']})").fetchall()[0][0]
        examples = con.execute(f"select * from ({test['sql']}) limit 3").fetchall() if failing else []
        results.append({**test, "failing": failing, "examples": examples})
    con.execute("create or replace table data_tests (name varchar, rule_zh varchar, rule_en varchar, "
                "failing_rows bigint)")
    con.executemany("insert into data_tests values (?, ?, ?, ?)",
                    [(r["name"], r["zh"], r["en"], r["failing"]) for r in results])
    broken = [r for r in results if r["failing"]]
    if broken:
        raise DataTestFailed("data_tests_failed", tests=[
            Words("data_test_failed", name=r["name"], rule=r["en"], rows=r["failing"], examples=str(r["examples"]))
            for r in broken])
    return results


def _result(con, db: Path, as_of: dt.date, last_date) -> BuildResult:
    res = BuildResult(db=db, as_of=as_of, last_date=last_date, seconds=0.0)
    cols = ["table", "file", "format", "encoding", "read", "loaded", "rejected", "last_date", "note"]
    res.files = [dict(zip(cols, row)) for row in con.execute("select * from ingest_files").fetchall()]
    res.reasons = con.execute("select table_name, reason_code, count(*) from rejects group by all "
                              "order by table_name, count(*) desc").fetchall()
    res.warnings = [r[0] for r in con.execute("select message from warnings").fetchall()]
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    for t in ("stations", "members", "orders", "rejects", "daily_node_facts", "member_joins",
              "daily_active_members", "daily_network"):
        if t in have:                      # (a rows-only trial has no marts)
            res.tables[t] = con.execute(f"select count(*) from {t}").fetchall()[0][0]
    return res


def format_summary(res: BuildResult) -> str:
    """The per-file summary printed after a build."""
    if res.mode == "unchanged":
        return (f"warehouse {res.db} is up to date: no new raw files since the last build (last date in data "
                f"{res.last_date or '—'}); nothing was rebuilt.")
    how = {
        "incremental": f"refreshed incrementally with {len(res.new_files)} new file"
        f"{'s' if len(res.new_files) != 1 else ''}" + (f" ({', '.join(res.new_files)})" if res.new_files else "")
        + (f" and {len(res.changed_files)} changed one{'s' if len(res.changed_files) != 1 else ''} "
           f"({', '.join(res.changed_files)})" if res.changed_files else "")
    }.get(res.mode, "built")
    lines = [f"warehouse {res.db} {how} in {res.seconds:.1f} s (as-of {res.as_of}, last date in data "
             f"{res.last_date or '—'})", ""]
    if res.why_full:
        lines[1:1] = [f"a full build, not incremental: {res.why_full}", ""]
    w = max([len(f["file"]) for f in res.files] + [4])
    lines.append(f"  {'table':<9} {'file':<{w}} {'format':<9} {'read':>12} {'loaded':>12} {'rejected':>10}")
    for f in res.files:
        fmt = f["encoding"] if f["format"] == "csv" else f["format"]
        lines.append(f"  {f['table']:<9} {f['file']:<{w}} {fmt:<9} {f['read']:>12,} {f['loaded']:>12,} "
                     f"{f['rejected']:>10,}" + (f"  ({f['note']})" if f["note"] else ""))
    tot = [sum(f[k] for f in res.files) for k in ("read", "loaded", "rejected")]
    lines.append(f"  {'total':<9} {'':<{w}} {'':<9} {tot[0]:>12,} {tot[1]:>12,} {tot[2]:>10,}")
    if res.reasons:
        lines += ["", "rejected rows by reason (see the rejects table for each row):"]
        lines += [f"  {t:<9} {code:<24} {n:>10,}" for t, code, n in res.reasons]
    if res.plan_import is not None:
        imp = res.plan_import
        if imp.files:
            lines += ["", f"plan store {res.plan_store}: imported {', '.join(imp.files)} ({imp.describe()})"]
        else:
            lines += ["", f"plan store {res.plan_store}: config files unchanged since the last import"]
    if res.notes:
        lines += [""] + [f"note: {n}" for n in res.notes]
    if res.warnings:
        lines += ["", f"warnings ({len(res.warnings)}): loaded under 'unassigned'"]
        lines += [f"  - {m}" for m in res.warnings[:10]]
        if len(res.warnings) > 10:
            lines.append(f"  … and {len(res.warnings) - 10} more (see the warnings table)")
    return "\n".join(lines)
