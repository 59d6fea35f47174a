"""A hand-made company for the goal-tree tests: 2 war zones, 3 teams, 5 people, 12 stations, 39 members, 9 orders.

Every expected number in test_goaltree.py is computed by hand from these rows; the comments there show the sums.
Data ends on 2026-11-30 (the build's as-of). The at-risk threshold is 0.75 so that a pace of exactly 3/4 can be
hit with whole members.
"""
from __future__ import annotations

ORG = """
company: {id: company, name: {zh: 测试公司, en: Test Co}}
war_zones:
  - id: east
    name: {zh: 华东战区, en: East Zone}
    teams:
      - id: e1
        name: {zh: 华东一队, en: East Team 1}
        people: [{id: pa, name: 甲}, {id: pb, name: 乙}]
      - id: e2
        name: {zh: 华东二队, en: East Team 2}
        people: [{id: pc, name: 丙}]
  - id: south
    name: {zh: 华南战区, en: South Zone}
    teams:
      - id: s1
        name: {zh: 华南一队, en: South Team 1}
        people: [{id: pd, name: 丁}, {id: pe, name: 戊}]
centers:
  - id: community
    name: {zh: 社群中心, en: Community Center}
    channels: [community, referral]
  - id: content
    name: {zh: 内容中心, en: Content Center}
    channels: [content]
"""

GOALS = """
north_star:
  title: {zh: 十年两万站, en: "20,000 stations in 10 years"}
  start: 2024-01-01
  end: 2033-12-31
  targets: {stations: 20000, members: 10000000}
status: {at_risk: 0.75}
key_actions:
  - id: ka-community
    center: community
    title: {zh: 社群拉新, en: Community sign-ups}
    owner: pa
    months: [2026-11]
    supports: [members]
    war_zones: [east, south]
    key_results:
      - id: kr-community-members
        title: {zh: 社群渠道新会员, en: New members via community channels}
        metric: new_members
        filters: {center: community}
        target: 20
      - id: kr-salons
        title: {zh: 举办沙龙, en: Salons held}
        unit: {zh: 场, en: salons}
        target: 4
  - id: ka-south-open
    center: content
    title: {zh: 华南开站, en: South openings}
    months: [2026-10, 2026-11]
    supports: [stations]
    war_zones: [south]
    key_results:
      - id: kr-south-stations
        title: {zh: 华南新开驿站, en: Stations opened in South}
        metric: new_stations
        filters: {war_zone: south}
        target: 5
  - id: ka-october
    center: content
    title: {zh: 十月活动, en: October push}
    months: [2026-10]
    key_results:
      - {id: kr-october, title: 十月, unit: 场, target: 1}
"""

# 2026-11 targets; pe has none. company stations 10 vs zones 6 + 3 → unallocated 1; s1 stations 3 vs pd 2 → 1;
# s1 members 16 vs pd 10 → 6. 2026-10: company stations 3 vs zones 1 + 1 → unallocated 1.
TARGETS = """month,level,node_id,metric,target
2026-11,company,company,stations,10
2026-11,company,company,members,40
2026-11,war_zone,east,stations,6
2026-11,war_zone,east,members,24
2026-11,war_zone,south,stations,3
2026-11,war_zone,south,members,16
2026-11,team,e1,stations,4
2026-11,team,e1,members,16
2026-11,team,e2,stations,2
2026-11,team,e2,members,8
2026-11,team,s1,stations,3
2026-11,team,s1,members,16
2026-11,person,pa,stations,2
2026-11,person,pa,members,8
2026-11,person,pb,stations,2
2026-11,person,pb,members,8
2026-11,person,pc,stations,2
2026-11,person,pc,members,8
2026-11,person,pd,stations,2
2026-11,person,pd,members,10
2026-11,center,community,members,20
2026-11,center,content,members,12
2026-10,company,company,stations,3
2026-10,company,company,members,10
2026-10,war_zone,east,stations,1
2026-10,war_zone,south,stations,1
"""

STATIONS = [
    # station_id, name, war_zone, team, owner, province, city, signed_on, opened_on, closed_on
    ["S01", "一号站", "east", "e1", "pa", "浙江", "杭州", "2026-10-10", "2026-11-03", ""],
    ["S02", "二号站", "east", "e1", "pb", "浙江", "杭州", "2026-10-15", "2026-11-05", ""],
    ["S03", "三号站", "east", "e1", "pb", "浙江", "宁波", "2026-10-20", "2026-11-10", ""],
    ["S04", "四号站", "east", "e2", "pc", "江苏", "南京", "2026-09-20", "2026-10-10", ""],
    ["S05", "五号站", "east", "e2", "pc", "江苏", "苏州", "2026-11-02", "2026-11-20", ""],
    ["S06", "六号站", "south", "s1", "pd", "广东", "广州", "2026-10-12", "2026-11-01", ""],
    ["S07", "七号站", "south", "s1", "pd", "广东", "广州", "2026-10-25", "2026-11-14", "2026-11-15"],
    ["S08", "八号站", "south", "s1", "pe", "广东", "深圳", "2026-10-01", "2026-10-20", ""],
    ["S09", "九号站", "south", "s1", "pe", "广东", "深圳", "2026-11-12", "2026-11-30", ""],
    # owner unknown → e1/unassigned
    ["S10", "十号站", "east", "e1", "px", "浙江", "温州", "2026-10-18", "2026-11-08", ""],
    ["S11", "十一号站", "east", "e1", "pa", "浙江", "杭州", "2026-09-01", "2026-09-15", ""],
    ["S12", "十二号站", "south", "s1", "pd", "广东", "佛山", "2026-11-05", "", ""],  # signed, not open
]

M = "standard", "399"
MEMBERS = [
    # member_id, station_id, joined_on, tier, fee, channel, referrer_id, refunded_on, phone
    # pa
    ["M01", "S11", "2026-09-20", *M, "community", "", "", ""],
    ["M02", "S11", "2026-09-25", *M, "referral", "M01", "", ""],
    ["M03", "S11", "2026-10-05", *M, "community", "", "", ""],
    ["M04", "S11", "2026-10-20", *M, "content", "", "", ""],
    ["M05", "S01", "2026-11-03", *M, "community", "", "", ""],
    ["M06", "S01", "2026-11-08", *M, "content", "", "", ""],
    ["M07", "S01", "2026-11-12", *M, "community", "", "2026-11-20", ""],
    ["M08", "S01", "2026-11-18", *M, "referral", "M05", "", ""],
    ["M09", "S01", "2026-11-30", *M, "content", "", "", ""],
    # pb
    ["M10", "S02", "2026-11-05", *M, "community", "", "2026-11-10", ""],
    ["M11", "S02", "2026-11-05", *M, "community", "", "", ""],
    ["M12", "S02", "2026-11-06", *M, "community", "", "", ""],
    ["M13", "S02", "2026-11-07", *M, "referral", "M11", "", ""],
    ["M14", "S02", "2026-11-09", *M, "content", "", "", ""],
    ["M15", "S03", "2026-11-10", *M, "content", "", "", ""],
    ["M16", "S03", "2026-11-11", *M, "community", "", "", ""],
    ["M17", "S03", "2026-11-13", *M, "partner", "", "", ""],      # no center owns partner → centers/unassigned
    ["M18", "S03", "2026-11-15", *M, "community", "", "", ""],
    # e1/unassigned
    ["M19", "S10", "2026-11-09", *M, "content", "", "", ""],
    # pc
    ["M20", "S04", "2026-10-12", *M, "community", "", "", ""],
    ["M21", "S04", "2026-10-15", *M, "content", "", "2026-11-03", ""],
    ["M22", "S04", "2026-10-31", *M, "community", "", "", ""],
    ["M23", "S04", "2026-11-02", *M, "content", "", "", ""],
    ["M24", "S04", "2026-11-14", *M, "referral", "M22", "", ""],
    ["M25", "S05", "2026-11-20", *M, "community", "", "", ""],
    ["M26", "S05", "2026-11-20", *M, "content", "", "", ""],
    ["M27", "S04", "2026-11-25", *M, "community", "", "", ""],
    # pd
    ["M28", "S06", "2026-11-01", *M, "community", "", "", ""],
    ["M29", "S06", "2026-11-04", *M, "content", "", "", ""],
    ["M30", "S06", "2026-11-06", *M, "community", "", "", ""],
    ["M31", "S07", "2026-11-14", *M, "content", "", "", ""],
    ["M32", "S06", "2026-11-15", *M, "partner", "", "", ""],
    ["M33", "S06", "2026-11-29", *M, "community", "", "", ""],
    # pe
    ["M34", "S08", "2026-10-21", *M, "community", "", "", ""],
    ["M35", "S08", "2026-10-25", *M, "content", "", "", ""],
    ["M36", "S08", "2026-11-02", *M, "community", "", "", ""],
    ["M37", "S08", "2026-11-07", *M, "content", "", "", ""],
    ["M38", "S08", "2026-11-11", *M, "referral", "M36", "", ""],
    ["M39", "S09", "2026-11-30", *M, "community", "", "", ""],
]

ORDERS = [
    # order_id, member_id, ordered_at, amount, status, category
    ["O1", "M01", "2026-09-22 10:00:00", "100.00", "paid", "生鲜"],
    ["O2", "M03", "2026-10-08 10:00:00", "50.00", "paid", "粮油"],
    ["O3", "M05", "2026-11-04 10:00:00", "30.00", "paid", "日化"],
    ["O4", "M11", "2026-11-06 10:00:00", "20.00", "paid", "零食"],
    ["O5", "M11", "2026-11-12 10:00:00", "25.50", "paid", "零食"],
    ["O6", "M23", "2026-11-03 10:00:00", "40.00", "cancelled", "酒水"],
    ["O7", "M28", "2026-11-02 10:00:00", "60.00", "paid", "生鲜"],
    ["O8", "M20", "2026-10-13 10:00:00", "15.00", "paid", "美妆"],
    ["O9", "M29", "2026-11-20 10:00:00", "10.00", "paid", "生鲜"],
]


def import_milestones(db, folder) -> None:
    """This company's plan with two milestones on the way to the north star (by 2025-12-31: 4 stations and 10
    members; by 2026-12-31: 12 and 40), written to `folder` and imported into the plan store beside `db`."""
    from pipelines.plan.folder import load_plan
    from pipelines.plan.store import PlanStore, store_path

    config = folder / "cfg"
    config.mkdir()
    (config / "org.yaml").write_text(ORG, encoding="utf-8")
    (config / "targets.csv").write_text(TARGETS, encoding="utf-8")
    (config / "goals.yaml").write_text(GOALS.replace(
        "  targets: {stations: 20000, members: 10000000}\n",
        "  targets: {stations: 20000, members: 10000000}\n"
        "  milestones:\n    - {by: 2025-12-31, stations: 4, members: 10}\n"
        "    - {by: 2026-12-31, stations: 12, members: 40}\n"), encoding="utf-8")
    with PlanStore(store_path(db)) as store:
        store.import_config(config, load_plan(config))
