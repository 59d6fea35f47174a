"""Issue 32: a key result is judged by what its metric is (the catalog's measure and direction), by hand on the
hand-made company (tests/goal_company.py) as of 2026-11-24 — 24 of 30 days gone, at-risk threshold 0.75.

- days_to_open, East (a median, lower is better): East's stations opened in November by the 24th took S01 24, S02
  21, S03 21, S10 21 and S05 18 days from signing: median 21. Against 30 days that is met: on track, pace 30 ÷ 21.
  (Judged as a running count it was 21 ÷ (30 × 0.8) = 0.875: "at risk" for being faster than asked.) Against 18
  days: pace 18 ÷ 21 = 0.857, at risk; against 15: 0.714, off track.
- referral_share (a share): 26 members joined by the 24th (pa 4, pb 9, e1/unassigned 1, pc 4, pd 5, pe 3), 4 of
  them referred (M08, M13, M24, M38): 4/26. Against 0.5 the expected is 0.5 itself (not 0.5 × 0.8 = 0.4): pace
  0.308, off track; against 0.15, met: on track.
- active_stations, East (a stock), target 8: 2 active on 31 October (S04, S11), 7 now; the straight path from 2 to
  8 expects 2 + 6 × 0.8 = 6.8: pace (7 − 2) ÷ (6.8 − 2) = 1.04, on track; forecast 2 + 5 ÷ 0.8 = 8.25.
- new_members, community center (a flow of people), target 20: 20 × 0.8 = 16 due, in whole members, as the
  center's own tile says.
"""
from __future__ import annotations

import datetime as dt

import pytest

from pipelines.delivery import trees
from tests import goal_company as gc
from tests.conftest import make_raw, run_build

KINDS = """
  - id: ka-kinds
    center: content
    title: {zh: 各类指标, en: Every kind}
    months: [2026-11]
    key_results:
      - {id: kr-days-30, title: 开站天数30, metric: days_to_open, filters: {war_zone: east}, target: 30}
      - {id: kr-days-18, title: 开站天数18, metric: days_to_open, filters: {war_zone: east}, target: 18}
      - {id: kr-days-15, title: 开站天数15, metric: days_to_open, filters: {war_zone: east}, target: 15}
      - {id: kr-share-50, title: 推荐占比50, metric: referral_share, target: 0.5}
      - {id: kr-share-15, title: 推荐占比15, metric: referral_share, target: 0.15}
      - {id: kr-stock, title: 华东在营8, metric: active_stations, filters: {war_zone: east}, target: 8}
"""


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds")
    make_raw(root, {"stations": gc.STATIONS, "members": gc.MEMBERS, "orders": gc.ORDERS}, org=gc.ORG)
    (root / "config" / "goals.yaml").write_text(gc.GOALS + KINDS, encoding="utf-8")
    (root / "config" / "targets.csv").write_text(gc.TARGETS, encoding="utf-8")
    run_build(root, as_of=dt.date(2026, 11, 30))
    tree = trees.load(root / "wh.duckdb", "2026-11", "2026-11-24")
    return {kr.id: kr for ka in tree.key_actions for kr in ka.key_results}, tree


def test_a_median_where_lower_is_better(kinds):
    krs, _ = kinds
    v = krs["kr-days-30"]
    assert (v.actual, v.expected, v.status, v.basis) == (21, 30, "on_track", "target")
    assert v.pace == pytest.approx(30 / 21) and v.progress == 1.0
    assert (krs["kr-days-18"].status, krs["kr-days-18"].pace) == ("at_risk", pytest.approx(18 / 21))
    assert (krs["kr-days-15"].status, krs["kr-days-15"].pace) == ("off_track", pytest.approx(15 / 21))
    assert krs["kr-days-18"].progress == pytest.approx(18 / 21)


def test_a_share_is_judged_against_its_target_not_a_pro_rated_one(kinds):
    krs, _ = kinds
    v = krs["kr-share-50"]
    assert v.actual == pytest.approx(4 / 26) and v.expected == 0.5
    assert v.pace == pytest.approx((4 / 26) / 0.5) and v.status == "off_track"
    assert krs["kr-share-15"].status == "on_track" and krs["kr-share-15"].pace == pytest.approx((4 / 26) / 0.15)


def test_a_stock_follows_the_straight_path_from_where_it_began(kinds):
    krs, _ = kinds
    v = krs["kr-stock"]
    assert (v.actual, v.basis, v.status) == (7, "path", "on_track")
    assert v.expected == pytest.approx(6.8) and v.pace == pytest.approx(5 / 4.8)
    assert v.forecast == pytest.approx(8.25) and v.required_daily == pytest.approx(1 / 6)


def test_a_flow_of_people_is_due_in_whole_people(kinds):
    """kr-community-members counts the community center's new members (target 20): 20 × 0.8 = 16 due; the center
    itself (the same members) reads the same expected and status."""
    krs, tree = kinds
    v, center = krs["kr-community-members"], tree.node("community").metrics["members"]
    assert v.expected == 16 == center.expected
    assert (v.actual, v.status) == (center.actual, center.status)


def test_a_finished_month_is_achieved_or_missed_by_the_target(tmp_path_factory, kinds):
    from pipelines.okr.status import level_metrics

    assert level_metrics(30, 21, 1.0, 0, True, 0.75, "median", "lower").status == "achieved"
    assert level_metrics(15, 21, 1.0, 0, True, 0.75, "median", "lower").status == "missed"
    assert level_metrics(0.5, 0.6, 0.5, 15, False, 0.75, "share").status == "on_track"   # met, may still fall back
    assert level_metrics(0.5, None, 0.5, 15, False, 0.75, "share").pace is None            # nothing to judge yet
