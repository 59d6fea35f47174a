-- Members counted by (joined_on, refunded_on, node, center, channel): new members of any period and members
-- served at any as-of date D are sums over this small table (a refund counts only once it happened, on or before D).
-- Rows from `since` on are (re)computed (see daily_node_facts.sql).
create table if not exists member_joins (
    joined_on date, refunded_on date, war_zone varchar, team varchar, person varchar, center varchar,
    channel varchar, members bigint
);

delete from member_joins where joined_on >= getvariable('since');

insert into member_joins
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
where m.joined_on >= getvariable('since')
group by all
order by joined_on, refunded_on nulls first, war_zone, team, person, center, channel
