"""Plan loading and validation: every problem names the file, the line and the field; nothing is a traceback."""
from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from pipelines.base.months import parse_month
from pipelines.plan.folder import load_plan
from pipelines.plan.goals import PlanError, parse_number
from tests.conftest import ORG_YAML

GOALS_YAML = """\
north_star:
  title: {zh: 十年目标, en: Ten-year goal}
  start: 2024-01-01
  end: 2033-12-31
  targets: {stations: 20000, members: 10000000}
status:
  at_risk: 0.8
key_actions:
  - id: ka-1
    center: community
    title: {zh: 沙龙, en: Salons}
    owner: pa
    months: [2026-11]
    supports: [members]
    war_zones: [east]
    key_results:
      - id: kr-1
        title: 社群新会员
        metric: new_members
        filters: {center: community}
        target: 10
      - id: kr-2
        title: 沙龙场次
        unit: {zh: 场, en: salons}
        target: 3
"""

TARGETS_CSV = """\
month,level,node_id,metric,target
2026-11,company,company,stations,10
2026-11,war_zone,east,stations,6
2026-11,team,e1,members,"1,200"
2026-11,person,pa,members,
2026-11,center,community,members,5
"""


def write_plan(tmp_path, org=ORG_YAML, goals=GOALS_YAML, targets=TARGETS_CSV):
    for name, text in (("org.yaml", org), ("goals.yaml", goals), ("targets.csv", targets)):
        if text is not None:
            (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def problems(tmp_path, **files) -> list[str]:
    write_plan(tmp_path, **files)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    return info.value.problems


def test_a_good_plan_loads(tmp_path):
    plan = load_plan(write_plan(tmp_path))
    assert plan.at_risk == 0.8
    assert plan.north_star.targets == {"stations": 20000, "members": 10000000}
    assert plan.north_star.title_en == "Ten-year goal"
    # "1,200" is a spreadsheet-formatted number; a blank target cell means no target.
    assert plan.targets == {("2026-11", "company", "company", "stations"): 10,
                            ("2026-11", "war_zone", "east", "stations"): 6,
                            ("2026-11", "team", "e1", "members"): 1200,
                            ("2026-11", "center", "community", "members"): 5}
    ka = plan.key_actions[0]
    assert ka["id"] == "ka-1" and ka["months"] == ["2026-11"] and ka["war_zones"] == ["east"]
    assert ka["key_results"][0] == {"id": "kr-1", "title": {"zh": "社群新会员", "en": "社群新会员"}, "target": 10,
                                    "metric": "new_members", "filters": {"center": "community"}}
    assert ka["key_results"][1]["unit"] == {"zh": "场", "en": "salons"}


def test_no_plan_files_is_an_empty_plan(tmp_path):
    plan = load_plan(tmp_path)
    assert plan.targets == {} and plan.north_star is None and plan.at_risk == 0.85 and plan.org.nodes == []


@pytest.mark.parametrize("row, line_field, words", [
    ("2026-13,team,e1,members,5", "line 7, month", "'2026-13' is not a month"),
    ("Nov-26,team,e1,members,5", "line 7, month", "'Nov-26' is not a month"),
    ("2026-11,team,e9,members,5", "line 7, node_id", "unknown team 'e9'"),
    ("2026-11,team,pa,members,5", "line 7, node_id", "pa is person — fix the level"),
    ("2026-11,squad,e1,members,5", "line 7, level", "'squad' is not a level"),
    ("2026-11,team,e1,revenue,5", "line 7, metric", "'revenue' is not a goal metric"),
    ("2026-11,center,community,stations,5", "line 7, metric", "centers hold member targets only"),
    ("2026-11,team,e1,members,abc", "line 7, target", "'abc' is not a number"),
    ("2026-11,team,e1,members,-3", "line 7, target", "-3 is negative"),
    ("2026-11,war_zone,east,stations,7", "line 7, month/level/node_id/metric",
     "duplicate target for east stations in 2026-11 (also line 3)"),
])
def test_a_bad_target_row_names_file_line_and_field(tmp_path, row, line_field, words):
    found = problems(tmp_path, targets=TARGETS_CSV + row + "\n")
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'targets.csv'}, {line_field}: ")
    assert words in found[0]


def test_every_problem_is_reported_at_once(tmp_path):
    found = problems(tmp_path, targets=TARGETS_CSV + "2026-11,team,e9,members,5\n2026-11,team,e1,stations,x\n")
    assert [f.split(": ")[0].split(", ", 1)[1] for f in found] == ["line 7, node_id", "line 8, target"]
    with pytest.raises(PlanError, match=r"the plan has 2 problems:\n  .*line 7.*\n  .*line 8.*\nFix the file"):
        load_plan(tmp_path)


def test_targets_in_gb18030_with_a_bom_free_header_load(tmp_path):
    write_plan(tmp_path, targets=None)
    (tmp_path / "targets.csv").write_bytes("month,level,node_id,metric,target,备注\n"
                                           "2026-11,person,pa,members,7,甲的目标\n".encode("gb18030"))
    assert load_plan(tmp_path).targets == {("2026-11", "person", "pa", "members"): 7}


def test_missing_target_column(tmp_path):
    found = problems(tmp_path, targets="month,level,node,metric,target\n")
    assert found == [f"{tmp_path / 'targets.csv'}, line 1, header: missing column node_id "
                     "(the header must name month, level, node_id, metric, target)"]


ORG_TEAM_TWICE = ORG_YAML.replace("""      - id: s1
        name: 华南一队""", """      - id: e1
        name: 华南一队""")
ORG_PERSON_TWICE = ORG_YAML.replace("people: [{id: pc, name: 丙}]", "people: [{id: pa, name: 丙}]")


def test_a_team_in_two_war_zones(tmp_path):
    found = problems(tmp_path, org=ORG_TEAM_TWICE, goals=None, targets=None)
    line = ORG_TEAM_TWICE.splitlines().index("      - id: e1", 10) + 1
    assert found == [f"{tmp_path / 'org.yaml'}, line {line}, war_zones[2].teams[1].id: "
                     f"team e1 is in two war zones: east (line 7) and south"]


def test_a_person_in_two_teams(tmp_path):
    found = problems(tmp_path, org=ORG_PERSON_TWICE, goals=None, targets=None)
    assert len(found) == 1
    assert ", line 12, war_zones[1].teams[2].people[1].id: person pa is in two teams: e1 (line 9) and e2" in found[0]


def test_a_mistyped_org_key_is_named(tmp_path):
    found = problems(tmp_path, org=ORG_YAML.replace("war_zones:", "war_zone:"), goals=None, targets=None)
    assert found == [f"{tmp_path / 'org.yaml'}, line 3, war_zone: unknown field "
                     "(expected one of: centers, company, war_zones)"]


def test_a_channel_owned_by_two_centers(tmp_path):
    org = ORG_YAML.replace("channels: [content]", "channels: [content, referral]")
    found = problems(tmp_path, org=org, goals=None, targets=None)
    assert len(found) == 1 and "channel referral is already owned by center community" in found[0]


def test_broken_yaml_names_the_line(tmp_path):
    found = problems(tmp_path, goals="north_star:\n  title: [unclosed\nstatus: {at_risk: 0.8}\n")
    assert len(found) == 1 and found[0].startswith(f"{tmp_path / 'goals.yaml'}, line ")
    assert "not valid YAML" in found[0]


@pytest.mark.parametrize("old, new, where, words", [
    ("at_risk: 0.8", "at_risk: 1.5", "line 7, status.at_risk", "out of range"),
    ("at_risk: 0.8", "at_risk: 0", "line 7, status.at_risk", "out of range"),
    ("at_risk: 0.8", "at_risk: lots", "line 7, status.at_risk", "out of range"),
    ("at_risk: 0.8", "at_risk: 0.8\n  stale_days: 0", "line 8, status.stale_days", "between 1 and 90"),
    ("at_risk: 0.8", "at_risk: 0.8\n  stale_days: 2.5", "line 8, status.stale_days", "whole number"),
    ("at_risk: 0.8", "at_risk: 0.8\n  basis: lunar", "line 8, status.basis", "'lunar': linear (pace against a "
     "straight line through the month) or seasonal"),
    ("center: community", "center: marketing", "line 10, key_actions[1].center", "unknown center 'marketing'"),
    ("owner: pa", "owner: pz", "line 12, key_actions[1].owner", "unknown person 'pz'"),
    ("months: [2026-11]", "months: [2026-11, 2026-14]", "line 13, key_actions[1].months", "'2026-14' is not a month"),
    ("war_zones: [east]", "war_zones: [east, west]", "line 15, key_actions[1].war_zones", "unknown war zone 'west'"),
    ("supports: [members]", "supports: [revenue]", "line 14, key_actions[1].supports", "unknown goal 'revenue'"),
    ("metric: new_members", "metric: new_users", "line 19, key_actions[1].key_results[1].metric",
     "unknown metric 'new_users'"),
    ("filters: {center: community}", "filters: {center: marketing}",
     "line 20, key_actions[1].key_results[1].filters.center", "unknown center 'marketing'"),
    ("filters: {center: community}", "filters: {channel: community, city: 杭州}",
     "line 20, key_actions[1].key_results[1].filters.city", "new_members cannot be filtered by city"),
    ("target: 3", "target: -1", "line 25, key_actions[1].key_results[2].target", "not a number ≥ 0"),
    # issue 32: a key result is judged by its metric's kind, so a target that kind cannot be judged against is refused
    ("metric: new_members\n        filters: {center: community}\n        target: 10",
     "metric: referral_share\n        filters: {center: community}\n        target: 50",
     "line 21, key_actions[1].key_results[1].target",
     "referral_share is a share: its target is a fraction between 0 and 1 (0.5 for 50 %), not 50"),
    ("metric: new_members\n        filters: {center: community}\n        target: 10",
     "metric: days_to_open\n        filters: {war_zone: east}\n        target: 0",
     "line 21, key_actions[1].key_results[1].target", "days_to_open is a median: its target must be above 0, not 0"),
    ("end: 2033-12-31", "end: 2023-12-31", "line 4, north_star.end", "is not after the start"),
    ("stations: 20000", "stations: 0", "line 5, north_star.targets.stations", "not a positive number"),
    ("- id: kr-2", "- id: kr-1", "line 22, key_actions[1].key_results[2].id", "key result kr-1 is defined twice"),
])
def test_a_bad_goal_names_file_line_and_field(tmp_path, old, new, where, words):
    assert old in GOALS_YAML
    found = problems(tmp_path, goals=GOALS_YAML.replace(old, new, 1))
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path / 'goals.yaml'}, {where}: "), found[0]
    assert words in found[0]


def test_the_sample_plan_is_valid():
    from pipelines.base.paths import DATA

    plan = load_plan(DATA / "config")
    assert plan.north_star.targets == {"stations": 20000, "members": 10000000}
    assert len(plan.key_actions) == 4
    assert all(level in {"company", "war_zone", "team", "person", "center"} for _, level, _, _ in plan.targets)


@pytest.mark.parametrize("text, expected", [("2026-11", "2026-11"), ("2026/1", "2026-01"), (" 2026-07 ", "2026-07"),
                                            ("2026-13", None), ("2026-11-01", None), ("11/2026", None), ("", None)])
def test_parse_month(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text, expected", [("1200", 1200), ("1,200", 1200), ("1，200", 1200), (" 7 ", 7),
                                            ("2.5", 2.5), ("nan", None), ("inf", None), ("abc", None), ("", None)])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_stale_days_default_and_set(tmp_path):
    assert load_plan(write_plan(tmp_path)).stale_days == 7
    plan = load_plan(write_plan(tmp_path, goals=GOALS_YAML.replace("at_risk: 0.8", "at_risk: 0.8\n  stale_days: 14")))
    assert plan.stale_days == 14


def test_the_status_basis_defaults_to_the_straight_line_and_survives_the_store(tmp_path):
    from pipelines.plan.store import PlanStore

    assert load_plan(write_plan(tmp_path)).basis == "linear"
    plan = load_plan(write_plan(tmp_path, goals=GOALS_YAML.replace("at_risk: 0.8", "at_risk: 0.8\n  basis: seasonal")))
    assert plan.basis == "seasonal"
    with PlanStore(tmp_path / "plan.sqlite") as store:
        store.import_config(tmp_path, plan)
        assert store.current().basis == "seasonal"


# ---- a key action from a form (the Centers page) ---------------------------------------------------------------

FORM = {"id": "ka-9", "center": "community", "title": {"zh": "社群沙龙", "en": ""}, "owner": "pa",
        "months": ["2026-12"], "supports": ["members"], "war_zones": ["east", "south"],
        "key_results": [{"id": "kr-9a", "title": {"zh": "社群新会员", "en": "Community members"},
                         "metric": "new_members", "filters": {"center": "community"}, "target": "1,200"},
                        {"id": "kr-9b", "title": "沙龙场次", "unit": {"zh": "场", "en": "salons"}, "target": 4}]}


def org_of(tmp_path):
    from pipelines.plan.org import load_org

    return load_org(write_plan(tmp_path))


def test_a_good_form_is_normalised_like_goals_yaml(tmp_path):
    from pipelines.plan.goals import check_key_action

    action = check_key_action(FORM, org_of(tmp_path))
    assert action["title"] == {"zh": "社群沙龙", "en": "社群沙龙"}       # one language fills the other
    assert [kr["target"] for kr in action["key_results"]] == [1200, 4]
    assert action["key_results"][0]["filters"] == {"center": "community"}
    assert action["key_results"][1]["unit"] == {"zh": "场", "en": "salons"}
    assert (action["months"], action["war_zones"], action["owner"]) == (["2026-12"], ["east", "south"], "pa")


@pytest.mark.parametrize("change, message", [
    ({"title": {"zh": " ", "en": ""}}, "title: give the action a title (zh, en or both)"),
    ({"months": []}, "months: give the month(s) the action runs, e.g. 2026-11"),
    ({"key_results": []}, "key_results: give at least one key result"),
    ({"center": "marketing"}, "center: unknown center 'marketing' (known: community, content)"),
    ({"key_results": [{**FORM["key_results"][1], "target": -2}]}, "key_results[1].target: -2 is not a number ≥ 0"),
    ({"key_results": [{**FORM["key_results"][0], "metric": "new_users"}]},
     "key_results[1].metric: unknown metric 'new_users'"),
    ({"key_results": [{**FORM["key_results"][1], "title": ""}]}, "key_results[1].title: give the key result a title"),
    ({"key_results": [{**FORM["key_results"][1], "id": ""}]}, "key_results[1].id: missing id"),
])
def test_a_bad_form_is_refused_with_the_field_and_why(tmp_path, change, message):
    from pipelines.plan.goals import check_key_action

    with pytest.raises(PlanError) as info:
        check_key_action({**FORM, **change}, org_of(tmp_path))
    assert any(p.startswith(message) for p in info.value.problems), info.value.problems


def test_a_form_may_not_take_another_actions_key_result(tmp_path):
    from pipelines.plan.goals import check_key_action

    with pytest.raises(PlanError) as info:
        check_key_action(FORM, org_of(tmp_path), {"kr-9b": "ka-1"})
    assert info.value.problems == ["key_results[2].id: key result kr-9b belongs to key action ka-1 already"]
    assert check_key_action(FORM, org_of(tmp_path), {"kr-9b": "ka-9"})["id"] == "ka-9"   # its own: fine


def test_milestones_are_read_and_every_problem_named_with_its_line(tmp_path):
    good = GOALS_YAML.replace("  targets: {stations: 20000, members: 10000000}\n",
                              "  targets: {stations: 20000, members: 10000000}\n  milestones:\n"
                              "    - {by: 2026-12-31, stations: 3000, members: 600000}\n"
                              "    - {by: 2027-12-31, members: 1500000}\n")
    plan = load_plan(write_plan(tmp_path, goals=good))
    assert plan.north_star.milestones == ((dt.date(2026, 12, 31), {"stations": 3000, "members": 600000}),
                                          (dt.date(2027, 12, 31), {"members": 1500000}))
    bad = GOALS_YAML.replace("  targets: {stations: 20000, members: 10000000}\n",
                             "  targets: {stations: 20000, members: 10000000}\n  milestones:\n"
                             "    - {by: 2023-06-30, stations: 10}\n"           # before the start
                             "    - {by: 2027-12-31, stations: 30000}\n"        # beyond the goal
                             "    - {by: 2027-06-30, members: 5}\n"             # not after the one before
                             "    - {by: 2028-12-31, trees: 5}\n")
    found = "\n".join(problems(tmp_path, goals=bad))
    for expected in (
        "line 7, north_star.milestones[1].by: '2023-06-30': a date after the north star's start "
        "(2024-01-01) and by its end (2033-12-31)",
        "line 8, north_star.milestones[2].stations: 30000 is not a positive number up to the goal's 20,000",
        "line 9, north_star.milestones[3].by: 2027-06-30 is not after the milestone before it (2027-12-31)",
        "line 10, north_star.milestones[4].trees: unknown field",
    ):
        assert expected in found, (expected, found)
