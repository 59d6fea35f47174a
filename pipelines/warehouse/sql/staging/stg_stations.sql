-- One row per raw stations row: typed columns and the first per-row problem, if any (no joins here).
create or replace temp table stg_stations as
with land as (
    select * from land_stations
),

typed as (
    select
        _file_id,
        _line,
        station_id,
        name,
        war_zone,
        team,
        owner,
        province,
        city,
        signed_on as signed_on_text,
        opened_on as opened_on_text,
        closed_on as closed_on_text,
        parse_date(signed_on) as signed_on,
        parse_date(opened_on) as opened_on,
        parse_date(closed_on) as closed_on,
    from land
),

final as (
    select
        *,
        case
            when station_id is null then {'code': 'missing_id', 'detail': 'station_id is empty'}
            when signed_on_text is null then {'code': 'missing_value', 'detail': 'signed_on is empty'}
            when signed_on is null then {'code': 'bad_date', 'detail': format('signed_on "{}" is not a date (use YYYY-MM-DD)', signed_on_text)}
            when opened_on is null and opened_on_text is not null then {'code': 'bad_date', 'detail': format('opened_on "{}" is not a date (use YYYY-MM-DD)', opened_on_text)}
            when closed_on is null and closed_on_text is not null then {'code': 'bad_date', 'detail': format('closed_on "{}" is not a date (use YYYY-MM-DD)', closed_on_text)}
            when signed_on > as_of() then {'code': 'future_date', 'detail': format('signed_on {} is after the data''s as-of date {}', signed_on, as_of())}
            when opened_on > as_of() then {'code': 'future_date', 'detail': format('opened_on {} is after the data''s as-of date {}', opened_on, as_of())}
            when closed_on > as_of() then {'code': 'future_date', 'detail': format('closed_on {} is after the data''s as-of date {}', closed_on, as_of())}
            when opened_on < signed_on then {'code': 'opened_before_signed', 'detail': format('opened_on {} is before signed_on {}', opened_on, signed_on)}
            when closed_on is not null and opened_on is null then {'code': 'closed_before_opened', 'detail': format('closed_on {} is set but the station never opened (opened_on is empty)', closed_on)}
            when closed_on < opened_on then {'code': 'closed_before_opened', 'detail': format('closed_on {} is before opened_on {}', closed_on, opened_on)}
        end as problem,
    from typed
)

select * exclude (problem), problem.code as reason_code, problem.detail as reason from final
