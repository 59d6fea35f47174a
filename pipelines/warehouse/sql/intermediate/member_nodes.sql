-- Each member's nodes: its station's war zone, team and owner, and the center that owns its channel
-- (centers/unassigned when no center owns it).
create or replace table member_nodes as
select
    m.member_id,
    n.war_zone,
    n.team,
    n.person,
    coalesce(c.center, 'centers/unassigned') as center,
    coalesce(m.channel, '') as channel,
from members as m
join station_nodes as n using (station_id)
left join org_channels as c on c.channel = m.channel
order by m.member_id
