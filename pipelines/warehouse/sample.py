"""Deterministic synthetic data for the data contract, plus a matching plan (DESIGN §6).

Everything is generated set-wise in DuckDB SQL. Randomness is `hash(seed, salt, key)`, never `random()`, so
the same seed gives the same rows whatever the thread count, and the files are written in a fixed order:
same seed → byte-identical files.

The shape of the network (see docs/developer-guide.md "The sample company"):
- stations open along an S-curve per war zone, with fewer openings around Chinese New Year and on weekends;
  some signed stations never open, some are still waiting to open, some close;
- members join a station while it operates, with Double 11 / Double 12 peaks and a Chinese New Year dip;
  some refund their membership; referral chains run several levels deep inside a station;
- each member's order frequency decays with membership age; some orders are refunded or cancelled;
- the North zone slumps in the as-of month, so it is clearly behind its target; a few people are far behind
  and far ahead; a handful of rows point at a team, owner or channel the org does not know (`unassigned`).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from pipelines.base.errors import NorthstarError
from pipelines.base.months import month_of, shift_month
from pipelines.base.progress import Progress
from pipelines.plan.goals import GOAL_METRICS
from pipelines.warehouse.contract import SAMPLE_MARK

START = dt.date(2024, 1, 1)
END = dt.date(2033, 12, 31)
AS_OF = dt.date(2026, 11, 24)


@dataclass(frozen=True)
class Size:
    stations: int
    members: int
    orders: int


SIZES = {
    "tiny": Size(60, 3_000, 30_000),
    "small": Size(2_500, 500_000, 5_000_000),
    "medium": Size(8_000, 2_000_000, 25_000_000),
    "large": Size(20_000, 10_000_000, 100_000_000),
    # the company at its north star, three years of orders (issue 37): written in chunks (ORDER_CHUNK)
    "xlarge": Size(20_000, 10_000_000, 300_000_000),
}
# Orders are written this many at most per file (orders-01.parquet, orders-02.parquet …, each the orders of a run
# of members, in order): a chunk is made, sorted and written on its own, so generating a size's orders holds one
# chunk, not all of them. A size with fewer orders writes the one file orders.<ext>, as always.
ORDER_CHUNK = 25_000_000

# (id, zh, en, people per team, share of stations, S-curve midpoint day, S-curve width in days, lead id, lead name):
# a zone added here gets its org, its lead's account in access.yaml and its share of the data (the sample's
# channels name only HQ's, the admin's and the slumping zone's robot)
ZONES = [
    ("east", "华东战区", "East Zone", [6, 5, 8, 4], 0.45, 720, 150, "lead-east", "宋杰"),
    ("south", "华南战区", "South Zone", [7, 5, 6], 0.33, 760, 160, "lead-south", "梁欣"),
    ("north", "华北战区", "North Zone", [8, 4], 0.22, 740, 170, "lead-north", "萧宇"),
]
SLUMP = "north"     # the zone that slumps in the sample's last month: clearly behind, and its lead has a channel
TEAM_ZH = ["一队", "二队", "三队", "四队"]
CITIES = {
    "east": [("上海", "上海"), ("江苏", "南京"), ("江苏", "苏州"), ("浙江", "杭州"), ("浙江", "宁波"),
             ("安徽", "合肥"), ("山东", "济南")],
    "south": [("广东", "广州"), ("广东", "深圳"), ("广东", "佛山"), ("福建", "厦门"), ("福建", "福州"),
              ("广西", "南宁"), ("海南", "海口")],
    "north": [("北京", "北京"), ("天津", "天津"), ("河北", "石家庄"), ("山西", "太原"), ("辽宁", "沈阳"),
              ("内蒙古", "呼和浩特")],
}
# (id, zh, en, channels, lead id, lead name)
CENTERS = [
    ("content", "内容中心", "Content Center", ["content", "livestream"], "p101", "周婷"),
    ("internet", "互联网中心", "Internet Center", ["app", "mini_program"], "p102", "吴昊"),
    ("community", "社群中心", "Community Center", ["community", "referral"], "p103", "郑丽"),
    ("platform", "平台中心", "Platform Center", ["platform", "events"], "p104", "孙浩"),
]
# Channel mix of new members; `partner` belongs to no center (→ centers/unassigned).
CHANNEL_MIX = [("referral", 0.30), ("community", 0.14), ("content", 0.10), ("livestream", 0.10),
               ("app", 0.12), ("mini_program", 0.10), ("platform", 0.06), ("events", 0.07), ("partner", 0.01)]
CATEGORIES = ["生鲜", "粮油", "日化", "母婴", "酒水", "零食", "家居", "美妆"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "明", "超", "秀英", "霞",
         "平", "刚", "桂英", "丹", "鹏", "辉", "玲", "婷", "浩", "宇", "欣", "晨", "雪", "琳"]
CNY = ["2024-02-10", "2025-01-29", "2026-02-17"]
ORDER_DECAY_DAYS = 150.0  # a member's order rate halves about every 104 days of membership


def build_org(seed: int) -> dict:
    """The fictional company: 3 war zones, 2-4 teams each, 4-8 people per team, 4 centers."""
    rng = random.Random(seed)
    names = [s + g for s in SURNAMES for g in GIVEN]
    rng.shuffle(names)
    zones, n = [], 0
    for zid, zh, en, teams, *_ in ZONES:
        zone = {"id": zid, "name": {"zh": zh, "en": en}, "teams": []}
        for t, size in enumerate(teams):
            team = {"id": f"{zid}-{t + 1}", "name": {"zh": zh[:2] + TEAM_ZH[t], "en": f"{en.split()[0]} Team {t + 1}"},
                    "people": []}
            for _ in range(size):
                n += 1
                team["people"].append({"id": f"p{n:03d}", "name": names[n]})
            zone["teams"].append(team)
        zones.append(zone)
    centers = [{"id": cid, "name": {"zh": zh, "en": en}, "channels": chans,
                "people": [{"id": lead, "name": lead_name}]}
               for cid, zh, en, chans, lead, lead_name in CENTERS]
    return {"company": {"id": "company", "name": {"zh": "波波来了", "en": "Bobo Network"}},
            "war_zones": zones, "centers": centers}


def people_rows(org: dict, seed: int) -> list[tuple]:
    """(zone, team, person, lo, hi): each person's slice of [0, 1) of their zone's stations, by a skewed weight."""
    rng = random.Random(seed + 1)
    rows = []
    for zone in org["war_zones"]:
        people = [(zone["id"], team["id"], p["id"]) for team in zone["teams"] for p in team["people"]]
        weights = [rng.lognormvariate(0, 0.45) for _ in people]
        total, acc = sum(weights), 0.0
        for (z, t, p), w in zip(people, weights):
            rows.append((z, t, p, acc / total, (acc + w) / total))
            acc += w
    return rows


ACCESS_HEAD = """\
# Who may sign in and what each person sees (pipelines/plan/access.py; docs/admin-guide.md, "Who sees what").
# auth: open    no sign-in: whoever reaches the port is one local person with every right (a laptop).
# auth: password  built-in accounts: `python -m pipelines users add ID` sets a password (kept hashed in the plan
#               store, never in a file); people sign in with the id below.
# auth: oidc    the company's identity provider (.streamlit/secrets.toml [auth]); its `email` claim is the id.
auth: open
session_hours: 12        # a sign-in lasts this long
max_failures: 5          # wrong passwords in a row before the account waits lockout_minutes
lockout_minutes: 15
users:
"""


def access_yaml() -> str:
    """The sample's access.yaml: HQ's people, a lead per war zone of ZONES and per center of CENTERS, an analyst."""
    users = ["{id: admin, name: 陈静, role: admin, pii: true}", "{id: ceo, name: 林总, role: leader}",
             "{id: hq-plan, name: 罗敏, role: planner, pii: true}"]
    users += [f"{{id: {lead}, name: {name}, role: zone_lead, war_zone: {zid}}}" for zid, *_, lead, name in ZONES]
    users += [f"{{id: {lead}, name: {name}, role: center_lead, center: {cid}}}"
              for cid, _, _, _, lead, name in CENTERS]
    users += ["{id: analyst, name: 田雪, role: analyst}"]
    return ACCESS_HEAD + "".join(f"- {u}\n" for u in users)

# Where the morning brief goes (pipelines/delivery/channels.py; docs/admin-guide.md, "The morning brief"). Only the
# names of the environment variables holding the robots' webhook URLs and secrets are here, never the values.
CHANNELS_HEAD = """\
# Where the morning brief goes (python -m pipelines brief --channel ID). Each robot's webhook URL and secret are
# read from the environment variable named here; try it without them: python -m pipelines brief --all --dry-run DIR
base_url: http://localhost:8501          # the board's address, for the brief's link
channels:
"""


def channels_yaml() -> str:
    """The sample's channels.yaml: HQ's WeCom group and mail, the admin's Feishu alerts, and the slumping zone's
    DingTalk group seen as its lead (from ZONES)."""
    lead = next(z[-2] for z in ZONES if z[0] == SLUMP)
    env = f"NS_DING_{SLUMP.upper()}"
    return CHANNELS_HEAD + (
        "- {id: hq-wecom, type: wecom, webhook_env: NS_WECOM_HQ, as: ceo, lang: zh}\n"
        f"- {{id: {SLUMP}-ding, type: dingtalk, webhook_env: {env}, secret_env: {env}_SECRET, as: {lead},\n"
        "   lang: zh, alerts: [status_worse]}\n"
        "- {id: hq-mail, type: email, smtp_env: NS_SMTP, to: [ceo@example.com], as: ceo, lang: en}\n"
        "- {id: ops-feishu, type: feishu, webhook_env: NS_FEISHU_OPS, secret_env: NS_FEISHU_OPS_SECRET, as: admin, "
        "lang: zh,\n   alerts: [build_failed]}\n")


def goals_doc() -> dict:
    """goals.yaml: the north star, the status thresholds and the centers' key actions."""
    month = month_of(AS_OF)
    prev = shift_month(month, -1)
    return {
        "north_star": {
            "title": {"zh": "深耕10年，建设2万驿站，服务1000万创业者",
                      "en": "10 years: 20,000 stations, 10 million entrepreneurs"},
            "start": START,
            "end": END,
            "targets": {"stations": 20000, "members": 10000000},
            # the next two years on the way (the small sample's scale): the board judges this year's
            "milestones": [
                {"by": dt.date(2026, 12, 31), "stations": 2300, "members": 520000},
                {"by": dt.date(2027, 12, 31), "stations": 3500, "members": 1000000},
            ],
        },
        # the sample company has three years of history: its months are judged on their own shape (Double 11,
        # the new year, weekends) rather than a straight line
        "status": {"at_risk": 0.85, "basis": "seasonal"},
        "time_zone": "Asia/Shanghai",
        # the sample's days are drawn with weekends, the new year and Double 11/12 but no public holidays, so its
        # calendar leaves them out (a real company keeps the default, cn: China's holidays and make-up workdays)
        "calendar": {"public_holidays": "none"},
        "key_actions": [
            {"id": "ka-salons", "center": "community", "owner": "p103", "months": [prev, month],
             "title": {"zh": "城市沙龙拉新", "en": "City salons for member sign-ups"},
             "supports": ["members"], "war_zones": ["east", "south"],
             "key_results": [
                 {"id": "kr-salon-members",
                  "title": {"zh": "社群渠道新会员", "en": "New members via community channels"},
                  "metric": "new_members", "filters": {"center": "community"}, "target": 15000},
                 {"id": "kr-salons-held",
                  "title": {"zh": "举办沙龙", "en": "Salons held"},
                  "unit": {"zh": "场", "en": "salons"}, "target": 20}]},
            {"id": "ka-live", "center": "content", "owner": "p101", "months": [month],
             "title": {"zh": "双11直播带货", "en": "Double 11 livestream sales"},
             "supports": ["members"], "war_zones": [z[0] for z in ZONES],
             "key_results": [
                 {"id": "kr-live-members",
                  "title": {"zh": "直播渠道新会员", "en": "New members via livestream"},
                  "metric": "new_members", "filters": {"channel": "livestream"}, "target": 6000},
                 {"id": "kr-live-sessions",
                  "title": {"zh": "直播场次", "en": "Livestream sessions"},
                  "unit": {"zh": "场", "en": "sessions"}, "target": 30}]},
            {"id": "ka-north-open", "center": "platform", "owner": "p104", "months": [month],
             "title": {"zh": "华北驿站开业支持", "en": "Opening support for North stations"},
             "supports": ["stations"], "war_zones": ["north"],
             "key_results": [
                 {"id": "kr-north-opened",
                  "title": {"zh": "华北新开驿站", "en": "Stations opened in North"},
                  "metric": "new_stations", "filters": {"war_zone": "north"}, "target": 60},
                 {"id": "kr-north-trainings",
                  "title": {"zh": "站长培训", "en": "Station master trainings"},
                  "unit": {"zh": "场", "en": "trainings"}, "target": 8}]},
            {"id": "ka-app-referral", "center": "internet", "owner": "p102", "months": [month],
             "title": {"zh": "小程序裂变", "en": "Mini-program referral campaign"},
             "supports": ["members"], "war_zones": [z[0] for z in ZONES],
             "key_results": [
                 {"id": "kr-app-members",
                  "title": {"zh": "小程序新会员", "en": "New members via mini-program"},
                  "metric": "new_members", "filters": {"channel": "mini_program"}, "target": 8000}]},
        ],
    }


CNY_SQL = " or ".join(f"(d between date '{c}' - 7 and date '{c}' + 7)" for c in CNY)
SETUP_SQL = f"""
create macro is_cny(d) as ({CNY_SQL});
create macro u(salt, k) as ((hash(getvariable('seed'), salt, k) % 1000000007)::double + 0.5) / 1000000007;
create macro u2(salt, k, j) as ((hash(getvariable('seed'), salt, k, j) % 1000000007)::double + 0.5) / 1000000007;
create macro gauss(a, b) as sqrt(-2 * ln(a)) * cos(2 * pi() * b);

create table days as
with d as (
    select range::int as i, (getvariable('start') + range::int) as day
    from range(getvariable('ndays'))
), f as (
    select i, day,
        is_cny(day) as cny,
        month(day) = 11 and day(day) between 9 and 11 as d11,
        month(day) = 12 and day(day) between 10 and 12 as d12,
        isodow(day) >= 6 as weekend
    from d
)
select i, day,
    (case when cny then 0.3 else 1 end) * (case when weekend then 0.7 else 1 end) as w_station,
    (case when cny then 0.4 when d11 then 2.6 when d12 then 1.9 else 1 end)
        * (case when weekend then 1.1 else 1 end) as w_member,
    cny, d11, d12
from f;
"""


def _generate(con: duckdb.DuckDBPyConnection, size: Size, org: dict, seed: int, progress: Progress) -> None:
    ndays = (AS_OF - START).days + 1
    con.execute("set variable seed = ?", [seed])
    con.execute("set variable slump = ?", [SLUMP])
    con.execute("set variable start = ?::date", [START])
    con.execute("set variable as_of = ?::date", [AS_OF])
    con.execute("set variable ndays = ?", [ndays])
    con.execute(SETUP_SQL)
    con.execute("create table zones(zone varchar, zone_ord int, share double, lo double, hi double, mid double, "
                "width double)")
    acc = 0.0
    for k, (zid, _, _, _, share, mid, width, *_) in enumerate(ZONES):
        con.execute("insert into zones values (?, ?, ?, ?, ?, ?, ?)", [zid, k, share, acc, acc + share, mid, width])
        acc += share
    con.execute("create table people(zone varchar, team varchar, person varchar, lo double, hi double)")
    con.executemany("insert into people values (?, ?, ?, ?, ?)", people_rows(org, seed))
    con.execute("create table cities(zone varchar, k int, province varchar, city varchar)")
    con.executemany("insert into cities values (?, ?, ?, ?)",
                    [(z, k, p, c) for z, lst in CITIES.items() for k, (p, c) in enumerate(lst)])
    con.execute("create table channels(channel varchar, lo double, hi double)")
    acc = 0.0
    for ch, w in CHANNEL_MIX:
        con.execute("insert into channels values (?, ?, ?)", [ch, acc, acc + w])
        acc += w

    with progress.step(f"stations ({size.stations:,})"):
        con.execute("set variable n_stations = ?", [size.stations])
        con.execute(STATIONS_SQL)
    with progress.step(f"members (≈{size.members:,})"):
        con.execute("set variable n_members = ?", [size.members])
        con.execute(MEMBERS_SQL)


# Per-zone cumulative curves; a station's milestone day is found by inverse CDF (ASOF join).
STATIONS_SQL = """
create table station_curve as
with w as (
    select z.zone, d.i, d.day,
        exp(-(d.i - z.mid) / z.width) / pow(1 + exp(-(d.i - z.mid) / z.width), 2) * d.w_station
        * (case when z.zone = getvariable('slump') and d.day >= date_trunc('month', getvariable('as_of'))
                then 0.55 else 1 end) as w
    from zones as z cross join days as d
)
select zone, i, day, sum(w) over (partition by zone order by i) / sum(w) over (partition by zone) as c
from w;

create table stations_gen as
with base as (
    select range as k, u(1, range) as uz, u(2, range) as ut, u(3, range) as ukind, u(4, range) as ulag,
        u(5, range) as uclose, u(6, range) as uclosed, u(7, range) as uperson, u(8, range) as uodd,
        u(9, range) as ucity, u(10, range) as upend
    from range(getvariable('n_stations'))
), zoned as (
    select b.*, z.zone from base as b join zones as z on b.uz >= z.lo and b.uz < z.hi
), timed as (
    select s.*, c.day as milestone
    from zoned as s asof join station_curve as c on s.zone = c.zone and s.ut <= c.c
), dated as (
    select t.*,
        case when ukind < 0.07 then 'never' when ukind < 0.10 then 'pending' else 'opened' end as kind,
        14 + floor(ulag * 60)::int as lag
    from timed as t
), final as (
    select d.k, d.zone, d.uperson, d.uodd, d.ucity,
        case d.kind
            when 'opened' then greatest(getvariable('start'), d.milestone - d.lag)
            when 'never' then d.milestone
            else getvariable('as_of') - floor(d.upend * 60)::int end as signed_on,
        case when d.kind = 'opened' then d.milestone end as opened_on,
        case when d.kind = 'opened' and d.milestone < getvariable('as_of') - 120 and d.uclose < 0.06
            then d.milestone + 90 + floor(d.uclosed * (getvariable('as_of') - d.milestone - 90))::int end as closed_on
    from dated as d
)
select
    'S' || lpad((row_number() over (order by f.signed_on, f.k))::varchar, 5, '0') as station_id,
    f.k, f.zone as zone_true, f.signed_on, f.opened_on, f.closed_on,
    p.team as team_true, p.person as person_true, c.province, c.city,
    case when f.uodd < 0.002 then 'west' else f.zone end as war_zone,
    case when f.uodd < 0.002 then 'west-1' when f.uodd < 0.006 then f.zone || '-9' else p.team end as team,
    case when f.uodd < 0.002 then 'p998' when f.uodd >= 0.006 and f.uodd < 0.009 then 'p999'
        else p.person end as owner
from final as f
join people as p on f.zone = p.zone and f.uperson >= p.lo and f.uperson < p.hi
join cities as c on f.zone = c.zone
    and c.k = floor(f.ucity * (select count(*) from cities as x where x.zone = f.zone))::int;
"""

MEMBERS_SQL = """
create table member_curve as
select z.zone, d.i, d.day,
    sum(d.w_member * (case when z.zone = getvariable('slump') and d.day >= date_trunc('month', getvariable('as_of'))
        then 0.55 else 1 end)) over (partition by z.zone order by d.i) as c
from zones as z cross join days as d;

create table station_alloc as
with open_stations as (
    select s.station_id, s.k, s.zone_true as zone, s.opened_on as a,
        least(coalesce(s.closed_on - 1, getvariable('as_of')), getvariable('as_of')) as b,
        exp(0.6 * gauss(u(20, s.k), u(21, s.k))) as q
    from stations_gen as s
    where s.opened_on is not null
), weighted as (
    select o.*, o.q * (o.b - o.a + 1) as w from open_stations as o where o.b >= o.a
)
select w.station_id, w.k, w.zone, w.a, w.b,
    floor(getvariable('n_members') * w.w / sum(w.w) over () + u(22, w.k))::bigint as n,
    coalesce(lo.c, 0) as c_lo, hi.c as c_hi
from weighted as w
left join member_curve as lo on lo.zone = w.zone and lo.day = w.a - 1
join member_curve as hi on hi.zone = w.zone and hi.day = w.b
order by w.k;

create table members_gen as
with expanded as (
    select a.station_id, a.k as sk, a.zone, a.a, a.b,
        a.c_lo + u2(30, a.k, j) * (a.c_hi - a.c_lo) as target_c,
        j
    from station_alloc as a, unnest(range(a.n)) as r(j)
), dated as (
    select e.station_id, e.sk, e.j, c.day as joined_on
    from expanded as e asof join member_curve as c on e.zone = c.zone and e.target_c <= c.c
), ranked as (
    select d.*,
        row_number() over (order by d.joined_on, d.sk, d.j) as mk,
        row_number() over (partition by d.station_id order by d.joined_on, d.j) - 1 as rank_in_station
    from dated as d
)
select r.*, 'M' || lpad(r.mk::varchar, 8, '0') as member_id from ranked as r;

create table members as
with attrs as (
    select m.*,
        u(40, m.mk) as utier, u(41, m.mk) as uchan, u(42, m.mk) as uref, u(43, m.mk) as urefund,
        u(44, m.mk) as urefund_day, u(45, m.mk) as uphone, u(46, m.mk) as uphone2, u(47, m.mk) as uprefix
    from members_gen as m
), chans as (
    select a.*,
        case when ch.channel = 'referral' and a.rank_in_station = 0 then 'community' else ch.channel end as channel
    from attrs as a join channels as ch on a.uchan >= ch.lo and a.uchan < ch.hi
), refs as (
    select c.*, r.member_id as referrer_id
    from chans as c
    left join members_gen as r on c.channel = 'referral' and r.station_id = c.station_id
        and r.rank_in_station = floor(c.uref * c.rank_in_station)::bigint
)
select
    x.member_id, x.station_id, x.joined_on,
    case when x.utier < 0.70 then 'standard' when x.utier < 0.95 then 'gold' else 'platinum' end as tier,
    (case when x.utier < 0.70 then 399 when x.utier < 0.95 then 999 else 2999 end)::decimal(10, 2) as fee,
    x.channel, x.referrer_id,
    case when x.urefund < 0.04 and x.joined_on + 1 + floor(x.urefund_day * 14)::int <= getvariable('as_of')
        then x.joined_on + 1 + floor(x.urefund_day * 14)::int end as refunded_on,
    case when x.uphone < 0.1 then null
        else '1' || (30 + floor(x.uprefix * 60))::int::varchar || lpad(floor(x.uphone2 * 1e8)::bigint::varchar, 8, '0')
        end as phone,
    x.mk
from refs as x
order by x.mk;
"""

# Orders: a member's order count is proportional to a personal rate times the decayed exposure
# tau * (1 - exp(-W / tau)); each order's age is drawn from the truncated exponential (closed form).
# Double 11 pulls some nearby orders onto Nov 11; Chinese New Year pushes some orders past the holiday.
ORDERS_PLAN_SQL = """
create table order_plan as
with w as (
    select m.member_id, m.mk, m.joined_on as a,
        least(coalesce(m.refunded_on - 1, getvariable('as_of')), getvariable('as_of')) as b,
        exp(0.8 * gauss(u(50, m.mk), u(51, m.mk))) as q
    from members as m
), e as (
    select w.*, w.q * getvariable('tau') * (1 - exp(-(w.b - w.a + 1) / getvariable('tau'))) as lam
    from w where w.b >= w.a
)
, counted as (
    select e.member_id, e.mk, e.a, e.b,
        floor(getvariable('n_orders') * e.lam / sum(e.lam) over () + u(52, e.mk))::bigint as n
    from e
)
select c.*, coalesce(sum(c.n) over (order by c.mk rows between unbounded preceding and 1 preceding), 0) as offset_n
from counted as c
order by c.mk;
"""

ORDERS_SELECT_SQL = """
with o as (
    select p.member_id, p.mk, p.a, p.b, p.offset_n + j + 1 as ok, j
    from order_plan as p, unnest(range(p.n)) as r(j)
    where p.offset_n >= getvariable('chunk_lo') and p.offset_n < getvariable('chunk_hi')
), aged as (
    select o.*,
        o.a + floor(-getvariable('tau') * ln(1 - u2(60, o.mk, o.j)
            * (1 - exp(-(o.b - o.a + 1) / getvariable('tau')))))::int as d0,
        u2(61, o.mk, o.j) as ushift, u2(62, o.mk, o.j) as utime, u2(63, o.mk, o.j) as ua,
        u2(64, o.mk, o.j) as ub, u2(65, o.mk, o.j) as ustatus, u2(66, o.mk, o.j) as ucat
    from o
), shifted as (
    select a.*,
        case
            when month(a.d0) = 11 and day(a.d0) between 1 and 20 and a.ushift < 0.09
                and make_date(year(a.d0), 11, 11) between a.a and a.b then make_date(year(a.d0), 11, 11)
            when a.ushift < 0.5 and is_cny(a.d0) and a.d0 + 15 <= a.b then a.d0 + 15
            else a.d0 end as day
    from aged as a
)
select
    'O' || lpad(s.ok::varchar, 9, '0') as order_id,
    s.member_id,
    s.day + to_seconds(floor(8 * 3600 + s.utime * 15 * 3600)::bigint) as ordered_at,
    round(exp(4.2 + 0.75 * gauss(s.ua, s.ub)), 2)::decimal(12, 2) as amount,
    case when s.ustatus < 0.93 then 'paid' when s.ustatus < 0.97 then 'refunded' else 'cancelled' end as status,
    case when s.ucat < 0.05 then null
        else getvariable('categories')[1 + floor((s.ucat - 0.05) / 0.95 * 8)::int] end as category
from shifted as s
order by s.ok
"""

STATIONS_OUT = """
select station_id, city || '驿站' || right(station_id, 4) || '号' as name, war_zone, team, owner, province, city,
    signed_on, opened_on, closed_on
from stations_gen order by station_id
"""
MEMBERS_OUT = """
select member_id, station_id, joined_on, tier, fee, channel, referrer_id, refunded_on, phone
from members order by mk
"""


def _order_chunks(con, chunk: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges of the orders' running count (order_plan.offset_n), cut between members, each holding
    about `chunk` orders (a member's orders are never split): the files ORDERS_SELECT_SQL writes one by one."""
    total = con.execute("select coalesce(sum(n), 0) from order_plan").fetchone()[0]
    if total <= chunk:
        return [(0, total + 1)]
    cuts = [r[0] for r in con.execute(
        "select min(offset_n) from order_plan group by offset_n // ? order by 1", [chunk]).fetchall()]
    return list(zip(cuts, cuts[1:] + [total + 1]))


def _write(con, sql: str, path: Path, fmt: str) -> None:
    opts = ("(format parquet, compression zstd, row_group_size 1000000)" if fmt == "parquet"
            else "(header, delimiter ',')")
    con.execute(f"copy ({sql}) to '{_sql_path(path)}' {opts}")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _targets(con, org: dict, seed: int) -> list[tuple]:
    """targets.csv rows: person targets from each person's actuals with a plausible miss or beat, summed up the tree."""
    month_now = month_of(AS_OF)
    days_in_now = ((AS_OF.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day
    elapsed_now = AS_OF.day / days_in_now
    rows = con.execute("""
        with st as (
            select strftime(opened_on, '%Y-%m') as month, person_true as node, count(*) as n
            from stations_gen where opened_on is not null group by all
        ), mb as (
            select strftime(m.joined_on, '%Y-%m') as month, s.person_true as node, count(*) as n
            from members as m join stations_gen as s using (station_id)
            where m.refunded_on is null or m.refunded_on > least(last_day(m.joined_on), getvariable('as_of'))
            group by all
        ), ct as (
            select strftime(m.joined_on, '%Y-%m') as month, coalesce(c.center, '') as node, count(*) as n
            from members as m left join center_channels as c using (channel)
            where m.refunded_on is null or m.refunded_on > least(last_day(m.joined_on), getvariable('as_of'))
            group by all
        )
        select 'person' as level, month, node, 'stations' as metric, n from st
        union all select 'person', month, node, 'members', n from mb
        union all select 'center', month, node, 'members', n from ct where node <> ''
    """).fetchall()
    actual = {(lvl, m, node, metric): n for lvl, m, node, metric, n in rows}
    months = sorted({m for _, m, _, _ in actual})
    rng = random.Random(seed + 2)
    zone_of = {}
    team_people: dict[str, list[str]] = {}
    for zone in org["war_zones"]:
        for team in zone["teams"]:
            team_people[team["id"]] = [p["id"] for p in team["people"]]
            for p in team["people"]:
                zone_of[p["id"]] = zone["id"]
    people = [p for ps in team_people.values() for p in ps]
    far = rng.sample([p for p in people if zone_of[p] != SLUMP], 4)  # two far behind, two far ahead this month
    out: list[tuple] = []
    for month in months:
        current = month == month_now
        person_t: dict[tuple[str, str], int] = {}
        for metric in GOAL_METRICS:
            for p in people:
                base = actual.get(("person", month, p, metric), 0)
                if current:
                    base = base / elapsed_now * (1 / 0.55 if zone_of[p] == SLUMP else 1)
                attainment = rng.uniform(0.82, 1.18)
                if current and p in far:
                    attainment = 0.45 if far.index(p) < 2 else 1.7
                person_t[(p, metric)] = round(base / attainment)
        for metric in GOAL_METRICS:
            zone_t: dict[str, int] = {}
            for zone in org["war_zones"]:
                zsum = 0
                for team in zone["teams"]:
                    tsum = 0
                    for p in team_people[team["id"]]:
                        v = person_t[(p, metric)]
                        tsum += v
                        if v > 0:
                            out.append((month, "person", p, metric, v))
                    zsum += tsum
                    if tsum > 0:
                        out.append((month, "team", team["id"], metric, tsum))
                zone_t[zone["id"]] = zsum
                if zsum > 0:
                    out.append((month, "war_zone", zone["id"], metric, zsum))
            company = sum(zone_t.values())
            if month == "2026-09":  # HQ raised the company target after the split: war zones do not add up
                company = round(company * 1.06) + 1
            if company > 0:
                out.append((month, "company", "company", metric, company))
        for center in org["centers"]:
            base = actual.get(("center", month, center["id"], "members"), 0)
            if current:
                base = base / elapsed_now
            v = round(base / rng.uniform(0.85, 1.15))
            if v > 0:
                out.append((month, "center", center["id"], "members", v))
    level_order = {"company": 0, "war_zone": 1, "team": 2, "person": 3, "center": 4}
    out.sort(key=lambda r: (r[0], level_order[r[1]], r[2], r[3]))
    return out


def _dump_yaml(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)


def generate(size: str = "small", seed: int = 7, out: Path | str = "data", fmt: str = "parquet",
             progress: Progress | None = None, raw: Path | None = None,
             config: Path | None = None, order_chunk: int = ORDER_CHUNK) -> dict[str, Path]:
    """Writes the sample's raw tables to `raw` (default `out/raw/`) and its plan to `config` (default
    `out/config/`); returns the files written. Orders go in files of about `order_chunk` each when there are more
    (ORDER_CHUNK)."""
    if size not in SIZES:
        raise NorthstarError("sample_size", size=size, sizes=", ".join(SIZES))
    if fmt not in ("parquet", "csv"):
        raise NorthstarError("sample_format", fmt=fmt)
    progress = progress or Progress(total=5)
    spec = SIZES[size]
    out = Path(out)
    raw = Path(raw) if raw else out / "raw"
    config = Path(config) if config else out / "config"
    raw.mkdir(parents=True, exist_ok=True)
    config.mkdir(parents=True, exist_ok=True)
    org = build_org(seed)
    written: dict[str, Path] = {}
    con = duckdb.connect()
    try:
        con.execute("set preserve_insertion_order = true")
        _generate(con, spec, org, seed, progress)
        con.execute("create table center_channels(channel varchar, center varchar)")
        con.executemany("insert into center_channels values (?, ?)",
                        [(ch, c["id"]) for c in org["centers"] for ch in c["channels"]])
        ext = "parquet" if fmt == "parquet" else "csv"
        with progress.step("writing stations and members"):
            for name, sql in (("stations", STATIONS_OUT), ("members", MEMBERS_OUT)):
                written[name] = raw / f"{name}.{ext}"
                _write(con, sql, written[name], fmt)
        with progress.step(f"orders (≈{spec.orders:,})"):
            con.execute("set variable tau = ?", [ORDER_DECAY_DAYS])
            con.execute("set variable n_orders = ?", [spec.orders])
            con.execute("set variable categories = ?::varchar[]", [CATEGORIES])
            con.execute(ORDERS_PLAN_SQL)
            chunks = _order_chunks(con, order_chunk)
            for i, (lo, hi) in enumerate(chunks, start=1):
                con.execute("set variable chunk_lo = ?", [lo])
                con.execute("set variable chunk_hi = ?", [hi])
                name = "orders" if len(chunks) == 1 else f"orders-{i:02d}"
                written[name] = raw / f"{name}.{ext}"
                if len(chunks) > 1:
                    progress.note(f"orders, file {i} of {len(chunks)}")
                _write(con, ORDERS_SELECT_SQL, written[name], fmt)
        with progress.step("plan: org.yaml, goals.yaml, targets.csv, access.yaml, channels.yaml"):
            targets = _targets(con, org, seed)
    finally:
        con.close()
    for path in raw.iterdir():  # an earlier sample in the other format or other order files would be read twice
        ours = path.stem in ("stations", "members", "orders") or re.fullmatch(r"orders-\d\d", path.stem)
        if path.is_file() and ours and path not in written.values():
            path.unlink()
    (config / "org.yaml").write_text("# The sample company's organisation (generated by `python -m "
                                     "pipelines sample`).\n"
                                     + _dump_yaml(org), encoding="utf-8")
    (config / "goals.yaml").write_text("# North star, status thresholds, key actions (generated sample).\n"
                                       + _dump_yaml(goals_doc()), encoding="utf-8")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["month", "level", "node_id", "metric", "target"])
    w.writerows(targets)
    (config / "targets.csv").write_text(buf.getvalue(), encoding="utf-8")
    (config / "access.yaml").write_text(access_yaml(), encoding="utf-8")
    (config / "channels.yaml").write_text(channels_yaml(), encoding="utf-8")
    written.update(org=config / "org.yaml", goals=config / "goals.yaml", targets=config / "targets.csv",
                   access=config / "access.yaml", channels=config / "channels.yaml")
    # The data was "extracted" on AS_OF: a build without --as-of takes that date, and the pages call the data the
    # sample's rather than days old (importing one's own files removes the mark).
    (raw / SAMPLE_MARK).write_text(json.dumps({"as_of": AS_OF.isoformat(), "size": size, "seed": seed}) + "\n",
                                   encoding="utf-8")
    written["sample_mark"] = raw / SAMPLE_MARK
    return written
