"""Each metric of DESIGN §4 on the hand-made network of conftest.py, expected values computed by hand."""
import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from pipelines.base import metrics

NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
D = dt.date(2026, 11, 20)  # an as-of inside November, earlier than the build's as-of (2026-11-24)


@pytest.fixture()
def con(hand_made_db):
    with duckdb.connect(str(hand_made_db), read_only=True) as c:
        yield c


def v(con, name, as_of=D, period=NOV, **filters):
    return metrics.value(con, name, as_of, *period, **filters)


def test_new_stations(con):
    # opened in November and <= D: S2 (11-03), S3 (11-10), S6 (11-12) -> 3; S1 opened in October, S4 never opened.
    assert v(con, "new_stations") == 3
    # East: S2 + S3 = 2; team e1: S2 = 1; South: none; S6's war zone "west" is unknown -> company/unassigned.
    assert v(con, "new_stations", war_zone="east") == 2
    assert v(con, "new_stations", team="e1") == 1
    assert v(con, "new_stations", war_zone="south") == 0
    assert v(con, "new_stations", war_zone="company/unassigned") == 1
    # as of 11-05 only S2 has opened
    assert v(con, "new_stations", as_of=dt.date(2026, 11, 5)) == 1


def test_active_stations(con):
    # opened <= D and not closed by D: S1, S2, S6 -> 3 (S3 closed 11-15, S5 closed 10-31, S4 never opened)
    assert v(con, "active_stations") == 3
    assert v(con, "active_stations", war_zone="east") == 2
    # on 11-12: S1, S2, S3 (closes 11-15), S6 (opens 11-12) -> 4; on 10-31 S5 closes that day: S1 only -> 1
    assert v(con, "active_stations", as_of=dt.date(2026, 11, 12)) == 4
    assert v(con, "active_stations", as_of=dt.date(2026, 10, 31)) == 1
    assert v(con, "active_stations", as_of=dt.date(2026, 10, 30)) == 2  # S1 and S5 (closes the next day)


def test_new_members(con):
    # joined in November <= D and not refunded by D: M2 (11-02), M4 (11-18), M5 (11-12) -> 3.
    # M3 joined 11-05 but was refunded 11-08; M7 joined 11-21, after D.
    assert v(con, "new_members") == 3
    # by center: referral belongs to community (M2) -> 1; content (M4) -> 1; partner has no center (M5) -> 1
    assert v(con, "new_members", center="community") == 1
    assert v(con, "new_members", center="content") == 1
    assert v(con, "new_members", center="centers/unassigned") == 1
    assert v(con, "new_members", war_zone="east") == 3
    assert v(con, "new_members", channel="referral") == 1
    # as of the build date 11-24: M2, M4, M5, M7 -> 4
    assert v(con, "new_members", as_of=dt.date(2026, 11, 24)) == 4


def test_new_members_refund_counts_only_once_it_happened(con):
    # M3 joined 11-05, refunded 11-08: counted as of 11-07, not as of 11-08.
    assert v(con, "new_members", as_of=dt.date(2026, 11, 7), team="e1") == 2   # M2 and M3
    assert v(con, "new_members", as_of=dt.date(2026, 11, 8), team="e1") == 1   # M2


def test_members_served(con):
    # joined <= D and not refunded by D: M1, M2, M4, M5, M6 (refund on 11-22 is after D) -> 5
    assert v(con, "members_served") == 5
    # on 11-24: M1, M2, M4, M5, M7 -> 5 (M6 refunded on 11-22, M7 joined 11-21)
    assert v(con, "members_served", as_of=dt.date(2026, 11, 24)) == 5
    # on 11-22 exactly: M6's refund counts (refunded on or before D): M1, M2, M4, M5, M7 -> 5; on 11-21: + M6 -> 6
    assert v(con, "members_served", as_of=dt.date(2026, 11, 21)) == 6
    assert v(con, "members_served", war_zone="south") == 1  # M6 at S5


def test_station_masters_recruited(con):
    # signed in November: S4 (11-02), S6 (11-05) -> 2
    assert v(con, "station_masters_recruited") == 2
    # October: S2 (10-15), S3 (10-20) -> 2
    assert v(con, "station_masters_recruited", period=(dt.date(2026, 10, 1), dt.date(2026, 10, 31))) == 2


def test_orders_and_gmv(con):
    # paid in November <= D: O2 50.50, O4 80.00, O5 30.25 -> 3 orders, 160.75
    # (O3 cancelled, O8 refunded, O7 on 11-21 after D, O1 in October)
    assert v(con, "orders") == 3
    assert v(con, "gmv") == pytest.approx(160.75)
    # community center's members M1, M2: 50.50 + 80.00; content's M4: 30.25
    assert v(con, "gmv", center="community") == pytest.approx(130.50)
    assert v(con, "gmv", center="content") == pytest.approx(30.25)
    # the whole of October: O1 100.00
    assert v(con, "gmv", period=(dt.date(2026, 10, 1), dt.date(2026, 10, 31))) == pytest.approx(100.0)


def test_active_members(con):
    # paid orders from 10-22 to 11-20: M1 (O2 11-01), M2 (O4 11-19), M4 (O5 11-20) -> 3
    assert v(con, "active_members") == 3
    # 11-21 adds M5 (O7 11-21) -> 4
    assert v(con, "active_members", as_of=dt.date(2026, 11, 21)) == 4
    # 10-09: window 09-10..10-09 holds O6 (M6, 09-10), the window's first day -> 1; on 10-10 it has left -> 0
    assert v(con, "active_members", as_of=dt.date(2026, 10, 9)) == 1
    assert v(con, "active_members", as_of=dt.date(2026, 10, 10)) == 0
    # 10-25: O1 (M1, 10-20) -> 1
    assert v(con, "active_members", as_of=dt.date(2026, 10, 25)) == 1
    assert v(con, "active_members", center="community") == 2


def test_daily_network_matches_the_point_in_time_metrics(con):
    rows = dict((d, (s, m)) for d, s, m in con.execute(
        "select date, active_stations, members_served from daily_network").fetchall())
    # the table runs to the last date in the data: M6's refund on 11-22
    assert max(rows) == dt.date(2026, 11, 22)
    for day in (dt.date(2026, 10, 30), dt.date(2026, 11, 12), D, dt.date(2026, 11, 22)):
        assert rows[day] == (v(con, "active_stations", as_of=day), v(con, "members_served", as_of=day))


def test_every_metric_is_in_the_catalog_with_both_languages():
    assert set(metrics.CATALOG) == {"new_stations", "active_stations", "new_members", "members_served",
                                    "station_masters_recruited", "orders", "gmv", "active_members",
                                    "signing_conversion", "days_to_open", "members_per_new_station",
                                    "m1_retention", "m3_retention", "referral_share"}
    for m in metrics.CATALOG.values():
        assert m.kind in ("goal", "path", "cohort")
        assert m.label_zh and m.label_en and m.definition_zh and m.definition_en
    assert {m.name for m in metrics.CATALOG.values() if m.kind == "goal"} == {
        "new_stations", "active_stations", "new_members", "members_served"}


def test_filter_a_metric_cannot_take_is_refused(con):
    with pytest.raises(ValueError, match="cannot be filtered by center"):
        v(con, "new_stations", center="community")


def test_gmv_is_exact_decimal(con):
    assert con.execute("select sum(gmv) from daily_node_facts where date between '2026-11-01' and '2026-11-20'"
                       ).fetchall()[0][0] == Decimal("160.75")


def test_days_to_open(con):
    # opened in November up to D: S2 signed 10-15 → 11-03 (19 days), S3 10-20 → 11-10 (21), S6 11-05 → 11-12 (7)
    assert v(con, "days_to_open") == 19
    assert v(con, "days_to_open", war_zone="east") == 20        # median of 19 and 21
    assert v(con, "days_to_open", war_zone="south") is None     # nothing opened: no value, not 0


def test_signing_conversion(con):
    # D = 11-20: the cohort signed 05-24..08-21 is S5 alone (08-01 → 08-20, within 90 days) → 1; East has none
    assert v(con, "signing_conversion") == 1.0
    assert v(con, "signing_conversion", war_zone="east") is None
    # D = 2027-02-05: signed 2026-08-09..11-06 → S1, S2, S3, S6 opened within 90 days, S4 never opened → 4/5
    later = dt.date(2027, 2, 5)
    assert v(con, "signing_conversion", as_of=later) == pytest.approx(0.8)
    assert v(con, "signing_conversion", as_of=later, war_zone="east") == 1.0
    assert v(con, "signing_conversion", as_of=later, war_zone="south") == 0.0


def test_members_per_new_station(con):
    # new stations up to D: S2, S3, S6. Their members by D: S2 M4 (M3 refunded 11-08), S3 M5, S6 none (M7 joins
    # 11-21) → 2 / 3
    assert v(con, "members_per_new_station") == pytest.approx(2 / 3)
    assert v(con, "members_per_new_station", as_of=dt.date(2026, 11, 24)) == 1.0   # M7 has joined: 3 / 3
    assert v(con, "members_per_new_station", war_zone="east") == 1.0               # S2, S3: 2 / 2
    assert v(con, "members_per_new_station", war_zone="south") is None             # no new station


# ---- the grouped form: the goal tree, the war-zone page and planning read their actuals through it ---------------

def test_grouped_by_hand(con):
    """New members at D (11-20): M2 (11-02, S1 east/e1, referral → community), M5 (11-12, S3 east/e2, partner →
    centers/unassigned), M4 (11-18, S2 east/e1, content). New stations: S2, S3 (east), S6 (company/unassigned)."""
    g = metrics.grouped
    assert sorted(g(con, "new_members", ("center",), D, *NOV)) == [
        ("centers/unassigned", 1), ("community", 1), ("content", 1)]
    assert sorted(g(con, "new_members", ("day",), D, *NOV)) == [
        (dt.date(2026, 11, 2), 1), (dt.date(2026, 11, 12), 1), (dt.date(2026, 11, 18), 1)]
    assert sorted(g(con, "new_members", ("team",), D, *NOV, war_zone="east")) == [("e1", 2), ("e2", 1)]
    # south opened nothing in November: a group whose sums are all zero is left out
    assert sorted(g(con, "new_stations", ("war_zone",), D, *NOV)) == [("company/unassigned", 1), ("east", 2)]
    assert sorted(g(con, "new_stations", ("month",), D, dt.date(2026, 10, 1), NOV[1])) == [("2026-10", 1),
                                                                                           ("2026-11", 3)]
    # several sums over one mart in one read: paid orders and GMV by team, 11-01..11-20 (O2 e1 50.50; O4 e1 80.00;
    # O5 e1 30.25); O7 is on 11-21
    assert sorted(g(con, ("orders", "gmv"), ("team",), D, *NOV)) == [("e1", 3, 160.75)]


FLOWS = [name for name, m in metrics.CATALOG.items() if m.flow is not None]


@pytest.mark.parametrize("name", FLOWS)
@pytest.mark.parametrize("by", [(), ("war_zone",), ("team", "person"), ("center",), ("day",), ("month",)])
@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 8), D, dt.date(2026, 11, 24)])
def test_grouped_rows_add_up_to_the_value(con, name, by, as_of):
    """The invariant that makes the grouped form the same definition: its rows sum to value(), whatever the split."""
    dims = metrics.CATALOG[name].flow.dims + ("day", "month")
    if not set(by) <= set(dims):
        with pytest.raises(ValueError, match="cannot be broken down by"):
            metrics.grouped(con, name, by, as_of, *NOV)
        return
    rows = metrics.grouped(con, name, by, as_of, *NOV)
    assert sum(r[-1] for r in rows) == pytest.approx(metrics.value(con, name, as_of, *NOV))
    assert all(r[-1] != 0 for r in rows)
    assert len({r[:-1] for r in rows}) == len(rows)          # one row per group


def test_grouped_is_only_for_sums_over_one_mart(con):
    with pytest.raises(ValueError, match="days_to_open is not a sum over days and nodes"):
        metrics.grouped(con, "days_to_open", ("war_zone",), D, *NOV)
    with pytest.raises(ValueError, match="not sums over one mart with one rule"):
        metrics.grouped(con, ("new_members", "orders"), ("war_zone",), D, *NOV)
    with pytest.raises(ValueError, match="cannot be filtered by channel"):
        metrics.grouped(con, "orders", ("war_zone",), D, *NOV, channel="referral")


def test_a_metric_added_to_the_catalog_can_be_a_key_result_with_no_other_edit(hand_made, monkeypatch):
    """19.1: add a sum to the catalog (members refunded, from daily_node_facts) and put it on a key result in
    goals.yaml: the plan accepts it and the goal tree computes it. Refunded in November up to 11-22: M3 (11-08,
    S2 east) and M6 (11-22, S5 south) → east 1; the Data page lists the catalog as it is (test_data_page)."""
    from pipelines.okr import goaltree
    from pipelines.plan.folder import load_plan

    refunded = metrics._flow_metric(
        "members_refunded", "path", "退费会员", "Members refunded", "人", "members", "统计期内退费的会员数。",
        "Members refunded in the period.", metrics.Flow(measure="members_refunded", **metrics._NODE_FACTS),
        metrics.NODE_LEVELS + ("center",))
    monkeypatch.setitem(metrics.CATALOG, "members_refunded", refunded)
    (hand_made / "config" / "goals.yaml").write_text("""
key_actions:
  - id: ka-keep
    center: community
    title: 留住会员
    months: [2026-11]
    key_results:
      - {id: kr-refunds, title: 华东退费, metric: members_refunded, filters: {war_zone: east}, target: 3}
      - {id: kr-all, title: 全部退费, metric: members_refunded, target: 3}
""", encoding="utf-8")
    plan = load_plan(hand_made / "config")
    with duckdb.connect(str(hand_made / "wh.duckdb"), read_only=True) as c:
        tree = goaltree.goal_tree(c, "2026-11", "2026-11-22", plan)
    [ka] = tree.key_actions
    assert [(kr.id, kr.actual) for kr in ka.key_results] == [("kr-refunds", 1), ("kr-all", 2)]


@pytest.mark.parametrize("name", FLOWS)
def test_several_periods_in_one_read_equal_one_read_each(con, name):
    """grouped(…, periods=…) is how the drivers read this month, last month and last year in one pass: each
    period's rows equal grouped() of that period alone, seen as of the same D (a point-in-time flow's period is a
    day, read as of that day). A stock to date has no periods: refused."""
    metric = metrics.CATALOG[name]
    if metric.flow.window == "to_date":
        with pytest.raises(ValueError, match="counts everything up to D"):
            metrics.grouped(con, name, ("period",), D, periods=[(D, D)])
        return
    if metric.flow.window == "period":
        periods = [(dt.date(2026, 11, 1), D), (dt.date(2026, 10, 1), dt.date(2026, 10, 20)),
                   (dt.date(2025, 11, 1), dt.date(2025, 11, 20))]
        alone = [metrics.grouped(con, name, ("war_zone",), D, s, e) for s, e in periods]
    else:
        periods = [(d, d) for d in (D, dt.date(2026, 10, 20), dt.date(2026, 11, 5))]
        alone = [metrics.grouped(con, name, ("war_zone",), d) for d, _ in periods]
    together = metrics.grouped(con, name, ("period", "war_zone"), D, periods=periods)
    assert [sorted(r[1:] for r in together if r[0] == i) for i in range(3)] == [sorted(rows) for rows in alone]
    assert any(alone), "the hand-made network has rows in at least one of these periods"
