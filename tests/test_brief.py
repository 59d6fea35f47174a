"""The morning brief's words (pipelines/brief.py, issue 21) on the hand-made company as of 2026-11-20, every figure
checked by hand against tests/goal_company.py: this month, the north star, the zone that needs attention and why,
since last week, what changed since the last brief, stale key results, the link; in both languages, and within the
viewer's scope."""
from __future__ import annotations

import pytest

from pipelines import brief, goaltree
from pipelines.access import User

BEFORE = {"south|members": "on_track", "east|stations": "at_risk", "kr:kr-salons": "on_track",
          "content|members": "no_target"}
ZH = [
    "北极星日报 · 2026年11月 · 截至 2026-11-20 周五（第 20 / 30 天）",
    # company: stations 7 of 10, pace 7 / (10 × 20/30) = 1.05; members 24 of 40, pace 24 / 26.67 = 0.90
    "本月：新开驿站 7 / 10 ● 正常（节奏 105%）；新增会员 24 / 40 ▲ 有风险（节奏 90%）",
    # 9 active stations of 20,000 and 32 members of 10M: both under 0.1%; 2024-01-01 → 2026-11-20 of ten years
    "北极星：在营驿站 9 / 2万（<0.1%）、服务会员 32 / 1,000万（<0.1%）；时间已过 28.9%",
    # south members 8 of 16: pace 8 / 10.67 = 0.75 (at risk: the threshold is 0.75); needs (16 − 8) / 10 days;
    # its people: 丁 5 of 10, pace 0.75; 戊 has no target
    "最需关注：华南战区 ▲ 有风险，新增会员节奏 75%，每天需 0.8；最落后：丁（华南一队）会员节奏 75%",
    # a week earlier, the 13th (13/30 of the month): the company had 5 stations (S01, S02, S03, S06, S10), pace
    # 5 / (10 × 13/30) = 1.15, and 18 members (M10 refunded on the 10th), pace 18 / (40 × 13/30) = 1.04, on track;
    # South had 1 station (S06), pace 1 / (3 × 13/30) = 0.77, at risk, and now 2 (S07 opened on the 14th), 1.00
    "较上周（2026-11-13 周五）：驿站节奏 115% → 105%、会员节奏 104% → 90%；测试公司 新增会员 ● 正常 → ▲ 有风险；"
    "华南战区 新开驿站 ▲ 有风险 → ● 正常",
    "变差：华南战区 新增会员 ● 正常 → ▲ 有风险；举办沙龙 ● 正常 → ○ 未更新",
    "变好：华东战区 新开驿站 ▲ 有风险 → ● 正常",
    "未更新的关键结果：举办沙龙（社群中心）",
    "查看总览：https://ns.example.com/?lang=zh&month=2026-11&as_of=2026-11-20",
]
EN = [
    "Northstar brief · Nov 2026 · as of Fri 2026-11-20 (day 20 of 30)",
    "This month: new stations 7 / 10 ● On track (pace 105%); new members 24 / 40 ▲ At risk (pace 90%)",
    "North star: active stations 9 / 20k (<0.1%), members served 32 / 10M (<0.1%); time gone 28.9%",
    "Needs attention: South Zone ▲ At risk, new members at 75% pace, 0.8 a day needed; furthest behind: 丁 "
    "(South Team 1), members at 75%",
    "Since last week (Fri 2026-11-13): stations pace 115% → 105%, members pace 104% → 90%; Test Co new members "
    "● On track → ▲ At risk; South Zone new stations ▲ At risk → ● On track",
    "Worse: South Zone new members ● On track → ▲ At risk; Salons held ● On track → ○ Stale",
    "Better: East Zone new stations ▲ At risk → ● On track",
    "Key results without a recent check-in: Salons held (Community Center)",
    "Open the board: https://ns.example.com/?lang=en&month=2026-11&as_of=2026-11-20",
]


@pytest.fixture(scope="module")
def tree(company):
    return goaltree.load(company, "2026-11", "2026-11-20")


@pytest.mark.parametrize("lang,expected", [("zh", ZH), ("en", EN)])
def test_the_summary_by_hand(tree, lang, expected):
    assert brief.summary(tree, lang, BEFORE, "https://ns.example.com/") == expected


def test_the_first_brief_and_a_brief_with_nothing_changed(tree):
    first = brief.summary(tree, "zh")
    assert first[5] == "这是第一份简报：下次起会写出哪些状态变了。" and not first[-1].startswith("查看总览")
    same = brief.summary(tree, "en", brief.statuses(tree))
    assert same[5] == "No status changed since the last brief."


def test_no_week_line_in_the_months_first_week_or_once_it_is_over(company):
    """The 7th has no earlier day of the same month a week before; a finished month has no week to compare."""
    assert brief.week_line(goaltree.load(company, "2026-11", "2026-11-07"), "zh") is None
    assert brief.week_line(goaltree.load(company, "2026-10", "2026-11-20"), "zh") is None
    assert brief.week_line(goaltree.load(company, "2026-11", "2026-11-08"), "en").startswith(
        "Since last week (Sun 2026-11-01): ")


def test_what_a_brief_remembers(tree):
    remembered = brief.statuses(tree)
    assert remembered["company|members"] == "at_risk" and remembered["south|members"] == "at_risk"
    assert remembered["community|members"] == "at_risk" and remembered["kr:kr-salons"] == "stale"
    assert not [k for k in remembered if k.split("|")[0] in ("e1", "pa", "s1", "pd")]     # no teams or people


def test_the_viewers_scope_holds_in_the_words(tree):
    """A zone lead of east, an analyst: every zone's total (the zone that needs attention is still south), but no
    person of a zone they may not see, and no key result of a center they may not see."""
    for user in (User("e", "e", "zone_lead", war_zone="east"), User("a", "a", "analyst")):
        lines = brief.summary(tree.scoped(user), "zh", BEFORE)
        assert lines[3] == "最需关注：华南战区 ▲ 有风险，新增会员节奏 75%，每天需 0.8"
        assert "丁" not in "".join(lines)
    content = brief.summary(tree.scoped(User("c", "c", "center_lead", center="content")), "zh", BEFORE)
    assert "举办沙龙" not in "".join(content)
