-- Loaded orders: no per-row problem, a member that was loaded, not before the member joined; first row per
-- order_id wins. Written for 100M rows: one pass over the raw orders builds the table; the rejected rows (with
-- their raw text) are looked for in a second pass only when rows are missing, and duplicates only when
-- count(distinct order_id) says there are some. build.py sets the two variables from those counts. An append
-- model like core/stations.sql: stg_orders holds this run's files, `orders` the rows of earlier runs.
create or replace temp macro orders_raw(order_id, member_id, ordered_at, amount, status, category) as
    to_json({'order_id': order_id, 'member_id': member_id, 'ordered_at': ordered_at, 'amount': amount,
             'status': status, 'category': category})::varchar;

create table if not exists orders (
    order_id varchar, member_id varchar, ordered_at timestamp, amount decimal(18, 2), status varchar,
    category varchar, _file_id integer, _line bigint
);

insert into orders
select o.order_id, o.member_id, o.ordered_at, o.amount, o.status, o.category, o._file_id, o._line
from stg_orders as o
join members as m on m.member_id = o.member_id
where o.reason_code is null and o.ordered_at::date >= m.joined_on;
