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
    # "1.7万 / 1.7万 ✖ 未达成" for 16,922 of 17,192: now less reads as less. Issue 36.11 moved the short form to
    # 100,000 and up (one rule for every count), so these cases are met ten times larger, and below it every digit.
    assert fmt_pair(16_922, 17_192, "zh") == ("16,922", "17,192")
    assert fmt_pair(169_220, 171_920, "zh") == ("16.9万", "17.2万")
    assert fmt_pair(169_220, 171_920, "en") == ("169k", "172k")
    # one more decimal is not enough: written out in full
    assert fmt_pair(169_990, 170_000, "zh") == ("169,990", "170,000")
    # one unit for numbers of a size: no "44,670 / 10.4万"
    assert fmt_pair(44_670, 104_000, "zh") == ("44,670", "104,000")
    assert fmt_pair(900_000, 1_200_000, "en") == ("0.90M", "1.20M")
    assert fmt_pair(512_345, 10_000_000, "zh") == ("51.2万", "1,000万")
    # a goal's progress keeps each number's own unit
    assert fmt_pair(27_990, 10_000_000, "zh") == ("27,990", "1,000万")
    assert fmt_pair(512_345, 10_000_000, "en") == ("512k", "10M")
    # nothing changes where nothing was wrong
    assert fmt_pair(31, 45, "zh") == ("31", "45")
    assert fmt_pair(14_000, 16_600, "en") == ("14,000", "16,600")
    assert fmt_pair(171_920, 171_920, "zh") == ("17.2万", "17.2万")
    assert fmt_pair(None, 10, "zh") == ("—", "10")
    # a row of figures in one form: no "95,000 / 187,360" beside "15.6万 / 18.7万" hiding that they are alike
    row = (95_000, 187_360)
    assert fmt_pair(156_340, 187_360, "zh", like=row) == ("156,340", "187,360")
    assert fmt_pair(95_000, 120_000, "zh", like=row) == ("95,000", "120,000")
    assert fmt_pair(156_340, 187_360, "zh", like=(110_000, 187_360)) == ("15.6万", "18.7万")   # one unit already
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
    tile = board.month_tile(_tree(169_220, 171_920), "members", "zh")
    assert 'data-k="month.members.actual">16.9万<' in tile and 'data-k="month.members.target">17.2万<' in tile
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


def test_a_revised_target_reads_alike_on_both_sides_and_names_the_import_in_words():
    """Issue 36.8 / 36.10: "9,000 → 1万" where the old value was 10,048 (two forms for one kind of figure), and
    "（config files，11月12日 10:30）" on a Chinese page."""
    from ui.views import board

    r = {"old": 10_048, "new": 9_000, "who": "config files", "at": "2026-11-12T02:30:00+00:00"}
    assert board.revision_pair(r, "zh") == ("10,048", "9,000")
    assert board.revision_pair({**r, "old": 120_480, "new": 90_000}, "en") == ("120,480", "90,000")
    assert board.revision_words(r, "zh") == "10,048 → 9,000（配置文件导入，11月12日 10:30）"
    assert board.revision_words({**r, "who": "王芳"}, "en").endswith("(王芳, Nov 12 10:30)")
