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
            when station_id is null then {'code': 'missing_id', 'detail': 'empty', 'args': ['station_id']}
            when signed_on_text is null then {'code': 'missing_value', 'detail': 'empty', 'args': ['signed_on']}
            when signed_on is null then {'code': 'bad_date', 'detail': 'not_a_date', 'args': ['signed_on', signed_on_text::varchar]}
            when opened_on is null and opened_on_text is not null then {'code': 'bad_date', 'detail': 'not_a_date', 'args': ['opened_on', opened_on_text::varchar]}
            when closed_on is null and closed_on_text is not null then {'code': 'bad_date', 'detail': 'not_a_date', 'args': ['closed_on', closed_on_text::varchar]}
            when signed_on > as_of() then {'code': 'future_date', 'detail': 'after_as_of', 'args': ['signed_on', signed_on::varchar, as_of()::varchar]}
            when opened_on > as_of() then {'code': 'future_date', 'detail': 'after_as_of', 'args': ['opened_on', opened_on::varchar, as_of()::varchar]}
            when closed_on > as_of() then {'code': 'future_date', 'detail': 'after_as_of', 'args': ['closed_on', closed_on::varchar, as_of()::varchar]}
            when opened_on < signed_on then {'code': 'opened_before_signed', 'detail': 'before', 'args': ['opened_on', opened_on::varchar, 'signed_on', signed_on::varchar]}
            when closed_on is not null and opened_on is null then {'code': 'closed_before_opened', 'detail': 'never_opened', 'args': [closed_on::varchar]}
            when closed_on < opened_on then {'code': 'closed_before_opened', 'detail': 'before', 'args': ['closed_on', closed_on::varchar, 'opened_on', opened_on::varchar]}
        end as problem,
    from typed
)

select * exclude (problem), problem.code as reason_code, problem.detail as detail_code, problem.args as detail_args,
    reject_detail(problem.detail, problem.args) as reason
from final
