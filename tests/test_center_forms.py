"""The Centers page's form logic (ui/sections/center_forms.py) without a browser: what a typed check-in and a key-action
form mean, and what is wrong with them in the reader's language. The page itself is in test_centers_page.py."""
import datetime as dt

import pytest

from ui.i18n import text
from ui.sections import center_forms as cf

TODAY = dt.date(2026, 11, 15)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_complete_checkin_has_its_value_and_no_problem(lang):
    assert cf.checkin_problems(True, " 1,200 ", "on_track", "郑丽", TODAY, TODAY, lang) == (1200, [])
    assert cf.checkin_problems(False, None, "at_risk", "郑丽", dt.date(2026, 11, 3), TODAY, lang) == (None, [])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_problem_of_a_checkin_is_said(lang):
    value, errors = cf.checkin_problems(True, "", None, "  ", dt.date(2026, 11, 16), TODAY, lang)
    assert value is None
    assert errors == [text("checkin_need_value", lang), text("checkin_need_confidence", lang),
                      text("checkin_need_who", lang), text("checkin_future", lang, d="2026-11-15")]
    assert cf.checkin_problems(True, "-3", "on_track", "甲", TODAY, TODAY, lang)[1] == [
        text("checkin_bad_value", lang, v="-3")]
    assert cf.checkin_problems(True, "三场", "on_track", "甲", TODAY, TODAY, lang)[1] == [
        text("checkin_bad_value", lang, v="三场")]


FIELDS = {"id": " ka-x ", "center": "community", "owner": "", "title_zh": " 拉新 ", "title_en": "Sign-ups",
          "months": ["2026-11"], "supports": ["members"], "war_zones": ["east"]}


def test_the_form_reads_as_goals_yaml():
    rows = [{"id": "kr-1", "title_zh": "社群新会员", "title_en": "", "metric": "new_members",
             "filters": "center=community；channel = referral", "unit_zh": "", "unit_en": "", "target": "20"},
            {c: "" for c in cf.KR_COLS},                                   # an empty row of the table: skipped
            {"id": "kr-2", "title_zh": "沙龙", "title_en": "Salons", "metric": "", "filters": "", "unit_zh": "场",
             "unit_en": "salons", "target": "4"}]
    doc, problems = cf.form_doc(FIELDS, rows, "zh")
    assert problems == []
    assert doc == {"id": "ka-x", "center": "community", "title": {"zh": "拉新", "en": "Sign-ups"},
                   "months": ["2026-11"], "supports": ["members"], "war_zones": ["east"], "key_results": [
                       {"id": "kr-1", "title": {"zh": "社群新会员", "en": ""}, "target": "20", "metric": "new_members",
                        "filters": {"center": "community", "channel": "referral"}},
                       {"id": "kr-2", "title": {"zh": "沙龙", "en": "Salons"}, "target": "4",
                        "unit": {"zh": "场", "en": "salons"}}]}
    assert cf.form_doc({**FIELDS, "owner": "pa"}, rows, "zh")[0]["owner"] == "pa"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filter_without_equals_is_a_problem_of_its_row(lang):
    rows = [{**{c: "" for c in cf.KR_COLS}, "id": "kr-1", "metric": "new_members", "filters": "community",
             "target": "1"}]
    _, problems = cf.form_doc(FIELDS, rows, lang)
    assert problems == [text("ka_bad_filter", lang, row=1, v="community")]


def test_an_existing_action_fills_the_table_and_a_new_one_has_one_blank_row():
    action = {"key_results": [{"id": "kr-1", "title": {"zh": "甲", "en": "A"}, "metric": "new_members",
                               "filters": {"center": "community"}, "target": 20.0},
                              {"id": "kr-2", "title": {"zh": "乙", "en": "B"}, "unit": {"zh": "场", "en": "salons"},
                               "target": 2.5}]}
    assert cf.kr_rows(action) == [
        {"id": "kr-1", "title_zh": "甲", "title_en": "A", "metric": "new_members", "filters": "center=community",
         "unit_zh": "", "unit_en": "", "target": "20"},
        {"id": "kr-2", "title_zh": "乙", "title_en": "B", "metric": "", "filters": "", "unit_zh": "场",
         "unit_en": "salons", "target": "2.5"}]
    assert cf.kr_rows(None) == [dict.fromkeys(cf.KR_COLS, "")]
