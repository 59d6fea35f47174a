-- Every raw row that was not loaded, with its source file, line, a reason a person understands and the raw row.
-- An append model: this run's rejects join those of earlier runs.
create table if not exists rejects (
    table_name varchar, source_file varchar, line bigint, reason_code varchar, reason varchar, raw_row varchar,
    detail_code varchar, detail_args varchar[]
);
-- A warehouse built before details had codes (issue 34): its rows keep their English reason, worded as it is.
alter table rejects add column if not exists detail_code varchar;
alter table rejects add column if not exists detail_args varchar[];

-- A warehouse built before phones were stored masked (issue 18.8) has members' phones in its rejects: mask them.
update rejects set raw_row = json_merge_patch(raw_row, json_object('phone', mask_phone(raw_row->>'phone')))::varchar
where table_name = 'members' and json_valid(raw_row) and raw_row->>'phone' is not null
    and raw_row->>'phone' not like '%\*\*\*\*%' escape '\';
update rejects set raw_row = regexp_replace(raw_row, '(\d{3})\d*(\d{4})', '\1****\2', 'g')
where table_name = 'members' and not json_valid(raw_row) and regexp_matches(raw_row, '\d{7}');

insert into rejects
with per_row as (
    select 'stations' as table_name, _file_id, _line, reason_code, detail_code, detail_args, reason,
        stations_raw(station_id, name, war_zone, team, owner, province, city, signed_on_text, opened_on_text, closed_on_text) as raw_row,
    from stg_stations where reason_code is not null
    union all
    select 'members', _file_id, _line, reason_code, detail_code, detail_args, reason,
        members_raw(member_id, station_id, joined_on_text, tier, fee_text, channel, referrer_id, refunded_on_text, phone),
    from stg_members where reason_code is not null
),

later as (
    select 'stations' as table_name, * from dup_stations
    union all select 'members', * from cross_members
    union all select 'members', * from dup_members
    union all select 'orders', * from bad_orders
    union all select 'orders', * from dup_orders
),

unreadable as (
    select table_name, _file_id, _line, reason_code, detail_code, detail_args, reason, raw_row from early_rejects
),

all_rejects as (
    select * from per_row
    union all select * from later
    union all select * from unreadable
)

select
    r.table_name,
    f.file_name as source_file,
    r._line as line,
    r.reason_code,
    r.reason,
    r.raw_row,
    r.detail_code,
    r.detail_args,
from all_rejects as r
left join sources as f on f.file_id = r._file_id
order by r.table_name, f.file_name, r._line;

-- The core layer's scratch tables are done with: free their memory before the marts.
drop view if exists station_ids;
drop view if exists member_ids;
drop view if exists order_ids;
drop table if exists stg_stations;
drop table if exists stg_members;
drop table if exists candidates_stations;
drop table if exists candidates_members;
drop table if exists dup_stations;
drop table if exists dup_members;
drop table if exists bad_orders;
drop table if exists dup_orders;
drop table if exists cross_members;
