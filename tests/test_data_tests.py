"""The data tests (pipelines/warehouse/sql/tests, issue 19.7): every build runs them and records the results; each finds
the defect it is written for; one that finds rows stops the build, names itself and a few rows, and the previous
warehouse keeps serving; the Data page lists them."""
from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse import build as build_mod
from tests.conftest import make_raw, open_app, query, run_build, seen

pytestmark = pytest.mark.usefixtures("fresh_cache")


def test_every_build_runs_the_data_tests_and_records_them(hand_made):
    names = [t["name"] for t in build_mod.data_tests()]
    assert len(names) >= 5
    assert query(hand_made / "wh.duckdb", "select name, failing_rows from data_tests order by name") == [
        (n, 0) for n in sorted(names)]
    for t in build_mod.data_tests():                       # each says its rule in both languages
        assert t["zh"] != t["name"] and t["en"] != t["name"], t["name"]


DEFECTS = {   # test → the statement that breaks its rule in a copy of a good warehouse
    "unique_ids": "insert into stations select * from stations where station_id = 'S1'",
    "not_null_keys": "update orders set amount = null where order_id = 'O1'",
    "relationships": "delete from stations where station_id = 'S1'",
    "rows_reconcile": "update ingest_files set rows_loaded = rows_loaded + 1 where table_name = 'orders'",
    "one_parent": "insert into daily_node_facts select date, 'south', team, person, center, new_stations, "
                  "stations_closed, station_masters_recruited, members_joined, members_refunded, orders, gmv "
                  "from daily_node_facts where team = 'e1' limit 1",
    "marts_agree": "delete from member_joins where members > 0 and war_zone = 'east' and joined_on = "
                   "(select min(joined_on) from member_joins where war_zone = 'east')",
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_data_test_finds_the_defect_it_is_for(hand_made, name):
    [test] = [t for t in build_mod.data_tests() if t["name"] == name]
    db = hand_made / "wh.duckdb"                         # this test's own build (hand_made is per test)
    with duckdb.connect(str(db)) as con:
        build_mod.data_test_scope(con, refreshing=False)
        assert con.execute(f"select count(*) from ({test['sql']})").fetchall() == [(0,)]
        con.execute(DEFECTS[name])
        assert con.execute(f"select count(*) from ({test['sql']})").fetchall()[0][0] > 0


def test_every_data_test_has_a_defect_above():
    assert sorted(DEFECTS) == sorted(t["name"] for t in build_mod.data_tests())


def test_a_failing_data_test_stops_the_build_and_keeps_the_warehouse(tmp_path, monkeypatch):
    make_raw(tmp_path)
    run_build(tmp_path)
    before = query(tmp_path / "wh.duckdb", "select built_at from build_info")
    real = build_mod.data_tests
    monkeypatch.setattr(build_mod, "data_tests", lambda: real() + [
        {"name": "no_s1", "zh": "没有 S1", "en": "there is no S1", "sql": "select station_id from stations "
                                                                          "where station_id = 'S1'"}])
    with pytest.raises(build_mod.DataTestFailed) as err:
        run_build(tmp_path)
    assert str(err.value).startswith("data test no_s1 failed (there is no S1): 1 rows, e.g. [('S1',)]")
    assert "the previous warehouse keeps serving" in str(err.value)
    assert query(tmp_path / "wh.duckdb", "select built_at from build_info") == before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_page_lists_the_data_tests(hand_made, monkeypatch, lang):
    at = open_app(hand_made / "wh.duckdb", monkeypatch, "pages/data.py", lang=lang)
    assert not at.exception
    frame = next(f.value for f in at.dataframe if ("检验规则" if lang == "zh" else "Rule") in f.value.columns)
    assert len(frame) == len(build_mod.data_tests())
    assert set(frame.iloc[:, 1]) == {"✔ 通过" if lang == "zh" else "✔ Passed"}
    assert ("每个文件：读取行数 = 载入行数 + 拒绝行数" if lang == "zh" else
            "For every file, rows read = rows loaded + rows rejected") in list(frame.iloc[:, 0])
    assert any("pipelines/warehouse/sql/tests/" in seen(c.value) for c in at.caption)


def test_an_incremental_refresh_checks_the_rows_of_its_new_files(hand_made):
    """A refresh's tests look at the rows its files brought (and the ids they carry, against every row), not the
    100M earlier ones each night: a null amount in an earlier file is not looked at again, the same in a new one is
    found, and so are an earlier order id a new row repeats and a new order of an unknown member."""
    tests = {t["name"]: t["sql"] for t in build_mod.data_tests()}
    with duckdb.connect(str(hand_made / "wh.duckdb")) as con:
        build_mod.data_test_scope(con, refreshing=True)
        con.execute("insert into added_files values (999)")      # this run's file

        def failing(name):
            return con.execute(f"select * from ({tests[name]})").fetchall()

        def add(order_id, **values):                            # a row of the new file, like O1 otherwise
            sets = ", ".join(f"{k} = ?" for k in values)
            con.execute("insert into orders select * replace (?::varchar as order_id, 999 as _file_id) "
                        "from orders where order_id = 'O1'", [order_id])
            if values:
                con.execute(f"update orders set {sets} where order_id = ? and _file_id = 999",
                            [*values.values(), order_id])

        assert failing("not_null_keys") == [] and failing("unique_ids") == [] and failing("relationships") == []
        con.execute("update orders set amount = null where order_id = 'O2'")
        assert failing("not_null_keys") == []                   # an earlier row: checked when it was loaded
        build_mod.data_test_scope(con, refreshing=False)
        assert failing("not_null_keys") == [("orders", "O2", 3)]   # a full build checks it (line 3 of the file)
        build_mod.data_test_scope(con, refreshing=True)
        add("NEW1", amount=None)
        assert [r[1] for r in failing("not_null_keys")] == ["NEW1"]
        add("O3")                                                # a new row with an earlier order's id
        assert failing("unique_ids") == [("orders", "O3", 2)]
        add("NEW2", member_id="nobody")
        assert failing("relationships") == [("orders", "NEW2", "nobody")]
