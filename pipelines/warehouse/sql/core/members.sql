-- Loaded members: no per-row problem, a station that was loaded; first row per member_id wins. An append model,
-- like core/stations.sql: stg_members holds this run's files, `members` the rows of earlier runs.
create or replace temp macro members_raw(member_id, station_id, joined_on, tier, fee, channel, referrer_id, refunded_on, phone) as
    to_json({'member_id': member_id, 'station_id': station_id, 'joined_on': joined_on, 'tier': tier, 'fee': fee,
             'channel': channel, 'referrer_id': referrer_id, 'refunded_on': refunded_on, 'phone': mask_phone(phone)})::varchar;

create table if not exists members (
    member_id varchar, station_id varchar, joined_on date, tier varchar, fee decimal(18, 2), channel varchar,
    referrer_id varchar, refunded_on date, phone varchar, _file_id integer, _line bigint
);

create or replace temp table cross_members as
select
    m._file_id,
    m._line,
    'unknown_station' as reason_code,
    'unknown_station' as detail_code,
    [m.station_id::varchar] as detail_args,
    reject_detail('unknown_station', [m.station_id::varchar]) as reason,
    members_raw(m.member_id, m.station_id, m.joined_on_text, m.tier, m.fee_text, m.channel, m.referrer_id, m.refunded_on_text, m.phone) as raw_row,
from stg_members as m
anti join stations as s on s.station_id = m.station_id
where m.reason_code is null;

create or replace temp table candidates_members as
select m.*
from stg_members as m
semi join stations as s on s.station_id = m.station_id
where m.reason_code is null;

create or replace temp view member_ids as       -- earlier runs' rows of the same ids come first
select member_id as id, _file_id, _line from members semi join candidates_members using (member_id)
union all
select member_id, _file_id, _line from candidates_members;

create or replace temp table dup_members as
select
    c._file_id,
    c._line,
    'duplicate_id' as reason_code,
    'duplicate' as detail_code,
    ['member_id', c.member_id::varchar, f.file_name::varchar, r.first_line::varchar] as detail_args,
    reject_detail('duplicate', ['member_id', c.member_id::varchar, f.file_name::varchar, r.first_line::varchar]) as reason,
    members_raw(c.member_id, c.station_id, c.joined_on_text, c.tier, c.fee_text, c.channel, c.referrer_id, c.refunded_on_text, c.phone) as raw_row,
from later_rows('member_ids') as r
join candidates_members as c on c._file_id = r._file_id and c._line = r._line     -- this run's rows only
left join sources as f on f.file_id = r.first_file_id;

insert into members
select member_id, station_id, joined_on, tier, fee, channel, referrer_id, refunded_on, phone, _file_id, _line
from candidates_members as c
anti join dup_members as d on c._file_id = d._file_id and c._line = d._line
order by station_id, member_id;   -- a station's members sit together: new stations' members are read without a full scan
