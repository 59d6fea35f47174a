"""Cohorts (pipelines/okr/cohorts.py and the cohort marts): member retention, on-or-after, the weighted average row, LTV
and station cohorts on the hand-made network by hand; the `cohorts` command against an independent plain-pandas
computation on the tiny sample.

The hand-made network (tests/conftest.py), D = 2026-11-22 (M6's refund is the last date in the data):
- member cohorts: M3 (refunded 11-08) and M6 (refunded 11-22) are out. 2026-10 = {M1}; 2026-11 = {M2, M4, M5, M7}.
- paid orders: M1 10-20 100.00 and 11-01 50.50; M2 11-19 80.00; M4 11-20 30.25; M5 11-21 10.00. M7 never orders;
  O3 is cancelled, O8 refunded, O6 belongs to M6.
- November is D's month and D is not its last day: partial.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.base.privacy import mask_phone
from pipelines.okr import cohorts
from tests.conftest import ROOT

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


@pytest.fixture()
def con(hand_made_db):
    c = duckdb.connect(str(hand_made_db), read_only=True)
    yield c
    c.close()


def test_member_retention_by_hand(con):
    assert cohorts.as_of(con) == dt.date(2026, 11, 22)
    rows = [(r["cohort_month"], r["month_index"], r["cohort_size"], r["active"], r["active_or_after"], r["gmv"],
             r["gmv_per_member_cum"], r["complete"]) for r in cohorts.members(con)]
    assert rows == [
        (OCT, 0, 1, 1, 1, 100.0, 100.0, True),      # M1 ordered in October; October is over
        (OCT, 1, 1, 1, 1, 50.5, 150.5, False),      # …and in November (partial): LTV 100 + 50.50
        (NOV, 0, 4, 3, 3, 120.25, 30.0625, False),  # M2 M4 M5 ordered, M7 did not: 3 of 4; 120.25 / 4
    ]
    nov = cohorts.members(con)[2]
    assert (nov["active_rate"], nov["active_or_after_rate"]) == (0.75, 0.75)


def test_the_average_row_uses_completed_cohorts_only(con):
    rows = cohorts.members(con)
    # month 0: only October is complete (1 of 1); month 1: nobody has completed it yet
    assert cohorts.average(rows) == {0: 1.0, 1: None}
    assert cohorts.average(rows, count="active_or_after") == {0: 1.0, 1: None}


def test_on_or_after_counts_a_later_return():
    """A member silent in month 1 but back in month 2 is active on or after 1, not active in 1."""
    rows = [{"month_index": 0, "active": 2, "active_or_after": 2, "cohort_size": 2, "complete": True},
            {"month_index": 1, "active": 0, "active_or_after": 1, "cohort_size": 2, "complete": True},
            {"month_index": 0, "active": 1, "active_or_after": 1, "cohort_size": 3, "complete": True},
            {"month_index": 1, "active": 1, "active_or_after": 1, "cohort_size": 3, "complete": False}]
    assert cohorts.average(rows) == {0: 3 / 5, 1: 0.0}              # the second cohort's month 1 is partial
    assert cohorts.average(rows, count="active_or_after") == {0: 3 / 5, 1: 0.5}


def test_breakdown_and_filters(con):
    by_zone = {(r["cohort_month"], r["group"], r["month_index"]): (r["cohort_size"], r["active"])
               for r in cohorts.members(con, by="war_zone")}
    # M7 joined at S6 (war zone "west", not in the org): unassigned, with no order
    assert by_zone == {(OCT, "east", 0): (1, 1), (OCT, "east", 1): (1, 1), (NOV, "east", 0): (3, 3),
                       (NOV, "company/unassigned", 0): (1, 0)}
    community = cohorts.members(con, filters={"center": "community"})
    assert [(r["cohort_month"], r["cohort_size"], r["active"]) for r in community] == [
        (OCT, 1, 1), (OCT, 1, 1), (NOV, 2, 1)]                       # M1; M2 (referral) and M7 (community)
    assert cohorts.members(con, start=NOV) == cohorts.members(con)[2:]
    with pytest.raises(Exception, match="cannot break down by 'city'"):
        cohorts.members(con, by="city")


def test_station_cohorts_by_hand(con):
    rows = [(r["cohort_month"], r["age"], r["stations"], r["open"], r["members_per_station"], r["gmv_per_station"],
             r["complete"]) for r in cohorts.stations(con)]
    aug = dt.date(2026, 8, 1)
    assert rows == [
        (aug, 0, 1, 1, 0.0, 0.0, True),          # S5 opened 08-20; its one member M6 was refunded
        (aug, 1, 1, 1, 0.0, 0.0, True),
        (aug, 2, 1, 0, 0.0, 0.0, True),          # closed 10-31: not open at the end of October
        (aug, 3, 1, 0, 0.0, 0.0, False),
        (OCT, 0, 1, 1, 1.0, 100.0, True),        # S1: M1, O1
        (OCT, 1, 1, 1, 2.0, 130.5, False),       # + M2; O2 50.50 + O4 80.00
        (NOV, 0, 3, 2, 1.0, pytest.approx(40.25 / 3), False),   # S2 S3 S6; S3 closed 11-15; M4 M5 M7; 30.25 + 10
    ]
    assert cohorts.stations(con)[6]["survival"] == pytest.approx(2 / 3)


def test_the_members_behind_a_cell_come_whole_with_station_names(con):
    """Issue 17.10: the export holds every member (limit None), a listing the first ones by joining date; each row
    names its station."""
    every = cohorts.members_behind(con, NOV, limit=None)
    assert [m["member_id"] for m in every] == ["M2", "M5", "M4", "M7"]
    assert [m["member_id"] for m in cohorts.members_behind(con, NOV, limit=2)] == ["M2", "M5"]
    names = dict(con.execute("select station_id, name from stations").fetchall())
    assert all(m["station_name"] == names[m["station_id"]] for m in every)


def test_the_members_behind_a_cell_with_phones_masked(con):
    active = cohorts.members_behind(con, NOV, 0)
    assert [(m["member_id"], m["station_id"], m["orders"], m["gmv"], m["phone"]) for m in active] == [
        ("M2", "S1", 1, 80.0, "138****0002"), ("M5", "S3", 1, 10.0, "—"), ("M4", "S2", 1, 30.25, "138****0004")]
    assert [m["member_id"] for m in cohorts.members_behind(con, NOV)] == ["M2", "M5", "M4", "M7"]   # the cohort
    assert [m["member_id"] for m in cohorts.members_behind(con, OCT, 1, "active_or_after")] == ["M1"]
    assert all("13800000" not in str(v) for m in cohorts.members_behind(con, NOV) for v in m.values())


@pytest.mark.parametrize("phone, shown", [("13812341234", "138****1234"), ("+86 138-1234-1234", "861****1234"),
                                          ("", "—"), (None, "—"), ("123", "***")])
def test_mask_phone(phone, shown):
    assert mask_phone(phone) == shown


@settings(max_examples=120, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789１２３٣ +-()abc中"), min_size=1, max_size=16))
def test_the_sql_macro_masks_a_phone_as_python_does(phone):
    """Issue 34: one rule for a phone, spelt twice (pipelines/base/privacy.py for the pages, the build's SQL macro for
    the raw rows it keeps). Full-width and Arabic-Indic digits were digits to Python's isdigit and not to the SQL
    regex, so the two showed the same phone differently."""
    from pipelines.warehouse.build import SQL_DIR

    con = duckdb.connect()
    con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
    assert con.execute("select mask_phone(?)", [phone]).fetchone()[0] == mask_phone(phone)


# ---- the command against an independent pandas computation --------------------------------------------------------

def pandas_retention(db) -> list[tuple]:
    """The member retention table computed from the warehouse's loaded members and orders with plain pandas."""
    with duckdb.connect(str(db), read_only=True) as c:
        members = c.execute("select member_id, joined_on, refunded_on from members").df()
        orders = c.execute("select member_id, ordered_at, amount::double as amount, status from orders").df()
        last = c.execute("select last_date from build_info").fetchall()[0][0]
    members = members[members["refunded_on"].isna() & (pd.to_datetime(members["joined_on"]).dt.date <= last)].copy()
    members["cohort"] = pd.to_datetime(members["joined_on"]).dt.to_period("M")
    paid = orders[(orders["status"] == "paid") & (pd.to_datetime(orders["ordered_at"]).dt.date <= last)].copy()
    paid["month"] = pd.to_datetime(paid["ordered_at"]).dt.to_period("M")
    paid = paid.merge(members[["member_id", "cohort"]], on="member_id")
    paid["k"] = [(m - c).n for m, c in zip(paid["month"], paid["cohort"])]
    paid = paid[paid["k"] >= 0]
    active = paid.groupby(["cohort", "k"])["member_id"].nunique()
    gmv = paid.groupby(["cohort", "k"])["amount"].sum()
    last_k = paid.groupby("member_id")["k"].max()
    members["last_k"] = members["member_id"].map(last_k)
    size = members.groupby("cohort").size()
    d_month = pd.Period(last, "M")
    out = []
    for cohort, n in size.items():
        cum = 0.0
        for k in range((d_month - cohort).n + 1):
            a = int(active.get((cohort, k), 0))
            after = int((members.loc[members["cohort"] == cohort, "last_k"] >= k).sum())
            g = float(gmv.get((cohort, k), 0.0))
            cum += g
            end = (cohort + k).to_timestamp(how="end").date()
            out.append((str(cohort), "", int(n), k, a, round(a / n, 6), after, round(after / n, 6), round(g, 2),
                        round(cum / n, 4), end <= last))
    return out


def test_the_cohorts_command_equals_pandas_on_the_tiny_sample(tiny):
    db = tiny / "wh.duckdb"
    run = subprocess.run([sys.executable, "-m", "pipelines", "cohorts", "--kind", "members", "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    reader = csv.DictReader(io.StringIO(run.stdout))
    assert tuple(reader.fieldnames) == cohorts.MEMBER_COLUMNS
    got = [(r["cohort_month"], r["group"], int(r["cohort_size"]), int(r["month_index"]), int(r["active"]),
            float(r["active_rate"]), int(r["active_or_after"]), float(r["active_or_after_rate"]), float(r["gmv"]),
            float(r["gmv_per_member_cum"]), r["complete"] == "true") for r in reader]
    want = pandas_retention(db)
    assert len(got) == len(want) > 20
    assert got == want


def test_the_cohorts_command_json_and_errors(tiny, tmp_path):
    db = tiny / "wh.duckdb"
    run = subprocess.run([sys.executable, "-m", "pipelines", "cohorts", "--kind", "stations", "--by", "war_zone",
                          "--format", "json", "--db", str(db)], cwd=ROOT, capture_output=True, text=True, check=True)
    import json

    rows = json.loads(run.stdout)
    assert set(rows[0]) == set(cohorts.STATION_COLUMNS) and {r["group"] for r in rows} >= {"east", "south", "north"}
    assert all(0 <= r["survival"] <= 1 for r in rows)
    missing = subprocess.run([sys.executable, "-m", "pipelines", "cohorts", "--db", str(tmp_path / "none.duckdb")],
                             cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no warehouse at")


def test_the_catalog_holds_the_cohort_definitions(con):
    """M1 retention in the metric catalog agrees with the retention table: October's cohort, M1 = November, is
    complete only once D is November's last day; with D = 11-22 there is no value (never 0)."""
    from pipelines.base import metrics

    d = cohorts.as_of(con)
    assert metrics.value(con, "m1_retention", d, OCT, dt.date(2026, 11, 30)) is None
    assert metrics.value(con, "m1_retention", dt.date(2026, 11, 30), OCT, dt.date(2026, 11, 30)) == 1.0
    assert metrics.value(con, "m1_retention", dt.date(2026, 11, 30), OCT, OCT, center="content") is None
    # joined 11-01..11-22: M2 (referred by M1) of M2 M3 M4 M5 M7 (M6 joined in September)
    assert metrics.value(con, "referral_share", d, NOV, dt.date(2026, 11, 30)) == pytest.approx(1 / 5)
    for name in ("m1_retention", "m3_retention", "referral_share"):
        m = metrics.CATALOG[name]
        assert m.definition_zh and m.definition_en and m.kind in ("cohort", "path")
