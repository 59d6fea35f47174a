"""`pull` and `refresh` (issue 23) against real PostgreSQL and MariaDB servers started on 127.0.0.1 for these tests
(tests/dbservers.py): the company's database holds the tiny sample under its own column names; a first pull
and a build; then the database changes (new orders and a member, a refunded order and member, a closed station),
the second pull brings exactly those rows, and the refreshed warehouse equals, table by table, a full build of the
same files and a build of a fresh pull of everything — nothing duplicated, every change in place."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines import cli
from pipelines.base.errors import NorthstarError
from pipelines.okr import pacebuild
from pipelines.plan.store import PlanStore, store_path
from pipelines.plan.yamlcheck import PlanError
from pipelines.warehouse import build as build_mod
from pipelines.warehouse import pull, sample
from pipelines.warehouse.sources import load_sources, parse
from tests import dbservers
from tests.conftest import ROOT
from tests.test_incremental import _differences

AS_OF = sample.AS_OF                       # 2026-11-24
FIRST, SECOND = "2026-11-23 22:00:00", "2026-11-24 21:30:00"

# The company's own tables: other names for some columns, an updated_at on every row (a timestamp with a zone
# for PostgreSQL's members), primary keys.
SCHEMA = {
    "postgresql": """
create table stations (code text primary key, name text, war_zone text, team text, owner text, province text,
    city text, signed_on date, opened_on date, closed_on date, updated_at timestamp not null default now());
create table members (member_id text primary key, station_id text, joined_on date, tier text, fee numeric(10,2),
    channel text, referrer_id text, refunded_on date, mobile text, updated_at timestamptz not null default now());
create table orders (order_id text primary key, member_id text, ordered_at timestamp, amount numeric(12,2),
    status text, category text, updated_at timestamp not null default now(), is_test boolean not null default false);
""",
    "mysql": """
create table stations (code varchar(20) primary key, name varchar(100), war_zone varchar(20), team varchar(20),
    owner varchar(20), province varchar(20), city varchar(20), signed_on date, opened_on date, closed_on date,
    updated_at datetime(6) not null default current_timestamp(6));
create table members (member_id varchar(20) primary key, station_id varchar(20), joined_on date, tier varchar(20),
    fee decimal(10,2), channel varchar(40), referrer_id varchar(20), refunded_on date, mobile varchar(20),
    updated_at datetime(6) not null default current_timestamp(6));
create table orders (order_id varchar(20) primary key, member_id varchar(20), ordered_at datetime, amount
    decimal(12,2), status varchar(20), category varchar(40),
    updated_at datetime(6) not null default current_timestamp(6),
    is_test tinyint not null default 0);
""",
}
COLUMNS = {"stations": "code, name, war_zone, team, owner, province, city, signed_on, opened_on, closed_on",
           "members": "member_id, station_id, joined_on, tier, fee, channel, referrer_id, refunded_on, mobile",
           "orders": "order_id, member_id, ordered_at, amount, status, category"}

SOURCES = """\
sources:
  - id: {id}
    engine: {engine}
    url_env: {env}
    tables:
      stations:
        from: stations
        columns: {{station_id: code}}
        watermark: updated_at
      members:
        from: members
        columns: {{phone: mobile}}
        watermark: updated_at
      orders:
        query: select * from orders where is_test = {false}
        watermark: updated_at
"""

# What changes in the company's database after the first pull, at SECOND.
NEW_ORDERS = [("O900000001", "2026-11-24 09:00:00", "58.00"), ("O900000002", "2026-11-24 10:30:00", "120.50")]
NEW_MEMBER = "M90000001"


def _load(server: dbservers.Server, raw: Path, folder: Path) -> None:
    """The tiny sample into the server: CSV written by DuckDB (\\N for null), loaded by the server's own client."""
    server.sql(SCHEMA[server.engine])
    folder.mkdir(parents=True, exist_ok=True)
    if server.engine == "mysql":        # MariaDB's client reads LOCAL INFILE as the invoking user: keep it readable
        folder.chmod(0o755)
    with duckdb.connect() as con:
        for table in ("stations", "members", "orders"):
            path = folder / f"{table}.csv"
            con.execute(f"copy (select * from read_parquet('{raw / (table + '.parquet')}')) to '{path}' "
                        "(header false, nullstr '\\N', timestampformat '%Y-%m-%d %H:%M:%S')")
            path.chmod(0o644)
            cols = COLUMNS[table]
            if server.engine == "postgresql":
                server.sql(f"\\copy {table} ({cols}) from '{path}' with (format csv, null '\\N')\n"
                           f"update {table} set updated_at = '{FIRST}';")
            else:
                server.sql(f"load data local infile '{path}' into table {table} fields terminated by ',' "
                           f"optionally enclosed by '\"' ({cols}) set updated_at = '{FIRST}';")


def _change(server: dbservers.Server) -> dict:
    """New orders and a new member, a refunded order, a refunded member, a closed station; returns the ids."""
    (pick,) = server.row("select order_id from orders where status = 'paid' order by order_id limit 1")
    (member,) = server.row("select member_id from members where refunded_on is null order by member_id limit 1")
    (station,) = server.row("select code from stations where opened_on is not null and closed_on is null "
                            "order by code limit 1")
    buyer, home = server.row("select member_id, station_id from members where refunded_on is null "
                             "order by member_id desc limit 1")
    values = ", ".join(f"('{oid}', '{buyer}', '{at}', {amount}, 'paid', '母婴', '{SECOND}')"
                       for oid, at, amount in NEW_ORDERS)
    server.sql(f"""
insert into orders (order_id, member_id, ordered_at, amount, status, category, updated_at) values {values};
insert into orders (order_id, member_id, ordered_at, amount, status, category, updated_at, is_test)
    values ('O999999999', '{buyer}', '2026-11-24 11:00:00', 1.00, 'paid', null, '{SECOND}',
            {'true' if server.engine == 'postgresql' else 1});
insert into members (member_id, station_id, joined_on, tier, fee, channel, referrer_id, refunded_on, mobile, updated_at)
    values ('{NEW_MEMBER}', '{home}', '2026-11-24', 'standard', 399.00, 'mini_program', null, null, '13800000000',
            '{SECOND}');
update orders set status = 'refunded', updated_at = '{SECOND}' where order_id = '{pick}';
update members set refunded_on = '2026-11-24', updated_at = '{SECOND}' where member_id = '{member}';
update stations set closed_on = '2026-11-24', updated_at = '{SECOND}' where code = '{station}';
""")
    return {"order": pick, "member": member, "station": station, "buyer": buyer}


@pytest.fixture(scope="module", params=["postgresql", "mysql"])
def company(request, tiny, tmp_path_factory):
    """A server of each engine holding the tiny sample, and a plan folder with its sources.yaml."""
    root = tmp_path_factory.mktemp(f"pull-{request.param}")
    start = dbservers.start_postgres if request.param == "postgresql" else dbservers.start_mariadb
    server = start()
    try:
        _load(server, tiny / "raw", root / "csv")
        config = root / "config"
        shutil.copytree(tiny / "config", config)
        (config / "channels.yaml").unlink()
        env = f"NS_TEST_{request.param.upper()}_URL"
        (config / "sources.yaml").write_text(SOURCES.format(
            id="erp" if request.param == "postgresql" else "shop", engine=request.param, env=env,
            false="false" if request.param == "postgresql" else "0"), encoding="utf-8")
        os.environ[env] = server.url
        yield server, config, root, env
    finally:
        server.stop()
        os.environ.pop(f"NS_TEST_{request.param.upper()}_URL", None)


def _one(db: Path, sql: str, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _contract_differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """The loaded rows and the rejects' reasons of two warehouses, without the file ids and line numbers."""
    out = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        for table in ("stations", "members", "orders", "rejects"):
            cols = ("table_name, reason_code" if table == "rejects" else
                    "* exclude (_file_id, _line)")
            only = [con.execute(f"select count(*) from (select {cols} from {x}.{table} except all "
                                f"select {cols} from {y}.{table})").fetchall()[0][0]
                    for x, y in (("a", "b"), ("b", "a"))]
            if any(only):
                out[table] = tuple(only)
    return out


def test_pull_then_changes_then_refresh_equals_a_full_build(company, tiny, capsys):
    server, config, root, env = company
    (source,) = load_sources(config)
    raw, db = root / "raw", root / "wh.duckdb"
    first = pull.pull(source, raw, db, "Asia/Shanghai")
    assert [(p.table, p.rows_read, p.rows_new, p.rows_changed) for p in first] == [
        ("stations", 60, 60, 0), ("members", 3001, 3001, 0), ("orders", 29994, 29994, 0)]
    assert sorted(p.name.split("-")[0] for p in raw.iterdir()) == ["members", "orders", "stations"]
    build_mod.build(raw=raw, config=config, db=db, as_of=AS_OF, quiet=True, derive=pacebuild.derive)   # as the CLI
    # The first pull loads what the sample's own files load.
    assert _contract_differences(db, tiny / "wh.duckdb") == {}
    with PlanStore(store_path(db)) as store:
        mark = store.runs.watermark(source.id, "orders")
    assert mark["column"] == "updated_at" and mark["value"].startswith(FIRST.replace(" ", "T"))

    ids = _change(server)
    second = {p.table: p for p in pull.pull(source, raw, db, "Asia/Shanghai")}
    # Read again from the watermark (≥): every row of the first pull is back and found held; the test order is not.
    assert (second["orders"].rows_new, second["orders"].rows_changed) == (2, 1)
    assert (second["members"].rows_new, second["members"].rows_changed) == (1, 1)
    assert (second["stations"].rows_new, second["stations"].rows_changed) == (0, 1)
    for p in second.values():
        assert p.rows_read == p.rows_new + p.rows_changed + p.rows_held
        assert p.watermark["value"].startswith(SECOND.replace(" ", "T")) or p.watermark["type"] == "timestamptz"
    assert second["stations"].file == "" and len(second["stations"].rewritten) == 1

    code = cli.main(["refresh", "--raw", str(raw), "--config", str(config), "--db", str(db), "--as-of", str(AS_OF),
                     "--quiet"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "briefs: not sent (no channels.yaml" in out.out
    # The rewritten files are read again for their changed lines: still an incremental refresh (issue 37).
    assert "refreshed incrementally with 2 new files" in out.out and "and 3 changed ones" in out.out, out.out

    # Every change in place, nothing twice.
    changed = dt.date(2026, 11, 24)
    assert _one(db, "select status, count(*) over () from orders where order_id = ?",
                [ids["order"]]) == [("refunded", 1)]
    assert _one(db, "select refunded_on from members where member_id = ?", [ids["member"]]) == [(changed,)]
    assert _one(db, "select closed_on from stations where station_id = ?", [ids["station"]]) == [(changed,)]
    assert _one(db, "select count(*) from orders where order_id like 'O9%'") == [(2,)]
    assert _one(db, "select amount from orders where order_id = 'O900000002'")[0][0] == pytest.approx(120.5)
    assert _one(db, "select count(*) from members where member_id = ?", [NEW_MEMBER]) == [(1,)]
    with duckdb.connect(str(db), read_only=True) as con:
        ids_once = con.execute("select count(*) = count(distinct order_id) from orders").fetchone()[0]
    assert ids_once

    # Table by table, the refreshed warehouse equals a full build of the same files …
    full = root / "full.duckdb"
    build_mod.build(raw=raw, config=config, db=full, as_of=AS_OF, quiet=True, derive=pacebuild.derive)
    assert _differences(db, full) == {}
    # … and a build of a fresh pull of every row.
    again_raw, again_db = root / "again-raw", root / "again.duckdb"
    pull.pull(source, again_raw, again_db, "Asia/Shanghai", full=True)
    build_mod.build(raw=again_raw, config=config, db=again_db, as_of=AS_OF, quiet=True)
    assert _contract_differences(db, again_db) == {}

    # Nothing changed since: the next pull brings nothing new, and the refresh changes nothing.
    third = pull.pull(source, raw, db, "Asia/Shanghai")
    assert [(p.rows_new, p.rows_changed) for p in third] == [(0, 0)] * 3
    code = cli.main(["refresh", "--raw", str(raw), "--config", str(config), "--db", str(db), "--as-of", str(AS_OF),
                     "--quiet"])
    assert code == 0 and "up to date" in capsys.readouterr().out


def test_new_rows_alone_refresh_incrementally(company):
    """A pull that only brings new rows (no change) leaves the earlier files alone: the build stays incremental."""
    server, config, root, env = company
    (source,) = load_sources(config)
    raw, db = root / "raw", root / "wh.duckdb"
    assert db.exists(), "runs after the first test of the module"
    server.sql("insert into orders (order_id, member_id, ordered_at, amount, status, category, updated_at) "
               f"select 'O900000003', member_id, '2026-11-24 12:00:00', 9.90, 'paid', null, '2026-11-24 22:00:00' "
               f"from members where member_id = '{NEW_MEMBER}';")
    before = {p.name: p.stat().st_mtime_ns for p in raw.iterdir()}
    got = {p.table: p for p in pull.pull(source, raw, db, "Asia/Shanghai")}
    assert (got["orders"].rows_new, got["orders"].rows_changed) == (1, 0)
    assert {p.name: p.stat().st_mtime_ns for p in raw.iterdir() if p.name in before} == before
    result = build_mod.build(raw=raw, config=config, db=db, as_of=AS_OF, quiet=True, incremental=True)
    assert result.mode == "incremental"
    assert _one(db, "select count(*) from orders where order_id = 'O900000003'") == [(1,)]


def test_a_second_refresh_waits_for_nothing_and_says_who_runs(company, tmp_path):
    server, config, root, env = company
    db = root / "wh.duckdb"
    with pull.refresh_lock(db):
        done = subprocess.run([sys.executable, "-m", "pipelines", "refresh", "--raw", str(root / "raw"), "--config",
                               str(config), "--db", str(db), "--no-brief"], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: refresh stopped while reading the plan: another refresh of ")
    assert f'"pid": {os.getpid()}' in done.stderr and "the previous warehouse keeps serving" in done.stderr


def test_a_wrong_password_stops_the_refresh_in_one_line_without_the_password(company, tiny, tmp_path):
    from tests.conftest import copy_warehouse

    server, config, root, env = company
    db = copy_warehouse(tiny / "wh.duckdb", tmp_path)
    stamp = db.stat().st_mtime_ns
    wrong = server.url.replace(dbservers.PASSWORD, "not-the-pw-123")
    done = subprocess.run([sys.executable, "-m", "pipelines", "refresh", "--raw", str(tmp_path / "raw"), "--config",
                           str(config), "--db", str(db), "--no-brief"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, env: wrong})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: refresh stopped while pulling ")
    assert "the database said" in lines[0] and "the previous warehouse keeps serving" in lines[0]
    assert "not-the-pw-123" not in done.stderr and dbservers.PASSWORD not in done.stderr
    assert db.stat().st_mtime_ns == stamp


def test_a_failed_pull_tells_the_admin_channel_only(company, tiny, tmp_path, monkeypatch, capsys):
    """As a failed build does: the channels with alerts: [build_failed] get one line; the warehouse stays."""
    from tests.conftest import copy_warehouse
    from tests.robots import Robot

    server, config, root, env = company
    plan = tmp_path / "config"
    shutil.copytree(config, plan)
    sources = (plan / "sources.yaml").read_text(encoding="utf-8")
    (plan / "sources.yaml").write_text(sources.replace("from: stations", "from: no_such_table"), encoding="utf-8")
    (plan / "channels.yaml").write_text(
        "channels:\n- {id: ops-feishu, type: feishu, webhook_env: T_FEISHU, secret_env: T_FEISHU_SECRET, as: admin, "
        "lang: en, alerts: [build_failed]}\n- {id: hq-ding, type: dingtalk, webhook_env: T_DING, secret_env: "
        "T_DING_SECRET, as: ceo, lang: zh}\n",
        encoding="utf-8")
    feishu, ding = Robot("feishu", secret="SEC-feishu"), Robot("dingtalk", secret="SEC-ding")
    try:
        monkeypatch.setenv("T_FEISHU", feishu.url)
        monkeypatch.setenv("T_FEISHU_SECRET", "SEC-feishu")
        monkeypatch.setenv("T_DING", ding.url)
        monkeypatch.setenv("T_DING_SECRET", "SEC-ding")
        db = copy_warehouse(tiny / "wh.duckdb", tmp_path)
        stamp = db.stat().st_mtime_ns
        code = cli.main(["refresh", "--raw", str(tmp_path / "raw"), "--config", str(plan), "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 2 and "error: refresh stopped while pulling " in err and "no_such_table" in err
        (line,) = feishu.texts()
        assert line.startswith("Northstar's data refresh failed (") and "no_such_table" in line
        assert ding.received == [] and db.stat().st_mtime_ns == stamp
    finally:
        feishu.close()
        ding.close()


def test_the_data_page_lists_the_pulls(company, monkeypatch, fresh_cache):
    from tests.conftest import open_app

    server, config, root, env = company
    at = open_app(root / "wh.duckdb", monkeypatch, "pages/data.py", lang="en")
    frame = next(d.value for d in at.dataframe if "Source.table" in d.value.columns)
    with PlanStore(store_path(root / "wh.duckdb")) as store:
        log = store.runs.pull_log(30)
    assert len(frame) == len(log) >= 9                        # three pulls of three tables, at least
    first = frame.iloc[0]
    assert first["Source.table"] == f"{log[0]['source']}.{log[0]['table_name']}"
    assert first["Next pull from"].startswith("updated_at ≥ 2026-11-2")
    assert first["Read"] == f"{log[0]['rows_read']:,}"
    assert not at.exception


def test_an_unset_variable_is_named(company, monkeypatch):
    server, config, root, env = company
    monkeypatch.delenv(env)
    (source,) = load_sources(config)
    with pytest.raises(NorthstarError, match=f"the environment variable {env} is not set"):
        pull.pull(source, root / "raw", root / "wh.duckdb", "Asia/Shanghai")


# ---- without a server ---------------------------------------------------------------------------------------------

def test_the_readmes_example_sources_file_reads():
    (erp,) = load_sources(ROOT / "examples" / "sources")
    assert (erp.id, erp.engine, erp.url_env) == ("erp", "postgresql", "NORTHSTAR_ERP_URL")
    members = erp.tables["members"]
    assert members.columns["phone"] == "mobile" and members.columns["referrer_id"] is None
    assert erp.tables["orders"].query == "select * from sales.orders where not is_test"


def test_sources_yaml_mistakes_say_where():
    good = {"id": "erp", "engine": "postgresql", "url_env": "NS_ERP",
            "tables": {"orders": {"from": "sales.orders", "watermark": "updated_at"}}}
    (src,) = parse({"sources": [good]})
    assert src.tables["orders"].columns["order_id"] == "order_id" and src.tables["orders"].relation == "sales.orders"
    cases = [
        ({"engine": "oracle"}, "engine: 'oracle': use one of postgresql, mysql"),
        ({"url_env": "postgresql://u:p@h/db"}, "never write the connection string here"),
        ({"id": "ERP-1"}, "use lower-case letters, digits and _"),
        ({"tables": {"order": {"from": "x", "watermark": "w"}}}, "'order' is not a table of the contract"),
        ({"tables": {"orders": {"from": "x", "query": "select 1", "watermark": "w"}}}, "not both or neither"),
        ({"tables": {"orders": {"from": "x; drop table y", "watermark": "w"}}}, "is not a column or table name"),
        ({"tables": {"orders": {"from": "x", "columns": {"order_id": "id\" --"}, "watermark": "w"}}},
         "is not a column or table name"),
        ({"tables": {"orders": {"from": "x", "columns": {"price": "p"}, "watermark": "w"}}},
         "'price' is not a column of orders"),
        ({"tables": {"orders": {"from": "x"}}}, "watermark: missing"),
        ({"tables": {"orders": {"query": "delete from x", "watermark": "w"}}}, "starts with select or with"),
    ]
    for change, message in cases:
        # issue 34: sources.yaml is checked by the plan files' one checker: a PlanError naming the field (before, a
        # ValueError with the first problem only)
        with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse({"sources": [{**good, **change}]})
    with pytest.raises(PlanError) as every:         # and every problem at once, each with its field
        parse({"sources": [{**good, "engine": "oracle", "url_env": "x://y", "tables": {"order": {}}}]})
    assert [p.split(": ", 1)[0] for p in every.value.problems] == [
        "sources.yaml, sources[0].engine", "sources.yaml, sources[0].url_env", "sources.yaml, sources[0].tables"]


def test_the_watermark_goes_into_the_query_only_as_a_typed_literal():
    assert pull.literal("postgresql", {"type": "int", "value": "42"}) == "42"
    assert (pull.literal("mysql", {"type": "timestamp", "value": "2026-11-24T21:30:00.500000"})
            == "TIMESTAMP '2026-11-24 21:30:00.500000'")
    assert (pull.literal("postgresql", {"type": "timestamptz", "value": "2026-11-24T13:30:00+00:00"})
            == "TIMESTAMPTZ '2026-11-24 13:30:00+00:00'")
    assert pull.literal("mysql", {"type": "date", "value": "2026-11-24"}) == "DATE '2026-11-24'"
    for bad in ({"type": "int", "value": "1 or 1=1"}, {"type": "timestamp", "value": "2026-11-24' or '1'='1"},
                {"type": "text", "value": "a'b"}, {"type": "blob", "value": "x"}):
        with pytest.raises(NorthstarError, match="cannot be used; run the pull with --full"):
            pull.literal("postgresql", bad)
    (src,) = parse({"sources": [{"id": "erp", "engine": "mysql", "url_env": "NS_ERP", "tables": {
        "stations": {"from": "crm.stations", "columns": {"station_id": "code", "name": None},
        "watermark": "updated_at"}}}]})
    sql = pull.select_sql("mysql", src.tables["stations"], {"type": "int", "value": "7"})
    assert sql.startswith("select src.`code` as `station_id`, null as `name`, src.`war_zone` as `war_zone`")
    assert sql.endswith("from `crm`.`stations` src where src.`updated_at` >= 7")


def test_a_message_never_carries_the_password():
    assert (pull.mask_url("error connecting to postgresql://ns:hunter2@db:5432/x: refused")
            == "error connecting to postgresql://ns:***@db:5432/x: refused")


def test_the_command_names_a_missing_sources_file(tmp_path, capsys):
    config = tmp_path / "config"
    config.mkdir()
    code = cli.main(["pull", "--config", str(config), "--raw", str(tmp_path / "raw"),
                     "--db", str(tmp_path / "w.duckdb")])
    assert code == 2 and f"no sources.yaml in {config}" in capsys.readouterr().err


def test_a_timestamp_with_a_zone_becomes_the_plans_local_time():
    """01:30 UTC is 09:30 in Beijing: an order placed then counts on the company's day; the watermark keeps its zone."""
    import pyarrow as pa

    at = dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.timezone.utc)        # 01:30 on the 24th in Beijing
    batch = pa.RecordBatch.from_pydict({"ordered_at": pa.array([at], pa.timestamp("us", tz="UTC")),
                                        "_wm": pa.array([at], pa.timestamp("us", tz="UTC"))})
    local = pull._local(batch, "Asia/Shanghai")
    assert local.schema.field("ordered_at").type == pa.timestamp("us")
    assert local.column("ordered_at").to_pylist() == [dt.datetime(2026, 11, 24, 1, 30)]
    assert local.schema.field("_wm").type.tz == "UTC"


def test_an_id_the_source_holds_twice_is_a_duplicate_whatever_the_pull_history(company):
    """Issue 33.4, last of the module's server tests (it drops the orders' primary key): a second row with a held
    order id appears in the source. Before, the pull took it for a change and replaced the held row, which
    vanished without a reject. Now the source is asked how many rows hold that id: two, so the new row goes beside
    the old and the build rejects one as duplicate_id — as a first or a full pull would have."""
    server, config, root, env = company
    (source,) = load_sources(config)
    raw, db = root / "raw", root / "wh.duckdb"
    assert db.exists(), "runs after the first test of the module"
    server.sql("alter table orders drop constraint orders_pkey;" if server.engine == "postgresql" else
               "alter table orders drop primary key;")
    oid, member = server.row("select order_id, member_id from orders where status = 'paid' order by order_id "
                             "limit 1 offset 3")
    server.sql("insert into orders (order_id, member_id, ordered_at, amount, status, category, updated_at) values "
               f"('{oid}', '{member}', '2026-11-24 13:00:00', 77.00, 'paid', null, '2026-11-24 23:00:00');")
    before = {p.name: p.stat().st_mtime_ns for p in raw.iterdir()}
    got = {p.table: p for p in pull.pull(source, raw, db, "Asia/Shanghai")}
    assert (got["orders"].rows_new, got["orders"].rows_changed, got["orders"].duplicates) == (1, 0, 1)
    assert "holds twice" in got["orders"].line()
    assert {p.name: p.stat().st_mtime_ns for p in raw.iterdir() if p.name in before} == before   # nothing rewritten
    build_mod.build(raw=raw, config=config, db=db, as_of=AS_OF, quiet=True, incremental=True)
    assert _one(db, "select count(*), any_value(amount) from orders where order_id = ?", [oid])[0][0] == 1
    rejected = _one(db, "select reason from rejects where reason_code = 'duplicate_id' and table_name = 'orders' "
                        "and raw_row like ?", [f"%{oid}%"])
    assert len(rejected) == 1 and f"duplicate order_id {oid}" in rejected[0][0]
    # the same source read whole (a first pull) keeps the same row and rejects the same one
    full_raw, full_db = root / "raw-full", root / "wh-full.duckdb"
    shutil.copytree(raw, full_raw, ignore=shutil.ignore_patterns(f"*-{source.id}-*"))
    pull.pull(source, full_raw, full_db, "Asia/Shanghai", full=True)
    build_mod.build(raw=full_raw, config=config, db=full_db, as_of=AS_OF, quiet=True)
    assert _one(full_db, "select amount from orders where order_id = ?", [oid]) == \
        _one(db, "select amount from orders where order_id = ?", [oid])
    assert len(_one(full_db, "select reason from rejects where reason_code = 'duplicate_id' and table_name = "
                             "'orders' and raw_row like ?", [f"%{oid}%"])) == 1


def test_what_killed_pulls_left_is_removed_by_the_next(tmp_path):
    """Issue 33.10: a killed pull left `.pull-*-PID.parquet` (megabytes) or a `.tmp` rewrite that no later pull
    removed. The next pull removes those of processes that are gone and rewrites untouched for ten minutes; a
    running pull's own files and fresh ones stay."""
    import time

    raw = tmp_path / "raw"
    raw.mkdir()
    dead = raw / ".pull-erp-orders-999999.parquet"
    mine = raw / f".pull-erp-orders-{os.getpid()}.parquet"
    old_tmp, new_tmp = raw / ".orders-erp-20261124T010203000000Z.parquet.tmp", raw / ".members-erp-x.parquet.tmp"
    kept = raw / "orders-erp-20261124T010203000000Z.parquet"
    for p in (dead, mine, old_tmp, new_tmp, kept):
        p.write_bytes(b"x" * 100)
    os.utime(old_tmp, (time.time() - 3600, time.time() - 3600))
    assert sorted(pull.clean_leftovers(raw)) == sorted([dead.name, old_tmp.name])
    assert sorted(p.name for p in raw.iterdir()) == sorted([mine.name, new_tmp.name, kept.name])
