-- zh: 每个会员的驿站、每笔订单的会员都已载入
-- en: Every member's station and every order's member is loaded
-- (An incremental refresh checks its new and changed rows: the others passed, and no id is ever taken out.)
select 'members' as table_name, m.member_id as id, m.station_id as missing from members as m
anti join stations as s using (station_id)
where not refreshing() or run_row(m._file_id, m._line)
union all
select 'orders', o.order_id, o.member_id from orders as o anti join members as m using (member_id)
where not refreshing() or run_row(o._file_id, o._line)
