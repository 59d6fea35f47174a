-- Loaded stations: rows with no per-row problem; of rows sharing a station_id the first (file order, line) wins.
create or replace temp macro stations_raw(station_id, name, war_zone, team, owner, province, city, signed_on, opened_on, closed_on) as
    to_json({'station_id': station_id, 'name': name, 'war_zone': war_zone, 'team': team, 'owner': owner,
             'province': province, 'city': city, 'signed_on': signed_on, 'opened_on': opened_on, 'closed_on': closed_on})::varchar;

create or replace temp table candidates_stations as
select * from stg_stations where reason_code is null;

create or replace temp table dup_stations as
with dup_ids as (
    select station_id from candidates_stations group by station_id having count(*) > 1
),

ranked as (
    select
        c.*,
        row_number() over w as dup_rank,
        first_value(c._file_id) over w as first_file_id,
        first_value(c._line) over w as first_line,
    from candidates_stations as c
    semi join dup_ids using (station_id)
    window w as (partition by c.station_id order by c._file_id, c._line)
)

select
    r._file_id,
    r._line,
    'duplicate_id' as reason_code,
    format('duplicate station_id {}: the first row with this id ({} line {}) was loaded', r.station_id, f.file_name, r.first_line) as reason,
    stations_raw(r.station_id, r.name, r.war_zone, r.team, r.owner, r.province, r.city, r.signed_on_text, r.opened_on_text, r.closed_on_text) as raw_row,
from ranked as r
left join sources as f on f.file_id = r.first_file_id
where r.dup_rank > 1;

create or replace table stations as
select station_id, name, war_zone, team, owner, province, city, signed_on, opened_on, closed_on, _file_id, _line
from candidates_stations as c
anti join dup_stations as d on c._file_id = d._file_id and c._line = d._line
order by station_id;
