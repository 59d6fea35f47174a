-- Each station's place in the war-zone tree. Unknown references go to `<parent id>/unassigned`:
-- an unknown war zone to company/unassigned, an unknown team (or a team of another zone) to <zone>/unassigned,
-- an unknown owner (or a person of another team) to <team>/unassigned.
create or replace table station_nodes as
with company as (
    select coalesce((select id from org_nodes where level = 'company'), 'company') as id
),

zones as (
    select id from org_nodes where level = 'war_zone'
),

teams as (
    select id, parent from org_nodes where level = 'team'
),

people as (
    select id, parent from org_nodes where level = 'person'
),

matched as (
    select
        s.station_id,
        s.war_zone,
        s.team,
        s.owner,
        z.id is not null as zone_known,
        t.id is not null as team_known,
        p.id is not null as person_known,
    from stations as s
    left join zones as z on z.id = s.war_zone
    left join teams as t on t.id = s.team and t.parent = s.war_zone
    left join people as p on p.id = s.owner and p.parent = s.team
),

final as (
    select
        m.station_id,
        case when m.zone_known then m.war_zone else c.id || '/unassigned' end as war_zone,
        case
            when not m.zone_known then c.id || '/unassigned'
            when not m.team_known then m.war_zone || '/unassigned'
            else m.team
        end as team,
        case
            when not m.zone_known then c.id || '/unassigned'
            when not m.team_known then m.war_zone || '/unassigned'
            when not m.person_known then m.team || '/unassigned'
            else m.owner
        end as person,
    from matched as m
    cross join company as c
)

select * from final order by station_id
