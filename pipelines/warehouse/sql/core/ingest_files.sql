-- The file report: per raw file, its table, format, encoding, rows read / loaded / rejected and last date
-- (rows read = loaded + rejected is one of the data tests). After core/rejects.sql, which it counts.
create or replace table ingest_files as
with loaded as (
    select _file_id, count(*) as n from stations group by all
    union all select _file_id, count(*) from members group by all
    union all select _file_id, count(*) from orders group by all
), rejected as (
    select f.file_id, count(*) as n from rejects as r join sources as f on f.file_name = r.source_file
        and f.table_name = r.table_name group by all
), dates as (
    select _file_id, max(greatest(signed_on, coalesce(opened_on, signed_on), coalesce(closed_on, signed_on))) as d
    from stations group by all
    union all select _file_id, max(greatest(joined_on, coalesce(refunded_on, joined_on))) from members group by all
    union all select _file_id, max(ordered_at)::date from orders group by all
)
select s.table_name, s.file_name, s.format, s.encoding, s.rows_read,
    coalesce(l.n, 0)::bigint as rows_loaded, coalesce(r.n, 0)::bigint as rows_rejected, d.d as last_date, s.note
from sources as s
left join loaded as l on l._file_id = s.file_id
left join rejected as r on r.file_id = s.file_id
left join dates as d on d._file_id = s.file_id
order by s.file_id;
