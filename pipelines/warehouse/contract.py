"""The data contract (DESIGN §2): the raw tables, their columns, and which columns a file must have."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

# How a column's text is read. The staging SQL casts with the same kinds.
ID, TEXT, DATE, TIMESTAMP, DECIMAL = "id", "text", "date", "timestamp", "decimal"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool  # the file must have this column (its values may still be empty where the contract allows)


@dataclass(frozen=True)
class Table:
    name: str
    id_column: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


STATIONS = Table("stations", "station_id", (
    Column("station_id", ID, True),
    Column("name", TEXT, False),
    Column("war_zone", TEXT, True),
    Column("team", TEXT, True),
    Column("owner", TEXT, True),
    Column("province", TEXT, False),
    Column("city", TEXT, False),
    Column("signed_on", DATE, True),
    Column("opened_on", DATE, True),
    Column("closed_on", DATE, True),
))

MEMBERS = Table("members", "member_id", (
    Column("member_id", ID, True),
    Column("station_id", ID, True),
    Column("joined_on", DATE, True),
    Column("tier", TEXT, False),
    Column("fee", DECIMAL, False),
    Column("channel", TEXT, True),
    Column("referrer_id", ID, False),
    Column("refunded_on", DATE, True),
    Column("phone", TEXT, False),
))

ORDERS = Table("orders", "order_id", (
    Column("order_id", ID, True),
    Column("member_id", ID, True),
    Column("ordered_at", TIMESTAMP, True),
    Column("amount", DECIMAL, True),
    Column("status", TEXT, True),
    Column("category", TEXT, False),
))

# Load order matters: members point at stations, orders at members.
TABLES: dict[str, Table] = {t.name: t for t in (STATIONS, MEMBERS, ORDERS)}
ORDER_STATUSES = ("paid", "refunded", "cancelled")
FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}


def table_for(path: Path) -> str | None:
    """The table a raw file belongs to, from its stem: `orders.csv`, `orders_2025.parquet`, `orders-jan.xlsx`."""
    stem = path.stem.lower()
    for name in TABLES:
        if stem == name or stem.startswith((name + "_", name + "-", name + ".")):
            return name
    return None


# The sample writes this beside its raw files: the data is the sample company's, extracted on the date it holds.
SAMPLE_MARK = ".northstar-sample.json"


def sample_as_of(raw: Path) -> dt.date | None:
    """The date the sample in `raw` was extracted on, or None when `raw` does not hold the sample."""
    mark = Path(raw) / SAMPLE_MARK
    try:
        return dt.date.fromisoformat(json.loads(mark.read_text(encoding="utf-8"))["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def discover(raw: Path) -> dict[str, list[Path]]:
    """Raw files per table, sorted by name; files of an unknown format or table are ignored."""
    found: dict[str, list[Path]] = {name: [] for name in TABLES}
    for path in sorted(p for p in raw.iterdir() if p.is_file()):
        if path.suffix.lower() in FORMATS and not path.name.startswith((".", "~$")):
            table = table_for(path)
            if table:
                found[table].append(path)
    return found
