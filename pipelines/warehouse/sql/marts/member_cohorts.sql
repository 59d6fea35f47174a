-- Member cohorts as of the data's last date D (issue 7, docs/admin-guide.md "Cohorts: `cohorts`"):
-- a cohort is the members who joined in a calendar month and are not refunded as of D; month index k = 0 is the
-- joining month; a member is active in month k with at least one paid order in calendar month (cohort month + k),
-- and active on or after k with one in month k or any later month up to D. Orders before the joining month do
-- not count. Dimensions are never null ('' when unknown) so that groups join and compare plainly.

-- One row per cohort member: where they belong, their last active month index and their paid totals up to D.
-- Sorted by calendar month: a month's rows sit together (the drill-down reads one month's row groups). Months from
-- `since`'s on are (re)computed (see daily_node_facts.sql): an order only changes its own month's row.
create table if not exists member_activity (
    member_id varchar, month date, month_index integer, orders bigint, gmv decimal(18, 2)
);

delete from member_activity where month >= date_trunc('month', getvariable('since'));

insert into member_activity
select
    o.member_id,
    date_trunc('month', o.ordered_at)::date as month,
    datediff('month', date_trunc('month', m.joined_on), date_trunc('month', o.ordered_at))::integer as month_index,
    count(*)::bigint as orders,
    sum(o.amount)::decimal(18, 2) as gmv,
from orders as o
join members as m using (member_id)
where o.status = 'paid'
  and o.ordered_at >= date_trunc('month', getvariable('since'))
  and o.ordered_at::date <= getvariable('last_date')
  and m.refunded_on is null
  and date_trunc('month', o.ordered_at) >= date_trunc('month', m.joined_on)
group by all
order by month, member_id;

create or replace table cohort_members as
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
    a.last_active_index,
    coalesce(a.orders, 0)::bigint as orders,
    coalesce(a.gmv, 0)::decimal(18, 2) as gmv,
from members as m
join member_nodes as n using (member_id)
left join stations as s using (station_id)
left join (
    select member_id, max(month_index) as last_active_index, sum(orders) as orders, sum(gmv) as gmv
    from member_activity group by member_id
) as a using (member_id)
where m.refunded_on is null
  and m.joined_on <= getvariable('last_date')
order by cohort_month, member_id;   -- a cohort's members sit together: the drill-down reads one cohort's row groups

-- The mart the page and the CLI read: per cohort month × group × month index (every index up to D's month, so a
-- cohort with nobody active still has its row), the cohort size, active, active on or after, and paid GMV.
create or replace table member_cohorts as
with grp as (
    select cohort_month, war_zone, team, center, channel, tier, province, count(*)::bigint as cohort_size
    from cohort_members
    group by all
),

idx as (
    select g.*, k.month_index
    from grp as g,
        lateral (select unnest(range(0, datediff('month', g.cohort_month,
                                                  date_trunc('month', getvariable('last_date')::date)) + 1))::integer
                 as month_index) as k
),

act as (
    select c.cohort_month, c.war_zone, c.team, c.center, c.channel, c.tier, c.province, a.month_index,
           count(*)::bigint as active, sum(a.gmv)::decimal(18, 2) as gmv
    from member_activity as a
    join cohort_members as c using (member_id)
    group by all
),

last_seen as (
    select cohort_month, war_zone, team, center, channel, tier, province, last_active_index, count(*)::bigint as n
    from cohort_members
    where last_active_index is not null
    group by all
),

after as (
    select i.cohort_month, i.war_zone, i.team, i.center, i.channel, i.tier, i.province, i.month_index,
           sum(l.n)::bigint as active_or_after
    from idx as i
    join last_seen as l
      on l.cohort_month = i.cohort_month and l.war_zone = i.war_zone and l.team = i.team and l.center = i.center
     and l.channel = i.channel and l.tier = i.tier and l.province = i.province
     and l.last_active_index >= i.month_index
    group by all
)

select
    i.cohort_month, i.war_zone, i.team, i.center, i.channel, i.tier, i.province, i.month_index, i.cohort_size,
    coalesce(a.active, 0)::bigint as active,
    coalesce(f.active_or_after, 0)::bigint as active_or_after,
    coalesce(a.gmv, 0)::decimal(18, 2) as gmv,
from idx as i
left join act as a using (cohort_month, war_zone, team, center, channel, tier, province, month_index)
left join after as f using (cohort_month, war_zone, team, center, channel, tier, province, month_index)
order by cohort_month, war_zone, team, center, channel, tier, province, month_index;

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
    select m.station_id, greatest(date_trunc('month', m.joined_on)::date, st.cohort_month) as month,
           count(*)::bigint as members
    from members as m
    join st using (station_id)
    where m.refunded_on is null and m.joined_on <= getvariable('last_date')
    group by all
),

paid as (         -- member_activity holds the same paid orders (members not refunded, up to D) by month
    select m.station_id, a.month, sum(a.gmv)::decimal(18, 2) as gmv
    from member_activity as a
    join members as m using (member_id)
    group by all
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
