"""Network growth (pipelines/okr/growth.py and the growth marts) on a small hand-made network where every lifecycle
state and a referral chain occur, by hand; and the Growth page under AppTest in both languages.

The network (as of 2026-12-01, the last date in the data; December is partial):
- S1 (east, opened 08-01), S2 (south, opened 09-20, closed 11-10).
- A joins S1 09-01; B joins S1 09-05 referred by A; C joins S2 10-02 referred by B; D joins S2 10-10 referred by
  X9 (not a member); E joins S1 11-03 and is refunded 11-20.
- Paid orders: A 09-03, 10-05, 12-01; B 09-10, 11-02; C 10-03. D never orders; E's order was cancelled.
"""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from pipelines.okr import growth
from tests.conftest import make_raw, open_app, run_build
from ui.i18n import text

ORG = """
company: {id: company, name: {zh: 测试公司, en: Test Co}}
war_zones:
  - id: east
    name: {zh: 华东战区, en: East Zone}
    teams: [{id: e1, name: 华东一队, people: [{id: pa, name: 甲}]}]
  - id: south
    name: {zh: 华南战区, en: South Zone}
    teams: [{id: s1, name: 华南一队, people: [{id: pd, name: 丁}]}]
centers:
  - {id: community, name: {zh: 社群中心, en: Community Center}, channels: [community, referral]}
"""
STATIONS = [["S1", "一号站", "east", "e1", "pa", "浙江", "杭州", "2026-07-20", "2026-08-01", ""],
            ["S2", "二号站", "south", "s1", "pd", "广东", "广州", "2026-09-01", "2026-09-20", "2026-11-10"]]
MEMBERS = [["A", "S1", "2026-09-01", "standard", "399", "community", "", "", "13812340001"],
           ["B", "S1", "2026-09-05", "standard", "399", "referral", "A", "", "13812340002"],
           ["C", "S2", "2026-10-02", "standard", "399", "referral", "B", "", ""],
           ["D", "S2", "2026-10-10", "standard", "399", "referral", "X9", "", ""],
           ["E", "S1", "2026-11-03", "standard", "399", "community", "", "2026-11-20", ""]]
ORDERS = [
    ["O1", "A", "2026-09-03 10:00:00", "10.00", "paid", ""],
    ["O2", "A", "2026-10-05 10:00:00", "10.00", "paid", ""],
    ["O3", "A", "2026-12-01 10:00:00", "10.00", "paid", ""],
    ["O4", "B", "2026-09-10 10:00:00", "10.00", "paid", ""],
    ["O5", "B", "2026-11-02 10:00:00", "10.00", "paid", ""],
    ["O6", "C", "2026-10-03 10:00:00", "10.00", "paid", ""],
    ["O7", "E", "2026-11-05 10:00:00", "10.00", "cancelled", ""],
]
SEP, OCT, NOV, DEC = (dt.date(2026, m, 1) for m in (9, 10, 11, 12))


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    root = tmp_path_factory.mktemp("growth")
    make_raw(root, {"stations": STATIONS, "members": MEMBERS, "orders": ORDERS}, org=ORG)
    run_build(root, as_of=dt.date(2026, 12, 1))
    return root / "wh.duckdb"


@pytest.fixture()
def con(net):
    c = duckdb.connect(str(net), read_only=True)
    yield c
    c.close()


def test_flows_by_hand(con):
    rows = {r["month"]: r for r in growth.flows(con)}
    assert list(rows) == [dt.date(2026, 8, 1), SEP, OCT, NOV, DEC]
    pick = ("new_stations", "closed_stations", "net_stations", "active_stations", "new_members", "refunded_members",
            "net_members", "members_served")
    assert [tuple(rows[m][k] for k in pick) for m in rows] == [
        (1, 0, 1, 1, 0, 0, 0, 0),        # Aug: S1 opens
        (1, 0, 1, 2, 2, 0, 2, 2),        # Sep: S2 opens; A, B join
        (0, 0, 0, 2, 2, 0, 2, 4),        # Oct: C, D join
        (0, 1, -1, 1, 1, 1, 0, 4),       # Nov: S2 closes; E joins and is refunded
        (0, 0, 0, 1, 0, 0, 0, 4),        # Dec (to 12-01)
    ]
    assert rows[OCT]["members_served_mom"] == 1.0 and rows[NOV]["active_stations_mom"] == -0.5
    assert rows[NOV]["members_served_yoy"] is None and rows[DEC]["complete"] is False and rows[NOV]["complete"]
    south = {r["month"]: r for r in growth.flows(con, ["south"])}
    assert (south[NOV]["closed_stations"], south[OCT]["new_members"]) == (1, 2)
    split = {(r["month"], r["war_zone"]) for r in growth.flows(con, by_zone=True)}
    assert (SEP, "east") in split and (SEP, "south") in split


def test_lifecycle_by_hand(con):
    got = {r["month"]: (r["new"], r["returning"], r["resurrecting"], r["dormant"]) for r in growth.lifecycle(con)}
    assert got == {
        SEP: (2, 0, 0, 0),               # A, B first paid orders
        OCT: (1, 1, 0, 1),               # C new; A returning; B quiet after September: dormant
        NOV: (0, 0, 1, 2),               # B back after a gap: resurrecting; A and C quiet: dormant
        DEC: (0, 0, 1, 1),               # A back: resurrecting; B quiet: dormant
    }
    assert {r["month"]: r["new"] for r in growth.lifecycle(con, ["south"])} == {OCT: 1, NOV: 0}


def test_referrals_by_hand(con):
    ref = growth.referrals(con)
    assert [(r["month"], r["new_members"], r["referred"], r["share"]) for r in ref["monthly"]] == [
        (SEP, 2, 1, 0.5), (OCT, 2, 2, 1.0), (NOV, 1, 0, 0.0)]        # D came by a referrer who is not a member
    cohorts = {r["cohort_month"]: (r["cohort_size"], r["referrals"], r["referrers"], r["k_factor"], r["per_referrer"])
               for r in ref["cohorts"]}
    assert cohorts == {SEP: (2, 2, 2, 1.0, 1.0), OCT: (2, 0, 0, 0.0, None), NOV: (1, 0, 0, 0.0, None)}
    assert ref["depth"] == {0: 3, 1: 1, 2: 1}                          # A D E · B · C (A → B → C)
    assert [(r["member_id"], r["referrals"], r["phone"]) for r in ref["top"]] == [("A", 1, "138****0001"),
                                                                                   ("B", 1, "138****0002")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_growth_page_shows_the_modules_numbers(net, monkeypatch, fresh_cache, lang):
    at = open_app(net, monkeypatch, "pages/growth.py", lang)
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    stations, members = at.dataframe[0].value, at.dataframe[1].value    # one table per flow: no sideways scroll
    # months a spreadsheet reads as months, newest first; the month not over yet says where it stops (D)
    assert list(stations.iloc[:, 0]) == ["2026-12", "2026-11", "2026-10", "2026-09", "2026-08"]
    assert list(stations[text("g_through", lang)]) == ["2026-12-01", "2026-11-30", "2026-10-31", "2026-09-30",
                                                       "2026-08-31"]
    assert list(stations[text("g_net_stations", lang)]) == [0, -1, 0, 1, 1]
    assert list(members[text("g_members_served", lang)]) == [4, 4, 4, 2, 0]
    assert list(members[text("g_mom", lang, what=text("g_members_served", lang))]) == [
        "0.0%",
        "0.0%",
        "100.0%",
        "—",
        "—",
    ]
    assert len(stations.columns) <= 9 and len(members.columns) <= 9
    table = stations
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    life = next(f for f in figs if len(f["data"]) == 4)
    dormant = life["data"][3]
    assert dormant["x"] == ["2026-09", "2026-10", "2026-11", "2026-12"] and dormant["y"] == [0, -1, -2, -1]
    top = at.dataframe[2].value
    assert list(top.iloc[:, -1]) == ["138****0001", "138****0002"]
    page = " ".join([m.value for m in at.markdown] + [table.to_csv(), top.to_csv()] + [json.dumps(f) for f in figs])
    assert "1381234000" not in page
    summary = next(m.value for m in at.markdown if 'data-k="ref.summary"' in m.value)
    assert ("裂变系数 0.400" if lang == "zh" else "K-factor 0.400") in summary                   # 2 referrals / 5


def test_the_referral_share_axis_starts_at_zero():
    """Issue 17.17: a share axis from 29.5 % to 31 % made noise look like news."""
    import datetime as dt

    from ui.views import growth as ug

    monthly = [{"month": dt.date(2026, m, 1), "share": s} for m, s in ((9, 0.300), (10, 0.305), (11, 0.298))]
    fig = ug.referral_share_figure(monthly, "zh")
    assert fig.layout.yaxis.rangemode == "tozero"
