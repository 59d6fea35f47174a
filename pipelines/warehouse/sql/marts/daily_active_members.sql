-- Active members (D): distinct members with a paid order in the 30 days ending D, per day and node.
-- Each paid order day covers [day, day + 29]; a member's overlapping covers merge into spans ("islands"), and the
-- count on D is the running sum of span starts minus span ends. No per-day distinct scan of orders.
-- Days from `since` on are (re)computed (see daily_node_facts.sql): a day's count needs the paid days of the 29
-- days before it, so orders from since − 29 on are read.
create table if not exists daily_active_members (
    date date, war_zone varchar, team varchar, person varchar, center varchar, active_members bigint
);

delete from daily_active_members where date >= getvariable('since');

insert into daily_active_members
with member_days as (
    select distinct member_id, ordered_at::date as day
    from orders
    where status = 'paid' and ordered_at >= getvariable('since') - 29
),

gaps as (
    select member_id, day, day - lag(day) over (partition by member_id order by day) as gap
    from member_days
),

islands as (
    select member_id, day,
        sum(case when gap is null or gap >= 30 then 1 else 0 end) over (partition by member_id order by day) as island
    from gaps
),

spans as (
    select member_id, min(day) as start_day, max(day) + 29 as end_day
    from islands group by member_id, island
),

deltas as (
    select s.start_day as day, n.war_zone, n.team, n.person, n.center, 1 as delta
    from spans as s join member_nodes as n using (member_id)
    union all
    select s.end_day + 1, n.war_zone, n.team, n.person, n.center, -1
    from spans as s join member_nodes as n using (member_id)
),

per_day as (
    select day, war_zone, team, person, center, sum(delta) as delta from deltas group by all
),

nodes as (
    select distinct war_zone, team, person, center from per_day
),

calendar as (
    select unnest(range((select min(day) from per_day), getvariable('last_date')::date + 1, interval 1 day))::date as day
),

dense as (
    select c.day, n.war_zone, n.team, n.person, n.center, coalesce(p.delta, 0) as delta
    from calendar as c cross join nodes as n
    left join per_day as p on p.day = c.day and p.war_zone = n.war_zone and p.team = n.team
        and p.person = n.person and p.center = n.center
),

final as (
    select day as date, war_zone, team, person, center,
        sum(delta) over (partition by war_zone, team, person, center order by day)::bigint as active_members
    from dense
)

select * from final where active_members > 0 and date >= getvariable('since')
order by date, war_zone, team, person, center
