"""`pull`: new and changed rows of the company's database into the raw folder (issue 23), and `refresh`'s lock.

For each table of a source (sources.yaml), one query reads the rows whose watermark column is at or after the
last pull's highest value (all rows the first time), streamed in Arrow batches by connectorx (PostgreSQL, MySQL,
MariaDB; no DuckDB extension, no pandas copy) into a hidden Parquet file. Then, against the rows earlier pulls
of the source wrote (`<table>-<source>-<UTC time>.parquet` in the raw folder):

- a row identical to one already held is dropped (the last pull's newest rows come again: `>=`, so a row
  committed late with the same watermark is not missed);
- a row whose id is held with other values (a refund, a closing) replaces the held row in the file that holds
  it, at its line: the raw folder keeps one row per id, the database's latest, and `build --incremental` loads
  just the lines that changed;
- every other row is new and goes to one new file for the pull, which `build --incremental` picks up.

The watermark is recorded in the plan store after the files are in place, so a pull that fails leaves the raw
folder and the next pull's start as they were; one that dies between the two reads the same rows again and
finds them held. connectorx takes no bind parameters: the one value put into the query is the watermark, which
comes from the database's own rows and is written back as a typed literal built from a parsed int, date or
timestamp (text only of letters, digits and -_.: ), never from anyone's input.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.base.errors import NorthstarError
from pipelines.base.quote import sql_str
from pipelines.warehouse.contract import TABLES
from pipelines.warehouse.sources import Source, TableSource, quote

BATCH_ROWS = 100_000
SAFE_TEXT = re.compile(r"[A-Za-z0-9_.:\- ]{0,100}")
SAFE_ID = re.compile(r"[\w.:\-]{1,100}")      # an id that may stand in a literal (letters of any script, digits, _.:-)
ID_CHUNK = 1000


@dataclass
class Pulled:
    source: str
    table: str
    rows_read: int = 0
    rows_new: int = 0
    rows_changed: int = 0
    rows_held: int = 0                      # read again, identical to a row already held
    duplicates: int = 0                     # ids the source now holds twice: their new row is kept beside the old
    file: str = ""                          # the new file (relative to the raw folder), "" when nothing was new
    rewritten: list[str] = field(default_factory=list)
    since: dict | None = None               # the watermark the pull started from
    watermark: dict | None = None           # where the next starts
    removed: list[str] = field(default_factory=list)    # --full: the earlier files it replaced
    seconds: float = 0.0

    def line(self) -> str:
        start = "every row" if self.since is None else f"{describe(self.since)} and later"
        parts = [f"{self.rows_new:,} new" + (f" → {self.file}" if self.file else "")]
        if self.removed:
            parts.append(f"replacing {len(self.removed)} earlier file{'s' * (len(self.removed) != 1)}")
        else:
            parts.append(f"{self.rows_changed:,} changed" + (f" (in {', '.join(self.rewritten)})" if self.rewritten
                                                              else ""))
            parts.append(f"{self.rows_held:,} already held")
            if self.duplicates:
                parts.append(f"{self.duplicates:,} id{'s' * (self.duplicates != 1)} the source now holds twice (the "
                             "second row kept beside the first: the build rejects one as duplicate_id)")
        return (f"pull {self.source}.{self.table}: {self.rows_read:,} rows read ({start}) in {self.seconds:.1f} s: "
                + ", ".join(parts))


def describe(wm: dict) -> str:
    return f"{wm['column']} ≥ {wm['value']}"


def literal(engine: str, wm: dict) -> str:
    """The watermark as a typed SQL literal for the engine, rebuilt from its parsed value (never pasted as given)."""
    kind, value = wm.get("type"), str(wm.get("value", ""))
    try:
        if kind == "int":
            return str(int(value))
        if kind == "date":
            return f"DATE '{dt.date.fromisoformat(value).isoformat()}'"
        if kind == "timestamp":
            return f"TIMESTAMP '{dt.datetime.fromisoformat(value).replace(tzinfo=None).isoformat(sep=' ')}'"
        if kind == "timestamptz":
            when = dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc)
            if engine == "postgresql":
                return f"TIMESTAMPTZ '{when.isoformat(sep=' ')}'"
            return f"TIMESTAMP '{when.replace(tzinfo=None).isoformat(sep=' ')}'"
        if kind == "text" and SAFE_TEXT.fullmatch(value):
            return f"'{value}'"
    except ValueError:
        pass
    raise NorthstarError("watermark_unusable", value=value, kind=kind)


def _watermark_of(column: str, arrow_type: pa.DataType, value) -> dict:
    """The largest watermark read, kept in the plan store as {column, type, value}."""
    if pa.types.is_integer(arrow_type):
        kind, text = "int", str(int(value))
    elif pa.types.is_timestamp(arrow_type):
        if arrow_type.tz:
            kind, text = "timestamptz", value.astimezone(dt.timezone.utc).isoformat()
        else:
            kind, text = "timestamp", value.isoformat()
    elif pa.types.is_date(arrow_type):
        kind, text = "date", value.isoformat()
    elif pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        kind, text = "text", str(value)
        if not SAFE_TEXT.fullmatch(text):
            raise NorthstarError("watermark_text", column=column, text=text[:40])
    else:
        raise NorthstarError("watermark_type", column=column, type=str(arrow_type))
    return {"column": column, "type": kind, "value": text}


def select_sql(engine: str, ts: TableSource, since: dict | None) -> str:
    """The query one pull runs: the contract columns under their contract names, the watermark as _wm."""
    cols = []
    for name, src in ts.columns.items():
        cols.append(f"null as {quote(engine, name)}" if src is None
                    else f"src.{quote(engine, src)} as {quote(engine, name)}")
    rel = quote(engine, ts.relation) if ts.relation else f"({ts.query})"
    sql = f"select {', '.join(cols)}, src.{quote(engine, ts.watermark)} as _wm from {rel} src"
    if since is not None:
        sql += f" where src.{quote(engine, ts.watermark)} >= {literal(engine, since)}"
    return sql


def mask_url(text: str) -> str:
    """A driver's message without the password of any connection string in it."""
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)


def _local(batch: pa.RecordBatch, time_zone: str) -> pa.RecordBatch:
    """Timestamps with a zone become the plan's local time without one (the contract's timestamps are local)."""
    arrays = []
    for name, arr in zip(batch.schema.names, batch.columns):
        if name != "_wm" and pa.types.is_timestamp(arr.type) and arr.type.tz:
            arr = pc.local_timestamp(arr.cast(pa.timestamp(arr.type.unit, tz=time_zone)))
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _read(url: str, sql: str, out: Path, time_zone: str, say: Callable[[str], None], label: str,
          batch_rows: int) -> tuple[int, pa.Schema | None]:
    """Streams the query's rows into `out` (Parquet); returns the row count and the schema. A refused sign-in is
    reported once the driver's connection pool gives up (30 s); its Rust log lines are off unless RUST_LOG says."""
    os.environ.setdefault("RUST_LOG", "off")
    import connectorx as cx

    try:
        reader = cx.read_sql(url, sql, return_type="arrow_stream", batch_size=batch_rows)
    except Exception as exc:  # noqa: BLE001 - the driver raises plain RuntimeErrors with the server's words
        raise NorthstarError(
            "database_said", label=label, err=mask_url(str(exc)).strip().splitlines()[0][:400]
        ) from None
    rows, writer, shown = 0, None, time.monotonic()
    start = shown
    try:
        for batch in reader:
            batch = _local(batch, time_zone)
            if writer is None:
                writer = pq.ParquetWriter(out, batch.schema)
            writer.write_batch(batch)
            rows += batch.num_rows
            if time.monotonic() - shown > 2:
                shown = time.monotonic()
                say(f"{label}: {rows:,} rows read ({rows / (shown - start):,.0f} a second) …")
    except Exception as exc:  # noqa: BLE001
        raise NorthstarError("pull_stopped", label=label, rows=rows,
                             err=mask_url(str(exc)).strip().splitlines()[0][:400]) from None
    finally:
        if writer is not None:
            writer.close()
    return rows, (writer.schema if writer is not None else None)


def duplicated_in_source(url: str, engine: str, ts: TableSource, key: str, ids: list) -> set:
    """Of `ids` (held ids an incoming row carries), those the source holds more than one row of now. A row that
    arrives with a held id is a change only when the source has one row of that id; with two (a table without a
    primary key) it is a second row, which a first or `--full` pull would have brought beside the first — so it
    must be a duplicate here too, whatever the pull history. The ids go into the query as quoted literals only when
    they are plain (letters, digits, _.:-); otherwise the source is asked for all its duplicated ids instead."""
    import connectorx as cx

    inner = select_sql(engine, ts, None)
    col = quote(engine, key)
    ids = [str(i) for i in ids if i is not None]
    if not ids:
        return set()
    if all(SAFE_ID.fullmatch(i) for i in ids):
        queries = [f"select q.{col} as id from ({inner}) q where q.{col} in ("
                   + ", ".join(f"'{i}'" for i in ids[n:n + ID_CHUNK]) + f") group by q.{col} having count(*) > 1"
                   for n in range(0, len(ids), ID_CHUNK)]
    else:
        queries = [f"select q.{col} as id from ({inner}) q group by q.{col} having count(*) > 1"]
    found: set = set()
    for sql in queries:
        try:
            table = cx.read_sql(url, sql, return_type="arrow")
        except Exception as exc:  # noqa: BLE001 - the driver raises plain RuntimeErrors with the server's words
            raise NorthstarError("pull_duplicates", table=ts.table,
                                 err=mask_url(str(exc)).strip().splitlines()[0][:400]) from None
        found.update(str(v) for v in table.column(0).to_pylist())
    return found & set(ids)


def _row_hash(columns: list[str]) -> str:
    return "md5(to_json([" + ", ".join(f'"{c}"::varchar' for c in columns) + "]))"


def _stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def held_files(raw: Path, source: str, table: str) -> list[Path]:
    """The raw files earlier pulls of `source` wrote for `table`, oldest first."""
    return sorted(p for p in raw.glob(f"{table}-{source}-*.parquet") if re.fullmatch(
        rf"{table}-{source}-\d{{8}}T\d{{12}}Z\.parquet", p.name))


def _write(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    con.execute(f"copy ({select}) to {sql_str(tmp)} (format parquet)")
    os.replace(tmp, path)


def pull_table(source: Source, ts: TableSource, raw: Path, since: dict | None, url: str, time_zone: str,
               full: bool = False, say: Callable[[str], None] = lambda line: None,
               batch_rows: int = BATCH_ROWS) -> Pulled:
    """One table of one source; the caller records the watermark (see `pull`)."""
    started = time.perf_counter()
    label = f"pull {source.id}.{ts.table}"
    table = TABLES[ts.table]
    cols, key = table.column_names, table.id_column
    result = Pulled(source.id, ts.table, since=None if full else since)
    tmp = raw / f".pull-{source.id}-{ts.table}-{os.getpid()}.parquet"
    held = held_files(raw, source.id, ts.table)
    try:
        rows, schema = _read(url, select_sql(source.engine, ts, None if full else since), tmp, time_zone, say,
                             label, batch_rows)
        result.rows_read = rows
        result.watermark = since if not full else None
        if rows == 0:
            if full and held:                # the table is empty now: nothing of it is held any more
                for path in held:
                    path.unlink()
                result.removed = [p.name for p in held]
            result.seconds = time.perf_counter() - started
            return result
        with duckdb.connect() as con:
            plain = ", ".join(f'"{c}"' for c in cols)
            top = con.execute(f"select max(_wm) from read_parquet({sql_str(tmp)})").fetchone()[0]
            if top is not None:
                result.watermark = _watermark_of(ts.watermark, schema.field("_wm").type, top)
            out = raw / f"{ts.table}-{source.id}-{_stamp()}.parquet"
            if full or not held:        # every row is new: streamed from the pull's file, in its order
                _write(con, f"select {plain} from read_parquet({sql_str(tmp)})", out)
                result.rows_new, result.file = rows, out.name
                if full:
                    for path in held:
                        path.unlink()
                    result.removed = [p.name for p in held]
            else:
                # Only the held rows that could match an incoming one (its id, or no id) are hashed: a night's
                # change against 100M held orders reads their ids, not their rows into memory.
                con.execute(f"create temp table inc as select {plain}, file_row_number as _n, {_row_hash(cols)} as _h "
                            f"from read_parquet({sql_str(tmp)}, file_row_number = true)")
                files = "[" + ", ".join(sql_str(p) for p in held) + "]"
                con.execute(f'create temp table held as select "{key}" as id, {_row_hash(cols)} as _h, filename '
                            f"from read_parquet({files}, filename = true, union_by_name = true) "
                            f'where "{key}" is null or "{key}" in (select "{key}" from inc)')
                con.execute("create temp table fresh as select * from inc where _h not in (select _h from held)")
                con.execute(f'create temp table moved as select f."{key}" as id, min(h.filename) as filename '
                            f'from fresh f join held h on f."{key}" = h.id group by all')
                # an id the source now holds twice is a second row, not a change: it goes with the new rows (the
                # build rejects one of the two as duplicate_id, as it would after a first or a full pull)
                twice = duplicated_in_source(url, source.engine, ts, key,
                                             [r[0] for r in con.execute("select id from moved").fetchall()])
                if twice:
                    con.execute("delete from moved where id in (select unnest(?::varchar[]))", [sorted(twice)])
                    result.duplicates = len(twice)
                result.rows_held = rows - con.execute("select count(*) from fresh").fetchone()[0]
                result.rows_changed = con.execute(f'select count(*) from fresh where "{key}" in (select id from moved)'
                                                  ).fetchone()[0]
                result.rows_new = rows - result.rows_held - result.rows_changed
                if result.rows_new:
                    _write(con, f'select {plain} from fresh where "{key}" is null or "{key}" not in '
                                f"(select id from moved) order by _n", out)
                    result.file = out.name
                touched = [r[0] for r in con.execute("select distinct filename from held where id in "
                                                     "(select id from moved) order by 1").fetchall()]
                # The changed row takes the held row's place (its line): `build --incremental` compares a
                # rewritten file line by line with what it loaded, and loads only the lines that changed.
                fresh_cols = ", ".join(f'f."{c}"' for c in cols)
                held_cols = ", ".join(f'h."{c}"' for c in cols)
                for name in touched:
                    _write(con, f"with h as (select {plain}, file_row_number as _n "
                                f"from read_parquet({sql_str(name)}, file_row_number = true)) "
                                f"select {plain} from ("
                                f'select {held_cols}, h._n from h where h."{key}" is null or h."{key}" not in '
                                f"(select id from moved) "
                                f'union all select {fresh_cols}, h._n from h join fresh as f on f."{key}" = h."{key}" '
                                f'where h."{key}" in (select id from moved where filename = {sql_str(name)})) '
                                "order by _n", Path(name))
                result.rewritten = [Path(n).name for n in touched]
    finally:
        tmp.unlink(missing_ok=True)
    result.seconds = time.perf_counter() - started
    return result


STALE_TMP_SECONDS = 600      # a file being written is touched every few seconds; one untouched this long is dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(raw: Path, now: float | None = None) -> list[str]:
    """What killed pulls left in the raw folder: `.pull-<source>-<table>-<pid>.parquet` of a process that is gone,
    and `.<file>.parquet.tmp` rewrites untouched for STALE_TMP_SECONDS. Removed at the start of every pull (the
    build never reads a dot-file, but each was megabytes, never removed). Returns the names removed."""
    now = time.time() if now is None else now
    gone = []
    for path in raw.glob(".pull-*.parquet"):
        m = re.fullmatch(r"\.pull-.+-(\d+)\.parquet", path.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            path.unlink(missing_ok=True)
            gone.append(path.name)
    for path in raw.glob(".*.parquet.tmp"):
        try:
            if now - path.stat().st_mtime > STALE_TMP_SECONDS:
                path.unlink(missing_ok=True)
                gone.append(path.name)
        except FileNotFoundError:
            continue
    return gone


def pull(source: Source, raw: Path, db: Path, time_zone: str, full: bool = False, env=None,
         say: Callable[[str], None] = lambda line: None, tables: list[str] | None = None,
         batch_rows: int = BATCH_ROWS) -> list[Pulled]:
    """Every table of a source (or those named), each recorded in the plan store once its files are in place."""
    from pipelines.plan.store import PlanStore, store_path

    url = source.url(env)
    raw.mkdir(parents=True, exist_ok=True)
    clean_leftovers(raw)
    done = []
    with PlanStore(store_path(db)) as store:
        for name, ts in source.tables.items():
            if tables and name not in tables:
                continue
            since = None if full else store.runs.watermark(source.id, name)
            got = pull_table(source, ts, raw, since, url, time_zone, full, say, batch_rows)
            store.runs.log_pull(source.id, name, got.watermark, got.rows_read, got.rows_new, got.rows_changed, got.file,
                           full)
            say(got.line())
            done.append(got)
    return done


def refresh_lock(db: Path):
    """One refresh at a time per warehouse (a lock file beside it): a second one stops at once and says who holds
    the lock."""
    from pipelines.warehouse.build import held_lock

    return held_lock(db.with_name(db.name + ".refresh.lock"),
                     json.dumps({"pid": os.getpid(), "started": dt.datetime.now().isoformat(timespec="seconds")}),
                     lambda who: ("refresh_busy", {"db": str(db), "holder": who}))
