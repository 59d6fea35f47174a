"""`build --incremental`: new days of orders, members and stations arrive as new files; refreshing the warehouse
with only those gives, table by table, what a full build of every file gives. Anything else is a full build
that says why."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pipelines.okr import pacebuild
from pipelines.warehouse import build as build_mod
from pipelines.warehouse import sample
from tests.conftest import ROOT, _quiet, query

NEW = ["stations_2.parquet", "members_2.parquet", "orders_2.parquet"]


def _split(raw: Path, old: Path, new: Path, cutoff: dt.date) -> dict[str, int]:
    """Writes the tiny sample's rows dated before `cutoff` to old/ and the later ones to new/ (as *_2.parquet),
    the way a daily export adds files: members joined from the cutoff on, orders placed from it on, and stations
    signed from it on that no earlier member belongs to."""
    old.mkdir(parents=True)
    new.mkdir(parents=True)
    orders = pq.read_table(raw / "orders.parquet")
    members = pq.read_table(raw / "members.parquet")
    stations = pq.read_table(raw / "stations.parquet")
    late_order = pc.greater_equal(orders["ordered_at"], dt.datetime.combine(cutoff, dt.time()))
    late_member = pc.greater_equal(members["joined_on"], cutoff)
    needed = set(members.filter(pc.invert(late_member))["station_id"].to_pylist())
    late_station = pc.and_(pc.greater_equal(stations["signed_on"], cutoff),
                           pc.invert(pc.is_in(stations["station_id"], value_set=pa.array(sorted(needed)))))
    counts = {}
    for name, table, late in (("stations", stations, late_station), ("members", members, late_member),
                              ("orders", orders, late_order)):
        pq.write_table(table.filter(pc.invert(late)), old / f"{name}.parquet")
        pq.write_table(table.filter(late), new / f"{name}_2.parquet")
        counts[name] = table.filter(late).num_rows
    return counts


def _tables(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()").fetchall())


def _differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """Per table: rows of a not in b and rows of b not in a (multisets; of build_info only what the data decides: not
    when, how long, or from which folder)."""
    out = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        for t in _tables(a):
            cols = "as_of, last_date, config_dir, org_hash" if t == "build_info" else "*"
            only_a = con.execute(f"select count(*) from (select {cols} from a.{t} except all "
                                 f"select {cols} from b.{t})").fetchall()[0][0]
            only_b = con.execute(f"select count(*) from (select {cols} from b.{t} except all "
                                 f"select {cols} from a.{t})").fetchall()[0][0]
            if only_a or only_b:
                out[t] = (only_a, only_b)
    return out


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    root = tmp_path_factory.mktemp("incr")
    sample.generate(size="tiny", seed=7, out=root / "gen", progress=_quiet())
    last = sample.AS_OF
    counts = _split(root / "gen" / "raw", root / "old", root / "new", last - dt.timedelta(days=150))
    return root, counts


def _full(root: Path, name: str, *folders: Path) -> Path:
    raw = root / name / "raw"
    raw.mkdir(parents=True)
    for folder in folders:
        for f in folder.iterdir():
            shutil.copy2(f, raw / f.name)
    return raw


def test_an_incremental_refresh_equals_a_full_build_table_by_table(split):
    root, counts = split
    assert all(n > 0 for n in counts.values()), counts     # every table gets new rows
    config = root / "gen" / "config"
    everything = _full(root, "full", root / "old", root / "new")
    full = build_mod.build(everything, config, root / "full" / "wh.duckdb", as_of=sample.AS_OF, quiet=True,
                           derive=pacebuild.derive)
    assert full.mode == "full" and not full.why_full

    raw = _full(root, "incr", root / "old")
    db = root / "incr" / "wh.duckdb"
    first = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, derive=pacebuild.derive)
    assert first.tables["orders"] == full.tables["orders"] - counts["orders"]
    for f in (root / "new").iterdir():
        shutil.copy2(f, raw / f.name)
    refreshed = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                                derive=pacebuild.derive)
    assert refreshed.mode == "incremental", refreshed.why_full
    assert sorted(refreshed.new_files) == sorted(NEW)

    tables = _tables(db)
    assert tables == _tables(root / "full" / "wh.duckdb")
    assert {"orders", "rejects", "daily_node_facts", "daily_active_members", "member_joins", "member_activity",
            "member_cohorts", "station_cohorts", "growth_flows", "referral_depth", "ingest_files", "pace_replay",
            "pace_shapes", "pace_info"} <= set(tables)
    assert _differences(root / "full" / "wh.duckdb", db) == {}
    assert refreshed.tables == full.tables
    assert [(f["file"], f["read"], f["loaded"]) for f in refreshed.files] == \
        [(f["file"], f["read"], f["loaded"]) for f in full.files]

    again = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                            derive=pacebuild.derive)
    assert again.mode == "unchanged"
    assert "up to date" in build_mod.format_summary(again)


def _night_of_changes(folder: Path, cutoff: dt.date, busy: set[str]) -> dict[str, list]:
    """What a pull writes for a night of refunds and closings (pipelines/warehouse/pull.py): earlier files rewritten
    with each changed row at its own line — five members refunded three days after joining, two open stations
    closed, ten paid orders refunded, all of members with no new order (`busy`: those with one), so that only the
    change itself can make the refresh look at them. Returns the changed ids."""
    def rewrite(name: str, column: str, pick, value) -> list:
        table = pq.read_table(folder / name)
        rows = table.to_pylist()
        chosen = [i for i, r in enumerate(rows) if pick(r)]
        for i in chosen:
            rows[i][column] = value(rows[i])
        pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), folder / name)
        return [rows[i][table.column_names[0]] for i in chosen]

    late = sorted((r for r in pq.read_table(folder / "members.parquet").to_pylist()
                   if r["refunded_on"] is None and r["member_id"] not in busy),
                  key=lambda r: (r["joined_on"], r["member_id"]))[-5:]
    members = rewrite("members.parquet", "refunded_on", lambda r: r in late,
                      lambda r: r["joined_on"] + dt.timedelta(days=3))
    open_ = [r["station_id"] for r in pq.read_table(folder / "stations.parquet").to_pylist()
             if r["opened_on"] is not None and r["closed_on"] is None
             and r["opened_on"] < cutoff - dt.timedelta(days=60)][:2]
    stations = rewrite("stations.parquet", "closed_on", lambda r: r["station_id"] in open_,
                       lambda r: cutoff - dt.timedelta(days=10))
    paid = [r["order_id"] for r in pq.read_table(folder / "orders.parquet").to_pylist()
            if r["status"] == "paid" and r["member_id"] not in busy][-10:]
    orders = rewrite("orders.parquet", "status", lambda r: r["order_id"] in paid, lambda r: "refunded")
    return {"members": members, "stations": stations, "orders": orders}


def test_a_night_of_refunds_and_closings_is_applied_in_place_and_equals_a_full_build(split):
    """Issue 37: a night whose pull rewrote earlier files (refunds, closings, a refunded order) next to the new
    day's files is an incremental refresh, not a full build: only the changed lines are loaded again, the marts
    start from the earliest date they move, and every table equals a full build of the same files."""
    root, _ = split
    config = root / "gen" / "config"
    raw = _full(root / "night", "incr", root / "old")
    db = root / "night" / "incr" / "wh.duckdb"
    build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, derive=pacebuild.derive)
    cutoff = sample.AS_OF - dt.timedelta(days=150)
    busy = set(pq.read_table(root / "new" / "orders_2.parquet")["member_id"].to_pylist())
    changed = _night_of_changes(raw, cutoff, busy)
    assert len(changed["members"]) == 5 and len(changed["stations"]) == 2 and len(changed["orders"]) == 10
    for f in (root / "new").iterdir():
        shutil.copy2(f, raw / f.name)
    refreshed = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                                derive=pacebuild.derive)
    assert refreshed.mode == "incremental", refreshed.why_full
    assert sorted(refreshed.new_files) == sorted(NEW)
    assert sorted(refreshed.changed_files) == ["members.parquet", "orders.parquet", "stations.parquet"]
    summary = build_mod.format_summary(refreshed)
    assert "and 3 changed ones (stations.parquet, members.parquet, orders.parquet)" in summary
    assert query(db, "select count(*) from members where refunded_on is not null and member_id in "
                     "(select unnest(?::varchar[]))", [changed["members"]]) == [(5,)]
    assert query(db, "select count(*) from orders where status = 'refunded' and order_id in "
                     "(select unnest(?::varchar[]))", [changed["orders"]]) == [(10,)]

    everything = _full(root / "night", "full", raw)
    build_mod.build(everything, config, root / "night" / "full" / "wh.duckdb", as_of=sample.AS_OF, quiet=True,
                    derive=pacebuild.derive)
    assert _differences(root / "night" / "full" / "wh.duckdb", db) == {}


def test_a_change_that_moves_rows_between_nodes_is_a_full_build_that_says_which(split):
    """A member who changed channel (another center) moves every row of theirs; lines taken out of a file are
    rows gone: both are full builds, and the summary names the line or the file."""
    root, _ = split
    raw, config, db = _incremental_base(split, "moves")
    table = pq.read_table(raw / "members.parquet")
    rows = table.to_pylist()
    rows[3]["channel"] = "somewhere_else"
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), raw / "members.parquet")
    res = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                          derive=pacebuild.derive)
    assert res.mode == "full"
    assert res.why_full == "line 4 of members.parquet changed its id or what it belongs to"
    assert query(db, "select channel from members where member_id = ?", [rows[3]["member_id"]]) == [
        ("somewhere_else",)]

    pq.write_table(pa.Table.from_pylist(rows[:-3], schema=table.schema), raw / "members.parquet")
    res = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                          derive=pacebuild.derive)
    assert res.mode == "full" and res.why_full == "lines were taken out of members.parquet"


def test_an_earlier_member_referred_by_a_new_one_walks_every_chain_again(split):
    """A member of an earlier file whose referrer arrives only now (the referrer's row came late) had depth 0; with
    the referrer loaded it is the referrer's depth + 1, and so are the members below it: the refresh walks every
    chain again instead of adding the new members' chains, and still equals the full build."""
    root, _ = split
    config = root / "gen" / "config"
    old = root / "late" / "old"
    shutil.copytree(root / "old", old)
    new_ids = pq.read_table(root / "new" / "members_2.parquet")["member_id"].to_pylist()
    members = pq.read_table(old / "members.parquet")
    referrer = new_ids[0]
    who = members["member_id"][5].as_py()
    referrers = [referrer if m == who else r for m, r in zip(members["member_id"].to_pylist(),
                                                             members["referrer_id"].to_pylist())]
    members = members.set_column(members.schema.get_field_index("referrer_id"), "referrer_id",
                                 pa.array(referrers, members.schema.field("referrer_id").type))
    pq.write_table(members, old / "members.parquet")

    raw = _full(root / "late", "incr", old)
    db = root / "late" / "incr" / "wh.duckdb"
    build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, derive=pacebuild.derive)
    assert query(db, "select depth from referral_depth where member_id = ?", [who]) == [(0,)]   # not a member yet
    for f in (root / "new").iterdir():
        shutil.copy2(f, raw / f.name)
    refreshed = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                                derive=pacebuild.derive)
    assert refreshed.mode == "incremental", refreshed.why_full
    [(depth,)] = query(db, "select depth from referral_depth where member_id = ?", [referrer])
    assert query(db, "select depth from referral_depth where member_id = ?", [who]) == [(depth + 1,)]

    everything = _full(root / "late", "full", old, root / "new")
    build_mod.build(everything, config, root / "late" / "full" / "wh.duckdb", as_of=sample.AS_OF, quiet=True,
                    derive=pacebuild.derive)
    assert _differences(root / "late" / "full" / "wh.duckdb", db) == {}


def _incremental_base(split, name: str) -> tuple[Path, Path, Path]:
    root, _ = split
    config = root / "gen" / "config"
    raw = _full(root, name, root / "old")
    db = root / name / "wh.duckdb"
    build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, derive=pacebuild.derive)
    return raw, config, db


def test_orders_taken_out_of_a_file_make_it_a_full_build_and_say_so(split):
    raw, config, db = _incremental_base(split, "changed")
    table = pq.read_table(raw / "orders.parquet")
    pq.write_table(table.slice(0, table.num_rows - 10), raw / "orders.parquet")     # ten orders taken back
    os.utime(raw / "orders.parquet", ns=(1, 1))
    res = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                                derive=pacebuild.derive)
    assert res.mode == "full" and res.why_full == "lines were taken out of orders.parquet"
    assert res.tables["orders"] == table.num_rows - 10
    assert "a full build, not incremental: lines were taken out of orders.parquet" in build_mod.format_summary(res)


def test_a_new_file_that_sorts_first_or_another_org_is_a_full_build(split):
    raw, config, db = _incremental_base(split, "order")
    root, _ = split
    shutil.copy2(root / "new" / "orders_2.parquet", raw / "orders-0.parquet")    # '-' sorts before '.'
    res = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                                derive=pacebuild.derive)
    assert res.mode == "full" and res.why_full.startswith("the new file orders-0.parquet sorts before orders.parquet")

    org = (config / "org.yaml").read_text(encoding="utf-8")
    other = root / "order" / "config"
    shutil.copytree(config, other)
    (other / "org.yaml").write_text(org.replace("en: East Zone", "en: East", 1), encoding="utf-8")
    res = build_mod.build(raw, other, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                                derive=pacebuild.derive)
    assert res.why_full == "the org (org.yaml) changed since the last build"


def test_a_warehouse_of_an_earlier_layout_is_built_again_in_full(split):
    """An incremental refresh updates the tables it finds in place; one an earlier build wrote (without the kept
    sums, station_months and referrer_counts) would give wrong cohorts, so it is a full build that says why."""
    root, _ = split
    raw, config, db = _incremental_base(split, "layout")
    with duckdb.connect(str(db)) as con:
        con.execute("alter table build_info drop column layout")
        con.execute("drop table station_months")
    shutil.copy2(root / "new" / "orders_2.parquet", raw / "orders_2.parquet")
    res = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                          derive=pacebuild.derive)
    assert res.mode == "full"
    assert res.why_full == (f"the warehouse was built by an earlier version of the build (table layout 1, now "
                            f"{build_mod.LAYOUT})")
    assert query(db, "select count(*) > 0 from station_months") == [(True,)]


def test_rows_held_back_last_time_make_it_a_full_build(split, tmp_path):
    raw, config, db = _incremental_base(split, "held")
    res = build_mod.build(raw, config, db, as_of=sample.AS_OF - dt.timedelta(days=30), quiet=True)
    assert res.reasons and any(code == "future_date" for _, code, _ in res.reasons)
    again = build_mod.build(raw, config, db, as_of=sample.AS_OF, quiet=True, incremental=True,
                            derive=pacebuild.derive)
    assert again.mode == "full" and "may load now" in again.why_full
    assert not any(code == "future_date" for _, code, _ in again.reasons)


def test_the_command_line_refreshes_incrementally(split):
    root, _ = split
    raw, config, db = _incremental_base(split, "cli")
    shutil.copy2(root / "new" / "orders_2.parquet", raw / "orders_2.parquet")
    out = subprocess.run([sys.executable, "-m", "pipelines", "build", "--raw", str(raw), "--config", str(config),
                          "--db", str(db), "--as-of", sample.AS_OF.isoformat(), "--incremental", "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "refreshed incrementally with 1 new file (orders_2.parquet)" in out.stdout


def test_an_incremental_refresh_fits_a_memory_limit_a_full_pass_over_the_orders_would_not(tiny, tmp_path,
                                                                                           monkeypatch):
    """Issue 33.0: at north-star scale `build --incremental` ran out of memory in core/orders_rejected.sql — a CASE
    computed the full build's distinct count over every order as well as the refresh's own check. Scaled down: 8M
    generated orders, then a night's 3 under an 80 MB limit. Before the fix this stopped with "Out of Memory Error"
    in core/orders_rejected.sql; the refresh looks only at the new rows' ids now."""
    root = tmp_path / "w"
    shutil.copytree(tiny / "raw", root / "raw")
    shutil.copytree(tiny / "config", root / "config")
    members = root / "raw" / "members.parquet"
    with duckdb.connect() as con:
        con.execute(f"""copy (select 'X' || lpad(i::varchar, 9, '0') as order_id, m.member_id,
                (m.joined_on + interval 1 day + (i % 300) * interval 1 minute)::timestamp as ordered_at,
                (10 + i % 90)::decimal(12, 2) as amount, 'paid' as status, '母婴' as category
            from range(8000000) t(i), (select member_id, joined_on from read_parquet('{members}')
                                       where joined_on < date '2026-11-01' order by member_id limit 1) m)
            to '{root / "raw" / "orders_big.parquet"}' (format parquet)""")
    db = root / "wh.duckdb"
    build_mod.build(raw=root / "raw", config=root / "config", db=db, as_of=sample.AS_OF, quiet=True)
    with duckdb.connect() as con:
        con.execute(f"""copy (select 'Y' || i as order_id, member_id, timestamp '2026-11-24 10:00:00' as ordered_at,
                5.00::decimal(12, 2) as amount, 'paid' as status, null::varchar as category
            from range(3) t(i), (select member_id from read_parquet('{members}') where joined_on < date '2026-11-01'
                                 order by member_id limit 1))
            to '{root / "raw" / "orders_zz.parquet"}' (format parquet)""")
    monkeypatch.setenv("NORTHSTAR_BUILD_MEMORY", "80MB")
    result = build_mod.build(raw=root / "raw", config=root / "config", db=db, as_of=sample.AS_OF, quiet=True,
                             incremental=True)
    assert result.mode == "incremental"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from orders where order_id like 'Y%'").fetchall() == [(3,)]
        assert con.execute("select count(*) from orders where order_id like 'X%'").fetchall() == [(8_000_000,)]
