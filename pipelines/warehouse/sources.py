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

from pipelines.base.errors import NorthstarError
from pipelines.plan.org import as_yaml
from pipelines.plan.yamlcheck import Problems, YMap, check_keys, entries, load_yaml, unique_id
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


def _name(p: Problems, path, doc: YMap, key: str, value, where: str, dotted: bool = False) -> str | None:
    text = str(value).strip() if value is not None else ""
    parts = text.split(".") if dotted else [text]
    if not text or len(parts) > 2 or not all(NAME.fullmatch(part) for part in parts):
        p.add(path, doc.line_of(key), where, "sources_table_name" if dotted else "sources_column_name", value=text)
        return None
    return text


def _table(p: Problems, path, name: str, doc, where: str) -> TableSource | None:
    """One table of a source (`where` ends with its name, e.g. sources[0].tables.orders)."""
    if not isinstance(doc, dict):
        p.add(path, None, where, "sources_table_shape")
        return None
    check_keys(p, path, doc, f"{where}.", {"from", "query", "columns", "watermark"})
    if ("from" in doc) == ("query" in doc):
        p.add(path, doc.line, where, "sources_from_or_query")
        return None
    relation = _name(p, path, doc, "from", doc["from"], f"{where}.from", dotted=True) if "from" in doc else None
    query = None
    if "query" in doc:
        query = str(doc["query"] or "").strip().rstrip(";").strip()
        if not query.lower().startswith(("select", "with")):
            p.add(path, doc.line_of("query"), f"{where}.query", "sources_query")
            return None
    contract = TABLES[name].column_names
    mapping = doc.get("columns") or YMap()
    if not isinstance(mapping, dict):
        p.add(path, doc.line_of("columns"), f"{where}.columns", "sources_columns_shape")
        return None
    for wrong in sorted(set(mapping) - set(contract)):
        p.add(path, mapping.line_of(wrong), f"{where}.columns", "sources_column_unknown", value=wrong, table=name,
              known=", ".join(contract))
    columns = {c: None if c in mapping and mapping[c] is None else
               _name(p, path, mapping if c in mapping else doc, c if c in mapping else "columns", mapping.get(c, c),
                     f"{where}.columns.{c}")
               for c in contract}
    if "watermark" not in doc:
        p.add(path, doc.line, where, "sources_watermark")
        return None
    watermark = _name(p, path, doc, "watermark", doc["watermark"], f"{where}.watermark")
    if watermark is None or relation is None and query is None or any(
            v is None for c, v in columns.items() if not (c in mapping and mapping[c] is None)):
        return None
    return TableSource(name, relation, query, columns, watermark)


def parse(doc, path: Path | str = FILE) -> list[Source]:
    """The sources of a sources.yaml document, checked by the plan files' one checker
    (pipelines/plan/yamlcheck.py): every problem with its line and field, all at once, as one PlanError."""
    doc = as_yaml(doc) if doc is not None and not isinstance(doc, YMap) else doc
    p = Problems()
    if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list) or not doc["sources"]:
        p.add(path, None, "", "sources_shape")
        p.raise_if_any()
    check_keys(p, path, doc, "", {"sources"})
    out: list[Source] = []
    seen: dict[str, int] = {}
    for _, s, where in entries(p, path, doc, "sources", "id:, engine:, url_env: and tables:"):
        check_keys(p, path, s, where, {"id", "engine", "url_env", "tables"})
        sid = unique_id(p, path, s, where, seen)
        if sid is not None and not SOURCE_ID.fullmatch(sid):
            p.add(path, s.line_of("id"), f"{where}id", "sources_id", value=sid)
            sid = None
        engine = str(s.get("engine", "")).strip().lower()
        if engine not in ENGINES:
            p.add(path, s.line_of("engine"), f"{where}engine", "sources_engine", value=engine,
                  known=", ".join(ENGINES))
        url_env = str(s.get("url_env", "")).strip()
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", url_env):
            p.add(path, s.line_of("url_env"), f"{where}url_env", "sources_url_env")
        tables = s.get("tables")
        if not isinstance(tables, dict) or not tables:
            p.add(path, s.line_of("tables"), f"{where}tables", "sources_tables", known=", ".join(TABLES))
            continue
        src = Source(sid or "", engine, url_env)
        for name, tdoc in tables.items():
            if name not in TABLES:
                p.add(path, tables.line_of(name), f"{where}tables", "sources_table_unknown", value=name,
                      known=", ".join(TABLES))
                continue
            table = _table(p, path, name, tdoc, f"{where}tables.{name}")
            if table is not None:
                src.tables[name] = table
        out.append(src)
    p.raise_if_any()
    return out


def load_sources(config: Path) -> list[Source]:
    """sources.yaml from the plan folder; a missing file or any problem stops with where and what to fix."""
    path = Path(config) / FILE
    if not path.exists():
        raise NorthstarError("sources_missing", file=FILE, config=str(config))
    return parse(load_yaml(path), path)
