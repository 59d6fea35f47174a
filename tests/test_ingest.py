"""The bad-row catalog (issue 2): each bad row is rejected with its file, line, reason and raw row; the rest loads."""
import copy
import json

import pytest

from conftest import BASE, make_raw, query, run_build, write_csv
from pipelines.base.errors import NorthstarError
from pipelines.warehouse.contract import TABLES


def with_row(table, row, replace_index=None):
    tables = copy.deepcopy(BASE)
    if replace_index is None:
        tables[table].append(row)
    else:
        tables[table][replace_index] = row
    return tables


def build_with(tmp_path, tables):
    make_raw(tmp_path, tables)
    return run_build(tmp_path)


def rejects(root):
    return query(root / "wh.duckdb", "select table_name, source_file, line, reason_code, reason, raw_row from rejects")


def counts(root):
    return {t: query(root / "wh.duckdb", f"select count(*) from {t}")[0][0] for t in ("stations", "members", "orders")}


LOADED = {"stations": 6, "members": 7, "orders": 8}

# (test id, table, bad row appended at the end of its file, expected reason code, a phrase of the reason)
CASES = [
    ("missing_id", "stations", ["", "无名站", "east", "e1", "pa", "", "", "2026-01-01", "", ""], "missing_id",
     "station_id is empty"),
    ("unparseable_date", "members", ["M9", "S1", "yesterday", "standard", "399", "community", "", "", ""],
     "bad_date", 'joined_on "yesterday" is not a date'),
    ("unparseable_amount", "orders", ["O9", "M1", "2026-11-01 10:00:00", "abc", "paid", ""], "bad_amount",
     'amount "abc" is not a number'),
    ("negative_amount", "orders", ["O9", "M1", "2026-11-01 10:00:00", "-5.00", "paid", ""], "bad_amount",
     'amount "-5.00" is negative'),
    ("zero_amount", "orders", ["O9", "M1", "2026-11-01 10:00:00", "0", "paid", ""], "bad_amount",
     "must be greater than 0"),
    ("decimal_comma", "orders", ["O9", "M1", "2026-11-01 10:00:00", "1.234,50", "paid", ""], "bad_amount",
     'amount "1.234,50" has a comma that is not a thousands separator'),
    ("short_comma_group", "orders", ["O9", "M1", "2026-11-01 10:00:00", "12,50", "paid", ""], "bad_amount",
     'amount "12,50" has a comma that is not a thousands separator'),
    ("amount_over_the_maximum", "orders", ["O9", "M1", "2026-11-01 10:00:00", "9999999999999999.99", "paid", ""],
     "bad_amount", 'amount "9999999999999999.99" is more than 100000000, the most one order may be'),
    ("fee_over_the_maximum", "members", ["M9", "S1", "2026-11-01", "standard", "100000000.01", "community", "", "",
                                         ""], "bad_amount", "the most one fee may be"),
    ("negative_fee", "members", ["M9", "S1", "2026-11-01", "standard", "-1", "community", "", "", ""], "bad_amount",
     'fee "-1" is negative'),
    ("unknown_status", "orders", ["O9", "M1", "2026-11-01 10:00:00", "5.00", "shipped", ""], "bad_status",
     'status "shipped" is not one of paid, refunded, cancelled'),
    ("member_missing_station", "members", ["M9", "S99", "2026-11-01", "standard", "399", "community", "", "", ""],
     "unknown_station", "station S99 is not among the loaded stations"),
    ("order_missing_member", "orders", ["O9", "M99", "2026-11-01 10:00:00", "5.00", "paid", ""], "unknown_member",
     "member M99 is not among the loaded members"),
    ("order_before_join", "orders", ["O9", "M4", "2026-11-17 10:00:00", "5.00", "paid", ""], "before_join",
     "member M4 joined on 2026-11-18"),
    ("closed_before_opened", "stations", ["S9", "九号站", "east", "e1", "pa", "", "", "2026-01-01", "2026-03-01",
                                          "2026-02-01"], "closed_before_opened",
                                              "closed_on 2026-02-01 is before opened_on 2026-03-01"),
    ("closed_never_opened", "stations", ["S9", "九号站", "east", "e1", "pa", "", "", "2026-01-01", "", "2026-02-01"],
     "closed_before_opened", "the station never opened"),
    ("opened_before_signed", "stations", ["S9", "九号站", "east", "e1", "pa", "", "", "2026-03-01", "2026-02-01", ""],
     "opened_before_signed", "opened_on 2026-02-01 is before signed_on 2026-03-01"),
    ("date_after_as_of", "orders", ["O9", "M1", "2026-11-25 10:00:00", "5.00", "paid", ""], "future_date",
     "after the data's as-of date 2026-11-24"),
    ("station_date_after_as_of", "stations", ["S9", "九号站", "east", "e1", "pa", "", "", "2026-12-01", "", ""],
     "future_date", "signed_on 2026-12-01 is after the data's as-of date 2026-11-24"),
    ("refund_before_join", "members", ["M9", "S1", "2026-11-10", "standard", "399", "community", "", "2026-11-01", ""],
     "refunded_before_joined", "refunded_on 2026-11-01 is before joined_on 2026-11-10"),
]


@pytest.mark.parametrize("table,row,code,phrase", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_row_is_rejected_with_reason(tmp_path, table, row, code, phrase):
    build_with(tmp_path, with_row(table, row))
    [(t, source, line, got_code, reason, raw)] = rejects(tmp_path)
    assert (t, source, got_code) == (table, f"{table}.csv", code)
    assert line == len(BASE[table]) + 2  # header is line 1, the appended row comes after the base rows
    assert phrase in reason
    assert json.loads(raw) == {c: (v if v != "" else None) for c, v in zip(TABLES[table].column_names, row)}
    assert counts(tmp_path) == LOADED  # nothing else was lost


def test_duplicate_id_keeps_the_first_and_says_so(tmp_path):
    dup = ["S2", "重复的二号站", "south", "s1", "pd", "", "", "2026-01-01", "", ""]
    build_with(tmp_path, with_row("stations", dup))
    [(t, source, line, code, reason, _)] = rejects(tmp_path)
    assert (t, line, code) == ("stations", 8, "duplicate_id")
    assert reason == "duplicate station_id S2: the first row with this id (stations.csv line 3) was loaded"
    assert query(tmp_path / "wh.duckdb", "select name, war_zone from stations where station_id = 'S2'") == [
        ("二号站", "east")]


def test_duplicate_across_files_keeps_the_one_in_the_first_file(tmp_path):
    make_raw(tmp_path)
    write_csv(
        tmp_path / "raw" / "orders_2.csv",
        TABLES["orders"].column_names,
        [
            ["O1", "M2", "2026-11-05 10:00:00", "9.99", "paid", ""],
            ["O10", "M2", "2026-11-05 11:00:00", "1.00", "paid", ""],
        ],
    )
    run_build(tmp_path)
    [(t, source, line, code, reason, _)] = rejects(tmp_path)
    assert (source, line, code) == ("orders_2.csv", 2, "duplicate_id")
    assert "(orders.csv line 2) was loaded" in reason
    assert query(tmp_path / "wh.duckdb", "select amount::varchar from orders where order_id = 'O1'") == [("100.00",)]


def test_rejected_station_takes_its_members_and_their_orders_with_it(tmp_path):
    # S1 gets an unparseable signed_on: S1 is rejected, so are its members M1, M2 and their orders O1-O4.
    bad = ["S1", "一号站", "east", "e1", "pa", "", "", "soon", "2026-10-01", ""]
    build_with(tmp_path, with_row("stations", bad, replace_index=0))
    codes = sorted((t, c) for t, _, _, c, _, _ in rejects(tmp_path))
    assert codes == [("members", "unknown_station")] * 2 + [("orders", "unknown_member")] * 4 + [
        ("stations", "bad_date")
    ]
    assert counts(tmp_path) == {"stations": 5, "members": 5, "orders": 4}


def test_ragged_csv_row_is_rejected_with_its_line(tmp_path):
    make_raw(tmp_path)
    path = tmp_path / "raw" / "orders.csv"
    path.write_text(path.read_text(encoding="utf-8") + "O9,M1,2026-11-01 10:00:00,5.00,paid,,extra\n", encoding="utf-8")
    run_build(tmp_path)
    [(t, source, line, code, reason, raw)] = rejects(tmp_path)
    assert (t, line, code) == ("orders", 10, "bad_row")
    assert reason == "row has 7 fields but the header has 6"
    assert raw == "O9,M1,2026-11-01 10:00:00,5.00,paid,,extra"


def test_empty_file_loads_nothing_and_says_so(tmp_path):
    make_raw(tmp_path)
    (tmp_path / "raw" / "orders_empty.csv").write_bytes(b"")
    res = run_build(tmp_path)
    [empty] = [f for f in res.files if f["file"] == "orders_empty.csv"]
    assert (empty["read"], empty["loaded"], empty["rejected"]) == (0, 0, 0)
    assert "empty file" in empty["note"]
    assert counts(tmp_path) == LOADED


@pytest.mark.parametrize("encoding,label", [("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig")])
def test_chinese_excel_encodings_load_the_same_rows(tmp_path, encoding, label):
    make_raw(tmp_path, encoding=encoding)
    res = run_build(tmp_path)
    by_file = {f["file"]: f["encoding"] for f in res.files}
    assert by_file["stations.csv"] == label     # Chinese names: the encoding shows
    assert by_file["members.csv"] in (label, "utf-8")  # plain ASCII reads the same either way
    assert counts(tmp_path) == LOADED
    assert query(tmp_path / "wh.duckdb", "select name, city from stations where station_id = 'S3'") == [
        ("三号站", "南京")
    ]
    assert query(tmp_path / "wh.duckdb", "select category from orders where order_id = 'O1'") == [("生鲜",)]


def test_gb18030_file_whose_head_is_ascii(tmp_path):
    # The first megabyte is plain ASCII (valid UTF-8); GB18030 bytes only come later. Detection must recover.
    rows = [[f"P{i}", "M1", "2026-11-01 10:00:00", "1.00", "paid", ""] for i in range(40_000)]
    rows.append(["P-last", "M1", "2026-11-01 10:00:00", "1.00", "paid", "生鲜"])
    make_raw(tmp_path)
    write_csv(tmp_path / "raw" / "orders_more.csv", TABLES["orders"].column_names, rows, encoding="gb18030")
    res = run_build(tmp_path)
    [more] = [f for f in res.files if f["file"] == "orders_more.csv"]
    assert (more["encoding"], more["read"], more["loaded"]) == ("gb18030", 40_001, 40_001)
    assert query(tmp_path / "wh.duckdb", "select category from orders where order_id = 'P-last'") == [("生鲜",)]


def test_xlsx_file(tmp_path):
    import datetime as dt

    import openpyxl

    make_raw(tmp_path)
    (tmp_path / "raw" / "members.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(TABLES["members"].column_names)
    for row in BASE["members"]:
        cells = list(row)
        cells[2] = dt.datetime.fromisoformat(cells[2])       # dates as Excel dates
        cells[4] = float(cells[4])                           # fee as a number
        cells[7] = dt.datetime.fromisoformat(cells[7]) if cells[7] else None
        cells[8] = int(cells[8]) if cells[8] else None       # phone typed as a number
        ws.append(cells)
    wb.save(tmp_path / "raw" / "members.xlsx")
    res = run_build(tmp_path)
    [xl] = [f for f in res.files if f["table"] == "members"]
    assert (xl["file"], xl["format"], xl["read"], xl["loaded"], xl["rejected"]) == ("members.xlsx", "xlsx", 7, 7, 0)
    assert query(
        tmp_path / "wh.duckdb",
        "select joined_on::varchar, fee::varchar, phone, refunded_on::varchar from members where member_id = 'M6'",
    ) == [("2026-09-01", "2999.00", None, "2026-11-22")]
    assert query(tmp_path / "wh.duckdb", "select phone from members where member_id = 'M1'") == [("13800000001",)]
    assert counts(tmp_path) == LOADED


def test_parquet_with_typed_columns(tmp_path):
    import duckdb

    make_raw(tmp_path)
    raw = tmp_path / "raw"
    with duckdb.connect() as con:
        con.execute("copy (select order_id, member_id, ordered_at::timestamp as ordered_at, amount::decimal(10,"
                    "2) as amount, "
                    f"status, category from read_csv('{raw / 'orders.csv'}', all_varchar=true)) to "
                    f"'{raw / 'orders.parquet'}'")
    (raw / "orders.csv").unlink()
    res = run_build(tmp_path)
    [pq] = [f for f in res.files if f["table"] == "orders"]
    assert (pq["format"], pq["read"], pq["loaded"]) == ("parquet", 8, 8)
    # paid: O1 100 + O2 50.50 + O4 80 + O5 30.25 + O6 60 + O7 10 = 330.75
    assert query(tmp_path / "wh.duckdb", "select sum(amount)::varchar from orders where status = 'paid'") == [
        ("330.75",)
    ]


def test_unknown_org_references_load_under_unassigned_with_warnings(hand_made):
    db = hand_made / "wh.duckdb"
    # S6 is in war zone "west", unknown: all its nodes are company/unassigned
    assert query(db, "select war_zone, team, person from station_nodes where station_id = 'S6'") == [
        ("company/unassigned",) * 3]
    assert query(db, "select center from member_nodes where member_id = 'M5'") == [("centers/unassigned",)]
    warnings = query(db, "select table_name, field, value, attributed_to, rows from warnings order by all")
    assert warnings == [("members", "channel", "partner", "centers/unassigned", 1),
                        ("stations", "war_zone", "west", "company/unassigned", 1)]
    # one of each: "1 station", "1 member" (issue 36: "1 stations counted")
    assert [m for (m,) in query(db, "select message from warnings order by all")] == [
        'channel "partner" is not in org.yaml: 1 member counted under centers/unassigned. Add it to org.yaml, or '
        "correct the channel in the data.",
        'war_zone "west" is not in org.yaml: 1 station counted under company/unassigned. Add it to org.yaml, or '
        "correct the war_zone in the data."]


def test_unknown_team_and_owner_go_under_their_parent(tmp_path):
    tables = copy.deepcopy(BASE)
    tables["stations"][0][3] = "e9"     # S1: unknown team in a known zone -> east/unassigned
    tables["stations"][1][4] = "nobody"  # S2: unknown owner in a known team -> e1/unassigned
    tables["stations"][2][3] = "s1"     # S3: a team of another zone -> east/unassigned
    build_with(tmp_path, tables)
    assert query(tmp_path / "wh.duckdb", "select station_id, war_zone, team, person from station_nodes "
                                         "where station_id in ('S1', 'S2', 'S3') order by 1") == [
        ("S1", "east", "east/unassigned", "east/unassigned"),
        ("S2", "east", "e1", "e1/unassigned"),
        ("S3", "east", "east/unassigned", "east/unassigned")]


def test_no_plan_puts_everything_under_unassigned(tmp_path):
    make_raw(tmp_path, org=None)
    run_build(tmp_path)
    assert query(tmp_path / "wh.duckdb", "select distinct war_zone, team, person from station_nodes") == [
        ("company/unassigned",) * 3]
    assert query(tmp_path / "wh.duckdb", "select distinct center from member_nodes") == [("centers/unassigned",)]


def test_missing_required_column_names_file_and_column(tmp_path):
    make_raw(tmp_path)
    write_csv(tmp_path / "raw" / "members.csv", [c for c in TABLES["members"].column_names if c != "joined_on"],
              [["M1", "S1", "standard", "399", "community", "", "", ""]])
    with pytest.raises(NorthstarError) as err:
        run_build(tmp_path)
    msg = str(err.value)
    assert "members.csv" in msg and "missing required column joined_on" in msg and "previous warehouse" in msg


def test_optional_columns_may_be_absent(tmp_path):
    make_raw(tmp_path)
    write_csv(tmp_path / "raw" / "orders.csv", ["order_id", "member_id", "ordered_at", "amount", "status"],
              [r[:5] for r in BASE["orders"]])
    run_build(tmp_path)
    assert counts(tmp_path)["orders"] == 8
    assert query(tmp_path / "wh.duckdb", "select count(category) from orders") == [(0,)]


def test_spreadsheet_formats_of_dates_and_amounts(tmp_path):
    tables = copy.deepcopy(BASE)
    tables["orders"][0][2] = "2026/10/20 10:00"   # Excel's date display
    tables["orders"][0][3] = "¥1,000.00"          # currency sign and thousands separator
    tables["orders"][1][3] = " ￥1,234,567.5 "     # full-width sign, groups of three, spaces around
    tables["members"][0][2] = "2026/10/5"
    build_with(tmp_path, tables)
    assert rejects(tmp_path) == []
    assert query(
        tmp_path / "wh.duckdb", "select ordered_at::varchar, amount::varchar from orders where order_id='O1'"
    ) == [("2026-10-20 10:00:00", "1000.00")]
    assert query(tmp_path / "wh.duckdb", "select amount::varchar from orders where order_id='O2'") == [("1234567.50",)]
    assert query(tmp_path / "wh.duckdb", "select joined_on::varchar from members where member_id = 'M1'") == [
        ("2026-10-05",)
    ]


def test_file_report_counts(hand_made):
    rows = query(hand_made / "wh.duckdb", "select table_name, file_name, format, encoding, rows_read, rows_loaded, "
                                          "rows_rejected, last_date::varchar from ingest_files order by table_name")
    assert rows == [("members", "members.csv", "csv", "utf-8", 7, 7, 0, "2026-11-22"),
                    ("orders", "orders.csv", "csv", "utf-8", 8, 8, 0, "2026-11-21"),
                    ("stations", "stations.csv", "csv", "utf-8", 6, 6, 0, "2026-11-15")]
