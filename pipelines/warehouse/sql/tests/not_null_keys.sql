-- zh: 已载入的行都有编号和必填的关联与日期
-- en: Every loaded row has its id, its links and its dates
-- (An incremental refresh checks its new and changed rows: the others passed when they were loaded.)
select 'stations' as table_name, station_id as id, _line as line from stations
where station_id is null or signed_on is null
union all
select 'members', member_id, _line from members
where (not refreshing() or run_row(_file_id, _line)) and (member_id is null or station_id is null or joined_on is null)
union all
select 'orders', order_id, _line from orders
where (not refreshing() or run_row(_file_id, _line))
  and (order_id is null or member_id is null or ordered_at is null or amount is null or status is null)
