-- Members counted by (joined_on, refunded_on, node, center, channel): new members of any period and members
-- served at any as-of date D are sums over this small table (a refund counts only once it happened, on or before D).
create or replace table member_joins as
select
    m.joined_on,
    m.refunded_on,
    n.war_zone,
    n.team,
    n.person,
    n.center,
    n.channel,
    count(*)::bigint as members,
from members as m
join member_nodes as n using (member_id)
group by all
order by joined_on, refunded_on nulls first, war_zone, team, person, center, channel
