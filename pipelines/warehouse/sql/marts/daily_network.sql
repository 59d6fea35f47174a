-- The whole network per day, from the first date in the data to the last: the north star's two counts
-- (active stations, members served) and the daily flows behind them.
create or replace table daily_network as
with calendar as (
    select unnest(range(
        (select min(date) from daily_node_facts), getvariable('last_date')::date + 1, interval 1 day))::date as date
),

flows as (
    select date,
        sum(new_stations) as new_stations,
        sum(stations_closed) as stations_closed,
        sum(station_masters_recruited) as station_masters_recruited,
        sum(members_joined) as members_joined,
        sum(members_refunded) as members_refunded,
        sum(orders) as orders,
        sum(gmv) as gmv,
    from daily_node_facts group by date
),

active as (
    select date, sum(active_members) as active_members from daily_active_members group by date
),

final as (
    select
        c.date,
        sum(coalesce(f.new_stations, 0) - coalesce(f.stations_closed, 0)) over w as active_stations,
        sum(coalesce(f.members_joined, 0) - coalesce(f.members_refunded, 0)) over w as members_served,
        coalesce(a.active_members, 0) as active_members,
        coalesce(f.new_stations, 0) as new_stations,
        coalesce(f.stations_closed, 0) as stations_closed,
        coalesce(f.station_masters_recruited, 0) as station_masters_recruited,
        coalesce(f.members_joined, 0) as members_joined,
        coalesce(f.members_refunded, 0) as members_refunded,
        coalesce(f.orders, 0) as orders,
        coalesce(f.gmv, 0) as gmv,
    from calendar as c
    left join flows as f using (date)
    left join active as a using (date)
    window w as (order by c.date)
)

select
    date,
    active_stations::bigint as active_stations,
    members_served::bigint as members_served,
    active_members::bigint as active_members,
    new_stations::int as new_stations,
    stations_closed::int as stations_closed,
    station_masters_recruited::int as station_masters_recruited,
    members_joined::bigint as members_joined,
    members_refunded::bigint as members_refunded,
    orders::bigint as orders,
    gmv::decimal(18, 2) as gmv,
from final
order by date
