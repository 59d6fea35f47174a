-- Each member's nodes: its station's war zone, team and owner, and the center that owns its channel
-- (centers/unassigned when no center owns it). A full build writes every member; an incremental refresh adds this
-- run's members (an earlier member's station and channel are as they were: the org and earlier rows are unchanged).
create table if not exists member_nodes (
    member_id varchar, war_zone varchar, team varchar, person varchar, center varchar, channel varchar
);

insert into member_nodes
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
where not getvariable('incremental') or m._file_id in (select file_id from fresh_files)
order by m.member_id
