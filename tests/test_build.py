"""Atomic swap, rows read = loaded + rejected under random corruption, and mart invariants on the tiny sample."""
import copy
import hashlib
import os
import random
import string
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE, ROOT, make_raw, query, run_build, write_csv
from pipelines.base.errors import NorthstarError
from pipelines.warehouse import build as build_mod
from pipelines.warehouse.contract import TABLES


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_build_leaves_the_previous_warehouse_untouched(tmp_path):
    make_raw(tmp_path)
    run_build(tmp_path)
    db = tmp_path / "wh.duckdb"
    before = digest(db)
    # 1. a file that lost a required column
    write_csv(
        tmp_path / "raw" / "orders.csv", ["order_id", "member_id", "amount", "status"], [["O1", "M1", "1", "paid"]]
    )
    with pytest.raises(NorthstarError, match="orders.csv: missing required column ordered_at"):
        run_build(tmp_path)
    assert digest(db) == before
    assert query(db, "select count(*) from orders") == [(8,)]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left behind


def test_failure_mid_build_leaves_the_previous_warehouse_untouched(tmp_path, monkeypatch):
    make_raw(tmp_path)
    run_build(tmp_path)
    db = tmp_path / "wh.duckdb"
    before = digest(db)
    make_raw(tmp_path, {"orders": BASE["orders"][:2]})  # new data that would change the warehouse
    real = build_mod.run_model

    def failing(con, name):
        if name == "marts/daily_network.sql":  # the last model: everything before it has run
            con.execute("select * from a_table_that_does_not_exist")
        real(con, name)

    monkeypatch.setattr(build_mod, "run_model", failing)
    with pytest.raises(NorthstarError) as err:
        run_build(tmp_path)
    assert "while running model marts/daily_network.sql" in str(err.value)
    assert "previous warehouse" in str(err.value)
    assert digest(db) == before
    assert query(db, "select count(*) from orders") == [(8,)]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_reader_keeps_working_while_a_build_swaps(tmp_path):
    make_raw(tmp_path)
    run_build(tmp_path)
    reader = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    make_raw(tmp_path, {"orders": BASE["orders"][:2]})
    run_build(tmp_path, allow_shrink=True)          # 8 orders → 2: a shrink this test means
    assert reader.execute("select count(*) from orders").fetchall() == [(8,)]  # the old file, still open
    reader.close()
    assert query(tmp_path / "wh.duckdb", "select count(*) from orders") == [(2,)]


def test_bad_as_of_is_a_clear_error(tmp_path):
    make_raw(tmp_path)
    with pytest.raises(NorthstarError, match="as-of date '24/11/2026' is not a date: use YYYY-MM-DD"):
        run_build(tmp_path, as_of="24/11/2026")


def test_missing_raw_folder_is_a_clear_error(tmp_path):
    with pytest.raises(NorthstarError, match="raw folder .* does not exist"):
        run_build(tmp_path)


NOISE = st.sampled_from(["", " ", "abc", "-1", "0", "2026-13-45", "9999-01-01", "S1", "M1", "O1", "paid", "shipped",
                         "1e3", "２０２６-１１-０１", "张伟", "'", '"', ",", "2026-11-01 10:00:00", "NULL"])


@st.composite
def corrupted(draw):
    """The hand-made tables with random cells replaced, random rows duplicated, and random ragged rows."""
    tables = copy.deepcopy(BASE)
    for name, rows in tables.items():
        width = len(TABLES[name].column_names)
        for _ in range(draw(st.integers(0, 6))):
            r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, width - 1))
            rows[r][c] = draw(NOISE | st.text(alphabet=string.printable + "华东", max_size=8))
        for _ in range(draw(st.integers(0, 2))):
            rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
        if draw(st.booleans()):
            rows.append(rows[0][: draw(st.integers(1, width - 1))])  # a ragged row
    return tables


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables=corrupted())
def test_rows_read_equals_loaded_plus_rejected(tmp_path_factory, tables):
    root = tmp_path_factory.mktemp("prop")
    make_raw(root, tables)
    res = run_build(root, allow_shrink=True)   # the accounting under any corruption (most rows may be rejected)
    db = root / "wh.duckdb"
    for f in res.files:
        written = len(tables[f["table"]])
        loaded = query(db, f"select count(*) from {f['table']}")[0][0]
        rejected = query(db, "select count(*) from rejects where source_file = ?", [f["file"]])[0][0]
        assert f["read"] == written
        assert f["read"] == loaded + rejected, f
    # nothing loaded breaks the contract
    assert query(
        db, "select count(*) from orders where amount <= 0 or status not in ('paid','refunded','cancelled')"
    ) == [(0,)]
    assert query(db, "select count(*) - count(distinct order_id) from orders") == [(0,)]
    assert query(db, "select count(*) from orders o anti join members m using (member_id)") == [(0,)]
    assert query(db, "select count(*) from members m anti join stations s using (station_id)") == [(0,)]


# --- invariants of the marts on the tiny sample -------------------------------------------------------------

def test_tiny_sample_loads_every_row(tiny):
    db = tiny / "wh.duckdb"
    files = query(db, "select table_name, rows_read, rows_loaded, rows_rejected from ingest_files order by 1")
    assert [f[0] for f in files] == ["members", "orders", "stations"]
    assert all(read == loaded and rejected == 0 for _, read, loaded, rejected in files)


def test_parent_actual_equals_sum_of_children(tiny):
    db = tiny / "wh.duckdb"
    # per war zone: the zone's new members equal the sum over its teams, and over its people
    by_level = query(db, """
        select war_zone, sum(members_joined) from daily_node_facts group by 1
        except
        select war_zone, sum(s)
        from (select war_zone, team, sum(members_joined) as s from daily_node_facts group by 1, 2) group by 1
    """)
    assert by_level == []
    total = query(db, "select sum(members_joined), sum(new_stations), sum(orders) from daily_node_facts")[0]
    assert total == query(db, "select (select count(*) from members), (select count(opened_on) from stations), "
                              "(select count(*) from orders where status = 'paid')")[0]


def test_member_joins_and_daily_network_agree_with_the_core_tables(tiny):
    db = tiny / "wh.duckdb"
    for day in ("2025-06-30", "2026-02-17", "2026-11-24"):
        direct = query(db, "select count(*) from members where joined_on <= ?::date "
                           "and (refunded_on is null or refunded_on > ?::date)", [day, day])[0][0]
        mart = query(db, "select sum(members) from member_joins where joined_on <= ?::date "
                         "and (refunded_on is null or refunded_on > ?::date)", [day, day])[0][0]
        network = query(db, "select members_served from daily_network where date = ?::date", [day])[0][0]
        assert direct == mart == network


def test_daily_active_members_equals_a_brute_force_count(tiny):
    db = tiny / "wh.duckdb"
    rng = random.Random(3)
    days = [r[0] for r in query(db, "select date from daily_network")]
    for day in rng.sample(days, 12) + [days[-1]]:
        brute = query(db, "select count(distinct member_id) from orders where status = 'paid' "
                          "and ordered_at::date between ?::date - 29 and ?::date", [day, day])[0][0]
        mart = query(db, "select coalesce(sum(active_members), 0) from daily_active_members where date = ?", [day])[0][
            0
        ]
        assert mart == brute, day


@pytest.mark.parametrize("name,phrase", [("orders.parquet", "cannot be read as Parquet"),
                                         ("members.xlsx", "cannot be opened as an Excel workbook")])
def test_unreadable_file_stops_the_build_and_keeps_the_warehouse(tmp_path, name, phrase):
    make_raw(tmp_path)
    run_build(tmp_path)
    db = tmp_path / "wh.duckdb"
    before = digest(db)
    (tmp_path / "raw" / name).write_bytes(b"PAR1 this is not really a file of that kind" * 50)
    with pytest.raises(NorthstarError) as err:
        run_build(tmp_path)
    assert name in str(err.value) and phrase in str(err.value)
    assert digest(db) == before


def test_one_build_of_a_warehouse_at_a_time(tmp_path):
    """Issue 18.15: a second build into the same warehouse stops at once, saying who holds it; the warehouse is
    untouched; once the first is done the next build runs."""
    make_raw(tmp_path)
    run_build(tmp_path)
    db = tmp_path / "wh.duckdb"
    before = digest(db)
    with build_mod.build_lock(db):                      # a build in progress (this process holds the lock)
        import subprocess
        import sys

        other = subprocess.run([sys.executable, "-m", "pipelines", "build", "--raw", str(tmp_path / "raw"),
                                "--config", str(tmp_path / "config"), "--db", str(db), "--as-of", "2026-11-24"],
                               cwd=ROOT, capture_output=True, text=True)
        assert other.returncode != 0
        assert f"another build is writing {db} (pid {os.getpid()}, started " in other.stderr
        assert digest(db) == before
    run_build(tmp_path)                                  # released: the next build runs


def test_the_build_lock_sits_beside_the_warehouse(tmp_path):
    """Issue 33.10: the lock was a file per warehouse path in the system's temporary folder, never removed (499 on
    one machine); it is now one file beside the warehouse, reused by every build of it."""
    import tempfile

    old = Path(tempfile.gettempdir()) / "northstar-build-0123456789abcdef.lock"   # an earlier version's, unheld
    old.write_text("pid 999999, started 2026-11-01 02:00:00 +0800", encoding="utf-8")
    make_raw(tmp_path)
    run_build(tmp_path)
    run_build(tmp_path)
    assert (tmp_path / "wh.duckdb.build.lock").exists()
    assert not old.exists()                       # the next build removed it
    assert list(Path(tempfile.gettempdir()).glob("northstar-build-*.lock")) == []


def test_a_killed_builds_leftovers_go_with_the_next_build(tmp_path):
    """Issue 18.12: scratch folders of builds that died (another pid) are removed by the next build of that
    warehouse; an old unnamed scratch folder goes once it is a day old."""
    make_raw(tmp_path)
    run_build(tmp_path)
    dead = tmp_path / ".wh.duckdb.scratch-999999-abcd"
    (dead / "spill").mkdir(parents=True)
    (dead / "spill" / "x.tmp").write_bytes(b"0" * 1000)
    old = tmp_path / ".northstar-scratch-old"
    old.mkdir()
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    run_build(tmp_path)
    assert not dead.exists() and not old.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_build_that_looks_like_a_mistake_keeps_the_previous_warehouse(tmp_path):
    """Issue 18.5: a typo in --as-of (every row future-dated) or a header-only orders file would swap in an empty
    warehouse; the build stops with a sentence instead, the previous warehouse untouched, unless --allow-shrink."""
    make_raw(tmp_path)
    run_build(tmp_path)
    db = tmp_path / "wh.duckdb"
    before = digest(db)
    with pytest.raises(
        build_mod.ShrinkRefused,
        match=r"stations would be empty \(it has 6 rows now\).*"
        r"6 of the 6 stations rows would be rejected, most as “Date after the as-of”",
    ):
        run_build(tmp_path, as_of="2020-01-01")
    assert digest(db) == before
    write_csv(
        tmp_path / "raw" / "orders.csv", ["order_id", "member_id", "ordered_at", "amount", "status", "category"], []
    )
    with pytest.raises(build_mod.ShrinkRefused, match=r"orders would be empty \(it has 8 rows now\)"):
        run_build(tmp_path)
    assert digest(db) == before and query(db, "select count(*) from orders") == [(8,)]
    result = run_build(tmp_path, allow_shrink=True)          # told otherwise: it is what the person wants
    assert result.tables["orders"] == 0 and result.shrink == ["orders would be empty (it has 8 rows now)"]


@pytest.fixture()
def small_disk(tmp_path):
    """A 6 MB disk of its own (tmpfs, mounted for the test; CI runs as root like the developers)."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6M", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small disk here ({done.stderr.strip()}): needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("free_kib", [0, 64, 512, 2048])
def test_a_full_disk_says_so_and_leaves_nothing_behind(tmp_path, small_disk, free_kib):
    """Issue 33.8: with the warehouse's disk full (0 bytes) a build ended with "error: unexpected OSError" (exit 1)
    and left its temporary warehouse and scratch behind. At every fill level the build now either completes or says
    the disk is full in one line (exit 2), and leaves no temporary file."""
    import shutil as sh
    import subprocess
    import sys

    make_raw(tmp_path)
    db = small_disk / "wh.duckdb"
    total = sh.disk_usage(small_disk).free
    filler = total - free_kib * 1024
    if filler > 0:
        with open(small_disk / "filler", "wb") as fh:
            fh.write(b"\0" * filler)
    out = subprocess.run([sys.executable, "-m", "pipelines", "build", "--raw", str(tmp_path / "raw"), "--config",
                          str(tmp_path / "config"), "--db", str(db)], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    if out.returncode != 0:
        assert out.returncode == 2, out.stderr
        assert f"the disk holding {small_disk} is full" in out.stderr and "unexpected" not in out.stderr
        assert not db.exists()
    left = sorted(p.name for p in small_disk.iterdir() if p.name not in ("filler", "wh.duckdb", "wh.duckdb.build.lock",
                                                                       "wh.plan.sqlite", "wh.plan.sqlite-wal",
                                                                       "wh.plan.sqlite-shm"))
    assert left == [], left
