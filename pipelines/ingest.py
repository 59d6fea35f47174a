"""Reads raw files of any supported format into one uniform shape: a DuckDB view per table with
`_file_id`, `_line` and every contract column as text.

- Parquet is read in place by DuckDB (`_line` is the row number, 1-based).
- CSV (UTF-8, UTF-8 with BOM, GB18030) is read with Python's csv module, which knows each record's physical
  line, and staged to a scratch Parquet file in batches. A record with the wrong number of fields cannot be
  mapped to columns: it becomes a reject right here, with its line and text.
- XLSX (first sheet, first row = header) is staged the same way; `_line` is the sheet's row number.

A file that cannot be read at all, or lacks a required column, stops the build with one clear message.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.contract import FORMATS, Table
from pipelines.errors import NorthstarError

BATCH_ROWS = 100_000
csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class Source:
    """One raw file and how it was read."""

    file_id: int
    table: str
    path: Path
    format: str
    encoding: str = ""
    rows_read: int = 0
    staged: Path | None = None               # scratch Parquet for CSV / XLSX
    columns: list[str] = field(default_factory=list)
    early_rejects: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, code, detail, raw
    note: str = ""


def sql_str(value: str | Path) -> str:
    """A SQL string literal (file paths cannot be bound as parameters in table functions' DDL)."""
    return "'" + str(value).replace("'", "''") + "'"


def _detect_encoding(path: Path) -> str:
    """utf-8-sig for a BOM, utf-8 when the head decodes as UTF-8, else gb18030 (Chinese Excel's export)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _missing(table: Table, columns: list[str], path: Path) -> None:
    missing = [c for c in table.required if c not in columns]
    if missing:
        found = ", ".join(columns[:12]) + (" …" if len(columns) > 12 else "") if columns else "none"
        raise NorthstarError(
            f"{path}: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"for table {table.name} (columns found: {found}). Rename the column in the file "
            f"(names are exact, see README 'Data contract') and build again; the previous warehouse still serves.")


class _Stager:
    """Writes text columns in batches to a scratch Parquet file."""

    def __init__(self, out: Path, table: Table):
        self.names = ["_line"] + table.column_names
        self.schema = pa.schema([("_line", pa.int64())] + [(c, pa.string()) for c in table.column_names])
        self.writer = pq.ParquetWriter(out, self.schema, compression="zstd")
        self.cols: list[list] = [[] for _ in self.names]

    def add(self, line: int, values: list) -> None:
        self.cols[0].append(line)
        for i, v in enumerate(values, start=1):
            self.cols[i].append(v)
        if len(self.cols[0]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.cols[0]:
            self.writer.write_table(pa.table(self.cols, schema=self.schema))
            self.cols = [[] for _ in self.names]

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _stage_csv(src: Source, table: Table, scratch: Path) -> None:
    src.encoding = _detect_encoding(src.path)
    try:
        _stage_csv_with(src, table, scratch, src.encoding)
    except UnicodeDecodeError:
        if src.encoding == "gb18030":
            raise NorthstarError(f"{src.path}: the file is neither UTF-8 nor GB18030 text. Save it as CSV UTF-8 "
                                 "(Excel: Save As → CSV UTF-8) and build again.") from None
        src.encoding = "gb18030"  # valid UTF-8 at the head, not further on: Chinese Excel export
        _stage_csv_with(src, table, scratch, src.encoding)


def _stage_csv_with(src: Source, table: Table, scratch: Path, encoding: str) -> None:
    src.rows_read, src.early_rejects, src.staged = 0, [], None
    stager: _Stager | None = None
    try:
        with open(src.path, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh)
            header: list[str] | None = None
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue  # blank line: not a row
                if header is None:
                    header = [h.strip().lstrip("\ufeff") for h in row]
                    src.columns = header
                    _missing(table, header, src.path)
                    index = [header.index(c) if c in header else None for c in table.column_names]
                    src.staged = scratch / f"{src.file_id:04d}-{table.name}.parquet"
                    stager = _Stager(src.staged, table)
                    continue
                src.rows_read += 1
                if len(row) != len(header):
                    src.early_rejects.append((reader.line_num, "bad_row",
                                              f"row has {len(row)} fields but the header has {len(header)}",
                                              ",".join(row)))
                    continue
                stager.add(reader.line_num, [row[i] if i is not None else None for i in index])
        if header is None:
            src.note = "empty file: no header and no rows"
    finally:
        if stager is not None:
            stager.close()


def _cell(value) -> str | None:
    """An Excel cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _stage_xlsx(src: Source, table: Table, scratch: Path) -> None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise NorthstarError(f"{src.path}: cannot be opened as an Excel workbook ({exc}). "
                             "Save it again as .xlsx, or export it as CSV UTF-8.") from None
    src.encoding = "xlsx"
    try:
        ws = wb[table.name] if table.name in wb.sheetnames else wb.worksheets[0]
        header: list[str] | None = None
        stager = None
        for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in row]
            if not any(c is not None and c.strip() for c in cells):
                continue
            if header is None:
                header = [(c or "").strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                src.columns = header
                _missing(table, header, src.path)
                index = [header.index(c) if c in header else None for c in table.column_names]
                src.staged = scratch / f"{src.file_id:04d}-{table.name}.parquet"
                stager = _Stager(src.staged, table)
                continue
            src.rows_read += 1
            stager.add(line, [cells[i] if i is not None and i < len(cells) else None for i in index])
        if header is None:
            src.note = "empty sheet: no header and no rows"
        else:
            stager.close()
    finally:
        wb.close()


def _inspect_parquet(src: Source, table: Table, con: duckdb.DuckDBPyConnection) -> None:
    try:
        cols = con.execute(f"select name from parquet_schema({sql_str(src.path)}) where num_children is null "
                           "or num_children = 0").fetchall()
        src.rows_read = con.execute(f"select count(*) from read_parquet({sql_str(src.path)})").fetchall()[0][0]
    except duckdb.Error as exc:
        raise NorthstarError(f"{src.path}: cannot be read as Parquet ({str(exc).splitlines()[0]}). "
                             "Export it again, or save it as CSV UTF-8.") from None
    src.columns = [c[0] for c in cols]
    src.encoding = "parquet"
    _missing(table, src.columns, src.path)


FILE_IDS_PER_TABLE = 100_000


def file_id(tables: dict[str, Table], table: str, index: int) -> int:
    """A file's id: its table's number × 100,000 + its place among the table's files (sorted by name), from 1.
    Adding a file to one table leaves every other file's id as it was (README "Incremental refresh")."""
    return (list(tables).index(table) + 1) * FILE_IDS_PER_TABLE + index + 1


def read_sources(files: dict[str, list[Path]], tables: dict[str, Table], scratch: Path,
                 con: duckdb.DuckDBPyConnection, on_file=None, skip: set[Path] | None = None) -> list[Source]:
    """Reads every raw file (staging CSV and XLSX to scratch Parquet) except those in `skip` (read by an earlier
    build); returns one Source per file read."""
    sources: list[Source] = []
    for name, paths in files.items():
        for index, path in enumerate(paths):
            if skip and path in skip:
                continue
            src = Source(file_id=file_id(tables, name, index), table=name, path=path,
                         format=FORMATS[path.suffix.lower()])
            if on_file:
                on_file(src)
            if path.stat().st_size == 0:
                src.note = "empty file: no header and no rows"
            elif src.format == "csv":
                _stage_csv(src, tables[name], scratch)
            elif src.format == "xlsx":
                _stage_xlsx(src, tables[name], scratch)
            else:
                _inspect_parquet(src, tables[name], con)
            sources.append(src)
    return sources


def landing_sql(table: Table, sources: list[Source]) -> str:
    """`select _file_id, _line, <contract columns as trimmed text, '' → null>` over all of a table's files."""
    parts = []
    for src in sources:
        if src.table != table.name or (src.format != "parquet" and src.staged is None) or src.rows_read == 0:
            continue
        cols = []
        for c in table.column_names:
            present = src.format != "parquet" or c in src.columns
            expr = f"nullif(trim(\"{c}\"::varchar), '')" if present else "null::varchar"
            cols.append(f"{expr} as \"{c}\"")
        if src.format == "parquet":
            rel = f"read_parquet({sql_str(src.path)}, file_row_number = true)"
            line = "file_row_number + 1"
        else:
            rel = f"read_parquet({sql_str(src.staged)})"
            line = "_line"
        parts.append(f"select {src.file_id}::int as _file_id, ({line})::bigint as _line, {', '.join(cols)} from {rel}")
    if not parts:
        cols = ", ".join(f"null::varchar as \"{c}\"" for c in table.column_names)
        return f"select null::int as _file_id, null::bigint as _line, {cols} where false"
    return "\nunion all\n".join(parts)
