-- Loaded orders: no per-row problem, a member that was loaded, not before the member joined; first row per order_id wins.
create or replace temp macro orders_raw(order_id, member_id, ordered_at, amount, status, category) as
    to_json({'order_id': order_id, 'member_id': member_id, 'ordered_at': ordered_at, 'amount': amount,
             'status': status, 'category': category})::varchar;

create or replace temp table cross_orders as
select
    o._file_id,
    o._line,
    case when m.member_id is null then 'unknown_member' else 'before_join' end as reason_code,
    case
        when m.member_id is null then format('member {} is not among the loaded members (missing from members, or rejected there)', o.member_id)
        else format('ordered at {} but member {} joined on {}', o.ordered_at, o.member_id, m.joined_on)
    end as reason,
    orders_raw(o.order_id, o.member_id, o.ordered_at_text, o.amount_text, o.status_text, o.category) as raw_row,
from stg_orders as o
left join members as m on m.member_id = o.member_id
where o.reason_code is null and (m.member_id is null or o.ordered_at::date < m.joined_on);

create or replace temp table candidates_orders as
select o.*
from stg_orders as o
anti join cross_orders as x on x._file_id = o._file_id and x._line = o._line
where o.reason_code is null;

create or replace temp table dup_orders as
with dup_ids as (
    select order_id from candidates_orders group by order_id having count(*) > 1
),

ranked as (
    select
        c.*,
        row_number() over w as dup_rank,
        first_value(c._file_id) over w as first_file_id,
        first_value(c._line) over w as first_line,
    from candidates_orders as c
    semi join dup_ids using (order_id)
    window w as (partition by c.order_id order by c._file_id, c._line)
)

select
    r._file_id,
    r._line,
    'duplicate_id' as reason_code,
    format('duplicate order_id {}: the first row with this id ({} line {}) was loaded', r.order_id, f.file_name, r.first_line) as reason,
    orders_raw(r.order_id, r.member_id, r.ordered_at_text, r.amount_text, r.status_text, r.category) as raw_row,
from ranked as r
left join sources as f on f.file_id = r.first_file_id
where r.dup_rank > 1;

create or replace table orders as
select order_id, member_id, ordered_at, amount, status, category, _file_id, _line
from candidates_orders as c
anti join dup_orders as d on c._file_id = d._file_id and c._line = d._line;
