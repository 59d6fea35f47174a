-- Growth marts as of the data's last date D (the Growth page; docs/user-guide.md "The Growth page").

-- Member lifecycle per calendar month and war zone, PostHog's definitions over paid orders (members not refunded):
-- new = active this month for the first time; returning = active this month and last month; resurrecting =
-- active this month, not last month, but some month before; dormant = active last month, not this month (counted
-- in the month they went quiet, shown as a negative).
-- Months from `since`'s on are (re)computed: a month's states need only the month before (its activity) and each
-- member's first active month (cohort_members), so the months from S − 1 on are read, not every member's history.
create table if not exists member_lifecycle (month date, war_zone varchar, state varchar, members bigint);

delete from member_lifecycle where month >= date_trunc('month', getvariable('since'));

insert into member_lifecycle
with active as (
    select a.member_id, c.war_zone, a.month,
           (c.cohort_month + to_months(c.first_active_index))::date as first_month
    from member_activity as a
    join cohort_members as c using (member_id)
    where a.month >= date_trunc('month', getvariable('since')) - interval 1 month
),

seq as (
    select *, lag(month) over w as prev_month, lead(month) over w as next_month
    from active
    window w as (partition by member_id order by month)
),

states as (
    select month, war_zone,
           case when month = first_month then 'new'
                when prev_month = (month - to_months(1))::date then 'returning'
                else 'resurrecting' end as state
    from seq
    union all
    select (month + to_months(1))::date as month, war_zone, 'dormant' as state
    from seq
    where (next_month is null or next_month > (month + to_months(1))::date)
      and (month + to_months(1))::date <= date_trunc('month', getvariable('last_date')::date)
)

select month, war_zone, state, count(*)::bigint as members
from states
where month >= date_trunc('month', getvariable('since'))
group by all
order by month, war_zone, state;

-- Referral chains: each member's depth (0 for a member nobody referred, or whose referrer is not a member), with
-- the referrer and the referrer's joining month (the cohort a referral is credited to). An incremental refresh
-- adds this run's members, their depth from their referrer's (an earlier member's, or one of this run's): the
-- earlier rows stay, unless an earlier member names one of this run's as referrer (the referrer came later), when
-- every chain is walked again.
set variable referral_all = not getvariable('incremental') or exists (
    select 1 from members as m
    where m.member_id not in (select member_id from new_members)
      and m.referrer_id in (select member_id from new_members)
);

create table if not exists referral_depth (
    member_id varchar, referrer_id varchar, joined_on date, referrer_cohort date, depth integer
);

delete from referral_depth where getvariable('referral_all');

insert into referral_depth
with recursive edges as (
    select m.member_id, m.referrer_id, m.joined_on
    from members as m
    where getvariable('referral_all') or m.member_id in (select member_id from new_members)
),

chain(member_id, depth) as (
    select e.member_id, 0
    from edges as e
    where e.referrer_id is null or e.referrer_id = '' or e.referrer_id not in (select member_id from members)
    union all
    select e.member_id, r.depth + 1       -- an earlier member's chain, kept (none when every chain is walked)
    from edges as e
    join referral_depth as r on e.referrer_id = r.member_id
    where r.depth < 50
    union all
    select e.member_id, c.depth + 1
    from edges as e
    join chain as c on e.referrer_id = c.member_id
    where c.depth < 50
)

select e.member_id, nullif(e.referrer_id, '') as referrer_id, e.joined_on,
       date_trunc('month', r.joined_on)::date as referrer_cohort, min(c.depth) as depth
from edges as e
left join chain as c using (member_id)
left join members as r on r.member_id = e.referrer_id
group by all;

-- The referral network's small aggregates, so the Growth page never scans every member: per joining month the
-- new members and those who came by referral; per referrer cohort the referrals credited and the referrers; the
-- depth distribution; the 20 members who referred the most.
create or replace table referral_monthly as
select date_trunc('month', joined_on)::date as month, count(*)::bigint as new_members,
       count(referrer_id)::bigint as referred
from referral_depth group by 1 order by 1;

create or replace table referral_cohorts as
with size as (select date_trunc('month', joined_on)::date as m, count(*)::bigint as n from members group by 1),
     credit as (select referrer_cohort as m, count(*)::bigint as r, count(distinct referrer_id)::bigint as p
                from referral_depth where referrer_cohort is not null group by 1)
select size.m as cohort_month, size.n as cohort_size, coalesce(credit.r, 0)::bigint as referrals,
       coalesce(credit.p, 0)::bigint as referrers
from size left join credit using (m) order by 1;

create or replace table referral_depths as
select depth, count(*)::bigint as members from referral_depth group by 1 order by 1 nulls last;

-- Referrals per referrer, kept so that the top 20 never count every member's referrer again: an incremental
-- refresh adds its new members' referrals to their referrers' counts (all counted again when every chain is).
create table if not exists referrer_counts (referrer_id varchar, referrals bigint);

create or replace temp table referrer_next as
with added as (
    select referrer_id, count(*)::bigint as n
    from referral_depth
    where referrer_id is not null
      and (getvariable('referral_all')
           or member_id in (select member_id from new_members))
    group by all
)
select a.referrer_id, (a.n + coalesce(c.referrals, 0))::bigint as referrals
from added as a
left join referrer_counts as c on c.referrer_id = a.referrer_id and not getvariable('referral_all');

delete from referrer_counts
where getvariable('referral_all') or referrer_id in (select referrer_id from referrer_next);

insert into referrer_counts select * from referrer_next order by referrer_id;

create or replace table referral_top as
select c.referrer_id, c.referrals, m.station_id, coalesce(mn.war_zone, '') as war_zone, m.phone,
    s.name as station_name
from referrer_counts as c
join members as m on m.member_id = c.referrer_id
left join member_nodes as mn on mn.member_id = c.referrer_id
left join stations as s on s.station_id = m.station_id
order by c.referrals desc, c.referrer_id limit 20;

-- Flows and stocks per month × war zone (the Growth page's first chart): new / closed stations, active stations
-- at the month's end (at D in D's month), new / refunded members and members served at the month's end. Stocks are
-- running sums of the flows: a station closes, and a member is refunded, only after it opened or joined.
create or replace table growth_flows as
with st as (
    select s.opened_on, s.closed_on, n.war_zone
    from stations as s join station_nodes as n using (station_id)
    where s.opened_on is not null
),

months as (
    select unnest(range(date_trunc('month', (select min(d) from (
                            select min(opened_on) as d from stations union all select min(joined_on) from members))),
                        date_trunc('month', getvariable('last_date')::date) + interval 1 month,
                        interval 1 month))::date as month
),

zones as (
    select distinct war_zone from station_nodes union select distinct war_zone from member_nodes
),

events as (
    select date_trunc('month', opened_on)::date as month, war_zone, 1 as new_st, 0 as closed_st, 0 as new_m, 0 as refunded_m
    from st
    union all
    select date_trunc('month', closed_on)::date, war_zone, 0, 1, 0, 0 from st where closed_on is not null
    union all
    select date_trunc('month', joined_on)::date, war_zone, 0, 0, members, 0 from member_joins
    union all
    select date_trunc('month', refunded_on)::date, war_zone, 0, 0, 0, members from member_joins where refunded_on is not null
),

per_month as (
    select month, war_zone, sum(new_st) as new_st, sum(closed_st) as closed_st, sum(new_m) as new_m,
           sum(refunded_m) as refunded_m
    from events group by all
),

grid as (
    select m.month, z.war_zone, coalesce(p.new_st, 0) as new_st, coalesce(p.closed_st, 0) as closed_st,
           coalesce(p.new_m, 0) as new_m, coalesce(p.refunded_m, 0) as refunded_m
    from months as m
    cross join zones as z
    left join per_month as p using (month, war_zone)
)

select
    month,
    war_zone,
    new_st::bigint as new_stations,
    closed_st::bigint as closed_stations,
    (sum(new_st - closed_st) over w)::bigint as active_stations,
    new_m::bigint as new_members,
    refunded_m::bigint as refunded_members,
    (sum(new_m - refunded_m) over w)::bigint as members_served,
from grid
window w as (partition by war_zone order by month)
order by month, war_zone;
