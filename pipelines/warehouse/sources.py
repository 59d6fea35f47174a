"""sources.yaml: the company's databases `pull` reads (issue 23), checked like the other plan files.

    sources:
      - id: erp                           # letters, digits, _ ; names the raw files (orders-erp-….parquet)
        engine: postgresql                # postgresql | mysql (MySQL and MariaDB)
        url_env: NORTHSTAR_ERP_URL        # the environment variable holding the connection string
        tables:
          stations:
            from: public.stations         # a table (schema.table) …
            columns: {station_id: code}   # contract column: source column; unnamed ones read the same name,
            watermark: updated_at         #   ~ reads null; the column that grows with every new or changed row
          orders:
            query: select * from sales.orders where not test   # … or a query
            watermark: updated_at

The connection string never appears in the file, in a message or in a log: only the variable's name does.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.base.errors import NorthstarError
from pipelines.warehouse.contract import TABLES

FILE = "sources.yaml"
ENGINES = ("postgresql", "mysql")
SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9_]{0,31}")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")


@dataclass
class TableSource:
    table: str                              # the contract table: stations | members | orders
    relation: str | None                    # schema.table, or None with a query
    query: str | None
    columns: dict[str, str | None]          # contract column → source column (None: null)
    watermark: str


@dataclass
class Source:
    id: str
    engine: str
    url_env: str
    tables: dict[str, TableSource] = field(default_factory=dict)

    def url(self, env=None) -> str:
        value = (env if env is not None else os.environ).get(self.url_env, "").strip()
        if not value:
            raise NorthstarError("source_env_unset", source=self.id, env=self.url_env,
                                 example=EXAMPLE_URL[self.engine])
        return value


EXAMPLE_URL = {"postgresql": "postgresql://user:password@host:5432/database",
               "mysql": "mysql://user:password@host:3306/database"}


def quote(engine: str, name: str) -> str:
    """An identifier checked against NAME, quoted for the engine (a dotted name part by part)."""
    q = '"' if engine == "postgresql" else "`"
    return ".".join(f"{q}{part}{q}" for part in name.split("."))


def _name(value, where: str, dotted: bool = False) -> str:
    text = str(value).strip() if value is not None else ""
    parts = text.split(".") if dotted else [text]
    if not text or len(parts) > 2 or not all(NAME.fullmatch(p) for p in parts):
        raise ValueError(f"{where}: {text!r} is not a column or table name (letters, digits and _, "
                         f"{'schema.table' if dotted else 'no spaces or quotes'})")
    return text


def _table(name: str, doc, where: str) -> TableSource:
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: expected from:/query:, columns: and watermark:")
    unknown = sorted(set(doc) - {"from", "query", "columns", "watermark"})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (known: from, query, columns, watermark)")
    if ("from" in doc) == ("query" in doc):
        raise ValueError(f"{where}: give either from: (a table) or query: (a select), not both or neither")
    relation = _name(doc["from"], f"{where}.from", dotted=True) if "from" in doc else None
    query = None
    if "query" in doc:
        query = str(doc["query"] or "").strip().rstrip(";").strip()
        if not query.lower().startswith(("select", "with")):
            raise ValueError(f"{where}.query: a query starts with select or with")
    contract = TABLES[name].column_names
    mapping = doc.get("columns") or {}
    if not isinstance(mapping, dict):
        raise ValueError(f"{where}.columns: expected contract column: source column")
    wrong = sorted(set(mapping) - set(contract))
    if wrong:
        raise ValueError(f"{where}.columns: {wrong[0]!r} is not a column of {name} ({', '.join(contract)})")
    columns = {c: (None if c in mapping and mapping[c] is None else _name(mapping.get(c, c), f"{where}.columns.{c}"))
               for c in contract}
    if "watermark" not in doc:
        raise ValueError(f"{where}: watermark: missing (a column that grows with every new or changed row, "
                         "e.g. updated_at; an id only finds new rows)")
    return TableSource(name, relation, query, columns, _name(doc["watermark"], f"{where}.watermark"))


def parse(doc) -> list[Source]:
    """The sources of a sources.yaml document; ValueError with the place of the first problem."""
    if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list) or not doc["sources"]:
        raise ValueError("expected `sources:` with a list of sources")
    out: list[Source] = []
    for i, s in enumerate(doc["sources"]):
        where = f"sources[{i}]"
        if not isinstance(s, dict):
            raise ValueError(f"{where}: expected id:, engine:, url_env: and tables:")
        sid = str(s.get("id", "")).strip()
        if not SOURCE_ID.fullmatch(sid):
            raise ValueError(f"{where}.id: {sid!r}: use lower-case letters, digits and _ (it names the raw files)")
        where = f"source {sid}"
        if sid in {o.id for o in out}:
            raise ValueError(f"{where}: the id is used twice")
        engine = str(s.get("engine", "")).strip().lower()
        if engine not in ENGINES:
            raise ValueError(f"{where}.engine: {engine!r}: use one of {', '.join(ENGINES)} (mysql for MariaDB too)")
        url_env = str(s.get("url_env", "")).strip()
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", url_env):
            raise ValueError(f"{where}.url_env: name the environment variable that holds the connection string "
                             "(e.g. NORTHSTAR_ERP_URL); never write the connection string here")
        tables = s.get("tables")
        if not isinstance(tables, dict) or not tables:
            raise ValueError(f"{where}.tables: expected one or more of {', '.join(TABLES)}")
        src = Source(sid, engine, url_env)
        for name, tdoc in tables.items():
            if name not in TABLES:
                raise ValueError(f"{where}.tables: {name!r} is not a table of the contract ({', '.join(TABLES)})")
            src.tables[name] = _table(name, tdoc, f"{where}.tables.{name}")
        out.append(src)
    return out


def load_sources(config: Path) -> list[Source]:
    """sources.yaml from the plan folder; a missing file or any problem stops with where and what to fix."""
    path = Path(config) / FILE
    if not path.exists():
        raise NorthstarError("sources_missing", file=FILE, config=str(config))
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        return parse(doc)
    except yaml.YAMLError as exc:
        raise NorthstarError("yaml_invalid", path=str(path), err=str(exc).splitlines()[0]) from None
    except ValueError as exc:
        raise NorthstarError("file_problem", path=str(path), problem=str(exc)) from None
