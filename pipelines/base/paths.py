"""Default locations of the warehouse, the raw folder and the plan, with their environment overrides."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def _env_path(var: str, default: Path) -> Path:
    value = os.environ.get(var, "").strip()
    return Path(value).expanduser() if value else default


def db_path(flag: str | os.PathLike | None = None) -> Path:
    """The warehouse: --db, else NORTHSTAR_DB, else data/warehouse.duckdb."""
    return Path(flag) if flag else _env_path("NORTHSTAR_DB", DATA / "warehouse.duckdb")


def raw_dir(flag: str | os.PathLike | None = None) -> Path:
    """The raw folder: --raw, else NORTHSTAR_RAW, else data/raw."""
    return Path(flag) if flag else _env_path("NORTHSTAR_RAW", DATA / "raw")


def config_dir(flag: str | os.PathLike | None = None) -> Path:
    """The plan folder: --config, else NORTHSTAR_CONFIG, else data/config."""
    return Path(flag) if flag else _env_path("NORTHSTAR_CONFIG", DATA / "config")
