"""How fresh and complete the warehouse is, for the Data page: the build, each raw file's rows read / loaded /
rejected and last date, the rejected rows by reason with examples, and the rows attributed to `unassigned`
because the org does not know a value. Reads the tables the build writes (build_info, ingest_files, rejects,
warnings); nothing is recomputed.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import duckdb

from pipelines.base import csvsafe
from pipelines.base.errors import NorthstarError

STALE_AFTER_DAYS = 2


def _build_info(con: duckdb.DuckDBPyConnection) -> dict:
    cur = con.execute("select * from build_info")
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0]))


def data_age(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict:
    """How old the data is: {last_date, days_old, stale, sample}. Stale when the last date in the data is more than
    STALE_AFTER_DAYS days before `today`; never for the sample company's data (`python -m pipelines sample`), whose
    dates are fixed: it is called the sample instead."""
    try:
        info = _build_info(con)
    except (duckdb.Error, IndexError) as exc:
        raise NorthstarError("no_build_report", err=str(exc).splitlines()[0]) from None
    last, sample = info.get("last_date"), bool(info.get("sample"))
    days_old = None if last is None else (today - last).days
    return {"last_date": last, "days_old": days_old, "sample": sample,
            "stale": not sample and days_old is not None and days_old > STALE_AFTER_DAYS}


def report(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict:
    """{build, files, totals, reasons, warnings, stale, days_old, sample}: see `data_age` for stale."""
    try:
        info = _build_info(con)
        built_at, seconds, as_of, last, raw_dir, config_dir = (info[k] for k in (
            "built_at", "build_seconds", "as_of", "last_date", "raw_dir", "config_dir"))
        files = [
            dict(zip(("table", "file", "format", "encoding", "read", "loaded", "rejected", "last_date", "note"), r))
            for r in con.execute("""select table_name, file_name, format, encoding, rows_read, rows_loaded,
                                         rows_rejected, last_date, note from ingest_files
                                         order by case table_name when 'stations' then 0 when 'members' then 1
                                                  else 2 end, file_name""").fetchall()
        ]
        reasons = [dict(zip(("table", "reason_code", "rows", "example", "example_code", "example_args"), r))
                   for r in con.execute("""
            select table_name, reason_code, count(*), min(reason), min_by(detail_code, reason),
                min_by(detail_args, reason) from rejects group by all
            order by count(*) desc, table_name, reason_code""").fetchall()]
        warnings = [dict(zip(("table", "field", "value", "attributed_to", "rows", "message"), r)) for r in con.execute(
            "select table_name, field, value, attributed_to, rows, message from warnings order by rows desc"
        ).fetchall()]
        tested = {r[0] for r in con.execute("select table_name from duckdb_tables() where table_name = 'data_tests'"
                                            ).fetchall()}
        checks = [dict(zip(("name", "zh", "en", "failing"), r)) for r in con.execute(
            "select name, rule_zh, rule_en, failing_rows from data_tests order by name").fetchall()] if tested else []
    except (duckdb.Error, IndexError, KeyError) as exc:
        raise NorthstarError("no_build_report", err=str(exc).splitlines()[0]) from None
    totals = {k: sum(f[k] for f in files) for k in ("read", "loaded", "rejected")}
    age = data_age(con, today)
    return {"build": {"built_at": built_at, "seconds": seconds, "as_of": as_of, "last_date": last,
                      "raw_dir": raw_dir, "config_dir": config_dir,
                      "time_zone": info.get("time_zone") or "Asia/Shanghai"},
            "files": files, "totals": totals, "reasons": reasons, "warnings": warnings, "checks": checks,
            "days_old": age["days_old"], "stale": age["stale"], "sample": age["sample"]}


def _fields(raw_row: str | None) -> dict | None:
    try:
        fields = json.loads(raw_row or "")
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


def _masked(fields: dict) -> dict:
    from pipelines.base.privacy import mask_phone

    return {k: (mask_phone(v) if k == "phone" and v not in (None, "") else v) for k, v in fields.items()}


def raw_columns(raw_row: str | None) -> dict:
    """A rejected row's raw fields as columns, phone masked (138****1234): what a person reads instead of JSON. A
    row that could not be split into fields (a wrong number of fields) is one `raw` column. (The build stores
    phones masked already; this masks again for a warehouse built before it did.)"""
    fields = _fields(raw_row)
    return {"raw": raw_row or ""} if fields is None else _masked(fields)


def _masked_raw(raw_row: str | None) -> str | None:
    """The raw row as stored, with its phone masked (JSON rows; others are returned as they are)."""
    fields = _fields(raw_row)
    return raw_row if fields is None else json.dumps(_masked(fields), ensure_ascii=False)


def reject_examples(con: duckdb.DuckDBPyConnection, per_reason: int = 5, tables: tuple[str, ...] | None = None
                    ) -> list[dict]:
    """A few rejected rows of every (table, reason): source file, line, reason, and the raw row as columns with its
    phone masked (`columns`; `raw_row` is the stored text, masked too). Only `tables` when given."""
    rows = con.execute("""
        select table_name, reason_code, source_file, line, reason, raw_row, detail_code, detail_args from (
            select *, row_number() over (partition by table_name, reason_code order by source_file, line) as n
            from rejects) where n <= ? order by table_name, reason_code, source_file, line""", [per_reason]).fetchall()
    out = [dict(zip(("table", "reason_code", "file", "line", "reason", "raw_row", "detail_code", "detail_args"), r))
           for r in rows
           if tables is None or r[0] in tables]
    return [{**e, "columns": raw_columns(e["raw_row"]), "raw_row": _masked_raw(e["raw_row"])} for e in out]


def rejects_csv(con: duckdb.DuckDBPyConnection) -> bytes:
    """Every rejected row as CSV (UTF-8 with BOM, so Excel shows the Chinese): table, file, line, reason, raw row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["table", "source_file", "line", "reason_code", "reason", "raw_row"])   # cells: csvsafe
    for r in con.execute("""select table_name, source_file, line, reason_code, reason, raw_row from rejects
                            order by table_name, source_file, line""").fetchall():
        w.writerow(csvsafe.row([*r[:5], _masked_raw(r[5])]))   # personal data leaves masked, formulas inert
    return buf.getvalue().encode("utf-8-sig")
