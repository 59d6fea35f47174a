-- zh: 每个人只属于一个团队、每个团队只属于一个战区（上级的数等于下级之和的前提）
-- en: Each person is in one team and each team in one war zone (so a parent's number is the sum of its children's)
select 'person' as level, person as id, count(distinct team) as parents from daily_node_facts
where person is not null group by person having count(distinct team) > 1
union all
select 'team', team, count(distinct war_zone) from daily_node_facts
where team is not null group by team having count(distinct war_zone) > 1
