"""What reading a CSV costs, clean and broken (issue 18.1, 18.4). Prints a table.

    python benchmarks/bench_csv_reader.py [--rows 1000000]

- "detect encoding": the whole-file scan that decides UTF-8 / GB18030 (it used to read the first megabyte only);
- "stage, clean file": the csv module's own speed over the file (the fast path);
- "stage, one open quote": a file with an unclosed quote on line 2, which is read again line by line so every
  record is loaded or rejected with its line (the careful path);
- "stage, GB18030": the same rows saved as Chinese Excel does.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.warehouse import ingest  # noqa: E402
from pipelines.warehouse.contract import TABLES  # noqa: E402

HEADER = "order_id,member_id,ordered_at,amount,status,category\r\n"


def write(path: Path, rows: int, encoding: str = "utf-8", open_quote: bool = False) -> None:
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(HEADER)
        for i in range(rows):
            category = '"母婴' if open_quote and i == 0 else ("生鲜", "粮油", "日化", "母婴")[i % 4]
            fh.write(f"O{i},M{i % 5000},2026-11-01 10:{i % 60:02d}:00,{i % 300}.50,paid,{category}\r\n")


def stage(path: Path, scratch: Path) -> tuple[float, ingest.Source]:
    src = ingest.Source(file_id=1, table="orders", path=path, format="csv")
    start = time.perf_counter()
    ingest._stage_csv(src, TABLES["orders"], scratch)
    return time.perf_counter() - start, src


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clean, broken, gb = tmp / "clean.csv", tmp / "broken.csv", tmp / "gb.csv"
        write(clean, args.rows)
        write(broken, args.rows, open_quote=True)
        write(gb, args.rows, encoding="gb18030")
        rows = []
        start = time.perf_counter()
        enc = ingest.detect_encoding(clean)
        rows.append(("detect encoding (whole file)", time.perf_counter() - start, enc.name, "—"))
        for label, path in (("stage, clean file", clean), ("stage, one open quote", broken), ("stage, GB18030", gb)):
            took, src = stage(path, tmp)
            rows.append((label, took, src.encoding, f"{src.rows_read:,} read, {len(src.early_rejects):,} rejected"))
        size = clean.stat().st_size / 1e6
        print(f"{args.rows:,} order rows, {size:,.0f} MB as UTF-8\n")
        print(f"{'step':<32}{'seconds':>9}  {'encoding':<10}records")
        for label, took, encoding, what in rows:
            print(f"{label:<32}{took:>9.2f}  {encoding:<10}{what}")


if __name__ == "__main__":
    main()
