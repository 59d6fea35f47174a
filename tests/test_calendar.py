"""Issue 35: the company's calendar (pipelines/plan/calendar.py) — its own campaign days from goals.yaml, China's
public holidays and make-up workdays from chinesecalendar — and its days learned like the built-in events."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pipelines.base.labels import words
from pipelines.okr import seasonal
from pipelines.plan.calendar import DEFAULT, CompanyCalendar, Event, parse_calendar, public_years
from pipelines.plan.folder import load_plan
from pipelines.plan.yamlcheck import PlanError, Problems, load_yaml
from tests.conftest import make_raw, run_build

D = dt.date


def test_which_years_chinas_holidays_are_known():
    """chinesecalendar 1.11.0 (requirements.txt) knows 2004 to 2026; a day past them is an ordinary day, and the
    calendar says the data has run past them (the build prints it, the pace's words say it)."""
    assert public_years() == (2004, 2026)
    assert DEFAULT.event_of(D(2026, 10, 1)) == "cn:national_day"
    assert DEFAULT.event_of(D(2027, 10, 1)) is None                     # not published yet
    assert DEFAULT.past_public_years(D(2026, 12, 31)) is None
    assert DEFAULT.past_public_years(D(2027, 1, 5)) == 2026
    assert CompanyCalendar(public="none").past_public_years(D(2027, 1, 5)) is None


def test_a_day_belongs_to_the_first_event_that_claims_it():
    """The company's own days, then the new-year fortnight and Double 11 / 12 / 618, then China's public holidays
    and make-up workdays (a Saturday that is a workday)."""
    sale = Event("sale", "大促", "Sale", "dates", D(2026, 10, 1), D(2026, 10, 2))
    cal = CompanyCalendar((sale,))
    assert [cal.event_of(d) for d in (D(2026, 10, 1), D(2026, 10, 3), D(2026, 10, 10), D(2026, 10, 12))] == [
        "co:sale", "cn:national_day", "cn:makeup", None]
    assert cal.event_of(D(2026, 2, 17)) == "cny+0"                       # the Spring Festival is the fortnight's
    assert cal.event_of(D(2026, 5, 1)) == "cn:labour_day" and cal.event_of(D(2026, 11, 11)) == "d11"
    assert CompanyCalendar(public="none").event_of(D(2026, 10, 1)) is None
    # another country's holidays, from the holidays package (a UK retailer, examples/online_retail)
    assert CompanyCalendar(public="GB").event_of(D(2011, 12, 26)) == "gb:boxing_day"
    # every year, and days from the lunar new year
    yearly = CompanyCalendar((Event("anniv", "周年庆", "Anniversary", "yearly", (5, 20), (5, 22)),
                              Event("push", "年前冲刺", "Push", "lunar", -20, -8)), public="none")
    assert [yearly.event_of(d) for d in (D(2025, 5, 20), D(2027, 5, 22), D(2027, 5, 23))] == [
        "co:anniv", "co:anniv", None]
    assert yearly.event_of(D(2026, 1, 28)) == "co:push" and yearly.event_of(D(2026, 2, 10)) == "cny-7"
    assert CompanyCalendar.from_spec(yearly.spec()) == yearly


def test_goals_yaml_calendar_every_form_and_every_mistake(tmp_path):
    path = tmp_path / "goals.yaml"
    path.write_text("""calendar:
  public_holidays: cn
  events:
    - {id: spring_sale, name: {zh: 春季大促, en: Spring sale}, date: 2026-03-08}
    - {id: summer, name: 暑期冲刺, from: 2026-07-01, to: 2026-07-15}
    - {id: anniv, name: 周年庆, from: 05-20, to: 05-22}
    - {id: push, name: 年前冲刺, lunar_new_year: [-20, -8]}
""", encoding="utf-8")
    p = Problems()
    cal = parse_calendar(path, load_yaml(path)["calendar"], p)
    assert p.items == []
    assert cal.public == "cn" and [(e.id, e.kind, e.start, e.end) for e in cal.events] == [
        ("spring_sale", "dates", D(2026, 3, 8), D(2026, 3, 8)), ("summer", "dates", D(2026, 7, 1), D(2026, 7, 15)),
        ("anniv", "yearly", (5, 20), (5, 22)), ("push", "lunar", -20, -8)]
    assert (cal.events[0].name_zh, cal.events[0].name_en) == ("春季大促", "Spring sale")
    path.write_text("""calendar:
  public_holidays: mars
  events:
    - {id: a, date: 2026-02-30}
    - {id: b, from: 2026-03-09, to: 2026-03-01}
    - {id: c, date: 2026-03-01, lunar_new_year: 3}
    - {id: d, lunar_new_year: [10, -10]}
    - {id: a, date: 2026-04-01}
    - {id: e, from: 2026-03-01}
""", encoding="utf-8")
    p = Problems()
    parse_calendar(path, load_yaml(path)["calendar"], p)
    said = [str(x) for x in p.items]
    assert len(said) == 7
    assert said[0].endswith("line 2, calendar.public_holidays: mars: expected cn (China's public holidays and "
                            "make-up workdays), none, or a country code such as GB")
    assert "line 4, calendar.events[0].date: 2026-02-30 to 2026-02-30: expected dates" in said[1]
    assert "line 5, calendar.events[1].from: 2026-03-09 to 2026-03-01" in said[2]
    assert "calendar.events[2]: give one of date (a day), from and to (a range) or lunar_new_year" in said[3]
    assert "line 7, calendar.events[3].lunar_new_year: [10, -10]: expected a day or two" in said[4]
    assert "line 8, calendar.events[4].id" in said[5]
    assert "calendar.events[5]: give one of" in said[6]
    assert "应为日期（2026-03-08）或每年的月-日（05-20）" in words(p.items[1], "zh")


def test_the_plan_carries_the_calendar_and_refuses_a_bad_one(tmp_path):
    (tmp_path / "goals.yaml").write_text("calendar: {public_holidays: none, events: [{id: x, date: 2026-03-08}]}\n",
                                         encoding="utf-8")
    plan = load_plan(tmp_path)
    assert plan.calendar.public == "none" and plan.calendar.event_of(D(2026, 3, 8)) == "co:x"
    assert load_plan(tmp_path / "nowhere").calendar == DEFAULT            # no goals.yaml: China's holidays
    (tmp_path / "goals.yaml").write_text("calendar: [2026-03-08]\n", encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(tmp_path)
    assert "calendar should be a block" in str(err.value.problems[0])


def test_a_campaign_day_is_learned_like_double_11():
    """A flat 10 a day for a year and a half, 30 on each of the company's "sale" days (every 8 March): the sale's
    factor is (counted + 3) / (due + 3) = (60 + 3) / (20 + 3) = 63/23 — the same rule as Double 11's — and March
    2026 weighs 30 + 63/23, 7 + 63/23 of it by the 8th."""
    cal = CompanyCalendar((Event("sale", "大促", "Sale", "yearly", (3, 8), (3, 8)),), public="none")
    first = D(2024, 1, 1)
    days = [first + dt.timedelta(days=i) for i in range(800)]
    counts = np.array([30.0 if cal.event_of(d) == "co:sale" else
                       2.0 if (cal.event_of(d) or "").startswith("cny") else
                       40.0 if cal.event_of(d) == "d11" else 10.0 for d in days])
    before = (D(2026, 3, 1) - first).days
    profile = seasonal.fit(counts[:before], seasonal.Calendar(first, before, cal), "company")
    assert profile.events["co:sale"] == pytest.approx(63 / 23)
    assert profile.share(D(2026, 3, 1), D(2026, 3, 31), D(2026, 3, 8)) == pytest.approx(
        (7 + 63 / 23) / (30 + 63 / 23))


def test_the_build_keeps_the_calendar_for_the_months_shape(tmp_path):
    """goals.yaml's calendar goes into the warehouse (company_calendar), so the goal tree, the backtest and the
    brief shape every month with the same days; a warehouse built before it had one reads China's default."""
    stations = [["S1", "东一站", "east", "e1", "pa", "浙江", "杭州", "2026-01-01", "2026-01-01", ""]]
    members = [["M1", "S1", "2026-01-02", "standard", "399", "community", "", "", ""]]
    orders = [["O1", "M1", "2026-01-02 10:00:00", "10.00", "paid", "生鲜"]]
    make_raw(tmp_path, {"stations": stations, "members": members, "orders": orders})
    (tmp_path / "config" / "goals.yaml").write_text(
        "calendar: {public_holidays: none, events: [{id: x, name: 大促, date: 2026-01-05}]}\n", encoding="utf-8")
    run_build(tmp_path, as_of=D(2026, 1, 10))
    import duckdb
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    try:
        cal = seasonal.company_calendar(con)
        con.execute("drop table company_calendar")
        assert seasonal.company_calendar(con) == DEFAULT
    finally:
        con.close()
    assert cal.public == "none" and cal.event_of(D(2026, 1, 5)) == "co:x"


def test_data_past_the_known_holidays_is_said(tmp_path):
    """Data into 2027, which chinesecalendar 1.11.0 does not know: the build says so, and so do the words under a
    pace in January 2027 (the month's days count as ordinary days)."""
    stations = [["S1", "东一站", "east", "e1", "pa", "浙江", "杭州", "2026-12-01", "2026-12-01", ""]]
    members = [["M1", "S1", "2027-01-02", "standard", "399", "community", "", "", ""]]
    orders = [["O1", "M1", "2027-01-02 10:00:00", "10.00", "paid", "生鲜"]]
    make_raw(tmp_path, {"stations": stations, "members": members, "orders": orders})
    result = run_build(tmp_path, as_of=D(2027, 1, 5))
    assert result.notes == ["China's public holidays and make-up workdays are known up to 2026 (chinesecalendar) "
                            "and the data runs to 2027-01-02: later days count as ordinary days; upgrade "
                            "chinesecalendar once the State Council publishes the next year"]
    from pipelines.okr import goaltree
    from pipelines.okr.candidates import Choice
    con = goaltree.open_warehouse(tmp_path / "wh.duckdb")
    try:
        tree = goaltree.goal_tree(con, "2027-01", "2027-01-02")
    finally:
        con.close()
    assert tree.holidays_known_to == 2026
    v = tree.company.metrics["members"]
    assert v.choice == Choice("linear", "history")
    assert tree.shape_words(v, "zh") == "按直线（数据不足一年，还没有曲线）；法定节假日只收录到 2026 年，本月未计入"


def test_the_spring_festival_table_is_the_holidays_packages_every_year():
    """Issue 37: the first view reads 春节 from a table instead of importing `holidays`; every year of the table is
    what the package computes, and a year outside it still asks the package."""
    from pipelines.plan import calendar

    for year, (month, day) in calendar.LUNAR_NEW_YEAR.items():
        assert calendar._lunar_new_year_computed(year) == dt.date(year, month, day), year
    assert calendar.lunar_new_year(2061) == calendar._lunar_new_year_computed(2061)
    assert min(calendar.LUNAR_NEW_YEAR) <= 2004 and max(calendar.LUNAR_NEW_YEAR) >= 2036   # the data and the goal
