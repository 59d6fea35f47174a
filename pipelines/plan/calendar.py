"""The company's calendar (issue 35): the days a month's shape may weigh differently from an ordinary day, each a
named event whose weight pipelines/okr/seasonal.py learns from the company's own history.

- **The company's own days** — goals.yaml `calendar.events`: a campaign on a date, over a range of dates, on the
  same days every year, or a stretch of days before or after the lunar new year:

      calendar:
        public_holidays: cn          # China's public holidays and make-up workdays (调休); none: leave them out
        events:
          - {id: spring_sale, name: {zh: 春季大促, en: Spring sale}, date: 2026-03-08}
          - {id: summer_push, name: 暑期冲刺, from: 2026-07-01, to: 2026-07-15}
          - {id: anniversary, name: 周年庆, from: 05-20, to: 05-22}            # every year
          - {id: pre_new_year, name: 年前冲刺, lunar_new_year: [-20, -8]}      # days from the lunar new year

  Every day of an event shares one weight (`co:<id>`): a campaign of three days is learned from all its days.
- **The built-in days**: each day from 7 before to 10 after the lunar new year by its distance from it (`cny-7` …
  `cny+10`, from the `holidays` package), Double 11, Double 12 and 618 by their dates.
- **China's public holidays** (`cn:<holiday>`: New Year's Day, the Spring Festival, Tomb-sweeping Day, Labour Day,
  the Dragon Boat and Mid-autumn festivals, National Day) and the make-up workdays that move a weekend onto a
  weekday (`cn:makeup`), from the `chinesecalendar` package, which knows the years the State Council has published
  (`public_years()`); a day past them is an ordinary day, and `past_public_years` says when the data runs past.

A day belongs to the first that claims it, in that order.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.base.months import as_date

FIXED = {"d618": (6, 18), "d11": (11, 11), "d12": (12, 12)}
CNY_BEFORE, CNY_AFTER = 7, 10
PUBLIC = ("cn", "none")
SHAPE = "{id, name, date | from, to | lunar_new_year}"


# 春节, 2000–2060, as the `holidays` package computes it (tests/test_calendar.py checks every year against it): a
# first view of the goal tree needs a handful of these, and importing `holidays` to compute them cost ~0.19 s of a
# fresh process's 0.9 s (issue 37). A year outside the table asks the package.
LUNAR_NEW_YEAR = {
    2000: (2, 5), 2001: (1, 24), 2002: (2, 12), 2003: (2, 1), 2004: (1, 22), 2005: (2, 9), 2006: (1, 29),
    2007: (2, 18), 2008: (2, 7), 2009: (1, 26), 2010: (2, 14), 2011: (2, 3), 2012: (1, 23), 2013: (2, 10),
    2014: (1, 31), 2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25),
    2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6),
    2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19),
    2035: (2, 8), 2036: (1, 28), 2037: (2, 15), 2038: (2, 4), 2039: (1, 24), 2040: (2, 12), 2041: (2, 1),
    2042: (1, 22), 2043: (2, 10), 2044: (1, 30), 2045: (2, 17), 2046: (2, 6), 2047: (1, 26), 2048: (2, 14),
    2049: (2, 2), 2050: (1, 23), 2051: (2, 11), 2052: (2, 1), 2053: (2, 19), 2054: (2, 8), 2055: (1, 28),
    2056: (2, 15), 2057: (2, 4), 2058: (1, 24), 2059: (2, 12), 2060: (2, 2),
}


@lru_cache(maxsize=None)
def lunar_new_year(year: int) -> dt.date:
    """The first day of the lunar year that begins in `year` (春节): from LUNAR_NEW_YEAR, else the `holidays`
    package (no network)."""
    if year in LUNAR_NEW_YEAR:
        return dt.date(year, *LUNAR_NEW_YEAR[year])
    return _lunar_new_year_computed(year)


def _lunar_new_year_computed(year: int) -> dt.date:
    import holidays

    days = holidays.China(years=year, language="en_US")
    return min(d for d, name in days.items() if name.startswith("Chinese New Year (Spring Festival)"))


@lru_cache(maxsize=1)
def public_years() -> tuple[int, int]:
    """The first and last year whose public holidays and make-up workdays `chinesecalendar` knows."""
    from chinese_calendar import constants

    years = sorted({d.year for d in constants.holidays})
    return years[0], years[-1]


@lru_cache(maxsize=4096)
def _public(day: dt.date) -> str | None:
    """China's public holiday (`cn:national_day` …) or make-up workday (`cn:makeup`) on `day`, else None (an
    ordinary day, or a year chinesecalendar does not know)."""
    first, last = public_years()
    if not first <= day.year <= last:
        return None
    import chinese_calendar

    holiday, name = chinese_calendar.get_holiday_detail(day)
    if holiday and name is not None:
        return "cn:" + chinese_calendar.Holiday(name).name
    if not holiday and day.weekday() >= 5:
        return "cn:makeup"
    return None


@lru_cache(maxsize=4096)
def _country(code: str, day: dt.date) -> str | None:
    """Another country's public holiday on `day` (`gb:christmas_day` …), from the `holidays` package (no make-up
    workdays: few countries move a weekend)."""
    import re

    import holidays

    name = holidays.country_holidays(code, years=day.year, language="en_US").get(day)
    if name is None:
        return None
    return f"{code.lower()}:" + re.sub(r"[^a-z0-9]+", "_", name.split(";")[0].lower()).strip("_")


@dataclass(frozen=True)
class Event:
    """One of the company's own days (`calendar.events`): `kind` is "dates" (from `start` to `end`, dates), "yearly"
    (`start`, `end` are (month, day)) or "lunar" (`start`, `end` are days from the lunar new year)."""
    id: str
    name_zh: str
    name_en: str
    kind: str
    start: object
    end: object

    def holds(self, day: dt.date) -> bool:
        if self.kind == "dates":
            return self.start <= day <= self.end
        if self.kind == "yearly":
            key = (day.month, day.day)
            return self.start <= key <= self.end if self.start <= self.end else (key >= self.start or key <= self.end)
        for year in (day.year, day.year + 1):
            if self.start <= (day - lunar_new_year(year)).days <= self.end:
                return True
        return False


@dataclass(frozen=True)
class CompanyCalendar:
    """The company's events and whether China's public holidays count (see the module)."""
    events: tuple[Event, ...] = ()
    public: str = "cn"

    def event_of(self, day: dt.date) -> str | None:
        """The event `day` belongs to, or None for an ordinary day (the first that claims it, see the module)."""
        for e in self.events:
            if e.holds(day):
                return f"co:{e.id}"
        built_in = _built_in(day)
        if built_in is not None:
            return built_in
        if self.public == "cn":
            return _public(day)
        return _country(self.public, day) if self.public != "none" else None

    def past_public_years(self, last: dt.date | None) -> int | None:
        """The last year of public holidays known, when the data (up to `last`) runs past it; else None."""
        if self.public != "cn" or last is None:
            return None
        known = public_years()[1]
        return known if last.year > known else None

    def spec(self) -> str:
        """The calendar as JSON, as the build keeps it in the warehouse (`from_spec` reads it back)."""
        def plain(v):
            return v.isoformat() if isinstance(v, dt.date) else list(v) if isinstance(v, tuple) else v

        return json.dumps({"public": self.public, "events": [
            {"id": e.id, "name_zh": e.name_zh, "name_en": e.name_en, "kind": e.kind, "start": plain(e.start),
             "end": plain(e.end)} for e in self.events]}, ensure_ascii=False)

    @staticmethod
    def from_spec(text: str | None) -> CompanyCalendar:
        if not text:
            return DEFAULT
        doc = json.loads(text)

        def value(kind, v):
            return dt.date.fromisoformat(v) if kind == "dates" else tuple(v) if kind == "yearly" else v

        return CompanyCalendar(tuple(Event(e["id"], e["name_zh"], e["name_en"], e["kind"], value(e["kind"], e["start"]),
                                           value(e["kind"], e["end"])) for e in doc["events"]), doc["public"])


DEFAULT = CompanyCalendar()


def _built_in(day: dt.date) -> str | None:
    for year in (day.year, day.year + 1):
        offset = (day - lunar_new_year(year)).days
        if -CNY_BEFORE <= offset <= CNY_AFTER:
            return f"cny{offset:+d}"
    for key, (m, d) in FIXED.items():
        if day.month == m and day.day == d:
            return key
    return None


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    import holidays

    return frozenset(holidays.list_supported_countries())


# ---- goals.yaml `calendar:` ----------------------------------------------------------------------------------------

def _month_day(value) -> tuple[int, int] | None:
    """'05-20' → (5, 20) (a day every year), else None."""
    text = str(value).strip()
    try:
        d = dt.date.fromisoformat(f"2024-{text}")          # a leap year: 02-29 is a day some years have
    except ValueError:
        return None
    return (d.month, d.day) if len(text) == 5 else None


def parse_calendar(path: Path, doc, p, line: int | None = None) -> CompanyCalendar:
    """goals.yaml's `calendar:` block (None: China's public holidays, no events of the company's own); every
    problem named with its line and field in `p` (pipelines.plan.yamlcheck.Problems)."""
    from pipelines.plan.yamlcheck import check_keys, check_name, entries, name_pair, unique_id

    if doc is None:
        return DEFAULT
    if not isinstance(doc, dict):
        p.add(path, line, "calendar", "calendar_shape")
        return DEFAULT
    check_keys(p, path, doc, "calendar.", {"public_holidays", "events"})
    public = str(doc.get("public_holidays", "cn")).strip()
    if public.lower() in PUBLIC:
        public = public.lower()
    elif public.upper() in _countries():
        public = public.upper()
    else:
        p.add(path, doc.line_of("public_holidays"), "calendar.public_holidays", "calendar_public", value=public)
        public = "cn"
    events, seen = [], {}
    for _, block, where in entries(p, path, doc, "events", SHAPE):
        where = f"calendar.{where}"
        check_keys(p, path, block, where, {"id", "name", "date", "from", "to", "lunar_new_year"})
        check_name(p, path, block, where)
        eid = unique_id(p, path, block, where, seen)
        zh, en = name_pair(block.get("name"), str(block.get("id") or ""))
        ways = [k for k in ("date", "from", "lunar_new_year") if k in block]
        event = None
        if len(ways) != 1 or ("to" in block) != (ways == ["from"]):
            p.add(path, block.line, where.rstrip("."), "calendar_when")
        elif ways == ["lunar_new_year"]:
            raw = block["lunar_new_year"]
            span = raw if isinstance(raw, list) else [raw]
            if (len(span) not in (1, 2) or not all(isinstance(x, int) and not isinstance(x, bool) for x in span)
                    or span[0] > span[-1] or not all(-60 <= x <= 60 for x in span)):
                p.add(path, block.line_of("lunar_new_year"), f"{where}lunar_new_year", "calendar_lunar",
                      value=repr(raw))
            else:
                event = ("lunar", span[0], span[-1])
        else:
            start_key, end_key = ("date", "date") if ways == ["date"] else ("from", "to")
            yearly = [_month_day(block[k]) for k in (start_key, end_key)]
            dated = [as_date(block[k]) for k in (start_key, end_key)]
            if all(yearly):
                event = ("yearly", yearly[0], yearly[1])
            elif all(dated) and dated[0] <= dated[1]:
                event = ("dates", dated[0], dated[1])
            else:
                p.add(path, block.line_of(start_key), f"{where}{start_key}", "calendar_dates",
                      start=str(block[start_key]), end=str(block[end_key]))
        if eid is not None and event is not None:
            events.append(Event(eid, zh, en, *event))
    return CompanyCalendar(tuple(events), public)
