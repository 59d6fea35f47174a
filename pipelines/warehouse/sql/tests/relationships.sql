-- zh: 每个会员的驿站、每笔订单的会员都已载入
-- en: Every member's station and every order's member is loaded
-- (An incremental refresh checks its new rows: earlier members and orders passed, and no row is ever removed.)
select 'members' as table_name, m.member_id as id, m.station_id as missing from members as m
anti join stations as s using (station_id)
where not refreshing() or fresh_file(m._file_id)
union all
select 'orders', o.order_id, o.member_id from orders as o anti join members as m using (member_id)
where not refreshing() or fresh_file(o._file_id)
