-- Each member's nodes: its station's war zone, team and owner, and the center that owns its channel
-- (centers/unassigned when no center owns it). A full build writes every member; an incremental refresh adds the
-- members it loads for the first time (an earlier member's station and channel cannot change in one: the org is
-- the same, and a changed row that moves a member makes it a full build, core/changes.sql).
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
where not getvariable('incremental') or m.member_id in (select member_id from new_members)
order by m.member_id
