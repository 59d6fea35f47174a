"""Month arithmetic in one place (pipelines/base/months.py, issue 19.3): hand-computed cases and the round trips."""
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pipelines.base.months import last_day, minus_months, month_bounds, month_of, parse_month, shift_first, shift_month


def test_hand_computed_months():
    assert month_of(dt.date(2026, 11, 24)) == "2026-11"
    assert month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))      # a leap year
    assert month_bounds("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert shift_month("2026-11", 2) == "2027-01" and shift_month("2026-11", -11) == "2025-12"
    assert shift_month("2026-01", -1) == "2025-12" and shift_month("2026-12", 1) == "2027-01"
    assert minus_months(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert minus_months(dt.date(2026, 3, 15), 1) == dt.date(2026, 2, 15)
    assert shift_first(dt.date(2026, 11, 1), 3) == dt.date(2027, 2, 1)
    assert last_day(dt.date(2026, 11, 1)) == dt.date(2026, 11, 30) and last_day(dt.date(2026, 11, 1), 3) == \
        dt.date(2027, 2, 28)
    assert [parse_month(t) for t in ("2026-11", "2026/11", "2026.1", " 2026-1 ", "2026-13", "1999-01", "11/2026",
                                     "")] == ["2026-11", "2026-11", "2026-01", "2026-01", None, None, None, None]


months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2000, 2100), st.integers(1, 12))


@given(months, st.integers(-400, 400))
def test_shifting_there_and_back_and_the_two_spellings_agree(month, k):
    assert shift_month(shift_month(month, k), -k) == month
    start, end = month_bounds(month)
    assert month_of(start) == month_of(end) == month and start.day == 1
    assert end + dt.timedelta(days=1) == month_bounds(shift_month(month, 1))[0]
    assert shift_first(start, k) == month_bounds(shift_month(month, k))[0]
    assert last_day(start, k) == month_bounds(shift_month(month, k))[1]
    assert parse_month(month) == month
