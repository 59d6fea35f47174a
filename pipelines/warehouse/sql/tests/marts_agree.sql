-- zh: 各汇总表的总数一致：入会、未退款会员（同期群）、在营驿站与已载入的明细相同
-- en: The marts agree on the totals: members joined, unrefunded members (cohorts) and open stations equal the loaded rows
with counts as (
    select
        (select count(*) from members) as members_loaded,
        (select coalesce(sum(members_joined), 0) from daily_node_facts) as members_in_daily_facts,
        (select coalesce(sum(members), 0) from member_joins) as members_in_member_joins,
        (select count(*) from members where refunded_on is null) as members_unrefunded,
        (select count(*) from cohort_members) as members_in_cohorts,
        (select count(opened_on) - count(closed_on) from stations) as stations_open,
        (select coalesce(max_by(active_stations, date), 0) from daily_network) as stations_open_in_daily_network
)
select * from counts
where members_in_daily_facts <> members_loaded or members_in_member_joins <> members_loaded
    or members_in_cohorts <> members_unrefunded or stations_open_in_daily_network <> stations_open
