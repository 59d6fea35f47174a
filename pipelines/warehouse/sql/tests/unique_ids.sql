-- zh: 驿站、会员、订单的编号各自唯一
-- en: Station, member and order ids are unique
-- (An incremental refresh checks the ids its new and changed rows carry: the others passed when they were loaded.)
select 'stations' as table_name, station_id as id, count(*) as copies from stations group by station_id having count(*) > 1
union all
select 'members', member_id, count(*) from members
where not refreshing() or member_id in (select member_id from members where run_row(_file_id, _line))
group by member_id having count(*) > 1
union all
select 'orders', order_id, count(*) from orders
where not refreshing() or order_id in (select order_id from orders where run_row(_file_id, _line))
group by order_id having count(*) > 1
