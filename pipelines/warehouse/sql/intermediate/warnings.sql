-- Data-quality warnings: references the org does not know. The rows are loaded under `unassigned`.
create or replace table warnings as
with station_refs as (
    select s.war_zone, s.team, s.owner, n.war_zone as zone_node, n.team as team_node, n.person as person_node
    from stations as s join station_nodes as n using (station_id)
),

unknown as (
    select 'stations' as table_name, 'war_zone' as field, coalesce(war_zone, '') as value, zone_node as attributed_to, count(*) as rows
    from station_refs where zone_node like '%/unassigned' group by all
    union all
    select 'stations', 'team', coalesce(team, ''), team_node, count(*)
    from station_refs where zone_node not like '%/unassigned' and team_node like '%/unassigned' group by all
    union all
    select 'stations', 'owner', coalesce(owner, ''), person_node, count(*)
    from station_refs where team_node not like '%/unassigned' and person_node like '%/unassigned' group by all
    union all
    select 'members', 'channel', n.channel, n.center, count(*)
    from member_nodes as n where n.center = 'centers/unassigned' group by all
)

select
    table_name,
    field,
    value,
    attributed_to,
    rows,
    format('{} "{}" is not in org.yaml: {} {} counted under {}. Add it to org.yaml, or correct the {} in the data.',
        field, value, rows, case when rows = 1 then rtrim(table_name, 's') else table_name end,   -- 1 station
        attributed_to, field) as message,
from unknown
order by table_name, field, rows desc, value
