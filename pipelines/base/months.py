"""Months, in one place. A month is named by its ISO text, 'YYYY-MM' (how targets.csv, the URLs, the JSON and the
pages spell it); the cohort and growth marts key months by their first day, a date, and `first_day` / `shift_first`
work on those."""
from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")


def month_of(day: dt.date) -> str:
    """2026-11-24 → '2026-11'."""
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """'2026-02' → (2026-02-01, 2026-02-28)."""
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def shift_month(month: str, k: int) -> str:
    """'2026-11' shifted by k months: +2 → '2027-01', -11 → '2025-12'."""
    y, m = int(month[:4]), int(month[5:7])
    n = y * 12 + (m - 1) + k
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def minus_months(d: dt.date, k: int) -> dt.date:
    """The same day k months earlier, clamped to that month's last day (2026-08-31 − 6 months = 2026-02-28)."""
    start, end = month_bounds(shift_month(month_of(d), -k))
    return min(start.replace(day=d.day) if d.day <= end.day else end, end)


def shift_first(first: dt.date, k: int) -> dt.date:
    """The first day of the month k months after the month of `first` (the marts' month keys)."""
    y, m = divmod(first.month - 1 + k, 12)
    return dt.date(first.year + y, m + 1, 1)


def last_day(first: dt.date, k: int = 0) -> dt.date:
    """The last day of the month k months after the month of `first`."""
    return shift_first(first, k + 1) - dt.timedelta(days=1)


def parse_month(text) -> str | None:
    """'2026-11', '2026/11', '2026-1' → '2026-11' / '2026-01'; anything else (or a year outside 2000–2100) → None."""
    m = _MONTH.match(str(text).strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}"


def as_date(value) -> dt.date | None:
    """A date from YAML or text (a datetime's date; '2026-03-08'), or None when it is none (the plan files' checks
    name the field)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None
