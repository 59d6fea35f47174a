"""Reads raw files of any supported format into one uniform shape: a DuckDB view per table with
`_file_id`, `_line` and every contract column as text.

- Parquet is read in place by DuckDB (`_line` is the row number, 1-based).
- CSV (UTF-8, UTF-8 with BOM, GB18030, decided from the whole file) is read with Python's csv module, line by
  line so each record keeps its physical line, and staged to a scratch Parquet file in batches. A record that
  cannot be mapped to columns (the wrong number of fields, an unclosed quote, a field over 10 MB, a line whose
  bytes are not the file's encoding) becomes a reject right here, with its line and text; an unclosed quote
  never swallows the lines after it.
- XLSX (first sheet, first row = header) is staged the same way; `_line` is the sheet's row number.

A file that cannot be read at all, or lacks a required column, stops the build with one clear message.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import Words
from pipelines.base.quote import sql_str
from pipelines.warehouse.contract import FORMATS, Table

BATCH_ROWS = 100_000
FIELD_LIMIT_MB = 10
csv.field_size_limit(FIELD_LIMIT_MB * 1024 * 1024)


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
    early_rejects: list[tuple] = field(default_factory=list)  # line, code, detail code, its values, raw
    note: str = ""


def _missing(table: Table, columns: list[str], path: Path) -> None:
    twice = sorted({c for c in columns if c in table.column_names and columns.count(c) > 1})
    if twice:           # which of the two is the amount? Guessing (the first) loaded the wrong one silently
        raise NorthstarError("file_columns_twice" if len(twice) > 1 else "file_column_twice", path=str(path),
                             columns=", ".join(twice), table=table.name)
    missing = [c for c in table.required if c not in columns]
    if missing:
        found = ", ".join(columns[:12]) + (" …" if len(columns) > 12 else "") if columns else "none"
        raise NorthstarError("file_missing_columns" if len(missing) > 1 else "file_missing_column", path=str(path),
                             columns=", ".join(missing), table=table.name, found=found)


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


# How a CSV's text is read (decided from the whole file, streaming) and why a physical record is rejected.
CHUNK = 4 << 20
MAX_SPAN = 100            # physical lines one quoted record may span; beyond, the quote is taken as unclosed
_UNDECODABLE = re.compile("[\udc80-\udcff]")   # bytes the codec could not read (surrogateescape)



@dataclass
class Encoding:
    """How a CSV file's bytes are read: the codec, and whether some lines hold bytes it cannot read (those lines
    are rejected one by one; the codec was decided from the whole file)."""

    name: str
    bad_lines: int = 0
    odd: bool = True        # the file holds a character a Chinese or Western export would not: rows are checked for
                            # another encoding (_mixed_encoding); a plain file is read at full speed


@dataclass
class _Scan:
    bad: int = 0            # bytes the codec could not read
    bad_lines: int = 0      # lines holding any of them
    good: int = 0           # non-ASCII characters read
    looked: int = 0         # non-ASCII characters looked at for how usual they are (the first GB_SAMPLE or so)
    unusual: int = 0        # of those, neither Latin-1, Chinese, CJK or general punctuation nor full-width forms
    sampled: int = 0        # characters looked at for GB2312, when asked (the first GB_SAMPLE or so)
    gb2312: int = 0         # of those, everyday Chinese (GB2312)
    first: str = ""         # the first line that breaks, and its bytes: "7|FC"
    odd: bool = False       # any character anywhere that neither a Chinese nor a Western export holds (_UNUSUAL)
    lines: int = 0          # lines in the file


FEW_BAD_LINES = 100        # a file with at most this many, and at most 1 % of its lines, undecodable is still UTF-8
GB_SAMPLE = 2_000_000      # characters enough to tell everyday Chinese from a Western export read as GB18030
_GB_CHAR = re.compile(rb"([\xa1-\xfe][\xa1-\xfe])|[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]|[\x81-\xfe][\x40-\xfe]")
# What Chinese or Western text in UTF-8 is made of; GB18030 bytes that happen to be valid UTF-8 read as something
# else (母婴 = C4B8 D3A4 reads as 'ĸӤ'; two characters can read as one outside the BMP; 隆 = C2A1 reads as '¡'). Of
# Latin-1's symbols only those an export holds count as usual (£ ¥ © ® ° ± ² ³ µ ·), not ¡ ¿ « » ¶ § and the like.
_UNUSUAL = re.compile("[^\x00-\xa0\xa3\xa5\xa9\xae\xb0-\xb3\xb5\xb7\xc0-\xff\u2000-\u206f\u3000-\u303f"
                      "\u4e00-\u9fff\uff00-\uffef\udc80-\udcff]")


def _scan(path: Path, codec: str, chinese: bool = False) -> _Scan:
    """The whole file through `codec`, streaming, counted (see _Scan)."""
    decoder = codecs.getincrementaldecoder(codec)("surrogateescape")
    scan, lines = _Scan(), 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if text.isascii():
                lines += text.count("\n")
                if not chunk:
                    break
                continue
            nonascii = len(text) - len(text.encode("ascii", "ignore"))
            try:
                text.encode("utf-8")            # fails only on a lone surrogate: a byte the codec could not read
            except UnicodeEncodeError:
                hits = _UNDECODABLE.findall(text)
                scan.bad += len(hits)
                scan.bad_lines += sum(1 for line in text.split("\n") if _UNDECODABLE.search(line))
                nonascii -= len(hits)
                if not scan.first:
                    at = _UNDECODABLE.search(text).start()
                    where = lines + text.count("\n", 0, at) + 1
                    scan.first = f"{where}|{_bytes_at(text, at)}"
            if nonascii:
                if not scan.odd and _UNUSUAL.search(text):
                    scan.odd = True
                scan.good += nonascii
                if scan.looked < GB_SAMPLE:
                    scan.looked += nonascii
                    scan.unusual += len(_UNUSUAL.findall(text))
                if chinese and scan.sampled < GB_SAMPLE:   # GB18030 bytes in the GB2312 area (both A1-FE)
                    wide = "".join(re.findall("[^\x00-\x7f\udc80-\udcff]", text)).encode("gb18030")
                    hits = _GB_CHAR.findall(wide)
                    scan.sampled += len(hits)
                    scan.gb2312 += sum(1 for hit in hits if hit)
            lines += text.count("\n")
            if not chunk:
                break
    scan.lines = lines
    return scan


def _reads_as_chinese(path: Path) -> _Scan | None:
    """The file through GB18030 when it reads as Chinese: at most as many broken bytes as characters, and most
    characters everyday Chinese (GB2312). A Western export read as GB18030 gives rare characters (Müller → M黮ler)."""
    gb = _scan(path, "gb18030", chinese=True)
    return gb if gb.sampled and gb.gb2312 >= gb.sampled * 0.9 and gb.bad <= gb.good else None


def detect_encoding(path: Path) -> Encoding:
    """UTF-8 (with or without BOM) when the file reads as UTF-8, else GB18030 (Chinese Excel's export) when it reads
    as Chinese, decided from every byte of the file. A UTF-8 file with a few broken lines stays UTF-8 and those
    lines are rejected; a file that is neither (a Western Excel export, a file cut in two) is refused naming the
    line where it breaks, never read as the wrong characters."""
    with open(path, "rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    utf = _scan(path, "utf-8")
    name = "utf-8-sig" if bom else "utf-8"
    # Some GB18030 Chinese is also valid UTF-8, wholly (母婴 = C4B8 D3A4 reads as 'ĸӤ') or in part (啊稹啊隆 reads as
    # two broken bytes, '𡰡' and '¡'): when more than a tenth of what UTF-8 reads is neither Latin-1, Chinese nor
    # punctuation, and GB18030 reads the whole file as everyday Chinese, it is GB18030.
    if not bom and utf.looked and utf.unusual * 10 > utf.looked:
        gb = _reads_as_chinese(path)
        if gb and not gb.bad:
            return Encoding("gb18030")
    if not utf.bad:
        return Encoding(name, odd=utf.odd)
    if bom or utf.good >= utf.bad:    # UTF-8 text with a few broken bytes (a GB18030 file is broken everywhere)
        return Encoding(name, utf.bad_lines)
    gb = _reads_as_chinese(path)
    if gb:
        return Encoding("gb18030", gb.bad_lines)
    if utf.bad_lines <= min(FEW_BAD_LINES, utf.lines // 100):
        # otherwise clearly UTF-8 (an ASCII-heavy export with a byte or two damaged): those lines are rejects with
        # their line, as a file cut mid-character is, not the whole file refused
        return Encoding(name, utf.bad_lines)
    line, raw = utf.first.split("|")
    raise NorthstarError("file_not_utf8", path=str(path), line=int(line), raw=raw)


_PHONE_LIKE = re.compile(r"(?<!\d)(?:\d{7,}|1\d{2}[- ]\d{4}[- ]\d{4})(?!\d)")


def mask_numbers(text: str) -> str:
    """A member row that could not be split into fields, with every phone-like number masked (7 or more digits,
    or 138-1234-5678) as the product shows a phone (pipelines.base.privacy): it is stored for the Data page, so it is
    stored masked."""
    from pipelines.base.privacy import mask_phone

    return _PHONE_LIKE.sub(lambda m: mask_phone(m.group()), text)


_LATIN_LETTERS = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]")


def _gb2312_share(text: str) -> float:
    """The share of `text`'s non-ASCII characters that are everyday Chinese (GB2312's area of GB18030)."""
    wide = "".join(ch for ch in text if ord(ch) > 0x7F)
    if not wide:
        return 0.0
    try:
        hits = _GB_CHAR.findall(wide.encode("gb18030"))
    except UnicodeEncodeError:
        return 0.0
    return sum(1 for hit in hits if hit) / max(len(hits), 1)


def _mixed_encoding(row: list[str], encoding: str) -> tuple[str, str, str] | None:
    """A row saved in another encoding than its file, which decodes without an error and so would load as the
    wrong characters: ("as_gb18030", what it reads as, what it is) for GB18030 Chinese in a UTF-8 file (母婴 =
    C4B8 D3A4 reads as 'ĸӤ'), ("as_western", …) for a cp1252 name in a GB18030 file (Müller → 'M黮ler'). Only a row
    with characters a Chinese or Western export would not hold is looked at twice, so clean rows cost nothing."""
    joined = "\x1f".join(row)
    if joined.isascii():
        return None
    if encoding.startswith("utf-8") and _UNUSUAL.search(joined):
        try:
            other = joined.encode("utf-8").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return None
        if _gb2312_share(other) >= 0.9:
            return "as_gb18030", _words(joined), _words(other)
    elif encoding == "gb18030":
        for field in row:           # a field with characters everyday Chinese does not use, that reads as Latin
            if field.isascii() or _gb2312_share(field) >= 1.0:
                continue
            try:
                other = field.encode("gb18030").decode("cp1252")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            latin = [ch for ch in other if ord(ch) > 0x7F]
            if latin and all(_LATIN_LETTERS.fullmatch(ch) for ch in latin):
                return "as_western", _words(field), _words(other)
    return None


def _words(text: str) -> str:
    """The non-ASCII stretch of a row that tells the two readings apart, short: 'ĸӤ', 'Müller Straße'."""
    parts = re.findall(r"\S*[^\x00-\x7f]\S*", text.replace("\x1f", " "))
    return " ".join(parts)[:40] or text[:40]


def _bytes_at(text: str, at: int) -> str:
    """The undecodable bytes from `at` on (up to 8 characters), as hex: 'E5 A9'."""
    return " ".join(f"{ord(c) - 0xDC00:02X}" for c in _UNDECODABLE.findall(text[at:at + 8]))


class _Runaway(Exception):
    """A quoted field ran over MAX_SPAN physical lines."""


class _Lines:
    """The file's physical lines for csv.reader, each with its line number; lines taken by a record that proved
    broken can be put back and read again on their own."""

    def __init__(self, fh):
        self.fh, self.line, self.pending, self.taken = fh, 0, deque(), []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pending:
            number, text = self.pending.popleft()
        else:
            text = self.fh.readline()
            if not text:
                raise StopIteration
            self.line += 1
            number = self.line
        self.taken.append((number, text))
        if len(self.taken) > MAX_SPAN:
            raise _Runaway
        return text

    def put_back(self, lines: list[tuple[int, str]]) -> None:
        self.pending.extendleft(reversed(lines))




class _Anomaly(Exception):
    """The fast reader met a record it cannot account for line by line: read the file again, carefully."""


def _fast_records(fh, width):
    """(first line, fields) per record at the csv module's own speed; raises _Anomaly on a quote problem or a record
    over several lines with the wrong number of fields (`width()`: the header's, once read), and the careful reader
    then accounts for each line."""
    reader = csv.reader(fh, strict=True)
    end = 0
    try:
        for row in reader:
            if reader.line_num - end > 1 and width() not in (None, len(row)):
                raise _Anomaly
            yield end + 1, row
            end = reader.line_num
    except csv.Error:
        raise _Anomaly from None


def _careful_records(fh, width, reject):
    """(first line, fields) per record, each physical line accounted for: a record that cannot be read (an unclosed
    quote, a quote inside a field, a field over the size limit, or one over several lines with the wrong number of
    fields whose later lines are records of the right width) goes to `reject(line, key, values, raw)` and the lines
    after its first are read again on their own, so an open quote never swallows the rows after it."""
    lines = _Lines(fh)
    reader = csv.reader(lines, strict=True)
    while True:
        lines.taken = []
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, _Runaway) as exc:
            if not lines.taken:
                return
            number, text = lines.taken[0]
            message = str(exc)
            if "field larger than field limit" in message:
                reject(number, "too_long", (number, FIELD_LIMIT_MB), text[:200] + " …")
            elif "expected after" in message and len(lines.taken) == 1:
                reject(number, "quote", (number,), text)
            else:        # an open quote: ran to the end of the file, over MAX_SPAN lines, or broke further on
                reject(number, "open_quote", (number,), text)
            lines.put_back(lines.taken[1:])
            reader = csv.reader(lines, strict=True)
            continue
        number, text = lines.taken[0]
        rest = lines.taken[1:]
        if rest and width() not in (None, len(row)) and any(_width_alone(t) == width() for _, t in rest):
            # a quote opened here ran into lines that are records of their own: they are read again on their own
            reject(number, "open_quote", (number,), text)
            lines.put_back(rest)
            continue
        yield number, row           # (a multi-line record of the wrong width, with no record inside, is one record)


def _width_alone(text: str) -> int | None:
    """How many fields one physical line has read on its own (None: it cannot be read alone)."""
    try:
        return len(next(csv.reader([text], strict=True)))
    except (csv.Error, StopIteration):
        return None


def _start_staging(src: Source, table: Table, header: list[str], scratch: Path):
    """A file's header read (CSV or XLSX): its columns checked against the contract; returns where each contract
    column sits in a row (None: absent) and the stager its rows go to."""
    src.columns = header
    _missing(table, header, src.path)
    src.staged = scratch / f"{src.file_id:04d}-{table.name}.parquet"
    return [header.index(c) if c in header else None for c in table.column_names], _Stager(src.staged, table)


def _stage_csv(src: Source, table: Table, scratch: Path) -> None:
    """Stages a CSV at the csv module's speed; a file with a quote problem is read again line by line so every
    physical record is loaded or rejected with its line."""
    encoding = detect_encoding(src.path)
    src.encoding = encoding.name
    try:
        _stage_csv_with(src, table, scratch, encoding, careful=False)
    except _Anomaly:
        _stage_csv_with(src, table, scratch, encoding, careful=True)


def _stage_csv_with(src: Source, table: Table, scratch: Path, encoding: Encoding, careful: bool) -> None:
    src.rows_read, src.early_rejects, src.staged, src.columns = 0, [], None, []
    stager: _Stager | None = None
    header: list[str] | None = None

    def reject(line: int, key: str, values: tuple, raw: str) -> None:
        if header is None:
            raise NorthstarError("file_bad_header", path=str(src.path), line=line,
                                 problem=Words(f"detail_{key}", *values))
        src.rows_read += 1
        code = {"fields": "bad_row", "encoding": "bad_encoding", "as_gb18030": "bad_encoding",
                "as_western": "bad_encoding"}.get(key, "bad_quote")
        raw = _UNDECODABLE.sub("\ufffd", raw.rstrip("\r\n"))
        src.early_rejects.append((line, code, key, values,
                                  mask_numbers(raw) if table.name == "members" else raw))

    try:
        with open(src.path, encoding=encoding.name, errors="surrogateescape", newline="") as fh:
            def width():
                return None if header is None else len(header)

            records = _careful_records(fh, width, reject) if careful else _fast_records(fh, width)
            for number, row in records:
                if not row or (header is None or len(row) == len(header)) and not any(c.strip() for c in row):
                    # an empty line, blank lines before the header, a spreadsheet's empty row (,,,,): not rows. A
                    # line of spaces or "" after the header is a record of the wrong width, rejected with its line.
                    continue
                if header is None:
                    if encoding.bad_lines and _UNDECODABLE.search("".join(row)):
                        raise NorthstarError("file_header_encoding", path=str(src.path), line=number,
                                             encoding=encoding.name)
                    header = [h.strip().lstrip("\ufeff") for h in row]
                    index, stager = _start_staging(src, table, header, scratch)
                    continue
                if encoding.bad_lines:
                    joined = "\x1f".join(row)
                    hit = _UNDECODABLE.search(joined)
                    if hit:
                        reject(number, "encoding", (number, encoding.name.upper().replace("-SIG", ""),
                                                    _bytes_at(joined, hit.start())), ",".join(row))
                        continue
                mixed = _mixed_encoding(row, encoding.name) if encoding.odd else None
                if mixed:
                    reject(number, mixed[0], (number, *mixed[1:]), ",".join(row))
                    continue
                if len(row) != len(header):
                    reject(number, "fields", (len(row), len(header)), ",".join(row))
                    continue
                src.rows_read += 1
                stager.add(number, [row[i] if i is not None else None for i in index])
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


# An .xlsx is a zip archive: a small file can unpack to gigabytes (a "zip bomb"), or declare a sheet of a million
# empty rows that takes an hour to walk. A workbook is checked before it is opened and read in a child process with
# a time and a memory limit, so one upload can never freeze the server for the other readers.
XLSX_MAX_RATIO = 100        # a real export packs 5 to 20 times; a bomb hundreds or thousands of times
XLSX_RATIO_FROM_MB = 16     # a small workbook may pack well: the ratio counts from this many unpacked megabytes


def env_number(name: str, default: int) -> int:
    """A whole-number setting from the environment (at least 1), else `default`."""
    try:
        return max(1, int(os.environ.get(name, "") or default))
    except ValueError:
        return default


def xlsx_limits() -> dict:
    """The limits on reading one workbook: unpacked MB, seconds, memory MB (NORTHSTAR_XLSX_MAX_MB,
    NORTHSTAR_XLSX_SECONDS, NORTHSTAR_XLSX_MEMORY_MB)."""
    return {"max_mb": env_number("NORTHSTAR_XLSX_MAX_MB", 1024), "seconds": env_number("NORTHSTAR_XLSX_SECONDS", 300),
            "memory_mb": env_number("NORTHSTAR_XLSX_MEMORY_MB", 2048)}


PROGRESS_ROWS = 10_000
PROGRESS_ENV = "NORTHSTAR_PROGRESS_FILE"


def report_progress(name: str, rows: int) -> None:
    """A long read says how far it is, for a parent that shows it (importer.check_apart): the latest
    "<file>\t<rows read>" in the file NORTHSTAR_PROGRESS_FILE names (nothing without it)."""
    target = os.environ.get(PROGRESS_ENV)
    if not target:
        return
    try:
        tmp = f"{target}.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(f"{name}\t{rows}\n")
        os.replace(tmp, target)
    except OSError:
        pass


def read_progress(path: Path) -> tuple[str, int] | None:
    try:
        name, rows = path.read_text(encoding="utf-8").strip().split("\t")
        return name, int(rows)
    except (OSError, ValueError):
        return None


def child_env() -> dict:
    """The environment of a child `python -m pipelines.…` (a workbook's reader, an upload's check): this project on
    its path, UTF-8 on its pipes."""
    root = Path(__file__).resolve().parents[2]
    return {**os.environ, "PYTHONIOENCODING": "utf-8",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}


def xlsx_guard(path: Path) -> None:
    """Refuses, unread, a workbook that is not a zip archive or unpacks to more than the limit or far more than a real
    export would (the sizes its archive declares; the child process's limits catch an archive that lies)."""
    import zipfile

    limits = xlsx_limits()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise NorthstarError("xlsx_not_zip", path=str(path)) from None
    inflated = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos), path.stat().st_size if infos else 1)
    mb = inflated / 2**20
    if mb > limits["max_mb"]:
        raise NorthstarError("xlsx_too_big", path=str(path), mb=mb, limit=limits["max_mb"])
    if mb > XLSX_RATIO_FROM_MB and inflated / packed > XLSX_MAX_RATIO:
        raise NorthstarError("xlsx_bomb", path=str(path), kb=packed / 1024, mb=mb, ratio=inflated / packed)


def _limit_memory() -> None:   # runs in the child, before it starts
    import resource

    size = xlsx_limits()["memory_mb"] << 20
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def _stage_xlsx(src: Source, table: Table, scratch: Path) -> None:
    """Checks the workbook (xlsx_guard), then stages it in a child process (`python -m pipelines.warehouse.ingest`) with
    the time and memory limits of xlsx_limits(); a workbook over them is refused with a sentence."""
    import json
    import subprocess
    import sys

    xlsx_guard(src.path)
    limits = xlsx_limits()
    env = child_env()
    cmd = [sys.executable, "-m", "pipelines.warehouse.ingest", str(src.path), table.name, str(src.file_id),
           str(scratch)]
    try:
        proc = subprocess.run(cmd, capture_output=True, encoding="utf-8", errors="replace", timeout=limits["seconds"],
                              env=env, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        raise NorthstarError("xlsx_slow", path=str(src.path), seconds=limits["seconds"]) from None
    lines = proc.stdout.strip().splitlines()
    if proc.returncode == 0 and lines:
        done = json.loads(lines[-1])
        src.encoding, src.rows_read, src.columns, src.note = "xlsx", done["rows_read"], done["columns"], done["note"]
        src.staged = Path(done["staged"]) if done["staged"] else None
        return
    if proc.returncode == 2 and lines:        # a NorthstarError: its code and values
        error = json.loads(lines[-1])["error"]
        raise NorthstarError(error["code"], **error["values"])
    if "MemoryError" in proc.stderr or proc.returncode < 0:
        raise NorthstarError("xlsx_memory", path=str(src.path), mb=limits["memory_mb"])
    tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
    raise NorthstarError("xlsx_unreadable", path=str(src.path), err=tail)


def _stage_xlsx_here(src: Source, table: Table, scratch: Path) -> None:
    """The workbook's first sheet (or the one named after the table) staged like a CSV; runs in the child."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise NorthstarError("xlsx_unreadable", path=str(src.path), err=str(exc)) from None
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
                index, stager = _start_staging(src, table, header, scratch)
                continue
            src.rows_read += 1
            stager.add(line, [cells[i] if i is not None and i < len(cells) else None for i in index])
            if src.rows_read % PROGRESS_ROWS == 0:
                report_progress(src.path.name, src.rows_read)
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
        raise NorthstarError("parquet_unreadable", path=str(src.path), err=str(exc).splitlines()[0]) from None
    src.columns = [c[0] for c in cols]
    src.encoding = "parquet"
    _missing(table, src.columns, src.path)


FILE_IDS_PER_TABLE = 100_000


def file_id(tables: dict[str, Table], table: str, index: int) -> int:
    """A file's id: its table's number × 100,000 + its place among the table's files (sorted by name), from 1.
    Adding a file to one table leaves every other file's id as it was (docs/admin-guide.md "Incremental refresh")."""
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


def _child(argv: list[str]) -> int:
    """`python -m pipelines.warehouse.ingest FILE TABLE FILE_ID SCRATCH`: stages one workbook (see _stage_xlsx) and
    prints what it read as one JSON line; a NorthstarError is printed the same way with exit status 2."""
    import json

    from pipelines.warehouse.contract import TABLES

    path, table, fid, scratch = argv
    src = Source(file_id=int(fid), table=table, path=Path(path), format="xlsx")
    try:
        _stage_xlsx_here(src, TABLES[table], Path(scratch))
    except NorthstarError as exc:
        print(json.dumps({"error": {"code": exc.code, "values": exc.values}}, ensure_ascii=False, default=str))
        return 2
    print(json.dumps({"rows_read": src.rows_read, "columns": src.columns, "note": src.note,
                      "staged": str(src.staged) if src.staged else None}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_child(sys.argv[1:]))
