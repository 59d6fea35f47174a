"""Numbers for people never contradict their status (issue 17.2): a short actual never reads as its target, a pace
short of 100 % or of the at-risk threshold never reads as reaching it, and one figure uses one unit."""
import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from pipelines.okr.goaltree import GoalTree, Node
from pipelines.okr.status import node_metrics
from ui.i18n import fmt_pair, fmt_pct
from ui.views import board


def _value(shown: str) -> float:
    """A formatted count back to a number: '1.69万' → 16900, '17.2k' → 17200, '0.51M' → 510000."""
    units = {"万": 1e4, "亿": 1e8, "k": 1e3, "M": 1e6}
    m = re.fullmatch(r"([\d,]+(?:\.\d+)?)(万|亿|k|M)?", shown)
    assert m, shown
    return float(m.group(1).replace(",", "")) * units.get(m.group(2) or "", 1)


def test_the_cases_readers_met():
    # "1.7万 / 1.7万 ✖ 未达成" for 16,922 of 17,192: now less reads as less
    assert fmt_pair(16_922, 17_192, "zh") == ("1.69万", "1.72万")
    assert fmt_pair(16_922, 17_192, "en") == ("16.9k", "17.2k")
    # one more decimal is not enough: written out in full
    assert fmt_pair(16_999, 17_000, "zh") == ("16,999", "17,000")
    # one unit for numbers of a size: no "4,467 / 1.0万"
    assert fmt_pair(4_467, 10_400, "zh") == ("4,467", "10,400")
    assert fmt_pair(900_000, 1_200_000, "en") == ("0.90M", "1.20M")
    assert fmt_pair(512_345, 10_000_000, "zh") == ("51.2万", "1,000万")
    # a goal's progress keeps each number's own unit
    assert fmt_pair(2_799, 10_000_000, "zh") == ("2,799", "1,000万")
    assert fmt_pair(512_345, 10_000_000, "en") == ("512.3k", "10M")
    # nothing changes where nothing was wrong
    assert fmt_pair(31, 45, "zh") == ("31", "45")
    assert fmt_pair(14_000, 16_600, "en") == ("14k", "16.6k")
    assert fmt_pair(17_192, 17_192, "zh") == ("1.7万", "1.7万")
    assert fmt_pair(None, 10, "zh") == ("—", "10")
    # a row of figures in one unit: no "6,329 / 7,509" beside "14k / 16.6k" (the centers), below 1,000,000
    row = (4_121, 16_600)
    assert fmt_pair(14_012, 16_600, "en", like=row) == ("14,012", "16,600")
    assert fmt_pair(6_329, 7_509, "en", like=row) == ("6,329", "7,509")
    assert fmt_pair(15_634, 18_736, "zh", like=(11_000, 18_736)) == ("1.6万", "1.9万")      # one unit already
    # "节奏 100% ✖ 未达成" for 99.8 %
    assert fmt_pct(0.998) == "99.8%"
    assert fmt_pct(0.99999) == "99.99%"          # floored past two more decimals
    assert fmt_pct(1.0) == "100%" and fmt_pct(0.8567) == "86%"
    assert fmt_pct(0.8496, marks=(1, 0.85)) == "84.96%" and fmt_pct(0.8496) == "85%"


@given(st.integers(0, 10**9), st.integers(1, 10**9), st.sampled_from(["zh", "en"]))
def test_a_pair_orders_as_its_numbers(actual, target, lang):
    a, t = fmt_pair(actual, target, lang)
    if actual < target:
        assert _value(a) < _value(t), (actual, target, a, t)
    elif actual > target:
        assert _value(a) > _value(t), (actual, target, a, t)
    else:
        assert a == t


@given(st.floats(0, 3, allow_nan=False), st.sampled_from([0.5, 0.8, 0.85, 0.9]))
def test_a_share_never_reads_as_a_mark_it_has_not_reached(x, at_risk):
    shown = float(fmt_pct(x, marks=(1.0, at_risk)).rstrip("%"))
    for mark in (1.0, at_risk):
        if x < mark - 1e-9:
            assert shown < mark * 100, (x, mark, shown)


def _tree(actual: int, target: int) -> GoalTree:
    metrics = node_metrics(target, actual, 24 / 30, 6, False, 0.85)
    company = Node(id="company", parent=None, level="company", name_zh="公司", name_en="Co", children=(),
                   metrics={"stations": node_metrics(None, 0, 24 / 30, 6, False, 0.85), "members": metrics})
    return GoalTree(month="2026-11", as_of=dt.date(2026, 11, 24), month_start=dt.date(2026, 11, 1),
                    month_end=dt.date(2026, 11, 30), days_in_month=30, days_counted=24, elapsed=24 / 30,
                    finished=False, at_risk=0.85, last_date=dt.date(2026, 11, 24), nodes=[company])


def test_the_board_tile_says_less_when_it_is_less():
    tile = board.month_tile(_tree(16_922, 17_192), "members", "zh")
    assert 'data-k="month.members.actual">1.69万<' in tile and 'data-k="month.members.target">1.72万<' in tile
    # day 24 of 30: expected 10,000 × 0.8 = 8,000; 7,984 is a pace of 99.8 %, at risk, never "100%"
    tile = board.month_tile(_tree(7_984, 10_000), "members", "zh")
    assert 'data-k="month.members.pace">99.8%<' in tile and "▲ 有风险" in tile
    # 6,797 / 8,000 = 84.96 %: off track at the 85 % threshold, never "85%"
    tile = board.month_tile(_tree(6_797, 10_000), "members", "en")
    assert 'data-k="month.members.pace">84.96%<' in tile and "✖ Off track" in tile


def test_times_are_shown_in_the_companys_zone():
    """Issue 17.19: the build time and the plan's history read in Beijing time, not UTC."""
    from ui.i18n import fmt_time

    assert fmt_time(dt.datetime(2026, 11, 29, 20, 30, tzinfo=dt.timezone.utc), "zh") == "2026-11-30 04:30 北京时间"
    assert fmt_time("2026-11-29T20:30:00+00:00", "en") == "2026-11-30 04:30 Beijing time"
    assert fmt_time("2026-11-29T20:30:00", "en") == "2026-11-30 04:30 Beijing time"      # naive: recorded in UTC
    assert fmt_time(None, "zh") == "—"
