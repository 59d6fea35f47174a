"""The shape of a month (pipelines/okr/seasonal.py, issue 22), checked by hand on series made for it: a flat history
with a Double 11 four times as busy and a Chinese New Year fortnight at a fifth, a week whose weekends sell half,
the lunar new year moving between January and February, and the properties every profile keeps."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.okr import seasonal
from pipelines.okr.seasonal import LINEAR, event_of, fit, lunar_new_year

FIRST = dt.date(2024, 11, 1)
LAST = dt.date(2026, 10, 31)             # two years of history before November 2026


def series(value) -> np.ndarray:
    n = (LAST - FIRST).days + 1
    return np.array([value(FIRST + dt.timedelta(days=i)) for i in range(n)], dtype=float)


def festive(day: dt.date) -> float:
    event = event_of(day)
    if event == "d11":
        return 40.0
    if event is not None and event.startswith("cny"):
        return 2.0
    return 10.0


def test_the_lunar_new_year_moves_with_the_lunar_calendar():
    assert [lunar_new_year(y) for y in (2024, 2025, 2026, 2027)] == [
        dt.date(2024, 2, 10), dt.date(2025, 1, 29), dt.date(2026, 2, 17), dt.date(2027, 2, 6)]
    assert event_of(dt.date(2026, 2, 10)) == "cny-7" and event_of(dt.date(2026, 2, 27)) == "cny+10"
    assert event_of(dt.date(2026, 2, 9)) is None
    # (issue 35: the Saturday after the fortnight is a make-up workday of China's calendar, no longer an ordinary day)
    assert event_of(dt.date(2026, 2, 28)) == "cn:makeup"
    assert event_of(dt.date(2027, 1, 30)) == "cny-7"        # next year's festival begins in this January
    assert event_of(dt.date(2026, 11, 11)) == "d11" and event_of(dt.date(2026, 12, 12)) == "d12"


def test_a_flat_history_with_double_11_and_the_new_year_by_hand():
    profile = fit(series(festive), FIRST, source="company")
    # every ordinary day is 10 and so is its level: ratio 1, every weekday factor 1
    assert profile.weekday == pytest.approx((1.0,) * 7)
    # an event's factor is (counted + 3) / (due + 3) (PRIOR_EVENTS = 3): two Double 11s in the history counted
    # 2 × 40 where 2 × 10 were due; each day of the new-year fortnight (2025-01-29 and 2026-02-17) 2 × 2 of 2 × 10
    assert seasonal.PRIOR_EVENTS == 3
    assert profile.events["d11"] == pytest.approx(83 / 23)
    assert profile.events["cny+0"] == pytest.approx(7 / 23) and profile.events["cny-7"] == pytest.approx(7 / 23)
    assert profile.events["d12"] == pytest.approx(1.0)                      # an ordinary 10 on 12-12
    nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    # November: 29 days of 1 and Double 11 of 83/23: 750/23 in all
    assert profile.share(*nov, dt.date(2026, 11, 10)) == pytest.approx(230 / 750)
    assert profile.share(*nov, dt.date(2026, 11, 11)) == pytest.approx(313 / 750)
    assert profile.share(*nov, dt.date(2026, 11, 24)) == pytest.approx(612 / 750)
    assert LINEAR.share(*nov, dt.date(2026, 11, 10)) == pytest.approx(10 / 30)
    # February 2026: the new year on the 17th, the fortnight Feb 10–27 at 7/23: 10 + 18 × 7/23 = 356/23
    feb = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert profile.share(*feb, dt.date(2026, 2, 9)) == pytest.approx(9 * 23 / 356)
    # January 2027: the new year on Feb 6, so Jan 30 and 31 are already quiet: 29 + 2 × 7/23 = 681/23
    jan = (dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    assert profile.share(*jan, dt.date(2027, 1, 29)) == pytest.approx(29 * 23 / 681)
    assert profile.days == len(series(festive)) and profile.source == "company"


def test_a_festival_seen_in_a_handful_of_events_stays_close_to_an_ordinary_day():
    """One opening a day on average and none on the two Double 11s: (0 + 3) / (2 + 3), not 0."""
    profile = fit(series(lambda d: 0.0 if event_of(d) == "d11" else 1.0), FIRST)
    assert profile.events["d11"] == pytest.approx(3 / 5)


def test_weekends_that_sell_half():
    profile = fit(series(lambda d: 5.0 if d.weekday() >= 5 else 10.0), FIRST)
    # the level is about (5 × 10 + 2 × 5) / 7, so a weekday's ratio about 7/6 and a weekend day's 7/12 (scaled to
    # a mean of 1 they stay so); "about": a 43-day window is six weeks and a day, and skips the festivals' days
    assert profile.weekday[:5] == pytest.approx((7 / 6,) * 5, rel=0.02)
    assert profile.weekday[5:] == pytest.approx((7 / 12,) * 2, rel=0.02)
    assert profile.weekday[0] / profile.weekday[6] == pytest.approx(2, rel=0.01)     # twice the weekend
    week = (dt.date(2026, 11, 30), dt.date(2026, 12, 6))                     # Monday to Sunday
    assert profile.share(*week, dt.date(2026, 12, 4)) == pytest.approx(5 * 2 / 12, rel=0.01)


@pytest.mark.parametrize("days, per_day", [(364, 10.0), (730, 0.1)])
def test_too_short_or_too_thin_a_history_has_no_shape(days, per_day):
    assert fit(np.full(days, per_day), FIRST) is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=400, max_size=800), st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 1)))
def test_a_share_only_grows_and_ends_whole(counts, month_start):
    profile = fit(np.array(counts, dtype=float), dt.date(2023, 1, 1)) or LINEAR
    start = month_start.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    shares = [profile.share(start, end, start + dt.timedelta(days=i)) for i in range(-1, (end - start).days + 2)]
    assert shares[0] == 0 and shares[-1] == 1 and shares[-2] == 1
    assert all(0 <= a <= b <= 1 for a, b in zip(shares, shares[1:]))


def test_the_straight_line_is_days_over_the_month():
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    for day in range(1, 31):
        assert LINEAR.share(start, end, dt.date(2026, 11, day)) == pytest.approx(day / 30)
    assert seasonal.Profile().weights(start, end).tolist() == [1.0] * 30
