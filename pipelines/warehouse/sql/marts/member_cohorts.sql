-- Member cohorts as of the data's last date D (issue 7, docs/admin-guide.md "Cohorts: `cohorts`"):
-- a cohort is the members who joined in a calendar month and are not refunded as of D; month index k = 0 is the
-- joining month; a member is active in month k with at least one paid order in calendar month (cohort month + k),
-- and active on or after k with one in month k or any later month up to D. Orders before the joining month do
-- not count. Dimensions are never null ('' when unknown) so that groups join and compare plainly.

-- The tables an incremental refresh updates in place, and what its touched members (core/dates.sql) held in them
-- before it: member_cohorts is the old cells plus what those members add, less what they took (a full build starts
-- from empty tables, every member added).
create table if not exists cohort_members (
    member_id varchar, station_id varchar, joined_on date, cohort_month date, war_zone varchar, team varchar,
    center varchar, channel varchar, tier varchar, province varchar, phone varchar, first_active_index integer,
    last_active_index integer, orders bigint, gmv decimal(18, 2)
);

create table if not exists member_activity (
    member_id varchar, month date, month_index integer, orders bigint, gmv decimal(18, 2)
);

create table if not exists member_cohorts (
    cohort_month date, war_zone varchar, team varchar, center varchar, channel varchar, tier varchar,
    province varchar, month_index integer, cohort_size bigint, active bigint, active_or_after bigint,
    gmv decimal(18, 2)
);

create or replace temp table cohort_before as
select * from cohort_members
where getvariable('incremental') and member_id in (select member_id from touched_members);

create or replace temp table activity_before as
select * from member_activity
where getvariable('incremental') and member_id in (select member_id from touched_members);

-- One row per member and calendar month with a paid order (members not refunded, orders up to D).
-- Sorted by calendar month: a month's rows sit together (the drill-down reads one month's row groups). Months from
-- `since`'s on are (re)computed (see daily_node_facts.sql): an order only changes its own month's row, and only
-- for its member (an incremental refresh recomputes its touched members' rows).
delete from member_activity
where month >= date_trunc('month', getvariable('since'))
  and (not getvariable('incremental') or member_id in (select member_id from touched_members));

insert into member_activity
select
    o.member_id,
    date_trunc('month', o.ordered_at)::date as month,
    datediff('month', date_trunc('month', m.joined_on), date_trunc('month', o.ordered_at))::integer as month_index,
    count(*)::bigint as orders,
    sum(o.amount)::decimal(18, 2) as gmv,
from orders as o
join (select * from members
      where not getvariable('incremental') or member_id in (select member_id from touched_members)) as m
    using (member_id)
where o.status = 'paid'
  and o.ordered_at >= date_trunc('month', getvariable('since'))
  and o.ordered_at::date <= getvariable('last_date')
  and m.refunded_on is null
  and date_trunc('month', o.ordered_at) >= date_trunc('month', m.joined_on)
group by all
order by month, member_id;

-- One row per member not refunded as of D. A full build writes every member; an incremental refresh deletes and
-- writes again only the members it touched (core/dates.sql `touched_members`), whose activity or row is new.
delete from cohort_members
where getvariable('incremental') and member_id in (select member_id from touched_members);

insert into cohort_members
select
    m.member_id,
    m.station_id,
    m.joined_on,
    date_trunc('month', m.joined_on)::date as cohort_month,
    coalesce(n.war_zone, '') as war_zone,
    coalesce(n.team, '') as team,
    coalesce(n.center, '') as center,
    coalesce(n.channel, '') as channel,
    coalesce(m.tier, '') as tier,
    coalesce(s.province, '') as province,
    m.phone,
    a.first_active_index,
    a.last_active_index,
    coalesce(a.orders, 0)::bigint as orders,
    coalesce(a.gmv, 0)::decimal(18, 2) as gmv,
from (select * from members
      where not getvariable('incremental') or member_id in (select member_id from touched_members)) as m
join member_nodes as n using (member_id)
left join stations as s using (station_id)
left join (
    select member_id, min(month_index) as first_active_index, max(month_index) as last_active_index,
           sum(orders) as orders, sum(gmv) as gmv
    from member_activity
    where not getvariable('incremental') or member_id in (select member_id from touched_members)
    group by member_id
) as a using (member_id)
where m.refunded_on is null
  and m.joined_on <= getvariable('last_date')
order by cohort_month, member_id;   -- a cohort's members sit together: the drill-down reads one cohort's row groups

-- The mart the page and the CLI read: per cohort month × group × month index (every index up to D's month, so a
-- cohort with nobody active still has its row), the cohort size, active, active on or after, and paid GMV. Each
-- is a count or sum over members, so it is the old cell plus the touched members' rows after, less theirs before
-- (a full build: every member's rows after, nothing before). A member is active on or after k for every k up to
-- its last active index: counted per (group, last index) first, then spread over the indices.
create or replace temp table cohort_sides as
select *, 1 as sign from cohort_members
where not getvariable('incremental') or member_id in (select member_id from touched_members)
union all
select *, -1 from cohort_before;

create or replace temp view activity_sides as
select a.*, 1 as sign from member_activity as a
where not getvariable('incremental') or member_id in (select member_id from touched_members)
union all
select *, -1 from activity_before;

create or replace temp table cohort_next as
with sizes as (
    select cohort_month, war_zone, team, center, channel, tier, province, sum(n)::bigint as cohort_size
    from (select cohort_month, war_zone, team, center, channel, tier, province, max(cohort_size) as n
          from member_cohorts group by all
          union all
          select cohort_month, war_zone, team, center, channel, tier, province, sum(sign) from cohort_sides
          group by all)
    group by all
    having sum(n) > 0
),

idx as (
    select g.*, k.month_index
    from sizes as g,
        lateral (select unnest(range(0, datediff('month', g.cohort_month,
                                                  date_trunc('month', getvariable('last_date')::date)) + 1))::integer
                 as month_index) as k
),

last_seen as (
    select cohort_month, war_zone, team, center, channel, tier, province, last_active_index, sum(sign) as n
    from cohort_sides
    where last_active_index is not null
    group by all
    having sum(sign) <> 0
),

cells as (
    select cohort_month, war_zone, team, center, channel, tier, province, month_index, active, active_or_after,
           gmv
    from member_cohorts
    union all
    select c.cohort_month, c.war_zone, c.team, c.center, c.channel, c.tier, c.province, a.month_index,
           a.sign, 0, a.sign * a.gmv
    from activity_sides as a
    join cohort_sides as c on c.member_id = a.member_id and c.sign = a.sign
    union all
    select l.cohort_month, l.war_zone, l.team, l.center, l.channel, l.tier, l.province, k.month_index, 0, l.n, 0
    from last_seen as l,
        lateral (select unnest(range(0, l.last_active_index + 1))::integer as month_index) as k
),

summed as (
    select cohort_month, war_zone, team, center, channel, tier, province, month_index,
           sum(active) as active, sum(active_or_after) as active_or_after, sum(gmv) as gmv
    from cells
    group by all
)

select
    i.cohort_month, i.war_zone, i.team, i.center, i.channel, i.tier, i.province, i.month_index, i.cohort_size,
    coalesce(s.active, 0)::bigint as active,
    coalesce(s.active_or_after, 0)::bigint as active_or_after,
    coalesce(s.gmv, 0)::decimal(18, 2) as gmv,
from idx as i
left join summed as s using (cohort_month, war_zone, team, center, channel, tier, province, month_index);

create or replace table member_cohorts as
select * from cohort_next
order by cohort_month, war_zone, team, center, channel, tier, province, month_index;

-- Per station and calendar month: the members who joined then (cohort members: not refunded, up to D) and the
-- paid GMV of the station's cohort members in that month; kept like member_cohorts (old rows plus the touched
-- members' after, less their before), so station cohorts never scan every member and every month's activity.
create table if not exists station_months (station_id varchar, month date, members bigint, gmv decimal(18, 2));

create or replace temp table station_months_next as
select station_id, month, sum(members)::bigint as members, sum(gmv)::decimal(18, 2) as gmv
from (
    select station_id, month, members, gmv from station_months
    union all
    select station_id, cohort_month, sign, 0 from cohort_sides
    union all
    select c.station_id, a.month, 0, a.sign * a.gmv
    from activity_sides as a
    join cohort_sides as c on c.member_id = a.member_id and c.sign = a.sign
)
group by all
having sum(members) <> 0 or sum(gmv) <> 0;

create or replace table station_months as select * from station_months_next order by station_id, month;

-- Station cohorts: the stations opened in a calendar month; at age k (k = 0 the opening month), how many are still
-- open at the end of that month (or at D in D's month), the members they acquired by then (joined at those
-- stations, not refunded as of D), and the paid GMV of those members' orders in that month.
create or replace table station_cohorts as
with st as (
    select s.station_id, date_trunc('month', s.opened_on)::date as cohort_month, s.closed_on,
           coalesce(n.war_zone, '') as war_zone, coalesce(n.team, '') as team, coalesce(s.province, '') as province
    from stations as s
    join station_nodes as n using (station_id)
    where s.opened_on is not null and s.opened_on <= getvariable('last_date')
),

ages as (
    select st.*, k.age,
           least(last_day(st.cohort_month + to_months(k.age)), getvariable('last_date')::date) as age_end,
           (st.cohort_month + to_months(k.age))::date as age_month
    from st,
        lateral (select unnest(range(0, datediff('month', st.cohort_month,
                                                  date_trunc('month', getvariable('last_date')::date)) + 1))::integer
                 as age) as k
),

joins as (      -- a member who joined before the station's opening month counts from its opening month
    select sm.station_id, greatest(sm.month, st.cohort_month) as month, sum(sm.members)::bigint as members
    from station_months as sm
    join st using (station_id)
    where sm.members <> 0
    group by all
),

paid as (
    select station_id, month, gmv from station_months where gmv <> 0
),

per_station as (
    select a.cohort_month, a.war_zone, a.team, a.province, a.age,
           (a.closed_on is null or a.closed_on > a.age_end) as is_open,
           sum(coalesce(j.members, 0)) over (partition by a.station_id order by a.age) as members,
           coalesce(p.gmv, 0) as gmv,
    from ages as a
    left join joins as j on j.station_id = a.station_id and j.month = a.age_month
    left join paid as p on p.station_id = a.station_id and p.month = a.age_month
)

select cohort_month, war_zone, team, province, age,
       count(*)::bigint as stations,
       count(*) filter (where is_open)::bigint as open,
       sum(members)::bigint as members,
       sum(gmv)::decimal(18, 2) as gmv,
from per_station
group by all
order by cohort_month, war_zone, team, province, age;
