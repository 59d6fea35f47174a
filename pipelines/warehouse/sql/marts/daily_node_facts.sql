-- Flows per day and node: the paths and goals that add up over days and over nodes.
-- Station measures have center = null (a station belongs to no center); member and order measures carry
-- the center that owns the member's channel. Orders and GMV count paid orders only.
-- Days from `since` on are (re)computed: every day in a full build, the days new rows touch in an incremental one.
create table if not exists daily_node_facts (
    date date, war_zone varchar, team varchar, person varchar, center varchar, new_stations integer,
    stations_closed integer, station_masters_recruited integer, members_joined bigint, members_refunded bigint,
    orders bigint, gmv decimal(18, 2)
);

delete from daily_node_facts where date >= getvariable('since');

insert into daily_node_facts
with station_events as (
    select s.opened_on as date, n.war_zone, n.team, n.person, null::varchar as center,
        1 as new_stations, 0 as stations_closed, 0 as station_masters_recruited
    from stations as s join station_nodes as n using (station_id) where s.opened_on is not null
    union all
    select s.closed_on, n.war_zone, n.team, n.person, null, 0, 1, 0
    from stations as s join station_nodes as n using (station_id) where s.closed_on is not null
    union all
    select s.signed_on, n.war_zone, n.team, n.person, null, 0, 0, 1
    from stations as s join station_nodes as n using (station_id)
),

member_events as (
    select m.joined_on as date, n.war_zone, n.team, n.person, n.center, 1 as members_joined, 0 as members_refunded
    from members as m join member_nodes as n using (member_id)
    union all
    select m.refunded_on, n.war_zone, n.team, n.person, n.center, 0, 1
    from members as m join member_nodes as n using (member_id) where m.refunded_on is not null
),

paid_orders as (
    select o.ordered_at::date as date, n.war_zone, n.team, n.person, n.center, count(*) as orders, sum(o.amount) as gmv
    from orders as o join member_nodes as n using (member_id)
    where o.status = 'paid' and o.ordered_at >= getvariable('since')
    group by all
),

unioned as (
    select date, war_zone, team, person, center, new_stations, stations_closed, station_masters_recruited,
        0 as members_joined, 0 as members_refunded, 0 as orders, 0::decimal(18, 2) as gmv
    from station_events
    union all
    select date, war_zone, team, person, center, 0, 0, 0, members_joined, members_refunded, 0, 0
    from member_events
    union all
    select date, war_zone, team, person, center, 0, 0, 0, 0, 0, orders, gmv
    from paid_orders
),

final as (
    select
        date,
        war_zone,
        team,
        person,
        center,
        sum(new_stations)::int as new_stations,
        sum(stations_closed)::int as stations_closed,
        sum(station_masters_recruited)::int as station_masters_recruited,
        sum(members_joined)::bigint as members_joined,
        sum(members_refunded)::bigint as members_refunded,
        sum(orders)::bigint as orders,
        sum(gmv)::decimal(18, 2) as gmv,
    from unioned
    group by all
)

select * from final where date >= getvariable('since') order by date, war_zone, team, person, center
