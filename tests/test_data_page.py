"""The Data page and pipelines/warehouse/freshness.py: rows read = loaded + rejected per file and in total, the rejected
rows by reason with examples and a full CSV, the values the org does not know, stale data flagged, and the metric
catalog — every metric the pipeline defines is listed with both definitions (a metric added without them fails).

The network: the hand-made one (tests/conftest.py) plus three bad rows — an order with a negative amount, a
member at a station that does not exist, and a station whose opening date is not a date.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

import duckdb
import pytest

from pipelines.base import metrics
from pipelines.warehouse import freshness
from tests.conftest import BASE, make_raw, open_app, run_build, seen
from ui.i18n import reason_word, text

pytestmark = pytest.mark.usefixtures("fresh_cache")
BAD = {
    "stations": BASE["stations"]
    + [["S7", "七号站", "east", "e1", "pa", "浙江", "杭州", "2026-10-01", "not a date", ""]],
    "members": BASE["members"] + [["M8", "S9", "2026-11-05", "standard", "399", "community", "", "", ""]],
    "orders": BASE["orders"] + [["O9", "M1", "2026-11-05 10:00:00", "-5.00", "paid", ""]],
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    make_raw(root, BAD)
    run_build(root)
    return root / "wh.duckdb"


def test_the_report_reconciles_by_hand(bad):
    with duckdb.connect(str(bad), read_only=True) as con:
        rep = freshness.report(con, dt.date(2026, 11, 24))
        examples = freshness.reject_examples(con)
        data = freshness.rejects_csv(con)
    files = {f["table"]: (f["read"], f["loaded"], f["rejected"]) for f in rep["files"]}
    assert files == {"stations": (7, 6, 1), "members": (8, 7, 1), "orders": (9, 8, 1)}
    assert rep["totals"] == {"read": 24, "loaded": 21, "rejected": 3}
    assert all(f["read"] == f["loaded"] + f["rejected"] for f in rep["files"])
    assert {(r["table"], r["reason_code"], r["rows"]) for r in rep["reasons"]} == {
        ("stations", "bad_date", 1), ("members", "unknown_station", 1), ("orders", "bad_amount", 1)}
    assert {(e["table"], e["file"], e["line"]) for e in examples} == {
        ("stations", "stations.csv", 8), ("members", "members.csv", 9), ("orders", "orders.csv", 10)}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["table", "source_file", "line", "reason_code", "reason", "raw_row"] and len(rows) == 1 + 3
    # S6 is in war zone "west" and M5 came by channel "partner": neither is in the org
    assert {(w["field"], w["value"], w["rows"]) for w in rep["warnings"]} == {("war_zone", "west", 1),
                                                                             ("channel", "partner", 1)}
    assert (rep["build"]["last_date"], rep["days_old"], rep["stale"]) == (dt.date(2026, 11, 22), 2, False)
    with duckdb.connect(str(bad), read_only=True) as con:
        assert freshness.report(con, dt.date(2026, 11, 25))["stale"] is True       # 3 days old


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_page_shows_the_report_and_the_whole_catalog(bad, monkeypatch, lang):
    at = open_app(bad, monkeypatch, "pages/data.py", lang, NORTHSTAR_TODAY="2026-11-30")
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    html = "".join(m.value for m in at.markdown)
    assert ("已过期" if lang == "zh" else "Stale") in html.split('data-k="data.fresh"')[1][:40]   # 8 days old
    assert at.warning[0].value == text("data_stale", lang, n=2)
    assert text("data_total", lang, read="24", loaded="21", rejected="3") in html
    # the last table is the audit: with auth: open the reader has every right (issue 20), an admin's included
    files, reasons, examples, warnings, checks, audit = (f.value for f in at.dataframe)
    # the catalog is a table that wraps (issue 36.14: its definitions were cut at the grid's cell edge): the frame
    # the page draws, and every definition whole in the page
    import streamlit as st

    from ui.views import board, data_tables

    st.session_state["lang_code"] = lang
    catalog = data_tables.catalog(lang)
    assert 'data-k="data.catalog"' in html
    for m in metrics.CATALOG.values():
        assert board.esc(m.definition_zh) in html and board.esc(m.definition_en) in html, m.name
    assert list(audit[text("audit_action", lang)]) == [text("audit_import", lang)]      # the build's config import
    assert set(checks.iloc[:, 1]) == {text("data_check_ok", lang)}       # the data tests the build ran (issue 19.7)
    assert list(files[text("col_read", lang)]) == [7, 8, 9] and list(files[text("col_rejected", lang)]) == [1, 1, 1]
    # reasons in the reader's words (issue 17.11), the code kept beside them
    assert sorted(reasons[text("col_reason", lang)]) == sorted(reason_word(c, lang) for c in
                                                               ("bad_amount", "bad_date", "unknown_station"))
    assert ("日期无法识别 (bad_date)" if lang == "zh" else "Not a date (bad_date)") in list(
        reasons[text("col_reason", lang)]
    )
    # the raw rows as columns, not JSON: the bad station's opening date is there to read
    s7 = examples[examples["station_id"] == "S7"].iloc[0]
    assert s7["opened_on"] == "not a date" and s7[text("col_line", lang)] == 8
    assert sorted(examples[text("col_line", lang)]) == [8, 9, 10]
    assert sorted(warnings[text("col_value", lang)]) == ["partner", "west"]
    # named, never a raw id such as company/unassigned (issue 17.13)
    assert sorted(warnings[text("col_attributed", lang)]) == (["未归属中心", "未归属战区"] if lang == "zh" else
                                                              ["Unassigned center", "Unassigned zone"])
    # the reader's definition first (issue 17.14)
    other = "en" if lang == "zh" else "zh"
    assert list(catalog.columns).index(text(f"col_def_{lang}", lang)) < list(catalog.columns).index(
        text(f"col_def_{other}", lang))
    # every metric the pipeline defines, with both definitions, as the catalog module has them
    assert list(catalog[text("col_code", lang)]) == list(metrics.CATALOG)
    assert list(catalog[text("col_def_zh", lang)]) == [m.definition_zh for m in metrics.CATALOG.values()]
    assert list(catalog[text("col_def_en", lang)]) == [m.definition_en for m in metrics.CATALOG.values()]
    # what each metric is, which is how a key result on it is judged (issue 32): days to open, lower is better
    row = catalog[catalog[text("col_code", lang)] == "days_to_open"].iloc[0]
    assert (row[text("col_measure", lang)], row[text("col_better", lang)]) == (
        text("measure_median", lang), text("better_lower", lang))
    at.selectbox(key=f"data_sql_{lang}").set_value("m1_retention").run()
    assert "member_cohorts" in at.code[0].value


def test_every_catalog_metric_has_both_definitions_and_sql():
    for m in metrics.CATALOG.values():
        assert m.definition_zh.strip() and m.definition_en.strip() and m.sql.strip(), m.name
        assert m.kind in ("goal", "path", "cohort"), m.name


def test_an_upload_over_the_size_limit_is_refused_and_nothing_changes(bad, monkeypatch):
    raw = bad.parent / "raw"
    before = {p.name: p.read_bytes() for p in raw.iterdir() if p.is_file()}
    at = open_app(bad, monkeypatch, "pages/data.py", NORTHSTAR_MAX_UPLOAD_MB="1", NORTHSTAR_RAW=str(raw),
                  NORTHSTAR_CONFIG=str(bad.parent / "config"))
    big = ("order_id,member_id,ordered_at,amount,status,category\n" + "X,M1,2026-11-10 10:00:00,1,paid,\n" * 40000)
    at.file_uploader[0].set_value(("orders-big.csv", big.encode(), "text/csv")).run()
    assert not at.exception
    assert at.error[0].value.startswith("有 1 个问题，没有做任何改动：")
    assert "orders-big.csv：1.3 MB，超过 1 MB 的上限" in seen(at.error[0].value)        # 53 + 40,000 × 33 bytes
    assert not [b for b in at.button if b.key == "load_confirm"]
    assert {p.name: p.read_bytes() for p in raw.iterdir() if p.is_file()} == before


def test_rejected_rows_leave_with_their_phone_masked(tmp_path):
    """The Data page's examples and the rejects CSV show a rejected member's phone as 138****5678 (issue 17.11;
    issue 18.8 asks the same of every surface)."""
    members = BASE["members"] + [["M9", "S404", "2026-11-05", "standard", "399", "community", "", "", "13812345678"]]
    make_raw(tmp_path, {"stations": BASE["stations"], "members": members, "orders": BASE["orders"]})
    run_build(tmp_path)
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        examples = freshness.reject_examples(con)
        data = freshness.rejects_csv(con).decode("utf-8-sig")
    m9 = next(e for e in examples if e["columns"].get("member_id") == "M9")
    assert m9["columns"]["phone"] == "138****5678" and "13812345678" not in m9["raw_row"]
    assert "138****5678" in data and "13812345678" not in data


def test_every_reject_detail_the_pipeline_writes_reads_in_chinese():
    """Issue 17.11, issue 34: each detail the build can write about a rejected row is a code with values (the SQL's
    and the file reader's), worded from the label table: every code has Chinese and English with the same values,
    and the SQL macro writes exactly the English the pages would (no English sentence is left in the SQL to be
    translated back by pattern)."""
    import re

    import duckdb

    from pipelines.base.labels import LABELS, say
    from pipelines.base.labels.rejects import DETAILS
    from pipelines.warehouse.build import reject_detail_macro
    from tests.conftest import ROOT

    sql = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "pipelines" / "warehouse" / "sql").rglob("*.sql"))
    reader = (ROOT / "pipelines" / "warehouse" / "ingest.py").read_text(encoding="utf-8")
    codes = set(re.findall(r"'detail': '(\w+)'", sql)) | set(re.findall(r"reject_detail\('(\w+)'", sql)) | set(
        re.findall(r"\breject\(\w+, \"(\w+)\"", reader))
    assert len(codes) >= 22 and all(f"detail_{c}" in LABELS for c in codes), sorted(codes)
    assert [t for t in re.findall(r"format\('((?:[^']|'')*)'", sql) if "org.yaml" not in t] == []
    con = duckdb.connect()
    con.execute(reject_detail_macro())
    for key in DETAILS:
        args = ["O1", "2026-11-24", "orders.csv", "7"][:len(set(re.findall(r"\{(\d+)\}", DETAILS[key][1])))]
        en = con.execute("select reject_detail(?, ?)", [key.removeprefix("detail_"), args]).fetchall()[0][0]
        assert en == say(key, "en", *args), key
        zh = say(key, "zh", *args)
        assert re.search(r"[\u4e00-\u9fff]", zh) and all(a in zh for a in args), (key, zh)


def test_a_rejected_row_keeps_its_detail_as_a_code_and_an_older_warehouse_keeps_its_sentences(tmp_path):
    """Issue 34: a rejected row stores its detail's code and values beside the English, and the Data page words
    them in the reader's language; a warehouse built before (no such columns) gains them at its next build, its
    old rows keeping their English sentence, which the page shows as it is."""
    import duckdb

    from tests.conftest import make_raw, query, run_build
    from ui.i18n import reason_text

    make_raw(tmp_path)
    with (tmp_path / "raw" / "orders.csv").open("a", encoding="utf-8") as fh:
        fh.write("X1,M1,2026-13-01 10:00:00,5,paid,\n")
    run_build(tmp_path)
    db = tmp_path / "wh.duckdb"
    [(code, args, reason)] = query(db, "select detail_code, detail_args, reason from rejects where source_file = "
                                       "'orders.csv' and line = (select max(line) from rejects)")
    assert (code, args) == ("not_a_datetime", ["ordered_at", "2026-13-01 10:00:00"])
    assert reason == 'ordered_at "2026-13-01 10:00:00" is not a date and time (use YYYY-MM-DD HH:MM:SS)'
    assert reason_text(code, args, reason, "zh") == ("ordered_at「2026-13-01 10:00:00」不是日期时间（请用 "
                                                     "YYYY-MM-DD HH:MM:SS）")
    with duckdb.connect(str(db)) as con:          # as a warehouse built before issue 34 has it
        con.execute("alter table rejects drop column detail_code")
        con.execute("alter table rejects drop column detail_args")
    (tmp_path / "raw" / "orders_more.csv").write_text(
        "order_id,member_id,ordered_at,amount,status,category\nX2,M1,2026-11-02 10:00:00,-3,paid,\n", encoding="utf-8")
    run_build(tmp_path, incremental=True)
    rows = dict(((f, c), (d, a, r)) for f, c, d, a, r in query(
        db, "select source_file, reason_code, detail_code, detail_args, reason from rejects where source_file "
            "like 'orders%'"))
    assert rows[("orders.csv", "bad_date")] == (None, None, reason)
    assert reason_text(None, None, reason, "zh") == reason
    assert rows[("orders_more.csv", "bad_amount")] == ("negative", ["amount", "-3"], 'amount "-3" is negative')


def test_uploads_live_beside_the_warehouse_and_abandoned_ones_go(tmp_path):
    """Issue 18.12: an upload waits in the warehouse's folder (not a shared /tmp), and an upload a session left
    behind (a closed tab) is removed after a day by the next upload."""
    import os
    import time

    from ui import data as ud

    db = tmp_path / "wh.duckdb"
    first = ud.upload_folder(str(db))
    (first / "0.csv").write_text("member_id,phone\nM1,13812345678\n", encoding="utf-8")
    assert first.parent == tmp_path / ".northstar-uploads"
    os.utime(first, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    second = ud.upload_folder(str(db))
    assert not first.exists() and second.exists()
    ud.drop_upload(second)
    assert not second.exists()


def test_exports_never_carry_a_live_formula(tmp_path):
    """Issue 18.10: a station named =HYPERLINK(…) or a channel "@cmd" is written to every CSV as text (a leading
    apostrophe), numbers stay numbers: the war-zone / cohort / growth downloads, the rejects CSV and tree --format
    csv."""
    import pandas as pd

    from pipelines.base import csvsafe
    from ui.views.warzone import csv_bytes

    bait = '=HYPERLINK("http://127.0.0.1:9/x","点我")'
    frame = pd.DataFrame({"驿站": [bait, "北京驿站"], "成员": [-3, 5], "=sum": ["+1", "@cmd"]})
    text_out = csv_bytes(frame).decode("utf-8-sig")
    assert text_out.splitlines() == ["驿站,成员,'=sum", '"\'=HYPERLINK(""http://127.0.0.1:9/x"",""点我"")",-3,\'+1',
                                     "北京驿站,5,'@cmd"]
    assert [csvsafe.cell(v) for v in ("-5.00", "abc", 7, None, "\tx")] == ["'-5.00", "abc", 7, None, "'\tx"]
    stations = BASE["stations"] + [["S8", bait, "east", "e1", "pa", "", "", "2026-10-01", "not a date", ""]]
    make_raw(tmp_path, {"stations": stations, "members": BASE["members"], "orders": BASE["orders"]})
    run_build(tmp_path)
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        rows = list(csv.reader(io.StringIO(freshness.rejects_csv(con).decode("utf-8-sig"))))
    assert all(not c.startswith(csvsafe.FORMULA_START) for r in rows for c in r)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_says_what_an_import_replaces_and_can_add_instead(tmp_path, monkeypatch, lang):
    """Issue 18.5: one day's orders uploaded; the page names the current file it would replace, and Add keeps it
    (the import then loads both files' rows)."""
    make_raw(tmp_path)
    run_build(tmp_path)
    raw = tmp_path / "raw"
    at = open_app(tmp_path / "wh.duckdb", monkeypatch, "pages/data.py", lang=lang, NORTHSTAR_RAW=str(raw),
                  NORTHSTAR_CONFIG=str(tmp_path / "config"), NORTHSTAR_AS_OF="2026-11-24",
                  NORTHSTAR_TODAY="2026-11-24")
    day = "order_id,member_id,ordered_at,amount,status,category\nX1,M1,2026-11-23 10:00:00,12.50,paid,生鲜\n"
    at.file_uploader[0].set_value(("orders-2026-11-23.csv", day.encode(), "text/csv")).run()
    assert not at.exception
    # (issue 36: a file named for one day is added by default — the safe choice; replacing is one click away)
    assert at.radio(key="load_mode").value == "add"
    at.radio(key="load_mode").set_value("replace").run()
    said = " ".join(seen(m.value) for m in at.markdown)
    assert ("导入会替换 1 个现有文件（移到备份文件夹）：orders.csv" if lang == "zh" else
            "The import replaces 1 current files (moved to a backup folder): orders.csv") in said
    at.radio(key="load_mode").set_value("add").run()
    said = " ".join(seen(m.value) for m in at.markdown)
    assert ("不会替换任何现有文件。" if lang == "zh" else "No current file is replaced.") in said
    assert ("保留同一表现有的 1 个文件：orders.csv" if lang == "zh" else
            "It keeps 1 current files of the same tables: orders.csv") in " ".join(seen(c.value) for c in at.caption)
    assert not at.warning                       # adding loses nothing: no second confirmation
    at.button(key="load_confirm").click().run()
    assert not at.exception
    names = sorted(p.name for p in raw.glob("orders*.csv"))      # the added file after the current one
    assert names[0] == "orders.csv" and names[1].endswith("-orders-2026-11-23.csv") and len(names) == 2
    assert query_count(tmp_path / "wh.duckdb") == 9


def query_count(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from orders").fetchall()[0][0]
