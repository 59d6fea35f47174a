"""How fresh and complete the warehouse is, for the Data page: the build, each raw file's rows read / loaded /
rejected and last date, the rejected rows by reason with examples, and the rows attributed to `unassigned`
because the org does not know a value. Reads the tables the build writes (build_info, ingest_files, rejects,
warnings); nothing is recomputed.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

import duckdb

from pipelines.errors import NorthstarError

STALE_AFTER_DAYS = 2


def report(con: duckdb.DuckDBPyConnection, today: dt.date) -> dict:
    """{build, files, totals, reasons, warnings, stale, days_old}: stale when the last date in the data is more
    than STALE_AFTER_DAYS days before `today`."""
    try:
        built_at, seconds, as_of, last, raw_dir, config_dir = con.execute(
            "select built_at, build_seconds, as_of, last_date, raw_dir, config_dir from build_info").fetchall()[0]
        files = [dict(zip(("table", "file", "format", "encoding", "read", "loaded", "rejected", "last_date", "note"), r))
                 for r in con.execute("""select table_name, file_name, format, encoding, rows_read, rows_loaded,
                                         rows_rejected, last_date, note from ingest_files
                                         order by case table_name when 'stations' then 0 when 'members' then 1
                                                  else 2 end, file_name""").fetchall()]
        reasons = [dict(zip(("table", "reason_code", "rows", "example"), r)) for r in con.execute("""
            select table_name, reason_code, count(*), min(reason) from rejects group by all
            order by count(*) desc, table_name, reason_code""").fetchall()]
        warnings = [dict(zip(("table", "field", "value", "attributed_to", "rows", "message"), r)) for r in con.execute(
            "select table_name, field, value, attributed_to, rows, message from warnings order by rows desc").fetchall()]
    except duckdb.Error as exc:
        raise NorthstarError(f"the warehouse has no build report ({str(exc).splitlines()[0]}); rebuild it with "
                             "`python -m pipelines build`.") from None
    totals = {k: sum(f[k] for f in files) for k in ("read", "loaded", "rejected")}
    days_old = None if last is None else (today - last).days
    return {"build": {"built_at": built_at, "seconds": seconds, "as_of": as_of, "last_date": last,
                      "raw_dir": raw_dir, "config_dir": config_dir},
            "files": files, "totals": totals, "reasons": reasons, "warnings": warnings,
            "days_old": days_old, "stale": days_old is not None and days_old > STALE_AFTER_DAYS}


def reject_examples(con: duckdb.DuckDBPyConnection, per_reason: int = 5) -> list[dict]:
    """A few rejected rows of every (table, reason): source file, line, raw row, reason."""
    rows = con.execute("""
        select table_name, reason_code, source_file, line, reason, raw_row from (
            select *, row_number() over (partition by table_name, reason_code order by source_file, line) as n
            from rejects) where n <= ? order by table_name, reason_code, source_file, line""", [per_reason]).fetchall()
    return [dict(zip(("table", "reason_code", "file", "line", "reason", "raw_row"), r)) for r in rows]


def rejects_csv(con: duckdb.DuckDBPyConnection) -> bytes:
    """Every rejected row as CSV (UTF-8 with BOM, so Excel shows the Chinese): table, file, line, reason, raw row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["table", "source_file", "line", "reason_code", "reason", "raw_row"])
    for r in con.execute("""select table_name, source_file, line, reason_code, reason, raw_row from rejects
                            order by table_name, source_file, line""").fetchall():
        w.writerow(r)
    return buf.getvalue().encode("utf-8-sig")
