-- The orders rows core/orders.sql did not load, and the duplicates among those it did (removed here).
-- `orders_all_loaded`: every raw row of this run made it (rows read, less those the reader already rejected, against
-- the loaded count): no second pass. `orders_have_duplicates`: some order_id repeats (in an incremental refresh: within
-- the new rows, or between them and the earlier ones). Both spare a pass over every order when nothing needs it.
set variable orders_all_loaded = (
    select (select count(*) from orders where _file_id in (select file_id from fresh_files))
         = (select coalesce(sum(rows_read), 0) from sources
            where table_name = 'orders' and file_id in (select file_id from fresh_files))
         - (select count(*) from early_rejects where table_name = 'orders')
);
-- (Each branch carries its own `where` on the mode: a CASE computes both uncorrelated subqueries, and the full
-- build's distinct count over every order ran the incremental refresh out of memory at north-star scale. The
-- refresh's branch groups the rows of the ids its rows carry, new or earlier: `not in` fresh files was 4× slower.)
set variable orders_have_duplicates = (
    select
        (select count(*) from (select order_id from orders
                               where getvariable('incremental')
                                 and order_id in (select order_id from orders where run_row(_file_id, _line))
                               group by order_id having count(*) > 1))
        + (select count(*) - count(distinct order_id) from orders where not getvariable('incremental'))
        > 0
);

-- A per-row problem (staging), or a member that is unknown or joined after the order.
create or replace temp table bad_orders as
select
    o._file_id,
    o._line,
    coalesce(o.reason_code, case when m.member_id is null then 'unknown_member' else 'before_join' end) as reason_code,
    case
        when o.reason_code is not null then o.detail_code
        when m.member_id is null then 'unknown_member'
        else 'before_join'
    end as detail_code,
    case
        when o.reason_code is not null then o.detail_args
        when m.member_id is null then [o.member_id::varchar]
        else [o.ordered_at::varchar, o.member_id::varchar, m.joined_on::varchar]
    end as detail_args,
    case
        when o.reason_code is not null then o.reason
        when m.member_id is null then reject_detail('unknown_member', [o.member_id::varchar])
        else reject_detail('before_join', [o.ordered_at::varchar, o.member_id::varchar, m.joined_on::varchar])
    end as reason,
    orders_raw(o.order_id, o.member_id, o.ordered_at_text, o.amount_text, o.status_text, o.category) as raw_row,
from stg_orders as o
left join members as m on m.member_id = o.member_id
where not getvariable('orders_all_loaded')
  and (o.reason_code is not null or m.member_id is null or o.ordered_at::date < m.joined_on);

-- In an incremental refresh only the ids the new rows carry can repeat (earlier runs left the rest unique): the
-- search for duplicates looks at those ids' rows, not at every order — at north-star scale a grouping of 100M ids
-- ran the refresh out of memory.
create or replace temp view order_ids as
select order_id as id, _file_id, _line from orders
where getvariable('orders_have_duplicates')
  and (not getvariable('incremental')
       or order_id in (select order_id from orders where run_row(_file_id, _line)));

create or replace temp table dup_orders as
with ranked as (select id as order_id, _file_id, _line, first_file_id, first_line from later_rows('order_ids')),

raw_text as (      -- the rows' text as it was in the file
    select s._file_id, s._line, orders_raw(s.order_id, s.member_id, s.ordered_at_text, s.amount_text, s.status_text, s.category) as raw_row
    from stg_orders as s
    semi join (select _file_id, _line from ranked) as r using (_file_id, _line)
)

select
    r._file_id,
    r._line,
    'duplicate_id' as reason_code,
    'duplicate' as detail_code,
    ['order_id', r.order_id::varchar, f.file_name::varchar, r.first_line::varchar] as detail_args,
    reject_detail('duplicate', ['order_id', r.order_id::varchar, f.file_name::varchar, r.first_line::varchar]) as reason,
    t.raw_row,
from ranked as r
join raw_text as t using (_file_id, _line)
left join sources as f on f.file_id = r.first_file_id;

delete from orders using dup_orders as d where orders._file_id = d._file_id and orders._line = d._line;
