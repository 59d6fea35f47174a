-- zh: 驿站、会员、订单的编号各自唯一
-- en: Station, member and order ids are unique
select 'stations' as table_name, station_id as id, count(*) as copies from stations group by station_id having count(*) > 1
union all
select 'members', member_id, count(*) from members group by member_id having count(*) > 1
union all
select 'orders', order_id, count(*) from orders group by order_id having count(*) > 1
