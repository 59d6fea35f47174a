"""The morning brief's words (pipelines/delivery/brief.py, issue 21) on the hand-made company as of 2026-11-20, every
figure checked by hand against tests/goal_company.py: this month, the north star, the zone that needs attention and why,
since last week, what changed since the last brief, stale key results, the link; in both languages, and within the
viewer's scope."""
from __future__ import annotations

import pytest

from pipelines.delivery import brief, trees
from pipelines.plan.access import User

BEFORE = {"south|members": "on_track", "east|stations": "at_risk", "kr:kr-salons": "on_track",
          "content|members": "no_target"}
ZH = [
    "北极星日报 · 2026年11月 · 截至 2026-11-20 周五（第 20 / 30 天）",
    # issue 32, whole units on the straight line (20/30 of the month): stations due — 甲 乙 丙 丁 2 × ⅔ = 1.33 each,
    # 华东一队 2.67, 华东二队 1.33, 华东 4; 华南一队 1.33 + the 1 no one holds × ⅔ = 2, 华南 2; the company 4 + 2 + the
    # 1 no zone holds × ⅔ = 6.67 → 6 due, 7 opened: pace 117%. Members due: 华东 16, 华南 10.67, the company
    # 26.67 → 26, 24 joined: pace 92%
    "本月：新开驿站 7 / 10 ● 正常（节奏 117%）；新增会员 24 / 40 ▲ 有风险（节奏 92%）",
    # 9 active stations of 20,000 and 32 members of 10M: both under 0.1%; 2024-01-01 → 2026-11-20 of ten years
    "北极星：在营驿站 9 / 20,000（<0.1%）、服务会员 32 / 1,000万（<0.1%）；时间已过 28.9%",
    # the gap lines add up as written: stations 7 − 6 = +1, all East's (5 − 4; South 2 − 2); members 24 − 26 = −2,
    # all South's (8 − 10), and in it 丁 5 − 6 (10 × ⅔ = 6.67 → 6) is the one short the most
    "驿站领先 +1个：华东战区 +1",
    "会员缺口 −2人：华南战区 −2（丁 −1）",
    # South members 8 of 10 due: pace 80%, at risk; needs (16 − 8) / 10 days; who is behind by the one rule: 丁
    "最需关注：华南战区 ▲ 有风险，新增会员节奏 80%，每天需 0.8；缺口最大：丁（华南一队）会员 −1人",
    # a week earlier, the 13th (13/30): the company had 5 stations of 4.33 → 4 due (125%) and 18 members of 17.33 →
    # 17 due (106%), on track; South 6 members of 6.93 → 6 due, on track, and now at risk
    "较上周（2026-11-13 周五）：驿站节奏 125% → 117%、会员节奏 106% → 92%；测试公司 新增会员 ● 正常 → ▲ 有风险；"
    "华南战区 新增会员 ● 正常 → ▲ 有风险",
    "变差：华南战区 新增会员 ● 正常 → ▲ 有风险；举办沙龙 ● 正常 → ○ 未更新",
    "变好：华东战区 新开驿站 ▲ 有风险 → ● 正常",
    "未更新的关键结果：举办沙龙（社群中心）",
    "查看总览：https://ns.example.com/?lang=zh&month=2026-11&as_of=2026-11-20",
]
EN = [
    "Northstar brief · Nov 2026 · as of Fri 2026-11-20 (day 20 of 30)",
    "This month: new stations 7 / 10 ● On track (pace 117%); new members 24 / 40 ▲ At risk (pace 92%)",
    "North star: active stations 9 / 20,000 (<0.1%), members served 32 / 10M (<0.1%); time gone 28.9%",
    "Stations ahead +1: East Zone +1",
    "Members gap −2: South Zone −2 (丁 −1)",
    "Needs attention: South Zone ▲ At risk, new members at 80% pace, 0.8 a day needed; largest shortfall: 丁 "
    "(South Team 1), members −1",
    "Since last week (Fri 2026-11-13): stations pace 125% → 117%, members pace 106% → 92%; Test Co new members "
    "● On track → ▲ At risk; South Zone new members ● On track → ▲ At risk",
    "Worse: South Zone new members ● On track → ▲ At risk; Salons held ● On track → ○ Stale",
    "Better: East Zone new stations ▲ At risk → ● On track",
    "Key results without a recent check-in: Salons held (Community Center)",
    "Open the board: https://ns.example.com/?lang=en&month=2026-11&as_of=2026-11-20",
]


@pytest.fixture(scope="module")
def tree(company):
    return trees.load(company, "2026-11", "2026-11-20")


@pytest.mark.parametrize("lang,expected", [("zh", ZH), ("en", EN)])
def test_the_summary_by_hand(tree, lang, expected):
    assert brief.summary(tree, lang, BEFORE, "https://ns.example.com/") == expected


def test_the_first_brief_and_a_brief_with_nothing_changed(tree, company):
    """The first brief with a week line says what moved since last week and does not also promise to say it next
    time (issue 32: it used to do both, one line after the other); without a week line (the month's first week)
    it says it is the first."""
    first = brief.summary(tree, "zh")
    assert first[6].startswith("较上周") and "这是第一份简报" not in "".join(first)
    assert not first[-1].startswith("查看总览")
    early = brief.summary(trees.load(company, "2026-11", "2026-11-07"), "zh")
    assert "这是第一份简报：下次起会写出哪些状态变了。" in early and not any(x.startswith("较上周") for x in early)
    same = brief.summary(tree, "en", brief.statuses(tree))
    assert same[7] == "No status changed since the last brief."


def test_no_week_line_in_the_months_first_week_or_once_it_is_over(company):
    """The 7th has no earlier day of the same month a week before; a finished month has no week to compare."""
    assert brief.week_line(trees.load(company, "2026-11", "2026-11-07"), "zh") is None
    assert brief.week_line(trees.load(company, "2026-10", "2026-11-20"), "zh") is None
    assert brief.week_line(trees.load(company, "2026-11", "2026-11-08"), "en").startswith(
        "Since last week (Sun 2026-11-01): ")


def test_what_a_brief_remembers(tree):
    remembered = brief.statuses(tree)
    assert remembered["company|members"] == "at_risk" and remembered["south|members"] == "at_risk"
    # the community center: 13 members of 20 × ⅔ = 13.33 due — short by a third of a member, so on track in whole
    # units (issue 32; it was at risk at pace 0.975)
    assert remembered["community|members"] == "on_track" and remembered["kr:kr-salons"] == "stale"
    assert not [k for k in remembered if k.split("|")[0] in ("e1", "pa", "s1", "pd")]     # no teams or people


def test_the_viewers_scope_holds_in_the_words(tree):
    """A zone lead of east, an analyst: every zone's total (the zone that needs attention is still south), but no
    person of a zone they may not see, and no key result of a center they may not see."""
    for user in (User("e", "e", "zone_lead", war_zone="east"), User("a", "a", "analyst")):
        lines = brief.summary(tree.scoped(user), "zh", BEFORE)
        assert lines[5] == "最需关注：华南战区 ▲ 有风险，新增会员节奏 80%，每天需 0.8"
        assert "丁" not in "".join(lines)
    content = brief.summary(tree.scoped(User("c", "c", "center_lead", center="content")), "zh", BEFORE)
    assert "举办沙龙" not in "".join(content)
