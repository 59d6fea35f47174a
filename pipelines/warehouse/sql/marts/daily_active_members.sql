-- Active members (D): distinct members with a paid order in the 30 days ending D, per day and node.
-- Each paid order day covers [day, day + 29]; a member's overlapping covers merge into spans ("islands"), and the
-- count on D is the running sum of span starts minus span ends (a span ends the day after its last day + 29). No
-- per-day distinct scan of orders.
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

edges as (        -- one sort: a paid day starts a span when the member's previous one is 30 or more days
    select member_id, day,       -- before (or there is none), and ends one when the next is (the span's end + 1)
        day - lag(day) over w as gap_before, lead(day) over w - day as gap_after
    from member_days
    window w as (partition by member_id order by day)
),

marks as (
    select member_id, day, 1 as delta from edges where gap_before is null or gap_before >= 30
    union all
    select member_id, day + 30, -1 from edges where gap_after is null or gap_after >= 30
),

deltas as (        -- each member's node looked up once
    select m.day, n.war_zone, n.team, n.person, n.center, m.delta
    from marks as m
    join member_nodes as n using (member_id)
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
