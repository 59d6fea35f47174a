-- Loaded stations: rows with no per-row problem; of rows sharing a station_id the first (file order, line) wins.
-- An append model (docs/admin-guide.md "Incremental refresh"): stg_stations holds this run's files only, `stations` the rows
-- of earlier runs (none in a full build); earlier files come first, so an earlier row always wins.
create or replace temp macro stations_raw(station_id, name, war_zone, team, owner, province, city, signed_on, opened_on, closed_on) as
    to_json({'station_id': station_id, 'name': name, 'war_zone': war_zone, 'team': team, 'owner': owner,
             'province': province, 'city': city, 'signed_on': signed_on, 'opened_on': opened_on, 'closed_on': closed_on})::varchar;

create table if not exists stations (
    station_id varchar, name varchar, war_zone varchar, team varchar, owner varchar, province varchar, city varchar,
    signed_on date, opened_on date, closed_on date, _file_id integer, _line bigint
);

create or replace temp table candidates_stations as
select * from stg_stations where reason_code is null;

create or replace temp view station_ids as       -- earlier runs' rows of the same ids come first
select station_id as id, _file_id, _line from stations semi join candidates_stations using (station_id)
union all
select station_id, _file_id, _line from candidates_stations;

create or replace temp table dup_stations as
select
    c._file_id,
    c._line,
    'duplicate_id' as reason_code,
    'duplicate' as detail_code,
    ['station_id', c.station_id::varchar, f.file_name::varchar, r.first_line::varchar] as detail_args,
    reject_detail('duplicate', ['station_id', c.station_id::varchar, f.file_name::varchar, r.first_line::varchar]) as reason,
    stations_raw(c.station_id, c.name, c.war_zone, c.team, c.owner, c.province, c.city, c.signed_on_text, c.opened_on_text, c.closed_on_text) as raw_row,
from later_rows('station_ids') as r
join candidates_stations as c on c._file_id = r._file_id and c._line = r._line     -- this run's rows only
left join sources as f on f.file_id = r.first_file_id;

insert into stations
select station_id, name, war_zone, team, owner, province, city, signed_on, opened_on, closed_on, _file_id, _line
from candidates_stations as c
anti join dup_stations as d on c._file_id = d._file_id and c._line = d._line
order by station_id;
