"""Issue 35's band and status rule, by hand: the rest of a month as a count (pipelines/okr/bands.py), calibrated on
a node's own earlier months, and a count's shortfall that is chance not called off track (pipelines/okr/status.py).
"""
from __future__ import annotations

import math
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.okr import bands
from pipelines.okr.bands import Calibration, calibrate, chance_variance, count_band
from pipelines.okr.status import beyond_chance, status_of
from tests.test_backtest import nb_percentile

BELL = Calibration(c=0.0, k=bands.Z80, months=6)


def test_the_rest_of_a_month_by_chance():
    """100 seen in a third of the month, 300 forecast: 200 to come, with the variance of a count whose rate is known
    only from those 100 — 200 ÷ ⅓ = 600, three times a Poisson count's."""
    assert chance_variance(100, 300, 1 / 3) == pytest.approx((200, 600))
    assert chance_variance(0, 0, 0.25) == pytest.approx((3, 12))        # nothing seen: a geometric count
    assert chance_variance(310, 310, 1.0) == (0, 0)                      # the month is over


def test_the_band_is_the_negative_binomials_percentiles():
    """With no error beyond chance the band is the 10th and 90th percentiles of the rest of the month, a negative
    binomial with r = the events seen and p = the share done (the textbook pmf, summed in fractions)."""
    for actual, share in ((100, F(23, 75)), (15, F(18, 28)), (3, F(1, 2))):
        forecast = actual / float(share)
        assert count_band(actual, forecast, float(share), BELL) == (
            actual + nb_percentile(actual, share, F(1, 10)), actual + nb_percentile(actual, share, F(9, 10)))
    # nothing seen by a third of the month: the days until a first event, 1 − (2/3)^(k + 1) ≥ 0.9 from k = 5
    assert count_band(0, 0, 1 / 3, BELL) == (0, 5)
    assert count_band(310, 310, 1.0, BELL) == (310, 310)


def test_a_large_count_goes_over_to_the_bell_curve_smoothly():
    """Above bands.EXACT_BELOW still to come, the percentiles are the bell curve's: at the border both ways agree
    to a fraction of a per cent."""
    below = count_band(2499, 2499 + 4999, 2499 / 7498, BELL)
    above = count_band(2501, 2501 + 5001, 2501 / 7502, BELL)
    assert below[0] == pytest.approx(above[0] - 2, rel=0.002)
    assert below[1] == pytest.approx(above[1] - 4, rel=0.002)


def test_calibrated_on_the_nodes_own_months_by_hand():
    """Six earlier months, each 100 seen by mid-month (share ½) and 200 forecast: 100 still to come, with a chance
    variance of 100 ÷ ½ = 200.

    - Misses of ±40 every month: (Σ 40² − 6 × 200) ÷ (6 × 200²) = 8,400 ÷ 240,000: c = √0.035; the spread is then
      √(200 + 0.035 × 200²) = 40, every miss one spread: the bell curve's 1.28 holds them.
    - Five exact months and one of +60: c² = (3,600 − 1,200) ÷ 240,000 = 0.01; spread √(200 + 400) = 24.5; four in
      five of six months (the ⌈0.8 × 7⌉ = 6th smallest miss) asks for 60 ÷ 24.5 = 2.45 spreads."""
    even = [(200 + (40 if i % 2 else -40), 100, 200, 0.5) for i in range(6)]
    cal = calibrate(even)
    assert cal.c == pytest.approx(math.sqrt(0.035)) and cal.k == pytest.approx(bands.Z80) and cal.months == 6
    one = [(200, 100, 200, 0.5)] * 5 + [(260, 100, 200, 0.5)]
    cal = calibrate(one)
    assert cal.c == pytest.approx(0.1) and cal.k == pytest.approx(60 / math.sqrt(600))
    # misses within chance: no error of the forecast's own, the bell curve's spreads
    assert calibrate([(200, 100, 200, 0.5)] * 6) == Calibration(0.0, bands.Z80, 6)
    assert calibrate([(200, 100, 200, 0.5)] * 5) is None                     # fewer than six months


@given(actual=st.integers(1, 3000), share=st.floats(0.05, 0.95), c=st.floats(0, 0.3), k=st.floats(1.2816, 3))
def test_a_band_holds_its_forecast_and_widens_with_its_error(actual, share, c, k):
    forecast = actual / share
    low, high = count_band(actual, forecast, share, Calibration(c, k, 6))
    assert actual <= low <= forecast + 1 and forecast - 1 <= high
    wider = count_band(actual, forecast, share, Calibration(c + 0.1, k, 6))
    assert wider[0] <= low and wider[1] >= high


def test_a_shortfall_within_chance_is_at_risk_not_off_track():
    """Behind the at-risk pace, a count is off track only when it is short by more than 1.28 × √expected (what a
    count that size misses by in one month of ten at target pace): 34 of 41 due is short by 7 ≤ 8.2, at risk; 86
    of 100 by 14 > 12.8, off track; 36,000 of 37,102 (pace 0.97 — on the at-risk side) by far more than 247."""
    assert not beyond_chance(41, 34) and beyond_chance(100, 86)
    assert status_of(64, 34, 34 / 41, False, 0.85, expected=41) == "at_risk"
    assert status_of(64, 34, 34 / 41, False, 0.85) == "off_track"           # a value that is not a count
    assert status_of(200, 86, 0.86, False, 0.9, expected=100) == "off_track"
    assert status_of(64, 34, 34 / 41, True, 0.85, expected=41) == "missed"  # a month that is over is over
    assert status_of(60000, 30000, 30000 / 37102, False, 0.85, expected=37102) == "off_track"
